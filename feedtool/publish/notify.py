"""Tell the apps at once: a WebSub hub and Podping, after a publish that changed feed.xml.

Apps otherwise learn of a new episode when they next poll (often hours later). Both
notices are sent only after the feed is published and never change what was
published: a hub that is down is a warning in the run's output, not a failed run.
Each is retried with a growing pause (``RETRY_DELAYS``) on a network error, a 5xx or
a 429; any other answer is final. Every attempt has a short timeout, so a dead
server costs at most a few seconds.

- WebSub (W3C recommendation, section 7): ``POST`` to the hub, form-encoded
  ``hub.mode=publish`` and ``hub.url=FEED URL``; any 2xx is accepted.
- Podping (podping.cloud): ``GET PODPING_URL?url=FEED URL`` with the token in the
  ``Authorization`` header; any 2xx is accepted.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from feedtool import __version__
from feedtool.config import Config

if TYPE_CHECKING:  # (loaded when a notice is sent: every build imports this module, few send one)
    import urllib.request

RETRY_DELAYS = (1.0, 4.0)  # pauses between the attempts: three attempts in all
TIMEOUT = 10.0  # seconds per attempt
USER_AGENT = f"feedtool/{__version__} (+https://pypi.org/project/feedtool/)"


@dataclass(frozen=True)
class Notice:
    """The outcome of telling one service about the feed."""

    service: str  # "websub", "podping"
    target: str  # the hub or Podping URL (never the token)
    ok: bool
    detail: str  # "HTTP 204", "HTTP 500 after 3 attempts", "connection refused after 3 attempts"
    attempts: int

    def line(self) -> str:
        verb = "notified" if self.ok else "NOT notified"
        return f"{self.service}: {verb} {self.target} ({self.detail})"


@dataclass(frozen=True)
class _Request:
    service: str
    target: str
    make: Callable[[], urllib.request.Request]


def _retryable(status: int) -> bool:
    return status >= 500 or status == 429


def _send(
    request: _Request, delays: Sequence[float], timeout: float, sleep: Callable[[float], None]
) -> Notice:
    import urllib.error
    import urllib.request

    detail = ""
    attempts = 0
    for attempt, delay in enumerate((0.0, *delays)):
        if attempt:
            sleep(delay)
        attempts += 1
        try:
            with urllib.request.urlopen(request.make(), timeout=timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            detail = str(reason) or type(exc).__name__
            continue
        if 200 <= status < 300:
            return Notice(request.service, request.target, True, f"HTTP {status}", attempts)
        detail = f"HTTP {status}"
        if not _retryable(status):
            return Notice(request.service, request.target, False, detail, attempts)
    more = f" after {attempts} attempts" if attempts > 1 else ""
    return Notice(request.service, request.target, False, detail + more, attempts)


def _websub(hub: str, feed_url: str) -> _Request:
    body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": feed_url}).encode("ascii")

    def make() -> urllib.request.Request:
        import urllib.request

        return urllib.request.Request(
            hub,
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT},
        )

    return _Request("websub", hub, make)


def _podping(url: str, token: str, feed_url: str) -> _Request:
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.urlencode([*urllib.parse.parse_qsl(parts.query), ("url", feed_url)])
    full = urllib.parse.urlunsplit(parts._replace(query=query))

    def make() -> urllib.request.Request:
        import urllib.request

        return urllib.request.Request(
            full, method="GET", headers={"Authorization": token, "User-Agent": USER_AGENT}
        )

    return _Request("podping", url, make)


def notify_apps(
    feed_url: str,
    *,
    websub_hub: str | None = None,
    podping_url: str | None = None,
    podping_token: str | None = None,
    delays: Sequence[float] | None = None,
    timeout: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[Notice, ...]:
    """Send the configured notices for ``feed_url``; one Notice each, never an exception.
    ``delays`` and ``timeout`` default to ``RETRY_DELAYS`` and ``TIMEOUT``."""
    delays = RETRY_DELAYS if delays is None else delays
    timeout = TIMEOUT if timeout is None else timeout
    requests = []
    if websub_hub:
        requests.append(_websub(websub_hub, feed_url))
    if podping_url and podping_token:
        requests.append(_podping(podping_url, podping_token, feed_url))
    return tuple(_send(r, delays, timeout, sleep) for r in requests)


def notify_published(
    config: Config, written: Sequence[str], feed_file: str = "feed.xml"
) -> tuple[Notice, ...]:
    """The notices for a publish that wrote ``written``: none unless feed.xml changed."""
    if feed_file not in written:
        return ()
    return notify_apps(
        config.feed_url,
        websub_hub=config.websub_hub,
        podping_url=config.podping_url,
        podping_token=config.podping_token,
    )
