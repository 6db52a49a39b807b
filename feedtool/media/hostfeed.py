"""The show's current feed at its host (config ``host_feed``) as a source of every build.

A build takes from it what the episode files lack (guid, enclosure, duration,
publication date), so moving the feed away from the host duplicates nothing in
subscribers' apps. The host is a network service outside our control, so:

- the download is bounded (``media.source``: timeout, size cap) and conditional
  (``If-None-Match`` / ``If-Modified-Since``: an unchanged feed costs one 304);
- the last feed that parsed is kept under the state folder (``host-feed/``),
  and a host that is down, slow or answering garbage (an error page, a
  truncated document, an empty feed) makes the run use that copy and say so:
  an episode never loses its host guid, or its place in the feed, because the
  host had a bad minute;
- with no copy at all yet, the build stops (an error, nothing published)
  rather than publish guids the host's subscribers do not know.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from feedtool.errors import SourceError
from feedtool.media.match import MatchResult, match_items
from feedtool.model import Episode, Problem, Severity
from feedtool.output import atomic_write
from feedtool.rss.parse import FeedReadError, ParsedFeed, namespace_family, read_feed

HOST_DIR = "host-feed"  # under the state folder
COPY_FILE = "feed.xml"
META_FILE = "meta.json"
META_VERSION = 1
FIELD = "host_feed"


@dataclass(frozen=True)
class HostFeed:
    """The host feed a build uses, where it came from, and what was noticed getting it."""

    source: str  # as it may be shown (no access token)
    feed: ParsedFeed | None  # None: no usable copy at all (an error is among the problems)
    status: str  # "fetched", "not modified", "last good copy", "read"
    fetched: str | None = None  # when the copy in use was downloaded (ISO 8601, UTC)
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class _Copy:
    feed: ParsedFeed
    meta: dict[str, Any]


def _source_key(source: str) -> str:
    """Identifies the configured source without storing its access token in the clear."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def _folder(state_dir: Path) -> Path:
    return state_dir / HOST_DIR


