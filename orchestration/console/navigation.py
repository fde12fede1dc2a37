"""The console's main navigation: one entry per area, and who sees it."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from orchestration.models import Scope


@dataclass(frozen=True)
class Area:
    """One navigation entry: its key (the ``active`` of a page), label and URL name.

    ``scope``, when set, is the role scope in the selected tenant the entry needs
    (the audit trail is for tenant admins only).
    """

    key: str
    label: str | Promise
    url_name: str
    scope: str = ""


AREAS: tuple[Area, ...] = (
    Area("dashboard", _("Dashboard"), "console:dashboard"),
    Area("templates", _("Templates"), "console:template-list"),
    Area("executions", _("Executions"), "console:execution-list"),
    Area("approvals", _("Approvals"), "console:approvals"),
    Area("orchtasks", _("OrchTasks"), "console:orchtasks"),
    Area("parameters", _("Parameters"), "console:parameters"),
    Area("vsphere", _("vSphere"), "console:vsphere"),
    Area("audit", _("Audit trail"), "console:audit", scope=Scope.MANAGE),
)
