"""How plain values read on screen: glyphs and words for states, clock and span formats.

State is always shown by glyph AND word, so the screen stays legible without colour (NO_COLOR,
monochrome jump hosts); colour only reinforces it. The colours are each widget's component
classes (in its DEFAULT_CSS, from theme variables), so they follow the running theme.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from warroom.untrusted import for_screen
from warroom.vocabulary import StepStatus

STEP_GLYPH = {
    StepStatus.PENDING: "○",
    StepStatus.IN_PROGRESS: "▶",
    StepStatus.DONE: "✔",
    StepStatus.FAILED: "✖",
    StepStatus.SKIPPED: "↷",
}
STEP_WORD = {
    StepStatus.PENDING: "pending",
    StepStatus.IN_PROGRESS: "running",
    StepStatus.DONE: "done",
    StepStatus.FAILED: "FAILED",
    StepStatus.SKIPPED: "skipped",
}
# Probe states by glyph, like steps; the keys are probes.ProbeState values.
PROBE_GLYPH = {"UP": "●", "DEGRADED": "▲", "PENDING": "◌", "DOWN": "✖", "UNKNOWN": "?"}
PROBE_STATES = tuple(PROBE_GLYPH)
PROBE_COLOUR = {"UP": "$success", "DEGRADED": "$warning", "PENDING": "$warning", "DOWN": "$error",
                "UNKNOWN": "$foreground-muted"}


def probe_state_css(class_prefix: str, more: str = "") -> str:
    """The rule for each probe state's component class, one colour per state wherever it shows:
    `probe_state_css("Timeline > .timeline--probe-")` gives `Timeline > .timeline--probe-up { color: $success; }`..."""
    return "\n".join(f"{class_prefix}{state.lower()} {{ color: {PROBE_COLOUR[state]};{more} }}"
                     for state in PROBE_STATES)
TICKED = "☑"
UNTICKED = "☐"

# Minutes before the rollback deadline at which it wants attention: the header shows it in the
# warning colour from the first and in the failure colour from the last; the console rings at each.
ROLLBACK_WARNINGS = (60, 30, 10)


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # not strftime's %a: that follows the locale
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def clock(moment: datetime | None, zone: tzinfo) -> str:
    """HH:MM in the deployment's time zone, or a dash for 'not yet'."""
    return moment.astimezone(zone).strftime("%H:%M") if moment else "–"


def moment_text(moment: datetime, zone: tzinfo, now: datetime) -> str:
    """HH:MM on today's date in the zone; 'Mon 14 Dec 16:00' on any other day (and the year when
    it is not this year's): a bare 16:00 a month away reads as this afternoon."""
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    if local.date() == today:
        return local.strftime("%H:%M")
    year = f" {local.year}" if local.year != today.year else ""
    return f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]}{year} {local:%H:%M}"


def full_moment(moment: datetime, zone: tzinfo) -> str:
    """'2026-11-28 10:02:13 UTC+01:00': the date, the time to the second and the zone, so that
    a room spread over time zones reads it the same way."""
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    utc = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    name = local.tzname()
    return f"{local:%Y-%m-%d %H:%M:%S} {utc if not name or name == utc else f'{for_screen(name)} ({utc})'}"


def zone_label(zone: tzinfo, at: datetime) -> str:
    """The zone's abbreviation at that moment (CET, CEST, UTC, UTC+01:00 for a bare offset); its
    key (Asia/Dubai) when the abbreviation is only a number like '+04'."""
    name = at.astimezone(zone).tzname() or ""
    if not name or name[0] in "+-":
        return str(getattr(zone, "key", "") or name or zone)
    return name


def span(delta: timedelta) -> str:
    """A compact unsigned span in whole minutes: 12m, 3h05m; from a day on, days and hours: 41d 6h."""
    minutes = abs(round(delta.total_seconds() / 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, mins = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h{mins:02d}m" if hours else f"{mins}m"


def age_text(delta: timedelta) -> str:
    """How long ago, in one unit: 12s, 4m, 3h, 2d (a clock ahead of ours reads 0s)."""
    seconds = max(int(delta.total_seconds()), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def signed_span(delta: timedelta) -> str:
    """A compact signed span: +1h05m, -12m, +0m, +2d 3h."""
    sign = "-" if round(delta.total_seconds() / 60) < 0 else "+"
    return sign + span(delta)


def t_minus(now: datetime, start: datetime) -> str:
    """T-01:15:00 before the window opens, T+02:03:04 after; a day or more away, days and hours
    (T-41d06h), not 989 hours."""
    seconds = int((now - start).total_seconds())
    sign = "+" if seconds >= 0 else "-"
    days, rest = divmod(abs(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"T{sign}{days}d{hours:02d}h"
    return f"T{sign}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"

