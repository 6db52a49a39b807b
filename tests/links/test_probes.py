"""Verdicts and evidence for every probe against the loopback simulator."""

import time

import pytest

from feedtool.links.verdict import Verdict

from .conftest import body_links, result_for, run_check

GENERIC = {
    # path: (verdict, words in the reason, statuses of the evidence chain)
    "/ok": (Verdict.OK, "200", [200]),
    "/404": (Verdict.BROKEN, "404 Not Found", [404]),
    "/410": (Verdict.BROKEN, "410 Gone", [410]),
    "/redirect-404": (Verdict.BROKEN, "404 Not Found after 1 redirect", [301, 404]),
    "/moved": (Verdict.REDIRECTED, "moved permanently (301)", [301, 200]),
    "/chain/3": (Verdict.OK, "after 3 redirect", [302, 302, 302, 200]),
    "/loop-a": (Verdict.UNKNOWN, "redirect loop", None),
    "/head-refused": (Verdict.OK, "200", [405, 200]),
    "/challenge": (Verdict.UNKNOWN, "403 Forbidden with a challenge page", None),
    "/linkedin": (Verdict.UNKNOWN, "999: bot wall", None),
    "/always500": (Verdict.UNKNOWN, "503 Service Unavailable", None),
    "/always429": (Verdict.UNKNOWN, "429", None),
    "/reset": (Verdict.UNKNOWN, "connection reset", None),
    "/huge": (Verdict.OK, "200", [405, 200]),
}


def test_generic_host_faults(tmp_path, sim):
    report = run_check(tmp_path, sim, {"ep": {}}, {"ep": body_links(sim, *GENERIC)}, confirm_after=1)
    for path, (verdict, words, statuses) in GENERIC.items():
        result = result_for(report, sim.url(path))
        assert result.verdict is verdict, (path, result.reason)
        assert words in result.reason, (path, result.reason)
        if statuses is not None:
            assert [hop.status for hop in result.evidence.chain] == statuses, path
        assert result.evidence.probe == "http"
    moved = result_for(report, sim.url("/moved"))
    assert moved.suggestion == moved.final_url == sim.url("/ok/new-home")
    # transient failures were retried (1 + 2 retries), definitive ones were not
    assert result_for(report, sim.url("/always429")).evidence.attempts == 3
    assert sim.hits["/always429"] == 3
    assert sim.hits["/410"] == 1
    # a 404 is confirmed at once with confirm_after: 1, so the run fails
    assert result_for(report, sim.url("/404")).confirmed


def test_flapping_500_recovers_on_retry(tmp_path, sim):
    sim.flap_remaining["/flap-a"] = 2  # HEAD 500, GET 500, then the retry succeeds
    report = run_check(tmp_path, sim, {"ep": {}}, {"ep": body_links(sim, "/flap-a")})
    result = result_for(report, sim.url("/flap-a"))
    assert result.verdict is Verdict.OK
    assert result.evidence.attempts == 2


def test_slow_server_and_slow_drip_are_cut_at_the_total_timeout(tmp_path, sim):
    started = time.monotonic()
    report = run_check(
        tmp_path, sim, {"ep": {}}, {"ep": body_links(sim, "/slow?s=5", "/drip")}, timeout="300ms", retries=0
    )
    elapsed = time.monotonic() - started
    for path in ("/slow?s=5", "/drip"):
        result = result_for(report, sim.url(path))
        assert result.verdict is Verdict.UNKNOWN
        assert "timeout" in result.reason or "timed out" in result.reason
    assert elapsed < 3.0  # the drip would take 10 s and /slow 5 s if they were not cut


def test_slow_body_is_cut_at_the_total_timeout(tmp_path, sim):
    started = time.monotonic()
    # soft-404 patterns make the checker read the body with GET
    report = run_check(
        tmp_path,
        sim,
        {"ep": {}},
        {"ep": body_links(sim, "/slow-body")},
        timeout="300ms",
        retries=0,
        hosts={"127.0.0.1": {"soft_404": ["gone"]}},
    )
    result = result_for(report, sim.url("/slow-body"))
    assert result.verdict is Verdict.UNKNOWN and "total timeout" in result.reason
    assert time.monotonic() - started < 2.0


def test_huge_body_is_not_read(tmp_path, sim):
    started = time.monotonic()
    report = run_check(tmp_path, sim, {"ep": {}}, {"ep": body_links(sim, "/huge")}, max_body=2048)
    assert result_for(report, sim.url("/huge")).verdict is Verdict.OK
    assert time.monotonic() - started < 2.0  # 128 MiB on offer


