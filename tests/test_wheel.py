"""The wheel installs one package, `warroom`, and runs alone from any directory."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from support import ROOT, pure_env

SOURCE_IGNORED = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                        ".hypothesis", "tests", "bench")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a copy of the checkout, so the build leaves nothing behind in it."""
    source = tmp_path_factory.mktemp("source") / "warroom"
    shutil.copytree(ROOT, source, ignore=SOURCE_IGNORED)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), str(source)], check=True, timeout=300, env=pure_env())
    (built,) = out.glob("warroom-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment holding the wheel; the dependencies come from this one's
    site-packages as a plain path (no .pth of ours runs there, so the checkout stays invisible)."""
    env_dir = tmp_path_factory.mktemp("fresh") / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    fresh_site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                capture_output=True, text=True, check=True).stdout.strip()
    Path(fresh_site, "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    str(wheel)], check=True, timeout=300, env=pure_env())
    return env_dir


def test_the_wheel_holds_one_top_level_package_with_its_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert {top for top in tops if not top.endswith(".dist-info")} == {"warroom"}
    for expected in ("warroom/tui/app.tcss", "warroom/sample_runbooks/web-cutover.yaml", "warroom/__main__.py",
                     "warroom/store/ledger.py", "warroom/ops/actions.py"):
        assert expected in names
    assert not any(name.startswith(("bench/", "tests/", "warroom/bench")) for name in names)


def run_installed(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = pure_env(WARROOM_OPERATOR="wheel-tester")
    env.pop("PYTHONPATH", None)
    return subprocess.run([str(env_dir / "bin" / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_installed_wheel_runs_from_any_directory(installed, tmp_path):
    sample = run_installed(installed, "python", "-c",
                           "from importlib.resources import files; import warroom.store as s; "
                           "print(files('warroom.sample_runbooks') / 'web-cutover.yaml'); print(s.__file__)",
                           cwd=tmp_path)
    assert sample.returncode == 0, sample.stderr
    sample_path, store_file = sample.stdout.split()
    assert str(installed) in sample_path and str(installed) in store_file  # not the checkout's copy

    validated = run_installed(installed, "warroom", "validate", sample_path, cwd=tmp_path)
    assert validated.returncode == 0, validated.stderr
    assert "ok · web-cutover" in validated.stdout

    db = tmp_path / "ledger.sqlite"
    done = run_installed(installed, "warroom", "step", sample_path, "war-room-open", "done", "--db", str(db), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    status = run_installed(installed, "python", "-m", "warroom", "status", sample_path, "--json", "--db", str(db),
                           cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    document = json.loads(status.stdout)
    assert document["deployment"] == "web-cutover"
    assert document["progress"]["done"] == 1


def test_the_installed_wheel_does_not_expose_the_rooms_at_the_top(installed, tmp_path):
    probe = run_installed(installed, "python", "-c",
                          "import importlib.util as u; print([n for n in ('store', 'tui', 'runbook', 'probes', "
                          "'widgets', 'ops', 'bench') if u.find_spec(n)])", cwd=tmp_path)
    assert probe.stdout.strip() == "[]"
