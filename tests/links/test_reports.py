"""Reports sized for people: problems first, UNKNOWN grouped by reason, OK only counted,
``--all`` for everything, natural order, and a Markdown page that fits a CI job summary."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime

import pytest
from conftest import CORPUS, REPO

from feedtool.links.model import NetworkState, Place, Report, Result, RunCounts, RunInfo
from feedtool.links.report import render
from feedtool.links.report.common import natural_key
from feedtool.links.report.markdown import SIZE_LIMIT
from feedtool.links.verdict import Verdict

MIB = 1024 * 1024
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _report(results: list[Result], network: NetworkState | None = None) -> Report:
    counts = RunCounts.of(results, checked=len(results), requests=len(results))
    run = RunInfo(T0, 1.0, counts, len(results), network=network or NetworkState(), answered=len(results))
    return Report(run, tuple(results), {"s1e2": "Two", "s1e10": "Ten"})


def _mixed() -> Report:
    r = []
    for ep in ("s1e10", "s1e2"):
        for i in (10, 2, 1):
            r.append(
                Result(f"https://ok.example/{ep}/{i}", Verdict.OK, (Place(ep, f"chapters[{i}]"),), "200")
            )
    r.append(
        Result(
            "https://gone.example/",
            Verdict.BROKEN,
            (Place("s1e10", "body"),),
            "404 Not Found",
            confirmed=True,
        )
    )
    r.append(Result("https://maybe.example/", Verdict.BROKEN, (Place("s1e2", "body"),), "410 Gone"))
    r.append(
        Result(
            "https://old.example/",
            Verdict.REDIRECTED,
            (Place("s1e2", "links.anchor"),),
            "moved",
            suggestion="https://new.example/",
        )
    )
    r.append(Result(None, Verdict.MISSING, (Place("s1e2", "links.apple"),), "no apple link yet"))
    r.append(
        Result(
            "ftp://x.example/", Verdict.INVALID, (Place("s1e10", "body"),), "scheme ftp: is not http or https"
        )
    )
    for i in range(40):
        r.append(
            Result(f"https://wall.example/{i}", Verdict.UNKNOWN, (Place("s1e2", "body"),), "999: bot wall")
        )
    for i in range(7):
        r.append(
            Result(
                f"https://slow.example/{i}",
                Verdict.UNKNOWN,
                (Place("s1e10", "body"),),
                f"timed out [{i % 3 + 2} attempts]",
            )
        )
    return _report(r)


def test_natural_key_reads_numbers_as_numbers():
    names = ["chapters[10]", "chapters[2]", "chapters[1]", "s10e1", "s2e9", "Body"]
    assert sorted(names, key=natural_key) == [
        "Body",
        "chapters[1]",
        "chapters[2]",
        "chapters[10]",
        "s2e9",
        "s10e1",
    ]


def test_text_lists_problems_first_groups_unknown_and_counts_ok():
    text = render(_mixed(), "text")
    heads = [line.split(" ")[0] for line in text.splitlines() if re.match(r"^[A-Z]+ \(", line)]
    assert heads == ["BROKEN", "SUSPECT", "REDIRECTED", "MISSING", "INVALID", "UNKNOWN"]
    assert "-> use https://new.example/" in text
    assert "https://ok.example" not in text  # OK only as a count
    assert (
        "6 OK and 0 excluded link(s) are counted, not listed: feedtool links --all lists every link." in text
    )
    assert "  40 x 999: bot wall" in text and "  7 x timed out" in text  # "[N attempts]" folded
    assert text.count("https://wall.example/") == 3 and "... and 37 more" in text
    assert len(text.splitlines()) < 40


def test_all_lists_everything_in_natural_order():
    text = render(_mixed(), "text", full=True)
    assert text.count("https://wall.example/") == 40 and "OK (6 links): available" in text
    ok = text[text.index("OK (6 links)") :]
    assert ok.index("s1e2") < ok.index("s1e10")
    two = ok[ok.index("s1e2") : ok.index("s1e10")]
    assert two.index("chapters[1] ") < two.index("chapters[2] ") < two.index("chapters[10] ")
    markdown = render(_mixed(), "markdown", full=True)
    assert markdown.count("<https://ok.example/") == 6 and "## Every link" in markdown


def test_markdown_has_one_problem_table_and_says_how_to_get_the_rest():
    markdown = render(_mixed(), "markdown")
    assert "| BROKEN | `body` | s1e10 | <https://gone.example/> |" in markdown
    assert markdown.index("| BROKEN |") < markdown.index("| SUSPECT |") < markdown.index("| REDIRECTED |")
    assert "| 40 | 999: bot wall |" in markdown and "and 37 more" in markdown
    assert "ok.example" not in markdown
    assert "`feedtool links --all --format markdown`" in markdown


def test_markdown_stays_under_a_mib_however_many_problems():
    results = [
        Result(
            f"https://gone.example/{'x' * 60}/{i}",
            Verdict.BROKEN,
            (Place(f"episode-{i % 150}", "body"),),
            "404 Not Found",
            confirmed=True,
        )
        for i in range(30_000)
    ]
    markdown = render(_report(results), "markdown")
    assert len(markdown.encode()) < MIB and len(markdown.encode()) > SIZE_LIMIT * 0.9
    left = int(re.search(r"\*\*(\d+) more row\(s\) not shown\*\*", markdown).group(1))
    assert markdown.count("| BROKEN |") + left == 30_000
    assert "`feedtool links --all --format markdown` (every link, no size limit)" in markdown
    assert len(render(_report(results), "markdown", full=True).encode()) > MIB  # --all: no limit


def test_network_down_says_so_first_in_every_format():
    results = [
        Result(f"https://h{i}.example/", Verdict.UNKNOWN, (Place("ep", "body"),), "not checked")
        for i in range(500)
    ]
    report = _report(results, NetworkState("down", "30 requests, none answered; the rest were not sent"))
    text = render(report, "text")
    assert text.startswith("feedtool links: network down: nothing was checked (30 requests, none answered")
    assert len(text) < 2_000
    markdown = render(report, "markdown")
    assert "> **Network down: nothing was checked** (30 requests" in markdown.split("| Verdict |")[0]
    assert '<div class="banner down" role="alert"><b>Network down: nothing was checked</b>' in render(
        report, "html"
    )


@pytest.mark.skipif(not (CORPUS / "episodes").is_dir(), reason=f"corpus not found at {CORPUS}")
def test_the_real_show_offline_gives_short_reports(tmp_path, offline_dns):
    from feedtool.config import load_config
    from feedtool.links import check_links
    from feedtool.read.episodes import read_episodes
    from feedtool.read.people import PeopleDirectory

    config = load_config(REPO / "config" / "podcast.yaml")
    read = read_episodes(CORPUS / "episodes", PeopleDirectory(CORPUS / "people"))
    links = dataclasses.replace(config.links, history=tmp_path / "h.sqlite")
    report = check_links(read.episodes, config, links)
    assert report.run.network.is_down and len(report.results) > 5_000
    sizes = {fmt: len(render(report, fmt).encode()) for fmt in ("text", "markdown")}
    assert sizes["text"] < 10_000 and sizes["markdown"] < 10_000, sizes
    assert render(report, "text").startswith("feedtool links: network down: nothing was checked")
