"""Real enclosure sizes: asked of the media server (cached per URL), or read from a local copy."""

from __future__ import annotations

import json
import time

from conftest import Route
from feedsupport import feed_items, silent_mp3, write_host_show

from feedtool.media.local import read_local_media
from feedtool.media.probe import MediaProber, placeholder_host


def _build(run_cli, config, episodes, out, *extra):
    return run_cli("build", "--config", config, "--episodes", episodes, "--out", out, *extra)


def _media_requests(host_server, prefix="/media/"):
    return [(m, p) for m, p, _ in host_server.requests if p.startswith(prefix)]


def test_the_size_the_server_gives_is_the_enclosure_length_and_a_rebuild_asks_nothing(
    tmp_path, host_server, run_cli
):
    body = bytes(range(256)) * 321  # 82176 real bytes
    host_server.routes["/media/ep.mp3"] = Route(
        body=body, content_type="audio/mpeg", headers={"ETag": '"m1"'}
    )
    config, episodes, out = write_host_show(
        tmp_path,
        {"ep": f"title: Ep\ndateadded: 2024-01-01\nguid: g-ep\naudio: {host_server.url('/media/ep.mp3')}"},
    )
    code, _, err = _build(run_cli, config, episodes, out)
    assert code == 0, err
    assert feed_items(out / "feed.xml")["Ep"]["length"] == len(body)
    assert "audio.length" not in err
    assert _media_requests(host_server) == [("HEAD", "/media/ep.mp3")]  # the body is never downloaded
    # no change: nothing is asked again
    code, _, err = _build(run_cli, config, episodes, out)
    assert code == 0 and _media_requests(host_server) == [("HEAD", "/media/ep.mp3")]
    assert feed_items(out / "feed.xml")["Ep"]["length"] == len(body)


def test_a_server_without_a_useful_head_is_asked_for_one_byte(tmp_path, host_server, run_cli):
    body = b"\x00" * 54321
    host_server.routes["/media/x"] = Route(body=body, content_type="audio/mp4", head_status=405, ranges=True)
    config, episodes, out = write_host_show(
        tmp_path,
        {
            "ep": f"title: Ep\ndateadded: 2024-01-01\nguid: g\naudio:\n  url: {host_server.url('/media/x')}\n  type: audio/mp4"
        },
    )
    code, _, err = _build(run_cli, config, episodes, out)
    assert code == 0, err
    assert feed_items(out / "feed.xml")["Ep"]["length"] == 54321
    methods = [(m, h.get("Range")) for m, p, h in host_server.requests if p == "/media/x"]
    assert methods == [("HEAD", None), ("GET", "bytes=0-0")]


def test_a_failed_probe_is_a_warning_and_the_feed_is_published(tmp_path, host_server, run_cli):
    config, episodes, out = write_host_show(
        tmp_path,
        {"ep": f"title: Ep\ndateadded: 2024-01-01\nguid: g\naudio: {host_server.url('/media/gone.mp3')}"},
    )
    code, _, err = _build(run_cli, config, episodes, out)
    assert code == 0
    assert (
        "warning: audio.length: size of" in err
        and "(asked the server: HEAD: HTTP 404; ranged GET: HTTP 404)" in err
    )
    assert feed_items(out / "feed.xml")["Ep"]["length"] == 0
    # failures are not cached: the next build asks again
    _build(run_cli, config, episodes, out)
    assert len(_media_requests(host_server)) == 4


def test_probes_follow_the_link_checkers_address_policy(tmp_path, host_server, run_cli):
    host_server.routes["/media/ep.mp3"] = Route(body=b"x" * 10, content_type="audio/mpeg")
    config, episodes, out = write_host_show(
        tmp_path,
        {"ep": f"title: Ep\ndateadded: 2024-01-01\nguid: g\naudio: {host_server.url('/media/ep.mp3')}"},
        links={"allow_private": False},
    )
    code, _, err = _build(run_cli, config, episodes, out)
    assert code == 0
    assert "resolves to loopback address 127.0.0.1; refused (set links.allow_private: true to allow)" in err
    assert _media_requests(host_server) == []


def test_offline_asks_nothing_and_says_what_is_left_unknown(tmp_path, host_server, run_cli):
    host_server.routes["/media/a.mp3"] = Route(body=b"a" * 100, content_type="audio/mpeg")
    host_server.routes["/media/b.mp3"] = Route(body=b"b" * 200, content_type="audio/mpeg")
    eps = {
        "a": f"title: A\ndateadded: 2024-01-01\nguid: ga\naudio: {host_server.url('/media/a.mp3')}",
        "b": f"title: B\ndateadded: 2024-01-02\nguid: gb\naudio: {host_server.url('/media/b.mp3')}",
    }
    config, episodes, out = write_host_show(tmp_path, {"a": eps["a"]})
    assert _build(run_cli, config, episodes, out)[0] == 0  # a's size is cached now
    (episodes / "b.md").write_text(f"---\n{eps['b']}\n---\n")
    asked = len(host_server.requests)
    code, stdout, err = _build(run_cli, config, episodes, out, "--offline")
    assert code == 0, err
    assert len(host_server.requests) == asked  # not one request
    items = feed_items(out / "feed.xml")
    assert (items["A"]["length"], items["B"]["length"]) == (100, 0)
    assert f"{episodes / 'b.md'}: warning: audio.length:" in err and "(not asked (--offline))" in err
    assert "--offline: 1 enclosure size(s) not asked, left unknown" in stdout


