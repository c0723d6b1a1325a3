"""Who is writing (operator), on which machine (node), and where the ledger file lives."""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import secrets
import socket
from pathlib import Path

from platformdirs import user_data_path

from .errors import LedgerError
from .private import write_private_file

APP_NAME = "warroom"
_NODE_ID = re.compile(r"^[0-9a-f]{12}$")


def data_dir() -> Path:
    return user_data_path(APP_NAME)


def resolve_operator(cli_value: str | None) -> str:
    """--operator, else $WARROOM_OPERATOR, else the login name."""
    name = cli_value if cli_value is not None else os.environ.get("WARROOM_OPERATOR")
    if name is None:
        try:
            name = getpass.getuser()
        except (KeyError, OSError) as exc:  # no $USER and no passwd entry (some containers)
            raise LedgerError("cannot tell who you are; pass --operator NAME") from exc
    name = name.strip()
    if not name:
        raise LedgerError("the operator name is empty; pass --operator NAME")
    return name


def node_id() -> str:
    """A random id for this machine, made once and kept in the user data folder.

    If that file cannot be kept, fall back to a stable id from host and user name, so that a
    read-only home still gets the same node id on every start."""
    path = data_dir() / "node-id"
    try:
        existing = path.read_text(encoding="ascii").strip()
        if _NODE_ID.match(existing):
            return existing
    except (OSError, UnicodeDecodeError):
        pass
    new = secrets.token_hex(6)
    try:
        write_private_file(path, f"{new}\n".encode("ascii"))  # atomic: two first starts racing end with one file
        return path.read_text(encoding="ascii").strip()
    except OSError:
        return _derived_node_id()


def _derived_node_id() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return hashlib.sha256(f"{socket.gethostname()}\0{user}".encode()).hexdigest()[:12]


def default_db_path(deployment: str) -> Path:
    if not deployment or deployment in (".", "..") or "/" in deployment or os.sep in deployment or "\0" in deployment:
        raise LedgerError(f"'{deployment}' cannot be used as a file name; pass --db PATH")
    return data_dir() / f"{deployment}.sqlite"


def resolve_db_path(cli_value: str | None, deployment: str) -> Path:
    """--db, else $WARROOM_DB, else the default file for the deployment in the user data folder."""
    chosen = cli_value or os.environ.get("WARROOM_DB")
    if chosen:
        return Path(chosen).expanduser()
    return default_db_path(deployment)
