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

And each object's natural key is read once per serialisation, not once for each row that
names it: a backup reads each table once, not once per row and link.
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
        model = field.remote_field.model
        if not (self.use_natural_foreign_keys and hasattr(model, "natural_key")):
            super().handle_fk_field(obj, field)
            return
        # Each object's natural key is looked up once, however many rows point at it (history
        # rows point at the same few): Django's own looks it up for every row, a query or more
        # each (an initiative's natural key reads its priority and its plan).
        value = getattr(obj, field.attname)
        if value is not None:
            key = (model, field.target_field.attname, value)
            if key not in self._natural_keys:
                self._natural_keys[key] = getattr(obj, field.name).natural_key()
            value = self._natural_keys[key]
        self._current[field.name] = value

    def _init_options(self):
        super()._init_options()
        self._natural_keys = {}
        if self.json_kwargs["cls"] is DjangoJSONEncoder:
            self.json_kwargs["cls"] = ExactJSONEncoder


Deserializer = json.Deserializer
