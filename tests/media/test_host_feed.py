"""config ``host_feed``: the host's feed is a source of every build (on a real server on 127.0.0.1)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import Route
from feedsupport import anchor_link, feed_items, feed_xml, item_xml, set_config, write_host_show

from feedtool.media.hostfeed import load_host_feed

FEED_PATH = "/s/show/podcast/rss"


def host_items() -> bytes:
    return feed_xml(
        item_xml(
            guid="host-guid-1",
            title="Episode One - Guest A",
            url="https://cdn.example.org/one.mp3",
            length=11111,
            date="Mon, 22 Jan 2024 17:00:00 GMT",
            duration="01:00:00",
            extra=anchor_link("e1aaaa1", "Episode-One"),
        ),
        item_xml(
            guid="host-guid-2",
            title="Episode Two",
            url="https://cdn.example.org/two.m4a",
            length=22222,
            mime="audio/x-m4a",
            date="Mon, 29 Jan 2024 17:00:00 GMT",
            duration="1800",
            extra=anchor_link("e2bbbb2", "Episode-Two"),
        ),
        item_xml(
            guid="host-only",
            title="A Host-Only Bonus",
            url="https://cdn.example.org/bonus.mp3",
            date="Mon, 05 Feb 2024 17:00:00 GMT",
            extra=anchor_link("e3cccc3", "Bonus"),
        ),
    )


EPISODES = {
    # nothing of its own but its anchor id: everything comes from the host
    "episode-one": "title: Episode One\nids:\n  anchor: theshow/episodes/Episode-One-e1aaaa1",
    # its own date, duration and media file win; the host's guid is still taken
    "episode-two": (
        "title: Episode Two\ndateadded: 2024-02-01\nduration: PT25M\nids:\n  anchor: Episode-Two-e2bbbb2\n"
        "audio:\n  url: https://media.example.org/own/two.mp3\n  length: 999\n  type: audio/mpeg"
    ),
}


def _show(tmp_path, host_server, body: bytes | None = None, episodes: dict[str, str] | None = None, **config):
    host_server.routes[FEED_PATH] = Route(body=body or host_items(), headers={"ETag": '"v1"'})
    return write_host_show(tmp_path, episodes or EPISODES, host_feed=host_server.url(FEED_PATH), **config)


def _build(run_cli, config, episodes, out, *extra):
    return run_cli("build", "--config", config, "--episodes", episodes, "--out", out, *extra)


def test_dates_guids_enclosures_and_durations_come_from_the_host_and_the_file_wins(
    tmp_path, host_server, run_cli
):
    config, episodes, out = _show(tmp_path, host_server)
    code, stdout, err = _build(run_cli, config, episodes, out)
    assert code == 0, err
    items = feed_items(out / "feed.xml")
    assert items["Episode One"] == {
        "guid": "host-guid-1",
        "url": "https://cdn.example.org/one.mp3",
        "length": 11111,
        "type": "audio/mpeg",
        "date": "2024-01-22T17:00:00+00:00",
        "duration": 3600.0,
    }
    two = items["Episode Two"]
    assert two["guid"] == "host-guid-2"  # the file has no guid: the host's
    assert (two["url"], two["length"], two["type"]) == (
        "https://media.example.org/own/two.mp3",
        999,
        "audio/mpeg",
    )
    assert two["date"] == "2024-02-01T00:00:00+00:00" and two["duration"] == 1500.0  # the file's
    # the host item no file matches is listed: subscribers of the host have it
    assert "host item 'A Host-Only Bonus' (guid host-only, 2024-02-05) has no episode file" in err
    assert "1 host item(s) without an episode file" in stdout
    # the last good copy is kept under the state folder
    assert (tmp_path / "state" / "host-feed" / "feed.xml").read_bytes() == host_items()


def test_an_unchanged_host_feed_costs_one_conditional_request(tmp_path, host_server, run_cli):
    config, episodes, out = _show(tmp_path, host_server)
    assert _build(run_cli, config, episodes, out)[0] == 0
    code, _, err = _build(run_cli, config, episodes, out)
    assert code == 0 and "last good copy" not in err
    feed_requests = [headers for method, path, headers in host_server.requests if path == FEED_PATH]
    assert len(feed_requests) == 2 and feed_requests[1].get("If-None-Match") == '"v1"'


def test_host_down_uses_the_last_good_copy_and_drops_nothing(tmp_path, host_server, run_cli):
    config, episodes, out = _show(tmp_path, host_server)
    assert _build(run_cli, config, episodes, out)[0] == 0
    before = feed_items(out / "feed.xml")
    host_server.routes[FEED_PATH] = Route(503, b"maintenance", "text/plain")
    code, _, err = _build(run_cli, config, episodes, out)
    assert code == 0, err
    assert "HTTP 503" in err and "using the last good copy of the host feed (fetched 20" in err
    assert feed_items(out / "feed.xml") == before


def test_a_garbage_answer_is_a_clear_warning_and_drops_nothing(tmp_path, host_server, run_cli):
    config, episodes, out = _show(tmp_path, host_server)
    assert _build(run_cli, config, episodes, out)[0] == 0
    before = feed_items(out / "feed.xml")
    for garbage in (b"<html><body>Oops, our servers are busy</body></html>", b"<rss><channel><item>"):
        host_server.routes[FEED_PATH] = Route(body=garbage, content_type="text/html")
        code, _, err = _build(run_cli, config, episodes, out)
        assert code == 0, err
        assert "the host answered something that is not an RSS feed" in err and "last good copy" in err
        assert feed_items(out / "feed.xml") == before
    # a feed that parses but lost every item is taken for a host fault too
    host_server.routes[FEED_PATH] = Route(body=feed_xml())
    code, _, err = _build(run_cli, config, episodes, out)
    assert code == 0 and "has no items now (the last good copy has 3)" in err
    assert feed_items(out / "feed.xml") == before
    # the copy kept is still the last good one
    assert (tmp_path / "state" / "host-feed" / "feed.xml").read_bytes() == host_items()


def test_an_unreachable_host_uses_the_last_good_copy(tmp_path):
    """A host that is gone altogether (connection refused), not one answering an error."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = host_items()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/feed"
    first = load_host_feed(url, tmp_path, timeout=2)
    server.shutdown()
    server.server_close()
    second = load_host_feed(url, tmp_path, timeout=2)
    assert first.status == "fetched" and second.status == "last good copy"
    assert [i.guid for i in second.feed.items] == [i.guid for i in first.feed.items]
    (problem,) = second.problems
    assert not problem.is_error and "could not be fetched" in problem.message
    assert json.loads((tmp_path / "host-feed" / "meta.json").read_text())["source"] == url


