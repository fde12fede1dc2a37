"""The task graph the template and execution pages draw: its edges follow the engine's own
idea of where a task goes next (``engine.approvals.success_targets``), plus OnError."""
from __future__ import annotations

from orchestration.console import graph
from templates_app.language.loading import load_content
from templates_app.language.model import ParsedTemplate

FLOW = """FormatVersion: OOS-2019-06-01
Parameters:
  Go: {Type: Boolean, Default: true}
Tasks:
  - Name: choose
    Action: ACS::Choice
    Properties:
      DefaultTask: cleanup
      Choices:
        - When: '{{ Go }}'
          NextTask: work
  - Name: work
    Action: ACS::Sleep
    Properties: {Duration: PT1S}
    OnError: cleanup
  - Name: report
    Action: ACS::Sleep
    Properties: {Duration: PT1S}
    OnSuccess: ACS::END
  - Name: cleanup
    Action: ACS::Sleep
    Properties: {Duration: PT1S}
"""


def edges(content: str) -> set[tuple[str, str, str]]:
    drawn = graph.build(ParsedTemplate.from_dict(load_content(content).data), [])
    return {(e.source.name, e.target.name, e.kind) for e in drawn.edges}


def test_edges_are_branches_next_tasks_and_error_jumps():
    assert edges(FLOW) == {
        ("choose", "work", "branch"), ("choose", "cleanup", "branch"),
        ("work", "report", "next"), ("work", "cleanup", "error"),
    }


def test_a_dag_draws_its_next_lists_only():
    dag = FLOW.replace("    OnError: cleanup\n", "    Next: [report, cleanup]\n    OnError: cleanup\n")
    assert ("work", "report", "next") in edges(dag) and ("work", "cleanup", "next") in edges(dag)
    assert ("work", "cleanup", "error") not in edges(dag)
