"""Objects in the wire shapes of Baidu OOS (seed 002): templates and operators."""
from __future__ import annotations

from typing import Any

from orchestration.faces.dates import epoch_ms
from templates_app.language.baidu import to_baidu
from templates_app.language.loading import load_content
from templates_app.models import Template


def baidu_template(template: Template) -> dict[str, Any]:
    """A stored template as Baidu's ``Template`` (operators converted back with ``to_baidu``)."""
    body = to_baidu(load_content(template.content).data)
    body.update({
        "id": template.pk,
        "name": template.name,
        "description": template.description,
        "type": "GLOBAL" if template.is_public else "INDIVIDUAL",
        "version": template.version_name,
        "createdTimestamp": epoch_ms(template.created_at),
        "updatedTimestamp": epoch_ms(template.updated_at),
    })
    body.setdefault("linear", True)
    body.setdefault("links", [])
    body.setdefault("tags", [])
    body.setdefault("properties", [])
    return body


def operator(cls) -> dict[str, Any]:
    """A catalog action as a Baidu operator description."""
    described = cls.describe()
    return {
        "name": cls.name,
        "operator": cls.name,
        "description": cls.description,
        "type": cls.type,
        "risk": cls.risk,
        "properties": described["Properties"],
    }
