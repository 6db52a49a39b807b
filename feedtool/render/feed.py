"""Render the podcast RSS feed with feedgen.

feedgen 1.0.0 covers RSS 2.0 and most iTunes tags; what it lacks or gets wrong
(``itunes:explicit`` true/false, images that are not ``.jpg``/``.png``, every
``podcast:`` and ``psc:`` tag) is written by one registered extension. The
renderer is pure: data in, bytes out; only the writer touches the disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import overload

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from feedtool import __version__
from feedtool.config import Config, ShowTags
from feedtool.model import Audio, Chapter, Person, Problem, Severity
from feedtool.read import xmlchars
from feedtool.read.shownotes import truncate_utf8
from feedtool.rss.namespaces import JSON_CHAPTERS_TYPE, PREFIXES
from feedtool.timeutil import npt
from feedtool.weburls import DEFAULT_MEDIA_TYPE

NS = PREFIXES
DESCRIPTION_LIMIT = 4000  # bytes, Apple
TRANSCRIPT_TYPES = {"vtt": "text/vtt", "srt": "application/x-subrip", "json": "application/json"}


@dataclass(frozen=True)
class Xml:
    """An element an extension appends: ``Xml("podcast:locked", "yes", (("owner", e),))``."""

    tag: str
    text: str | None = None
    attrs: tuple[tuple[str, str], ...] = ()
    children: tuple[Xml, ...] = ()


@dataclass(frozen=True)
class TranscriptLink:
    url: str
    format: str  # vtt, srt, json

    @property
    def mime_type(self) -> str:
        return TRANSCRIPT_TYPES[self.format]


@dataclass(frozen=True)
class FeedItem:
    """Everything the feed says about one episode, resolved and checked by the builder."""

    slug: str
    guid: str
    title: str
    link: str
    pub_date: datetime
    description: str  # plain text
    content_html: str
    audio: Audio
    duration: float | None = None
    season: int | None = None
    episode: int | None = None
    episode_type: str = "full"
    explicit: bool | None = None
    image_url: str | None = None
    chapters: tuple[Chapter, ...] = ()
    chapters_url: str | None = None
    transcripts: tuple[TranscriptLink, ...] = ()
    persons: tuple[Person, ...] = ()
    keywords: tuple[str, ...] = ()
    license: tuple[str, str | None] | None = None  # podcast:license (identifier, url)
    txt: tuple[tuple[str, str | None], ...] = ()  # podcast:txt (text, purpose)


@dataclass(frozen=True)
class RenderedFeed:
    xml: bytes
    problems: tuple[Problem, ...] = field(default=())


def _qname(tag: str) -> str:
    prefix, _, local = tag.partition(":")
    return f"{{{NS[prefix]}}}{local}" if local else tag


def _append(parent: etree._Element, spec: Xml) -> None:
    el = etree.SubElement(parent, _qname(spec.tag))
    for key, value in spec.attrs:
        el.set(_qname(key) if ":" in key else key, value)
    if spec.text is not None:
        el.text = spec.text
    for child in spec.children:
        _append(el, child)


class _ChannelExtension(BaseExtension):
    """Declares every namespace once on ``<rss>`` (feedgen uses only the
    feed-level ``extend_ns``) and appends channel elements feedgen cannot write."""

    def __init__(self) -> None:
        self.elements: list[Xml] = []

    def extend_ns(self) -> dict[str, str]:
        return {k: v for k, v in NS.items() if k not in ("content", "atom")}

    def extend_rss(self, rss: etree._Element) -> etree._Element:
        channel = rss[0]
        for spec in self.elements:
            _append(channel, spec)
        return rss


class _ItemExtension(BaseEntryExtension):
    def __init__(self) -> None:
        self.elements: list[Xml] = []

    def extend_rss(self, item: etree._Element) -> etree._Element:
        for spec in self.elements:
            _append(item, spec)
        return item


class _Cleaner:
    """Cleans every string on its way into the feed and records which field held junk."""

    def __init__(self, where: str):
        self.where = where
        self.problems: list[Problem] = []

    @overload
    def __call__(self, value: str, field: str) -> str: ...
    @overload
    def __call__(self, value: None, field: str) -> None: ...
    def __call__(self, value: str | None, field: str) -> str | None:
        if value is None:
            return None
        text, removed = xmlchars.clean(value)
        if removed:
            self.problems.append(
                Problem(
                    self.where, field, f"removed {removed} XML-invalid character(s)", None, Severity.WARNING
                )
            )
        return text.strip()


def _person(p: Person, clean: _Cleaner, field: str) -> Xml:
    attrs = [("role", p.role)]
    if p.img and p.img.startswith("https://"):
        attrs.append(("img", p.img))
    if p.href and p.href.startswith("https://"):
        attrs.append(("href", p.href))
    return Xml("podcast:person", clean(p.name, field)[:128], tuple(attrs))


def _bool(value: bool) -> str:
    return "true" if value else "false"


@dataclass(frozen=True)
class PageLinks:
    """RFC 5005 paged-feed links of one page (section 3): its own URL, the newest page (the
    feed), the oldest page, and its neighbours (``next`` is older, ``prev`` newer)."""

    self_url: str
    first: str
    last: str
    next: str | None = None
    prev: str | None = None

    def elements(self) -> list[Xml]:
        links = [("first", self.first), ("last", self.last), ("next", self.next), ("prev", self.prev)]
        return [Xml("atom:link", attrs=(("rel", rel), ("href", href))) for rel, href in links if href]


ARCHIVE_PAGE = "archive/page-{}.xml"


def render_pages(
    config: Config, items: list[FeedItem] | tuple[FeedItem, ...], feed_file: str = "feed.xml"
) -> list[tuple[str, RenderedFeed]]:
    """``(relpath, feed)`` for the feed and, with ``feed.page_size: N``, its archive pages.

    The feed holds the newest N items; ``archive/page-1.xml`` the next N, and so on. Every page
    is a whole RSS document with the channel, linked to the others with ``atom:link``
    ``first``/``last``/``next``/``prev`` (RFC 5005 paged feeds, which gPodder and podcastparser
    follow), so apps that read paged feeds find every episode and the others the newest N.
    """
    size = config.page_size
    if not size or len(items) <= size:
        return [(feed_file, render_feed(config, items))]
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    paths = [feed_file] + [ARCHIVE_PAGE.format(k) for k in range(1, len(chunks))]
    urls = [config.feed_url] + [config.output_url(path) for path in paths[1:]]
    pages = []
    for k, chunk in enumerate(chunks):
        links = PageLinks(
            self_url=urls[k],
            first=urls[0],
            last=urls[-1],
            next=urls[k + 1] if k + 1 < len(urls) else None,
            prev=urls[k - 1] if k else None,
        )
        pages.append((paths[k], render_feed(config, chunk, links)))
    return pages


def render_feed(
    config: Config, items: list[FeedItem] | tuple[FeedItem, ...], page: PageLinks | None = None
) -> RenderedFeed:
    """The RSS document for ``items`` (already in feed order, newest first); ``page`` for one
    page of a paged feed (``render_pages``).

    Deterministic: ``lastBuildDate`` is the newest item's date, never "now".
    """
    clean = _Cleaner(str(config.path))
    fg = _channel(config, items, clean, page)
    for item in items:
        clean.problems.extend(_add_item(fg, config, item))
    xml = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return RenderedFeed(xml=xml, problems=tuple(clean.problems))


def _channel(
    config: Config,
    items: list[FeedItem] | tuple[FeedItem, ...],
    clean: _Cleaner,
    page: PageLinks | None = None,
) -> FeedGenerator:
    """A feed generator holding the channel: the show's tags, no items yet."""
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("feedtool", _ChannelExtension, _ItemExtension)
    fg.title(clean(config.title, "title"))
    fg.description(truncate_utf8(clean(config.description, "description") or "", DESCRIPTION_LIMIT))
    # feedgen takes the RSS <link> from the *last* link() call: self first, site last.
    fg.link(href=page.self_url if page else config.feed_url, rel="self", type="application/rss+xml")
    fg.link(href=config.link, rel="alternate")
    fg.language(config.language)
    if config.copyright:
        fg.copyright(clean(config.copyright, "copyright"))
    fg.generator("feedtool", __version__, "https://pypi.org/project/feedtool/")
    fg.docs("")
    fg.image(url=config.image, title=clean(config.title, "title"), link=config.link)
    fg.podcast.itunes_author(clean(config.author, "author"))
    if config.owner_name and config.owner_email:
        fg.podcast.itunes_owner(name=clean(config.owner_name, "owner.name"), email=config.owner_email)
    for cat in config.categories[:1]:  # Apple reads only the first category
        fg.podcast.itunes_category({"cat": cat.name, **({"sub": cat.sub} if cat.sub else {})})
    fg.podcast.itunes_type(config.show_type)
    if items:
        fg.lastBuildDate(max(i.pub_date for i in items))
        fg.pubDate(max(i.pub_date for i in items))
    hub = [Xml("atom:link", attrs=(("rel", "hub"), ("href", config.websub_hub)))] if config.websub_hub else []
    head = page is None or page.prev is None  # the hub's topic is the feed, not an archive page
    fg.feedtool.elements = (
        (hub if head else []) + (page.elements() if page else []) + _channel_extras(config, clean)
    )
    return fg