def test_without_any_copy_a_down_host_stops_the_build(tmp_path, host_server, run_cli):
    config, episodes, out = _show(tmp_path, host_server)
    host_server.routes[FEED_PATH] = Route(500, b"down", "text/plain")
    code, _, err = _build(run_cli, config, episodes, out)
    assert code == 1
    assert "error: host_feed: the host feed could not be fetched" in err
    assert "no last good copy yet: nothing is published" in err
    assert not (out / "feed.xml").exists()


def test_a_copy_of_another_source_is_never_used(tmp_path, host_server):
    host_server.routes["/a"] = Route(body=host_items())
    assert load_host_feed(host_server.url("/a"), tmp_path).feed is not None
    other = load_host_feed(host_server.url("/b"), tmp_path)  # 404, and the copy is of /a
    assert other.feed is None and other.problems[0].is_error


def test_an_episode_the_host_lacks_without_a_date_is_held_back_named_and_link_checked(
    tmp_path, host_server, run_cli
):
    host_server.routes["/notes/ok"] = Route(body=b"fine", content_type="text/html")
    host_server.routes["/media/new.mp3"] = Route(body=b"x" * 500, content_type="audio/mpeg")
    # every URL the link check sees is on 127.0.0.1: tests never touch the internet
    episodes = {
        "episode-one": EPISODES["episode-one"],
        "new-episode": f"title: Not On The Host Yet\naudio: {host_server.url('/media/new.mp3')}\nduration: 60",
    }
    config, folder, out = _show(tmp_path, host_server, episodes=episodes)
    (folder / "new-episode.md").write_text(
        (folder / "new-episode.md").read_text() + f"\n[notes]({host_server.url('/notes/ok')})\n"
    )
    code, stdout, err = _build(run_cli, config, folder, out)
    assert code == 0, err
    assert f"{folder / 'new-episode.md'}: warning: dateadded: held back, not in the feed" in err
    assert "1 held back: no date" in stdout
    assert "Not On The Host Yet" not in feed_items(out / "feed.xml")
    code, report, err = run_cli("links", "--config", config, "--episodes", folder, "--format", "json")
    results = json.loads(report)["results"]
    checked = {r["url"]: r for r in results}
    assert host_server.url("/notes/ok") in checked and host_server.url("/media/new.mp3") in checked
    assert "new-episode" in json.dumps(checked[host_server.url("/notes/ok")])
    assert "not checked" not in err


def test_import_media_matches_held_back_episodes_and_records_the_date(tmp_path, host_server, run_cli):
    config, folder, out = _show(tmp_path, host_server)
    code, report, _ = run_cli("import-media", host_server.url(FEED_PATH), "--episodes", folder)
    assert "episode-one <- 'Episode One - Guest A' by anchor-id" in report
    text = (folder / "media.yaml").read_text()
    assert "date: '2024-01-22T17:00:00+00:00'" in text
    # without host_feed, the pinned snapshot gives the held-back episode its date and guid
    set_config(config, host_feed=None)
    code, _, err = _build(run_cli, config, folder, out)
    assert code == 0, err
    one = feed_items(out / "feed.xml")["Episode One"]
    assert (one["guid"], one["date"]) == ("host-guid-1", "2024-01-22T17:00:00+00:00")