def test_soft_404_pattern_per_host(tmp_path, sim):
    report = run_check(
        tmp_path,
        sim,
        {"ep": {}},
        {"ep": body_links(sim, "/soft404", "/ok")},
        hosts={"127.0.0.1": {"soft_404": ["video unavailable"]}},
    )
    soft = result_for(report, sim.url("/soft404"))
    assert soft.verdict is Verdict.BROKEN and "soft-404" in soft.reason
    assert result_for(report, sim.url("/ok")).verdict is Verdict.OK
    assert ("GET", "/soft404") in sim.methods and ("HEAD", "/soft404") not in sim.methods


YT = {
    "https://www.youtube.com/watch?v=okokokokok1": (Verdict.OK, "available", None),
    "https://youtu.be/private0001": (Verdict.BROKEN, "private", None),
    "https://www.youtube.com/embed/removed0001": (Verdict.BROKEN, "removed", None),
    "https://www.youtube-nocookie.com/embed/noembed0001": (Verdict.OK, "available", "embedding is disabled"),
    "https://www.youtube.com/watch?v=notjson0001": (Verdict.UNKNOWN, "without JSON", None),
    "https://www.youtube.com/watch?v=badbadbad01": (Verdict.BROKEN, "rejects the video id", None),
    "https://www.youtube.com/watch?v=ratelimit01": (Verdict.UNKNOWN, "429", None),
}


def test_youtube_oembed(tmp_path, sim):
    episodes = {f"e{i}": {"links": {"youtube": url}} for i, url in enumerate(YT)}
    report = run_check(tmp_path, sim, episodes)
    for url, (verdict, words, warning) in YT.items():
        result = result_for(report, url)
        assert result.verdict is verdict, (url, result.reason)
        assert words in result.reason
        assert result.warning == (f"{warning} for this video (oEmbed 401)" if warning else None)
        assert result.evidence.probe == "youtube-oembed"
        assert "/yt/oembed?url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3D" in result.evidence.chain[0].url


def test_youtube_chapter_links_share_one_request(tmp_path, sim):
    video = "https://www.youtube.com/watch?v=okokokokok1"
    episode = {
        "links": {"youtube": video},
        "quotableClips": [
            {"name": "Intro", "startOffset": 0, "endOffset": 10, "url": video + "&t=0"},
            {"name": "Next", "startOffset": 10, "endOffset": 20, "url": video + "&t=10"},
        ],
    }
    report = run_check(tmp_path, sim, {"ep": episode})
    assert sim.hits["/yt/oembed"] == 1
    assert result_for(report, video + "&t=10").verdict is Verdict.OK


def test_spotify_oembed(tmp_path, sim):
    cases = {
        "https://open.spotify.com/episode/5okEpisode00000000000?si=abc": (Verdict.OK, "available"),
        "https://open.spotify.com/episode/5goneEpisode000000000": (Verdict.BROKEN, "oEmbed 404"),
        "https://open.spotify.com/episode/5badEpisode0000000000": (Verdict.BROKEN, "oEmbed 400"),
        "https://open.spotify.com/episode/5downEpisode000000000": (Verdict.UNKNOWN, "500"),
    }
    report = run_check(tmp_path, sim, {f"e{i}": {"links": {"spotify": u}} for i, u in enumerate(cases)})
    for url, (verdict, words) in cases.items():
        result = result_for(report, url.split("?si=")[0])
        assert result.verdict is verdict and words in result.reason, result.reason
    assert result_for(report, "https://open.spotify.com/episode/5downEpisode000000000").evidence.attempts == 3


