"""Parsing and formatting of durations, timestamps and dates."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, tzinfo

_ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_CLOCK = re.compile(r"^(?:(?:(?P<h>\d+):)?(?P<m>\d{1,2}):)?(?P<s>\d{1,2}(?:\.\d+)?)$")


def seconds_value(value: object) -> float | None:
    """A number of seconds (>= 0) as a float, or None when ``value`` is none: not a number,
    negative, or one no feed can carry (``.nan``, ``.inf``, an integer of 400 digits)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        seconds = float(value)
    except OverflowError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def parse_duration(value: object) -> float:
    """Seconds from ``PT1H3M37S``, ``1:03:37``, ``63:37`` or a number of seconds.

    Raises ValueError with a message fit for the user.
    """
    seconds = _parse_duration(value)
    if not math.isfinite(seconds):
        raise ValueError(f"{value!r:.40} is not a duration: it is too large to be a number of seconds")
    return seconds


def _parse_duration(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError(f"expected a duration, got {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"duration cannot be negative: {value}")
        if seconds_value(value) is None:
            raise ValueError(f"{value!r:.40} is not a duration: use a number of seconds such as 3637")
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a duration such as PT1H3M37S, got {type(value).__name__}")
    text = value.strip().upper()
    m = _ISO_DURATION.match(text)
    if m and text not in ("P", "PT") and not text.endswith("T"):
        d, h, mi, s = (float(m.group(k) or 0) for k in "dhms")
        return d * 86400 + h * 3600 + mi * 60 + s
    m = _CLOCK.match(text)
    if m:
        return float(m.group("h") or 0) * 3600 + float(m.group("m") or 0) * 60 + float(m.group("s"))
    raise ValueError(f"{value!r} is not a duration: use ISO 8601 (PT1H3M37S) or H:MM:SS")


def parse_date(value: object, tz: tzinfo = UTC) -> datetime:
    """A timezone-aware datetime from a YAML date/datetime or an ISO string.

    A date without a time is taken as midnight in ``tz``; a naive datetime is
    taken to be in ``tz``.
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime.combine(value, time(0, 0))
    elif isinstance(value, str):
        text = value.strip()
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            raise ValueError(f"{value!r} is not a date: use YYYY-MM-DD (or an ISO 8601 date-time)") from None
    else:
        raise ValueError(f"expected a date such as 2024-01-22, got {type(value).__name__}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt


def npt(seconds: float) -> str:
    """Zero-padded ``HH:MM:SS.mmm`` (Podlove Simple Chapters' normal play time).

    Always with hours: AntennaPod reads a bare ``37`` as 0.
    """
    ms = round(seconds * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def clock(seconds: float) -> str:
    """``M:SS`` or ``H:MM:SS`` as YouTube and Spotify descriptions want them."""
    total = int(seconds)
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