def test_probes_run_concurrently_within_a_bounded_total_time(tmp_path, host_server):
    for i in range(6):
        host_server.routes[f"/slow/{i}.mp3"] = Route(body=b"x" * 10, delay=3.0)
    prober = MediaProber(tmp_path / "probes.json", allow_private=True, timeout=5, budget=0.5, workers=8)
    started = time.monotonic()
    outcome = prober.lookup(host_server.url(f"/slow/{i}.mp3") for i in range(6))
    assert time.monotonic() - started < 2.5
    assert not outcome.answers and len(outcome.failures) == 6
    assert all("did not answer within the 0.5 s" in why for why in outcome.failures.values())


def test_placeholder_names_are_never_asked():
    assert placeholder_host("https://media.example.org/x.mp3") == "media.example.org"
    assert placeholder_host("https://cdn.show.test/x.mp3") == "cdn.show.test"
    assert placeholder_host("https://cdn.example.com.evil.net/x.mp3") is None
    outcome = MediaProber(None).lookup(["https://media.example.org/x.mp3"])
    assert "placeholder" in outcome.failures["https://media.example.org/x.mp3"] and outcome.asked == 0


def test_a_damaged_probe_cache_is_ignored(tmp_path, host_server):
    host_server.routes["/media/a.mp3"] = Route(body=b"a" * 77, content_type="audio/mpeg")
    cache = tmp_path / "probes.json"
    cache.write_text(
        json.dumps({"version": 1, "urls": {host_server.url("/media/a.mp3"): {"length": "lots"}}})
    )
    prober = MediaProber(cache, allow_private=True)
    assert (
        prober.lookup([host_server.url("/media/a.mp3")]).answers[host_server.url("/media/a.mp3")].length == 77
    )
    prober.save()
    again = MediaProber(cache, allow_private=True).lookup([host_server.url("/media/a.mp3")])
    assert again.from_cache == 1 and again.asked == 0


# --- local copies ------------------------------------------------------------------------------------


def test_a_tiny_real_mp3_gives_size_duration_and_type(tmp_path):
    path = tmp_path / "x.mp3"
    path.write_bytes(silent_mp3(100))
    local = read_local_media(path)
    assert local.length == 41700 and local.mime_type == "audio/mpeg"
    assert abs(local.duration - 100 * 1152 / 44100) < 0.05


def test_a_local_audio_file_gives_the_enclosure_its_size_duration_and_type(tmp_path, run_cli):
    config, episodes, out = write_host_show(
        tmp_path, {"ep": "title: Ep\ndateadded: 2024-01-01\nguid: g\naudio: media/ep-final.mp3"}
    )
    (episodes / "media").mkdir()
    (episodes / "media" / "ep-final.mp3").write_bytes(silent_mp3(400))  # 10.45 s
    code, _, err = _build(run_cli, config, episodes, out)
    assert code == 0, err
    item = feed_items(out / "feed.xml")["Ep"]
    # served beside the feed when the config has no media_url
    assert item["url"] == "https://feeds.example.org/show/media/ep-final.mp3"
    assert (item["length"], item["type"], item["duration"]) == (400 * 417, "audio/mpeg", 10.0)


def test_media_dir_measures_the_files_media_url_serves(tmp_path, run_cli, host_server):
    media = tmp_path / "masters"
    media.mkdir()
    (media / "ep.mp3").write_bytes(silent_mp3(200))
    config, episodes, out = write_host_show(
        tmp_path,
        {"ep": "title: Ep\ndateadded: 2024-01-01\nguid: g"},
        media_url=host_server.url("/cdn/{slug}.mp3"),
        media_dir="../masters",
    )
    code, _, err = _build(run_cli, config, episodes, out)
    assert code == 0, err
    item = feed_items(out / "feed.xml")["Ep"]
    assert item["url"] == host_server.url("/cdn/ep.mp3") and item["length"] == 200 * 417
    assert item["duration"] == 5.0
    assert host_server.requests == []  # the local copy told everything: the server is not asked


def test_a_local_path_may_not_leave_the_episodes_folder(tmp_path, run_cli):
    config, episodes, out = write_host_show(
        tmp_path, {"ep": "title: Ep\ndateadded: 2024-01-01\nguid: g\naudio: ../../etc/passwd"}
    )
    code, _, err = _build(run_cli, config, episodes, out)
    assert code == 1
    assert "error: audio.file: must be the path of the media file inside the episodes folder" in err
