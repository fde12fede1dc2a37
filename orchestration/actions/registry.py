"""The one registry of built-in actions, keyed by ``OOSActionName``.

A plain dict filled at import time by ``@register`` on each action class; the package
``__init__`` imports every catalog module so ``get_action`` always sees the full set.
"""

from __future__ import annotations

from .base import ACTION_TYPES, RISK_LEVELS, Action

_REGISTRY: dict[str, type[Action]] = {}
# (service in lower case, API) of the read operations ACS::ExecuteAPI/WaitFor/CheckFor can call;
# the callables live with their apps (``orchestration.actions.api_calls``), the names here, so
# the template language can tell a call that cannot run here without importing Django.
_READ_OPERATIONS: dict[tuple[str, str], str] = {}


def register(cls: type[Action]) -> type[Action]:
    """Class decorator adding ``cls`` to the catalog; refuses duplicates and bad metadata."""
    if not cls.name:
        raise ValueError(f"{cls.__qualname__} has no name")
    if cls.type not in ACTION_TYPES:
        raise ValueError(f"{cls.name}: type {cls.type!r} not in {ACTION_TYPES}")
    if cls.risk not in RISK_LEVELS:
        raise ValueError(f"{cls.name}: risk {cls.risk!r} not in {RISK_LEVELS}")
    existing = _REGISTRY.get(cls.name)
    if existing is not None and existing is not cls:
        raise ValueError(f"action {cls.name} registered twice")
    _REGISTRY[cls.name] = cls
    return cls


def get_action(name: str) -> type[Action] | None:
    """The action class for ``name`` (exact match), or None if not in the catalog."""
    if not isinstance(name, str):
        return None
    return _REGISTRY.get(name)


def all_actions() -> list[type[Action]]:
    """Every registered action, sorted by name (a stable order for ListActions paging)."""
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def register_read_operation(service: str, api: str) -> None:
    """Record that ``service:api`` is a read operation this service can call."""
    _READ_OPERATIONS[(service.lower(), api)] = service


def read_operation_services() -> dict[str, str]:
    """Known services, lower case to their spelling (``{"oos": "OOS", "vsphere": "VSphere"}``)."""
    return {key: spelled for (key, _), spelled in sorted(_READ_OPERATIONS.items())}


def read_operation_names() -> list[str]:
    """Every callable read operation as ``Service:API``, sorted."""
    return [f"{spelled}:{api}" for (_, api), spelled in sorted(_READ_OPERATIONS.items())]


def is_read_operation(service: str, api: str) -> bool:
    return (service.lower(), api) in _READ_OPERATIONS
