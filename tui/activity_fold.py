"""A probe's repeated changes, folded into one entry of the activity log.

A flapping probe writes a change every few seconds (a rehearsal saw ~30 in two minutes from one
`host-cpu` probe) and buries the steps around them. Its changes that follow each other closely
become one entry with a count; everything else stays one entry per event. Pure: events in, groups
of events out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from warroom.store import Event
from warroom.vocabulary import EventKind

FOLD_GAP = timedelta(minutes=10)  # changes further apart than this are separate stories
FOLD_FROM = 3  # this many changes make one entry; two (down, then up again) read better apart


def fold_repeats(events: Sequence[Event], gap: timedelta = FOLD_GAP,
                 least: int = FOLD_FROM) -> list[tuple[Event, ...]]:
    """`events` (newest first) as entries, each a tuple of events, newest first.

    One probe's changes recorded by one operator, each within `gap` of the next, with no other event
    about that probe between them, make one entry when there are `least` of them or more and the
    probe went back to a state it had left (it flaps); it sits where its newest change is. Every other
    event is an entry of its own, in the order given: a probe going PENDING, DOWN, then UP tells a
    story of its own, line by line.
    """
    runs: list[list[Event]] = []  # every event's run: a probe's close changes, else the event alone
    run_of: list[int] = []  # per event, the index of its run
    open_runs: dict[str, int] = {}  # probe name -> the run its next older change may join
    for event in events:
        run = open_runs.get(event.subject)
        if event.kind == EventKind.PROBE_CHANGED and run is not None and _continues(runs[run][-1], event, gap):
            runs[run].append(event)
        else:
            run = len(runs)
            runs.append([event])
            if event.kind == EventKind.PROBE_CHANGED:
                open_runs[event.subject] = run
            else:
                open_runs.pop(event.subject, None)  # anything else about the probe ends its run
        run_of.append(run)

    entries: list[tuple[Event, ...]] = []
    folded: set[int] = set()
    for event, run in zip(events, run_of, strict=True):
        members = runs[run]
        if len(members) < least or not _flaps(members):
            entries.append((event,))
        elif run not in folded:
            folded.add(run)
            entries.append(tuple(members))
    return entries


def _flaps(changes: Sequence[Event]) -> bool:
    """Some state is reached twice."""
    reached = [str(change.body.get("to")) for change in changes]
    return len(set(reached)) < len(reached)


def _continues(newer: Event, older: Event, gap: timedelta) -> bool:
    return newer.operator == older.operator and newer.at - older.at <= gap
