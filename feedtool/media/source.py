"""Get a host's RSS feed (Anchor / Spotify for Creators, Libsyn, Buzzsprout...) from a URL or a file.

Downloads are bounded: a connect/read timeout and a size cap, so a scheduled
run cannot hang on a slow host or fill the disk with a runaway response. With
``allow_private=False`` (``feedtool validate URL``) they follow the link
checker's address policy too (``links.safety``): only globally reachable
addresses, checked on every address really connected to, redirects included,
and no proxy from the environment (it would connect on our behalf, unchecked).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from feedtool import __version__
from feedtool.errors import SourceError
from feedtool.links.safety import RefusedAddress, connect_allowed
from feedtool.read.inputfile import UnreadableFile, read_input

DEFAULT_TIMEOUT = 30.0  # seconds, for connecting and for each read
DEFAULT_TOTAL_TIMEOUT = 300.0  # seconds for the whole download: a host dripping bytes cannot stall a run
DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # large shows' feeds reach a few MB; 50 MB is far past any real one
USER_AGENT = f"feedtool/{__version__} (import-media)"


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def public_source(source: str) -> str:
    """The source as it may be written into media.yaml: no user:password, query or fragment,
    since private feed URLs (premium feeds) carry their access token there."""
    if not is_url(source):
        return source
    parts = urlsplit(source)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class _PublicOnlyConnection(HTTPConnection):
    """Connects only to addresses ``links.safety`` allows (the HTTPS class puts it first)."""

    def _new_conn(self) -> socket.socket:
        try:
            return connect_allowed(
                self._dns_host, self.port, False, self.timeout, self.source_address, self.socket_options
            )
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"connection to {self.host} timed out") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"failed to establish a new connection: {exc}") from exc


class _PublicOnlyHTTPS(_PublicOnlyConnection, HTTPSConnection):
    pass


class _PublicOnlyAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type(
                "PublicOnlyHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": _PublicOnlyConnection}
            ),
            "https": type("PublicOnlyHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": _PublicOnlyHTTPS}),
        }


def _session(allow_private: bool) -> requests.Session:
    session = requests.Session()
    if not allow_private:
        session.trust_env = False
        session.mount("http://", _PublicOnlyAdapter())
        session.mount("https://", _PublicOnlyAdapter())
    return session


def _chunks_as_they_arrive(response: requests.Response, size: int = 64 * 1024) -> Iterator[bytes]:
    """Body chunks, each after at most one socket read, so the caller's deadline check runs often.

    ``iter_content`` waits until a whole chunk has arrived, which lets a host that drips a
    byte at a time hold the run for hours without ever tripping the per-read timeout.
    """
    read1 = getattr(response.raw, "read1", None)  # urllib3 >= 2.3
    if read1 is None:
        yield from response.iter_content(size)
        return
    while True:
        chunk = read1(size, decode_content=True)
        if not chunk:
            return
        yield chunk


@dataclass(frozen=True)
class Fetched:
    """A download's outcome: ``status`` 200 with the body, or 304 (not modified, no body)."""

    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


def fetch_url(
    url: str,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
    *,
    allow_private: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The body of ``url``; ``progress(bytes so far, Content-Length or 0)`` after each chunk."""
    return fetch_conditional(
        url,
        timeout=timeout,
        max_bytes=max_bytes,
        total_timeout=total_timeout,
        allow_private=allow_private,
        progress=progress,
    ).body


def fetch_conditional(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
    allow_private: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Fetched:
    """GET with ``If-None-Match`` / ``If-Modified-Since`` when the validators of the last copy are
    given: a host that has not changed its feed answers 304 and sends nothing. Bounded in size
    and time; with ``allow_private`` false only public addresses are connected to."""
    deadline = time.monotonic() + total_timeout
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "application/rss+xml, application/xml, text/xml;q=0.9, */*;q=0.1",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with (
            _session(allow_private) as session,
            session.get(url, timeout=timeout, stream=True, allow_redirects=True, headers=headers) as response,
        ):
            validators = response.headers.get("ETag"), response.headers.get("Last-Modified")
            if response.status_code == 304 and (etag or last_modified):
                return Fetched(304, b"", validators[0] or etag, validators[1] or last_modified)
            if response.status_code != 200:
                raise SourceError(f"{url}: the host answered HTTP {response.status_code} {response.reason}")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise SourceError(f"{url}: the feed is {int(declared)} bytes, over the {max_bytes}-byte cap")
            chunks, size = [], 0
            expected = int(declared) if declared and declared.isdigit() else 0
            for chunk in _chunks_as_they_arrive(response):
                size += len(chunk)
                if progress is not None:
                    progress(size, expected)
                if size > max_bytes:
                    raise SourceError(f"{url}: the feed is over the {max_bytes}-byte cap; stopped reading")
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise SourceError(f"{url}: the download took longer than {total_timeout:g}s; stopped")
            return Fetched(200, b"".join(chunks), *validators)
    except RefusedAddress as exc:
        # links.safety's reason, without its hint about the link checker's setting
        reason = str(exc).partition(" (set links.allow_private")[0]
        raise SourceError(
            f"{url}: {reason}: only public addresses are fetched (--allow-private allows it)"
        ) from None
    except (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError):
        raise SourceError(f"{url}: no answer within {timeout:g}s") from None
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
        # read1 (below requests) raises urllib3's own errors for a broken or badly encoded body
        raise SourceError(f"{url}: cannot fetch the feed: {exc.__class__.__name__}: {exc}") from None


def read_source(
    source: str,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
    *,
    allow_private: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The feed's bytes from an http(s) URL or a local file path."""
    if is_url(source):
        return fetch_url(
            source, timeout, max_bytes, total_timeout, allow_private=allow_private, progress=progress
        )
    path = Path(source)
    try:
        return read_input(path, limit=max_bytes)  # a regular file only: a pipe or device never ends
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file (give a feed URL or the path of a saved feed)") from None
    except UnreadableFile as exc:
        raise SourceError(f"{path}: cannot read: {exc.reason}") from None
