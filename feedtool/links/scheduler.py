"""A polite, fast scheduler: global and per-host concurrency, a minimum
interval between request starts per host, adaptive slow-down on 429,
bounded retries with exponential backoff and jitter, and a time budget.

Design: the calling thread is the dispatcher. Work comes as ``Job``s (one
probe of one URL, or one Apple lookup covering a show). A job is handed to a
worker thread only when its host has a free slot and a free global slot, so a
slow or throttled host never parks the workers other hosts could use. A
retry is a new attempt queued with a "not before" time, so backoff sleeps
hold no slot. Requests a job makes to *other* hosts (redirect hops) take
those hosts' slots through ``Lease.turn``, blocking, within the job's global
slot.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

MAX_SLOWDOWN = 30.0  # seconds added to a host's interval at most after repeated 429s


@dataclass
class _Host:
    limit: int
    interval: float
    in_flight: int = 0
    next_start: float = 0.0  # monotonic time before which no request may start
    slowdown: float = 0.0  # adaptive extra interval after 429s


class HostLimiter:
    """Per-host slots and start times plus the global slot count. Thread-safe."""

    def __init__(
        self,
        concurrency: int,
        limit_for: Callable[[str], int],
        interval_for: Callable[[str], float],
        clock: Callable[[], float] = time.monotonic,
        slowdown_base: float = 0.5,
    ):
        self.concurrency = concurrency
        self.slowdown_base = slowdown_base
        self._limit_for, self._interval_for, self._clock = limit_for, interval_for, clock
        self._hosts: dict[str, _Host] = {}
        self._cond = threading.Condition()
        self.global_in_flight = 0
        self.max_global_in_flight = 0
        self.budget_hit = False  # a request was refused because the run's time budget ran out

    def _host(self, key: str) -> _Host:
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host(max(1, self._limit_for(key)), self._interval_for(key))
        return host

    # -- used by the dispatcher -------------------------------------------------
    def try_start_job(self, key: str) -> bool:
        """Take a global slot and a slot on ``key`` if both are free now (no waiting)."""
        with self._cond:
            host = self._host(key)
            if self.global_in_flight >= self.concurrency or host.in_flight >= host.limit:
                return False
            self.global_in_flight += 1
            self.max_global_in_flight = max(self.max_global_in_flight, self.global_in_flight)
            host.in_flight += 1
            return True

    def end_job(self, key: str) -> None:
        with self._cond:
            self.global_in_flight -= 1
            self._host(key).in_flight -= 1
            self._cond.notify_all()

    def has_room(self) -> bool:
        with self._cond:
            return self.global_in_flight < self.concurrency

    # -- used by requests inside a job -------------------------------------------
    def acquire_host(self, key: str, deadline: float) -> bool:
        """Block until ``key`` has a free slot (for a redirect hop to another host)."""
        with self._cond:
            host = self._host(key)
            while host.in_flight >= host.limit:
                remaining = deadline - self._clock()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.5))
            host.in_flight += 1
            return True

    def release_host(self, key: str) -> None:
        with self._cond:
            self._host(key).in_flight -= 1
            self._cond.notify_all()

    def reserve_start(self, key: str) -> float:
        """Book the next start time on ``key``; return how long to sleep before starting."""
        with self._cond:
            host = self._host(key)
            now = self._clock()
            start = max(now, host.next_start)
            host.next_start = start + host.interval + host.slowdown
            return start - now

    def throttled(self, key: str, retry_after: float | None) -> None:
        """A 429: double the host's extra interval (from ``slowdown_base`` up to 30 s)
        and keep off the host for Retry-After."""
        with self._cond:
            host = self._host(key)
            host.slowdown = min(MAX_SLOWDOWN, max(self.slowdown_base, host.slowdown * 2))
            if retry_after:
                host.next_start = max(host.next_start, self._clock() + retry_after)

    def succeeded(self, key: str) -> None:
        """Recover gradually from an adaptive slow-down."""
        with self._cond:
            host = self._host(key)
            if host.slowdown:
                host.slowdown = host.slowdown / 2 if host.slowdown > self.slowdown_base / 8 else 0.0

    def slowdown(self, key: str) -> float:
        with self._cond:
            return self._host(key).slowdown


class Lease:
    """The slots one running job holds; ``turn(host)`` paces each request."""

    def __init__(self, limiter: HostLimiter, home: str, deadline: float):
        self.limiter, self.home, self.deadline = limiter, home, deadline
        self._held: set[str] = set()

    def turn(self, key: str) -> bool:
        """Wait until a request to ``key`` may start; False when the budget ran out."""
        if key != self.home and key not in self._held:
            if not self.limiter.acquire_host(key, self.deadline):
                self.limiter.budget_hit = True
                return False
            self._held.add(key)
        wait = self.limiter.reserve_start(key)
        if time.monotonic() + wait > self.deadline:
            self.limiter.budget_hit = True
            return False
        if wait > 0:
            time.sleep(wait)
        return True

    def close(self) -> None:
        for key in self._held:
            self.limiter.release_host(key)
        self._held.clear()


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 2  # attempts after the first
    backoff: float = 0.5  # first delay; doubles each retry
    retry_after_cap: float = 60.0
    jitter: float = 0.5  # delay is multiplied by a random factor in [1-jitter, 1+jitter]

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float | None:
        """Seconds before attempt ``attempt + 1``, or None when no retry is due."""
        if attempt > self.retries:
            return None
        if retry_after is not None:
            return None if retry_after > self.retry_after_cap else retry_after
        base = self.backoff * (2 ** (attempt - 1))
        return base * rng.uniform(1 - self.jitter, 1 + self.jitter)


@dataclass(frozen=True)
class AttemptResult:
    """What one attempt of a job produced. ``transient`` asks for a retry."""

    value: Any
    transient: bool = False
    retry_after: float | None = None  # seconds from a Retry-After header
    host_refusal: str | None = None  # the host refuses automated checks (bot wall): why


@dataclass
class Job:
    host: str  # host key of the job's first request
    run: Callable[[Lease, int], AttemptResult]  # (lease, attempt number from 1) -> result
    give_up: Callable[[str, AttemptResult | None], Any]  # (reason, last result) -> final value
    key: Any = None
    attempt: int = 0
    last: AttemptResult | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Finished:
    job: Job
    value: Any
    attempts: int


class Scheduler:
    """Runs jobs under a HostLimiter and a RetryPolicy until done or out of budget."""

    def __init__(
        self,
        limiter: HostLimiter,
        policy: RetryPolicy,
        budget: float,
        rng: random.Random | None = None,
        refusals_to_trip: int = 3,
        network_down: Callable[[], str | None] | None = None,
    ):
        self.limiter, self.policy = limiter, policy
        self.deadline = time.monotonic() + budget
        self.rng = rng or random.Random()
        self.budget_exhausted = False
        # circuit breaker: a host that refused `refusals_to_trip` checks (bot walls) gets no
        # more requests this run, and nothing does once the network is plainly down; what is
        # left is settled as UNKNOWN at once instead of waiting out the politeness intervals
        self.refusals_to_trip = refusals_to_trip
        self.network_down = network_down
        self.refusals: dict[str, int] = {}
        self.tripped: dict[str, str] = {}  # host -> reason
        self.all_tripped: str | None = None

    def stop_reason(self, host: str) -> str | None:
        """Why jobs on ``host`` are no longer sent, or None."""
        return self.all_tripped or self.tripped.get(host)

    @property
    def out_of_budget(self) -> bool:
        return self.budget_exhausted or self.limiter.budget_hit

    def run(
        self,
        jobs: Iterable[Job],
        on_finished: Callable[[Finished], None],
        on_idle: Callable[[], None] | None = None,
    ) -> None:
        """Run ``jobs``; ``on_finished`` gets each finished job in the dispatcher thread.
        ``on_idle`` is called once new jobs are on their way and before waiting for the next
        to finish (and once at the end): the moment for slow work such as a database write,
        which would otherwise leave free slots unused."""
        pending: dict[str, deque[Job]] = {}
        for job in jobs:
            pending.setdefault(job.host, deque()).append(job)
        delayed: list[tuple[float, int, Job]] = []  # (not before, tiebreak, job)
        tiebreak = itertools.count()
        done: queue.Queue[tuple[Job, AttemptResult | BaseException]] = queue.Queue()
        running = 0
        hosts = deque(pending)

        def work(job: Job, lease: Lease) -> None:
            try:
                result: AttemptResult | BaseException = job.run(lease, job.attempt)
            except BaseException as exc:  # surfaced in the dispatcher thread
                result = exc
            finally:
                lease.close()
                self.limiter.end_job(job.host)
            done.put((job, result))

        workers = ThreadPoolExecutor(max_workers=self.limiter.concurrency, thread_name_prefix="links")
        try:
            while pending or delayed or running:
                now = time.monotonic()
                if now >= self.deadline and (pending or delayed):
                    self.budget_exhausted = True
                    for waiting in pending.values():
                        for job in waiting:
                            on_finished(
                                Finished(
                                    job,
                                    job.give_up("run time budget exhausted before it was checked", job.last),
                                    job.attempt,
                                )
                            )
                    for _, _, job in delayed:
                        on_finished(
                            Finished(
                                job,
                                job.give_up("run time budget exhausted before the retry", job.last),
                                job.attempt,
                            )
                        )
                    pending.clear()
                    delayed.clear()
                while delayed and delayed[0][0] <= now:
                    _, _, job = heapq.heappop(delayed)
                    if job.host not in pending:
                        pending[job.host] = deque()
                        hosts.append(job.host)
                    pending[job.host].appendleft(job)
                # round-robin over hosts so that one big host does not hog the global slots
                for _ in range(len(hosts)):
                    if not self.limiter.has_room():
                        break
                    host = hosts[0]
                    hosts.rotate(-1)
                    queue_ = pending.get(host)
                    reason = self.stop_reason(host)
                    while queue_ and reason:
                        job = queue_.popleft()
                        on_finished(Finished(job, job.give_up(reason, job.last), job.attempt))
                    while queue_ and self.limiter.try_start_job(host):
                        job = queue_.popleft()
                        job.attempt += 1
                        running += 1
                        workers.submit(work, job, Lease(self.limiter, host, self.deadline))
                    if queue_ is not None and not queue_:
                        del pending[host]
                        hosts.remove(host)
                timeout = 0.5
                if delayed:
                    timeout = min(timeout, max(0.0, delayed[0][0] - time.monotonic()))
                if not running and not pending and not delayed:
                    break
                if on_idle is not None:
                    on_idle()
                try:
                    job, result = done.get(timeout=timeout if running or delayed else 0.05)
                except queue.Empty:
                    continue
                while True:
                    running -= 1
                    self._settle(job, result, delayed, tiebreak, on_finished)
                    try:
                        job, result = done.get_nowait()
                    except queue.Empty:
                        break
        finally:
            workers.shutdown(wait=True, cancel_futures=True)
        if on_idle is not None:
            on_idle()

    def _trip(self, job: Job, result: AttemptResult) -> None:
        if result.host_refusal:
            self.refusals[job.host] = self.refusals.get(job.host, 0) + 1
            if self.refusals[job.host] >= self.refusals_to_trip and job.host not in self.tripped:
                self.tripped[job.host] = (
                    f"not checked: {job.host} refused {self.refusals[job.host]} automated "
                    f"checks in this run ({result.host_refusal}); not the link's fault"
                )
        if self.network_down is not None and self.all_tripped is None:
            down = self.network_down()
            if down:
                self.all_tripped = f"not checked: {down}"

    def _settle(
        self,
        job: Job,
        result: AttemptResult | BaseException,
        delayed: list[tuple[float, int, Job]],
        tiebreak: Iterator[int],
        on_finished: Callable[[Finished], None],
    ) -> None:
        if isinstance(result, BaseException):
            raise result
        job.last = result
        self._trip(job, result)
        reason = self.stop_reason(job.host)
        if result.transient and reason:
            on_finished(Finished(job, job.give_up(reason, result), job.attempt))
            return
        if result.transient:
            delay = self.policy.delay(job.attempt, result.retry_after, self.rng)
            if delay is not None and time.monotonic() + delay < self.deadline:
                heapq.heappush(delayed, (time.monotonic() + delay, next(tiebreak), job))
                return
            if delay is not None:
                self.budget_exhausted = True
                on_finished(
                    Finished(
                        job, job.give_up("run time budget exhausted before the retry", result), job.attempt
                    )
                )
                return
            if result.retry_after is not None and result.retry_after > self.policy.retry_after_cap:
                on_finished(
                    Finished(
                        job,
                        job.give_up(
                            f"Retry-After {result.retry_after:g} s is over the {self.policy.retry_after_cap:g} s cap, "
                            "not retried this run",
                            result,
                        ),
                        job.attempt,
                    )
                )
                return
        on_finished(Finished(job, result.value, job.attempt))
