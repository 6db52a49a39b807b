"""WebSub and Podping after a publish, against real servers on 127.0.0.1."""

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml
from conftest import FIXTURES
from lxml import etree

from feedtool.config import parse_config
from feedtool.errors import ConfigError
from feedtool.publish import notify
from feedtool.publish.build import build
from feedtool.rss.namespaces import ATOM_NS

BASE = yaml.safe_load((FIXTURES / "show" / "config" / "podcast.yaml").read_text())
FEED_URL = "https://feeds.example.org/test/feed.xml"


class Recorder:
    """A loopback server answering with the scripted statuses (the last one repeats)."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                recorder.requests.append((self.command, self.path, dict(self.headers), body))
                status = recorder.statuses.pop(0) if len(recorder.statuses) > 1 else recorder.statuses[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(notify, "RETRY_DELAYS", (0.01, 0.02))
    monkeypatch.setattr(notify, "TIMEOUT", 5.0)


def send(**kwargs):
    return notify.notify_apps(FEED_URL, delays=(0.01, 0.02), timeout=2, **kwargs)


def test_websub_posts_publish_with_the_feed_url():
    with Recorder([204]) as hub:
        (notice,) = send(websub_hub=hub.url)
    assert notice.ok and notice.detail == "HTTP 204" and notice.service == "websub"
    ((method, _, headers, body),) = hub.requests
    assert method == "POST" and headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert urllib.parse.parse_qs(body) == {"hub.mode": ["publish"], "hub.url": [FEED_URL]}


def test_podping_sends_the_feed_url_with_the_token():
    with Recorder([200]) as podping:
        (notice,) = send(podping_url=podping.url + "?reason=update", podping_token="secret-token")
    assert notice.ok and "secret-token" not in notice.line()
    ((method, path, headers, _),) = podping.requests
    assert method == "GET" and headers["Authorization"] == "secret-token"
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(path).query) == {
        "reason": ["update"],
        "url": [FEED_URL],
    }


def test_a_server_error_is_retried_until_it_answers():
    slept = []
    with Recorder([500, 503, 202]) as hub:
        (notice,) = notify.notify_apps(
            FEED_URL, websub_hub=hub.url, delays=(0.5, 1.5), timeout=2, sleep=slept.append
        )
    assert notice.ok and notice.attempts == 3 and len(hub.requests) == 3
    assert slept == [0.5, 1.5]  # a growing pause between attempts


def test_a_client_error_is_final_and_a_dead_server_gives_up():
    with Recorder([403]) as hub:
        (notice,) = send(websub_hub=hub.url)
    assert not notice.ok and notice.detail == "HTTP 403" and len(hub.requests) == 1
    with Recorder([204]) as dead:
        url = dead.url
    (notice,) = send(websub_hub=url)  # nothing listens there any more
    assert not notice.ok and notice.attempts == 3 and notice.detail.endswith("after 3 attempts")


def config_for(show, **extra):
    return parse_config({**BASE, **extra}, show / "config" / "podcast.yaml")


def test_the_build_notifies_after_a_publish_that_changed_the_feed_only(show, tmp_path):
    with Recorder([204]) as hub, Recorder([200]) as podping:
        config = config_for(show, websub_hub=hub.url, podping={"url": podping.url, "token": "t0k"})
        first = build(config, show / "episodes", tmp_path / "out", use_cache=False)
        assert [n.service for n in first.notices] == ["websub", "podping"] and all(
            n.ok for n in first.notices
        )
        feed = etree.parse(str(tmp_path / "out" / "feed.xml")).getroot()
        hubs = [el.get("href") for el in feed.iter(f"{{{ATOM_NS}}}link") if el.get("rel") == "hub"]
        assert hubs == [hub.url]
        again = build(config, show / "episodes", tmp_path / "out", use_cache=False)
        assert again.notices == () and len(hub.requests) == len(podping.requests) == 1
        dry = build(config, show / "episodes", tmp_path / "dry", use_cache=False, dry_run=True)
        assert dry.notices == () and len(hub.requests) == 1


def test_a_hub_that_is_down_never_undoes_the_publish(show, tmp_path, run_cli):
    with Recorder([500]) as hub:
        (show / "config" / "podcast.yaml").write_text(
            yaml.safe_dump({**BASE, "websub_hub": hub.url}), encoding="utf-8"
        )
        code, out, err = run_cli(
            "build",
            "--config",
            show / "config" / "podcast.yaml",
            "--episodes",
            show / "episodes",
            "--out",
            tmp_path / "out",
        )
    assert code == 0 and (tmp_path / "out" / "feed.xml").is_file()
    assert "built " in out
    assert f"warning: websub: NOT notified {hub.url} (HTTP 500 after 3 attempts)" in err


def test_the_run_reports_the_notices(show, tmp_path, run_cli):
    with Recorder([204]) as hub:
        (show / "config" / "podcast.yaml").write_text(
            yaml.safe_dump({**BASE, "websub_hub": hub.url}), encoding="utf-8"
        )
        code, out, _ = run_cli(
            "run",
            "--config",
            show / "config" / "podcast.yaml",
            "--episodes",
            show / "episodes",
            "--out",
            tmp_path / "out",
            "--skip-links",
        )
    assert code == 0 and f"notify: websub: notified {hub.url} (HTTP 204)" in out


def test_notify_config_is_checked_at_load(tmp_path):
    for bad, field in (
        ({"websub_hub": "hub.example.org"}, "websub_hub"),
        ({"podping": {"url": "https://podping.cloud/"}}, "podping.token"),
        ({"podping": {"token": "x"}}, "podping.url"),
        ({"podping": {"url": "https://podping.cloud/", "token": "x", "tokn": "y"}}, "podping.tokn"),
    ):
        with pytest.raises(ConfigError) as info:
            parse_config({**BASE, **bad}, tmp_path / "p.yaml")
        assert field in [p.field for p in info.value.problems], info.value.problems
