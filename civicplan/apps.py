from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CivicplanAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on civicplan's site (civicplan.admin.CivicplanAdminSite)."""

    default = False  # the civicplan app's own config is CivicplanConfig
    default_site = "civicplan.admin.CivicplanAdminSite"


class CivicplanConfig(AppConfig):
    """The project itself, installed as an app for its site-wide commands (backup, restore).
    It has no models."""

    name = "civicplan"
    verbose_name = "civicplan"
