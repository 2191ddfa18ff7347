"""Limits a sandbox worker puts on itself before it reads untrusted files.

The parent's wall-clock limit ends a worker that takes too long, but only
while the parent lives: a killed `ratsblick extract` used to leave its
workers running at full CPU. So a worker dies with its parent (Linux's
parent-death signal) and carries its own CPU-time limit for every file.
"""

from __future__ import annotations

import ctypes
import math
import os
import resource
import signal
import time

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> bool:
    """Have the kernel SIGKILL this process when `parent` ends; False if it already has.

    The parent can die between starting the worker and this call; the worker
    then belongs to another process already, and the caller must exit.
    Linux takes the *thread* that started the worker as its parent: a worker
    also dies when that thread ends.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl(PR_SET_PDEATHSIG): {os.strerror(error)}")
    return os.getppid() == parent


def limit_memory(max_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


def limit_cpu(seconds: float) -> None:
    """Allow `seconds` more CPU time from now on.

    When they are spent the kernel sends SIGXCPU, which ends the process. A
    worker reads many files, so the limit is moved before each one.
    """
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(time.process_time() + seconds)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
