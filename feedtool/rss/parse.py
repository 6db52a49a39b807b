"""Read a podcast RSS feed (ours or a host's) into frozen data.

Used by ``feedtool diff`` (old feed vs new feed) and ``feedtool import-media``
(a host's feed). Tolerant by design: real feeds declare the iTunes and
Podcasting 2.0 namespaces under several URIs (``http://www.itunes.com/dtds/
podcast-1.0.dtd`` in any case, the old GitHub URI of the podcast namespace...),
so elements are recognised by a namespace *family* plus local name, never by
one exact URI. The parser never resolves entities nor touches the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from lxml import etree

from feedtool import timeutil


class FeedReadError(ValueError):
    """The bytes are not an RSS feed we can read (not XML, no <channel>).

    A ``ValueError``, not a ``FeedtoolError`` (and so not in ``feedtool.errors``):
    the parser sees bytes and does not know which file or URL they came from,
    so it has no message fit for the user and no exit code of its own. Each
    caller adds the source and re-raises what it means there: ``diff`` a
    ``UsageError`` for an unreadable file, ``import-media`` a ``SourceError``.
    """


# namespace family -> substrings that identify it in a namespace URI (lower-cased)
_NAMESPACE_FAMILIES = (
    ("itunes", ("itunes.com/dtds/podcast",)),
    ("podcast", ("podcastindex.org/namespace", "podcastindex-org/podcast-namespace", "podcast-namespace")),
    ("content", ("purl.org/rss/1.0/modules/content",)),
    ("atom", ("www.w3.org/2005/atom",)),
    ("dc", ("purl.org/dc/elements",)),
    ("psc", ("podlove.org/simple-chapters",)),
    ("media", ("search.yahoo.com/mrss",)),
)


def namespace_family(uri: str | None) -> str:
    """``itunes``, ``podcast``... for a namespace URI; ``""`` for none; the URI itself otherwise."""
    if not uri:
        return ""
    lowered = uri.lower()
    for family, markers in _NAMESPACE_FAMILIES:
        if any(marker in lowered for marker in markers):
            return family
    return uri


def _key(element: etree._Element) -> tuple[str, str] | None:
    tag: object = element.tag  # a factory function, not a str, for comments, PIs and entities
    if not isinstance(tag, str):
        return None
    qname = etree.QName(element)
    return namespace_family(qname.namespace), qname.localname


@dataclass(frozen=True)
class ParsedItem:
    """One ``<item>``: what a subscriber's app keys on and downloads."""

    guid: str | None
    title: str | None
    link: str | None = None
    enclosure_url: str | None = None
    enclosure_length: int | None = None
    enclosure_type: str | None = None
    pub_date: datetime | None = None
    pub_date_text: str | None = None  # as written, for dates that do not parse
    duration: float | None = None  # seconds, from itunes:duration in any of its formats
    duration_text: str | None = None
    season: int | None = None
    episode: int | None = None
    episode_type: str | None = None
    position: int = 0  # 0-based order in the feed


@dataclass(frozen=True)
class FeedChannel:
    """Channel-level values a subscriber (or a directory) notices when they change."""

    fields: tuple[tuple[str, str], ...]  # (name, value), sorted by name

    def get(self, name: str) -> str | None:
        return dict(self.fields).get(name)


@dataclass(frozen=True)
class ParsedFeed:
    channel: FeedChannel
    items: tuple[ParsedItem, ...]


def element_text(element: etree._Element) -> str:
    """All text inside an element, its children's included (not its tail)."""
    # lxml gives str; its stubs also allow bytes
    return "".join(t for t in element.itertext() if isinstance(t, str))


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    text = element_text(element).strip()
    return text or None


def parse_itunes_duration(text: str | None) -> float | None:
    """Seconds from ``3698``, ``3698.5``, ``61:38``, ``01:01:38`` or ``PT1H1M38S``; None if unreadable."""
    if not text:
        return None
    value = text.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            return timeutil.parse_duration(value)
        except ValueError:
            return None
    return seconds if seconds >= 0 else None


def parse_pub_date(text: str | None) -> datetime | None:
    """RFC 2822 (what RSS requires), with ISO 8601 as a fallback some hosts emit. Naive means UTC."""
    if not text:
        return None
    try:
        parsed = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _int(text: str | None) -> int | None:
    if text is None or not re.fullmatch(r"\s*\d+\s*", text):
        return None
    return int(text)


