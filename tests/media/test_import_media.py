"""feedtool import-media end to end, from a file and from a real host on 127.0.0.1."""

from __future__ import annotations

import gzip
import hashlib
import os
import time

import pytest
import yaml
from conftest import Route
from feedsupport import HOST_FEED

from feedtool.errors import SourceError
from feedtool.media.source import fetch_url, public_source
from feedtool.read.media_manifest import load_manifest

EXPECTED_SLUGS = [
    "ab-testing-and-product-experimentation",
    "algorithmic-trading-with-python-and-machine-learning",
    "bayesian-modeling-workflows-and-tools",
    "devrel-open-source-machine-learning",
    "mlops-platform-migration",
]


def _hashes(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.md"))}


def _serve_feed(host_server, body=None):
    host_server.routes["/s/3a8bcbb8/podcast/rss"] = Route(body=body or HOST_FEED.read_bytes())
    return host_server.url("/s/3a8bcbb8/podcast/rss")


def test_import_from_a_host_url_writes_the_manifest_and_touches_no_episode(
    host_server, episodes_dir, run_cli
):
    url = _serve_feed(host_server)
    before = _hashes(episodes_dir)
    code, out, err = run_cli("import-media", url, "--episodes", episodes_dir)
    assert code == 1, err  # written, but the trailer and one new episode did not match
    assert host_server.hits == ["/s/3a8bcbb8/podcast/rss"]
    assert _hashes(episodes_dir) == before
    assert f"host feed {url}: 6 items; {episodes_dir}: 6 episodes" in out
    assert (
        "matched 5 (anchor-id 2, guid 1, title 1, title-stem 1); ambiguous 0; host items without episode 1; "
        "episodes without host item 1" in out
    )
    assert 'Host items with no episode file:\n  - "Season 18 Trailer: What\'s Coming Up"' in out
    assert "Episodes with no host item:\n  - data-contracts-in-practice:" in out
    assert f"wrote {episodes_dir / 'media.yaml'} (5 entries)" in out

    data = yaml.safe_load((episodes_dir / "media.yaml").read_text())
    assert data["version"] == 1 and data["source"] == url
    assert sorted(data["episodes"]) == EXPECTED_SLUGS
    assert data["episodes"]["devrel-open-source-machine-learning"] == {
        "url": "https://anchor.fm/s/3a8bcbb8/podcast/play/71653309/https%3A%2F%2Fd3ctxlq1ktw2nl.cloudfront.net"
        "%2Fstaging%2F2023-5-17%2F332018772-44100-2-3a2b1c0d9e8f7.m4a",
        "length": 55624170,
        "type": "audio/x-m4a",
        "duration": 3472,
        "guid": "https://anchor.fm/datatalksclub/episodes/Data-Developer-Relations---Hugo-Bowne-Anderson-e25q88q",
        "title": "Data Developer Relations - Hugo Bowne-Anderson",
        "matched_by": "anchor-id",
        "date": "2023-06-17T16:00:00+00:00",  # the host's pubDate, for a file without dateadded
    }
    manifest = load_manifest(episodes_dir)
    assert manifest["ab-testing-and-product-experimentation"].guid == "7b2e9f14-0c5a-4d83-b6e1-f29a3c8d0e57"
    assert manifest["algorithmic-trading-with-python-and-machine-learning"].duration == 3640.0


def test_file_and_url_sources_give_the_same_entries_and_reruns_rewrite_nothing(
    host_server, episodes_dir, tmp_path, run_cli
):
    run_cli("import-media", HOST_FEED, "--episodes", episodes_dir)
    from_file = load_manifest(episodes_dir)
    path = episodes_dir / "media.yaml"
    url = _serve_feed(host_server)
    run_cli("import-media", url, "--episodes", episodes_dir)
    assert dict(load_manifest(episodes_dir)) == dict(from_file)
    os.utime(path, (1_600_000_000, 1_600_000_000))
    code, out, _ = run_cli("import-media", url, "--episodes", episodes_dir)
    assert code == 1 and f"{path} unchanged (5 entries)" in out
    assert path.stat().st_mtime == 1_600_000_000


def test_dry_run_writes_nothing(episodes_dir, run_cli):
    code, out, _ = run_cli("import-media", HOST_FEED, "--episodes", episodes_dir, "--dry-run")
    assert code == 1
    assert not (episodes_dir / "media.yaml").exists()
    assert "dry run:" in out and "  mlops-platform-migration:\n" in out and "matched_by: guid" in out


def test_everything_matched_exits_0(host_server, episodes_dir, run_cli):
    (episodes_dir / "data-contracts-in-practice.md").unlink()
    feed = HOST_FEED.read_text()
    start = feed.index("<item>")
    feed = feed[:start] + feed[feed.index("</item>", start) + len("</item>") :]  # drop the trailer
    url = _serve_feed(host_server, feed.encode())
    code, out, _ = run_cli("import-media", url, "--episodes", episodes_dir)
    assert code == 0, out
    assert "host items without episode 0; episodes without host item 0" in out


def test_previous_entries_are_kept_for_existing_episodes_and_dropped_for_deleted_ones(episodes_dir, run_cli):
    (episodes_dir / "media.yaml").write_text(
        "version: 1\nepisodes:\n"
        "  data-contracts-in-practice:\n    url: https://old-host.example.org/dc.mp3\n    guid: old-dc\n"
        "  deleted-episode:\n    url: https://old-host.example.org/gone.mp3\n    guid: old-gone\n"
    )
    code, out, _ = run_cli("import-media", HOST_FEED, "--episodes", episodes_dir)
    assert code == 1
    assert (
        "Kept from the previous media.yaml (episode exists, no host item matched now):\n"
        "  = data-contracts-in-practice (guid old-dc)" in out
    )
    assert (
        "Dropped from the previous media.yaml (no such episode file any more):\n"
        "  x deleted-episode (guid old-gone)" in out
    )
    manifest = load_manifest(episodes_dir)
    assert manifest["data-contracts-in-practice"].guid == "old-dc" and "deleted-episode" not in manifest


def test_a_damaged_manifest_stops_before_fetching(host_server, episodes_dir, run_cli):
    url = _serve_feed(host_server)
    (episodes_dir / "media.yaml").write_text("version: 1\nepisodes:\n  a:\n    length: lots\n")
    code, _, err = run_cli("import-media", url, "--episodes", episodes_dir)
    assert code == 2
    assert "media.yaml:4: error: episodes.a.length" in err and "episodes.a.url" in err
    assert host_server.hits == []


def test_host_errors_exit_2_and_write_nothing(host_server, episodes_dir, run_cli):
    host_server.routes["/gone"] = Route(404, b"<html>Not Found</html>", "text/html")
    host_server.routes["/html"] = Route(
        body=b"<!DOCTYPE html><html><body><p>Log in</body></html>", content_type="text/html"
    )
    host_server.routes["/huge"] = Route(stream_bytes=3_000_000)
    host_server.routes["/big"] = Route(body=b"<rss>" + b" " * 1_500_000 + b"</rss>")  # with Content-Length
    cases = {
        "/gone": "the host answered HTTP 404",
        "/html": "not well-formed XML",
        "/huge": "over the 1000000-byte cap; stopped reading",
        "/big": "the feed is 1500011 bytes, over the 1000000-byte cap",
    }
    for path, message in cases.items():
        code, _, err = run_cli(
            "import-media", host_server.url(path), "--episodes", episodes_dir, "--max-bytes", "1000000"
        )
        assert code == 2 and message in err, (path, err)
    assert not (episodes_dir / "media.yaml").exists()


def test_slow_host_times_out(host_server, episodes_dir, run_cli):
    host_server.routes["/slow"] = Route(body=HOST_FEED.read_bytes(), delay=3)
    started = time.monotonic()
    code, _, err = run_cli(
        "import-media", host_server.url("/slow"), "--episodes", episodes_dir, "--timeout", "0.5"
    )
    assert code == 2 and "no answer within 0.5s" in err
    assert time.monotonic() - started < 2.5


def test_redirects_are_followed(host_server, episodes_dir, run_cli):
    url = _serve_feed(host_server)
    host_server.routes["/old-feed"] = Route(301, b"", headers={"Location": url})
    code, out, _ = run_cli("import-media", host_server.url("/old-feed"), "--episodes", episodes_dir)
    assert code == 1 and "matched 5" in out
    assert host_server.hits == ["/old-feed", "/s/3a8bcbb8/podcast/rss"]


def test_usage_errors(tmp_path, episodes_dir, run_cli):
    code, _, err = run_cli("import-media", tmp_path / "nope.xml", "--episodes", episodes_dir)
    assert code == 2 and "nope.xml: no such file" in err
    code, _, err = run_cli("import-media", HOST_FEED, "--episodes", tmp_path / "missing")
    assert code == 2 and "episodes folder not found" in err


def test_a_dripping_host_cannot_stall_the_run(host_server):
    host_server.routes["/drip"] = Route(body=HOST_FEED.read_bytes(), drip_interval=0.05)
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"took longer than 0\.5s"):
        fetch_url(host_server.url("/drip"), timeout=5, total_timeout=0.5)
    assert time.monotonic() - started < 3


