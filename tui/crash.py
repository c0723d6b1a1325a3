"""Where a crash of the console leaves its traceback: a private file in the user data folder.

The terminal gets one line naming the file (see tui.cli), not a screenful of locals that may
quote runbook text, notes and paths.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from warroom.store.identity import data_dir
from warroom.store.private import write_private_file

CRASH_FOLDER = "crashes"


def save_traceback(error: BaseException) -> Path | None:
    """Write `error`'s traceback to a new 0600 file and return its path; None if no folder took it."""
    text = "".join(traceback.format_exception(error)).encode("utf-8", "backslashreplace")
    name = f"crash-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}.txt"
    for folder in (data_dir() / CRASH_FOLDER, Path(tempfile.gettempdir()) / f"warroom-{os.getuid()}"):
        try:
            write_private_file(folder / name, text)
        except OSError:
            continue
        return folder / name
    return None