def _load_copy(state_dir: Path, source: str) -> _Copy | None:
    """The last good copy of *this* source, or None (missing, of another source, or damaged:
    the state folder may come from a shared CI cache, so nothing in it is trusted unchecked)."""
    folder = _folder(state_dir)
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("version") != META_VERSION:
            return None
        if meta.get("source_key") != _source_key(source):
            return None
        feed = read_feed((folder / COPY_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    for key in ("etag", "last_modified", "fetched"):
        if not isinstance(meta.get(key), (str, type(None))):
            meta[key] = None
    return _Copy(feed, meta)


def _save_copy(state_dir: Path, source: str, data: bytes, etag: str | None, last_modified: str | None) -> str:
    from feedtool.media.source import public_source

    fetched = datetime.now(UTC).replace(microsecond=0).isoformat()
    meta = {
        "version": META_VERSION,
        "source": public_source(source),
        "source_key": _source_key(source),
        "etag": etag,
        "last_modified": last_modified,
        "fetched": fetched,
    }
    folder = _folder(state_dir)
    atomic_write(folder / COPY_FILE, data)  # the copy first: meta never describes a copy not there
    atomic_write(folder / META_FILE, (json.dumps(meta, indent=1) + "\n").encode("utf-8"))
    return fetched


def _warning(source: str, message: str) -> Problem:
    return Problem(source, FIELD, message, None, Severity.WARNING)


def _fallback(shown: str, copy: _Copy | None, why: str) -> HostFeed:
    """The last good copy, said so; without one an error: the build must not guess guids."""
    if copy is None:
        return HostFeed(
            shown,
            None,
            "unavailable",
            None,
            (
                Problem(
                    shown,
                    FIELD,
                    f"{why}, and there is no last good copy yet: nothing is published, so that no "
                    "episode gets a guid the host's subscribers do not know; build again when the "
                    "host answers (or pin the host's data with feedtool import-media)",
                ),
            ),
        )
    when = copy.meta.get("fetched") or "an earlier run"
    return HostFeed(
        shown,
        copy.feed,
        "last good copy",
        copy.meta.get("fetched"),
        (_warning(shown, f"{why}; using the last good copy of the host feed (fetched {when})"),),
    )


def load_host_feed(
    source: str,
    state_dir: Path,
    *,
    offline: bool = False,
    save: bool = True,
    timeout: float = 30.0,
    max_bytes: int = 50 * 1024 * 1024,
) -> HostFeed:
    """The host feed to build with: fresh when the host answers a feed, else the last good copy.

    ``save=False`` (``build --check``) writes nothing; ``offline`` sends no request.
    """
    # requests and urllib3 load only for a show that has a host feed
    from feedtool.media.source import fetch_conditional, is_url, public_source, read_source

    shown = public_source(source)
    copy = _load_copy(state_dir, source)
    if offline and is_url(source):
        return _fallback(shown, copy, "--offline: the host feed was not fetched")
    try:
        if is_url(source):
            fetched = fetch_conditional(
                source,
                etag=copy.meta.get("etag") if copy else None,
                last_modified=copy.meta.get("last_modified") if copy else None,
                timeout=timeout,
                max_bytes=max_bytes,
            )
        else:
            fetched = None
            data = read_source(source, timeout=timeout, max_bytes=max_bytes)
    except SourceError as exc:
        return _fallback(shown, copy, f"the host feed could not be fetched ({exc})")
    if fetched is not None and fetched.status == 304 and copy is not None:
        return HostFeed(shown, copy.feed, "not modified", copy.meta.get("fetched"))
    if fetched is not None:
        data = fetched.body
    try:
        feed = read_feed(data)
    except FeedReadError as exc:
        return _fallback(shown, copy, f"the host answered something that is not an RSS feed ({exc})")
    if not feed.items and copy is not None and copy.feed.items:
        return _fallback(
            shown,
            copy,
            f"the host's feed has no items now (the last good copy has {len(copy.feed.items)}); "
            "taken for a host fault, not for every episode deleted",
        )
    when = None
    if save:
        when = _save_copy(
            state_dir,
            source,
            data,
            fetched.etag if fetched else None,
            fetched.last_modified if fetched else None,
        )
    return HostFeed(shown, feed, "fetched" if fetched is not None else "read", when)


def match_problems(host: HostFeed, result: MatchResult) -> list[Problem]:
    """Warnings for what did not pair: host items no file has (subscribers have these episodes,
    the repository lacks them) and ambiguous pairs (nothing taken for those)."""
    out = [
        _warning(
            host.source,
            f"host item {u.item.title!r} (guid {u.item.guid}"
            + (f", {u.item.pub_date.date().isoformat()}" if u.item.pub_date else "")
            + ") has no episode file: the host's subscribers have it, this repository does not "
            "(add an episode file with its ids.anchor or guid:)",
        )
        for u in result.unmatched_items
    ]
    out += [
        _warning(host.source, f"ambiguous, nothing taken from the host for it: {a.describe()}")
        for a in result.ambiguous
    ]
    return out


def match_host(host: HostFeed, episodes: Iterable[Episode]) -> MatchResult | None:
    return match_items(episodes, host.feed.items) if host.feed is not None else None


# --- the channel, for ``feedtool init`` --------------------------------------------------------------


@dataclass(frozen=True)
class HostChannel:
    """What a starting config takes from the host's channel."""

    title: str | None = None
    description: str | None = None
    link: str | None = None
    language: str | None = None
    author: str | None = None
    owner_name: str | None = None
    owner_email: str | None = None
    image: str | None = None
    categories: tuple[str, ...] = ()  # "Technology", "Business > Careers"
    explicit: bool | None = None
    show_type: str | None = None
    copyright: str | None = None
    podcast_guid: str | None = None


def _family(element: etree._Element) -> tuple[str, str] | None:
    tag: object = element.tag  # a factory function, not a str, for comments, PIs and entities
    if not isinstance(tag, str):
        return None
    qname = etree.QName(element)
    return namespace_family(qname.namespace), qname.localname


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    text = "".join(t for t in element.itertext() if isinstance(t, str)).strip()
    return text or None


def read_channel(xml_bytes: bytes) -> HostChannel:
    """The channel's show-level values. Raises FeedReadError for what is not an RSS feed."""
    read_feed(xml_bytes)  # the same checks (and error messages) as every other reader
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    root = etree.fromstring(xml_bytes, parser)
    channel = (
        root if _family(root) == ("", "channel") else next(c for c in root if _family(c) == ("", "channel"))
    )
    first: dict[tuple[str, str], etree._Element] = {}
    categories: list[str] = []
    for child in channel:
        key = _family(child)
        if key is None:
            continue
        first.setdefault(key, child)
        if key == ("itunes", "category") and child.get("text"):
            subs = [s.get("text") for s in child if _family(s) == ("itunes", "category") and s.get("text")]
            categories.append(str(child.get("text")).strip() + (f" > {str(subs[0]).strip()}" if subs else ""))

    def text(family: str, name: str) -> str | None:
        return _text(first.get((family, name)))

    owner = first.get(("itunes", "owner"))
    owner_fields = {
        _family(c): _text(c) for c in (owner if owner is not None else ()) if _family(c) is not None
    }
    itunes_image = first.get(("itunes", "image"))
    rss_image = first.get(("", "image"))
    image = (itunes_image.get("href") or "").strip() if itunes_image is not None else ""
    if not image and rss_image is not None:
        image = next((_text(c) or "" for c in rss_image if _family(c) == ("", "url")), "")
    explicit = text("itunes", "explicit")
    return HostChannel(
        title=text("", "title"),
        description=text("", "description") or text("itunes", "summary"),
        link=text("", "link"),
        language=text("", "language"),
        author=text("itunes", "author"),
        owner_name=owner_fields.get(("itunes", "name")),
        owner_email=owner_fields.get(("itunes", "email")),
        image=image or None,
        categories=tuple(categories),
        explicit=None if explicit is None else explicit.lower() in ("yes", "true", "explicit"),
        show_type=text("itunes", "type"),
        copyright=text("", "copyright"),
        podcast_guid=text("podcast", "guid"),
    )
