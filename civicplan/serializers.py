"""Django's JSON serialisation, with times to the microsecond, and history that outlives
what it recorded.

Django's encoder cuts a date and time to the millisecond, so a backup (``manage.py
backup``, which is ``dumpdata``) would bring back every timestamp a little changed. This
module takes the place of the built-in "json" format (``SERIALIZATION_MODULES``); it reads
exactly as before and writes the full time. Fixtures load the same either way.

A history record keeps the id of what it recorded after that is deleted (its link has no
database constraint). Named by natural key, such a link would have to look the deleted
object up, and the whole backup would fail ("Indicator matching query does not exist");
it is written as the id it holds instead, which loads back as it was (a backup keeps ids).
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
    def handle_fk_field(self, obj, field):
        if self.use_natural_foreign_keys and not field.db_constraint:
            self._current[field.name] = self._value_from_field(obj, field)
            return
        super().handle_fk_field(obj, field)

    def _init_options(self):
        super()._init_options()
        if self.json_kwargs["cls"] is DjangoJSONEncoder:
            self.json_kwargs["cls"] = ExactJSONEncoder


Deserializer = json.Deserializer
