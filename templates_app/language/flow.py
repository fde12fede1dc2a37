"""Control flow of a template: its jump graph, unreachable tasks and cycles.

Edges are ``OnSuccess``/``OnError`` (defaults ``ACS::NEXT`` / ``ACS::END``), ``Next``
lists, the jump targets of choosing actions (``ACS::Choice``) and a ``When`` that may
skip to the next task. The rules, and why, are in :mod:`.validation`'s docstring.
"""

from __future__ import annotations

from typing import Any

from orchestration.actions import get_action

from .model import END, NEXT
from .problems import Problem

JUMP_WORDS = (NEXT, END)


def flow_problems(tasks: list[dict[str, Any]], names: dict[str, int]) -> list[Problem]:
    """Problems of the jump graph of ``tasks`` (``names``: task name -> index): unknown
    or self targets, unreachable tasks, cycles."""
    problems: list[Problem] = []

    def add(place: str, message: str) -> None:
        problems.append(Problem(place, message))

    n = len(tasks)
    dag = any(isinstance(t.get("Next"), list) and t.get("Next") for t in tasks)
    edges: list[list[tuple[int, str]]] = [[] for _ in range(n)]
    targeted_by_next: set[int] = set()

    def link(i: int, target: Any, place: str, via_next: bool = False) -> None:
        if not isinstance(target, str):
            return
        if target == END:
            return
        if target == NEXT:
            if i + 1 < n:
                edges[i].append((i + 1, place))
            return
        j = names.get(target)
        if j is None:
            add(place, f"no task named '{target}' (nor ACS::NEXT / ACS::END)")
            return
        if j == i:
            add(place, f"task '{target}' cannot jump to itself")
            return
        edges[i].append((j, place))
        if via_next:
            targeted_by_next.add(j)

    for i, task in enumerate(tasks):
        place = f"Tasks[{i}]"
        nxt = task.get("Next")
        if isinstance(nxt, list) and nxt:
            for k, target in enumerate(nxt):
                if target in JUMP_WORDS:
                    add(f"{place}.Next[{k}]", "Next lists task names only")
                    continue
                link(i, target, f"{place}.Next[{k}]", via_next=True)
        elif not dag:
            action = get_action(task.get("Action", ""))
            chooses = action is not None and bool(action.jump_properties)
            if "OnSuccess" in task or not chooses:  # a Choice jumps instead of falling through
                link(i, task.get("OnSuccess", NEXT), f"{place}.OnSuccess")
        if dag and "OnSuccess" in task:
            link(i, task["OnSuccess"], f"{place}.OnSuccess")
        link(i, task.get("OnError", END), f"{place}.OnError")
        if "When" in task and not dag:
            link(i, NEXT, f"{place}.When")
        action = get_action(task.get("Action", ""))
        props = task.get("Properties")
        if action is not None and isinstance(props, dict):
            for sub, target in action.jump_targets(props):
                if isinstance(target, str) and "{{" not in target:
                    link(i, target, f"{place}.Properties.{sub}")
    roots = [i for i in range(n) if i not in targeted_by_next] if dag else [0]
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        u = stack.pop()
        if u in seen:
            continue
        seen.add(u)
        stack.extend(v for v, _ in edges[u])
    for i in range(n):
        if i not in seen:
            add(f"Tasks[{i}]", f"task '{tasks[i].get('Name')}' is unreachable")
    problems.extend(_cycles(tasks, edges))
    return problems


def _cycles(tasks: list[dict[str, Any]], edges: list[list[tuple[int, str]]]) -> list[Problem]:
    """One problem per jump that closes a cycle (iterative DFS: templates may have 1,000 tasks)."""
    problems: list[Problem] = []
    white, grey, black = 0, 1, 2
    color = [white] * len(tasks)
    reported: set[str] = set()
    for start in range(len(tasks)):
        if color[start] != white:
            continue
        path: list[int] = [start]
        iters = [iter(edges[start])]
        color[start] = grey
        while iters:
            try:
                v, place = next(iters[-1])
            except StopIteration:
                color[path.pop()] = black
                iters.pop()
                continue
            if color[v] == grey:
                cycle = [*path[path.index(v):], v]
                if place not in reported:
                    reported.add(place)
                    route = " -> ".join(str(tasks[k].get("Name")) for k in cycle)
                    problems.append(Problem(place, f"jump creates a cycle: {route}"))
            elif color[v] == white:
                color[v] = grey
                path.append(v)
                iters.append(iter(edges[v]))
    return problems