def _read_item(item: etree._Element, position: int) -> ParsedItem:
    found: dict[tuple[str, str], etree._Element] = {}
    for child in item:
        key = _key(child)
        if key is not None and key not in found:  # first occurrence wins, as in most apps
            found[key] = child
    enclosure = found.get(("", "enclosure"))
    length = None
    if enclosure is not None:
        length = _int(enclosure.get("length"))
    date_text = _text(found.get(("", "pubDate")))
    duration_text = _text(found.get(("itunes", "duration")))
    return ParsedItem(
        guid=_text(found.get(("", "guid"))),
        title=_text(found.get(("", "title"))) or _text(found.get(("itunes", "title"))),
        link=_text(found.get(("", "link"))),
        enclosure_url=(enclosure.get("url") or "").strip() or None if enclosure is not None else None,
        enclosure_length=length,
        enclosure_type=(enclosure.get("type") or "").strip() or None if enclosure is not None else None,
        pub_date=parse_pub_date(date_text),
        pub_date_text=date_text,
        duration=parse_itunes_duration(duration_text),
        duration_text=duration_text,
        season=_int(_text(found.get(("itunes", "season")))) or _int(_text(found.get(("podcast", "season")))),
        episode=_int(_text(found.get(("itunes", "episode"))))
        or _int(_text(found.get(("podcast", "episode")))),
        episode_type=_text(found.get(("itunes", "episodeType"))),
        position=position,
    )


# channel field name -> how to read it from the first matching child
_CHANNEL_TEXT = {
    "title": ("", "title"),
    "link": ("", "link"),
    "description": ("", "description"),
    "language": ("", "language"),
    "copyright": ("", "copyright"),
    "itunes:author": ("itunes", "author"),
    "itunes:explicit": ("itunes", "explicit"),
    "itunes:type": ("itunes", "type"),
    "itunes:new-feed-url": ("itunes", "new-feed-url"),
    "itunes:block": ("itunes", "block"),
    "itunes:complete": ("itunes", "complete"),
    "podcast:guid": ("podcast", "guid"),
    "podcast:locked": ("podcast", "locked"),
}


def _read_channel(channel: etree._Element) -> FeedChannel:
    fields: dict[str, str] = {}
    categories: list[str] = []
    for child in channel:
        key = _key(child)
        if key is None or key == ("", "item"):
            continue
        for name, wanted in _CHANNEL_TEXT.items():
            if key == wanted and name not in fields:
                value = _text(child)
                if value is not None:
                    fields[name] = value
        if key == ("itunes", "image") and child.get("href") and "itunes:image" not in fields:
            fields["itunes:image"] = child.get("href", "").strip()
        elif key == ("itunes", "category") and child.get("text"):
            subs = [s.get("text") for s in child if _key(s) == ("itunes", "category") and s.get("text")]
            categories.append(child.get("text", "") + "".join(f" > {s}" for s in subs))
        elif key == ("itunes", "owner"):
            email = next((_text(c) for c in child if _key(c) == ("itunes", "email")), None)
            if email:
                fields["itunes:owner email"] = email
        elif key == ("atom", "link") and child.get("rel") == "self" and child.get("href"):
            fields.setdefault("atom:link self", child.get("href", "").strip())
    if categories:
        fields["itunes:category"] = "; ".join(categories)
    return FeedChannel(tuple(sorted(fields.items())))


def read_feed(xml_bytes: bytes) -> ParsedFeed:
    """Parse RSS bytes. Raises FeedReadError for anything that is not an RSS feed."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(xml_bytes, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedReadError(f"not well-formed XML: {exc}") from None
    if root is None:
        raise FeedReadError("empty document")
    channel = (
        root if _key(root) == ("", "channel") else next((c for c in root if _key(c) == ("", "channel")), None)
    )
    if channel is None:
        raise FeedReadError(
            f"no <channel> element (root is <{etree.QName(root).localname}>): not an RSS feed"
        )
    items = [c for c in channel if _key(c) == ("", "item")]
    return ParsedFeed(_read_channel(channel), tuple(_read_item(item, i) for i, item in enumerate(items)))


def read_feed_items(xml_bytes: bytes) -> tuple[ParsedItem, ...]:
    return read_feed(xml_bytes).items
