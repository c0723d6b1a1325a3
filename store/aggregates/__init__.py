"""Every kind of state the ledger folds. Adding one: a module here, and its import below.

The order of the imports is the order of registration, which fixes the order of the state hash's
sections: append new aggregates at the end.
"""

from . import steps, checks, notes, probes, signoffs, decisions, incidents, updates, rollbacks, roles  # noqa: F401  (isort: skip) - registration order matters
