"""How the stages that work program by program (validation, rendering) run.

In worker processes, forked, so they share the parent's memory instead of receiving
a copy of it, and each dies with its parent: a worker of a killed build must not
write on. With the garbage collector paced for heaps of many long-lived objects.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Iterator

# Objects allocated between collections of the youngest generation (Python's default is 700).
COLLECT_EVERY = 20_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The cyclic garbage collector run less often while a build or a validation lasts, then as it was.

    Validation keeps a national corpus's millions of objects to the end; at Python's default
    pace, the collector walked them again and again: 3 of the 11 s of validating 1,469 programs.
    Not switched off: rendering leaves cycles behind (with no collection, a worker grew from
    228 to 569 MiB at 300 programs). What an earlier build in the same process (the preview
    server's, a test run's) left in cycles is collected first: collected rarely, it would stay
    while this build's heap grows, and be frozen into its workers (a second build of 300
    programs in one process peaked at 409 MiB instead of 260).
    """
    thresholds = gc.get_threshold()
    if thresholds[0] != COLLECT_EVERY:
        gc.collect()
    gc.set_threshold(COLLECT_EVERY, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


MIN_PROGRAMS = 2  # one program cannot be shared out; from two on, a forked worker (~10 ms) pays off


def default_workers(programs: int) -> int:
    return min(os.cpu_count() or 1, 8) if programs >= MIN_PROGRAMS else 1


def die_with_parent(parent: int) -> None:
    """For a child process of ``parent`` (its pid, taken before the fork): the kernel kills it when
    its parent dies. If the parent died before this ran, the kernel never will: the child goes now.
    (Without that check, a build killed while forking left a worker waiting forever on its pool's
    lock, found holding a killed test build's output lock an hour later.)"""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


@contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of forked workers, stopped on leaving; ``pool.map(function, items, chunksize=n)``.

    concurrent.futures' executor, not multiprocessing.Pool: when a worker dies (the out-of-memory killer,
    a kill -9), its map raises BrokenProcessPool, where Pool started another worker and waited
    for ever for the lost program's result (a CI build would hang until its job timed out). And
    Pool's thread that watches its workers woke for each result and spun until it was read: 1 s
    of the parent's CPU in a national build, taken from the workers.

    What the parent holds when it forks (the modules, templates and catalogue every worker
    uses) is frozen out of the cyclic garbage collector, as the gc module's documentation
    advises before a fork: otherwise every collection in each worker walks it all again, and
    touches and so copies the pages it shares with the parent. Unfrozen on leaving, so that a
    process that builds again and again collects what it no longer needs. (With the fork start
    method, the executor forks all its workers at the first task, in the thread that gives it:
    inside this block, so after the freeze, and from the build's own thread, which
    die_with_parent's signal is tied to.)
    """
    gc.freeze()
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=die_with_parent, initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        # Left early (an error, Ctrl-C): what no worker has started is dropped, not run to the end.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
        gc.unfreeze()
