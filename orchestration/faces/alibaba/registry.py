"""The Alibaba OOS actions this face answers, by ``Action`` name.

A handler takes the request's :class:`Call` and returns the answer's fields (without
``RequestId``, which the view adds); it raises service errors or
:class:`~orchestration.faces.alibaba.errors.AlibabaError` for bad input.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orchestration.faces.credentials import Caller

from .params import RpcParams


@dataclass(frozen=True)
class Call:
    caller: Caller
    params: RpcParams
    request_id: str


Handler = Callable[[Call], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}


def action(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if name in _HANDLERS:
            raise ValueError(f"Alibaba action {name} registered twice")
        _HANDLERS[name] = handler
        return handler

    return register


def handler_for(name: str) -> Handler | None:
    return _HANDLERS.get(name)


def action_names() -> list[str]:
    return sorted(_HANDLERS)
