"""The store's public names and its one vocabulary."""

import warroom.store
from warroom.vocabulary import EventKind, StepStatus


def test_the_public_api():
    assert set(warroom.store.__all__) == {
        "Ledger", "Event", "EventKind", "RunState", "StepState", "StepStatus", "CheckState", "NoteEntry",
        "ProbeObservation", "LedgerError", "StateChanged", "ForeignDatabaseError", "fold", "resolve_operator",
        "node_id", "default_db_path", "resolve_db_path", "SampleRow", "WITHOUT_NOTES",
        "SignOff", "DecisionEntry", "Incident", "PostedUpdate", "RollbackState",
    }


def test_step_statuses_and_what_finished_means():
    assert [s.value for s in StepStatus] == ["pending", "in_progress", "done", "failed", "skipped"]
    assert {s for s in StepStatus if s.finished} == {StepStatus.DONE, StepStatus.SKIPPED}
    assert {s for s in StepStatus if s.current} == {StepStatus.IN_PROGRESS, StepStatus.FAILED}
    assert StepStatus.DONE == "done"  # stored and shown as the plain word


def test_event_kinds_are_the_words_stored_in_the_ledger():
    assert EventKind("step.done") is EventKind.STEP_DONE
    assert {k.value.split(".")[0] for k in EventKind} == {"runbook", "step", "check", "note", "probe",
                                                               "signoff", "decision", "incident", "status",
                                                               "rollback", "roles"}
