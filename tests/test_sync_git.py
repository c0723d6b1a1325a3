"""The git export against real bare repositories in tmp_path, with the git command line."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace

import pytest
from test_sync_segment import chain

from warroom.sync.errors import ExportUnavailable
from warroom.sync.export import open_export
from warroom.sync.git import GitExport
from warroom.sync.keys import device_key
from warroom.sync.segment import MAX_SEGMENT_BYTES, decode, encode, parse_writer_dir, writer_dir

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="the git command line is not installed")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True, timeout=60).stdout


@pytest.fixture
def remote(tmp_path):
    path = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", str(path))
    return path


@pytest.fixture
def keys(tmp_path):
    return device_key(tmp_path / "ana-key"), device_key(tmp_path / "lee-key")


def refs_of(remote) -> list[str]:
    return sorted(line.split()[1] for line in git("--git-dir", str(remote), "for-each-ref",
                                                 "--format=%(objectname) %(refname)").splitlines())


def test_a_bare_repository_path_or_a_git_url_opens_the_git_backend(remote, tmp_path):
    by_path = open_export(str(remote), tmp_path / "cache")
    by_url = open_export(f"git:{remote}", tmp_path / "cache")
    assert isinstance(by_path, GitExport) and isinstance(by_url, GitExport)
    assert by_path.watch_path() is None and by_url.description == str(remote)
    by_url.check()


def test_two_writers_pushing_to_one_repository_see_each_other(remote, keys, tmp_path):
    ana_key, lee_key = keys
    ana = open_export(f"git:{remote}", tmp_path / "ana-cache")
    lee = open_export(f"git:{remote}", tmp_path / "lee-cache")
    ana_writer, lee_writer = writer_dir("ana", ana_key.key_id), writer_dir("lee", lee_key.key_id)
    ana_events = chain(4)
    ana.publish(ana_writer, *encode(ana_events[:2], ana_key))
    lee.publish(lee_writer, *encode(chain(3, operator="lee"), lee_key))
    ana.publish(ana_writer, *encode(ana_events[2:], ana_key))
    assert refs_of(remote) == [f"refs/warroom/billing/{ana_writer}", f"refs/warroom/billing/{lee_writer}"]

    seen_by_lee = lee.list_segments("billing")
    assert [(ref.writer, ref.name.split("-")[:2]) for ref in seen_by_lee] == [
        (ana_writer, ["1", "2"]), (ana_writer, ["3", "4"]), (lee_writer, ["1", "3"])]
    events = []
    for ref in seen_by_lee[:2]:
        operator, key_id = parse_writer_dir(ref.writer)
        data = lee.read(ref, MAX_SEGMENT_BYTES)
        assert ref.size == len(data)
        events.extend(decode(ref.name, data, deployment="billing", operator=operator, key_id=key_id).events)
    assert events == ana_events
    assert {ref.writer for ref in ana.list_segments("billing")} == {ana_writer, lee_writer}
    assert lee.list_segments("payroll") == []


def test_each_writers_ref_holds_a_flat_tree_of_its_segments(remote, keys, tmp_path):
    ana_key, _ = keys
    export = open_export(str(remote), tmp_path / "cache")
    writer = writer_dir("ana", ana_key.key_id)
    events = chain(3)
    names = [encode(events[:1], ana_key)[0], encode(events[1:], ana_key)[0]]
    export.publish(writer, *encode(events[:1], ana_key))
    export.publish(writer, *encode(events[1:], ana_key))
    ref = f"refs/warroom/billing/{writer}"
    assert sorted(git("--git-dir", str(remote), "ls-tree", "--name-only", ref).split()) == sorted(names)
    assert git("--git-dir", str(remote), "rev-list", "--count", ref).strip() == "2"  # each commit on the last


def test_publish_many_pushes_once(remote, keys, tmp_path, monkeypatch):
    ana_key, _ = keys
    export = open_export(f"git:{remote}", tmp_path / "cache")
    assert isinstance(export, GitExport)
    writer = writer_dir("ana", ana_key.key_id)
    events = chain(6)
    segments = [encode(events[i:i + 2], ana_key) for i in (0, 2, 4)]
    pushes = []
    real_git = export._git

    def counting(timeout, *args, **kwargs):
        if args[0] == "push":
            pushes.append(args)
        return real_git(timeout, *args, **kwargs)

    monkeypatch.setattr(export, "_git", counting)
    export.publish_many(writer, segments)
    assert len(pushes) == 1
    assert [ref.name for ref in export.list_segments("billing")] == [name for name, _ in segments]


def test_publishing_again_is_harmless(remote, keys, tmp_path):
    ana_key, _ = keys
    export = open_export(f"git:{remote}", tmp_path / "cache")
    writer = writer_dir("ana", ana_key.key_id)
    segment = encode(chain(2), ana_key)
    export.publish(writer, *segment)
    export.publish(writer, *segment)
    assert [ref.name for ref in export.list_segments("billing")] == [segment[0]]
    assert git("--git-dir", str(remote), "rev-list", "--count", f"refs/warroom/billing/{writer}").strip() == "1"


def test_a_cache_made_anew_joins_what_the_remote_already_has(remote, keys, tmp_path):
    """The cache was deleted after a push: the next push must not be refused as non-fast-forward,
    and nothing pushed before is lost."""
    ana_key, _ = keys
    writer = writer_dir("ana", ana_key.key_id)
    events = chain(4)
    open_export(f"git:{remote}", tmp_path / "old-cache").publish(writer, *encode(events[:2], ana_key))
    fresh = open_export(f"git:{remote}", tmp_path / "new-cache")
    fresh.publish(writer, *encode(events[2:], ana_key))
    names = sorted(git("--git-dir", str(remote), "ls-tree", "--name-only", f"refs/warroom/billing/{writer}").split())
    assert [name.split("-")[:2] for name in names] == [["1", "2"], ["3", "4"]]


def test_a_repository_that_is_not_there_is_unavailable(tmp_path, keys):
    ana_key, _ = keys
    export = open_export(f"git:{tmp_path / 'nowhere.git'}", tmp_path / "cache")
    message = r"^the git export .*nowhere.git does not answer \(fatal: .*\); local work goes on and the next sync tries again$"
    with pytest.raises(ExportUnavailable, match=message):
        export.check()
    with pytest.raises(ExportUnavailable, match=message):
        export.list_segments("billing")
    with pytest.raises(ExportUnavailable, match=message):
        export.publish(writer_dir("ana", ana_key.key_id), *encode(chain(1), ana_key))


def test_a_remote_that_does_not_answer_in_time_is_unavailable(tmp_path, monkeypatch):
    """A remote helper that never answers: killed with its whole process group at the timeout."""
    helper = tmp_path / "bin" / "git-remote-stuck"
    helper.parent.mkdir()
    helper.write_text(f"#!/bin/sh\necho $$ > {tmp_path / 'helper.pid'}\nexec sleep 600\n")
    helper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{helper.parent}:{os.environ['PATH']}")
    export = open_export("git:stuck::somewhere", tmp_path / "cache", git_timeout=0.5)
    with pytest.raises(ExportUnavailable, match=r"does not answer \(no answer within 0.5 s\)"):
        export.check()
    pid = int((tmp_path / "helper.pid").read_text())
    assert not running(pid)  # killed, not left behind holding the pipes


def running(pid: int) -> bool:
    """Alive and not a zombie waiting for its new parent (init) to reap it."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_read_returns_at_most_one_byte_more_than_the_limit(remote, keys, tmp_path):
    ana_key, _ = keys
    export = open_export(f"git:{remote}", tmp_path / "cache")
    name, data = encode(chain(3), ana_key)
    export.publish(writer_dir("ana", ana_key.key_id), name, data)
    ref = export.list_segments("billing")[0]
    assert export.read(ref, 10) == data[:11]
    assert export.read(ref, len(data)) == data
    missing = replace(ref, locator="0" * 40)
    with pytest.raises(ExportUnavailable, match="cannot be read from the git cache"):
        export.read(missing, 100)


def test_credentials_in_a_url_stay_out_of_messages(tmp_path):
    export = GitExport("https://ana:s3cret@git.invalid/ops.git", tmp_path / "cache")
    assert export.description == "https://ana:***@git.invalid/ops.git"


def test_an_option_is_not_a_url(tmp_path):
    with pytest.raises(ExportUnavailable, match="is not a git URL"):
        open_export("git:--upload-pack=touch /tmp/x", tmp_path / "cache")
