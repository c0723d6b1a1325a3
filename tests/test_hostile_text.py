"""Text from outside is data: every corpus string, put in every place the console and the command
line show text, appears literally (escapes visible), never crashes, never becomes markup, a link or
an action, and never reaches the terminal as a raw control character.

Each string goes into one runbook everywhere at once (title, phase, owner, step title, command,
rollback, validation, checklist items, smoke tests, probe name, and a command probe that prints it
on stdout and stderr) and into the ledger (operator and run names, notes, fail and skip reasons, a
peer's probe.changed event). Then the console opens every screen and prompt under Pilot, and
`validate`, `status`, `log` and `probe` run on it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import WEB_CUTOVER, main_screen, pure_env, until

from warroom.ops.actions import add_note, record_step
from warroom.ops.loading import load_runbook
from warroom.store import Ledger, LedgerError
from warroom.tui.app import NOTICE_LIMIT, WarroomApp
from warroom.tui.cli import main
from warroom.untrusted import for_screen, json_text, visible
from warroom.vocabulary import EventKind
from warroom.widgets.activity import ActivityLog
from warroom.widgets.probe_board import ProbeBoard
from warroom.widgets.timeline import Timeline

CORPUS = {
    "osc-title-and-colour": "x \x1b]2;PWNED\x1b\\ \x1b[41mRED",
    "clear-screen": "\x1b[2J",
    "hyperlink": "\x1b]8;;http://x\x1b\\",
    "close-tag": "Deploy [/] v2",
    "bare-close": "[/]",
    "click-quit": "[@click=app.quit]x[/]",
    "click-quit-spaced": "[ @click=app.quit]x[/]",
    "click-screenshot": "[ @click=app.screenshot('f.txt','/tmp')]overwrite[/]",
    "link": "[link=file:///etc/passwd]x[/link]",
    "variable": "[$accent]accent",
    "bold-tag": "[B]bold",
    "trailing-backslash": "C:\\temp\\",
    "nul": "a\x00b",
    "lone-surrogate": "a\ud800b",
    "right-to-left": "abc\u202edcba",
    "c1-csi": "x\x9b31mred",
    "del": "x\x7fy",
    "100kb": "[b]" + "A" * 100_000 + "\x1b[2J",
}
DANGEROUS = {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0), 0x202E)} | {chr(c) for c in range(0xD800, 0xE000)}


def hostile_runbook(folder: Path, text: str) -> Path:
    """The web cutover's shape, with `text` in every field a person or a probe can write. The probe
    prints `text` as it is (a lone surrogate as the bytes that are not UTF-8); the runbook holds it
    as text (see test_a_runbook_holding_a_lone_surrogate_is_refused_where_it_is)."""
    body = folder / "probe-output.txt"
    body.write_bytes(text.encode("utf-8", "surrogatepass"))
    text = storable(text)
    probe_name = f"probe {text}"
    document = {
        "id": "hostile",
        "title": text,
        "version": 1,
        "window": {"start": "2026-11-28T08:00+01:00", "end": "2026-11-28T18:00+01:00", "rollback_deadline": "14:00"},
        "checklists": {
            "pre_deployment": [{"id": "pre-hostile", "text": text}, "Team members available"],
            "go_no_go": {"functional": [{"id": "go-hostile", "text": text}]},
            "post_deployment": [{"id": "post-hostile", "text": text}],
        },
        "smoke_tests": [{"id": "smoke-hostile", "text": text}],
        "steps": [
            {"id": "first", "title": text, "phase": text, "owner": text, "duration": "15m", "at": "08:00",
             "command": text, "rollback": text, "validate": [text, {"probe": probe_name}]},
            {"id": "second", "title": text, "after": ["first"], "owner": text, "duration": "15m", "command": text},
            {"id": "third", "title": text, "after": ["second"], "duration": "15m"},
        ],
        "probes": [{"name": probe_name, "command": f"cat '{body}'; cat '{body}' >&2; exit 1", "interval": "1h", "fail_after": 1}],
    }
    path = folder / "hostile.yaml"
    path.write_text(json.dumps(document), encoding="ascii")  # JSON is YAML, and much faster to write
    return path


def storable(text: str) -> str:
    """SQLite's TEXT columns take UTF-8 only: a name with a lone surrogate cannot be an operator
    (the command line refuses it first; see test_cli_refuses_arguments_that_are_not_utf8)."""
    return text.encode("utf-8", "replace").decode("utf-8")


def record_hostile_history(db: Path, runbook, text: str) -> None:
    text = storable(text)  # a note must be text to be kept (see test_a_note_that_is_not_text_is_refused)
    with Ledger.open(db, runbook.id, storable(text) or "x", run="rehearsal-1", runbook_sha256=runbook.sha256) as ledger:
        add_note(ledger, "", text)
        add_note(ledger, "first", text)
        record_step(ledger, runbook, ledger.state(), "first", "start", None)
        record_step(ledger, runbook, ledger.state(), "first", "fail", text)
        record_step(ledger, runbook, ledger.state(), "second", "skip", text)
        # What a peer's console would have written about a probe, with its reason.
        ledger.append(EventKind.PROBE_CHANGED, f"probe {text}",
                      {"from": "UP", "to": "DOWN", "failed_condition": text, "vantage": "peer"})


def raw_controls(text: str, lines: bool = False) -> set[str]:
    """The dangerous characters in `text`; with `lines`, newline ends a line rather than counting."""
    return {ch for ch in text if ch in DANGEROUS and not (lines and ch == "\n")}


def screen_segments(app):
    """What the terminal is sent for the whole screen (dialogs over the screens beneath them)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    for line in update.strips:
        for strip in line:
            yield from strip


