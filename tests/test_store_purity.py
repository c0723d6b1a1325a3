"""The store's public names."""

def test_the_public_api():
    import warroom.store

    assert set(warroom.store.__all__) == {
        "Ledger", "Event", "RunState", "StepState", "CheckState", "NoteEntry", "LedgerError",
        "ForeignDatabaseError", "STEP_STATUSES", "resolve_operator", "node_id", "default_db_path",
        "resolve_db_path", "SampleRow",
    }
    assert warroom.store.STEP_STATUSES == ("pending", "in_progress", "done", "failed", "skipped")
