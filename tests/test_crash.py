"""A crash of the console is never silent: the ledger stays whole, the traceback goes to a private
file, and the command line exits non-zero with one line that says where the file is."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

from support import WEB_CUTOVER, pure_env

from warroom.ops.loading import load_runbook
from warroom.store import Ledger

# The real `warroom open`, headless (no terminal here), with a bug planted where the first snapshot
# of the ledger is shown: an exception inside the running console, as a real bug would be.
CRASHING_CONSOLE = textwrap.dedent("""
    import sys
    import textual.app
    from warroom.tui import main_screen
    from warroom.tui.cli import main

    run = textual.app.App.run
    textual.app.App.run = lambda self, **options: run(self, headless=True, size=(120, 36))

    def planted_bug(self, *args, **kwargs):
        raise RuntimeError("a planted bug")

    main_screen.MainScreen.show_snapshot = planted_bug
    main(sys.argv[1:])
""")


def test_a_crash_in_the_console_says_where_its_traceback_is_and_loses_nothing(tmp_path):
    runbook = load_runbook(WEB_CUTOVER)
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db, runbook.id, "ana", run="live", runbook_sha256=runbook.sha256) as ledger:
        ledger.append("note.added", "", {"text": "recorded before the crash"})
        recorded = [event.id for event in ledger.events()]

    data_home = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-c", CRASHING_CONSOLE, "open", str(WEB_CUTOVER), "--db", str(db), "--operator", "ana"],
        capture_output=True, text=True, timeout=60, env=pure_env(XDG_DATA_HOME=str(data_home)),
    )

    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # one line, not a screenful of traceback
    found = re.search(r"the traceback is in (\S+)\.$", lines[0])
    assert found and "unexpected error" in lines[0] and "everything recorded is kept" in lines[0]
    report = Path(found.group(1))
    assert report.is_relative_to(data_home / "warroom")
    assert "RuntimeError: a planted bug" in report.read_text()
    assert stat.S_IMODE(os.stat(report).st_mode) == 0o600
    with Ledger.open(db, runbook.id, "ana", run="live", runbook_sha256=runbook.sha256) as ledger:
        assert [event.id for event in ledger.events()][: len(recorded)] == recorded
