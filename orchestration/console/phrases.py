"""Chinese (and any other language's) display of the sentences the engine stores in English.

Log lines, status messages, vSphere fault sentences, the validator's problems
(:mod:`.problem_phrases`) and the services' refusals (:mod:`.refusal_phrases`) are
written in English: the API faces return them as they are (OOS does the same), and a
stored line must not depend on who happened to be looking. The console translates their
display here, from the same gettext catalog as everything else: each phrase is a msgid
whose ``%(name)s`` places match the English wording; a line that matches one is shown as
that msgid's translation with the parts filled in (themselves translated when they are
phrases, e.g. a fault inside "Task stop failed: …"). A line that matches nothing is
shown as stored.
"""
from __future__ import annotations

import re
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from orchestration.console import labels
from orchestration.console.problem_phrases import PLACED, PROBLEM_PHRASES
from orchestration.console.refusal_phrases import REFUSAL_PHRASES

PHRASES = (
    # executions (orchestration.engine.rounds / endings / operations, services.executions)
    gettext_noop("Execution started (template %(template)s %(version)s)."),
    gettext_noop("Execution %(status)s."),
    gettext_noop("Execution %(status)s. %(message)s"),
    gettext_noop("Cancelled by %(user)s."),
    gettext_noop("Completed by %(user)s."),
    gettext_noop("Re-run from failed task %(task)s by %(user)s."),
    gettext_noop("Approve by %(user)s."),
    gettext_noop("Approve by %(user)s: %(note)s."),
    gettext_noop("Reject by %(user)s."),
    gettext_noop("Reject by %(user)s: %(note)s."),
    gettext_noop("ExecuteTask by %(user)s."),
    gettext_noop("CancelTask by %(user)s."),
    gettext_noop("CompleteExecution by %(user)s."),
    gettext_noop("Rejected by %(user)s"),
    gettext_noop("Rejected by %(user)s: %(note)s"),
    gettext_noop("Paused after task %(task)s failed: retry it (ExecuteTask), "
                 "or end the execution (CompleteExecution)."),
    gettext_noop("Task %(task)s failed."),
    # tasks
    gettext_noop("Task %(task)s started (%(action)s)."),
    gettext_noop("Task %(task)s: try %(n)s started."),
    gettext_noop("Task %(task)s: try %(n)s failed (%(message)s); retrying in %(seconds)s s."),
    gettext_noop("Task %(task)s succeeded."),
    gettext_noop("Task %(task)s failed: %(message)s"),
    gettext_noop("Task %(task)s skipped: its When condition is false."),
    gettext_noop("Task %(task)s starts in %(seconds)s s."),
    gettext_noop("Task %(task)s waits to be started by hand (NotifyType ExecuteTask)."),
    gettext_noop("Task %(task)s runs high-risk action %(action)s: approve to run it."),
    gettext_noop("Task %(task)s runs high-risk action %(action)s, approved with task %(approval)s by %(user)s."),
    gettext_noop("Timed out after %(seconds)s s."),
    gettext_noop("Sleeping %(seconds)s s, until %(until)s UTC."),
    gettext_noop("Choice: going to %(task)s."),
    gettext_noop("Choice: no condition held, going to %(task)s."),
    gettext_noop("Loop %(task)s: %(total)s items, concurrency %(concurrency)s, max errors %(errors)s."),
    gettext_noop("Loop %(task)s succeeded: %(n)s items."),
    gettext_noop("Started child execution %(id)s of %(template)s."),
    gettext_noop("Waiting for child execution %(id)s."),
    gettext_noop("Task %(task)s skipped: this run was started by it in %(id)s."),
    gettext_noop("Cancelling %(action)s failed: %(detail)s"),
    gettext_noop("Timer armed: first run at %(time)s UTC."),
    gettext_noop("Timer armed: first run at %(time)s UTC, no run after %(end)s."),
    gettext_noop("Timer over after %(n)s run(s)."),
    gettext_noop("Web hook answered %(code)s."),
    gettext_noop("%(names)s not used: this service's read operations take their Parameters only."),
    # vSphere actions (vsphere.actions.base) and faults (vsphere.services.faults)
    gettext_noop("%(api)s submitted for %(n)s of %(total)s VM(s): %(ids)s."),
    gettext_noop("%(api)s: %(done)s of %(total)s VM operation(s) finished."),
    gettext_noop("%(n)s of %(total)s VM operation(s) failed: %(reasons)s"),
    gettext_noop("%(name)s (%(id)s): %(message)s"),
    gettext_noop("Cancel %(id)s: cancelled."),
    gettext_noop("Cancel %(id)s: not cancelled (%(detail)s)."),
    gettext_noop("Selected %(n)s VM(s): %(names)s"),
    gettext_noop("Selected %(n)s VM(s)."),
    gettext_noop("RunCommand started in %(n)s of %(total)s VM(s): %(names)s."),
    gettext_noop("%(name)s: guest process %(pid)s terminated."),
    gettext_noop("%(name)s: guest process %(pid)s not terminated (%(detail)s)."),
    gettext_noop("%(name)s: could not delete %(path)s (%(detail)s)."),
    gettext_noop("%(name)s: guest still running after %(seconds)s s; powering off."),
    gettext_noop("%(name)s is powered off; destroying it."),
    gettext_noop("No VM in the synced inventory matches the selection."),
    gettext_noop("%(what)s not in the synced inventory of this tenant's vCenters: %(names)s "
      "(check the spelling, or sync the vCenter)"),
    gettext_noop("VM ids"),
    gettext_noop("VM names"),
    gettext_noop("%(operation)s on %(vm)s: %(message)s"),
    gettext_noop("the VM is already %(state)s"),
    gettext_noop("the VM is %(state)s; the operation needs it %(wanted)s"),
    gettext_noop("the VM is %(state)s"),
    gettext_noop("the VM is not %(wanted)s"),
    gettext_noop("the VM is in another power state"),
    gettext_noop("login rejected: wrong user name or password"),
    gettext_noop("the vCenter session is not authenticated (expired or logged out)"),
    gettext_noop("permission denied: the vCenter user lacks %(privilege)s on %(object)s"),
    gettext_noop("VMware Tools is not running in the guest, so the guest cannot be shut down or rebooted"),
    gettext_noop("another task is already running on this object; retry when it finishes"),
    gettext_noop("an object named %(name)s already exists there"),
    gettext_noop("not found: %(detail)s"),
    gettext_noop("the object %(name)s no longer exists in the vCenter"),
    gettext_noop("insufficient resources: %(detail)s"),
    gettext_noop("the object is in a state that does not allow this operation"),
    gettext_noop("the object is in a state that does not allow this operation: %(detail)s"),
    gettext_noop("the vCenter does not support this operation"),
    gettext_noop("the task was cancelled"),
    gettext_noop("connection refused: nothing listens on that host and port"),
    gettext_noop("timed out waiting for the vCenter"),
    gettext_noop("cannot reach the vCenter: %(detail)s"),
    # guest operations (vsphere.services.guest_operations)
    gettext_noop("wrong guest credentials: the guest rejected the user name or password"),
    gettext_noop("VMware Tools in the guest is too old for guest operations; upgrade VMware Tools"),
    gettext_noop("VMware Tools is not running in the guest, so guest operations are unavailable"),
    gettext_noop("the guest user is not allowed to do this in the guest"),
    gettext_noop("the guest process %(pid)s no longer exists"),
    gettext_noop("the guest file %(name)s already exists (set Overwrite to replace it)"),
    gettext_noop("no such file or directory in the guest: %(name)s"),
    gettext_noop("powered on"),
    gettext_noop("powered off"),
    gettext_noop("suspended"),
)

