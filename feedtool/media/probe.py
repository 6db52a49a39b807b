"""Ask a media URL for its size and type, when nothing else tells them.

Apple and several apps want an enclosure's real ``length``. When neither the
episode file, nor the host, nor a local copy gives it, the build sends a HEAD
(and, when the server does not answer HEAD usefully, a ranged GET of one byte:
``Range: bytes=0-0``, whose ``Content-Range: bytes 0-0/SIZE`` gives the size).

- **Cached per URL** under the state folder (``media-probes.json``, with the
  ETag and Last-Modified): a no-change rebuild sends nothing. An answer older
  than ``max_age`` is revalidated with a conditional HEAD (a 304 keeps it).
  Failures are not cached: the next build asks again.
- **Bounded**: the probes of one build run concurrently on a few threads with a
  per-request timeout and a total budget; what is not answered by then is a
  warning, never an error, and never holds the feed back.
- **The link checker's address policy**: connections go only to addresses
  ``feedtool.links.safety`` allows (``links.allow_private``), checked on the
  addresses really connected to, redirects included. Episode files are input
  anyone with commit access writes: a build must not probe the network it runs in.
- Names reserved for documentation (``example.org``, ``*.example``,
  ``*.invalid``, ``*.test``: RFC 2606/6761) are placeholders, never asked.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from feedtool import __version__
from feedtool.links.safety import RefusedAddress, connect_allowed
from feedtool.output import atomic_write
from feedtool.weburls import MEDIA_TYPES

if TYPE_CHECKING:  # urllib3 is imported when the first request is sent: most builds send none
    import urllib3

PROBE_FILE = "media-probes.json"  # under the state folder
CACHE_VERSION = 1
USER_AGENT = f"feedtool/{__version__} (enclosure size)"
DEFAULT_TIMEOUT = 10.0  # seconds per request (connect 5)
DEFAULT_BUDGET = 60.0  # seconds for all probes of one build
DEFAULT_WORKERS = 8
DEFAULT_MAX_AGE = 30 * 24 * 3600.0  # then revalidated (If-None-Match / If-Modified-Since)
_GENERIC_TYPES = {
    "application/octet-stream",
    "binary/octet-stream",
    "application/binary",
    "application/download",
}
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(?:\d+-\d+|\*)/(\d+)\s*$", re.IGNORECASE)
_RESERVED_NAMES = ("example.com", "example.net", "example.org")
_RESERVED_TLDS = ("example", "invalid", "test")
OFFLINE_REASON = "not asked (--offline)"


@dataclass(frozen=True)
class ProbeAnswer:
    """What a media server said about one URL."""

    length: int | None
    mime_type: str | None
    etag: str | None = None
    last_modified: str | None = None
    checked: float = 0.0  # when (Unix time)


@dataclass(frozen=True)
class ProbeOutcome:
    answers: Mapping[str, ProbeAnswer]  # URLs whose size is known (asked now or cached)
    failures: Mapping[str, str]  # URL -> why its size is still unknown
    asked: int = 0  # URLs asked over the network in this lookup
    from_cache: int = 0


def placeholder_host(url: str) -> str | None:
    """The host name when it is reserved for documentation (never resolvable as a real server)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host in _RESERVED_NAMES or host.endswith(tuple("." + n for n in _RESERVED_NAMES)):
        return host
    if host.rsplit(".", 1)[-1] in _RESERVED_TLDS:
        return host
    return None


def _guarded_manager(allow_private: bool, per_host: int) -> urllib3.PoolManager:
    """A pool manager whose connections (redirect hops included) only reach allowed addresses."""
    import urllib3
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.exceptions import NameResolutionError

    class Guarded(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            try:
                return connect_allowed(
                    self._dns_host,
                    self.port,
                    allow_private,
                    self.timeout,
                    self.source_address,
                    self.socket_options,
                )
            except socket.gaierror as exc:
                raise NameResolutionError(self.host, self, exc) from exc

    class GuardedTLS(Guarded, HTTPSConnection):
        pass

    http_pool = type("ProbeHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": Guarded})
    https_pool = type("ProbeHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": GuardedTLS})
    manager = urllib3.PoolManager(num_pools=64, maxsize=per_host, block=False, retries=False)
    manager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}
    return manager