def check_screen(app, where: str, expect: str | None = None) -> str:
    """The screen holds no raw control character, no link and no action of the corpus's making;
    `expect` (if given) appears on it. Returns the screen's text."""
    text_lines, line = [], []
    for segment in screen_segments(app):
        if segment.control:
            continue
        assert not raw_controls(segment.text), f"{where}: raw {raw_controls(segment.text)!r} on screen"
        style = segment.style
        if style is not None:
            assert not style.link, f"{where}: a link {style.link!r} on screen"
            click = str((style.meta or {}).get("@click", ""))
            assert "quit" not in click and "screenshot" not in click, f"{where}: an action {click!r} on screen"
        line.append(segment.text)
        if segment.text.endswith("\n"):
            text_lines.append("".join(line))
            line = []
    text_lines.append("".join(line))
    shown = "\n".join(text_lines)
    if expect is not None:
        assert expect in shown, f"{where}: {expect!r} is not on screen"
    assert app.is_running, f"{where}: the console stopped"
    return shown


@pytest.mark.parametrize("name", list(CORPUS))
async def test_the_console_shows_hostile_text_as_data(name, tmp_path, monkeypatch):
    text = CORPUS[name]
    runbook = load_runbook(hostile_runbook(tmp_path, text))
    db = tmp_path / "ledger.sqlite"
    record_hostile_history(db, runbook, text)
    monkeypatch.chdir(tmp_path)  # where a screenshot action would write, were one ever run
    literal = visible(storable(text))[:24]  # the start of the text, as the screen must show it

    ledger = Ledger.open(db, runbook.id, storable(text) or "x", run=storable(text) or "x",
                         runbook_sha256=runbook.sha256)
    app = WarroomApp(runbook, ledger, follow_ledger=False)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = main_screen(app)
        await until(pilot, lambda: screen.snapshot is not None and screen.side_ready, "the first snapshot")
        board = screen.query_one(ProbeBoard)
        await until(pilot, lambda: board.counts["DOWN"] == 1, "the command probe's first check", timeout=10)
        await pilot.pause()
        check_screen(app, "main screen", expect=literal)

        screen.query_one(Timeline).select_step("first")
        for keys, dialog in (("enter", "StepDetail"), ("f", "TextPrompt"), ("x", "TextPrompt"), ("r", "Confirm"),
                             ("n", "TextPrompt")):
            screen.query_one(Timeline).focus()
            await pilot.press(keys)
            await until(pilot, lambda dialog=dialog: type(app.screen).__name__ == dialog, f"the {dialog} after {keys!r}")
            await pilot.pause()
            check_screen(app, f"{dialog} after {keys!r}", expect=literal)
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is screen, "the main screen again")

        for pane in "2345":  # the checklist tabs; activity and probes are on screen already
            await pilot.press(pane)
            await pilot.pause()
            check_screen(app, f"pane {pane}")

        board.focus()
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "ProbeHistory", "the probe's history")
        await pilot.pause()
        check_screen(app, "probe history", expect=literal)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "the main screen again")

        log = screen.query_one(ActivityLog)
        log.focus()
        await pilot.press("o")  # the first operator by name: the hostile one, on the filter's line
        await pilot.pause()
        check_screen(app, "the activity log filtered by operator", expect=literal)
        await pilot.press("0", "enter")
        await until(pilot, lambda: type(app.screen).__name__ == "ActivityEntry", "the activity entry")
        await pilot.pause()
        check_screen(app, "activity entry", expect=literal)
        await pilot.press("escape")

        app.notify(f"Could not complete that: {text}")
        await until(pilot, lambda: "Could not complete that" in check_screen(app, "a notice"), "the notice")
        # Drawn wrapped: the words as stored, then the screen (other notices, such as the rollback
        # deadline's, may be there too).
        notice = next(n for n in app._notifications if n.message.startswith("Could not complete that"))
        shown = for_screen(f"Could not complete that: {text}", lines=True, limit=NOTICE_LIMIT)
        assert (notice.message, notice.markup) == (shown, False)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: type(app.screen).__name__ == "CommandPalette", "the command palette")
        await pilot.pause()
        check_screen(app, "command palette")
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and app.title == f"warroom · {for_screen(storable(text))}"
    ledger.close()
    assert not (tmp_path / "f.txt").exists() and not Path("/tmp/f.txt").exists()


