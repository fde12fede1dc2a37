"""Body parsers of the native API: DRF's, bounded by :mod:`orchestration.request_limits`.

DRF reads the body stream itself, past Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` check,
and its JSON parser recurses; these read at most the size limit (413 beyond it) and
measure JSON nesting before parsing (400 beyond ``MAX_JSON_DEPTH``).
"""
from __future__ import annotations

from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json as drf_json

from orchestration import request_limits


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = request_limits.read_stream(stream)
        try:
            return request_limits.loads(data, parse_constant=drf_json.strict_constant if self.strict else None)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        return QueryDict(request_limits.read_stream(stream), encoding=encoding)
