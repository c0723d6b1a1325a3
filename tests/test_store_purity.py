import subprocess
import sys


def test_store_imports_neither_textual_nor_the_runbook_package():
    code = (
        "import sys, store, store.hlc, store.events, store.schema, store.state, store.projection, "
        "store.identity, store.opening, store.ledger\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'runbook', 'tui', 'widgets'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_public_api():
    import store

    assert set(store.__all__) == {
        "Ledger", "Event", "State", "StepState", "CheckState", "NoteEntry", "LedgerError",
        "ForeignDatabaseError", "STEP_STATUSES", "resolve_operator", "node_id", "default_db_path",
        "resolve_db_path", "SampleRow",
    }
    assert store.STEP_STATUSES == ("pending", "in_progress", "done", "failed", "skipped")
