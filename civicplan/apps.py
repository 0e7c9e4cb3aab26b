from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CivicplanAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on civicplan's site (civicplan.admin.CivicplanAdminSite)."""

    default = False  # the civicplan app's own config is CivicplanConfig
    default_site = "civicplan.admin.CivicplanAdminSite"


class CivicplanConfig(AppConfig):
    """The project itself, installed as an app: its site-wide commands (backup, restore),
    the organisation and the version of the data (civicplan.versions)."""

    name = "civicplan"
    verbose_name = "civicplan"

    def ready(self):
        from django.contrib import admin
        from django_tasks_db.models import DBTaskResult

        from . import versions

        versions.connect()
        # The background tasks' own records are the worker's bookkeeping, not the admins':
        # a report that could not be made says so on its page, and the log says why.
        if admin.site.is_registered(DBTaskResult):
            admin.site.unregister(DBTaskResult)
