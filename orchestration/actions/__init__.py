"""The action catalog: built-in actions a template task may use (``ListActions``).

Importing this package loads only the Django-free description side (the base class and
the registry), so the template language can validate against it without importing the
engine. Each app registers its actions from its ``AppConfig.ready()``: the control and
API actions from ``orchestration``, the VM actions from ``vsphere``.
"""

from .base import ACTION_TYPES, RISK_LEVELS, Action
from .registry import all_actions, get_action, register

__all__ = ["ACTION_TYPES", "RISK_LEVELS", "Action", "all_actions", "get_action", "register"]