@pytest.mark.parametrize("name", list(CORPUS))
def test_the_command_line_prints_hostile_text_as_data(name, tmp_path):
    text = CORPUS[name]
    path = hostile_runbook(tmp_path, text)
    runbook = load_runbook(path)
    db = tmp_path / "ledger.sqlite"
    record_hostile_history(db, runbook, text)
    operator = storable(text) or "x"
    runner = CliRunner()
    common = ["--db", str(db), "--run", "rehearsal-1"]
    outputs = {
        "validate": runner.invoke(main, ["validate", str(path)]),
        "status": runner.invoke(main, ["status", str(path), *common]),
        "log": runner.invoke(main, ["log", str(path), *common]),
        "probe": runner.invoke(main, ["probe", str(path)]),
        "note": runner.invoke(main, ["note", str(path), storable(text), *common, "--operator", operator]),
    }
    for command, result in outputs.items():
        assert result.exception is None or isinstance(result.exception, SystemExit), (command, result.exception)
        assert result.exit_code in (0, 1), (command, result.output)  # probe: 1, the probe is DOWN
        assert not raw_controls(result.output, lines=True), f"{command}: raw {raw_controls(result.output, True)!r}"
        assert "internal error" not in result.output
    assert visible(storable(text))[:24] in outputs["log"].output
    assert visible(storable(text))[:24] in outputs["note"].output
    checked = json.loads(runner.invoke(main, ["probe", str(path), "--json"]).output)
    printed = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    assert checked[0]["value"].startswith(f"exit 1: {printed.strip()[:40]}")

    # JSON escapes what it must and gives the text back exactly.
    logged = runner.invoke(main, ["log", str(path), *common, "--json"])
    assert not raw_controls(logged.output, lines=True)
    notes = [e["body"]["text"] for e in json.loads(logged.output) if e["kind"] == "note.added"]
    assert storable(text) in notes


