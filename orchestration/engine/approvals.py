"""What one approval covers: a person who approves an ``ACS::Approve`` step approves the
high-risk steps it leads to, so the engine does not ask them a second time (SafetyCheck
``ConfirmEveryHighRiskAction``) for the same decision with no more information.

Covered are the high-risk tasks reachable from the approval step along success routes
(the next task, ``OnSuccess``, DAG ``Next`` links, ``ACS::Choice`` branches) without
passing another ``ACS::Approve`` — that one is a decision of its own. The approvals inbox
shows these same steps, rendered, so the approver sees what they approve.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from templates_app.language import expressions, selectors
from templates_app.language.model import END, NEXT, ParsedTemplate, TaskSpec

APPROVE_ACTION = "ACS::Approve"


def success_targets(parsed: ParsedTemplate, task: TaskSpec) -> list[str]:
    """Where the engine may go after ``task`` succeeds."""
    if task.next:
        return list(task.next)
    if task.action == "ACS::Choice":
        choices = [c.get("NextTask") for c in task.properties.get("Choices") or [] if isinstance(c, dict)]
        return [name for name in [*choices, task.properties.get("DefaultTask")] if isinstance(name, str)]
    target = task.on_success if isinstance(task.on_success, str) else NEXT
    if target == NEXT:
        names = [t.name for t in parsed.tasks]
        index = names.index(task.name) + 1
        return [names[index]] if index < len(names) and not parsed.is_dag else []
    return [] if target == END else [target]


def chosen_branch(task: TaskSpec, render: Callable[[Any], Any]) -> str | None:
    """The branch an ``ACS::Choice`` takes, when its conditions can be decided now (they
    name only parameters and finished tasks' outputs); None when they cannot."""
    if task.action != "ACS::Choice":
        return None
    try:
        properties = render(task.properties)
        for choice in properties.get("Choices") or []:
            if expressions.truthy(choice.get("When")):
                return choice.get("NextTask")
        return properties.get("DefaultTask")
    except (expressions.ExpressionError, selectors.SelectorError, LookupError, ValueError, TypeError,
            AttributeError):
        return None


def covered_steps(parsed: ParsedTemplate, approval: str, is_high_risk: Callable[[TaskSpec], bool],
                  render: Callable[[Any], Any] | None = None) -> list[TaskSpec]:
    """The high-risk tasks an approval of task ``approval`` decides, in template order.

    With ``render`` (the execution's renderer), a choice that can be decided now follows
    only its branch, so the approver is not shown steps that will not run."""
    tasks = {t.name: t for t in parsed.tasks}
    seen: set[str] = set()
    todo = success_targets(parsed, tasks[approval]) if approval in tasks else []
    while todo:
        name = todo.pop()
        if name in seen or name not in tasks or tasks[name].action == APPROVE_ACTION:
            continue
        seen.add(name)
        branch = chosen_branch(tasks[name], render) if render is not None else None
        todo.extend([branch] if branch else success_targets(parsed, tasks[name]))
    return [t for t in parsed.tasks if t.name in seen and is_high_risk(t)]
