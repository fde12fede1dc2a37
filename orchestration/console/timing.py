"""Times and durations as an operator reads them: "2 min 5 s", "3 minutes ago".

Every time the console shows is an aware datetime; the exact value with its timezone
goes in the element's ``title`` (and ``datetime``) so a glance and a precise answer are
both one hover apart. A running step's duration counts up to now.
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince
from django.utils.translation import gettext as _


def humanised_duration(seconds: float) -> str:
    """At most two units, largest first: ``850 ms``, ``42 s``, ``2 min 5 s``, ``1 h 3 min``, ``2 d 4 h``."""
    if seconds < 1:
        return _("%(n)d ms") % {"n": round(seconds * 1000)}
    whole = int(seconds)
    units = ((_("%(n)d d"), 86400), (_("%(n)d h"), 3600), (_("%(n)d min"), 60), (_("%(n)d s"), 1))
    parts = []
    for label, size in units:
        if whole >= size or parts:
            parts.append(label % {"n": whole // size})
            whole %= size
        if len(parts) == 2:
            break
    return " ".join(p for p in parts if not p.startswith("0 ")) or parts[0]


def between(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    """Seconds from ``start`` to ``end`` (to now while still running); ``None`` before a start."""
    if start is None:
        return None
    return max(0.0, ((end or timezone.now()) - start).total_seconds())


def exact(value: dt.datetime) -> str:
    """The full local time with its zone, e.g. ``2026-12-02 01:32:42 UTC``."""
    return date_format(timezone.localtime(value), "Y-m-d H:i:s T")


def relative(value: dt.datetime) -> str:
    """"12 s ago", "3 minutes ago", "2 days ago"; a time still to come is given exactly."""
    seconds = (timezone.now() - value).total_seconds()
    if seconds < 0:
        return exact(value)
    if seconds < 60:
        return _("%(n)d s ago") % {"n": seconds}
    return _("%(time)s ago") % {"time": timesince(value, depth=1)}


def time_element(value: dt.datetime | None) -> SafeString | str:
    """``<time>`` saying how long ago, with the exact time in its title."""
    if value is None:
        return "—"
    ago = relative(value)
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(), exact(value), ago)


def duration_element(start: dt.datetime | None, end: dt.datetime | None) -> SafeString | str:
    """How long a run took (or has taken so far), with both ends exact in its title."""
    seconds = between(start, end)
    if seconds is None:
        return "—"
    title = f"{exact(start)} → {exact(end) if end else _('now')}"
    return format_html('<span class="duration" title="{}">{}</span>', title, humanised_duration(seconds))
