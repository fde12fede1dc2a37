"""Localized task names from the vCenter's own ``TaskManager.description.methodInfo``.

The labels depend on the session locale (``SessionManager.SetLocale``), so they are read
once in ``zh_CN`` and once in ``en`` per worker process and vCenter and cached; the
session is left in English so fault messages stay English. A server without SetLocale
(the simulator) or without a Chinese label gives the English label for both.
"""
from __future__ import annotations

import logging
import threading

from pyVmomi import vim, vmodl

from . import connection

logger = logging.getLogger(__name__)

Labels = dict[str, tuple[str, str]]  # descriptionId -> (chinese, english)

_cache: dict[tuple[int, str], Labels] = {}
_lock = threading.Lock()


def _read(si: vim.ServiceInstance) -> dict[str, str]:
    return {info.key: info.label for info in connection.content(si).taskManager.description.methodInfo or []}


def _set_locale(si: vim.ServiceInstance, locale: str) -> bool:
    try:
        connection.content(si).sessionManager.SetLocale(locale)
        return True
    except (vmodl.fault.MethodNotFound, vmodl.fault.NotSupported, vmodl.fault.NotImplemented,
            vmodl.fault.InvalidArgument, vim.fault.InvalidLocale):
        return False


def read_labels(si: vim.ServiceInstance) -> Labels:
    chinese: dict[str, str] = {}
    if _set_locale(si, "zh_CN"):
        chinese = _read(si)
        _set_locale(si, "en")
    english = _read(si)
    return {key: (chinese.get(key) or label, label) for key, label in english.items()}


def labels_for(vcenter_pk: int, cache_key: str, si: vim.ServiceInstance) -> Labels:
    """Cached labels of one vCenter (re-read when its connection settings change)."""
    key = (vcenter_pk, cache_key)
    with _lock:
        labels = _cache.get(key)
    if labels is None:
        labels = read_labels(si)
        with _lock:
            _cache[key] = labels
    return labels


def task_names(labels: Labels, description_id: str, method_name: str) -> tuple[str, str]:
    """(chinese, english) names of a task; unknown ids fall back to the method or id itself."""
    found = labels.get(description_id)
    if found:
        return found
    fallback = method_name or description_id
    return fallback, fallback


def clear_cache() -> None:
    with _lock:
        _cache.clear()
