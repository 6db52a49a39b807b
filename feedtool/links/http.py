"""The HTTP layer: urllib3 directly, driven by a bounded thread pool.

Why urllib3 and not requests: on these 2-core machines a thread pool over
``requests.Session`` tops out near 600 URLs/s from per-call overhead, while
urllib3's ``PoolManager`` (which requests is built on) keeps up with lychee;
``bench/links.py`` measures it. Why not aiohttp: the probes are simple
blocking code, SQLite writes stay on one thread, and no event loop is needed.

What this layer guarantees, whatever the server does:
- only http/https, at most ``max_redirects`` hops, each hop paced by the scheduler;
- connections only to allowed addresses (``safety.connect_allowed``), checked
  on the addresses really connected to;
- never more than ``max_body`` bytes read, the socket closed (not reused)
  when a body is cut short;
- a hard per-request deadline: a watchdog shuts the socket down when a slow
  drip (header or body) outlives the total timeout, since urllib3's read
  timeout restarts on every byte;
- no credentials: user info is stripped, no Authorization or Cookie is sent;
- a response must end its header block with a blank line: one cut inside its
  headers is malformed (http.client alone takes end of input for the end of
  the headers, so ``HTTP/1.1 200 OK\r\nContent-Ty`` would pass as a 200).
"""

from __future__ import annotations

import contextlib
import heapq
import http.client
import itertools
import json
import socket
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import IO, Any, cast
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.response import BaseHTTPResponse, HTTPResponse

from feedtool.links.config import LinksConfig
from feedtool.links.model import Hop
from feedtool.links.normalize import host_key, is_ip_literal, strip_userinfo
from feedtool.links.safety import READ_CHUNK, RefusedAddress, connect_allowed
from feedtool.links.scheduler import Lease

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
PERMANENT_REDIRECTS = {301, 308}

_local = threading.local()


class Watchdog:
    """One thread that shuts sockets down when their request outlives its deadline."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, socket.socket]] = []
        self._armed: dict[int, bool] = {}
        self._ids = itertools.count()
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name="links-watchdog", daemon=True)
        self._thread.start()
        self.fired = 0

    def arm(self, sock: socket.socket, deadline: float) -> int:
        with self._cond:
            token = next(self._ids)
            self._armed[token] = False
            # the thread sleeps until the earliest deadline: wake it only when that moves earlier
            # (most requests share one timeout, so most deadlines come later: no wake-up each)
            wake = not self._heap or deadline < self._heap[0][0]
            heapq.heappush(self._heap, (deadline, token, sock))
            if wake:
                self._cond.notify()
            return token

    def disarm(self, token: int) -> bool:
        """Forget a socket; True when the watchdog had already fired on it."""
        with self._cond:
            return bool(self._armed.pop(token, False))

    def _loop(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                while self._heap and (self._heap[0][1] not in self._armed or self._heap[0][0] <= now):
                    deadline, token, sock = heapq.heappop(self._heap)
                    if token in self._armed and deadline <= now:
                        self._armed[token] = True
                        self.fired += 1
                        with contextlib.suppress(OSError):
                            sock.shutdown(socket.SHUT_RDWR)
                wait = self._heap[0][0] - now if self._heap else None
                self._cond.wait(wait)


_WATCHDOG: Watchdog | None = None
_WATCHDOG_LOCK = threading.Lock()


def watchdog() -> Watchdog:
    global _WATCHDOG
    with _WATCHDOG_LOCK:
        if _WATCHDOG is None:
            _WATCHDOG = Watchdog()
        return _WATCHDOG


class CutInsideHeaders(http.client.HTTPException):
    """The server closed the connection before the blank line that ends the headers."""


class _LastLine:
    """A response's file, remembering the last line read (only while its headers are read)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.last: bytes | None = None

    def readline(self, limit: int = -1) -> bytes:
        self.last = self.raw.readline(limit)
        return self.last

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


