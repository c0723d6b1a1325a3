"""Durations ('1h30m') and moments ('14:00', '2026-11-28T08:00+01:00') as operators write them.

Parsers raise ValueError with a message meant for the operator ("write 15m, not 15").
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, timezone, tzinfo

_UNITS = re.compile(
    r"(?:(?P<d>\d+)\s*d)?\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m)?\s*(?:(?P<s>\d+)\s*s)?",
    re.IGNORECASE,
)
_CLOCK_DURATION = re.compile(r"(?P<h>\d+):(?P<m>\d{2})(?::(?P<s>\d{2}))?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")

DURATION_EXAMPLES = "15m, 1h30m, 90s, 2h, 1d or 1:30"


def parse_duration(text: str) -> timedelta:
    """'15m', '90s', '2h', '1d', '1h30m', '1d 2h' or 'H:MM' ('1:30'); a leading '-' negates."""
    raw = text.strip()
    sign = -1 if raw.startswith("-") else 1
    body = raw[1:].strip() if sign < 0 else raw
    if _NUMBER.fullmatch(body):
        raise ValueError(f"'{raw}' has no unit; write {body}m, not {body}")
    clock = _CLOCK_DURATION.fullmatch(body)
    if clock:
        minutes, seconds = int(clock["m"]), int(clock["s"] or 0)
        if minutes >= 60 or seconds >= 60:
            raise ValueError(f"'{raw}' is not a duration; in H:MM the minutes must be below 60")
        return sign * timedelta(hours=int(clock["h"]), minutes=minutes, seconds=seconds)
    units = _UNITS.fullmatch(body)
    if not body or not units or not any(units.groups()):
        raise ValueError(f"'{raw}' is not a duration; write e.g. {DURATION_EXAMPLES}")
    parts = {unit: int(units[unit] or 0) for unit in "dhms"}
    return sign * timedelta(days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"])


def format_duration(delta: timedelta) -> str:
    """timedelta(minutes=90) -> '1h30m'; days as 'd', zero as '0m', below a second dropped."""
    sign = "-" if delta < timedelta(0) else ""
    delta = abs(delta)
    total = delta.days * 86400 + delta.seconds
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    text = "".join(f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")) if n)
    return sign + text if text else "0m"


_DATETIME = re.compile(
    r"(?P<Y>\d{4})-(?P<M>\d{1,2})-(?P<D>\d{1,2})(?:[Tt]|\s+)"
    r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.(?P<frac>\d+))?)?"
    r"\s*(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?"
)
_TIME = re.compile(r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?")
_DATE_ONLY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")

MOMENT_EXAMPLES = "14:00 or 2026-11-28T14:00+01:00"


def parse_moment(text: str) -> datetime | time:
    """A datetime (aware if it has an offset, else naive) or, for 'HH:MM', a time of day."""
    raw = text.strip()
    clock = _TIME.fullmatch(raw)
    if clock:
        try:
            return time(int(clock["h"]), int(clock["m"]), int(clock["s"] or 0))
        except ValueError:
            raise ValueError(f"'{raw}' is not a time of day; write e.g. {MOMENT_EXAMPLES}") from None
    if _DATE_ONLY.fullmatch(raw):
        raise ValueError(f"'{raw}' has no time of day; write e.g. {raw}T08:00")
    found = _DATETIME.fullmatch(raw)
    if not found:
        raise ValueError(f"'{raw}' is not a time; write e.g. {MOMENT_EXAMPLES}")
    try:
        micro = int((found["frac"] or "0")[:6].ljust(6, "0"))
        return datetime(
            int(found["Y"]), int(found["M"]), int(found["D"]),
            int(found["h"]), int(found["m"]), int(found["s"] or 0), micro,
            tzinfo=_offset(found["tz"]),
        )
    except ValueError:
        raise ValueError(f"'{raw}' is not a valid date and time; write e.g. {MOMENT_EXAMPLES}") from None


def _offset(text: str | None) -> tzinfo | None:
    if text is None:
        return None
    if text in ("Z", "z"):
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if minutes >= 60:
        raise ValueError("bad offset")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text[0] == "-" else delta)  # ValueError past 24h


def in_zone(moment: datetime, zone: tzinfo) -> datetime:
    """An aware datetime in `zone`; a naive one is read as wall-clock time in `zone`."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def on_window_day(clock: time, window_start: datetime, zone: tzinfo) -> datetime:
    """`clock` on the window start's date in `zone`; the next day if that is before the start."""
    day = window_start.astimezone(zone).date()
    moment = datetime.combine(day, clock, tzinfo=zone)
    if moment < window_start:
        moment = datetime.combine(day + timedelta(days=1), clock, tzinfo=zone)
    return moment


def format_moment(moment: datetime, reference: datetime) -> str:
    """'18:40' on the reference's day (in the reference's zone), else '2026-11-29 01:10'."""
    local = moment.astimezone(reference.tzinfo)
    clock = local.strftime("%H:%M:%S" if local.second else "%H:%M")
    return clock if local.date() == reference.date() else f"{local:%Y-%m-%d} {clock}"