def _channel_extras(config: Config, clean: _Cleaner) -> list[Xml]:
    """Channel tags feedgen cannot write: artwork, explicit, the move notice, ``podcast:*``."""
    extras = [
        Xml("itunes:image", attrs=(("href", config.image),)),
        Xml("itunes:explicit", _bool(config.explicit)),
        Xml("podcast:guid", config.podcast_guid),
        Xml(
            "podcast:locked",
            "yes" if config.locked else "no",
            (("owner", config.locked_owner),) if config.locked_owner else (),
        ),
    ]
    if config.new_feed_url:
        # the feed has moved: apps that honour it (Apple first) resubscribe to the new URL
        extras.append(Xml("itunes:new-feed-url", config.new_feed_url))
    extras += [_person(h, clean, "hosts") for h in config.hosts]
    extras += [
        Xml("podcast:funding", clean(label, "funding")[:128], (("url", url),))
        for url, label in config.funding
    ]
    return extras + _show_tags(config.tags, clean)


def _show_tags(tags: ShowTags, clean: _Cleaner) -> list[Xml]:
    """``podcast:medium``, ``updateFrequency``, ``license``, ``txt``, ``podroll``, ``trailer``."""
    out: list[Xml] = []
    if tags.medium:
        out.append(Xml("podcast:medium", tags.medium))
    freq = tags.update_frequency
    if freq:
        attrs = [("complete", _bool(freq.complete))] if freq.complete is not None else []
        attrs += [(k, v) for k, v in (("dtstart", freq.dtstart), ("rrule", freq.rrule)) if v]
        out.append(Xml("podcast:updateFrequency", clean(freq.text, "update_frequency"), tuple(attrs)))
    out += _license_and_txt(tags.license, tags.txt, clean)
    if tags.podroll:
        remote = tuple(
            Xml(
                "podcast:remoteItem",
                attrs=(("feedGuid", r.feed_guid),)
                + ((("feedUrl", r.feed_url),) if r.feed_url else ())
                + ((("title", clean(r.title, "podroll")),) if r.title else ()),
            )
            for r in tags.podroll
        )
        out.append(Xml("podcast:podroll", children=remote))
    for t in tags.trailers:
        attrs = [("url", t.url), ("pubdate", format_datetime(t.pubdate))]
        attrs += [(k, str(v)) for k, v in (("length", t.length), ("type", t.type), ("season", t.season)) if v]
        out.append(Xml("podcast:trailer", clean(t.title, "trailer"), tuple(attrs)))
    return out


