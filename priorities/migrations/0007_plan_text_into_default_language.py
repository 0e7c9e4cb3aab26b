"""An existing database keeps its text: each row's original column (and its history's) is
copied into the default language's column (the site's language, in which the plan was written)."""

from importlib import import_module

from django.conf import settings
from django.db import migrations
from django.db.models import F

TRANSLATED = {
    "strategicplan": ("title", "overall_goal", "goal_description", "closing_statement"),
    "keychange": ("title", "description"),
    "annualplan": ("title", "context", "monitoring", "calendar_note"),
    "strategicpriority": ("title", "short_title", "statement"),
    "expectedresult": ("text",),
    "learningquestion": ("text",),
    "organisationalpriority": ("title", "description"),
    "event": ("title", "description"),
}


def copy_into_default_language(apps, schema_editor):
    language = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    for model_name, fields in TRANSLATED.items():
        # The history too: a past version shows its text as it was.
        for name in (model_name, f"historical{model_name}"):
            model = apps.get_model("priorities", name)
            model._base_manager.update(**{f"{field}_{language}": F(field) for field in fields})


def event_date_triggers_again(apps, schema_editor):
    """SQLite remade the event table to add its titles' length checks (0006), and a remade
    table loses its triggers: the dates-inside-the-quarter rule (0002) is put back."""
    if schema_editor.connection.vendor != "sqlite":
        return
    dates = import_module("priorities.migrations.0002_event_dates_inside_quarter")
    for statement in (*dates.SQLITE_BACKWARD, *dates.SQLITE_FORWARD):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("priorities", "0006_plan_text_in_each_language")]

    operations = [
        migrations.RunPython(event_date_triggers_again, migrations.RunPython.noop),
        migrations.RunPython(copy_into_default_language, migrations.RunPython.noop),
    ]
