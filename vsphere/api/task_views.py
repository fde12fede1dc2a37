"""The three vSphere task-list endpoints under ``/v1/vsphere/task/`` (the vSphere task API's wire format).

Authentication: session or DRF token (the native API's classes).
Every outcome, including a missing login, a bad parameter or an unexpected error, is
answered in the task-list API's envelope.
"""
from __future__ import annotations

import logging
import uuid

from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from orchestration import wire_parameters
from orchestration.availability import is_unavailable, retry_after_seconds, with_retry_after
from orchestration.errors import InvalidParameter, NotFound, ServiceError
from orchestration.models import Scope
from vsphere.models import EntityType, VCenter, VSphereTask
from vsphere.services import task_queries

from . import envelope

logger = logging.getLogger(__name__)


def task_item(task: VSphereTask, english: bool) -> dict:
    """One task in the task-list API's list shape."""
    return {
        "key": task.key,
        "task_reference": task.task_reference,
        "name": task.name_in(english),
        "entity": task.entity,
        "target": task.target,
        "status": task.status,
        "progress": task.progress,
        "detail": task.detail,
        "user": task.user,
        "create_time": task.create_time,
        "start_time": task.start_time,
        "finish_time": task.finish_time,
        "message": task.message,
        "task": task.task,
    }


class BadParameter(Exception):
    def __init__(self, code: envelope.Code, detail: str, detail_cn: str):
        super().__init__(detail)
        self.code, self.detail, self.detail_cn = code, detail, detail_cn


class TaskListView(APIView):
    """Base: parameter parsing, tenant scoping, envelope for every error."""

    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "head", "options"]
    schema = None  # documented by its own API document, not the native OpenAPI

    # -- parameters -----------------------------------------------------------------
    def vcenter(self) -> VCenter:
        uuid = self.request.query_params.get("vsphere_uuid", "").strip()
        if not uuid:
            raise BadParameter(envelope.MISSING_PARAMETER, "vsphere_uuid is required", "vsphere_uuid为必填参数")
        vcenter = VCenter.objects.for_user(self.request.user, Scope.VIEW).filter(vsphere_uuid=uuid).first()
        if vcenter is None:
            raise BadParameter(envelope.UNKNOWN_VCENTER, f"no vCenter {uuid!r} is available to you",
                               f"没有可用的vCenter {uuid!r}")
        return vcenter

    def paging(self) -> tuple[int, int]:
        """``page_num`` from 0; ``page_size`` up to 1000, where 0 (the documented default) means 50."""
        query = self.request.query_params
        return (wire_parameters.page_number(query.get("page_num"), "page_num", first=0),
                wire_parameters.integer(query.get("page_size"), "page_size", minimum=0,
                                        maximum=task_queries.MAX_PAGE_SIZE, default=0))

    def english(self) -> bool:
        """Names in English when asked (``lang=en`` or an English Accept-Language); Chinese otherwise, as documented."""
        lang = self.request.query_params.get("lang") or self.request.headers.get("Accept-Language", "")
        return lang.lower().startswith("en")

    def items(self, rows) -> list[dict]:
        english = self.english()
        return [task_item(row, english) for row in rows]

    # -- errors -----------------------------------------------------------------------
    def handle_exception(self, exc):
        if isinstance(exc, BadParameter):
            return envelope.failure(exc.code, exc.detail, exc.detail_cn)
        if isinstance(exc, NotFound):
            detail_cn = f"资源引用 {exc.identifier!r} 不在该vCenter的清单中"
            return envelope.failure(envelope.UNKNOWN_REFERENCE, exc.message, detail_cn)
        if isinstance(exc, InvalidParameter):
            return envelope.failure(envelope.INVALID_PARAMETER, exc.message, f"参数{exc.place}无效：{exc.message}")
        if isinstance(exc, ServiceError):
            return envelope.failure(envelope.INVALID_PARAMETER, exc.message, exc.message)
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            response = envelope.failure(envelope.NOT_AUTHENTICATED, str(exc.detail), "认证失败或未提供凭据")
            header = self.get_authenticate_header(self.request)
            if header:
                response["WWW-Authenticate"] = header
            return response
        if isinstance(exc, exceptions.PermissionDenied):
            return envelope.failure(envelope.FORBIDDEN, str(exc.detail), "没有权限")
        if isinstance(exc, exceptions.MethodNotAllowed):
            return envelope.failure(envelope.METHOD_NOT_ALLOWED)
        if isinstance(exc, exceptions.Throttled):
            return envelope.failure(envelope.THROTTLED, str(exc.detail), "请稍后重试")
        if is_unavailable(exc):
            logger.error("task list: service unavailable: %s", exc)
            return with_retry_after(envelope.failure(envelope.UNAVAILABLE), retry_after_seconds())
        request_id = str(uuid.uuid4())
        logger.error("task list failed (request %s)", request_id, exc_info=exc)
        response = envelope.failure(envelope.SERVER_ERROR, f"request {request_id}", f"请求 {request_id}")
        response["X-Request-Id"] = request_id
        return response


class RootRecentTaskList(TaskListView):
    """``GET /v1/vsphere/task/root_recent/list``: recent tasks of a vCenter (optionally one datacenter)."""

    def get(self, request):
        vcenter = self.vcenter()
        page_num, page_size = self.paging()
        datacenter = None
        if request.query_params.get("reference", "").strip():
            datacenter = task_queries.resolve_reference(vcenter, request.query_params["reference"],
                                                        allowed=(EntityType.DATACENTER,))
        queryset = task_queries.filter_name(task_queries.recent(vcenter, datacenter=datacenter),
                                            request.query_params.get("filter_name", ""))
        return envelope.success(self.items(task_queries.page(queryset, page_num, page_size).rows))


class RootTaskList(TaskListView):
    """``GET /v1/vsphere/task/root/list``: every synced task of a vCenter, paged."""

    def get(self, request):
        vcenter = self.vcenter()
        page_num, page_size = self.paging()
        queryset = task_queries.filter_name(VSphereTask.objects.filter(vcenter=vcenter),
                                            request.query_params.get("filter_name", ""))
        result = task_queries.page(queryset, page_num, page_size)
        return envelope.success({"total_count": result.total, "list": self.items(result.rows)})


class ResourceTaskList(TaskListView):
    """``GET /v1/vsphere/task/resource/list``: tasks of a host, datacenter, datastore or VM and what is under it."""

    def get(self, request):
        vcenter = self.vcenter()
        page_num, page_size = self.paging()
        reference = request.query_params.get("reference", "").strip()
        if not reference:
            raise BadParameter(envelope.MISSING_PARAMETER, "reference is required (e.g. VirtualMachine:vm-119)",
                               "reference为必填参数（例如 VirtualMachine:vm-119）")
        obj = task_queries.resolve_reference(vcenter, reference)
        queryset = task_queries.filter_name(task_queries.tasks_under(vcenter, obj),
                                            request.query_params.get("filter_name", ""))
        result = task_queries.page(queryset, page_num, page_size)
        return envelope.success({"total_count": result.total, "list": self.items(result.rows)})