class _HeaderCheckedResponse(http.client.HTTPResponse):
    """``http.client.HTTPResponse`` that refuses a header block ended by end of input."""

    def begin(self) -> None:
        if vars(self).get("headers") is not None:  # begun already (typeshed: never None)
            return
        raw = self.fp
        watch = _LastLine(raw)
        self.fp = cast(Any, watch)
        try:
            super().begin()
        finally:
            if self.fp is cast(Any, watch):  # begin() drops fp when the response is over
                self.fp = raw
        # the headers end at a blank line; end of input (b"") or half a line break is a cut
        if watch.last not in (b"\r\n", b"\n"):
            self.close()
            raise CutInsideHeaders("the connection closed inside the response headers")


class _GuardedConnection(HTTPConnection):
    """Connect only to allowed addresses; arm the watchdog while a response is read.

    The HTTPS connection class puts it before ``HTTPSConnection`` (a subclass of
    ``HTTPConnection``), so the same two overrides serve both schemes."""

    allow_private = False
    response_class = _HeaderCheckedResponse

    def _new_conn(self) -> socket.socket:
        try:
            return connect_allowed(
                self._dns_host,
                self.port,
                self.allow_private,
                self.timeout,
                self.source_address,
                self.socket_options,
            )
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"connection to {self.host} timed out") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"failed to establish a new connection: {exc}") from exc

    # urllib3's HTTPConnection.getresponse returns urllib3's HTTPResponse where http.client's
    # returns its own: urllib3 ignores this same override error, and an override inherits it
    def getresponse(self) -> HTTPResponse:  # type: ignore[override]
        deadline = getattr(_local, "deadline", None)
        if deadline is not None and self.sock is not None:
            _local.tokens.append(watchdog().arm(self.sock, deadline))
        return super().getresponse()


def _pool_manager(config: LinksConfig) -> urllib3.PoolManager:
    allow = config.allow_private
    http_conn = type("GuardedHTTPConnection", (_GuardedConnection,), {"allow_private": allow})
    https_conn = type(
        "GuardedHTTPSConnection", (_GuardedConnection, HTTPSConnection), {"allow_private": allow}
    )
    http_pool = type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
    https_pool = type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})
    manager = urllib3.PoolManager(num_pools=256, maxsize=max(config.per_host, 4), block=False, retries=False)
    manager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}
    return manager


@dataclass(frozen=True)
class Response:
    """One request's outcome. ``error`` is set when no status line was received."""

    url: str
    method: str
    status: int | None
    headers: dict[str, str]
    body: bytes
    elapsed: float
    error: str | None = None
    error_kind: str | None = None  # timeout, reset, refused, dns, nxdomain, blocked, budget, protocol
    truncated: bool = False

    @property
    def transient(self) -> bool:
        """Worth retrying: rate limits, server errors, timeouts, resets."""
        if self.error_kind in ("timeout", "reset"):
            return True
        return self.status in (408, 425, 429, 500, 502, 503, 504)

    def retry_after(self) -> float | None:
        return parse_retry_after(self.headers.get("retry-after"))

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from ``Retry-After: 5`` or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass(frozen=True)
class Chain:
    """A request and every redirect it led to."""

    responses: tuple[Response, ...]
    error: str | None = None  # loop, too many redirects, non-http redirect
    error_kind: str | None = None

    @property
    def final(self) -> Response:
        return self.responses[-1]

    @property
    def hops(self) -> tuple[Hop, ...]:
        return tuple(Hop(r.url, r.status, r.method) for r in self.responses)

    @property
    def elapsed(self) -> float:
        return sum(r.elapsed for r in self.responses)

    def permanent_target(self) -> str | None:
        """Where the leading run of permanent redirects (301/308) ends, if any."""
        target = None
        for response in self.responses[:-1]:
            if response.status in PERMANENT_REDIRECTS:
                target = _location(response)
            else:
                break
        return target