def test_apple_one_lookup_per_show(tmp_path, sim):
    show = "https://podcasts.apple.com/us/podcast/slug/id1541710331"
    cases = {
        f"{show}?i=1000521740775": (Verdict.OK, "is listed"),
        f"{show}?i=1000569172916": (Verdict.OK, "is listed"),
        f"{show}?i=1000000000001": (Verdict.BROKEN, "not among the 2 episodes"),
        show: (Verdict.OK, "podcast 1541710331 is listed"),
        "https://podcasts.apple.com/us/podcast/big/id777?i=999999": (
            Verdict.UNKNOWN,
            "not among the newest 5",
        ),
        "https://podcasts.apple.com/us/podcast/big/id777?i=3": (Verdict.OK, "is listed"),
        "https://podcasts.apple.com/us/podcast/none/id222?i=1": (Verdict.BROKEN, "knows no podcast"),
    }
    report = run_check(
        tmp_path, sim, {f"e{i}": {"links": {"apple": u}} for i, u in enumerate(cases)}, apple_limit=5
    )
    for url, (verdict, words) in cases.items():
        result = result_for(report, url)
        assert result.verdict is verdict and words in result.reason, (url, result.reason)
        assert result.evidence.probe == "apple-lookup"
    assert sim.hits["/apple/lookup"] == 3  # three shows, seven URLs
    assert all("entity=podcastEpisode" in path and "limit=5" in path for m, path in sim.methods)


def test_apple_lookup_outage_is_unknown(tmp_path, sim):
    sim.apple_status = 503
    url = "https://podcasts.apple.com/us/podcast/slug/id1541710331?i=1000521740775"
    report = run_check(tmp_path, sim, {"e": {"links": {"apple": url}}})
    assert result_for(report, url).verdict is Verdict.UNKNOWN


def test_anchor_moves_and_removals(tmp_path, sim):
    moved = sim.url("/anchor/datatalksclub/episodes/Hello-e1")
    gone = sim.url("/anchor/datatalksclub/episodes/gone-e2")
    report = run_check(tmp_path, sim, {"a": {"links": {"anchor": moved}}, "b": {"links": {"anchor": gone}}})
    result = result_for(report, moved)
    assert result.verdict is Verdict.REDIRECTED
    assert result.suggestion == sim.url("/creators/pod/show/datatalksclub/episodes/Hello-e1")
    assert [h.status for h in result.evidence.chain] == [301, 301, 200]
    assert result.evidence.probe == "anchor"
    removed = result_for(report, gone)
    assert removed.verdict is Verdict.BROKEN and "show page" in removed.reason


@pytest.mark.parametrize("link", ["https://podcasters.spotify.com/pod/show/datatalksclub/episodes/x-e1"])
def test_anchor_hosts_are_recognised_without_a_field(link):
    from feedtool.links.normalize import platform_of

    assert platform_of(link) == "anchor"


def test_nonexistent_host_is_broken_only_when_dns_is_proven_to_work(tmp_path, sim, offline_dns):
    gone = "http://no-such-host.invalid/page"
    named = sim.url("/ok").replace("127.0.0.1", "localhost")  # a host name that resolves
    report = run_check(tmp_path / "a", sim, {"ep": {}}, {"ep": f"[a]({gone})\n[b]({named})"}, confirm_after=1)
    assert result_for(report, gone).verdict is Verdict.BROKEN
    assert "does not exist" in result_for(report, gone).reason
    assert report.run.network.state == "ok"

    # only an IP-address URL answered: the network works, DNS is not proven
    literal = run_check(
        tmp_path / "b", sim, {"ep": {}}, {"ep": f"[a]({gone})\n" + body_links(sim, "/ok")}, confirm_after=1
    )
    result = result_for(literal, gone)
    assert result.verdict is Verdict.UNKNOWN and "network or DNS looks down" in result.reason
    assert literal.run.network.state == "degraded" and "DNS looks down" in literal.run.network.reason
    assert not literal.confirmed_broken

    offline = run_check(tmp_path / "c", sim, {"ep": {}}, {"ep": f"[a]({gone})"}, confirm_after=1)
    result = result_for(offline, gone)
    assert result.verdict is Verdict.UNKNOWN and "network or DNS looks down" in result.reason
    assert offline.run.network.state == "down" and offline.run.counts.checked == 0
    assert not offline.confirmed_broken


def test_connection_refused_is_unknown_and_not_retried(tmp_path, sim):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/x"
    report = run_check(tmp_path, sim, {"ep": {}}, {"ep": f"[a]({closed})"})
    result = result_for(report, closed)
    assert result.verdict is Verdict.UNKNOWN and "refused" in result.reason
    assert result.evidence.attempts == 1


def test_api_probes_do_not_report_the_api_as_final_url(tmp_path, sim):
    url = "https://www.youtube.com/watch?v=okokokokok1"
    result = result_for(run_check(tmp_path, sim, {"e": {"links": {"youtube": url}}}), url)
    assert result.final_url is None and result.evidence.final_url.startswith(sim.url("/yt/oembed"))
