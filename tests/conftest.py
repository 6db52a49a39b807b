from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from feedsupport import EPISODES

from feedtool import cli

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
# the real corpus lives beside the clone (../shared/corpus); FEEDTOOL_CORPUS overrides
CORPUS = Path(os.environ.get("FEEDTOOL_CORPUS", REPO.parent / "shared" / "corpus"))


@pytest.fixture
def show(tmp_path: Path) -> Path:
    """A writable copy of the small test show: config/, episodes/, people/."""
    dest = tmp_path / "show"
    shutil.copytree(FIXTURES / "show", dest)
    return dest


# --- the CLI in-process, fixture episodes, a loopback podcast host (feed, media and import tests)


@pytest.fixture
def run_cli(monkeypatch, capsys) -> Callable[..., tuple[int, str, str]]:
    """Run ``feedtool ARGS`` in-process; returns (exit code, stdout, stderr).

    Only command modules that exist on this branch are registered, so these tests
    run before and after the other commands are merged.
    """
    available = tuple(m for m in cli.COMMAND_MODULES if importlib.util.find_spec(f"feedtool.commands.{m}"))
    monkeypatch.setattr(cli, "COMMAND_MODULES", available)

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main([str(a) for a in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def episodes_dir(tmp_path) -> Path:
    """A private copy of the fixture episodes (tests may add media.yaml or files)."""
    target = tmp_path / "episodes"
    shutil.copytree(EPISODES, target)
    return target


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=UTF-8"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    stream_bytes: int = 0  # send this many filler bytes without a Content-Length
    drip_interval: float = 0.0  # send the body 100 bytes at a time, this many seconds apart
    chunked: bool = False  # Transfer-Encoding: chunked, as many hosts' CDNs answer
    head_status: int | None = None  # HEAD answers this status (no size) instead of the GET's headers
    ranges: bool = False  # GET with "Range: bytes=0-0" answers 206 and Content-Range, as CDNs do


@dataclass
class HostServer:
    base_url: str
    routes: dict[str, Route]
    hits: list[str]  # GET paths
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # (method, path, headers)

    def url(self, path: str) -> str:
        return self.base_url + path


class _ClientMayLeaveServer(ThreadingHTTPServer):
    """A client that stops reading (a size cap, a timeout) resets the connection: that is the
    test's point, not a server error to print a traceback for."""

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


@pytest.fixture
def host_server() -> Iterator[HostServer]:
    """A real HTTP server on 127.0.0.1 playing the podcast host."""
    routes: dict[str, Route] = {}
    hits: list[str] = []
    requests: list[tuple[str, str, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _not_modified(self, route: Route) -> bool:
            """A conditional request for an unchanged route: 304, no body."""
            etag = route.headers.get("ETag")
            if route.status != 200 or not etag or self.headers.get("If-None-Match") != etag:
                return False
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True

        def do_HEAD(self) -> None:
            requests.append(("HEAD", self.path, dict(self.headers)))
            route = routes.get(self.path, Route(404, b"not found", "text/plain"))
            if route.delay:
                time.sleep(route.delay)
            if self._not_modified(route):
                return
            self.send_response(route.head_status or route.status)
            self.send_header("Content-Type", route.content_type)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0" if route.head_status else str(len(route.body)))
            self.end_headers()

        def do_GET(self) -> None:
            hits.append(self.path)
            requests.append(("GET", self.path, dict(self.headers)))
            route = routes.get(self.path, Route(404, b"not found", "text/plain"))
            if route.delay:
                time.sleep(route.delay)
            if self._not_modified(route):
                return
            if route.ranges and self.headers.get("Range") == "bytes=0-0" and route.body:
                self.send_response(206)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Range", f"bytes 0-0/{len(route.body)}")
                self.send_header("Content-Length", "1")
                self.end_headers()
                self.wfile.write(route.body[:1])
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.chunked:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for start in range(0, len(route.body), 4000):
                    piece = route.body[start : start + 4000]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
                return
            if route.drip_interval:
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for start in range(0, len(route.body), 100):
                        self.wfile.write(route.body[start : start + 100])
                        self.wfile.flush()
                        time.sleep(route.drip_interval)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True
                return
            if route.stream_bytes:
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"<!-- filler -->" * 4096
                sent = 0
                try:
                    while sent < route.stream_bytes:
                        self.wfile.write(chunk)
                        sent += len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True
                return
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            try:
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (size cap, timeout)
                self.close_connection = True

        def log_message(self, *args) -> None:
            pass

    server = _ClientMayLeaveServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield HostServer(f"http://127.0.0.1:{server.server_address[1]}", routes, hits, requests)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _dev_null_stays_a_device():
    """Fail the test after which /dev/null is no longer the null device.

    The suite runs as root in CI, where a rename over ``/dev/null`` (a writer that replaces its
    target) succeeds and breaks every later ``> /dev/null`` on the machine. The device is put back
    so the rest of the run is not poisoned, and the test that did it fails by name.
    """
    yield
    import stat

    if stat.S_ISCHR(os.stat("/dev/null").st_mode):
        return
    if os.geteuid() == 0:
        os.unlink("/dev/null")
        os.mknod("/dev/null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        os.chmod("/dev/null", 0o666)
    pytest.fail("this test replaced /dev/null with a regular file")
