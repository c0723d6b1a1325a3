"""Lay out build/mutmut for `make mutate`: the package in a src layout, tests and pyproject beside it.

mutmut 3 names each mutant after its file's path (src/warroom/store/ledger.py ->
warroom.store.ledger) and activates it only where the running code's module has that name. Here
the rooms sit in top-level folders (store/, runbook/, ...) that package-dir maps into `warroom`,
so in place the names would never match. The mirror puts each room where its import name says,
following [tool.setuptools.package-dir], and copies file times too, so that mutmut's own record
of what it has already tested stays valid from one run to the next.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGE = ROOT / "build" / "mutmut"
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


def mirror(source: Path, target: Path) -> None:
    """`target` becomes a copy of `source` with the same file times (files gone from `source` go)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=IGNORE)


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package_dir = project["tool"]["setuptools"]["package-dir"]
    src = STAGE / "src"
    if src.exists():
        shutil.rmtree(src)
    for package, folder in package_dir.items():  # warroom.runbook -> src/warroom/runbook, ...
        shutil.copytree(ROOT / folder, src.joinpath(*package.split(".")), ignore=IGNORE, dirs_exist_ok=True)
    mirror(ROOT / "tests", STAGE / "tests")
    shutil.copy2(ROOT / "pyproject.toml", STAGE / "pyproject.toml")
    print(f"staged {', '.join(sorted(package_dir))} in {STAGE.relative_to(ROOT)}/src")
    return 0


if __name__ == "__main__":
    sys.exit(main())
