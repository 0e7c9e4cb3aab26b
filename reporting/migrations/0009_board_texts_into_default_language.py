"""An existing database keeps what its editors wrote: each board update's message and
highlights and each annual report's lessons (and their history) are copied into the default
language's column (the site's language, in which they were written)."""

from django.conf import settings
from django.db import migrations
from django.db.models import F

TRANSLATED = {"boardupdate": ("message", "highlights"), "annualreview": ("lessons",)}


def copy_into_default_language(apps, schema_editor):
    language = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    for model_name, fields in TRANSLATED.items():
        for name in (model_name, f"historical{model_name}"):
            model = apps.get_model("reporting", name)
            model._base_manager.update(**{f"{field}_{language}": F(field) for field in fields})


class Migration(migrations.Migration):
    dependencies = [("reporting", "0008_board_texts_in_each_language")]

    operations = [migrations.RunPython(copy_into_default_language, migrations.RunPython.noop)]
