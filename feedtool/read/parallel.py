"""Work on both cores: a job list run in two forked processes when it is long enough.

Parsing episode files is most of a cold build, and it is one file at a time, so two
processes halve it. The workers are forked: they start with the parent's memory (the
jobs, the people folder, the code), so nothing is sent to them but a job's index. What
comes back is text, which the caller decodes with its own checks (the episode cache's
typed codec): no object of ours crosses between the processes.

The result is the one a single process gives: jobs are independent, the results come
back in job order, and a worker that fails makes the caller run the jobs itself.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator

MIN_JOBS = 40  # below this, starting the processes costs more than they save
WORKERS = 2

_WORK: Callable[[int], str] | None = None  # what the forked workers run, set just before the fork


def _run(index: int) -> str:
    assert _WORK is not None, "a worker runs only in a fork of map_in_forks"
    return _WORK(index)


def can_fork() -> bool:
    """Two cores and the fork start method (Linux, macOS with fork): the pool can pay off."""
    return (os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods()


def map_in_forks(
    work: Callable[[int], str],
    count: int,
    *,
    progress: Callable[[int], None] | None = None,
    min_jobs: int | None = None,
) -> Iterator[str] | None:
    """``work(0), ..., work(count - 1)`` computed by forked workers, yielded in order as they
    arrive (the caller decodes one while the workers go on: nothing waits in memory for the
    last); None when the jobs are too few (or the machine cannot fork), and the caller runs
    them itself. ``progress(done)`` is called as results arrive."""
    if count < (MIN_JOBS if min_jobs is None else min_jobs) or not can_fork():
        return None
    return _in_forks(work, count, progress)


def _in_forks(
    work: Callable[[int], str], count: int, progress: Callable[[int], None] | None
) -> Iterator[str]:
    global _WORK
    _WORK = work
    try:
        with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
            for done, text in enumerate(pool.imap(_run, range(count), chunksize=4), 1):
                if progress is not None:
                    progress(done)
                yield text
    finally:
        _WORK = None
