"""The groups' permissions on annual reports, as 0002 gave them on board updates: editors
write and publish them; staff and the board read them (the views decide per object too:
only editors read lessons that are not published)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

ACTIONS = {"editors": ["view", "add", "change"], "staff": ["view"], "board": ["view"]}
CODENAMES = [f"{action}_annualreview" for action in ("view", "add", "change")]


def grant(apps, schema_editor):
    create_permissions(global_apps.get_app_config("reporting"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in ACTIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [f"{action}_annualreview" for action in actions]
        group.permissions.add(*Permission.objects.filter(content_type__app_label="reporting", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ACTIONS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="reporting", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [("reporting", "0003_annual_review")]

    operations = [migrations.RunPython(grant, revoke)]
