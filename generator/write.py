"""Write outputs: the only module that touches the output folders.

Everything is written into a staging folder beside the target and swapped in
at the end, so a failed or interrupted build leaves the previous output whole.
A lock file keeps two builds from interleaving.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import stat
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import BinaryIO

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class OutputBusy(RuntimeError):
    """Another build holds the lock on this output folder."""


class UnsafeOutputPath(ValueError):
    """A path that would land outside the output folder, or twice in it."""


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2). False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


class OutputFolder:
    """``with OutputFolder(Path("site")) as out: out.write("uk/index.html", data)``; swapped in on success."""

    def __init__(self, target: Path) -> None:
        self.target = target.absolute()
        self.staging = self.target.with_name(f".{self.target.name}.staging")
        self._lock_path = self.target.with_name(f".{self.target.name}.lock")
        self._lock: int | None = None
        self._written: set[str] = set()
        self._folders: set[str] = set()

    def __enter__(self) -> "OutputFolder":
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self._lock = os.open(self._lock_path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock)
            self._lock = None
            raise OutputBusy(str(self.target)) from None
        # Left over from an interrupted build: it was never swapped in, so it can go.
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir()
        return self

    def path(self, relative: str) -> Path:
        """The staging path for a relative output path, refusing anything that escapes or repeats."""
        posix = PurePosixPath(relative)
        if posix.is_absolute() or ".." in posix.parts or not posix.parts or relative != posix.as_posix():
            raise UnsafeOutputPath(relative)
        self.claim(relative)
        return self.staging.joinpath(*posix.parts)

    def claim(self, relative: str) -> None:
        """Record a path as written (by this process or a worker), refusing a second write."""
        if relative in self._written:
            raise UnsafeOutputPath(f"{relative} (written twice)")
        self._written.add(relative)

    def forget(self, relative: str) -> None:
        self._written.discard(relative)

    def write(self, relative: str, data: bytes) -> Path:
        with self.open(relative) as handle:
            handle.write(data)
        return Path(handle.name)

    def open(self, relative: str) -> BinaryIO:
        """A new file to stream into, for outputs too big to hold in memory."""
        path = self.path(relative)
        self.folder_for(path)
        return open(path, "xb")  # "x": a fresh file, never one linked from the previous output

    def link(self, relative: str, source: Path) -> None:
        """The same bytes as a file this build already wrote (in this or another output): linked, not copied."""
        path = self.path(relative)
        self.folder_for(path)
        try:
            os.link(source, path)
        except OSError:  # another file system, or one without hard links
            shutil.copyfile(source, path)

    def folder_for(self, path: Path | str) -> None:
        """Make the file's folder once (a build writes thousands of files into the same folders)."""
        self._make_folder(os.path.dirname(path))

    def _make_folder(self, folder: str) -> None:
        if folder not in self._folders:
            try:
                os.mkdir(folder)  # most often the parent is there: one call, not makedirs' several
            except FileExistsError:
                pass
            except FileNotFoundError:
                os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)

    def carry(self, relative: str, previous: str, size: int) -> str:
        """Link ``relative`` from the previous output (its folder: ``previous``) into this one, unchanged.

        Only a plain file of the recorded size: the previous output is trusted no further than it
        can be checked. Raises ValueError or OSError, claiming nothing, if it is not; ``drop`` undoes
        it. Strings, not Paths: a rebuild carries hundreds of thousands of files, and pathlib took
        most of its time.
        """
        parts = relative.split("/")
        if "" in parts or "." in parts or ".." in parts:
            raise UnsafeOutputPath(relative)
        self.claim(relative)
        try:
            source = f"{previous}/{relative}"
            info = os.lstat(source)
            if not stat.S_ISREG(info.st_mode) or info.st_size != size:
                raise ValueError(f"{relative}: not the file the previous build wrote")
            target = f"{self.staging}/{relative}"
            self._make_folder(target.rpartition("/")[0])
            os.link(source, target, follow_symlinks=False)
        except BaseException:
            self.forget(relative)
            raise
        return target

    def drop(self, relative: str) -> None:
        """Undo ``carry``."""
        os.unlink(f"{self.staging}/{relative}")
        self.forget(relative)

    def commit(self) -> None:
        if self.target.exists() and _exchange(self.staging, self.target):
            shutil.rmtree(self.staging)  # now the previous output
            return
        if self.target.exists():  # no atomic exchange here: two renames, the old one kept until the new is in place
            old = self.target.with_name(f".{self.target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            self.target.rename(old)
            self.staging.rename(self.target)
            shutil.rmtree(old)
        else:
            self.staging.rename(self.target)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        try:
            if kind is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            if self._lock is not None:
                os.close(self._lock)
                self._lock = None
