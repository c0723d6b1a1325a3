"""The git export: a remote (or a bare repository's path) reached with the `git` command line only.

A local bare cache repository holds what was fetched and what is waiting to be pushed. Each writer
has one ref, `refs/warroom/<deployment>/<writer-dir>`, whose commits' tree is the flat list of that
writer's segment files; a writer pushes only its own ref, so every push fast-forwards. Peers'
refs are fetched to `refs/peers/<deployment>/*` and read as blobs, never checked out.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path

from warroom.store.private import make_private_folder

from .errors import ExportUnavailable
from .export import SegmentRef, check_deployment, check_segment
from .segment import parse_segment_name, parse_writer_dir

_LOCAL_TIMEOUT = 120.0  # plumbing on the local cache: slow only on a very slow disk
_IDENTITY = {"GIT_AUTHOR_NAME": "warroom", "GIT_AUTHOR_EMAIL": "warroom@localhost",
             "GIT_COMMITTER_NAME": "warroom", "GIT_COMMITTER_EMAIL": "warroom@localhost"}
_PASSWORD_IN_URL = re.compile(r"(://[^/@:]*):[^/@]*@")
_OBJECT_ID = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?\Z")  # sha1 or sha256
_REJECTED = ("[rejected]", "non-fast-forward", "fetch first")


class GitFailed(Exception):
    """A git command failed: its exit status and its most telling stderr line."""

    def __init__(self, returncode: int | None, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.returncode = returncode
        self.message = message
        self.stderr = stderr


class GitExport:
    def __init__(self, url: str, cache_dir: Path, *, timeout: float = 20.0) -> None:
        self.url = url
        self.description = _PASSWORD_IN_URL.sub(r"\1:***@", url)
        self.timeout = timeout
        self.cache = cache_dir / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()[:16]}.git"
        if not url or url.startswith("-"):
            raise ExportUnavailable(f"the git export {url!r} is not a git URL; "
                                    "give git:URL or a bare repository's path")

    # --- the Export protocol ---------------------------------------------------------------------

    def check(self) -> None:
        self._remote("ls-remote", "--quiet", self.url, "HEAD")

    def publish(self, writer: str, name: str, data: bytes) -> None:
        self.publish_many(writer, [(name, data)])

    def publish_many(self, writer: str, segments: Sequence[tuple[str, bytes]]) -> None:
        """Commit the segments onto the writer's ref(s) in the cache, then push them in one go."""
        by_ref: dict[str, dict[str, bytes]] = {}
        for name, data in segments:
            deployment = check_segment(writer, name, data)
            by_ref.setdefault(f"refs/warroom/{deployment}/{writer}", {})[name] = data
        if not by_ref:
            return
        self._ensure_cache()
        for ref, files in by_ref.items():
            blobs = {name: self._local("hash-object", "-w", "--stdin", input=data).decode().strip()
                     for name, data in files.items()}
            self._commit(ref, blobs)
        try:
            self._push(by_ref)
        except GitFailed as failed:
            if not any(marker in failed.stderr for marker in _REJECTED):
                raise self._unavailable(failed) from None
            # The remote holds commits of ours this cache never saw (a cache made anew): take them in.
            for ref in by_ref:
                self._catch_up(ref)
            try:
                self._push(by_ref)
            except GitFailed as again:
                raise self._unavailable(again) from None

    def list_segments(self, deployment: str) -> list[SegmentRef]:
        check_deployment(deployment)
        self._ensure_cache()
        self._remote("fetch", "--quiet", "--no-tags", "--no-write-fetch-head", self.url,
                     f"+refs/warroom/{deployment}/*:refs/peers/{deployment}/*")
        refs = self._local("for-each-ref", "--format=%(refname)", f"refs/warroom/{deployment}/",
                           f"refs/peers/{deployment}/").decode().split()
        found: dict[tuple[str, str], SegmentRef] = {}
        for ref in refs:
            writer = ref.rsplit("/", 1)[-1]
            if parse_writer_dir(writer) is None:
                continue
            for line in self._local("ls-tree", "-l", "-z", ref).split(b"\0"):
                if not line:
                    continue
                meta, _, name_bytes = line.partition(b"\t")
                name = name_bytes.decode("utf-8", errors="replace")
                parts = meta.decode("ascii", errors="replace").split()
                if len(parts) != 4 or parts[1] != "blob" or parse_segment_name(name) is None:
                    continue
                size = int(parts[3]) if parts[3].isdigit() else None
                found.setdefault((writer, name), SegmentRef(writer=writer, name=name, size=size, locator=parts[2]))
        return sorted(found.values(), key=lambda ref: (ref.writer, parse_segment_name(ref.name) or (0, 0, "")))

    def read(self, ref: SegmentRef, limit: int) -> bytes:
        """The blob's first limit + 1 bytes, streamed, so an oversized blob is never read whole."""
        if not _OBJECT_ID.match(ref.locator):
            raise ValueError(f"{ref.locator!r} is not a git object id")
        try:
            process = subprocess.Popen(["git", "--git-dir", str(self.cache), "cat-file", "blob", ref.locator],
                                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       env=_environment(), start_new_session=True)
        except OSError as exc:
            raise ExportUnavailable(f"git cannot be run ({exc.strerror}); "
                                    "install git or choose a folder export") from exc
        stdout, stderr_pipe = process.stdout, process.stderr
        assert stdout is not None and stderr_pipe is not None
        timer = threading.Timer(_LOCAL_TIMEOUT, _kill_group, (process,))
        timer.start()
        try:
            data = stdout.read(limit + 1)
            if len(data) > limit:
                _kill_group(process)  # the rest is never wanted
            stderr = stderr_pipe.read()
            returncode = process.wait()
        finally:
            timer.cancel()
            stdout.close()
            stderr_pipe.close()
        if returncode != 0 and len(data) <= limit:
            raise ExportUnavailable(f"the segment {ref.name} cannot be read from the git cache {self.cache} "
                                    f"({_telling_line(stderr)}); the next sync tries again")
        return data

    def watch_path(self) -> Path | None:
        return None

    # --- the writer's ref ------------------------------------------------------------------------

    def _commit(self, ref: str, blobs: dict[str, str]) -> None:
        """A new commit on `ref`: its tree is the previous one plus `blobs` (name -> blob id)."""
        for _ in range(3):  # another process sharing this cache may move the ref between read and update
            parent = self._tip(ref)
            entries = self._tree_entries(parent) if parent else {}
            if all(entries.get(name) == blob for name, blob in blobs.items()):
                return  # all there already
            entries.update(blobs)
            tree = self._make_tree(entries)
            parents = ["-p", parent] if parent else []
            message = f"warroom: {', '.join(sorted(blobs))}"
            commit = self._local("commit-tree", tree, *parents, "-m", message).decode().strip()
            try:
                self._local("update-ref", ref, commit, parent or "")
                return
            except ExportUnavailable:
                continue
        raise ExportUnavailable(f"the git cache {self.cache} keeps changing under {ref}; the next sync tries again")

    def _catch_up(self, ref: str) -> None:
        """Join the remote's commits of `ref` with ours: a merge whose tree holds both sides' files."""
        theirs_ref = "refs/remote-own/" + ref.removeprefix("refs/")
        self._remote("fetch", "--quiet", "--no-tags", "--no-write-fetch-head", self.url, f"+{ref}:{theirs_ref}")
        theirs = self._tip(theirs_ref)
        ours = self._tip(ref)
        if not theirs or not ours:
            return
        entries = self._tree_entries(theirs)
        entries.update(self._tree_entries(ours))
        tree = self._make_tree(entries)
        commit = self._local("commit-tree", tree, "-p", ours, "-p", theirs, "-m", "warroom: join").decode().strip()
        self._local("update-ref", ref, commit, ours)

    def _push(self, by_ref: dict[str, dict[str, bytes]]) -> None:
        refspecs = [f"{ref}:{ref}" for ref in by_ref]
        self._git(self.timeout, "push", "--quiet", self.url, *refspecs)

    def _tip(self, ref: str) -> str:
        try:
            return self._git(_LOCAL_TIMEOUT, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
        except GitFailed:
            return ""

    def _tree_entries(self, commit: str) -> dict[str, str]:
        entries = {}
        for line in self._local("ls-tree", "-z", commit).split(b"\0"):
            meta, _, name = line.partition(b"\t")
            parts = meta.split()
            if len(parts) == 3 and parts[1] == b"blob":
                entries[name.decode("utf-8")] = parts[2].decode("ascii")
        return entries

    def _make_tree(self, entries: dict[str, str]) -> str:
        listing = "".join(f"100644 blob {blob}\t{name}\0" for name, blob in sorted(entries.items()))
        return self._local("mktree", "-z", input=listing.encode("utf-8")).decode().strip()

    # --- running git -----------------------------------------------------------------------------

    def _ensure_cache(self) -> None:
        if (self.cache / "HEAD").is_file():
            return
        try:
            make_private_folder(self.cache.parent)
        except OSError as exc:
            raise ExportUnavailable(f"the git cache folder {self.cache.parent} cannot be made ({exc.strerror}); "
                                    "check that it is yours and writable") from exc
        self._local("init", "--quiet", "--bare", str(self.cache))

    def _local(self, *args: str, input: bytes | None = None) -> bytes:
        """A git command on the local cache; ExportUnavailable when it fails."""
        try:
            return self._git(_LOCAL_TIMEOUT, *args, input=input)
        except GitFailed as failed:
            raise ExportUnavailable(f"the git cache {self.cache} cannot be used ({failed.message}); "
                                    "remove it and the next sync makes it again") from None

    def _remote(self, *args: str) -> bytes:
        """A git command that talks to the remote; ExportUnavailable when it fails or does not answer."""
        try:
            return self._git(self.timeout, *args)
        except GitFailed as failed:
            raise self._unavailable(failed) from None

    def _unavailable(self, failed: GitFailed) -> ExportUnavailable:
        return ExportUnavailable(f"the git export {self.description} does not answer ({failed.message}); "
                                 "local work goes on and the next sync tries again")

    def _git(self, timeout: float, *args: str, input: bytes | None = None) -> bytes:
        """Run git with a hard timeout: on expiry the whole process group (ssh, remote helpers) is
        killed, so nothing holds the pipes open and nothing hangs past `timeout`."""
        command = ["git", "--git-dir", str(self.cache), *args]
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_environment(),
                                       start_new_session=True)
        except OSError as exc:
            raise GitFailed(None, f"git cannot be run: {exc.strerror}") from exc
        with process:
            try:
                stdout, stderr = process.communicate(input, timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                process.communicate()
                raise GitFailed(None, f"no answer within {timeout:g} s") from None
            except BaseException:
                _kill_group(process)
                raise
        if process.returncode != 0:
            raise GitFailed(process.returncode, _telling_line(stderr) or f"git {args[0]} failed",
                            stderr.decode("utf-8", errors="replace"))
        return stdout


def _environment() -> dict[str, str]:
    # No terminal to prompt on: GIT_TERMINAL_PROMPT=0, and the new session has no controlling tty.
    environment = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C", **_IDENTITY)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        environment.pop(name, None)  # the caller's repository is not ours
    return environment


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _telling_line(stderr: bytes) -> str:
    """git's most telling stderr line: the first fatal or error, else the last line."""
    lines = [line.strip() for line in stderr.decode("utf-8", errors="replace").splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:", " ! [rejected]", "! [rejected]")):
            return line
    return lines[-1] if lines else ""
