"""WSGI entry point (gunicorn config.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from orchestration.heap import collect_between_responses, freeze_loaded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018  (imports every view, serializer and face now, not on a first request)
freeze_loaded()
collect_between_responses()
