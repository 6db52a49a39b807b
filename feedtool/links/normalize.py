"""URL normalisation and platform recognition.

Two spellings of one resource must become one key so that each URL is checked
once per run: scheme and host are lower-cased, default ports, fragments,
user info and tracking parameters (``utm_*``, Spotify's ``si``) are dropped.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid)$", re.I)
YOUTUBE_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "music.youtube.com",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
    "youtu.be",
    "www.youtu.be",
}
SPOTIFY_HOSTS = {"open.spotify.com"}
APPLE_HOSTS = {"podcasts.apple.com", "itunes.apple.com"}
ANCHOR_HOSTS = {"anchor.fm", "www.anchor.fm", "podcasters.spotify.com", "creators.spotify.com"}
_SPACE = re.compile(r"\s")
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


class InvalidURL(ValueError):
    """Not an absolute http(s) URL."""


def strip_userinfo(url: str) -> str:
    """The URL without ``user:password@`` (for reports and for requests alike)."""
    if "@" not in url:
        return url
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def normalize(url: str) -> str:
    """The canonical key for a URL; raise InvalidURL when it is not http(s)."""
    text = url.strip()
    if text.startswith("//"):
        text = "https:" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"unparseable URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        if not scheme:
            raise InvalidURL("not a URL: no http:// or https:// (a bare name or handle?)")
        raise InvalidURL(f"scheme {scheme}: is not http or https")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or _SPACE.search(text):
        raise InvalidURL("no host name" if not host else "contains white space")
    if ":" in host:
        host = f"[{host}]"
    if port is not None and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [
            (k, v)
            for k, v in pairs
            if not TRACKING_PARAMS.match(k) and not (k == "si" and parts.hostname in SPOTIFY_HOSTS)
        ]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


def host_of(url: str) -> str:
    """The host name (lower case, no port)."""
    return (urlsplit(url).hostname or "").lower()


@lru_cache(maxsize=4096)
def is_ip_literal(host: str) -> bool:
    """True when a host key (``host_key``: ``127.0.0.1:8080``, ``[::1]``, ``example.org``) is
    an IP address: a request to it needs no name lookup, so its answer proves nothing about DNS."""
    name = urlsplit("//" + host).hostname or ""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_key(url: str) -> str:
    """Host and port: the unit that per-host limits apply to."""
    scheme_end = url.find("://")
    if scheme_end > 0 and "@" not in url:  # the common case without urlsplit: a few calls per request
        rest = url[scheme_end + 3 :]
        end = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
        return rest[:end].lower()
    parts = urlsplit(url)
    return (parts.netloc.rpartition("@")[2]).lower()


def youtube_video_id(url: str) -> str | None:
    """The video id from ``watch?v=``, ``youtu.be/``, ``/embed/``, ``/shorts/``, ``/live/``, ``/v/``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host not in YOUTUBE_HOSTS:
        return None
    candidate = None
    if host.endswith("youtu.be"):
        candidate = parts.path.strip("/").split("/")[0]
    elif parts.path == "/watch":
        candidate = dict(parse_qsl(parts.query)).get("v")
    else:
        match = re.match(r"^/(embed|shorts|live|v)/([^/?#]+)", parts.path)
        candidate = match.group(2) if match else None
    return candidate if candidate and _YOUTUBE_ID.match(candidate) else None


def spotify_item(url: str) -> tuple[str, str] | None:
    """(kind, id) for ``open.spotify.com/{episode,show,track,playlist,album,artist}/ID``."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in SPOTIFY_HOSTS:
        return None
    match = re.match(
        r"^(?:/intl-[a-z-]+)?/(episode|show|track|playlist|album|artist)/([A-Za-z0-9]+)", parts.path
    )
    return (match.group(1), match.group(2)) if match else None


@dataclass(frozen=True)
class AppleRef:
    show_id: str
    episode_id: str | None


def apple_ref(url: str) -> AppleRef | None:
    """Show id (``/id1541710331``) and episode trackId (``?i=``) of an Apple Podcasts URL."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in APPLE_HOSTS:
        return None
    match = re.search(r"/id(\d+)(?:/|$)", parts.path + "/")
    if not match:
        return None
    episode = dict(parse_qsl(parts.query)).get("i")
    return AppleRef(match.group(1), episode if episode and episode.isdigit() else None)


def platform_of(url: str) -> str | None:
    """youtube, spotify, apple, anchor or None, from the host name alone."""
    host = host_of(url)
    if host in YOUTUBE_HOSTS:
        return "youtube"
    if host in SPOTIFY_HOSTS:
        return "spotify"
    if host in APPLE_HOSTS:
        return "apple"
    if host in ANCHOR_HOSTS:
        return "anchor"
    return None
