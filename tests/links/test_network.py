"""The network is part of the result: a run that reached nothing says so first, counts
nothing as checked, and exits 5 (inconclusive) for ``links`` and ``run``; a cron job can
tell "all fine" from "nothing checked"."""

from __future__ import annotations

import json
import socket

import pytest

from feedtool import cli
from feedtool.errors import ExitCode

from .conftest import body_links, fast_links, run_check, write_show


@pytest.fixture(autouse=True)
def only_links_and_run(monkeypatch):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("links", "run"))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unreachable_show(tmp_path, sim, n: int = 60):
    """A show whose every link is unreachable: host names that do not resolve (no DNS
    here: ``offline_dns``) and an IP address where nothing listens."""
    port = _closed_port()
    names = [f"- [x{i}](https://host{i}.example.org/page/{i})" for i in range(n)]
    refused = [f"- [r{i}](http://127.0.0.1:{port}/r/{i})" for i in range(5)]
    episodes = {
        "s1e2": {"links": {"youtube": "TODO"}},
        "s1e10": {"links": {"spotify": "https://open.spotify.com/episode/5okEpisode00000000000"}},
    }
    links = fast_links(sim, tmp_path / "h.sqlite", retries=0, concurrency=4, per_host=1)
    links["endpoints"] = {k: f"https://api{i}.example.org/x" for i, k in enumerate(links["endpoints"])}
    return write_show(
        tmp_path,
        episodes,
        links,
        {"s1e2": "\n".join(names[: n // 2] + refused), "s1e10": "\n".join(names[n // 2 :])},
        media_url=f"http://127.0.0.1:{port}/media/{{slug}}.mp3",
        state_dir=str(tmp_path / "state"),
    )


def test_links_with_every_host_unreachable_exits_5_with_one_line_saying_so(
    tmp_path, sim, offline_dns, capsys
):
    config, folder = _unreachable_show(tmp_path, sim)
    code = cli.main(["links", "--config", str(config), "--episodes", str(folder)])
    assert code == ExitCode.INCONCLUSIVE == 5
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith("feedtool links: network down: nothing was checked (")
    assert out.count("network down") == 1  # said once, not once per link
    assert len(out) < 4_000 and len(out.splitlines()) < 30  # a short report
    assert "e.g." in out and "more" in out  # UNKNOWN grouped, with a few examples

    report = tmp_path / "r.json"
    assert cli.main(["links", "--config", str(config), "--episodes", str(folder), "--format", "json",
                     "--output", str(report)]) == 5  # fmt: skip
    data = json.loads(report.read_text())
    assert data["run"]["network"] == "down"
    assert data["run"]["counts"]["checked"] == 0 and data["run"]["answered"] == 0
    assert (
        data["run"]["counts"]["UNKNOWN"] == data["run"]["counts"]["total"] - data["run"]["counts"]["MISSING"]
    )
    assert not data["changes"]["newly_broken"]


def test_run_publishes_and_exits_5_when_the_network_is_down(tmp_path, sim, offline_dns, capsys):
    config, folder = _unreachable_show(tmp_path, sim, n=30)
    code = cli.main(
        ["run", "--config", str(config), "--episodes", str(folder), "--out", str(tmp_path / "public")]
    )
    assert code == 5
    out = capsys.readouterr().out.splitlines()
    links_line = next(line for line in out if line.startswith("links: "))
    assert links_line.startswith("links: network down: nothing was checked (")
    assert out[-1] == "run: feed published; network down: links not checked (exit 5)"
    assert (tmp_path / "public" / "feed.xml").exists()


def test_a_working_network_is_ok_and_counts_what_was_answered(tmp_path, sim):
    report = run_check(tmp_path, sim, {"ep": {}}, {"ep": body_links(sim, "/ok/a", "/404", "/ok/b")})
    assert report.run.network.state == "ok" and report.run.network.headline() is None
    assert report.run.counts.checked == 3 and report.run.answered == report.run.requests


def test_most_requests_unanswered_is_degraded_not_down(tmp_path, sim):
    port = _closed_port()
    dead = [f"http://127.0.0.1:{port}/d/{i}" for i in range(30)]
    body = body_links(sim, "/ok/a", "/ok/b") + "\n" + "\n".join(f"- [d]({u})" for u in dead)
    report = run_check(tmp_path, sim, {"ep": {}}, {"ep": body}, retries=0)
    assert report.run.network.state == "degraded"
    assert "30 of 32 requests got no answer" in report.run.network.reason
    assert report.run.counts.checked == 2
    text = __import__("feedtool.links.report", fromlist=["render"]).render(report, "text")
    assert text.startswith("feedtool links: network degraded: 30 of 32 requests got no answer; ")
