"""How plain values read on screen: glyphs and words for states, clock and span formats.

State is always shown by glyph AND word, so the screen stays legible without colour (NO_COLOR,
monochrome jump hosts); colour only reinforces it. The colours are each widget's component
classes (in its DEFAULT_CSS, from theme variables), so they follow the running theme.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

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


def clock(moment: datetime | None, zone: tzinfo) -> str:
    """HH:MM in the deployment's time zone, or a dash for 'not yet'."""
    return moment.astimezone(zone).strftime("%H:%M") if moment else "–"


def signed_span(delta: timedelta) -> str:
    """A compact signed span: +1h05m, -12m, +0m."""
    minutes = round(delta.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours}h{mins:02d}m" if hours else f"{sign}{mins}m"


def t_minus(now: datetime, start: datetime) -> str:
    """T-01:15:00 before the window opens, T+02:03:04 after."""
    seconds = int((now - start).total_seconds())
    sign = "+" if seconds >= 0 else "-"
    hours, rest = divmod(abs(seconds), 3600)
    return f"T{sign}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def outcome_counts(done: int, skipped: int, failed: int, total: int) -> str:
    """'3 done · 2 skipped · 1 failed of 27': the outcomes apart, the ones that did not happen left out."""
    others = ((skipped, "skipped"), (failed, "failed"))
    parts = [f"{done} done"] + [f"{count} {word}" for count, word in others if count]
    return f"{' · '.join(parts)} of {total}"
