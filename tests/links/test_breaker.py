"""The circuit breaker: a host that keeps refusing automated checks, or a network that
is plainly down, costs a few requests, not the whole run's politeness intervals."""

from __future__ import annotations

from feedtool.links import Verdict

from .conftest import body_links, result_for, run_check


def test_a_bot_walled_host_is_not_asked_again_after_three_refusals(tmp_path, sim):
    paths = [f"/wall/{n}" for n in range(8)]
    for path in paths:
        sim.status_of[path] = 999
    report = run_check(
        tmp_path, sim, {"ep": {}}, body={"ep": body_links(sim, *paths)}, per_host=1, min_interval="20ms"
    )
    asked = sum(1 for p in paths if sim.hits[p])  # (a refused HEAD is tried again as GET)
    assert 3 <= asked <= 4  # one check may already be on its way when the third refusal lands
    results = [result_for(report, sim.url(p)) for p in paths]
    assert all(r.verdict is Verdict.UNKNOWN for r in results)
    skipped = [r for r in results if r.reason.startswith("not checked:")]
    assert len(skipped) == 8 - asked
    assert "refused 3 automated checks in this run (999)" in skipped[0].reason


def test_two_refusals_do_not_trip_the_host(tmp_path, sim):
    sim.status_of["/wall/a"] = sim.status_of["/wall/b"] = 999
    report = run_check(
        tmp_path, sim, {"ep": {}}, body={"ep": body_links(sim, "/wall/a", "/wall/b", "/ok/c")}, per_host=1
    )
    assert result_for(report, sim.url("/ok/c")).verdict is Verdict.OK
    assert sim.hits["/ok/c"] == 1


def test_a_network_that_answers_nothing_stops_the_run_early(tmp_path, sim, offline_dns):
    urls = "\n".join(f"- [x](http://host{n}.feedtool-test.invalid/page)" for n in range(60))
    report = run_check(tmp_path, sim, {"ep": {}}, body={"ep": urls}, concurrency=4, per_host=1, retries=0)
    assert report.run.requests < 40
    results = [r for r in report.results if r.url and ".invalid" in r.url]
    assert len(results) == 60 and all(r.verdict is Verdict.UNKNOWN for r in results)
    assert any("the network looks down" in r.reason for r in results)
    assert not report.confirmed_broken
    assert (
        report.run.network.state == "down"
        and "none answered; the rest were not sent" in report.run.network.reason
    )
    assert report.run.counts.checked == 0 and report.run.answered == 0
