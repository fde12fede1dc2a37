"""Which executions a console page may show: the selected tenant's, through the one scoping mechanism.

Every execution page (detail, logs, downloads, bulk actions) picks its rows here, so a
row of another tenant is a 404 on all of them alike.
"""
from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from orchestration.console import selection
from orchestration.errors import NotFound
from orchestration.models import Execution, Scope


def scoped_executions(request: HttpRequest, scope: str = Scope.VIEW) -> QuerySet[Execution]:
    return selection.scoped(request, Execution, selection.current(request).tenant, scope)


def find_execution(request: HttpRequest, execution_id: str) -> Execution:
    found = scoped_executions(request).filter(pk=execution_id).select_related("template", "parent").first()
    if found is None:
        raise NotFound("Execution", execution_id)
    return found