def _mime(headers: Mapping[str, str]) -> str | None:
    value = (headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    return value or None


def _media_type(mime: str | None) -> str | None:
    """A server's Content-Type when it names media (``audio/*``, ``video/*``, the table's types);
    generic (``application/octet-stream``) and other types tell nothing about the enclosure."""
    if not mime or mime in _GENERIC_TYPES:
        return None
    if mime.startswith(("audio/", "video/")) or any(mime in t.accepted for t in MEDIA_TYPES.values()):
        return mime
    return None


def _why(exc: BaseException) -> str:
    import urllib3
    from urllib3.exceptions import MaxRetryError, NameResolutionError

    if isinstance(exc, MaxRetryError) and exc.reason is not None:
        exc = exc.reason  # what went wrong, below urllib3's retry bookkeeping
    if isinstance(exc, RefusedAddress):
        return str(exc)
    if isinstance(exc, NameResolutionError):
        return "the host name does not resolve (DNS)"
    text = str(exc)
    if "timed out" in text.lower() or isinstance(exc, (TimeoutError, urllib3.exceptions.TimeoutError)):
        return "no answer in time"
    return f"{exc.__class__.__name__}: {text[:160]}"


class MediaProber:
    """Sizes of media URLs, from the cache or the network; ``save()`` keeps what was learnt."""

    def __init__(
        self,
        cache_file: Path | None,
        *,
        allow_private: bool = False,
        offline: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        budget: float = DEFAULT_BUDGET,
        workers: int = DEFAULT_WORKERS,
        max_age: float = DEFAULT_MAX_AGE,
    ):
        self.cache_file = cache_file
        self.allow_private = allow_private
        self.offline = offline
        self.timeout = timeout
        self.budget = budget
        self.workers = max(1, workers)
        self.max_age = max_age
        self.requests = 0  # HTTP requests sent, for tests and the curious
        self._entries = self._load()
        self._used: set[str] = set()
        self._dirty = False
        self._manager: urllib3.PoolManager | None = None

    # --- the cache -------------------------------------------------------------------------------------

    def _load(self) -> dict[str, ProbeAnswer]:
        """Entries of the cache file; a damaged or foreign file is ignored (and replaced on save)."""
        if self.cache_file is None:
            return {}
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if (
            not isinstance(data, dict)
            or data.get("version") != CACHE_VERSION
            or not isinstance(data.get("urls"), dict)
        ):
            return {}
        entries: dict[str, ProbeAnswer] = {}
        for url, raw in data["urls"].items():
            answer = _answer_from_json(raw)
            if isinstance(url, str) and answer is not None:
                entries[url] = answer
        return entries

    def save(self) -> None:
        """Write the answers of the URLs this build used; drop the rest (episodes gone or changed)."""
        if self.cache_file is None:
            return
        keep = {u: a for u, a in self._entries.items() if u in self._used}
        if not self._dirty and keep.keys() == self._entries.keys():
            return
        data = {
            "version": CACHE_VERSION,
            "urls": {
                url: {
                    "length": a.length,
                    "type": a.mime_type,
                    "etag": a.etag,
                    "last_modified": a.last_modified,
                    "checked": a.checked,
                }
                for url, a in sorted(keep.items())
            },
        }
        with contextlib.suppress(OSError):  # a cache only saves time: failing to write it fails nothing
            atomic_write(self.cache_file, (json.dumps(data, indent=1) + "\n").encode("utf-8"))
        self._entries, self._dirty = keep, False

    # --- lookups ---------------------------------------------------------------------------------------

    def lookup(self, urls: Iterable[str]) -> ProbeOutcome:
        """The size (and type) of each URL: cached answers first, then the network, concurrently."""
        answers: dict[str, ProbeAnswer] = {}
        failures: dict[str, str] = {}
        to_ask: list[str] = []
        now = time.time()
        from_cache = 0
        for url in dict.fromkeys(urls):
            self._used.add(url)
            cached = self._entries.get(url)
            if cached is not None and (self.offline or now - cached.checked < self.max_age):
                answers[url] = cached
                from_cache += 1
            elif self.offline:
                failures[url] = OFFLINE_REASON
            elif placeholder_host(url):
                failures[url] = f"not asked: {placeholder_host(url)} is a placeholder name (RFC 2606)"
            else:
                to_ask.append(url)
        if to_ask:
            asked, unanswered = self._ask_all(to_ask)
            for url, result in asked.items():
                if isinstance(result, ProbeAnswer):
                    answers[url] = result
                    self._entries[url] = result
                    self._dirty = True
                else:
                    failures[url] = result
            failures.update(unanswered)
        return ProbeOutcome(answers, failures, len(to_ask), from_cache)

    def _ask_all(self, urls: list[str]) -> tuple[dict[str, ProbeAnswer | str], dict[str, str]]:
        from concurrent.futures import ThreadPoolExecutor, wait  # (and logging: only when asking)

        if self._manager is None:
            self._manager = _guarded_manager(self.allow_private, self.workers)
        pool = ThreadPoolExecutor(max_workers=min(self.workers, len(urls)), thread_name_prefix="media-probe")
        try:
            futures = {pool.submit(self._ask, url, self._entries.get(url)): url for url in urls}
            done, _ = wait(futures, timeout=self.budget)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        results = {futures[f]: f.result() for f in done}
        late = {
            url: f"the server did not answer within the {self.budget:g} s all probes of a build may take"
            for url in urls
            if url not in results
        }
        return results, late

    def _request(self, method: str, url: str, headers: dict[str, str]) -> urllib3.BaseHTTPResponse:
        import urllib3

        assert self._manager is not None
        self.requests += 1
        response = self._manager.request(
            method,
            url,
            headers=headers,
            redirect=True,
            retries=urllib3.Retry(
                total=None, connect=0, read=0, status=0, other=0, redirect=5, raise_on_redirect=False
            ),
            timeout=urllib3.Timeout(connect=min(5.0, self.timeout), read=self.timeout),
            preload_content=False,
        )
        try:
            if method == "GET" and response.status == 206:
                response.read(1024)  # the one byte asked for
        finally:
            response.close()  # never read a media file's body
            response.release_conn()
        return response

    def _ask(self, url: str, cached: ProbeAnswer | None) -> ProbeAnswer | str:
        """One URL's answer, or why there is none. Never raises."""
        from urllib3.exceptions import HTTPError

        base = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity"}
        if cached is not None and cached.etag:
            base["If-None-Match"] = cached.etag
        if cached is not None and cached.last_modified:
            base["If-Modified-Since"] = cached.last_modified
        try:
            head = self._request("HEAD", url, base)
            answer = self._read(url, head, cached, ranged=False)
            if isinstance(answer, ProbeAnswer):
                return answer
            ranged = self._request("GET", url, {**base, "Range": "bytes=0-0"})
            second = self._read(url, ranged, cached, ranged=True)
            if isinstance(second, ProbeAnswer):
                return second
            return f"asked the server: HEAD: {answer}; ranged GET: {second}"
        except (HTTPError, OSError, RefusedAddress, ValueError) as exc:
            return f"asked the server: {_why(exc)}"

    @staticmethod
    def _read(
        url: str, response: urllib3.BaseHTTPResponse, cached: ProbeAnswer | None, *, ranged: bool
    ) -> ProbeAnswer | str:
        heads = {k.lower(): v for k, v in response.headers.items()}
        status = response.status
        if status == 304 and cached is not None:
            return replace(cached, checked=time.time())
        if status >= 400 or status < 200 or status in (204, 205):
            return f"HTTP {status}"
        if status in range(300, 400):
            return f"HTTP {status} (too many redirects?)"
        mime = _mime(heads)
        if mime in ("text/html", "application/xhtml+xml"):
            return f"answers with a web page ({mime}), not a media file"
        length: int | None = None
        if ranged and status == 206:
            match = _CONTENT_RANGE.match(heads.get("content-range", ""))
            length = int(match.group(1)) if match else None
        elif status == 200:
            declared = heads.get("content-length", "")
            length = int(declared) if declared.strip().isdigit() else None
        if not length:  # some servers say 0 for a HEAD; the ranged GET tells the truth
            return f"HTTP {status} without a size"
        return ProbeAnswer(
            length,
            _media_type(mime),
            heads.get("etag"),
            heads.get("last-modified"),
            time.time(),
        )


def _answer_from_json(raw: Any) -> ProbeAnswer | None:
    if not isinstance(raw, dict):
        return None
    length, mime, checked = raw.get("length"), raw.get("type"), raw.get("checked")
    if not isinstance(length, int) or isinstance(length, bool) or length < 0:
        return None
    if not isinstance(checked, (int, float)) or isinstance(checked, bool):
        return None
    texts = [raw.get(k) for k in ("etag", "last_modified")]
    if not all(isinstance(t, (str, type(None))) for t in (mime, *texts)):
        return None
    return ProbeAnswer(length, mime, texts[0], texts[1], float(checked))
