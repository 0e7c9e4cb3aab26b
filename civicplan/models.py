"""What the models of every app share."""

from django.db import models


class NaturalKeyManager(models.Manager):
    """Finds a row by its natural key (fixtures, backups, spreadsheets): the values of
    ``lookups``, in the order the model's ``natural_key()`` gives them."""

    def __init__(self, *lookups: str) -> None:
        super().__init__()
        self.lookups = lookups

    def get_by_natural_key(self, *key):
        return self.get(**dict(zip(self.lookups, key, strict=True)))
