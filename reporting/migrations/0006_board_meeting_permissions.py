"""The groups' permissions on board meetings, as 0002 gave them on board updates: editors
record them; staff and the board read them (the views decide per request too)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

ACTIONS = {"editors": ["view", "add", "change", "delete"], "staff": ["view"], "board": ["view"]}
MODELS = ("boardmeeting", "agendaitem")
CODENAMES = [f"{action}_{model}" for action in ("view", "add", "change", "delete") for model in MODELS]


def grant(apps, schema_editor):
    create_permissions(global_apps.get_app_config("reporting"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in ACTIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [f"{action}_{model}" for action in actions for model in MODELS]
        group.permissions.add(*Permission.objects.filter(content_type__app_label="reporting", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ACTIONS):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="reporting", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0005_board_meeting")]

    operations = [migrations.RunPython(grant, revoke)]
