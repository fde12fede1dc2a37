"""Answers in JSON (the default) or, with ``Format=XML``, in Alibaba's XML shape.

XML follows Alibaba's conventions: the root is ``<{Action}Response>`` (``<Error>`` for
errors); a list repeats its parent element once per item (``<Templates>…</Templates>
<Templates>…</Templates>``); objects nest as elements named by their keys.
"""
from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

XML_CONTENT_TYPE = "text/xml;charset=utf-8"
JSON_CONTENT_TYPE = "application/json;charset=utf-8"
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def wants_xml(fmt: str | None) -> bool:
    return (fmt or "").upper() == "XML"


def render(body: dict[str, Any], *, root: str, xml: bool, status: int = 200) -> HttpResponse:
    if xml:
        element = ET.Element(root)
        _fill(element, body)
        text = ET.tostring(element, encoding="unicode")
        return HttpResponse('<?xml version="1.0" encoding="UTF-8"?>' + text, status=status,
                            content_type=XML_CONTENT_TYPE)
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=JSON_CONTENT_TYPE)


def _child(parent: ET.Element, name: str) -> ET.Element:
    if _XML_NAME.match(name) and not name.lower().startswith("xml"):
        return ET.SubElement(parent, name)
    element = ET.SubElement(parent, "Item")
    element.set("Key", name)
    return element


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            key = str(key)
            if isinstance(item, list):
                for entry in item:
                    _fill(_child(element, key), entry)
            else:
                _fill(_child(element, key), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is None:
        element.text = ""
    elif isinstance(value, list):  # a list directly inside a list
        for entry in value:
            _fill(_child(element, "Item"), entry)
    else:
        element.text = str(value)
