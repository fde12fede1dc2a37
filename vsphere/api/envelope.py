"""The task-list API's envelope : ``{scode, desc, message, message_cn, stack, data}``.

``scode`` 0 is success; errors carry a non-zero ``scode``, an English ``message`` and a
Chinese ``message_cn``, with a matching HTTP status.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework.response import Response


@dataclass(frozen=True)
class Code:
    scode: int
    http_status: int
    message: str
    message_cn: str


SUCCESS = Code(0, 200, "success", "成功")
NOT_AUTHENTICATED = Code(40100, 401, "authentication required: log in or send a token",
                         "需要认证：请登录或提供令牌")
FORBIDDEN = Code(40300, 403, "permission denied", "没有权限")
MISSING_PARAMETER = Code(40001, 400, "missing required parameter", "缺少必填参数")
INVALID_PARAMETER = Code(40002, 400, "invalid parameter", "参数无效")
UNKNOWN_VCENTER = Code(40401, 404, "unknown vCenter", "未知的vCenter")
UNKNOWN_REFERENCE = Code(40402, 404, "unknown reference", "未知的资源引用")
METHOD_NOT_ALLOWED = Code(40500, 405, "method not allowed: use GET", "不支持该请求方法：请使用GET")
THROTTLED = Code(42900, 429, "too many requests", "请求过于频繁")
SERVER_ERROR = Code(50000, 500, "internal error; it has been logged", "内部错误，已记录日志")
UNAVAILABLE = Code(50300, 503, "service temporarily unavailable; retry shortly", "服务暂时不可用，请稍后重试")


def success(data: Any) -> Response:
    return Response({"scode": 0, "desc": "", "message": SUCCESS.message, "message_cn": SUCCESS.message_cn,
                     "stack": None, "data": data})


def failure(code: Code, detail: str = "", detail_cn: str = "") -> Response:
    """An error envelope; ``detail`` (English) and ``detail_cn`` say precisely what was wrong."""
    message = f"{code.message}: {detail}" if detail else code.message
    message_cn = f"{code.message_cn}：{detail_cn or detail}" if (detail_cn or detail) else code.message_cn
    return Response({"scode": code.scode, "desc": detail, "message": message, "message_cn": message_cn,
                     "stack": None, "data": None}, status=code.http_status)
