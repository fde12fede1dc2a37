"""Settings for the test suite: the real settings with a throwaway key and fast hashing.

The database still comes from ``DATABASE_URL`` (PostgreSQL in the test command).
"""
import os

os.environ.setdefault("SECRET_KEY", "insecure-key-for-tests-only")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"}}  # noqa: F405
WHITENOISE_AUTOREFRESH = True  # serve from finders; no collectstatic in tests
API_KEY_RATE = "100000/minute"  # tests that check throttling set a small rate themselves
