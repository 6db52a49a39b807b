"""Every member of ``Verdict`` is counted and reported: in the JSON counts, the text
summary line, the Markdown and HTML count tables and ``feedtool run``'s links line.
A verdict added to the enum but forgotten by a report fails here."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from feedtool.config import load_config
from feedtool.links.model import Place, Report, Result, RunCounts, RunInfo, VerdictCounts
from feedtool.links.report import FORMATS, render
from feedtool.links.verdict import Verdict
from feedtool.publish import scheduled

from .conftest import write_show

CONFIRMED, SUSPECT = 2, 1  # BROKEN results: confirmed and not yet


def _count(verdict: Verdict) -> int:
    """A count of its own for every verdict, so no number stands for two."""
    return CONFIRMED + SUSPECT if verdict is Verdict.BROKEN else 10 + verdict.rank


def _report() -> Report:
    results = []
    for verdict in Verdict:
        for i in range(_count(verdict)):
            results.append(
                Result(
                    f"https://example.org/{verdict.value}/{i}",
                    verdict,
                    (Place("ep", "body"),),
                    "why",
                    confirmed=verdict is Verdict.BROKEN and i < CONFIRMED,
                )
            )
    counts = RunCounts.of(results, checked=len(results), requests=len(results))
    return Report(RunInfo(datetime(2026, 1, 1, tzinfo=UTC), 1.0, counts, len(results)), tuple(results))


def _has(text: str, count: int, words: str) -> bool:
    return re.search(rf"(?<!\d){count} {re.escape(words)}\b", text) is not None


def test_counts_hold_every_verdict_even_at_zero():
    counts = VerdictCounts.of([Verdict.OK, Verdict.OK, Verdict.BROKEN])
    assert [v for v, _ in counts.items()] == list(Verdict)
    assert counts[Verdict.OK] == 2 and counts[Verdict.BROKEN] == 1
    assert all(counts[v] == 0 for v in Verdict if v not in (Verdict.OK, Verdict.BROKEN))
    with pytest.raises(ValueError):
        VerdictCounts((1,))


def test_json_counts_name_every_verdict_worst_first_then_the_tallies():
    report = _report()
    counts = json.loads(render(report, "json"))["run"]["counts"]
    assert list(counts) == [v.value for v in Verdict] + [
        "total",
        "checked",
        "cached",
        "confirmed_broken",
        "suspect",
        "newly_broken",
        "fixed",
        "requests",
    ]
    for verdict in Verdict:
        assert counts[verdict.value] == _count(verdict), verdict
    assert (counts["confirmed_broken"], counts["suspect"]) == (CONFIRMED, SUSPECT)
    assert counts["total"] == len(report.results)


def test_a_verdict_nobody_got_is_left_out_of_the_json_counts():
    result = Result("https://example.org/", Verdict.OK, (Place("ep", "body"),), "200")
    counts = RunCounts.of([result], checked=1, requests=1).as_dict()
    assert [k for k in counts if k.isupper()] == ["OK"]


def test_every_verdict_is_in_every_summary():
    report = _report()
    summary = render(report, "text").splitlines()[0]
    markdown = render(report, "markdown")
    html = render(report, "html")
    for verdict in Verdict:
        if verdict is Verdict.BROKEN:
            assert _has(summary, CONFIRMED, "broken") and _has(summary, SUSPECT, "suspect")
            assert f"| Broken (confirmed) | {CONFIRMED} |" in markdown
            assert f"| Suspect (failed, not yet confirmed) | {SUSPECT} |" in markdown
            assert f'<span class="BROKEN">{CONFIRMED} broken</span>' in html
            assert f'<span class="SUSPECT">{SUSPECT} suspect</span>' in html
            continue
        n, word = _count(verdict), verdict.value.lower()
        assert _has(summary, n, word), (verdict, summary)
        assert f"| {verdict.value.title()} | {n} |" in markdown, verdict
        assert f'<span class="{verdict.value}">{n} {word}</span>' in html, verdict
        assert f'<option value="{verdict.value}">{word}</option>' in html, verdict


def test_feedtool_run_names_every_verdict_and_writes_every_format(tmp_path, monkeypatch):
    report = _report()
    monkeypatch.setattr(scheduled, "run_check", lambda *args, **kwargs: report)
    config_path, folder = write_show(
        tmp_path,
        {"ep": {}},
        {"history": str(tmp_path / "h.sqlite")},
        media_url="https://m.example/{slug}.mp3",
    )
    lines: list[str] = []
    outcome = scheduled.scheduled_run(
        load_config(config_path),
        folder,
        tmp_path / "public",
        reports_dir=tmp_path / "reports",
        log=lines.append,
    )
    links_line = next(line for line in lines if line.startswith("links: "))
    for verdict in Verdict:
        assert _has(links_line, _count(verdict), verdict.value), (verdict, links_line)
    assert f"; {CONFIRMED} confirmed broken" in links_line
    assert outcome.reports == tuple(tmp_path / "reports" / f"links{f.suffix}" for f in FORMATS.values())
    for fmt, path in zip(FORMATS, outcome.reports, strict=True):
        assert path.read_text(encoding="utf-8") == render(report, fmt)


def test_the_json_report_is_exactly_what_json_dumps_writes():
    from feedtool.links.report.jsonfmt import report_dict

    report = _report()
    hostile = Result(
        "https://x.example/\u202e\x1b[2J\"'\\</script>",
        Verdict.BROKEN,
        (Place("ép", "guests.a`b|c"),),
        "naïve \U0001f600 \u2028 \x00",
    )
    report = Report(report.run, (*report.results, hostile), {"ép": "Tïtle"})
    assert render(report, "json") == json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"


def test_the_json_evidence_holds_every_field_of_evidence():
    from dataclasses import asdict

    from feedtool.links.model import Evidence, Hop
    from feedtool.links.report.jsonfmt import result_dict

    evidence = Evidence(
        "http",
        (Hop("https://a.example/", 301, "HEAD"), Hop("https://b.example/", 200)),
        "https://b.example/",
        0.5,
        "ok",
        2,
    )
    result = Result(
        "https://a.example/", Verdict.REDIRECTED, (Place("ep", "body"),), "moved", evidence=evidence
    )
    expected = asdict(evidence)
    expected["chain"] = list(expected["chain"])  # a JSON array
    assert result_dict(result)["evidence"] == expected