_PLACE = re.compile(r"%\((\w+)\)s")
# What a place may hold: counts are numbers and names one word, so "Task x failed: 1 of 2 …"
# is read as a task failure holding a VM summary, not the other way round. Others: any text.
_NUMBER, _WORD = r"\d+(?:\.\d+)?", r"\S+?"
_SHAPES = {
    **dict.fromkeys(("n", "total", "done", "seconds", "concurrency", "errors", "size", "depth", "line", "column",
                     "given", "pid", "code"), _NUMBER),
    "allowed": r"\[.*\]",  # a list as Python writes it: ['small', 'large']
    **dict.fromkeys(("task", "user", "id", "api", "action", "version", "vm", "operation", "approval", "status"),
                    _WORD),
}

# "Tasks[2].Properties.Duration: <problem>", "Parameters.Size: <problem>", "Expression: <problem>"
_PLACED = re.compile(r"(?P<place>[A-Za-z][\w.\[\]:-]*?): (?P<message>.+)", re.DOTALL)
_GLUE = re.compile(r"[\s:;()]*")  # a phrase of places and punctuation only ("%(message)s (%(constraint)s)")
# Places that hold a sentence of ours, itself translated ("Task x failed: <a fault>").
_SENTENCES = ("message", "reasons", "state", "wanted", "what", "why")


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern, str, bool]]:
    """``(longest fixed piece, pattern, msgid, glue only)`` per phrase; the piece is a cheap test
    before the regex, and a glue-only phrase counts only when a sentence inside it is known."""
    compiled = []
    for msgid in PHRASES + PROBLEM_PHRASES + REFUSAL_PHRASES:
        parts, pieces, end = [], [], 0
        for place in _PLACE.finditer(msgid):
            pieces.append(msgid[end:place.start()].replace("%%", "%"))
            parts.append(re.escape(pieces[-1]))
            parts.append(f"(?P<{place.group(1)}>{_SHAPES.get(place.group(1), '.+?')})")
            end = place.end()
        pieces.append(msgid[end:].replace("%%", "%"))
        parts.append(re.escape(pieces[-1]))
        pattern = re.compile("^" + "".join(parts) + "$", re.DOTALL)
        compiled.append((max(pieces, key=len), pattern, msgid, bool(_GLUE.fullmatch("".join(pieces)))))
    # Longer fixed text first: "Execution cancelled. Cancelled by …" before "Execution %(status)s."
    compiled.sort(key=lambda entry: -len(_PLACE.sub("", entry[2])))
    return compiled


