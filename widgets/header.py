"""The deployment header: two lines at the top of the console, packed to the widget's width.

Line 1: the clock and its zone, T-minus, the headline (the schedule and the probes' health in one:
it is never calm while a probe is DOWN), then what and who (title, deployment, run, operator).
Line 2: the forecast end and its drift against the plan (the headline's baseline), how far it runs
past the window's end, the rollback deadline and how long a rollback would take now (and whether it
fits), the steps done/skipped/failed, the window gauge.

The lines are fitted to the widget's width, not cut by an ellipsis: as it narrows, the least
important parts shorten and then go (the gauge, the operator, the deployment, the title, the run,
then T-minus and the counts; the rollback deadline last). The clock, the headline with the health,
the forecast end and the overrun always stay, at most in a shorter form; at 80 columns they fit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from warroom.vocabulary import Decision, outcome_counts
from warroom.widgets.display import (
    PROBE_GLYPH,
    ROLLBACK_WARNINGS,
    age_text,
    moment_text,
    probe_state_css,
    signed_span,
    span,
    t_minus,
    zone_label,
)

HEADLINE_GLYPH = {"ON TRACK": "●", "DELAYED": "▲", "BLOCKED": "■", "COMPLETE": "✔"}
# How bad each schedule headline and probe state is: 0 calm, 1 warning, 2 failure.
SCHEDULE_SEVERITY = {"ON TRACK": 0, "COMPLETE": 0, "DELAYED": 1, "BLOCKED": 2}
PROBE_SEVERITY = {"UP": 0, "UNKNOWN": 0, "DEGRADED": 1, "PENDING": 1, "DOWN": 2}
# The order probe states are told in: the worst first.
HEALTH_ORDER = ("DOWN", "PENDING", "DEGRADED", "UNKNOWN", "UP")
SEVERITY_CLASS = ("deployment-header--calm", "deployment-header--warning", "deployment-header--failure")
PROBE_CLASS = {state: f"deployment-header--probe-{state.lower()}" for state in HEALTH_ORDER}
ROLLBACK_WARNING = timedelta(minutes=ROLLBACK_WARNINGS[0])  # the deadline in the warning colour from here
ROLLBACK_URGENT = timedelta(minutes=ROLLBACK_WARNINGS[-1])  # and in the failure colour from here
FLASH_SECONDS = 2.0
GAP = "  "  # between the parts of a line
TITLE_AT_LEAST = 12  # cells: a title cut shorter than this says nothing, so it goes instead
GAUGE_CELLS = 20
# The latest decision as the header says it: short word, glyph, and how it colours (0 calm ... 2 failure).
DECISION_BADGE = {
    Decision.GO: ("GO", "✓", 0),
    Decision.CONDITIONAL: ("COND GO", "◐", 1),
    Decision.NO_GO: ("NO-GO", "✗", 2),
    Decision.PROCEED: ("PROCEED", "✓", 0),
    Decision.ROLLBACK: ("ROLLBACK", "↶", 2),
}


@dataclass(frozen=True)
class HeaderInfo:
    title: str
    deployment: str
    version: str
    run: str
    operator: str
    zone: tzinfo
    window_start: datetime
    window_end: datetime
    rollback_deadline: datetime | None
    done: int  # steps done; skipped and failed steps are counted apart, never as done
    skipped: int
    failed: int
    total: int
    headline: str  # the schedule's: ON TRACK, DELAYED, BLOCKED, COMPLETE (runbook/forecast.py)
    expected_end: datetime
    drift: timedelta  # forecast end minus the plan's end: the headline's baseline
    overrun: timedelta  # how far the forecast end runs past the window's end (zero if it does not)
    probe_count: int = 0  # probes in the runbook: those not reported yet read as UNKNOWN
    runbook_warning: str = ""  # this runbook is not the one the run recorded, or not everyone's
    conflicts: int = 0  # steps and checklist items marked with a conflict nobody has resolved
    decision: Decision | None = None  # the latest go/no-go or go-live decision, if any
    decision_at: datetime | None = None
    rollback_time: timedelta = timedelta(0)  # how long rolling back what is done would take now
    rollback_fits: bool = True  # whether that ends before the window closes


@dataclass(frozen=True)
class SyncInfo:
    """What the header says about sync (tui/rows.py builds it from the syncer's status)."""

    last_ok: datetime | None  # the last round that reached the export
    unreachable_since: datetime | None  # set while rounds fail to reach it
    waiting: int  # this device's events not published yet
    peers: tuple[tuple[str, datetime], ...] = ()  # (person, their newest event), freshest first
    quarantined: int = 0  # events held back, their key not trusted here
    alarms: int = 0  # known operators arriving with an unknown key, or keys signing as someone else


@dataclass(frozen=True)
class DayInfo:
    """Open incidents and the next status update, as the header says them (tui/day_rows.py builds it)."""

    incidents: tuple[tuple[str, int], ...] = ()  # (severity, how many are open), P1 first; only those with any
    urgent: str = ""  # the countdown that ends first: 'respond in 12m', '⚠ OVERDUE respond 4m'
    urgent_overdue: bool = False
    update: str = ""  # 'update in 7m', '⚠ update 3m overdue'
    update_overdue: bool = False


@dataclass
class Part:
    """One thing the header says, in forms from the longest to the shortest, and when each gives way.

    `ranks[k]` is the rank at which form k gives way, to form k+1 or, for the last form, to
    nothing: as the line narrows the highest rank gives way first. A part that must stay has one
    rank fewer than forms (its last form never goes). A `flexible` part is cut with an ellipsis to
    what room is left, when that is enough to say something, rather than go."""

    forms: Sequence[Text]
    ranks: Sequence[int]
    right: bool = False  # drawn at the line's right end
    flexible: bool = False


def fit_line(parts: Sequence[Part], width: int) -> Text:
    """The parts on one line of `width` cells. While it is too wide, the part whose next step has
    the highest rank gives way (shorter form, cut, or gone). Parts keep their order; the right ones
    are pushed to the right end. Cropped only when what must stay is still too wide."""
    form = [0] * len(parts)
    shown = [True] * len(parts)
    cut: dict[int, Text] = {}

    def text_of(i: int) -> Text:
        return cut[i] if i in cut else parts[i].forms[form[i]]

    def needed(skip: int | None = None) -> int:
        cells = [text_of(i).cell_len for i in range(len(parts)) if shown[i] and i != skip]
        return sum(cells) + len(GAP) * max(len(cells) - 1, 0)

    while needed() > width:
        movable = [i for i, part in enumerate(parts) if shown[i] and i not in cut and form[i] < len(part.ranks)]
        if not movable:
            break
        i = max(movable, key=lambda j: (parts[j].ranks[form[j]], j))
        part = parts[i]
        if form[i] < len(part.forms) - 1:
            form[i] += 1
        elif part.flexible and (room := width - needed(skip=i) - len(GAP)) >= TITLE_AT_LEAST:
            cut[i] = text_of(i).copy()
            cut[i].truncate(room - 1)
            cut[i].rstrip()
            cut[i].append("…")
        else:
            shown[i] = False
    left = Text(GAP).join(text_of(i) for i in range(len(parts)) if shown[i] and not parts[i].right)
    right = Text(GAP).join(text_of(i) for i in range(len(parts)) if shown[i] and parts[i].right)
    if right.cell_len:
        padding = max(width - left.cell_len - right.cell_len, len(GAP) if left.cell_len else 0)
        left.append(" " * padding)
        left.append_text(right)
    left.truncate(width, overflow="ellipsis")
    return left


PEERS_NAMED = 3  # people named in the sync part; the rest are counted


def sync_forms(sync: SyncInfo, zone: tzinfo, now: datetime, warning: Style) -> list[Text]:
    """The sync part's forms, longest first: when it last reached the export (or since when it
    has not), what waits to go out, and who else is seen and how fresh."""
    out = [f"{sync.waiting} out"] if sync.waiting else []
    if sync.unreachable_since is not None:
        since = moment_text(sync.unreachable_since, zone, now)
        waits = "".join(f" · {text}" for text in out)
        return [Text(f"⇅ export unreachable since {since}{waits}", warning),
                Text(f"⇅ unreachable {since}{waits}", warning),
                Text(f"⇅ ✖ {since}" + (f" {sync.waiting}↑" if sync.waiting else ""), warning)]
    if sync.last_ok is None:
        return [Text("⇅ never synced"), Text("⇅ never"), Text("⇅ –")]
    last = sync.last_ok.astimezone(zone)
    peers = [f"{name} {age_text(now - newest)}" for name, newest in sync.peers[:PEERS_NAMED]]
    if len(sync.peers) > PEERS_NAMED:
        peers.append(f"+{len(sync.peers) - PEERS_NAMED}")
    long = " · ".join([f"⇅ {last:%H:%M:%S}", *out, *([", ".join(peers)] if peers else [])])
    counted = [f"{len(sync.peers)} peer{'s' if len(sync.peers) != 1 else ''}"] if sync.peers else []
    medium = " · ".join([f"⇅ {last:%H:%M}", *out, *counted])
    short = f"⇅ {last:%H:%M}" + (f" {sync.waiting}↑" if sync.waiting else "")
    return [Text(long), Text(medium), Text(short)]


def health_counts(probes: Mapping[str, str], probe_count: int) -> dict[str, int]:
    """Probe state -> how many probes are in it, worst first; probes not reported yet are UNKNOWN."""
    counts = {state: sum(value == state for value in probes.values()) for state in HEALTH_ORDER}
    counts["UNKNOWN"] += max(probe_count - len(probes), 0)
    return {state: count for state, count in counts.items() if count}


class DeploymentHeader(Widget):
    """Two lines; re-rendered every second from the app's clock and at each resize."""

    COMPONENT_CLASSES = {*SEVERITY_CLASS, *PROBE_CLASS.values()}
    DEFAULT_CSS = """
    DeploymentHeader {
        height: 2; background: $panel; color: $foreground; padding: 0 1;
        text-wrap: nowrap;
    }
    DeploymentHeader > .deployment-header--calm { color: $success; text-style: bold; }
    DeploymentHeader > .deployment-header--warning { color: $warning; text-style: bold; }
    DeploymentHeader > .deployment-header--failure { color: $error; text-style: bold; }
    DeploymentHeader.-flash > .deployment-header--calm,
    DeploymentHeader.-flash > .deployment-header--warning,
    DeploymentHeader.-flash > .deployment-header--failure { text-style: bold reverse; }
    """ + probe_state_css("DeploymentHeader > .deployment-header--probe-", " text-style: bold;") + """
    DeploymentHeader.-flash > .deployment-header--probe-down,
    DeploymentHeader.-flash > .deployment-header--probe-pending,
    DeploymentHeader.-flash > .deployment-header--probe-degraded { text-style: bold reverse; }
    """

    info: reactive[HeaderInfo | None] = reactive(None)
    probes: reactive[dict[str, str]] = reactive(dict)  # probe name -> state
    sync: reactive[SyncInfo | None] = reactive(None)  # None: no export, and the header says nothing of sync
    day: reactive[DayInfo | None] = reactive(None)  # open incidents and the next status update

    def __init__(self, now: Callable[[], datetime], **kwargs) -> None:
        super().__init__(**kwargs)
        self._now = now
        self._flash_timer: Timer | None = None

    def on_mount(self) -> None:
        self.set_interval(1, self.refresh)

    def flash(self, seconds: float = FLASH_SECONDS) -> None:
        """Draw the eye: the headline (and the failing probes) in reversed colours for a moment.
        Called again while flashing, the flash lasts `seconds` from then."""
        if self._flash_timer is not None:
            self._flash_timer.stop()
        self.add_class("-flash")
        self._flash_timer = self.set_timer(seconds, self._end_flash)

    def _end_flash(self) -> None:
        self._flash_timer = None
        self.remove_class("-flash")

    @property
    def lines(self) -> tuple[str, str]:
        """The two lines as drawn now, as plain text (what a test or a screen reader reads)."""
        top, _, bottom = self.render().plain.partition("\n")
        return top, bottom

    def render(self) -> Text:
        info = self.info
        if info is None:
            return Text("")
        width = max(self.size.width, 1)
        now = self._now()
        return Text("\n").join([fit_line(self._top(info, now), width), fit_line(self._bottom(info, now), width)])

    def _style(self, component: str) -> Style:
        return self.get_component_rich_style(component, partial=True)

    # --- line 1: the clock, the headline and health, what and who --------------------------------

    def _top(self, info: HeaderInfo, now: datetime) -> list[Part]:
        local = now.astimezone(info.zone)
        zone = zone_label(info.zone, now)
        headline = self._headline(info)
        return [
            Part([Text(f"{local:%H:%M:%S} {zone}", "bold"), Text(f"{local:%H:%M} {zone}", "bold")], [1]),
            Part([Text(t_minus(now, info.window_start))], [4]),
            Part(headline, [5] * (len(headline) - 1)),  # it stays: at most it takes its short form
            *self._decision(info),
            *self._incident_parts(),
            Part([Text(info.title, "bold")], [7], right=True, flexible=True),
            Part([Text(f"{info.deployment} v{info.version}")], [8], right=True),
            Part([Text.assemble("run ", (info.run, "bold"))], [6], right=True),
            Part([Text.assemble("operator ", (info.operator, "bold")), Text(info.operator, "bold")], [9, 8],
                 right=True),
        ]

    def _headline(self, info: HeaderInfo) -> list[Text]:
        """The schedule and the probes' health as one headline, coloured by the worse of the two:
        '● ON TRACK · ✖ 3 probes DOWN' is in the failure colour. Long and short forms."""
        counts = health_counts(self.probes, info.probe_count)
        severity = max([SCHEDULE_SEVERITY[info.headline], *(PROBE_SEVERITY[state] for state in counts)])
        schedule = Text(f"{HEADLINE_GLYPH[info.headline]} {info.headline}", self._style(SEVERITY_CLASS[severity]))
        if not counts:
            return [schedule]
        long, short = Text(" · "), Text(" ")
        long_parts, short_parts = [], []
        for position, (state, count) in enumerate(counts.items()):
            noun = ("probe " if count == 1 else "probes ") if position == 0 else ""
            style = self._style(PROBE_CLASS[state])
            long_parts.append(Text(f"{PROBE_GLYPH[state]} {count} {noun}{state}", style))
            if state != "UP" or len(counts) == 1:  # the short form leaves out the probes that are well
                short_parts.append(Text(f"{PROBE_GLYPH[state]}{count} {noun}{state}", style))
        return [Text.assemble(schedule, " · ", long.join(long_parts)),
                Text.assemble(schedule, " · ", short.join(short_parts))]

    def _decision(self, info: HeaderInfo) -> list[Part]:
        """'GO ✓ 08:52', coloured and worded: the time goes before the title does, the rest with the run."""
        if info.decision is None:
            return []
        word, glyph, severity = DECISION_BADGE[info.decision]
        style = self._style(SEVERITY_CLASS[severity])
        at = f" {info.decision_at.astimezone(info.zone):%H:%M}" if info.decision_at else ""
        return [Part([Text(f"{word} {glyph}{at}", style), Text(f"{word} {glyph}", style)], [7, 6])]

    # --- line 2: the forecast, the window, the deadline, the counts, the gauge -------------------

    def _bottom(self, info: HeaderInfo, now: datetime) -> list[Part]:
        end = f"{moment_text(info.expected_end, info.zone, now)} {signed_span(info.drift)} vs plan"
        parts = [Part([Text(f"forecast end {end}"), Text(f"end {end}")], [6])]
        if info.overrun > timedelta(0):
            failure = self._style(SEVERITY_CLASS[2])
            parts.append(Part([Text(f"{span(info.overrun)} past window end", failure),
                               Text(f"+{span(info.overrun)} past window", failure)], [6]))
        if info.rollback_deadline:
            parts.append(Part(self._rollback(info, now), [5, 2]))
        if info.rollback_time:  # nothing done that needs undoing: nothing to say
            parts.append(Part(self._rollback_time(info), [4]))
        others = [f"{info.skipped} skipped"] if info.skipped else []
        others += [f"{info.failed} failed"] if info.failed else []
        parts.append(Part([Text(outcome_counts(info.done, info.skipped, info.failed, info.total)),
                           Text(" ".join([f"{info.done}/{info.total} done", *others]))], [4, 3]))
        parts.extend(self._update_parts())
        parts.extend(self._sync_parts(info, now))
        if info.runbook_warning:
            warning = self._style(SEVERITY_CLASS[1])
            parts.append(Part([Text(f"⚠ {info.runbook_warning}", warning), Text("⚠ runbook differs", warning)], [7, 3],
                              flexible=True))
        parts.append(Part([self._gauge(now, info)], [10], right=True))
        return parts

    def _incident_parts(self) -> list[Part]:
        """Open incidents by severity, then the countdown that ends first: 'P1×1 P2×2 · respond in 12m';
        in the failure colour when a P1 or P2 is open or a target has passed. Shorter, the counts stay."""
        day = self.day
        if day is None or not day.incidents:
            return []
        counts = " ".join(f"{severity}×{count}" for severity, count in day.incidents)
        urgent = any(severity in ("P1", "P2") for severity, _ in day.incidents) or day.urgent_overdue
        style = self._style(SEVERITY_CLASS[2 if urgent else 1])
        short = f"⚠ {counts} OVERDUE" if day.urgent_overdue else counts
        forms = [Text(f"{counts} · {day.urgent}", style), Text(short, style)] if day.urgent else [Text(short, style)]
        return [Part(forms, [7] if day.urgent else [])]

    def _update_parts(self) -> list[Part]:
        """The countdown to the next status update: 'update in 7m', shortened and then gone as the
        line narrows; overdue it stays, by glyph and word: '⚠ update 3m overdue'."""
        day = self.day
        if day is None or not day.update:
            return []
        short = day.update.replace("update in ", "upd ").replace("update ", "upd ")
        if day.update_overdue:
            warning = self._style(SEVERITY_CLASS[1])
            return [Part([Text(day.update, warning), Text(short, warning)], [6])]
        return [Part([Text(day.update), Text(short)], [6, 3])]

    def _sync_parts(self, info: HeaderInfo, now: datetime) -> list[Part]:
        """Sync in one part that always stays (at most in its short form), then the quarantined
        events and the conflicts when there are any: '⇅ 10:42:05 · 3 out · bob 12s, carl 4m'."""
        sync, parts = self.sync, []
        warning, failure = self._style(SEVERITY_CLASS[1]), self._style(SEVERITY_CLASS[2])
        if sync is not None:
            parts.append(Part(sync_forms(sync, info.zone, now, warning), [5, 3]))
            if sync.quarantined or sync.alarms:
                style = failure if sync.alarms else warning
                alarm = f", {sync.alarms} ALARM" if sync.alarms else ""
                short_alarm = f" {sync.alarms}!" if sync.alarms else ""
                parts.append(Part([Text(f"⚠ {sync.quarantined} quarantined{alarm}", style),
                                   Text(f"⚠{sync.quarantined}q{short_alarm}", style)], [6]))
        if info.conflicts:
            noun = "conflict" if info.conflicts == 1 else "conflicts"
            parts.append(Part([Text(f"⚡ {info.conflicts} {noun}", warning), Text(f"⚡{info.conflicts}", warning)],
                              [6]))
        return parts

    def _rollback(self, info: HeaderInfo, now: datetime) -> list[Text]:
        assert info.rollback_deadline is not None
        left = info.rollback_deadline - now
        by = moment_text(info.rollback_deadline, info.zone, now)
        if left <= timedelta(0):
            return [Text(f"rollback by {by} (passed)"), Text(f"rollback {by} passed")]
        style = Style()
        if info.headline != "COMPLETE" and left <= ROLLBACK_WARNING:
            style = self._style(SEVERITY_CLASS[2 if left <= ROLLBACK_URGENT else 1])
        return [Text(f"rollback by {by} (in {span(left)})", style), Text(f"rollback {by} in {span(left)}", style)]

    def _rollback_time(self, info: HeaderInfo) -> list[Text]:
        """How long rolling back would take now, and whether it still ends inside the window:
        '↶ 1h05m fits', '↶ 2h10m ✗ too late' (the glyph and word say it without colour)."""
        needed = span(info.rollback_time)
        if info.rollback_fits:
            return [Text(f"↶ {needed} fits")]
        return [Text(f"↶ {needed} ✗ too late", self._style(SEVERITY_CLASS[2]))]

    @staticmethod
    def _gauge(now: datetime, info: HeaderInfo, width: int = GAUGE_CELLS) -> Text:
        """The window as a bar: elapsed part filled, the rollback deadline as '|'."""
        whole = (info.window_end - info.window_start).total_seconds() or 1
        position = lambda moment: int((moment - info.window_start).total_seconds() / whole * width)  # noqa: E731
        filled = min(max(position(now), 0), width)
        cells = ["█"] * filled + ["─"] * (width - filled)
        if info.rollback_deadline:
            mark = position(info.rollback_deadline)
            if 0 <= mark < width:
                cells[mark] = "|"
        start, end = (moment_text(moment, info.zone, now) for moment in (info.window_start, info.window_end))
        return Text(f"{start}[{''.join(cells)}]{end}")
