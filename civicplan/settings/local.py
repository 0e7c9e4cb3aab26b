"""Settings for a developer's machine: DEBUG on, an insecure key and a demo password."""

from .base import *  # noqa: F403
from .base import env, env_secret

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env_secret("SECRET_KEY", default="django-insecure-local-only-civicplan-key")
DEMO_PASSWORD = env_secret("DEMO_PASSWORD", default="civicplan-demo")
# The idle time (SESSION_COOKIE_AGE, base settings) counts from the last request.
SESSION_SAVE_EVERY_REQUEST = True
