"""Settings, all read from the environment.

Embedded default: SQLite in the project directory and django-q2's ORM broker, so one
command runs everything. Production: ``DATABASE_URL=postgres://…``, a real
``SECRET_KEY``, optionally ``REDIS_URL`` for the task broker.
"""
from __future__ import annotations

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """A real key from the environment, or in DEBUG a generated one kept in a git-ignored file."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (or DEBUG=1 for a generated dev key)."
        )
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Key for secrets stored encrypted in the database (access-key secrets, vCenter
# passwords). Derived from SECRET_KEY unless set, so rotating SECRET_KEY without
# setting this makes stored secrets unreadable: production should set it.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "config.admin_site.OpsAdminConfig",  # django.contrib.admin with this service's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "django_htmx",
    "axes",
    "django_prometheus",
    "orchestration",
    "templates_app",
    "vsphere",
]

MIDDLEWARE = [
    # First and last: django-prometheus times and counts every request and response.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "orchestration.console.audit.ConsoleAuditMiddleware",
    "orchestration.middleware.UnavailableMiddleware",
    # Last but one, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A persistent connection that died while idle (a database restart) is replaced
        # before the request uses it, instead of failing that request.
        conn_health_checks=True,
    )
}
# django-prometheus's wrapper of the same backend counts connections, queries and their time.
_PROMETHEUS_BACKENDS = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
DATABASES["default"]["ENGINE"] = _PROMETHEUS_BACKENDS.get(DATABASES["default"]["ENGINE"],
                                                          DATABASES["default"]["ENGINE"])
if DATABASES["default"]["ENGINE"].endswith(".sqlite3"):
    # Web server and worker share one file: wait for locks instead of failing, and
    # use WAL so readers never block the writer.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "/admin/login/"
LOGIN_REDIRECT_URL = "/console/"  # a login without ?next= (e.g. after logging out) lands on the dashboard

# Limits on what one request may carry, on every API face (orchestration/request_limits.py):
# a larger body is answered 413, JSON nested deeper is refused before it is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_REQUEST_BODY_BYTES", str(2_621_440)))
MAX_JSON_DEPTH = int(os.environ.get("MAX_JSON_DEPTH", "64"))

# Logins (console and admin) are locked out per (username, client address) after
# LOGIN_FAILURE_LIMIT failures in a row, for LOGIN_COOLOFF_MINUTES (django-axes).
# The address is REMOTE_ADDR (behind a proxy: the proxy's; see README, Security model).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "console/locked_out.html"
AXES_VERBOSE = False

# Signed faces: requests per access key ("600/minute"; second, minute, hour or day; empty:
# no limit), answered in each face's throttling error (orchestration/faces/throttling.py).
API_KEY_RATE = os.environ.get("API_KEY_RATE", "600/minute")
# UCloud-style signatures have no nonce or timestamp: an exact copy of a state-changing
# signed form is refused for this long (orchestration/faces/ucloud/auth.py).
SIGNATURE_REPLAY_WINDOW_SECONDS = int(os.environ.get("SIGNATURE_REPLAY_WINDOW_SECONDS", "900"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes anonymous calls a proper 401.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["orchestration.api.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "orchestration.api.filtering.ScopedFilterBackend",  # django-filter, choices scoped to the caller
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "orchestration.api.parsers.JSONParser",
        "orchestration.api.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "orchestration.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "orchestration.api.schema.NativeAutoSchema",
    "EXCEPTION_HANDLER": "orchestration.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "600/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "6000/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "vSphere Operations Orchestration API",
    "DESCRIPTION": "Native REST API: tenancy, templates, executions, vSphere.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's files come from drf-spectacular-sidecar's static files, not a CDN:
    # a private cloud's browsers may not reach the internet, and nothing loads from another host.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two models call a choice field "type": name each set after what it types.
    "ENUM_NAME_OVERRIDES": {
        "InventoryEntityTypeEnum": "vsphere.models.inventory.EntityType",
        "ParameterTypeEnum": "orchestration.models.parameters.ParameterType",
    },
}

REDIS_URL = os.environ.get("REDIS_URL", "")
Q_CLUSTER = {
    "name": "orchestration",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": int(os.environ.get("Q_TIMEOUT", "300")),
    "retry": int(os.environ.get("Q_RETRY", "360")),
    # Failed tasks are acknowledged (max_attempts 1), not redelivered. A message whose
    # acknowledgement was lost to a database outage comes back after Q_RETRY as a
    # harmless duplicate: the engine never waits for it, its ticker re-queues from wake_at.
    "max_attempts": 1,
    "catch_up": False,
    "label": "Django Q2",
    "poll": float(os.environ.get("Q_POLL", "0.2")),
    "save_limit": int(os.environ.get("Q_SAVE_LIMIT", "1000")),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    # The ORM broker, woken by NOTIFY on PostgreSQL instead of polling every "poll" seconds.
    Q_CLUSTER["broker_class"] = "orchestration.engine.broker.ListeningORM"

# How long a worker's hold on an execution lasts unrenewed: a dead worker's executions
# resume elsewhere about this long after it died. A live worker renews it every
# ENGINE_HEARTBEAT_SECONDS (at most a third of the lease).
ENGINE_LEASE_SECONDS = float(os.environ.get("ENGINE_LEASE_SECONDS", "4"))
ENGINE_HEARTBEAT_SECONDS = float(os.environ.get("ENGINE_HEARTBEAT_SECONDS", "1"))
# PostgreSQL ends a round's transaction left idle this long by its worker (paused, hung).
ENGINE_ROUND_IDLE_SECONDS = float(os.environ.get("ENGINE_ROUND_IDLE_SECONDS", "10"))
# On PostgreSQL, workers and the ticker are woken by LISTEN/NOTIFY; they look this often anyway.
ENGINE_WAKEUP_FALLBACK_SECONDS = float(os.environ.get("ENGINE_WAKEUP_FALLBACK_SECONDS", "5"))
# How soon an execution the ticker queued is queued again if that message was lost.
ENGINE_REQUEUE_SECONDS = int(os.environ.get("ENGINE_REQUEUE_SECONDS", "10"))
# Outages: what a 503 asks clients to wait, and the longest pause between a loop's retries.
UNAVAILABLE_RETRY_AFTER = int(os.environ.get("UNAVAILABLE_RETRY_AFTER", "5"))
OUTAGE_MAX_BACKOFF = float(os.environ.get("OUTAGE_MAX_BACKOFF", "5"))
# A VM operation whose vCenter has not answered a poll for this long fails (Retries apply).
VSPHERE_UNREACHABLE_SECONDS = float(os.environ.get("VSPHERE_UNREACHABLE_SECONDS", "120"))

# Prometheus /metrics (orchestration/observability.py): scraped directly from these client
# addresses or networks, or with ``Authorization: Bearer <METRICS_TOKEN>`` (the only way
# through a reverse proxy); anyone else gets 404. A machine's processes (gunicorn workers,
# qcluster, runengine) share their figures through PROMETHEUS_MULTIPROC_DIR (README,
# "Production and scale-out"). A malformed network stops the start-up here, not a scrape.
METRICS_ALLOWED_IPS = [ipaddress.ip_network(net, strict=False)
                       for net in env_list("METRICS_ALLOWED_IPS", "127.0.0.1,::1")]
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
