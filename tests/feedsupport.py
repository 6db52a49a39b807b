"""Paths and small builders shared by the host-feed, matching, diff and import tests."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

FIXTURES = Path(__file__).parent / "fixtures" / "host"
HOST_FEED = FIXTURES / "anchor_feed.xml"
EPISODES = FIXTURES / "episodes"

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"


def item_xml(
    guid: str | None = "g1",
    title: str = "Episode one",
    url: str | None = "https://cdn.example.org/1.mp3",
    length: int | None = 1000,
    mime: str = "audio/mpeg",
    date: str = "Mon, 22 Jan 2024 17:00:00 GMT",
    duration: str | None = "3600",
    extra: str = "",
) -> str:
    parts = [f"<title>{escape(title)}</title>"]
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{escape(guid)}</guid>')
    if date:
        parts.append(f"<pubDate>{date}</pubDate>")
    if url is not None:
        length_attr = f" length={quoteattr(str(length))}" if length is not None else ""
        parts.append(f"<enclosure url={quoteattr(url)}{length_attr} type={quoteattr(mime)}/>")
    if duration is not None:
        parts.append(f"<itunes:duration>{duration}</itunes:duration>")
    parts.append(extra)
    return "<item>" + "".join(parts) + "</item>"


def feed_xml(
    *items: str,
    title: str = "The Show",
    podcast_guid: str = "5a7b1c1e-0000-5000-8000-000000000001",
    itunes_ns: str = ITUNES,
    podcast_ns: str = PODCAST,
    channel_extra: str = "",
) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:itunes="{itunes_ns}" '
        f'xmlns:podcast="{podcast_ns}"><channel><title>{escape(title)}</title>'
        f"<link>https://show.example.org/</link><description>About the show</description>"
        f"<language>en</language><itunes:author>Host</itunes:author>"
        f'<itunes:image href="https://show.example.org/cover.jpg"/>'
        f'<itunes:category text="Technology"/><podcast:guid>{podcast_guid}</podcast:guid>'
        f"{channel_extra}{''.join(items)}</channel></rss>\n"
    ).encode()