def test_config_gives_the_time_zone_and_a_bad_config_stops(tmp_path, episodes_dir, run_cli):
    config = tmp_path / "podcast.yaml"
    config.write_text(
        "title: DataTalks.Club\ndescription: The place to talk about data\nlink: https://datatalks.club/\n"
        "public_url: https://datatalks.club/podcast/\nlanguage: en\nauthor: DataTalks.Club\n"
        "image: https://datatalks.club/cover.jpg\ncategory: Technology\ntimezone: Europe/Berlin\n"
    )
    code, out, _ = run_cli("import-media", HOST_FEED, "--episodes", episodes_dir, "--config", config)
    assert code == 1 and "matched 5" in out
    config.write_text("title: x\ntimezone: Mars/Olympus\n")
    code, _, err = run_cli("import-media", HOST_FEED, "--episodes", episodes_dir, "--config", config)
    assert code == 2 and "unknown time zone" in err


def test_gzip_and_chunked_answers_are_read_whole(host_server, episodes_dir, run_cli):
    body = HOST_FEED.read_bytes()
    host_server.routes["/gzip"] = Route(body=gzip.compress(body), headers={"Content-Encoding": "gzip"})
    host_server.routes["/chunked"] = Route(body=body, chunked=True)
    host_server.routes["/both"] = Route(
        body=gzip.compress(body), headers={"Content-Encoding": "gzip"}, chunked=True
    )
    for path in ("/gzip", "/chunked", "/both"):
        assert fetch_url(host_server.url(path)) == body, path
    code, out, _ = run_cli("import-media", host_server.url("/both"), "--episodes", episodes_dir)
    assert code == 1 and "matched 5" in out


def test_a_host_stalling_mid_body_times_out(host_server):
    host_server.routes["/stall"] = Route(body=HOST_FEED.read_bytes(), drip_interval=2)
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"no answer within 0\.3s"):
        fetch_url(host_server.url("/stall"), timeout=0.3)
    assert time.monotonic() - started < 2


def test_tokens_in_private_feed_urls_stay_out_of_the_manifest(host_server, episodes_dir, run_cli):
    url = _serve_feed(host_server)
    secret_url = url.replace("http://", "http://user:hunter2@") + "?auth=s3cr3t#x"
    host_server.routes["/s/3a8bcbb8/podcast/rss?auth=s3cr3t"] = host_server.routes["/s/3a8bcbb8/podcast/rss"]
    code, out, _ = run_cli("import-media", secret_url, "--episodes", episodes_dir)
    assert code == 1 and "matched 5" in out
    text = (episodes_dir / "media.yaml").read_text()
    assert f"source: {url}\n" in text
    assert "s3cr3t" not in text + out and "hunter2" not in text + out
    assert public_source("feeds/host.xml") == "feeds/host.xml"
