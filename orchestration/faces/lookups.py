"""Objects a signed caller may reach, looked up the same way by every face."""
from __future__ import annotations

from orchestration.errors import NotFound
from orchestration.faces.credentials import Caller
from orchestration.models import Execution, Project, Scope


def find_execution(caller: Caller, execution_id: str, scope: str = Scope.VIEW) -> Execution:
    """The execution ``execution_id`` of the caller's tenant; another tenant's is as good as missing."""
    found = Execution.objects.for_user(caller.user, scope).filter(pk=execution_id, tenant=caller.tenant).first()
    if found is None:
        raise NotFound("Execution", execution_id)
    return found


def find_project(caller: Caller, project_id: str) -> Project:
    """The project ``project_id`` of the caller's tenant; one the caller cannot see is as good as missing."""
    found = Project.objects.for_user(caller.user, Scope.VIEW).filter(pk=project_id, tenant=caller.tenant).first()
    if found is None:
        raise NotFound("Project", project_id)
    return found
