"""Each long-running process freezes its start-up objects out of the collector's full passes.

Checked in fresh interpreters (freezing is process-wide): the web application once it is
loaded, a django-q2 worker when it is spawned, and the engine ticker (its command).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def number_printed_by(code: str) -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True, timeout=120).stdout
    return int(out.strip().splitlines()[-1])


def test_the_web_application_freezes_what_it_loaded_including_the_url_map():
    frozen = number_printed_by(
        "import gc, sys\n"
        "import config.wsgi\n"
        "assert 'orchestration.api.urls' in sys.modules, 'the URL map was not loaded before freezing'\n"
        "print(gc.get_freeze_count())\n"
    )
    assert frozen > 50_000


def test_a_spawned_worker_freezes_its_heap():
    frozen = number_printed_by(
        "import gc, django\n"
        "django.setup()\n"
        "from django_q.signals import post_spawn\n"
        "before = gc.get_freeze_count()\n"
        "post_spawn.send(sender='django_q', proc_name='Process-1')\n"
        "print(gc.get_freeze_count() - before)\n"
    )
    assert frozen > 50_000


def test_the_engine_ticker_freezes_its_heap_before_its_loop():
    frozen = number_printed_by(
        "import gc, django\n"
        "django.setup()\n"
        "from unittest import mock\n"
        "from django.core.management import call_command\n"
        "with mock.patch('orchestration.management.commands.runengine.run_forever'):\n"
        "    call_command('runengine')\n"
        "print(gc.get_freeze_count())\n"
    )
    assert frozen > 50_000


def test_the_web_application_runs_full_passes_between_responses():
    """Every 100th response is followed by one full pass; automatic ones are ten times rarer."""
    passes = number_printed_by(
        "import gc\n"
        "import config.wsgi\n"
        "from django.core.signals import request_finished\n"
        "assert gc.get_threshold()[2] == 100, gc.get_threshold()\n"
        "full = lambda: gc.get_stats()[2]['collections']\n"
        "before = full()\n"
        "for _ in range(99):\n"
        "    request_finished.send(sender=None)\n"
        "assert full() == before, 'a pass before the 100th response'\n"
        "request_finished.send(sender=None)\n"
        "print(full() - before)\n"
    )
    assert passes == 1

