"""Write outputs: the only module that touches the output folders.

Everything is written into a staging folder beside the target. A full build's
staging folder is the whole new output, swapped in at the end. An update (an
incremental build) stages only what changed, and moves it into the output
under a journal: a build killed while moving leaves the journal, and the next
build completes the moves before anything else. Either way a failed build
leaves the previous output whole. A lock file keeps two builds from interleaving.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

_AT_FDCWD = -100
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_RENAME_EXCHANGE = 2


class OutputBusy(RuntimeError):
    """Another build holds the lock on this output folder."""


class UnsafeOutputPath(ValueError):
    """A path that would land outside the output folder, or twice in it."""


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2). False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):  # not Linux: no renameat2 (on Windows, no C library by that name)
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def lock_file(descriptor: int) -> None:
    """An exclusive lock on an open file, released when it is closed (or its process dies); BlockingIOError
    at once if another process holds it. Where the system offers neither POSIX's nor Windows' locks, none."""
    try:
        import fcntl  # POSIX
    except ImportError:
        try:
            import msvcrt  # Windows
        except ImportError:
            return
        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError as error:
            raise BlockingIOError(str(error)) from error
        return
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)


def safe_relative(relative: str) -> bool:
    """A path inside an output folder: relative, no "..", ".", empty or backslash part."""
    parts = relative.split("/")
    return bool(relative) and "\\" not in relative and not any(part in ("", ".", "..") for part in parts)


class OutputFolder:
    """``with OutputFolder(Path("site")) as out: out.write("uk/index.html", data)``; swapped in on success.

    With ``update=True``, only what is written (and ``remove``d) changes in the target; the rest stays.
    """

    def __init__(self, target: Path, update: bool = False) -> None:
        self.target = target.absolute()
        self.update = update and self.target.is_dir()
        self.staging = self.target.with_name(f".{self.target.name}.staging")
        self._staging = str(self.staging)
        self.journal = self.target.with_name(f".{self.target.name}.journal")
        self.previous = self.target.with_name(f".{self.target.name}.old")  # where a commit without exchange moves the old output
        self._lock_path = self.target.with_name(f".{self.target.name}.lock")
        self._lock: int | None = None
        self._written: set[str] = set()
        self._removed: set[str] = set()
        self._folders: set[str] = set()

    def _take_lock(self) -> None:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self._lock = os.open(self._lock_path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            lock_file(self._lock)
        except BlockingIOError:
            os.close(self._lock)
            self._lock = None
            raise OutputBusy(str(self.target)) from None

    def _release_lock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __enter__(self) -> "OutputFolder":
        self._take_lock()
        self._restore_previous()
        self._complete_update()  # a build killed while it moved its files in: finish the moves
        # Left over from an interrupted build: it was never swapped in, so it can go.
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir()
        return self

    def recover(self) -> None:
        """Finish what a build killed while moving its update in left (see _complete_update), under the lock.

        Before a build reads the previous output's manifest: that manifest may be in the journal.
        """
        if not self.journal.exists() and not self.previous.exists():
            return
        self._take_lock()
        try:
            self._restore_previous()
            self._complete_update()
        finally:
            self._release_lock()

    def path(self, relative: str) -> str:
        """The staging path for a relative output path, refusing anything that escapes or repeats.

        A string, not a Path: made for each of the half a million files of a national build.
        """
        if not safe_relative(relative):
            raise UnsafeOutputPath(relative)
        self.claim(relative)
        return f"{self._staging}/{relative}"

    def claim(self, relative: str) -> None:
        """Record a path as written (by this process or a worker), refusing a second write."""
        if relative in self._written:
            raise UnsafeOutputPath(f"{relative} (written twice)")
        self._written.add(relative)

    def forget(self) -> None:
        """Let go of the paths and folders recorded so far: a worker does, after each program.

        Each program writes only into folders of its own (incremental.sealed checks), so no later write
        can repeat one of its paths, and a worker's memory does not grow with the corpus.
        """
        self._written.clear()
        self._folders.clear()

    def write(self, relative: str, data: bytes) -> str:
        """Write a file; where it was staged.

        By the file descriptor, O_EXCL: a fresh file, never one linked from the previous output.
        """
        path = self.path(relative)
        self.folder_for(path)
        descriptor = os.open(path, _NEW_FILE, 0o666)  # O_EXCL: a fresh file, never one linked from the previous output
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view):]
        finally:
            os.close(descriptor)
        return path

    def open(self, relative: str) -> BinaryIO:
        """A new file to stream into, for outputs too big to hold in memory."""
        path = self.path(relative)
        self.folder_for(path)
        return open(path, "xb")  # "x": a fresh file, never one linked from the previous output

    def link(self, relative: str, source: str | Path) -> None:
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

    def current(self, relative: str) -> str:
        """Where a file of the output is now: staged by this build (or its workers), else (in an update) the target's."""
        if not safe_relative(relative):
            raise UnsafeOutputPath(relative)
        staged = f"{self.staging}/{relative}"
        return staged if not self.update or os.path.lexists(staged) else f"{self.target}/{relative}"

    def remove(self, relative: str) -> None:
        """In an update: take a file of the previous output out (unless this build writes it again)."""
        if not safe_relative(relative):
            raise UnsafeOutputPath(relative)
        self._removed.add(relative)

    def commit(self) -> None:
        if self.update:
            self._commit_update()
            return
        if self.target.exists() and exchange(self.staging, self.target):
            shutil.rmtree(self.staging)  # now the previous output
            return
        if self.target.exists():  # no atomic exchange here: two renames, the old one kept until the new is in place
            shutil.rmtree(self.previous, ignore_errors=True)
            self.target.rename(self.previous)
            self.staging.rename(self.target)  # killed before this, the next build puts the old one back
            shutil.rmtree(self.previous)
        else:
            self.staging.rename(self.target)

    def _restore_previous(self) -> None:
        """A commit without exchange that stopped between its two renames left no output: the old one goes back."""
        if self.previous.is_dir() and not os.path.lexists(self.target):
            self.previous.rename(self.target)

    def _commit_update(self) -> None:
        """Move the staged files in and take the removed ones out, under a journal (see _complete_update)."""
        # What is in the staging folder, not what this process wrote: workers write there too.
        staging = str(self.staging)
        moves = sorted(os.path.relpath(os.path.join(folder, name), staging)
                       for folder, _, names in os.walk(staging) for name in names)
        removals = sorted(self._removed - set(moves))
        pending = self.journal.with_name(self.journal.name + ".new")
        pending.write_text(json.dumps({"move": moves, "remove": removals}, ensure_ascii=False), encoding="utf-8")
        os.replace(pending, self.journal)  # from here on, the update is done even if this process dies
        self._complete_update()

    def _complete_update(self) -> None:
        """Carry out the journal of an update, if there is one: again and again if need be, with the same result."""
        # A journal being written when its build was killed: that build had moved nothing in.
        self.journal.with_name(self.journal.name + ".new").unlink(missing_ok=True)
        try:
            plan = json.loads(self.journal.read_text(encoding="utf-8"))
            moves, removals = [str(p) for p in plan["move"]], [str(p) for p in plan["remove"]]
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError):  # not ours, or damaged: no file is touched
            self.journal.unlink()
            return
        target, staging = str(self.target), str(self.staging)
        emptied: set[str] = set()
        plain: set[str] = set()  # folders of the target checked to be folders (or missing), not links or files

        def no_links_above(relative: str, files_too: bool = False) -> None:
            """A link planted where the output has a folder is taken out: nothing is moved or removed
            through it. Before a move, so is a file there, for what goes in that folder to find a place."""
            folder = ""
            for part in relative.split("/")[:-1]:
                folder = f"{folder}/{part}" if folder else part
                if folder not in plain:
                    path = f"{target}/{folder}"
                    if os.path.islink(path) or (files_too and os.path.lexists(path) and not os.path.isdir(path)):
                        os.unlink(path)
                    plain.add(folder)

        for relative in moves:
            if not safe_relative(relative):
                continue
            no_links_above(relative, files_too=True)
            source, destination = f"{staging}/{relative}", f"{target}/{relative}"
            try:
                os.replace(source, destination)
            except FileNotFoundError:
                if os.path.lexists(source):  # its folder is missing in the target: a new page
                    os.makedirs(os.path.dirname(destination), exist_ok=True)
                    os.replace(source, destination)
                # else moved already, by the build this one completes
            except IsADirectoryError:  # a folder stands where a file goes now
                shutil.rmtree(destination)
                os.replace(source, destination)
        for relative in removals:
            if not safe_relative(relative):
                continue
            no_links_above(relative)
            try:
                os.unlink(f"{target}/{relative}")
            except (FileNotFoundError, NotADirectoryError):  # gone, or its folder is now a file of this update
                pass
            except IsADirectoryError:  # a link to a folder, taken out for a folder of this update's files
                continue
            emptied.add(relative.rpartition("/")[0])
        # Folders left empty go too, deepest first, as a full build would not have made them.
        for folder in sorted(emptied, key=lambda f: -f.count("/")):
            while folder:
                try:
                    os.rmdir(f"{target}/{folder}")
                except OSError:
                    break
                folder = folder.rpartition("/")[0]
        self.journal.unlink()
        shutil.rmtree(self.staging, ignore_errors=True)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        try:
            # Once an update's journal is written, its staged files are what the next build moves in.
            if kind is not None and not self.journal.exists():
                shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._release_lock()
