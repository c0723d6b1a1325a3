"""Several processes on one ledger file (two operators on one jump host)."""

import subprocess
import sys
import time

WRITER = """
import os, sys, time
from warroom.store import Ledger
path, operator, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ledger = Ledger.open(path, "billing", operator, node="node-" + str(os.getpid()))
open(go + "." + str(os.getpid()) + ".ready", "w").close()  # opened: ready to write
deadline = time.monotonic() + 30
while not os.path.exists(go) and time.monotonic() < deadline:
    time.sleep(0.001)
began = time.time()
for i in range(count):
    ledger.append("check.ticked" if i % 2 else "step.started", f"{operator}/{i % 17}", {"note": str(i)})
print(began, time.time())
ledger.close()
"""


def start_writer(path, operator, count, go):
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), operator, str(count), str(go)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_processes_writing_at_once_lose_nothing_and_keep_seq_gap_free(open_ledger, db_path, tmp_path):
    go = tmp_path / "go"
    open_ledger("setup", node="n0").close()  # the race to create is tested below
    writers = [start_writer(db_path, op, 200, go) for op in ("ana", "lee", "ana")]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("go.*.ready"))) < len(writers) and time.monotonic() < deadline:
        time.sleep(0.01)  # all of them open before they start writing together, however busy the machine
    go.touch()
    outputs = [w.communicate(timeout=120) for w in writers]
    for writer, (_, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
    spans = [tuple(map(float, out.split())) for out, _ in outputs]
    assert max(start for start, _ in spans) < min(end for _, end in spans), "the writers did not overlap"
    events = open_ledger("reader", node="n9").events()
    assert len(events) == 600
    assert len({e.id for e in events}) == 600
    assert len({e.hlc for e in events}) == 600  # one clock order across processes
    writers = {(e.operator, e.node) for e in events}
    assert sorted(operator for operator, _ in writers) == ["ana", "ana", "lee"]  # ana on two nodes: two chains
    for operator, node in writers:  # each writer (an operator on one node) has its own chain
        own = sorted((e for e in events if (e.operator, e.node) == (operator, node)), key=lambda e: e.seq)
        assert [e.seq for e in own] == list(range(1, 201))
        assert [e.prev for e in own] == [""] + [e.id for e in own[:-1]]
        assert [e.hlc for e in own] == sorted(e.hlc for e in own)  # seq and clock agree


def test_processes_creating_one_new_file_at_once(open_ledger, tmp_path):
    path = tmp_path / "new" / "billing.sqlite"
    go = tmp_path / "go"
    go.touch()
    writers = [start_writer(path, f"op{i}", 20, go) for i in range(4)]
    for writer in writers:
        _, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
    assert open_ledger("reader", path=path, node="n9").event_count() == 80


def test_data_version_changes_when_another_connection_commits(open_ledger, db_path, tmp_path):
    ana, lee = open_ledger("ana", node="n1"), open_ledger("lee", node="n2")
    seen = ana.data_version()
    assert ana.data_version() == seen  # nothing happened
    lee.append("step.started", "backup")
    after_lee = ana.data_version()
    assert after_lee != seen
    ana.append("step.done", "backup")
    assert ana.data_version() == after_lee  # our own commits are not news to us
    writer = start_writer(db_path, "zoe", 1, tmp_path)  # go file: an existing path
    assert writer.wait(timeout=60) == 0
    assert ana.data_version() != after_lee
    assert ana.state().step("zoe/0").status == "in_progress"


OPEN_WRITE_CLOSE = """
import sys
from datetime import UTC, datetime
from warroom.store import Ledger, SampleRow
with Ledger.open(sys.argv[1], "billing", "script") as ledger:
    ledger.append("note.added", "", {"text": "from the script"})
    ledger.record_samples([SampleRow("web", datetime.now(UTC), "UP", True, 1.0, "200", None)])
    print(len(ledger.events()), len(ledger.recent_samples("web", 100)))
"""


def test_another_process_closing_the_files_takes_nothing_from_one_that_keeps_them_open(open_ledger, db_path):
    """A console stays open while a script (or another console) opens the ledger and the samples
    file, writes and closes them: the console's later writes must still reach everyone (its WAL
    is not deleted from under it when the script closes, which would keep them to itself)."""
    from datetime import UTC, datetime

    from warroom.store import SampleRow

    console = open_ledger("ana")
    console.append("note.added", "", {"text": "before"})
    console.record_samples([SampleRow("web", datetime.now(UTC), "UP", True, 1.0, "200", None)])
    script = subprocess.run([sys.executable, "-c", OPEN_WRITE_CLOSE, str(db_path)], capture_output=True, text=True,
                            timeout=60)
    assert script.returncode == 0, script.stderr
    console.append("note.added", "", {"text": "after"})
    console.record_samples([SampleRow("web", datetime.now(UTC), "DOWN", False, 1.0, "500", "[STATUS] (500) == 200")])
    again = subprocess.run([sys.executable, "-c", OPEN_WRITE_CLOSE, str(db_path)], capture_output=True, text=True,
                           timeout=60)
    assert again.returncode == 0, again.stderr
    assert again.stdout.split() == ["4", "4"]  # two notes and two samples each: none of the console's missing
