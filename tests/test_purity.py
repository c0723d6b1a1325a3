"""The house's import rules: the pure rooms never load Textual, widgets load no other room, and only
`warroom` is installed."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from support import ROOT, pure_env

# room -> top-level modules it must never bring in
PURE_ROOMS = {
    "warroom.runbook": ("textual", "sqlite3", "sqlite_utils", "warroom.store", "warroom.probes", "warroom.ops"),
    "warroom.store": ("textual", "warroom.runbook", "warroom.probes", "warroom.ops", "warroom.widgets", "warroom.tui"),
    "warroom.probes": ("textual", "sqlite3", "sqlite_utils", "warroom.store", "warroom.ops", "warroom.widgets", "warroom.tui"),
    "warroom.ops": ("textual", "warroom.widgets", "warroom.tui"),
    # widgets render plain values: they know nothing of the plan, the ledger or the probes
    "warroom.widgets": ("warroom.store", "warroom.runbook", "warroom.probes", "warroom.ops", "warroom.tui", "sqlite3"),
}


@pytest.mark.parametrize("room", sorted(PURE_ROOMS))
def test_a_pure_room_imports_no_ui(room, tmp_path):
    code = (
        "import importlib, pkgutil, sys\n"
        f"package = importlib.import_module({room!r})\n"
        "for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "    importlib.import_module(info.name)\n"
        f"forbidden = {PURE_ROOMS[room]!r}\n"
        "print(','.join(sorted(m for m in sys.modules if m in forbidden or m.startswith(tuple(f + '.' for f in forbidden)))))\n"
    )
    # From a directory outside the checkout, so only the installed package can be found.
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=pure_env(), capture_output=True,
                            text=True, timeout=60, check=True)
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("name", ["runbook", "store", "probes", "widgets", "tui", "ops", "bench"])
def test_only_warroom_is_importable_at_the_top(name):
    """The tests see the installed package, never the checkout's folders as top-level modules."""
    assert importlib.util.find_spec(name) is None, f"'{name}' is importable at the top level"


def test_the_installed_package_maps_the_repository_folders():
    import warroom.store
    import warroom.tui

    assert warroom.store.__file__.startswith(str(ROOT / "store")) or "site-packages" in warroom.store.__file__
    assert warroom.tui.__name__ == "warroom.tui"
