"""Built-in public templates, shipped as files in ``templates_app/builtin/``.

Loaded after every ``migrate`` (and by ``manage.py loadbuiltintemplates``): a new
file becomes a public template, a changed file a new version, an unchanged one
nothing. Nested built-ins are loaded first so ``ACS::Template`` references resolve.
"""
from __future__ import annotations

from pathlib import Path

from orchestration.authorization import SYSTEM
from templates_app.models import Template
from templates_app.services.templates import content_hash, create_template, update_template

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "builtin"


def builtin_files() -> list[Path]:
    return sorted(BUILTIN_DIR.glob("*.y*ml")) + sorted(BUILTIN_DIR.glob("*.json"))


def sync_builtin_templates() -> dict[str, str]:
    """Create or update every built-in; returns ``{name: "created"|"updated"|"unchanged"}``."""
    outcome = {}
    for path in builtin_files():
        name, text = path.stem, path.read_text(encoding="utf-8")
        existing = Template.objects.filter(name=name, tenant__isnull=True).first()
        if existing is None:
            create_template(tenant=None, actor=SYSTEM, name=name, content=text, builtin=True)
            outcome[name] = "created"
        elif existing.hash != content_hash(text):
            update_template(
                existing, actor=SYSTEM, content=text, version_description="built-in update", builtin=True
            )
            outcome[name] = "updated"
        else:
            outcome[name] = "unchanged"
    return outcome
