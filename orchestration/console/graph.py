"""An execution's tasks as a graph to draw in SVG: boxes placed in layers, arrows between.

Edges follow what the engine follows: ``Next`` links (DAG templates), otherwise
``OnSuccess`` (the next task by default) and, drawn dashed, ``OnError`` routes;
``ACS::Choice`` branches come from its ``Choices[].NextTask`` and ``DefaultTask``.
Layers are the longest forward path from the first task, so branches sit side by side.
Each box carries the status of the task's newest run, which picks its colour.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from orchestration.engine.approvals import success_targets
from orchestration.models import TaskExecution
from templates_app.language.model import END, NEXT, ParsedTemplate

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 180, 52, 36, 44, 16


@dataclass
class Node:
    name: str
    action: str
    status: str = "NotStarted"
    loop: bool = False
    items: str = ""
    x: int = 0
    y: int = 0
    w: int = BOX_W
    h: int = BOX_H

    @property
    def cx(self) -> int:
        return self.x + self.w // 2


@dataclass
class Edge:
    source: Node
    target: Node
    kind: str = "next"  # next | error | branch

    @property
    def path(self) -> str:
        x1, y1 = self.source.cx, self.source.y + self.source.h
        x2, y2 = self.target.cx, self.target.y
        if y2 <= y1:  # a jump back up: go round the right-hand side
            side = max(self.source.x + self.source.w, self.target.x + self.target.w) + 18
            return f"M{x1},{y1} C{side},{y1 + 30} {side},{y2 - 30} {x2},{y2}"
        mid = (y1 + y2) // 2
        return f"M{x1},{y1} C{x1},{mid} {x2},{mid} {x2},{y2}"


@dataclass
class Graph:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    width: int = 0
    height: int = 0


def _targets(parsed: ParsedTemplate, index: int) -> Iterable[tuple[str, str]]:
    """Edges out of task ``index``: where the engine may go on success (``success_targets``), then OnError."""
    task = parsed.tasks[index]
    choosing = task.action == "ACS::Choice" and not task.next
    yield from ((name, "branch" if choosing else "next") for name in success_targets(parsed, task))
    if not task.next and not choosing and isinstance(task.on_error, str) and task.on_error not in (END, NEXT):
        yield task.on_error, "error"


def build(parsed: ParsedTemplate, runs: Iterable[TaskExecution]) -> Graph:
    """Lay out ``parsed``'s tasks, coloured by the newest top-level run of each."""
    nodes = {t.name: Node(t.name, t.action, loop=t.loop is not None) for t in parsed.tasks}
    for run in runs:  # ordered by creation: the newest run of a task wins
        if run.parent_task_execution_id is None and run.task_name in nodes:
            node = nodes[run.task_name]
            node.status = run.status
            loop = run.extra.get("loop") if isinstance(run.extra, dict) else None
            if isinstance(loop, dict) and isinstance(loop.get("items"), list):
                finished = loop.get("succeeded", 0) + loop.get("failed", 0)
                node.items = f"{finished}/{len(loop['items'])}"
    order = {t.name: i for i, t in enumerate(parsed.tasks)}
    edges: list[Edge] = []
    level = dict.fromkeys(nodes, 0)
    for i, task in enumerate(parsed.tasks):
        for target, kind in _targets(parsed, i):
            if target in nodes:
                edges.append(Edge(nodes[task.name], nodes[target], kind))
    for name in sorted(nodes, key=order.get):  # forward edges only decide layers
        for edge in edges:
            if edge.source.name == name and order[edge.target.name] > order[name]:
                level[edge.target.name] = max(level[edge.target.name], level[name] + 1)
    layers: dict[int, list[Node]] = {}
    for name in sorted(nodes, key=order.get):
        layers.setdefault(level[name], []).append(nodes[name])
    widest = max((len(row) for row in layers.values()), default=0)
    width = PAD * 2 + widest * BOX_W + max(widest - 1, 0) * GAP_X + 40
    for depth, row in layers.items():
        row_width = len(row) * BOX_W + (len(row) - 1) * GAP_X
        left = (width - row_width) // 2
        for j, node in enumerate(row):
            node.x, node.y = left + j * (BOX_W + GAP_X), PAD + depth * (BOX_H + GAP_Y)
    height = PAD * 2 + len(layers) * BOX_H + max(len(layers) - 1, 0) * GAP_Y
    return Graph(nodes=list(nodes.values()), edges=edges, width=width, height=height)
