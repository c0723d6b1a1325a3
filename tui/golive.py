"""The go-live decision (PROCEED or ROLLBACK) and the rollback branch, in the console.

`L` (or `d` on a step with `gate: go-live`) opens GoLiveDialog: what stands against PROCEED, how
long a rollback would take now and whether it still fits the window. PROCEED is plain when nothing
stands against it, otherwise an override that asks why; ROLLBACK asks first. Once the latest
go-live decision is ROLLBACK the timeline shows the rollback branch (tui/rollback_rows.py), and the
step keys s / d / f act on the selected row's rollback action; `v` switches between the branch and
the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Label, Static

from warroom.ops.actions import record_step, step_guards
from warroom.ops.decisions import go_live_blockers, record_decision, rolling_back
from warroom.ops.rollback import record_rollback, rollback_fits, rollback_plan, rollback_time
from warroom.runbook.model import Runbook
from warroom.store import Event, Ledger, RunState
from warroom.tui.rollback_rows import rollback_rows
from warroom.tui.screens import Confirm, ReadingDialog, TextPrompt
from warroom.untrusted import for_screen
from warroom.vocabulary import Decision, DecisionPoint
from warroom.widgets.display import clock, span
from warroom.widgets.timeline import TimelineRow, TitleRow

if TYPE_CHECKING:
    from warroom.tui.main_screen import MainScreen

# What the step keys do on the rollback branch; skip and reopen have no meaning there.
BRANCH_ACTIONS = frozenset({"start", "done", "fail"})
BLOCKERS_SHOWN = 4  # lines of what stands against PROCEED; the rest are counted


@dataclass(frozen=True)
class GoLiveFacts:
    """What the dialog shows, already in words."""

    blockers: tuple[str, ...]  # what stands against PROCEED
    rollback_time: str  # "1h05m"
    fits: bool  # a rollback started now ends before the window closes
    window_end: str  # "18:00"
    to_undo: int  # rollback actions on the branch now
    latest: str = ""  # the go-live decision already recorded, in words; "" when none


def go_live_facts(runbook: Runbook, state: RunState, now: datetime) -> GoLiveFacts:
    zone = runbook.window.zone
    latest = state.latest_decision(DecisionPoint.GO_LIVE)
    said = f"{latest.label} by {latest.operator} at {clock(latest.at, zone)}" if latest else ""
    return GoLiveFacts(tuple(go_live_blockers(runbook, state)), span(rollback_time(runbook, state)),
                       rollback_fits(runbook, state, now), clock(runbook.window.end, zone),
                       len(rollback_plan(runbook, state)), said)


class GoLiveDialog(ReadingDialog[str | None]):
    """PROCEED or ROLLBACK: closes with "proceed", "rollback", or None (cancelled)."""

    BINDINGS = [
        Binding("escape,q", "close", "Cancel", id="golive.cancel"),
        Binding("p", "choose('proceed')", "Proceed", id="golive.proceed",
                tooltip="Go live; against what stands in the way only as an override, with the reason"),
        Binding("r", "choose('rollback')", "Rollback", id="golive.rollback",
                tooltip="Roll back: the timeline switches to the rollback branch (asks first)"),
    ]

    def __init__(self, facts: GoLiveFacts) -> None:
        super().__init__()
        self.facts = facts

    def compose(self) -> ComposeResult:
        facts = self.facts
        with VerticalScroll(classes="dialog"):
            yield Label("Go-live decision: PROCEED or ROLLBACK", classes="dialog-title")
            # The choices first: they stay in sight at 80x24 whatever the list below holds.
            proceed = "p PROCEED (override: asks why)" if facts.blockers else "p PROCEED"
            yield Label(f"{proceed} · r ROLLBACK (asks first) · Escape to cancel", classes="golive-choices")
            if facts.latest:
                yield Static(Content(f"Already decided: {for_screen(facts.latest)}; a new decision replaces it."))
            yield Label("Against PROCEED", classes="section")
            lines = [f"✖ {for_screen(reason)}" for reason in facts.blockers[:BLOCKERS_SHOWN]]
            if len(facts.blockers) > BLOCKERS_SHOWN:  # the choices below stay in sight at 80x24
                lines.append(f"… and {len(facts.blockers) - BLOCKERS_SHOWN} more ({len(facts.blockers)} in all)")
            lines = lines or ["✔ nothing: every smoke test passed and no P1 is open"]
            yield Static(Content("\n".join(lines)), id="golive-blockers")
            yield Label("Rollback now", classes="section")
            fits = (f"✔ fits: ends before the window closes at {facts.window_end}" if facts.fits
                    else f"✗ too late: would end after the window closes at {facts.window_end}")
            actions = f"{facts.to_undo} rollback action{'s' if facts.to_undo != 1 else ''}"
            yield Static(Content(f"↶ {facts.rollback_time} for {actions} · {fits}"), id="golive-rollback")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


class GoLive:
    """The main screen's go-live flows: the decision, and the rollback branch in the timeline."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.runbook = screen.runbook
        self.showing_branch = False  # the timeline shows the rollback branch, not the plan
        self._was_rolling_back = False  # as the last snapshot shown said

    # --- the decision ---------------------------------------------------------------------------

    def needs_decision(self, step_id: str, action: str, state: RunState) -> bool:
        """`d` on a step with `gate: go-live` while no go-live decision is recorded: the decision
        finishes that step."""
        return (action == "done" and self.runbook.step(step_id).gate == DecisionPoint.GO_LIVE
                and state.latest_decision(DecisionPoint.GO_LIVE) is None)

    def open(self, step_id: str | None = None) -> None:
        """The dialog; `step_id`: the go-live step it finishes once decided."""
        state = self.screen.snapshot.state if self.screen.snapshot else None
        if state is None:
            return
        facts = go_live_facts(self.runbook, state, self.screen.now())
        self.screen.app.push_screen(GoLiveDialog(facts), partial(self._chosen, facts, step_id))

    def _chosen(self, facts: GoLiveFacts, step_id: str | None, choice: str | None) -> None:
        app = self.screen.app
        if choice == "proceed" and not facts.blockers:
            self._decide(Decision.PROCEED, None, step_id)
        elif choice == "proceed":
            prompt = TextPrompt("PROCEED anyway (override)?", "why you go live despite this (recorded)", required=True,
                                details=[f"· {reason}" for reason in facts.blockers])
            app.push_screen(prompt, lambda note: self._decide(Decision.PROCEED, note, step_id, override=True)
                            if note else None)
        elif choice == "rollback":
            actions = f"{facts.to_undo} rollback action{'' if facts.to_undo == 1 else 's'}"
            question = (f"ROLL BACK? {actions}, about {facts.rollback_time}; "
                        "the timeline switches to the rollback branch.")
            app.push_screen(Confirm(question), lambda yes: self._ask_rollback_reason(step_id) if yes else None)

    def _ask_rollback_reason(self, step_id: str | None) -> None:
        prompt = TextPrompt("Why roll back? (optional: Enter records without one)", "the reason, for the log")
        self.screen.app.push_screen(prompt, lambda note: self._decide(Decision.ROLLBACK, note or None, step_id)
                                    if note is not None else None)

    def _decide(self, decision: Decision, note: str | None, step_id: str | None, *, override: bool = False) -> None:
        """Recorded against the ledger's state now, not the one on screen: PROCEED is judged on what
        stands against it at this moment. The go-live step, when given, is marked done after it."""
        runbook, probe_states = self.runbook, self.screen.probe_states

        def change(ledger: Ledger, state: RunState) -> Event:
            event = record_decision(ledger, runbook, state, decision, note, override=override)
            if step_id is not None:
                guards = step_guards(runbook, state, step_id, "done", probe_states)
                record_step(ledger, runbook, state.with_event(event), step_id, "done",
                            f"finished by the go-live decision: {decision.label}", override=guards or None)
            return event

        self.screen.console.write(change)

    # --- the rollback branch --------------------------------------------------------------------

    def rows(self, state: RunState, now: datetime) -> tuple[TitleRow | TimelineRow, ...] | None:
        """The branch's rows while the timeline shows it, else None (the plan's rows). A ROLLBACK
        arriving (or found when the console opens) switches the timeline to the branch once; `v`
        switches back and forth."""
        rolling = rolling_back(state)
        if rolling and not self._was_rolling_back:  # ROLLBACK arrived, or was so when the console opened
            self.showing_branch = True
        self._was_rolling_back = rolling
        self.showing_branch = self.showing_branch and rolling
        return rollback_rows(self.runbook, state, now) if self.showing_branch else None

    def toggle(self) -> None:
        self.showing_branch = not self.showing_branch

    def act(self, step_id: str, action: str) -> None:
        """A step key on the branch: start, finish or fail the row's rollback action (fail asks what)."""
        if action not in BRANCH_ACTIONS:
            self.screen.notify("On the rollback branch: s starts, d finishes, f fails the selected rollback; "
                               "v shows the plan.", severity="warning")
            return
        title = for_screen(self.runbook.step(step_id).title, limit=200)
        if action == "fail":
            prompt = TextPrompt(f"What failed in the rollback of '{title}' ({step_id})?", "what failed", required=True)
            self.screen.app.push_screen(prompt, lambda note: self._record(step_id, action, note) if note else None)
        else:
            self._record(step_id, action, None)

    def _record(self, step_id: str, action: str, note: str | None) -> None:
        runbook = self.runbook
        self.screen.console.write(lambda ledger, state: record_rollback(ledger, runbook, state, step_id, action, note),
                                  self.screen.snapshot.state if self.screen.snapshot else None)

