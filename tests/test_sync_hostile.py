"""A peer's text is untrusted text: imported notes, reasons and operator names, a conflict's
displaced version and a quarantined writer's name reach the screen through the same sanitiser as
everything else (escapes visible, markup literal, never a link or an action)."""

from __future__ import annotations

import pytest
from support import WEB_CUTOVER, main_screen, until
from test_hostile_text import CORPUS, check_screen, storable

from warroom.ops.loading import load_runbook
from warroom.store import Ledger
from warroom.sync.export import open_export
from warroom.sync.keys import device_key
from warroom.sync.round import Syncer
from warroom.sync.trust import Trust
from warroom.tui.app import WarroomApp
from warroom.untrusted import visible
from warroom.widgets.timeline import Timeline

RUN = "rehearsal-1"
SOME = ["osc-title-and-colour", "click-quit", "link", "close-tag", "right-to-left", "100kb"]


@pytest.mark.parametrize("name", SOME)
async def test_a_peers_text_is_shown_as_data(name, tmp_path):
    text = storable(CORPUS[name])
    runbook = load_runbook(WEB_CUTOVER)
    first = runbook.steps[0].id
    share = tmp_path / "share"
    share.mkdir()
    keys = {who: device_key(tmp_path / f"keys-{who}") for who in ("me", "peer", "stranger")}
    trust = Trust.build((), [("me", keys["me"].public), (text, keys["peer"].public)], "")

    def ledger(operator: str, file: str) -> Ledger:
        return Ledger.open(tmp_path / file, runbook.id, operator, run=RUN, node=file.split(".")[0],
                           runbook_sha256=runbook.sha256)

    me = ledger("me", "me.sqlite")
    me.append("step.started", first)
    with ledger(text, "peer.sqlite") as peer:  # a trusted peer whose name and words are hostile
        peer.append("step.failed", first, {"note": text})  # unseen of my start: a conflict
        peer.append("note.added", "", {"text": text})
        Syncer(peer, open_export(str(share), tmp_path / "cache-p"), keys["peer"], trust).round()
    with ledger(text + " (stranger)", "stranger.sqlite") as stranger:  # not trusted: quarantined
        stranger.append("note.added", "", {"text": text})
        Syncer(stranger, open_export(str(share), tmp_path / "cache-s"), keys["stranger"], trust).round()
    syncer = Syncer(me, open_export(str(share), tmp_path / "cache-m"), keys["me"], trust)
    literal = visible(text)[:20]
    app = WarroomApp(runbook, me, follow_ledger=False, probes=False, syncer=syncer)
    try:
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            screen = main_screen(app)
            await until(pilot, lambda: screen.snapshot is not None and screen.side_ready, "the first snapshot")
            await until(pilot, lambda: app.sync_status is not None and app.sync_status.quarantined > 0, "a round")
            await until(pilot, lambda: screen.snapshot.state.step(first).conflict != (), "the conflict")
            await pilot.pause()
            check_screen(app, "main screen after the import")
            screen.query_one(Timeline).select_step(first)
            screen.query_one(Timeline).focus()
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "StepDetail", "the step detail")
            await pilot.pause()
            check_screen(app, "the conflicted step's detail", expect=literal)
            await pilot.press("escape")
            await pilot.press("Q")
            await until(pilot, lambda: type(app.screen).__name__ == "QuarantineScreen" and app.screen.loaded, "Q")
            await pilot.pause()
            check_screen(app, "the sync screen", expect=literal)
    finally:
        me.close()