def _license_and_txt(
    licence: tuple[str, str | None] | None, txt: tuple[tuple[str, str | None], ...], clean: _Cleaner
) -> list[Xml]:
    """The two tags a channel and an item both may carry."""
    out = []
    if licence:
        name, url = licence
        out.append(Xml("podcast:license", clean(name, "license"), (("url", url),) if url else ()))
    out += [
        Xml("podcast:txt", clean(text, "txt"), (("purpose", purpose),) if purpose else ())
        for text, purpose in txt
    ]
    return out


def _add_item(fg: FeedGenerator, config: Config, item: FeedItem) -> list[Problem]:
    """Append ``item`` to the feed; returns the warnings about what was cleaned out of it."""
    clean = _Cleaner(item.slug)
    fe = fg.add_entry(order="append")
    fe.guid(item.guid, permalink=False)
    fe.title(clean(item.title, "title"))
    fe.link(href=item.link)
    fe.pubDate(item.pub_date)
    fe.description(truncate_utf8(clean(item.description, "description") or item.title, DESCRIPTION_LIMIT))
    if item.content_html:
        fe.content(clean(item.content_html, "content"), type="CDATA")
    fe.enclosure(
        item.audio.url,
        str(item.audio.length if item.audio.length is not None else 0),
        item.audio.mime_type or DEFAULT_MEDIA_TYPE,
    )
    if item.duration is not None:
        fe.podcast.itunes_duration(round(item.duration))
    if item.season:
        fe.podcast.itunes_season(item.season)
    if item.episode:
        fe.podcast.itunes_episode(item.episode)
    fe.podcast.itunes_episode_type(item.episode_type)
    fe.feedtool.elements = _item_extras(config, item, clean)
    return clean.problems


