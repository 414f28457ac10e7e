"""How the stages that work program by program (validation, rendering) run: in worker processes.

Forked where the platform allows it (Linux), so that they share the parent's memory (its modules,
templates and catalogue) instead of each making its own; spawned elsewhere (Windows, macOS). Each
dies with its parent: a worker of a killed build must not write on. With the garbage collector
paced for heaps of many long-lived objects.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Iterator

START_METHOD = "fork" if sys.platform == "linux" else "spawn"

# Objects allocated between collections of the youngest generation (Python's default is 700).
COLLECT_EVERY = 20_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The cyclic garbage collector run less often while a build or a validation lasts, then as it was.

    At Python's default pace the collector walks a national corpus's millions of long-lived objects
    again and again. Not switched off: rendering leaves reference cycles behind. What an earlier build
    in the same process (the preview server's, a test run's) left in cycles is collected first, so
    that it neither stays while this build's heap grows nor is frozen into its workers.
    """
    thresholds = gc.get_threshold()
    if thresholds[0] != COLLECT_EVERY:
        gc.collect()
    gc.set_threshold(COLLECT_EVERY, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


MIN_PROGRAMS = 2  # one program cannot be shared out


def default_workers(programs: int) -> int:
    return min(os.cpu_count() or 1, 8) if programs >= MIN_PROGRAMS else 1


def die_with_parent(parent: int) -> None:
    """For a child process of ``parent`` (its pid, taken before the fork): the kernel kills it when
    its parent dies. If the parent died before this ran, the kernel never will: the child goes now.
    (Without that check, a build killed while forking left a worker waiting forever on its pool's
    lock, found holding a killed test build's output lock an hour later.)"""
    if sys.platform == "linux":
        try:
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)


def new_event(workers: int) -> Any:  # noqa: ANN401 - an Event of threading or of multiprocessing
    """An event the build's processes share: the workers' when there are workers."""
    return multiprocessing.get_context(START_METHOD).Event() if workers > 1 else threading.Event()


def _start_worker(parent: int, setup: Callable[..., None] | None, arguments: tuple[Any, ...]) -> None:
    die_with_parent(parent)
    if setup is not None:
        setup(*arguments)


@contextmanager
def worker_pool(workers: int, setup: Callable[..., None] | None = None, *arguments: Any) -> Iterator[ProcessPoolExecutor]:  # noqa: ANN401
    """A pool of workers, each started with ``setup(*arguments)``, stopped on leaving;
    ``pool.map(function, items, chunksize=n)``. What ``setup``, ``arguments`` and ``function`` are must
    pickle, for spawned workers.

    concurrent.futures' executor, not multiprocessing.Pool: when a worker dies (the out-of-memory killer,
    a kill -9), its map raises BrokenProcessPool, where Pool starts another worker and waits for ever
    for the lost program's result.

    Before forking, what the parent holds is frozen out of the cyclic garbage collector, as the gc
    module's documentation advises: otherwise every collection in each worker walks it again, and
    touches and so copies the pages it shares with the parent. Unfrozen on leaving, so that a process
    that builds again and again collects what it no longer needs.
    """
    forked = START_METHOD == "fork"
    if forked:
        gc.freeze()
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(START_METHOD),
                               initializer=_start_worker, initargs=(os.getpid(), setup, arguments))
    try:
        yield pool
    except BaseException:
        # Left early (an error, Ctrl-C): what no worker has started is dropped, not run to the end.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
        if forked:
            gc.unfreeze()
