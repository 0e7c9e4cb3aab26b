"""The groups' permissions on the organisational priorities' tracking, as migration 0003
gave them on the initiatives': staff see it and write updates, editors everything, the
board reads."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "staff": {
        "view": ["organisationalupdate", "organisationallead"],
        "add": ["organisationalupdate"],
        "change": ["organisationalupdate"],
    },
    "editors": {
        action: ["organisationalupdate", "organisationallead"] for action in ("view", "add", "change", "delete")
    },
    "board": {"view": ["organisationalupdate", "organisationallead"]},
}


def grant(apps, schema_editor):
    create_permissions(global_apps.get_app_config("initiatives"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [f"{action}_{model}" for action, models in actions.items() for model in models]
        group.permissions.add(*Permission.objects.filter(content_type__app_label="initiatives", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{a}_{m}" for a in ("view", "add", "change", "delete") for m in GROUPS["editors"]["view"]]
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="initiatives", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0007_organisational_priorities_tracked")]

    operations = [migrations.RunPython(grant, revoke)]