def _item_extras(config: Config, item: FeedItem, clean: _Cleaner) -> list[Xml]:
    """Item tags feedgen cannot write: artwork, explicit, keywords, chapters, ``podcast:*``."""
    extras: list[Xml] = []
    if item.image_url:
        extras.append(Xml("itunes:image", attrs=(("href", item.image_url),)))
    if item.explicit is not None:
        extras.append(Xml("itunes:explicit", _bool(item.explicit)))
    if item.keywords:
        extras.append(Xml("itunes:keywords", clean(",".join(item.keywords), "keywords")[:255]))
    if item.season:
        extras.append(Xml("podcast:season", str(item.season)))
    if item.episode:
        extras.append(Xml("podcast:episode", str(item.episode)))
    if item.chapters:
        extras.append(_psc_chapters(item.chapters, clean))
    if item.chapters_url:
        extras.append(
            Xml("podcast:chapters", attrs=(("url", item.chapters_url), ("type", JSON_CHAPTERS_TYPE)))
        )
    extras += [_transcript(t, config.transcript_language) for t in item.transcripts]
    extras += _license_and_txt(item.license, item.txt, clean)
    # item-level persons replace the channel's, so hosts are repeated here
    extras += [_person(p, clean, "persons") for p in (*config.hosts, *item.persons)]
    return extras


def _psc_chapters(chapters: tuple[Chapter, ...], clean: _Cleaner) -> Xml:
    return Xml(
        "psc:chapters",
        attrs=(("version", "1.2"),),
        children=tuple(
            Xml("psc:chapter", attrs=(("start", npt(ch.start)), ("title", clean(ch.title, "chapters"))))
            for ch in chapters
        ),
    )


def _transcript(link: TranscriptLink, language: str | None) -> Xml:
    attrs = [("url", link.url), ("type", link.mime_type)]
    if language:
        attrs.append(("language", language))
    if link.format in ("vtt", "srt"):
        attrs.append(("rel", "captions"))
    return Xml("podcast:transcript", attrs=tuple(attrs))
