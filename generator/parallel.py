"""Worker processes for the stages that work program by program (validation, rendering).

Forked, so they share the parent's memory instead of receiving a copy of it,
and each dies with its parent: a worker of a killed build must not write on.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from multiprocessing.pool import Pool

MIN_PROGRAMS = 2  # one program cannot be shared out; from two on, a forked worker (~10 ms) pays off


def default_workers(programs: int) -> int:
    return min(os.cpu_count() or 1, 8) if programs >= MIN_PROGRAMS else 1


def die_with_parent() -> None:
    """For a child process: the kernel kills it when its parent dies."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def worker_pool(workers: int) -> Pool:
    return multiprocessing.get_context("fork").Pool(workers, initializer=die_with_parent)
