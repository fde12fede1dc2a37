"""Which console areas have a backend yet.

The console is written alongside the engine, OrchTasks and vSphere work; an area whose
service module is not there yet shows a "not available yet" page instead of a fake one.
The check is by module presence, so an area lights up as soon as its backend lands.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from orchestration.models import Scope


@dataclass(frozen=True)
class Area:
    """One navigation entry: its URL name, label, the module its backend lives in, and who sees it.

    ``scope``, when set, is the role scope in the selected tenant the entry needs
    (the audit trail is for tenant admins only).
    """

    key: str
    label: str | Promise
    url_name: str
    backend: str = ""
    scope: str = ""


AREAS: tuple[Area, ...] = (
    Area("dashboard", _("Dashboard"), "console:dashboard"),
    Area("templates", _("Templates"), "console:template-list"),
    Area("executions", _("Executions"), "console:execution-list", "orchestration.services.executions"),
    Area("approvals", _("Approvals"), "console:approvals", "orchestration.services.executions"),
    Area("orchtasks", _("OrchTasks"), "console:orchtasks", "orchestration.console.views.orchtasks"),
    Area("vsphere", _("vSphere"), "console:vsphere", "vsphere.services.sync"),
    Area("audit", _("Audit trail"), "console:audit", scope=Scope.MANAGE),
)


@cache
def _module_exists(name: str) -> bool:
    try:
        return find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def available(key: str) -> bool:
    area = next(a for a in AREAS if a.key == key)
    return not area.backend or _module_exists(area.backend)


def area(key: str) -> Area:
    return next(a for a in AREAS if a.key == key)
