"""Dates written on the wire of the cloud faces: ISO 8601 ``…Z`` strings and epoch milliseconds.

Reading them is :func:`orchestration.wire_parameters.parse_iso_z`.
"""
from __future__ import annotations

from datetime import UTC, datetime


def iso_z(moment: datetime | None) -> str:
    """``2019-05-16T10:26:14Z`` (UTC, seconds), or "" for no date."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_ms(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)
