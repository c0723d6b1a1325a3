"""The two errors the ledger raises; their messages are meant to be shown to the operator as-is."""


class LedgerError(Exception):
    """Something is wrong with the ledger; the message is one sentence that says what to do."""


class ForeignDatabaseError(LedgerError):
    """The database file belongs to another deployment."""
