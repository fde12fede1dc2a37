"""Objects in the wire shapes of Baidu OOS : templates and operators (executions: ``execution_shapes``)."""
from __future__ import annotations

from typing import Any

from orchestration.faces.dates import epoch_ms
from templates_app.language.baidu import to_baidu
from templates_app.language.loading import load_content
from templates_app.models import Template


def baidu_content(content: str) -> dict[str, Any]:
    """Template content (any format) as Baidu's template body: operators, links, linear, tags, properties."""
    body = to_baidu(load_content(content).data)
    body.setdefault("linear", True)
    body.setdefault("links", [])
    body.setdefault("tags", [])
    body.setdefault("properties", [])
    return body


def baidu_template(template: Template) -> dict[str, Any]:
    """A stored template as Baidu's ``Template`` (operators converted back with ``to_baidu``)."""
    body = baidu_content(template.content)
    body.update({
        "id": template.pk,
        "name": template.name,
        "description": template.description,
        "type": "GLOBAL" if template.is_public else "INDIVIDUAL",
        "version": template.version_name,
        "createdTimestamp": epoch_ms(template.created_at),
        "updatedTimestamp": epoch_ms(template.updated_at),
    })
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
