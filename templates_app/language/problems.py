"""Validation problems: what is wrong, and where in the template.

Every check reports a :class:`Problem` with a *place* path in the template's own
vocabulary (``Tasks[2].Action``, ``Parameters.Size.Default``) so an API face can show
all of them at once, as ValidateTemplateContent does, instead of failing on the first.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a template. ``place`` is empty for the whole document.

    ``line``/``column`` (1-based) are set only where the place is a position in the text
    rather than in the data (a syntax error); ``positions.locate`` finds the others.
    """

    place: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"; did you mean 'ACS::Sleep'?"`` for a near miss among ``known`` names, else ``""``.

    Case is ignored when comparing (``acs::sleep`` is a typo too); the suggestion keeps
    the catalog's spelling.
    """
    by_lower = {name.lower(): name for name in known}
    tail = word.lower().rsplit("::", 1)[-1]
    same_tail = [name for low, name in by_lower.items() if low.rsplit("::", 1)[-1] == tail]
    if len(same_tail) == 1:  # ACS::StopVM for ACS::VSphere::StopVM: the namespace was left out
        return f"; did you mean '{same_tail[0]}'?"
    # 0.75 keeps real typos (Slep, Durration, Taks: ≥ 0.88) and drops look-alikes (Foo → WaitFor: 0.7)
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.75)
    return f"; did you mean '{by_lower[close[0]]}'?" if close else ""


class TemplateInvalid(Exception):
    """Raised where a caller needs an exception (loading, parameter resolution).

    Holds every problem found, not just the first.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems) or "template invalid")


class ParametersInvalid(TemplateInvalid):
    """Execution parameters do not fit the template (StartExecution's error, not the template's)."""
