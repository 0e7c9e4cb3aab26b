"""Editors write and publish board updates; staff and the board read them (views decide
per object too: the board reads published updates only)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

ACTIONS = {"editors": ["view", "add", "change"], "staff": ["view"], "board": ["view"]}


def grant(apps, schema_editor):
    app_config = global_apps.get_app_config("reporting")
    create_contenttypes(app_config, apps=apps, verbosity=0)
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in ACTIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="reporting", codename__in=[f"{a}_boardupdate" for a in actions]
            )
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ACTIONS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="reporting"))


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_board_update"),
        ("initiatives", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