def _location(response: Response) -> str | None:
    location = response.headers.get("location")
    return strip_userinfo(urljoin(response.url, location.strip())) if location else None


class HttpClient:
    """Single requests and redirect chains, paced by a job's ``Lease``."""

    def __init__(self, config: LinksConfig):
        self.config = config
        self.manager = _pool_manager(config)
        self._pools: dict[tuple[str | None, str | None, int | None], HTTPConnectionPool] = {}
        self.requests = 0
        self.responses = 0  # requests that got a status line: proof that the network works
        # responses from a host given by name: proof that DNS works too (an IP-literal URL needs no lookup)
        self.named_responses = 0
        self.name_failures = 0  # requests whose host name could not be resolved (dns, nxdomain)
        self._count_lock = threading.Lock()
        self.base_headers = {"User-Agent": config.user_agent, "Accept": "*/*", "Accept-Encoding": "identity"}

    def request(
        self, lease: Lease, method: str, url: str, read_body: int = 0, headers: dict[str, str] | None = None
    ) -> Response:
        """One request, no redirects followed, at most ``read_body`` bytes of body read."""
        url = strip_userinfo(url)
        started = time.monotonic()
        if not lease.turn(host_key(url)):
            return Response(url, method, None, {}, b"", 0.0, "run time budget exhausted", "budget")
        started = time.monotonic()
        total = min(self.config.timeout, max(0.05, lease.deadline - started))
        timeout = urllib3.Timeout(connect=min(self.config.connect_timeout, total), read=total)
        with self._count_lock:
            self.requests += 1
        _local.deadline, _local.tokens = started + total, []
        fired = False
        try:
            pool, target = self._pool(url)
            response = pool.urlopen(
                method,
                target,
                headers={**self.base_headers, **(headers or {})} if headers else self.base_headers,
                redirect=False,
                retries=False,
                timeout=timeout,
                preload_content=False,
                assert_same_host=False,
            )
            try:
                body, truncated = self._read(response, read_body if method != "HEAD" else 0, started + total)
            finally:
                fired = any(watchdog().disarm(t) for t in _local.tokens)
            heads = {k.lower(): v for k, v in response.headers.items()}
            with self._count_lock:
                self.responses += 1
                if not is_ip_literal(host_key(url)):
                    self.named_responses += 1
            if response.status == 429:
                after = parse_retry_after(heads.get("retry-after"))
                lease.limiter.throttled(
                    host_key(url), min(after, self.config.retry_after_cap) if after is not None else None
                )
            elif response.status < 400:
                lease.limiter.succeeded(host_key(url))
            if fired:
                return Response(
                    url,
                    method,
                    None,
                    heads,
                    body,
                    time.monotonic() - started,
                    f"total timeout of {total:g} s exceeded while reading",
                    "timeout",
                    truncated,
                )
            return Response(
                url, method, response.status, heads, body, time.monotonic() - started, truncated=truncated
            )
        except RefusedAddress as exc:
            return self._failed(url, method, started, str(exc), "blocked")
        except (HTTPError, OSError) as exc:
            fired = fired or any(watchdog().disarm(t) for t in _local.tokens)
            kind, message = classify_error(exc)
            if fired:
                kind, message = "timeout", f"total timeout of {total:g} s exceeded"
            if kind in ("dns", "nxdomain"):
                with self._count_lock:
                    self.name_failures += 1
            return self._failed(url, method, started, message, kind)
        finally:
            for token in _local.tokens:
                watchdog().disarm(token)
            _local.deadline, _local.tokens = None, []

    def _pool(self, url: str) -> tuple[HTTPConnectionPool, str]:
        """The connection pool for the URL's scheme, host and port, and the request target
        (path and query). What ``PoolManager.request`` does per request, with the pool
        looked up once per host: a tenth of a request's CPU on a 2,000-URL run."""
        parts = urllib3.util.parse_url(url)
        key = (parts.scheme, parts.host, parts.port)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = self.manager.connection_from_host(
                parts.host, parts.port, scheme=parts.scheme
            )
        return pool, parts.request_uri

    def _failed(self, url: str, method: str, started: float, message: str, kind: str) -> Response:
        return Response(url, method, None, {}, b"", time.monotonic() - started, message, kind)

    @staticmethod
    def _read(response: BaseHTTPResponse, limit: int, deadline: float) -> tuple[bytes, bool]:
        """Read at most ``limit`` bytes; close the connection if anything is left."""
        chunks: list[bytes] = []
        size, complete = 0, False
        try:
            while size < limit:
                if time.monotonic() > deadline:
                    break
                chunk = response.read(min(READ_CHUNK, limit - size))
                if not chunk:
                    complete = True
                    break
                chunks.append(chunk)
                size += len(chunk)
            else:
                complete = limit == 0 and response.length_remaining in (0,)
            if not complete and response.length_remaining == 0:
                complete = True
        finally:
            if complete:
                response.release_conn()
            else:
                response.close()  # unread data: never put this connection back
                response.release_conn()
        return b"".join(chunks), not complete and limit > 0 and size >= limit

    def follow(
        self,
        lease: Lease,
        url: str,
        method: str = "GET",
        read_body: int = 0,
        headers: dict[str, str] | None = None,
    ) -> Chain:
        """Follow redirects by hand so every hop is paced, checked and recorded."""
        responses: list[Response] = []
        seen: set[str] = set()
        current = url
        for _ in range(self.config.max_redirects + 1):
            seen.add(current)
            response = self.request(lease, method, current, read_body, headers)
            responses.append(response)
            if response.status not in REDIRECT_STATUSES:
                return Chain(tuple(responses))
            target = _location(response)
            if not target:
                return Chain(tuple(responses), f"{response.status} redirect without a Location", "protocol")
            if urlsplit(target).scheme not in ("http", "https"):
                return Chain(tuple(responses), f"redirect to a non-http URL {target}", "protocol")
            if target in seen:
                return Chain(tuple(responses), f"redirect loop back to {target}", "loop")
            if response.status == 303:
                method = "GET" if method != "HEAD" else "HEAD"
            current = target
        return Chain(tuple(responses), f"more than {self.config.max_redirects} redirects", "loop")


