"""An existing database keeps its text: each row's original column (and its history's) is
copied into the default language's column (the site's language, in which the plan was written)."""

from django.conf import settings
from django.db import migrations
from django.db.models import F

TRANSLATED = {
    "initiative": ("title", "description"),
    "indicator": ("name", "unit", "description"),
}


def copy_into_default_language(apps, schema_editor):
    language = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    for model_name, fields in TRANSLATED.items():
        # The history too: a past version shows its text as it was.
        for name in (model_name, f"historical{model_name}"):
            model = apps.get_model("initiatives", name)
            model._base_manager.update(**{f"{field}_{language}": F(field) for field in fields})


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0010_initiative_text_in_each_language")]

    operations = [migrations.RunPython(copy_into_default_language, migrations.RunPython.noop)]
