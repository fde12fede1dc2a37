"""Template workflows: create, update (new version), delete, versions and diffs.

Every face (native API, Alibaba OOS, Baidu OOS, console, admin) goes through these
functions, so naming rules, content validation and the version limit hold everywhere.
"""
from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from orchestration.authorization import actor_name, is_system, require
from orchestration.errors import Conflict, Forbidden, InvalidParameter, LimitExceeded, NotFound
from orchestration.models import Scope, Tenant
from orchestration.services import tags as tag_service
from templates_app.language.loading import load_content
from templates_app.language.model import ParsedTemplate
from templates_app.language.problems import TemplateInvalid
from templates_app.language.validation import validate
from templates_app.models import ShareType, Template, TemplateVersion
from templates_app.models.templates import MAX_VERSIONS

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
RESERVED_PREFIXES = ("ACS", "ALIYUN", "ALIBABA", "ALICLOUD")
TAG_RESOURCE = "template"


def check_name(name: Any, *, builtin: bool = False) -> str:
    """A valid template name; names with a reserved prefix belong to built-in templates only."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise InvalidParameter(
            "TemplateName", "use 1–200 letters, digits, '-' or '_'", code="InvalidParameter.TemplateName"
        )
    if not builtin and name.upper().startswith(RESERVED_PREFIXES):
        raise InvalidParameter(
            "TemplateName",
            f"names starting with {', '.join(RESERVED_PREFIXES)} are reserved for built-in templates",
            code="InvalidParameter.TemplateName.Reserved",
        )
    return name


def content_hash(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def description_of(data: Mapping[str, Any]) -> str:
    """The content's Description as text (OOS allows a per-language mapping)."""
    description = data.get("Description", "")
    if isinstance(description, Mapping):
        return json.dumps(description, ensure_ascii=False)
    return "" if description is None else str(description)


def checked_content(content: Any) -> tuple[str, str, ParsedTemplate]:
    """``(text, format, parsed)`` for valid content; otherwise every problem, with its place."""
    if isinstance(content, Mapping):
        content = json.dumps(content, ensure_ascii=False, indent=2)
    if not isinstance(content, str) or not content.strip():
        raise InvalidParameter("Content", "the template content is required", code="MissingParameter.Content")
    try:
        loaded = load_content(content)
    except TemplateInvalid as exc:
        raise InvalidParameter(
            "Content", str(exc), code="InvalidTemplate", detail=[str(p) for p in exc.problems]
        ) from exc
    result = validate(loaded.data)
    if result.problems:
        problems = [str(p) for p in result.problems]
        raise InvalidParameter("Content", "; ".join(problems), code="InvalidTemplate", detail=problems)
    return content, loaded.format, result.parsed


def require_write(actor, tenant: Tenant | int | None, what: str) -> None:
    """Writing a tenant's templates needs RUN there (operators write runbooks); public
    templates (no tenant) are written only by the system's built-in loader."""
    if tenant is None:
        if not is_system(actor):
            raise Forbidden("public templates are changed only by the built-in loader", code="Forbidden")
        return
    require(actor, tenant, Scope.RUN, what)


@transaction.atomic
def create_template(
    *,
    tenant: Tenant | None,
    actor,
    name: str,
    content: Any,
    tags: Mapping[str, str] | None = None,
    version_description: str = "",
    builtin: bool = False,
) -> Template:
    require_write(actor, tenant, "creating templates")
    created_by = actor_name(actor)
    check_name(name, builtin=builtin)
    tags = tag_service.check_tags(tags)
    text, fmt, _ = checked_content(content)
    data = load_content(text).data
    if Template.objects.filter(name=name, tenant=tenant).exists():  # tenant=None matches public ones
        raise Conflict(f"a template named {name!r} already exists", code="EntityAlreadyExists.Template")
    template = Template(
        tenant=tenant,
        name=name,
        content=text,
        format=fmt,
        hash=content_hash(text),
        description=description_of(data),
        share_type=ShareType.PUBLIC if builtin else ShareType.PRIVATE,
        created_by=created_by,
        updated_by=created_by,
    )
    try:
        with transaction.atomic():
            template.save(force_insert=True)
    except IntegrityError as exc:
        raise Conflict(f"a template named {name!r} already exists", code="EntityAlreadyExists.Template") from exc
    _add_version(template, text, fmt, created_by, version_description)
    if tags and tenant is not None:
        tag_service.set_tags(tenant, TAG_RESOURCE, template.pk, tags)
    return template


