"""The groups staff, editors and board (initiatives/roles.py), with their permissions."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

GROUPS = {
    # Staff see everything and write the quarterly tracking of their own initiatives;
    # editors write everything; the board reads.
    "staff": {
        "view": [
            "strategicplan", "keychange", "annualplan", "quarter", "strategicpriority", "expectedresult",
            "learningquestion", "organisationalpriority", "event", "initiative", "membership", "indicator",
            "statusupdate", "indicatorvalue", "learningreflection",
        ],
        "add": ["statusupdate", "indicatorvalue", "learningreflection"],
        "change": ["statusupdate", "indicatorvalue", "learningreflection"],
    },
    "editors": {
        action: [
            "strategicplan", "keychange", "annualplan", "quarter", "strategicpriority", "expectedresult",
            "learningquestion", "organisationalpriority", "event", "initiative", "membership", "indicator",
            "statusupdate", "indicatorvalue", "learningreflection",
        ]
        for action in ("view", "add", "change", "delete")
    },
    "board": {
        "view": [
            "strategicplan", "keychange", "annualplan", "quarter", "strategicpriority", "expectedresult",
            "learningquestion", "organisationalpriority", "event", "initiative", "membership", "indicator",
            "statusupdate", "indicatorvalue", "learningreflection",
        ],
    },
}


def create_groups(apps, schema_editor):
    # Permissions are made after all migrations ran; make them now so the groups get them.
    for app_label in ("priorities", "initiatives"):
        app_config = global_apps.get_app_config(app_label)
        create_contenttypes(app_config, apps=apps, verbosity=0)
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [f"{action}_{model}" for action, models in actions.items() for model in models]
        permissions = Permission.objects.filter(
            content_type__app_label__in=["priorities", "initiatives"], codename__in=codenames
        )
        group.permissions.add(*permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0002_links_to_plan_and_people"),
        ("priorities", "0002_event_dates_inside_quarter"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
