"""History transitions: suspect -> confirmed, fixed, broken since, cache of recent OKs,
concurrent runs and a run killed halfway."""

import threading
from datetime import UTC, datetime, timedelta

from feedtool.links.history import History, UrlState, advance
from feedtool.links.model import Evidence, Outcome
from feedtool.links.verdict import Verdict

from .conftest import body_links, result_for, run_check

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_advance_rules():
    state = UrlState("u", first_seen=T0)
    one = advance(state, Verdict.BROKEN, T0, confirm_after=2)
    assert (one.consecutive_failures, one.confirmed, one.broken_since) == (1, False, T0)
    unknown = advance(one, Verdict.UNKNOWN, T0 + timedelta(days=1), 2)
    assert (unknown.consecutive_failures, unknown.broken_since) == (1, T0)  # neither extends nor ends
    two = advance(unknown, Verdict.BROKEN, T0 + timedelta(days=2), 2)
    assert (two.consecutive_failures, two.confirmed, two.broken_since) == (2, True, T0)
    fixed = advance(two, Verdict.OK, T0 + timedelta(days=3), 2)
    assert (fixed.consecutive_failures, fixed.confirmed, fixed.broken_since, fixed.last_ok) == (
        0,
        False,
        None,
        T0 + timedelta(days=3),
    )


def test_transitions_over_runs(tmp_path, sim):
    sim.status_of["/page"] = 404
    links = {"ep": body_links(sim, "/page", "/ok")}
    first = run_check(tmp_path, sim, {"ep": {}}, links)
    page = result_for(first, sim.url("/page"))
    assert page.verdict is Verdict.BROKEN and not page.confirmed and "suspect: 1 of 2" in page.reason
    assert page.change is None and not first.confirmed_broken
    since = page.broken_since

    sim.status_of["/page"] = 503  # a flaky run in between neither confirms nor clears
    flaky = result_for(run_check(tmp_path, sim, {"ep": {}}, links), sim.url("/page"))
    assert flaky.verdict is Verdict.UNKNOWN and flaky.consecutive_failures == 1

    sim.status_of["/page"] = 410
    second = run_check(tmp_path, sim, {"ep": {}}, links)
    page = result_for(second, sim.url("/page"))
    assert page.confirmed and page.change == "newly-broken" and page.broken_since == since
    assert second.confirmed_broken == (page,)
    assert second.previous_run is not None and second.previous_run > first.run.started

    third = run_check(tmp_path, sim, {"ep": {}}, links)
    page = result_for(third, sim.url("/page"))
    assert page.change == "still-broken" and page.broken_since == since and page.consecutive_failures == 3

    sim.status_of["/page"] = 200  # the page comes back
    fourth = run_check(tmp_path, sim, {"ep": {}}, links)
    page = result_for(fourth, sim.url("/page"))
    assert page.verdict is Verdict.OK and page.change == "fixed" and page.broken_since is None
    assert not fourth.confirmed_broken


def test_recent_ok_is_not_rechecked_but_failures_are(tmp_path, sim):
    links = body_links(sim, "/ok", "/404")
    run_check(tmp_path, sim, {"ep": {}}, {"ep": links}, max_age="1h")
    second = run_check(tmp_path, sim, {"ep": {}}, {"ep": links}, max_age="1h")
    assert result_for(second, sim.url("/ok")).cached
    assert sim.hits["/ok"] == 1
    assert sim.hits["/404"] == 2
    assert second.run.counts.cached == 1


def _outcome(verdict):
    return Outcome(verdict, Evidence("http", reason=verdict.value))


def test_a_killed_run_keeps_finished_work(tmp_path):
    path = tmp_path / "h.sqlite"
    history = History(path)
    run = history.start_run(T0)
    history.record("https://a.example/", _outcome(Verdict.BROKEN), T0, run, T0, 2)
    history.db.close()  # killed before finish_run
    again = History(path)
    assert again.states(["https://a.example/"])["https://a.example/"].consecutive_failures == 1
    assert again.previous_run(before_id=99) is None  # the unfinished run is not a "previous run"
    assert [r.status for r in again.runs()] == ["running"]


def test_concurrent_runs_do_not_corrupt_or_double_count(tmp_path):
    path = tmp_path / "h.sqlite"
    History(path).close()
    urls = [f"https://site{i}.example/" for i in range(60)]
    errors = []

    def one_run(started):
        try:
            history = History(path)
            run = history.start_run(started)
            for url in urls:
                history.record(url, _outcome(Verdict.BROKEN), started + timedelta(seconds=1), run, started, 2)
            history.finish_run(run, started + timedelta(seconds=2), 2.0, {"BROKEN": len(urls)})
            history.close()
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=one_run, args=(T0,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    history = History(path)
    assert history.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert history.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    states = history.states(urls)
    # four overlapping runs count as one failure each URL, not four
    assert {s.consecutive_failures for s in states.values()} == {1}
    assert len([r for r in history.runs() if r.status == "finished"]) == 4


def test_broken_then_unknown_then_ok_is_fixed(tmp_path, sim):
    links = {"ep": body_links(sim, "/page")}
    for status in (404, 503):
        sim.status_of["/page"] = status
        run_check(tmp_path, sim, {"ep": {}}, links)
    sim.status_of["/page"] = 200
    assert result_for(run_check(tmp_path, sim, {"ep": {}}, links), sim.url("/page")).change == "fixed"


def test_unwritable_history_is_a_config_error(tmp_path, sim):
    import pytest

    from feedtool.errors import ConfigError

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="cannot open the link history"):
        run_check(
            tmp_path, sim, {"ep": {}}, {"ep": body_links(sim, "/ok")}, history_path=blocker / "h.sqlite"
        )
