"""Settings for the test suite: fast hashing, mail kept in memory."""

from .base import *  # noqa: F403
from .base import env_secret

DEBUG = False
SECRET_KEY = env_secret("SECRET_KEY", default="django-insecure-test-only-civicplan-key")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEMO_PASSWORD = "civicplan-test"
# Tests read the English interface unless their reader chooses French (the language cookie:
# tests.helpers.client_in); the product's default stays French (base settings).
LANGUAGE_CODE = "en"
# Not saved on every request here, unlike local and production: the query-count tests count a
# page's own reads, and the session write would add one to every request. The idle expiry is
# tested on its own, with override_settings (tests/test_security.py).
SESSION_SAVE_EVERY_REQUEST = False
# No collectstatic before the tests: whitenoise finds the static files where they are.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Each test run on PostgreSQL gets its own database, so that two runs on one machine
# (a developer's and an editor's, or parallel helpers) never drop each other's.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    import os

    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}  # noqa: F405

# Tasks are recorded, not run: a test that wants one run runs it (tests/reporting/test_stored.py).
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
# The data version is replaced at each write: tests run in transactions that never commit
# (tests/reporting/test_stored.py checks the after-commit way in transactions that do).
DATA_VERSION_AFTER_COMMIT = False
