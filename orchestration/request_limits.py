"""What a request may carry: a body of at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes and JSON
nested at most ``MAX_JSON_DEPTH`` levels.

Every face and the native API read bodies and JSON through this module, so a hostile
request gets the same limits everywhere and each face only chooses its error envelope:

* an oversized body raises :class:`BodyTooLarge` (a :class:`ServiceError`, HTTP 413)
  instead of Django's ``RequestDataTooBig`` escaping a view as a 500;
* JSON is measured by a flat scan *before* :mod:`json` parses it, because the parser
  itself (and later ``deepcopy``, validators, renderers) recurse and fail with
  ``RecursionError`` on input nested a few thousand levels. Too deep input raises
  :class:`JsonTooDeep`, a ``json.JSONDecodeError``, so every caller that already
  answers "not valid JSON" answers it with the face's own 400.
"""
from __future__ import annotations

import json
import re
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, QueryDict

from orchestration.errors import InvalidParameter, ServiceError

DEFAULT_MAX_JSON_DEPTH = 64

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class BodyTooLarge(ServiceError):
    """The request body is over the size limit; faces answer 413 or their cloud's "too large" code."""

    kind = "too_large"
    http_status = 413

    def __init__(self, limit: int | None):
        super().__init__(f"The request body is larger than the limit of {limit} bytes.",
                         code="RequestEntityTooLarge")
        self.limit = limit


class JsonTooDeep(json.JSONDecodeError):
    """JSON nested deeper than :func:`max_json_depth`, refused before anything recursive reads it."""


def max_body_bytes() -> int | None:
    """Django's own request-body limit (``None`` disables it)."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def max_json_depth() -> int:
    """How many levels of arrays and objects a JSON document may nest (``MAX_JSON_DEPTH``)."""
    return int(getattr(settings, "MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH))


def read_body(request: HttpRequest) -> bytes:
    """``request.body``, with Django's lazy ``RequestDataTooBig`` turned into :class:`BodyTooLarge`."""
    try:
        return request.body
    except RequestDataTooBig:
        raise BodyTooLarge(max_body_bytes()) from None


def read_form(request: HttpRequest) -> QueryDict:
    """``request.POST``, with an oversized body or too many fields as service errors, not 500s."""
    try:
        return request.POST
    except RequestDataTooBig:
        raise BodyTooLarge(max_body_bytes()) from None
    except TooManyFieldsSent:
        raise InvalidParameter(
            "body", f"more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} form fields") from None


def read_stream(stream: IO[bytes] | None) -> bytes:
    """Read a body stream (as DRF's parsers get it), refusing more than :func:`max_body_bytes`."""
    if stream is None:
        return b""
    limit = max_body_bytes()
    data = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise BodyTooLarge(limit)
    return data


def check_depth(text: str) -> None:
    """Raise :class:`JsonTooDeep` at the first bracket past the depth limit; no recursion, one pass.

    Strings are blanked first (keeping offsets) so brackets inside them do not count.
    """
    limit = max_json_depth()
    blanked = _STRING.sub(lambda m: " " * len(m.group()), text)
    depth = 0
    for match in _BRACKET.finditer(blanked):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                raise JsonTooDeep(f"nested deeper than the limit of {limit} levels", text, match.start())
        else:
            depth -= 1


def loads(data: str | bytes | bytearray, **options: Any) -> Any:
    """``json.loads`` for untrusted input: depth checked first; errors are ``ValueError`` as usual."""
    text = data.decode(json.detect_encoding(data), "surrogatepass") if isinstance(data, bytes | bytearray) else data
    check_depth(text)
    return json.loads(text, **options)
