"""How much of Alibaba's public OOS template corpus the validator accepts.

    .venv/bin/python bench/oos_corpus.py PATH [--format yaml|json|all] [--show REASON]

PATH is a checkout or extract of github.com/aliyun/oos-templates, or its git directory
(read with ``git ls-tree``/``git show``, no work tree needed). Every template is run
through ``templates_app.language.validation.validate`` and sorted into:

- **valid**: no problem;
- **cloud**: every problem is an action or function of an Alibaba cloud product
  (``ACS::ECS::RunCommand``, ``ACS::ROS::CreateStack`` …), which a vSphere product
  cannot have — the language itself is understood;
- **language**: at least one other problem; these are counted by reason.

The corpus is read, never copied: nothing of it is written anywhere.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from templates_app.language.cloud import CLOUD_MARK  # noqa: E402

SUFFIXES = {"yaml": (".yml", ".yaml"), "json": (".json",)}


def setup_django() -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def _wanted(name: str, fmt: str) -> bool:
    suffixes = SUFFIXES["yaml"] + SUFFIXES["json"] if fmt == "all" else SUFFIXES[fmt]
    return name.lower().endswith(suffixes)


def iter_templates(path: Path, fmt: str) -> Iterator[tuple[str, str]]:
    """``(name, text)`` for every template under ``path`` (a directory or a git dir)."""
    if (path / "HEAD").is_file() and (path / "objects").is_dir():
        git = ["git", f"--git-dir={path}"]
        names = subprocess.run([*git, "ls-tree", "-r", "--name-only", "HEAD"], check=True,
                               capture_output=True, text=True).stdout.splitlines()
        for name in sorted(n for n in names if _wanted(n, fmt)):
            blob = subprocess.run([*git, "show", f"HEAD:{name}"], check=True, capture_output=True).stdout
            yield name, blob.decode("utf-8", errors="replace")
        return
    for file in sorted(path.rglob("*")):
        if file.is_file() and _wanted(file.name, fmt) and ".git" not in file.parts:
            yield str(file.relative_to(path)), file.read_text(encoding="utf-8", errors="replace")


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_INDEX = re.compile(r"\[\d+\]")


def reason(message: str) -> str:
    """A problem message with its names and numbers blanked, so equal reasons count together."""
    if message.startswith(("unknown action", "unknown function")):
        return message  # the name is the reason
    text = _QUOTED.sub("'…'", message)
    text = re.sub(r"\d+", "N", text)
    return text[:140]


def classify(text: str) -> tuple[str, list[str]]:
    """``(valid|cloud|language, language reasons)`` for one template's text."""
    from templates_app.language.validation import validate

    result = validate(text)
    if result.ok:
        return "valid", []
    language = [reason(p.message) for p in result.problems if CLOUD_MARK not in p.message]
    return ("language" if language else "cloud"), language


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path)
    parser.add_argument("--format", choices=("yaml", "json", "all"), default="yaml")
    parser.add_argument("--show", help="list the templates failing with a reason containing this text")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    setup_django()
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    templates_per_reason: Counter[str] = Counter()
    for name, text in iter_templates(args.path, args.format):
        verdict, why = classify(text)
        counts[verdict] += 1
        reasons.update(why)
        templates_per_reason.update(set(why))
        if args.show and any(args.show in r for r in why):
            print(f"  {name}: {[r for r in why if args.show in r]}")
    total = sum(counts.values()) or 1
    for verdict in ("valid", "cloud", "language"):
        print(f"{verdict:9} {counts[verdict]:5}  {100 * counts[verdict] / total:5.1f}%")
    ok = counts["valid"] + counts["cloud"]
    print(f"language-compatible (valid + cloud only): {ok}/{total} = {100 * ok / total:.1f}%")
    print(f"\nlanguage reasons (problems / templates), top {args.top}:")
    for text, n in reasons.most_common(args.top):
        print(f"{n:6} {templates_per_reason[text]:5}  {text}")


if __name__ == "__main__":
    main()
