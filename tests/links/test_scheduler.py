"""The scheduler's promises, counted on the server side."""

import itertools
import random
import time

from feedtool.links.scheduler import HostLimiter, RetryPolicy
from feedtool.links.verdict import Verdict

from .conftest import body_links, result_for, run_check
from .simulator import Gauge, Simulator


def test_per_host_concurrency_holds(tmp_path):
    sim = Simulator(delay=0.05)
    try:
        paths = [f"/ok/{i}" for i in range(30)]
        report = run_check(
            tmp_path, sim, {"ep": {}}, {"ep": body_links(sim, *paths)}, concurrency=16, per_host=3
        )
        assert all(result_for(report, sim.url(p)).verdict is Verdict.OK for p in paths)
        assert sim.max_in_flight == 3  # reached, never exceeded
    finally:
        sim.close()


def test_global_concurrency_holds_across_hosts(tmp_path):
    gauge = Gauge()
    sims = [Simulator(delay=0.05, gauge=gauge) for _ in range(4)]
    try:
        body = "\n".join(body_links(s, *[f"/ok/{i}" for i in range(12)]) for s in sims)
        report = run_check(tmp_path, sims[0], {"ep": {}}, {"ep": body}, concurrency=6, per_host=4)
        assert report.run.counts.verdicts[Verdict.OK] == 48
        assert gauge.peak == 6
        assert all(s.max_in_flight <= 4 for s in sims)
    finally:
        for s in sims:
            s.close()


def test_min_interval_between_starts_on_one_host(tmp_path, sim):
    run_check(
        tmp_path,
        sim,
        {"ep": {}},
        {"ep": body_links(sim, *[f"/ok/{i}" for i in range(6)])},
        per_host=4,
        hosts={"127.0.0.1": {"min_interval": "100ms"}},
    )
    starts = sorted(t for t, _ in sim.starts)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # starts are paced on the client; the server sees them with some scheduling jitter
    assert len(starts) == 6 and starts[-1] - starts[0] >= 0.48 and min(gaps) >= 0.06, gaps


def test_retry_after_is_honoured_up_to_the_cap(tmp_path, sim):
    report = run_check(
        tmp_path,
        sim,
        {"ep": {}},
        {"ep": body_links(sim, "/always429?after=1")},
        retries=1,
        retry_after_cap="2s",
    )
    starts = [t for t, p in sim.starts if p == "/always429"]
    assert len(starts) == 2 and starts[1] - starts[0] >= 0.95
    assert "429" in result_for(report, sim.url("/always429?after=1")).reason


def test_retry_after_over_the_cap_is_not_waited_for(tmp_path, sim):
    started = time.monotonic()
    report = run_check(
        tmp_path,
        sim,
        {"ep": {}},
        {"ep": body_links(sim, "/always429?after=3600")},
        retries=3,
        retry_after_cap="2s",
    )
    result = result_for(report, sim.url("/always429?after=3600"))
    assert result.verdict is Verdict.UNKNOWN and "over the 2 s cap" in result.reason
    assert sim.hits["/always429"] == 1 and time.monotonic() - started < 2


def test_run_time_budget_leaves_the_rest_unknown(tmp_path, sim):
    started = time.monotonic()
    paths = [f"/slow?s=0.2&n={i}" for i in range(20)]
    report = run_check(tmp_path, sim, {"ep": {}}, {"ep": body_links(sim, *paths)}, per_host=1, budget="500ms")
    assert time.monotonic() - started < 2.5
    assert report.run.budget_exhausted
    reasons = [result_for(report, sim.url(p)).reason for p in paths]
    assert sum("budget" in r for r in reasons) >= 15
    assert all(result_for(report, sim.url(p)).verdict in (Verdict.OK, Verdict.UNKNOWN) for p in paths)


def test_adaptive_slowdown_on_429_and_recovery():
    clock = [100.0]
    limiter = HostLimiter(4, lambda h: 2, lambda h: 0.1, clock=lambda: clock[0], slowdown_base=0.5)
    assert limiter.reserve_start("h") == 0.0
    limiter.throttled("h", retry_after=None)
    limiter.throttled("h", retry_after=None)
    assert limiter.slowdown("h") == 1.0
    limiter.throttled("h", retry_after=5.0)
    assert limiter.slowdown("h") == 2.0
    assert limiter.reserve_start("h") == 5.0  # Retry-After keeps everyone off the host
    assert (
        abs(limiter.reserve_start("h") - (5.0 + 0.1 + 2.0)) < 1e-9
    )  # then starts are spaced by interval + slow-down
    limiter.succeeded("h")
    assert limiter.slowdown("h") == 1.0


def test_retry_policy_backoff_with_jitter_is_bounded():
    policy = RetryPolicy(retries=3, backoff=1.0, retry_after_cap=10, jitter=0.5)
    rng = random.Random(1)
    for attempt, base in ((1, 1.0), (2, 2.0), (3, 4.0)):
        delays = [policy.delay(attempt, None, rng) for _ in range(50)]
        assert min(delays) >= base * 0.5 and max(delays) <= base * 1.5 and len(set(delays)) > 1
    assert policy.delay(4, None, rng) is None  # three retries, then stop
    assert policy.delay(1, 7.0, rng) == 7.0 and policy.delay(1, 11.0, rng) is None