def translate(text: str, depth: int = 0) -> str:
    """``text`` in the active language when it is a known phrase, else unchanged."""
    if not text or depth > 4 or translation.get_language() in (None, "en"):
        return text  # stored in English already
    placed = _PLACED.fullmatch(text)
    if placed:
        message = _sentence(placed["message"], depth + 1)
        if message != placed["message"]:
            return gettext(PLACED) % {"place": placed["place"], "message": message}
    for piece, pattern, msgid, glue in _patterns():
        found = pattern.match(text) if piece in text else None
        if found is None:
            continue
        parts = {}
        for name, value in found.groupdict().items():
            if name == "status":  # "cancelled", "WaitingForApproval" → the status label
                parts[name] = str(labels.label(value[:1].upper() + value[1:]))
            elif name == "mode":
                parts[name] = str(labels.label(value, "mode"))
            elif name in _SENTENCES:
                parts[name] = _sentence(value, depth + 1)
            else:
                parts[name] = value
        if glue and all(parts[name] == value for name, value in found.groupdict().items() if name in _SENTENCES):
            continue  # "sentence (note)" whose sentence is unknown: keep the line as it is
        return gettext(msgid) % parts
    return text


def _sentence(value: str, depth: int) -> str:
    """A place that holds our own sentence: as one phrase, or as phrases joined by "; " (VM reasons)."""
    whole = translate(value, depth)
    if whole != value or "; " not in value:
        return whole
    return "; ".join(translate(piece, depth) for piece in value.split("; "))