def test_a_runbook_holding_a_lone_surrogate_is_refused_where_it_is(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text('id: x\ntitle: "fine"\nsteps:\n  - {id: a, title: "a\\ud800b", duration: 5m}\n')
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:4:" in result.output and "\\ud800, half of a UTF-16 pair" in result.output

    path.write_text('id: x\ntitle: "a\\udc00"\nsteps:\n  - {id: a, title: "a\\ud800b", duration: 5m}\n')
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert f"{path}:2:" in result.output and "\\udc00" in result.output  # the first in the file


def test_a_note_that_is_not_text_is_refused_and_nothing_is_recorded(ledger):
    with pytest.raises(LedgerError, match="not UTF-8 text; retype it"):
        add_note(ledger, "", "a\udcffb")
    assert ledger.events() == []


def test_the_rule_makes_each_kind_of_control_visible_and_keeps_lines_only_when_asked():
    assert visible("\x1b[2J") == "␛[2J" and visible("a\x00b") == "a␀b" and visible("x\x7f") == "x␡"
    assert visible("a\nb\tc") == "a␊b␉c" and visible("a\r\nb\tc", lines=True) == "a\nb\tc"
    assert visible("\x9b31m") == "\\x9b31m" and visible("abc\u202edef") == "abc\\u202edef"
    assert visible("\udcff") == "\\xff" and visible("\ud800") == "\\ud800"  # a byte that was not UTF-8; half a pair
    assert visible("Müller · 東京 ✔") == "Müller · 東京 ✔"  # text is left alone
    assert for_screen("x" * 5000) == "x" * 1000 + "… (4,000 more characters)"


@pytest.mark.parametrize("name", list(CORPUS))
def test_json_output_escapes_what_a_terminal_would_act_on_and_gives_the_text_back(name):
    text = CORPUS[name]
    printed = json_text({"text": text})
    assert not raw_controls(printed, lines=True)
    assert json.loads(printed) == {"text": text}


def test_the_corpus_covers_what_the_issue_names():
    """Every kind of character the rule is about is in the corpus at least once."""
    everything = "".join(CORPUS.values())
    for needed in ("\x1b", "\x00", "\x7f", "\x9b", "\u202e", "\ud800", "[/]", "[link=", "@click", "\\"):
        assert needed in everything
    assert max(map(len, CORPUS.values())) >= 100_000
    assert all(unicodedata.category(ch) != "Cc" for ch in visible(everything))


# --- the command line with ordinary hostile input ------------------------------------------------

WARROOM = Path(sys.executable).with_name("warroom")


def test_arguments_that_are_not_utf8_get_one_sentence_and_nothing_is_recorded(tmp_path):
    db = tmp_path / "ledger.sqlite"
    for argv in ([b"note", str(WEB_CUTOVER).encode(), b"\xff", b"--db", str(db).encode()],
                 [b"step", str(WEB_CUTOVER).encode(), b"backup", b"done", b"--operator", b"l\xe9e",
                  b"--db", str(db).encode()]):
        result = subprocess.run([str(WARROOM).encode(), *argv], capture_output=True, timeout=30)
        stderr = result.stderr.decode()
        assert result.returncode == 2, stderr
        assert len(stderr.splitlines()) == 1 and "is not valid UTF-8 text" in stderr and "internal error" not in stderr
        assert "\\x" in stderr  # the offending byte, shown as an escape
    assert not db.exists()


def test_an_operator_name_in_the_environment_that_is_not_utf8_is_refused(tmp_path):
    env = {k.encode(): v.encode() for k, v in pure_env().items()} | {b"WARROOM_OPERATOR": b"\xffana"}
    result = subprocess.run([str(WARROOM), "note", str(WEB_CUTOVER), "hello", "--db", str(tmp_path / "l.sqlite")],
                            capture_output=True, env=env, timeout=30)
    assert result.returncode == 2
    assert b"$WARROOM_OPERATOR is not valid UTF-8 text" in result.stderr


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    """`warroom log | head -1`: stop at once, as other Unix tools do, with nothing on stderr."""
    runbook = load_runbook(WEB_CUTOVER)
    db = tmp_path / "ledger.sqlite"
    with Ledger.open(db, runbook.id, "ana", run="live", runbook_sha256=runbook.sha256) as ledger:
        ledger._append_many([(EventKind.NOTE_ADDED, "", {"text": f"note {n} " + "x" * 60}) for n in range(3000)])
    process = subprocess.Popen([str(WARROOM), "log", str(WEB_CUTOVER), "--db", str(db)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # the reader goes away with ~200 KB still to come
    stderr = process.stderr.read()
    assert process.wait(timeout=30) == 141
    assert b"runbook loaded" in first
    assert stderr == b""


def test_a_newline_in_a_note_or_a_title_cannot_forge_a_line_of_output(tmp_path):
    forged = "fine\n2026-11-28 09:00:00  ana          marked backup done"
    runbook = tmp_path / "forged.yaml"
    runbook.write_text(json.dumps({"id": "forged", "title": forged, "window": {"start": "2026-11-28T08:00+01:00",
                                   "end": "2026-11-28T18:00+01:00"},
                                   "steps": [{"id": "a", "title": forged, "duration": "5m"}]}))
    db = ["--db", str(tmp_path / "l.sqlite")]
    runner = CliRunner()
    noted = runner.invoke(main, ["note", str(runbook), forged, *db])
    assert noted.exit_code == 0 and noted.output.count("\n") == 1 and "fine␊2026" in noted.output
    logged = runner.invoke(main, ["log", str(runbook), *db]).output.splitlines()
    assert len(logged) == 2 and not any(line.startswith("2026-11-28 09:00:00") for line in logged)
    shown = runner.invoke(main, ["status", str(runbook), *db]).output.splitlines()
    assert not any(line.startswith("2026-11-28 09:00:00") for line in shown)
    assert shown[0].startswith("fine␊2026")
