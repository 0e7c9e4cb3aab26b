from django.apps import AppConfig


class CivicplanConfig(AppConfig):
    """The project itself, installed as an app for its site-wide commands (backup, restore).
    It has no models."""

    name = "civicplan"
    verbose_name = "civicplan"
