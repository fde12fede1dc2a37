"""Secret parameters inside one execution: where their plaintext goes, and where it never goes.

A rendered property holds a secret's *reference* (``{{ oos-secret:Name }}``, see
:mod:`templates_app.language.public_parameters`), so task executions, the execution's
state and parameters store the reference, never the value. :meth:`ExecutionSecrets.record`
notes the secrets (name and version) a try's properties name, in the execution's state;
:meth:`ExecutionSecrets.reveal` puts the plaintext in place only in the properties handed
to the action; and everything the engine stores from an action — log lines, outputs,
status messages — first goes through :func:`redact`, which replaces every occurrence of a
recorded secret's value with ``******``.

A secret that is a JSON object (a guest credential ``{"Username": …, "Password": …}``)
is also redacted member by member for its password-like members, so a message quoting
only the password is covered too.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from orchestration.services import parameters
from templates_app.language.public_parameters import reveal, secret_names

REDACTED = "******"
SENSITIVE_MEMBERS = ("password", "secret", "token", "key", "passphrase")


def redact(value: Any, plaintexts: Iterable[str]) -> Any:
    """``value`` (text, list, mapping) with every occurrence of each plaintext replaced by ``******``."""
    needles = sorted({p for p in plaintexts if p}, key=len, reverse=True)  # longest first: no partial leftovers
    return _redact(value, needles) if needles else value


def _redact(value: Any, needles: list[str]) -> Any:
    if isinstance(value, str):
        for needle in needles:
            if needle in value:
                value = value.replace(needle, REDACTED)
        return value
    if isinstance(value, list):
        return [_redact(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v, needles) for k, v in value.items()}
    return value


def needles_of(plaintext: str) -> list[str]:
    """The texts to redact for one secret: its value, and a JSON object's password-like members."""
    found = [plaintext]
    try:
        decoded = json.loads(plaintext)
    except ValueError:
        return found
    if isinstance(decoded, dict):
        for key, member in decoded.items():
            if isinstance(member, str) and member and any(word in str(key).lower() for word in SENSITIVE_MEMBERS):
                found.append(member)
    return found


class ExecutionSecrets:
    """The secrets one execution has used; ``state`` is the execution's state (kept in its row)."""

    def __init__(self, tenant_id: int, state: dict[str, Any]):
        self.tenant_id = tenant_id
        self.state = state
        self._plaintexts: dict[str, str] | None = None

    @property
    def versions(self) -> dict[str, int]:
        return self.state.get("secrets") or {}

    def record(self, properties: Any) -> set[str]:
        """Note the secrets ``properties`` name; returns those that do not exist (any more)."""
        names = secret_names(properties)
        new = names - set(self.versions)
        if new:
            found = parameters.secret_versions(self.tenant_id, new)
            if found:
                self.state["secrets"] = {**self.versions, **found}
                self._plaintexts = None
        return names - set(self.versions)

    def plaintexts(self) -> dict[str, str]:
        if self._plaintexts is None:
            self._plaintexts = parameters.secret_values(self.tenant_id, self.versions) if self.versions else {}
        return self._plaintexts

    def reveal(self, properties: Any) -> Any:
        """``properties`` as the action gets them: each recorded secret's plaintext in place."""
        if not self.versions or not secret_names(properties):
            return properties
        return reveal(properties, self.plaintexts())

    def redact(self, value: Any) -> Any:
        if not self.versions:
            return value
        return redact(value, [n for p in self.plaintexts().values() for n in needles_of(p)])
