"""Dates on the wire of the cloud faces: ISO 8601 ``…Z`` strings and epoch milliseconds."""
from __future__ import annotations

from datetime import UTC, datetime

_ISO_Z_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%MZ")


def parse_iso_z(value: str) -> datetime | None:
    """``2019-05-16T10:26:14Z`` (optionally with fractions, or without seconds) as UTC, else None."""
    for fmt in _ISO_Z_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def iso_z(moment: datetime | None) -> str:
    """``2019-05-16T10:26:14Z`` (UTC, seconds), or "" for no date."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_ms(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)
