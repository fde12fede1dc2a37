"""Objects in the wire shapes of Alibaba OOS 2019-06-01 (seed 004)."""
from __future__ import annotations

from typing import Any

from orchestration.faces.dates import iso_z as iso
from templates_app.models import Template, TemplateVersion


def template_meta(
    template: Template,
    tags: dict[str, str],
    version: TemplateVersion | None = None,
    *,
    listed: bool = False,
) -> dict[str, Any]:
    """``Template`` as CreateTemplate/GetTemplate answer it; ``listed`` adds ListTemplates' counters."""
    meta: dict[str, Any] = {
        "TemplateId": template.pk,
        "TemplateName": template.name,
        "TemplateVersion": version.name if version else template.version_name,
        "TemplateFormat": version.format if version else template.format,
        "TemplateType": template.template_type,
        "Description": version.description if version else template.description,
        "Hash": version.hash if version else template.hash,
        "ShareType": template.share_type,
        "HasTrigger": template.has_trigger,
        "Category": template.category,
        "CreatedBy": template.created_by,
        "CreatedDate": iso(template.created_at),
        "UpdatedBy": template.updated_by,
        "UpdatedDate": iso(template.updated_at),
        "Tags": tags,
    }
    if listed:
        meta["Popularity"] = template.popularity if template.is_public else -1
        meta["TotalExecutionCount"] = -1 if template.is_public else template.total_execution_count
    return meta
