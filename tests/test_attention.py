"""Attention when it matters (issue 8, item 9): the bell rings once, and a notice says why, when a
probe goes DOWN, a step overruns, or the rollback deadline comes within 60, 30 and 10 minutes;
what is already so when the console opens is shown, not rung for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warroom.probes import ProbeState, ProbeStatus
from warroom.tui.attention import Attention
from warroom.tui.main_screen import ProbesUpdated

NOON = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def opened() -> Attention:
    attention = Attention()
    assert attention.news({}, [], None, NOON) == []  # the first look: what is so is not news
    return attention


def test_a_probe_going_down_is_news_once_and_again_after_it_recovered():
    attention = opened()
    assert attention.news({"web": "UP", "db": "UP"}, [], None, NOON) == []
    assert attention.news({"web": "DOWN", "db": "UP"}, [], None, NOON) == ["probe web is DOWN"]
    assert attention.news({"web": "DOWN"}, [], None, NOON) == []
    assert attention.news({"web": "UP"}, [], None, NOON) == []
    assert attention.news({"web": "DOWN"}, [], None, NOON) == ["probe web is DOWN"]


def test_a_probe_first_seen_down_is_not_news_until_it_recovers_and_falls_again():
    attention = opened()
    assert attention.news({"web": "UNKNOWN"}, [], None, NOON) == []
    assert attention.news({"web": "DOWN"}, [], None, NOON) == []
    assert attention.news({"web": "PENDING"}, [], None, NOON) == []
    assert attention.news({"web": "DOWN"}, [], None, NOON) == ["probe web is DOWN"]


def test_an_overrun_is_news_when_it_starts_not_when_the_console_opens_on_it():
    attention = Attention()
    assert attention.news({}, [("backup", "Backup")], None, NOON) == []
    assert attention.news({}, [("backup", "Backup"), ("deploy", "Deploy")], None, NOON) == [
        "'Deploy' runs past its planned duration"]


def test_the_rollback_deadline_warns_at_60_30_and_10_minutes_then_once_passed():
    attention, deadline = opened(), NOON
    told = [attention.news({}, [], deadline, deadline - timedelta(minutes=left))
            for left in (90, 59, 45, 29, 11, 9, 5, 0, -5)]
    assert told == [[], ["the rollback deadline is less than 60 minutes away"], [],
                    ["the rollback deadline is less than 30 minutes away"], [],
                    ["the rollback deadline is less than 10 minutes away"], [],
                    ["the rollback deadline has passed"], []]


def down(name: str) -> ProbesUpdated:
    return ProbesUpdated([ProbeStatus(name, "http", ProbeState.DOWN)])


async def test_a_probe_going_down_rings_once_and_says_so(console):
    rung = []
    async with console.run(notifications=True) as ui:
        ui.app.bell = lambda: rung.append(1)
        ui.screen.post_message(ProbesUpdated([ProbeStatus("web", "http", ProbeState.UP)]))
        for _ in range(3):  # the same DOWN in three batches: one ring
            ui.screen.post_message(down("web"))
            await ui.pause(0.05)
        await ui.until(lambda: any("Probe web is DOWN" in n.message for n in ui.app._notifications))
        assert rung == [1]


async def test_no_bell_keeps_the_terminal_quiet_but_still_says_so(console):
    rung = []
    async with console.run(app=console.app(bell=False), notifications=True) as ui:
        ui.app.bell = lambda: rung.append(1)
        ui.screen.post_message(ProbesUpdated([ProbeStatus("web", "http", ProbeState.UP)]))
        ui.screen.post_message(down("web"))
        await ui.until(lambda: any("Probe web is DOWN" in n.message for n in ui.app._notifications))
        assert rung == []
