"""A loopback simulator playing YouTube/Spotify oEmbed, the iTunes lookup, Anchor's
redirect chain and a generic web host, with faults. Real sockets on 127.0.0.1.

It counts requests per path and the peak number of requests in flight (overall
and per path prefix), so tests can assert what the checker really did.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

YOUTUBE = {  # video id -> (status, body)
    "okokokokok1": (200, {"title": "A video", "provider_name": "YouTube"}),
    "private0001": (403, "Forbidden"),
    "removed0001": (404, "Not Found"),
    "noembed0001": (401, "Unauthorized"),
    "notjson0001": (200, "Forbidden"),
    "badbadbad01": (400, "Bad Request"),
    "ratelimit01": (429, "Too Many Requests"),
}
SPOTIFY = {
    "5okEpisode00000000000": 200,
    "5goneEpisode000000000": 404,
    "5badEpisode0000000000": 400,
    "5downEpisode000000000": 500,
}
APPLE_SHOW = "1541710331"
APPLE_EPISODES = ["1000521740775", "1000569172916"]
SHOW_WITHOUT_EPISODES = "222"


class Gauge:
    """Requests in flight across several simulators (one per "host")."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def enter(self) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def leave(self) -> None:
        with self.lock:
            self.now -= 1


class Simulator:
    def __init__(self, delay: float = 0.0, gauge: Gauge | None = None):
        self.delay = delay
        self.gauge = gauge
        self.starts: list[tuple[float, str]] = []  # (monotonic time, path) of every request
        self.headers_seen: list[dict] = []
        self.hits: Counter[str] = Counter()
        self.methods: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.flap_remaining: Counter[str] = Counter()
        self.apple_status = 200
        self.apple_extra: list[dict] = []  # more episodes of APPLE_SHOW (trackName, releaseDate...)
        self.status_of: dict[str, int] = {}  # path -> status a test can change between runs
        sim = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_HEAD(self):
                sim._handle(self, "HEAD")

            def do_GET(self):
                sim._handle(self, "GET")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 256
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- plumbing -----------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            path = urlsplit(h.path).path
            self.hits[path] += 1
            self.methods.append((method, h.path))
            self.starts.append((time.monotonic(), path))
            self.headers_seen.append({k.lower(): v for k, v in h.headers.items()})
        if self.gauge:
            self.gauge.enter()
        h.in_flight_counted = True
        try:
            if self.delay:
                time.sleep(self.delay)
            self._route(h, method)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            self._answered(h)

    def _answered(self, h) -> None:
        """The request stops counting as in flight just before its answer is written:
        the client cannot start its next request on that slot any earlier."""
        if getattr(h, "in_flight_counted", False):
            h.in_flight_counted = False
            if self.gauge:
                self.gauge.leave()
            with self.lock:
                self.in_flight -= 1

    def send(
        self, h, status: int, body: bytes | str | dict = b"", headers: dict | None = None, method: str = "GET"
    ):
        if isinstance(body, dict):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        self._answered(h)
        h.send_response(status)
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if method != "HEAD":
            h.wfile.write(body)

    def _route(self, h, method: str) -> None:
        parts = urlsplit(h.path)
        path, query = parts.path, parse_qs(parts.query)
        send = lambda status, body=b"", headers=None: self.send(h, status, body, headers, method)  # noqa: E731
        if path == "/yt/oembed":
            video = parse_qs(urlsplit(query["url"][0]).query).get("v", [""])[0]
            status, body = YOUTUBE.get(video, (404, "Not Found"))
            headers = {"Retry-After": "0"} if status == 429 else {}
            return send(status, body, headers)
        if path == "/sp/oembed":
            episode = urlsplit(query["url"][0]).path.rsplit("/", 1)[-1]
            status = SPOTIFY.get(episode, 404)
            return send(
                status, {"title": "An episode", "provider_name": "Spotify"} if status == 200 else "no"
            )
        if path == "/apple/lookup":
            if self.apple_status != 200:
                return send(self.apple_status, "busy", {"Retry-After": "0"})
            show = query["id"][0]
            limit = int(query.get("limit", ["200"])[0])
            if show == APPLE_SHOW:
                episodes = [
                    {
                        "wrapperType": "podcastEpisode",
                        "kind": "podcast-episode",
                        "trackId": int(i),
                        "collectionId": int(show),
                    }
                    for i in APPLE_EPISODES
                ]
                episodes = [*episodes, *self.apple_extra][:limit]
                results = [
                    {
                        "wrapperType": "track",
                        "kind": "podcast",
                        "collectionId": int(show),
                        "trackCount": len(episodes),
                    },
                    *episodes,
                ]
            elif show == SHOW_WITHOUT_EPISODES:
                results = []
            else:
                # a big show: exactly `limit` newest episodes, ids 1..limit
                results = [{"wrapperType": "track", "kind": "podcast", "collectionId": int(show)}] + [
                    {"wrapperType": "podcastEpisode", "trackId": n, "collectionId": int(show)}
                    for n in range(1, limit + 1)
                ]
            return send(200, {"resultCount": len(results), "results": results})
        # Anchor: anchor.fm -> podcasters.spotify.com -> creators.spotify.com
        if path.startswith("/anchor/datatalksclub/episodes/"):
            rest = path.split("/episodes/", 1)[1]
            return send(301, "", {"Location": f"/podcasters/pod/show/datatalksclub/episodes/{rest}"})
        if path.startswith("/podcasters/pod/show/datatalksclub/episodes/"):
            rest = path.split("/episodes/", 1)[1]
            if rest.startswith("gone"):
                return send(302, "", {"Location": "/creators/pod/show/datatalksclub"})
            return send(301, "", {"Location": f"/creators/pod/show/datatalksclub/episodes/{rest}"})
        if path.startswith("/creators/pod/show/datatalksclub"):
            if "episodes/missing" in path:
                return send(404, "not found")
            return send(200, "<html>episode page</html>")
        return self._generic(h, method, path, query, send)

    def _generic(self, h, method, path, query, send) -> None:
        if path in self.status_of:
            return send(self.status_of[path], "as the test says")
        if path.startswith("/ok") or path == "/":
            return send(200, "<html>fine</html>")
        if path == "/slowok":
            time.sleep(0.05)
            return send(200, "ok")
        if path == "/404":
            return send(404, "not found")
        if path == "/410":
            return send(410, "gone")
        if path == "/moved":
            return send(301, "", {"Location": "/ok/new-home"})
        if path == "/moved-then-temp":
            return send(308, "", {"Location": "/temp"})
        if path == "/temp":
            return send(302, "", {"Location": "/ok/landing"})
        if path == "/redirect-404":
            return send(301, "", {"Location": "/404"})
        if path.startswith("/chain/"):
            n = int(path.rsplit("/", 1)[1])
            return send(302, "", {"Location": f"/chain/{n - 1}" if n > 1 else "/ok/end"})
        if path == "/loop-a":
            return send(302, "", {"Location": "/loop-b"})
        if path == "/loop-b":
            return send(302, "", {"Location": "/loop-a"})
        if path == "/always429":
            return send(429, "slow down", {"Retry-After": query.get("after", ["0"])[0]})
        if path.startswith("/flap"):
            if self.flap_remaining[path] > 0:
                self.flap_remaining[path] -= 1
                return send(500, "oops")
            return send(200, "back")
        if path == "/always500":
            return send(503, "down")
        if path == "/slow":
            time.sleep(float(query.get("s", ["2"])[0]))
            return send(200, "late")
        if path == "/drip":
            # a status line and then one header byte at a time, forever (bounded here)
            h.wfile.write(b"HTTP/1.1 200 OK\r\n")
            h.wfile.flush()
            for _ in range(200):
                h.wfile.write(b"X")
                h.wfile.flush()
                time.sleep(0.05)
            h.close_connection = True
            return None
        if path == "/slow-body":
            # fine headers, then the body one byte every 50 ms (10 s in all)
            h.send_response(200)
            h.send_header("Content-Length", "200")
            h.end_headers()
            if method == "GET":
                for _ in range(200):
                    h.wfile.write(b"x")
                    h.wfile.flush()
                    time.sleep(0.05)
            return None
        if path == "/reset":
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.close_connection = True
            h.connection.close()
            return None
        if path == "/huge":
            if method == "HEAD":
                return send(405, "")
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.end_headers()  # no length: the body runs until the server stops
            chunk = b"A" * 65536
            for _ in range(2000):  # 128 MiB if anyone read it all
                h.wfile.write(chunk)
            h.close_connection = True
            return None
        if path == "/huge-headers":
            h.send_response(200)
            for i in range(5000):
                h.send_header(f"X-Pad-{i}", "a" * 100)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return None
        if path == "/long-header":
            h.send_response(200)
            h.send_header("X-Long", "b" * 200_000)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return None
        if path == "/head-refused":
            return send(405 if method == "HEAD" else 200, "" if method == "HEAD" else "get works")
        if path == "/challenge":
            return send(403, "<html><title>Just a moment...</title>captcha</html>")
        if path == "/linkedin":
            return send(999, "")
        if path == "/soft404":
            return send(200, "<html>Video unavailable</html>")
        if path == "/image.jpg" or path.endswith(".mp3"):
            return send(200, b"\xff" * 10, {"Content-Type": "image/jpeg"})
        return send(404, "no such path")
