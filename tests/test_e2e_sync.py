"""Two consoles under tmux, each with its own database and its own data folder (so its own device
key), sharing one export folder: a step marked done in one shows in the other within two seconds,
through the folder watch, not the 10-second interval."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from support import WEB_CUTOVER
from test_e2e_tmux import RUN, Tmux, base_env, cli, row, timeline_shown, warroom_script

from warroom.runbook import load

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (make test installs it)")
FIRST = load(WEB_CUTOVER).steps[0]
SEEN_WITHIN = 2.0  # seconds: the figure for two operators on one jump host


def console(tmp_path: Path, name: str) -> tuple[Tmux, Path]:
    workdir = tmp_path / name
    workdir.mkdir()
    return Tmux(workdir), workdir


def open_with_export(db: Path, operator: str, share: Path) -> list[str]:
    return [warroom_script(), "open", str(WEB_CUTOVER), "--db", str(db), "--operator", operator, "--run", RUN,
            "--export", str(share), "--role", "DevOps"]


def public_key(data_home: Path) -> str:
    shown = cli(data_home, "keys", "show")
    assert shown.returncode == 0, shown.stderr
    return shown.stdout.splitlines()[0].removeprefix("key: ")


def test_a_step_done_in_one_console_shows_in_the_other_within_two_seconds(tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    homes = {name: tmp_path / f"xdg-{name}" for name in ("ana", "bob")}
    keys = {name: public_key(home) for name, home in homes.items()}
    for name, other in (("ana", "bob"), ("bob", "ana")):
        assert cli(homes[name], "keys", "trust", other, keys[other]).returncode == 0
    (ana, ana_dir), (bob, bob_dir) = console(tmp_path, "ana"), console(tmp_path, "bob")
    try:
        ana.start(base_env(homes["ana"]), open_with_export(ana_dir / "ana.sqlite", "ana", share))
        bob.start(base_env(homes["bob"]), open_with_export(bob_dir / "bob.sqlite", "bob", share))
        for each in (ana, bob):
            each.wait_for(lambda s: timeline_shown(s) and "⇅" in s, "the timeline and the sync part")
        pressed = time.monotonic()
        ana.keys("d")
        # Well under the 10 s interval: only the write's own round and the folder watch can be this quick.
        # The bound leaves room for a loaded machine; the figure itself is printed, not asserted.
        bob.wait_for(lambda s: "✔ done" in row(s, FIRST.title[:20]), "ana's step in bob's console",
                     timeout=SEEN_WITHIN + 3.0)
        print(f"bob saw ana's step {time.monotonic() - pressed:.2f} s after ana pressed d")
        assert "✔ done" in row(ana.screen(), FIRST.title[:20])
        for each in (ana, bob):
            each.keys("q")
            assert each.wait_for_exit() == 0
    finally:
        ana.kill()
        bob.kill()
