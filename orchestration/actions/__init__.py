"""The action catalog: built-in actions a template task may use (``ListActions``).

Import ``get_action``/``all_actions``/``register`` from here; importing the package
registers every built-in action (control, vSphere, Baidu compatibility).
"""

from . import baidu, control, vsphere  # noqa: F401  (imported to register actions)
from .base import ACTION_TYPES, RISK_LEVELS, Action
from .registry import all_actions, get_action, register

__all__ = ["ACTION_TYPES", "RISK_LEVELS", "Action", "all_actions", "get_action", "register"]
