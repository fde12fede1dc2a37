"""Validation problems: what is wrong, and where in the template.

Every check reports a :class:`Problem` with a *place* path in the template's own
vocabulary (``Tasks[2].Action``, ``Parameters.Size.Default``) so an API face can show
all of them at once, as ValidateTemplateContent does, instead of failing on the first.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a template. ``place`` is empty for the whole document."""

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


class TemplateInvalid(Exception):
    """Raised where a caller needs an exception (loading, parameter resolution).

    Holds every problem found, not just the first.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems) or "template invalid")


class ParametersInvalid(TemplateInvalid):
    """Execution parameters do not fit the template (StartExecution's error, not the template's)."""
