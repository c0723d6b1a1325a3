"""probes/ is pure: importing it never brings in Textual, SQLite or the other layers."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, pure_env


def test_importing_probes_loads_no_ui_or_database():
    code = (
        "import sys, probes, probes.kinds, probes.scheduler\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'sqlite3', '_sqlite3', 'sqlite_utils', 'store', 'tui', 'widgets'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=pure_env(), check=True, timeout=60)


def test_probes_sources_do_not_mention_forbidden_imports():
    for path in (ROOT / "probes").rglob("*.py"):
        text = path.read_text()
        for word in ("import textual", "from textual", "sqlite", "from store", "import store", "from tui",
                     "from widgets"):
            assert word not in text, f"{path.name}: {word}"
