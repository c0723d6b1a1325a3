"""The folder export: real files in tmp_path, written atomically, listed cheaply, never a .tmp left."""

from __future__ import annotations

import errno
import os
import stat

import pytest
from test_sync_segment import chain

from warroom.sync.errors import ExportUnavailable
from warroom.sync.export import SegmentRef, open_export
from warroom.sync.folder import FolderExport
from warroom.sync.keys import device_key
from warroom.sync.segment import MAX_SEGMENT_BYTES, decode, encode, parse_writer_dir, writer_dir


@pytest.fixture
def key(tmp_path):
    return device_key(tmp_path / "key")


@pytest.fixture
def export(tmp_path):
    (tmp_path / "share").mkdir()
    return open_export(str(tmp_path / "share"), tmp_path / "cache")


def all_files(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_published_segments_are_listed_and_read_back(export, key, tmp_path):
    assert isinstance(export, FolderExport) and export.watch_path() == tmp_path / "share"
    export.check()
    writer = writer_dir("ana", key.key_id)
    events = chain(5)
    first_name, first = encode(events[:3], key)
    second_name, second = encode(events[3:], key)
    export.publish(writer, first_name, first)
    export.publish_many(writer, [(second_name, second)])
    assert all_files(tmp_path / "share") == sorted(
        f"warroom/billing/writers/{writer}/{name}" for name in (first_name, second_name))
    refs = export.list_segments("billing")
    assert [(ref.writer, ref.name, ref.size) for ref in refs] == [
        (writer, first_name, len(first)), (writer, second_name, len(second))]
    operator, key_id = parse_writer_dir(refs[1].writer)
    segment = decode(refs[1].name, export.read(refs[1], MAX_SEGMENT_BYTES), deployment="billing",
                     operator=operator, key_id=key_id)
    assert segment.events == tuple(events[3:])
    assert export.list_segments("payroll") == []
    mode = stat.S_IMODE(os.stat(refs[0].locator).st_mode)
    assert mode == 0o644  # other operators on a shared jump host read it


def test_two_writers_see_each_other(tmp_path, key):
    (tmp_path / "share").mkdir()
    other_key = device_key(tmp_path / "other")
    ana = open_export(str(tmp_path / "share"), tmp_path / "cache-a")
    lee = open_export(str(tmp_path / "share"), tmp_path / "cache-b")
    ana.publish(writer_dir("ana", key.key_id), *encode(chain(2), key))
    assert {ref.writer for ref in lee.list_segments("billing")} == {writer_dir("ana", key.key_id)}
    lee.publish(writer_dir("lee", other_key.key_id), *encode(chain(2, operator="lee"), other_key))
    assert {ref.writer for ref in ana.list_segments("billing")} == {writer_dir("ana", key.key_id),
                                                                     writer_dir("lee", other_key.key_id)}


def test_publishing_again_is_harmless(export, key, tmp_path):
    writer = writer_dir("ana", key.key_id)
    name, data = encode(chain(2), key)
    export.publish(writer, name, data)
    export.publish(writer, name, data)
    assert [ref.name for ref in export.list_segments("billing")] == [name]
    assert (tmp_path / "share/warroom/billing/writers" / writer / name).read_bytes() == data


def test_a_torn_file_under_the_name_is_replaced(export, key, tmp_path):
    writer = writer_dir("ana", key.key_id)
    name, data = encode(chain(2), key)
    folder = tmp_path / "share/warroom/billing/writers" / writer
    folder.mkdir(parents=True)
    (folder / name).write_bytes(data[:10])
    export.publish(writer, name, data)
    assert (folder / name).read_bytes() == data


def test_temporary_files_conflict_copies_and_strangers_are_not_listed(export, key, tmp_path):
    writer = writer_dir("ana", key.key_id)
    name, data = encode(chain(2), key)
    export.publish(writer, name, data)
    folder = tmp_path / "share/warroom/billing/writers" / writer
    stem = name.removesuffix(".jsonl")
    for stray in (f"{name}.x1y2.tmp", f"{stem}.sync-conflict-20261128-101500-ABCDEFG.jsonl",
                  f".syncthing.{name}", f"{stem} (conflicted copy 2026-11-28).jsonl", "README.txt"):
        (folder / stray).write_bytes(data)
    (folder / "1-1-subfolder.jsonl").mkdir()
    (tmp_path / "share/warroom/billing/writers/not-a-writer").mkdir()
    (tmp_path / "share/warroom/billing/writers/not-a-writer" / name).write_bytes(data)
    (folder.parent / "loose-file.0123456789abcdef").write_bytes(b"")
    assert [(ref.writer, ref.name) for ref in export.list_segments("billing")] == [(writer, name)]


def test_a_listing_sees_a_segment_added_later(export, key):
    """The per-writer cache is keyed by the folder's mtime: a new file is never hidden by it."""
    writer = writer_dir("ana", key.key_id)
    events = chain(4)
    export.publish(writer, *encode(events[:2], key))
    assert len(export.list_segments("billing")) == 1
    assert len(export.list_segments("billing")) == 1
    export.publish(writer, *encode(events[2:], key))
    assert len(export.list_segments("billing")) == 2


def test_an_unchanged_writer_folder_is_not_listed_again(export, key, tmp_path):
    writer = writer_dir("ana", key.key_id)
    export.publish(writer, *encode(chain(1), key))
    folder = tmp_path / "share/warroom/billing/writers" / writer
    past = folder.stat().st_mtime_ns - 10_000_000_000
    os.utime(folder, ns=(past, past))  # settled long ago, so its listing may be kept
    before = export.list_segments("billing")
    (folder / before[0].name).rename(folder / "moved-away")
    os.utime(folder, ns=(past, past))
    assert export.list_segments("billing") == before  # served from the cache: the folder did not change
    os.utime(folder, ns=(past + 1, past + 1))
    assert export.list_segments("billing") == []


def test_an_absent_root_is_unavailable_and_is_not_made(tmp_path, key):
    export = open_export(str(tmp_path / "usb-stick"), tmp_path / "cache")
    with pytest.raises(ExportUnavailable, match=r"^the export folder .*usb-stick is not there \(is the drive mounted\?\)"):
        export.check()
    with pytest.raises(ExportUnavailable):
        export.publish(writer_dir("ana", key.key_id), *encode(chain(1), key))
    with pytest.raises(ExportUnavailable):
        export.list_segments("billing")
    assert not (tmp_path / "usb-stick").exists()


def test_a_file_given_as_the_export_is_unavailable(tmp_path):
    (tmp_path / "export.txt").write_text("not a folder\n")
    with pytest.raises(ExportUnavailable, match=r"^the export .*export.txt is a file, not a folder; give a folder or a git URL$"):
        open_export(str(tmp_path / "export.txt"), tmp_path / "cache")


def test_a_folder_that_cannot_be_written_is_unavailable(export, key, tmp_path):
    """Root runs these tests and may write anywhere: a file where the writers folder goes stands in
    for a read-only export."""
    (tmp_path / "share/warroom/billing").mkdir(parents=True)
    (tmp_path / "share/warroom/billing/writers").write_text("in the way\n")
    with pytest.raises(ExportUnavailable, match=r"^the export folder .*share cannot be written \(Not a directory: .*\); "
                                                r"local work goes on and the next sync tries again$"):
        export.publish(writer_dir("ana", key.key_id), *encode(chain(1), key))


def test_a_symlinked_writer_folder_is_not_written_through(export, key, tmp_path):
    writer = writer_dir("ana", key.key_id)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    writers = tmp_path / "share/warroom/billing/writers"
    writers.mkdir(parents=True)
    (writers / writer).symlink_to(elsewhere)
    with pytest.raises(ExportUnavailable, match=r"holds a symlink at .*; remove it and the next sync writes there$"):
        export.publish(writer, *encode(chain(1), key))
    assert os.listdir(elsewhere) == []


def test_a_full_disk_leaves_no_temporary_file(export, key, tmp_path, monkeypatch):
    writer = writer_dir("ana", key.key_id)
    name, data = encode(chain(1), key)

    def no_space(source, target):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(os, "rename", no_space)
    with pytest.raises(ExportUnavailable, match=r"cannot be written \(No space left on device: .*"):
        export.publish(writer, name, data)
    monkeypatch.undo()
    assert os.listdir(tmp_path / "share/warroom/billing/writers" / writer) == []
    export.publish(writer, name, data)  # room again: the next round goes through
    assert [ref.name for ref in export.list_segments("billing")] == [name]


def test_read_returns_at_most_one_byte_more_than_the_limit(export, key, tmp_path):
    writer = writer_dir("ana", key.key_id)
    name, data = encode(chain(3), key)
    export.publish(writer, name, data)
    ref = export.list_segments("billing")[0]
    assert export.read(ref, 10) == data[:11]
    assert export.read(ref, len(data)) == data


def test_a_segment_that_vanished_or_is_a_symlink_cannot_be_read(export, key, tmp_path):
    writer = writer_dir("ana", key.key_id)
    export.publish(writer, *encode(chain(1), key))
    missing = SegmentRef(writer=writer, name="1-1-x.jsonl", size=None, locator=str(tmp_path / "gone.jsonl"))
    with pytest.raises(ExportUnavailable, match="cannot be read"):
        export.read(missing, 100)
    ref = export.list_segments("billing")[0]
    (tmp_path / "secret").write_text("not yours\n")
    os.unlink(ref.locator)
    os.symlink(tmp_path / "secret", ref.locator)
    with pytest.raises(ExportUnavailable, match="cannot be read"):
        export.read(ref, 100)


def test_what_is_not_a_segment_is_not_published(export, key):
    name, data = encode(chain(1), key)
    with pytest.raises(ValueError):
        export.publish("../../etc", name, data)
    with pytest.raises(ValueError):
        export.publish(writer_dir("ana", key.key_id), "../x.jsonl", data)
    with pytest.raises(ValueError):
        export.publish(writer_dir("ana", key.key_id), name, b"not a segment\n")
    with pytest.raises(ValueError):
        export.list_segments("../billing")


def test_shared_folders_take_a_shared_roots_mode_and_the_writers_own_does_not(tmp_path, key):
    share = tmp_path / "jump-share"
    share.mkdir()
    os.chmod(share, 0o1777)  # a jump host's folder where every account may add its own
    export = open_export(str(share), tmp_path / "cache")
    writer = writer_dir("ana", key.key_id)
    old_umask = os.umask(0o022)
    try:
        export.publish(writer, *encode(chain(2), key))
    finally:
        os.umask(old_umask)
    for shared in ("warroom", "warroom/billing", "warroom/billing/writers"):
        assert stat.S_IMODE(os.stat(share / shared).st_mode) == 0o1777, shared
    own = stat.S_IMODE(os.stat(share / "warroom/billing/writers" / writer).st_mode)
    assert own & (stat.S_IWGRP | stat.S_IWOTH) == 0  # nobody else writes in this writer's folder


def test_a_private_root_keeps_the_umasks_modes(tmp_path, key):
    share = tmp_path / "mine"
    share.mkdir(mode=0o700)
    os.chmod(share, 0o700)
    export = open_export(str(share), tmp_path / "cache")
    export.publish(writer_dir("ana", key.key_id), *encode(chain(1), key))
    assert stat.S_IMODE(os.stat(share / "warroom").st_mode) & (stat.S_IWGRP | stat.S_IWOTH) == 0