def _add_version(template: Template, text: str, fmt: str, created_by: str, version_description: str) -> None:
    TemplateVersion.objects.create(
        template=template,
        number=template.version,
        content=text,
        format=fmt,
        hash=content_hash(text),
        description=template.description,
        version_description=version_description,
        created_by=created_by,
    )


@transaction.atomic
def update_template(
    template: Template,
    *,
    actor,
    content: Any = None,
    tags: Mapping[str, str] | None = None,
    version_description: str = "",
    builtin: bool = False,
) -> Template:
    """Store a new version when the content changes (v1 … v200); tags, when given, replace the old ones."""
    refuse_public(template, builtin)
    require_write(actor, template.tenant_id, "changing templates")
    updated_by = actor_name(actor)
    template = Template.objects.select_for_update().get(pk=template.pk)
    if content is not None:
        text, fmt, _ = checked_content(content)
        if content_hash(text) != template.hash:
            if template.version >= MAX_VERSIONS:
                raise LimitExceeded(
                    f"template {template.name} already has {MAX_VERSIONS} versions; delete it or create a new one",
                    code="QuotaExceed.TemplateVersion",
                )
            template.version += 1
            template.content, template.format, template.hash = text, fmt, content_hash(text)
            template.description = description_of(load_content(text).data)
            template.updated_by = updated_by
            template.save()
            _add_version(template, text, fmt, updated_by, version_description)
    if tags is not None and template.tenant_id is not None:
        tag_service.replace_tags(template.tenant, TAG_RESOURCE, template.pk, tags)
    return template


def refuse_public(template: Template, builtin: bool = False) -> None:
    """Public templates are read and run by every tenant, and changed only by the built-in loader."""
    if template.is_public and not builtin:
        raise Forbidden(f"{template.name} is a public template: it can be run but not changed", code="Forbidden")


def delete_template(template: Template, *, actor) -> None:
    refuse_public(template)
    require_write(actor, template.tenant_id, "deleting templates")
    tag_service.remove_tags(TAG_RESOURCE, [template.pk])
    template.delete()


def get_version(template: Template, version: str | None = None) -> TemplateVersion:
    """A version by name (``v3``) or the newest one."""
    if version in (None, ""):
        found = template.versions.order_by("-number").first()  # the stored newest, even if `template` is stale
    else:
        match = re.fullmatch(r"v(\d{1,3})", str(version))
        if not match:
            raise InvalidParameter("TemplateVersion", f"{version!r} is not a version name such as v1")
        found = template.versions.filter(number=int(match.group(1))).first()
    if found is None:
        raise NotFound("TemplateVersion", f"{template.name}:{version}")
    return found


def diff_versions(template: Template, old: str, new: str) -> str:
    """A unified diff between two versions' contents."""
    a, b = get_version(template, old), get_version(template, new)
    lines = difflib.unified_diff(
        a.content.splitlines(keepends=True),
        b.content.splitlines(keepends=True),
        fromfile=f"{template.name}@{a.name}",
        tofile=f"{template.name}@{b.name}",
    )
    return "".join(lines)


def find_template(user, name_or_id: str, *, tenant: Tenant | None = None, scope: str = Scope.VIEW) -> Template:
    """A template the user may reach, by id (``t-…``) or by name (own tenant first, then public)."""
    visible = Template.objects.for_user(user, scope)
    if tenant is not None:
        visible = visible.filter(Q(tenant=tenant) | Q(share_type=ShareType.PUBLIC))
    found = visible.filter(pk=name_or_id).first() or (
        visible.filter(name=name_or_id).order_by(F("tenant").asc(nulls_last=True)).first()
    )
    if found is None:
        raise NotFound("Template", name_or_id)
    return found


def count_execution(template: Template) -> None:
    """Bump the counters ListTemplates sorts by, without a read-modify-write race."""
    Template.objects.filter(pk=template.pk).update(
        total_execution_count=F("total_execution_count") + 1, popularity=F("popularity") + 1
    )
