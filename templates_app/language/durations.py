"""Durations in templates: seconds as a number, or an ISO 8601 duration (``PT10M``).

OOS uses ISO 8601 for ``ACS::Sleep`` and plain seconds for retry intervals; accepting
both everywhere spares authors from remembering which is which. Alibaba's own templates
also write short forms (``10s``, ``4m``, ``1M`` — a minute, as their comments say), so a
number with one unit letter ``s``/``m``/``h``/``d`` (any case) is accepted too.
"""

from __future__ import annotations

import re

_ISO = re.compile(
    r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_UNITS = (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1)
_SHORT = re.compile(r"^(\d+(?:\.\d+)?)([smhdSMHD])$")
_SHORT_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# For JSON schemas of duration properties: ISO 8601, or a number with one unit letter.
DURATION_PATTERN = (
    r"^(P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?|\d+(\.\d+)?[smhdSMHD])$"
)


def parse_duration(value: object) -> float:
    """Seconds in ``value`` (a non-negative number or ISO 8601 text); ValueError otherwise.

    Years and months count as 365 and 30 days: durations here are waits, not calendar math.
    """
    if isinstance(value, bool):
        raise ValueError("a duration must be seconds or ISO 8601 text like PT5M")
    if isinstance(value, (int, float)):
        if value < 0 or value != value or value == float("inf"):
            raise ValueError("a duration must be a finite number of seconds >= 0")
        return float(value)
    if isinstance(value, str):
        short = _SHORT.match(value.strip())
        if short:
            return float(short.group(1)) * _SHORT_UNITS[short.group(2).lower()]
        m = _ISO.match(value.strip())
        if not m:
            raise ValueError(f"{value!r} is not an ISO 8601 duration like PT5M")
        return float(sum(float(g) * unit for g, unit in zip(m.groups(), _UNITS, strict=True) if g))
    raise ValueError("a duration must be seconds or ISO 8601 text like PT5M")
