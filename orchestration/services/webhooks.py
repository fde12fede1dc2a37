"""Calling web hooks (``ACS::Notify``, approval notices): bounded time, clear errors."""
from __future__ import annotations

import json
import time
from typing import Any

import requests

MAX_TIMEOUT = 300
MAX_BODY = 64 * 1024


class WebhookError(Exception):
    pass


def _timeout_and_retries(hook: dict[str, Any]) -> tuple[float, int]:
    return min(float(hook.get("Timeout", 10)), MAX_TIMEOUT), int(hook.get("Retries", 0))


def _backoff(attempt: int) -> float:
    return min(2**attempt, 5)


def longest_call_seconds(hook: dict[str, Any]) -> float:
    """How long :func:`send` may take at most: every attempt timing out, plus the pauses."""
    timeout, retries = _timeout_and_retries(hook)
    return timeout * (retries + 1) + sum(_backoff(a) for a in range(retries))


def send(hook: dict[str, Any]) -> dict[str, Any]:
    """Send once, retrying connection errors and 5xx answers up to ``Retries`` times."""
    uri = hook.get("URI", "")
    if not isinstance(uri, str) or not uri.startswith(("http://", "https://")):
        raise WebhookError(f"WebHook.URI must be an http(s) URL, got {uri!r}")
    method = hook.get("Method", "POST")
    timeout, retries = _timeout_and_retries(hook)
    content = hook.get("Content")
    headers = {str(k): str(v) for k, v in (hook.get("Headers") or {}).items()}
    body = content if isinstance(content, str) else json.dumps(content if content is not None else {})
    if not isinstance(content, str):
        headers.setdefault("Content-Type", "application/json")
    last_error = ""
    for attempt in range(retries + 1):
        try:
            response = requests.request(method, uri, data=body.encode(), headers=headers, timeout=timeout)
        except requests.RequestException as exc:
            last_error = f"{type(exc).__name__}: {exc}"
        else:
            if response.status_code < 500:
                if response.status_code >= 400:
                    raise WebhookError(f"web hook answered {response.status_code}: {response.text[:200]}")
                return {"StatusCode": response.status_code, "Body": response.text[:MAX_BODY]}
            last_error = f"web hook answered {response.status_code}"
        if attempt < retries:
            time.sleep(_backoff(attempt))
    raise WebhookError(f"web hook {uri} failed after {retries + 1} attempt(s): {last_error}")


def send_later(hook: dict[str, Any], content: dict[str, Any]) -> None:
    """Send from a worker once the current transaction commits (fire and forget)."""
    from django.db import transaction

    def queue() -> None:
        from django_q.tasks import async_task

        async_task("orchestration.services.webhooks.send_quietly", {**hook, "Content": content})

    transaction.on_commit(queue)


def send_quietly(hook: dict[str, Any]) -> None:
    try:
        send(hook)
    except WebhookError:
        import logging

        logging.getLogger(__name__).warning("notification web hook failed", exc_info=True)