def classify_error(exc: BaseException) -> tuple[str, str]:
    """(kind, short message) for a failed request."""
    if isinstance(exc, NameResolutionError):
        cause = exc.__cause__
        if isinstance(cause, socket.gaierror) and cause.errno == socket.EAI_NONAME:
            return "nxdomain", "host name does not exist (DNS)"
        return "dns", "host name could not be resolved right now (DNS)"
    if isinstance(exc, NewConnectionError):  # (a subclass of ConnectTimeoutError in urllib3 2)
        return "refused", "connection refused or unreachable"
    if isinstance(exc, (ConnectTimeoutError, ReadTimeoutError, TimeoutError, socket.timeout)):
        return "timeout", "timed out"
    if isinstance(exc, ProtocolError):
        inner = exc.args[1] if len(exc.args) > 1 else None
        if isinstance(inner, (ConnectionError, http.client.RemoteDisconnected, http.client.IncompleteRead)):
            return "reset", "connection reset or closed by the server"
        if isinstance(inner, http.client.HTTPException):  # too many or too long headers, bad status line
            return "protocol", f"malformed response: {_short(str(inner) or type(inner).__name__)}"
        text = str(exc)
        if any(
            word in text
            for word in (
                "reset",
                "aborted",
                "RemoteDisconnected",
                "closed connection",
                "IncompleteRead",
                "Connection broken",
            )
        ):
            return "reset", "connection reset or closed by the server"
        return "protocol", f"malformed response ({_short(text)})"
    return "protocol", _short(str(exc))


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
