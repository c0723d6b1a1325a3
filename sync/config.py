"""Where the shared export is: --export, else $WARROOM_EXPORT, else `export:` in the user's config file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from platformdirs import user_config_path

from warroom.store.identity import APP_NAME

from .errors import SyncError

GIT_PREFIX = "git:"
# A config file is a few lines; anything this big is the wrong file.
_MAX_CONFIG_BYTES = 1 << 20


@dataclass(frozen=True)
class ExportChoice:
    spec: str  # a folder (with "~" expanded) or "git:<remote>"
    source: str  # "--export", "WARROOM_EXPORT", or the config file's path


def config_path() -> Path:
    return user_config_path(APP_NAME) / "config.yaml"


def resolve_export(cli_value: str | None, *, environ: Mapping[str, str] = os.environ,
                   path: Path | None = None) -> ExportChoice | None:
    """The export to sync with and where that choice came from; None when nothing names one."""
    if cli_value is not None:
        if not cli_value.strip():
            raise SyncError("--export is empty; give a folder or git:<remote>")
        return ExportChoice(_expand(cli_value.strip()), "--export")
    from_env = environ.get("WARROOM_EXPORT", "").strip()
    if from_env:
        return ExportChoice(_expand(from_env), "WARROOM_EXPORT")
    file = config_path() if path is None else path
    spec = _export_in_config(file)
    return ExportChoice(_expand(spec), str(file)) if spec else None


def _expand(spec: str) -> str:
    # A git remote is passed to git as written; only a folder is the user's own path.
    return spec if spec.startswith(GIT_PREFIX) else os.path.expanduser(spec)


def _export_in_config(file: Path) -> str | None:
    def broken(what: str) -> SyncError:
        return SyncError(f"the config file {file} {what}; fix or remove it")

    try:
        with open(file, "rb") as stream:
            data = stream.read(_MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise broken(f"cannot be read: {exc.strerror or exc}") from exc
    if len(data) > _MAX_CONFIG_BYTES:
        raise broken("is far larger than a config file can be")
    try:
        document = yaml.safe_load(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise broken("is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "it cannot be parsed"
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise broken(f"is not YAML: {problem}{where}") from None
    if document is None:
        return None  # an empty file says nothing
    if not isinstance(document, dict):
        raise broken(f"is not a mapping like `export: ~/share/warroom` (found {_kind(document)})")
    export = document.get("export")
    if export is None:
        return None
    if not isinstance(export, str):
        raise broken(f"has an export that is not text (found {_kind(export)})")
    return export.strip() or None


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"
