"""Untrusted episode files and hostile servers."""

import pytest

from feedtool.links.safety import address_problem
from feedtool.links.verdict import Verdict

from .conftest import body_links, result_for, run_check


@pytest.mark.parametrize(
    "ip, problem",
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),
        ("0.0.0.0", "private"),
        ("93.184.216.34", None),
        ("2606:4700::1", None),
    ],
)
def test_address_classes(ip, problem):
    assert address_problem(ip) == problem


def test_private_addresses_are_refused_by_default(tmp_path, sim):
    report = run_check(tmp_path, sim, {"ep": {}}, {"ep": body_links(sim, "/ok")}, allow_private=False)
    result = result_for(report, sim.url("/ok"))
    assert result.verdict is Verdict.EXCLUDED
    assert "loopback" in result.reason and "allow_private" in result.reason
    assert sim.hits["/ok"] == 0  # not a single byte sent


def test_user_info_is_stripped_and_never_sent(tmp_path, sim):
    url = sim.url("/ok/private").replace("http://", "http://alice:s3cret@")
    report = run_check(tmp_path, sim, {"ep": {}}, {"ep": f"[x]({url})"})
    assert [r.url for r in report.results if r.url] == [sim.url("/ok/private")]
    assert sim.hits["/ok/private"] == 1
    assert all("authorization" not in h and "cookie" not in h for h in sim.headers_seen)
    from feedtool.links.report import render

    for fmt in ("text", "json", "markdown", "html"):
        assert "s3cret" not in render(report, fmt)


def test_redirect_loops_and_long_chains_are_bounded(tmp_path, sim):
    report = run_check(
        tmp_path, sim, {"ep": {}}, {"ep": body_links(sim, "/loop-a", "/chain/30")}, max_redirects=5
    )
    loop = result_for(report, sim.url("/loop-a"))
    assert loop.verdict is Verdict.UNKNOWN and "loop" in loop.reason
    long = result_for(report, sim.url("/chain/30"))
    assert long.verdict is Verdict.UNKNOWN and "more than 5 redirects" in long.reason
    assert sim.hits["/chain/24"] <= 2 and sim.hits["/chain/23"] == 0


def test_huge_headers_are_refused_not_retried(tmp_path, sim):
    report = run_check(tmp_path, sim, {"ep": {}}, {"ep": body_links(sim, "/huge-headers", "/long-header")})
    for path in ("/huge-headers", "/long-header"):
        result = result_for(report, sim.url(path))
        assert result.verdict is Verdict.UNKNOWN and "malformed response" in result.reason, result.reason
        assert result.evidence.attempts == 1
