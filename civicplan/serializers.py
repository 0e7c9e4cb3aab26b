"""Django's JSON serialisation, with times to the microsecond.

Django's encoder cuts a date and time to the millisecond, so a backup (``manage.py
backup``, which is ``dumpdata``) would bring back every timestamp a little changed. This
module takes the place of the built-in "json" format (``SERIALIZATION_MODULES``); it reads
exactly as before and writes the full time. Fixtures load the same either way.
"""

import datetime

from django.core.serializers import json
from django.core.serializers.json import DjangoJSONEncoder


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(json.Serializer):
    def _init_options(self):
        super()._init_options()
        if self.json_kwargs["cls"] is DjangoJSONEncoder:
            self.json_kwargs["cls"] = ExactJSONEncoder


Deserializer = json.Deserializer
