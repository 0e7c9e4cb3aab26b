"""Settings shared by every environment, read from the environment through one ``environ.Env``.

Each name is documented in ``.env.example``.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env")


def env_secret(name: str, default: str | None = None) -> str:
    """A secret exactly as it is set. django-environ reads a value that starts with "$" as
    the name of another variable to look up, and Django's own ``get_random_secret_key()``
    starts a key with "$" one time in fifty: a secret is never looked up."""
    value = os.environ.get(name, default)  # read_env put the .env file's values there
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable")
    return value


DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# Warnings and errors (a server error's traceback among them) on the console, with DEBUG on
# or off: Django's own default prints them only with DEBUG on and otherwise mails ADMINS,
# which a deployment behind gunicorn (stderr to its log) has no use for.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # Through the root's handler only (Django's default gives it a DEBUG-only one of its own).
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}

INSTALLED_APPS = [
    # Before the admin: its translation fields and admin mixins must be ready when the admin loads.
    "modeltranslation",
    "civicplan.apps.CivicplanAdminConfig",  # django.contrib.admin, on civicplan's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "django_htmx",
    "simple_history",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "priorities",
    "initiatives",
    "reporting",
    "civicplan",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The reader's chosen language, else the site's (never the browser's Accept-Language).
    "civicplan.middleware.SiteLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "civicplan.middleware.NoStoreForSignedInMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "civicplan.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civicplan.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "civicplan.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: a locked-out username and address is refused before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env("LANGUAGE_CODE", default="fr")
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
# The plan's own text in each of LANGUAGES (a column per language: title_fr, title_en); the
# site's language holds the text as written and is the one a missing translation falls back to.
# Another language is one more entry in LANGUAGES and a migration, no code.
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)
# The "json" format writes times to the microsecond (Django's cuts them to the millisecond),
# so that a backup brings every timestamp back as it was.
SERIALIZATION_MODULES = {"json": "civicplan.serializers"}

LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="civicplan <civicplan@localhost>")
# The address people reach civicplan at, for links in emails (reminders, password reset).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# The data version (civicplan.versions) is replaced when a write's transaction commits. Off
# only in the test suite, whose tests run in transactions that are rolled back, never
# committed: there it is replaced at the write.
DATA_VERSION_AFTER_COMMIT = True

# Background work (reporting.tasks: report PDFs prepared after an approval, a lock or a
# round's end), through Django's tasks API (the django-tasks backport). The database backend
# by default, run by `manage.py db_worker` (make run starts one); docs/operations.md says how
# to run it on RQ and Redis instead.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Report files (PDFs, workbooks) read lately are kept in each server process's memory, up to
# this many megabytes, so that their next readers are not served them from the database
# again (reporting.stored.FileMemory; a PDF of a plan twenty times the seed's is about 2 MB).
REPORT_FILES_MEMORY_MB = env.int("REPORT_FILES_MEMORY_MB", default=64)
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # Report charts are kept here (about 7 KB each; a report of a plan 20 times the seed's
    # draws about 300): room for a few reports in each process.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 2000)

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failed attempts for one username
# from one address, that pair is refused for AXES_COOLOFF_MINUTES from the last failure.
# Other users, and the same user from elsewhere, are not locked; attempts during the lock
# (the owner's correct password included) do not make it last longer.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Behind one reverse proxy (BEHIND_PROXY=true; docs/operations.md, "Deploying"), a client's
# address is the one the proxy appends to X-Forwarded-For (django-ipware, right-most), not
# the proxy's own, which every client would share. Never set it without a proxy in front:
# a client could then name any address it likes.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
# Password-reset e-mails: at most this many an hour to one address, and requests an hour
# from one client (civicplan.views.PasswordResetView); beyond, nothing is sent.
PASSWORD_RESET_PER_ADDRESS = env.int("PASSWORD_RESET_PER_ADDRESS", default=3)
PASSWORD_RESET_PER_CLIENT = env.int("PASSWORD_RESET_PER_CLIENT", default=10)
if BEHIND_PROXY:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_ORDER = "right-most"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Sessions end after SESSION_IDLE_MINUTES without a request (SESSION_SAVE_EVERY_REQUEST,
# set per environment, restarts the count on every request) and when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=60) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Headers on every response, in every environment (production adds HSTS and secure cookies).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): the app's own files only; no inline script or style,
# no frames, no plugins. A published board update widens style-src for its own stylesheet
# only (reporting.views._stored).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Spreadsheet import/export (django-import-export). Without the permission codes the
# admin's import and export are open to every staff user; with them a user needs the
# model's "import"/"export" permission (a superuser has all).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Control characters cannot be stored in XLSX; they are replaced rather than crash an export.
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True

# Limits for uploaded spreadsheets: refused beyond them, before any row is read.
SPREADSHEET_MAX_BYTES = env.int("SPREADSHEET_MAX_BYTES", default=5 * 1024 * 1024)
SPREADSHEET_MAX_ROWS = env.int("SPREADSHEET_MAX_ROWS", default=10_000)
SPREADSHEET_MAX_UNPACKED_BYTES = env.int("SPREADSHEET_MAX_UNPACKED_BYTES", default=50 * 1024 * 1024)
# `manage.py restore` reads a backup no further than this, uncompressed (a small gzip can
# expand to gigabytes); a backup of the seed plan with its demo progress is about 1 MB.
RESTORE_MAX_BYTES = env.int("RESTORE_MAX_BYTES", default=512 * 1024 * 1024)
# Request bodies (docs/operations.md, "Deploying"): a spreadsheet upload is the largest.
DATA_UPLOAD_MAX_MEMORY_SIZE = SPREADSHEET_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = SPREADSHEET_MAX_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# Demo accounts (``manage.py create_demo_users``).
DEMO_PASSWORD = env_secret("DEMO_PASSWORD", default="")
