"""Reading RSS feeds: namespace variants, duration and date formats, hostile input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from feedsupport import HOST_FEED, feed_xml, item_xml

from feedtool.rss.parse import (
    FeedReadError,
    parse_itunes_duration,
    parse_pub_date,
    read_feed,
    read_feed_items,
)


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("3698", 3698.0),
        ("3698.5", 3698.5),
        ("61:38", 3698.0),
        ("01:01:38", 3698.0),
        ("1:01:38", 3698.0),
        ("00:02:24", 144.0),
        ("PT1H1M38S", 3698.0),
        (" 57:52 ", 3472.0),
    ],
)
def test_itunes_duration_formats(text, seconds):
    assert parse_itunes_duration(text) == seconds


@pytest.mark.parametrize("text", [None, "", "about an hour", "-5", "1:2:3:4"])
def test_unreadable_itunes_duration_is_none(text):
    assert parse_itunes_duration(text) is None


def test_pub_dates():
    utc = datetime(2024, 1, 22, 17, 0, tzinfo=UTC)
    assert parse_pub_date("Mon, 22 Jan 2024 17:00:00 GMT") == utc
    assert parse_pub_date("Mon, 22 Jan 2024 19:00:00 +0200") == utc
    assert parse_pub_date("2024-01-22T17:00:00Z") == utc
    assert parse_pub_date("next Tuesday") is None


def test_reads_the_anchor_fixture():
    items = read_feed_items(HOST_FEED.read_bytes())
    assert len(items) == 6
    ab = items[-1]
    assert ab.title == "A/B Testing - Jakob Graff"
    assert ab.guid == "7b2e9f14-0c5a-4d83-b6e1-f29a3c8d0e57"
    assert ab.link.endswith("/AB-Testing---Jakob-Graff-e1eq73v")
    assert ab.enclosure_url.startswith("https://anchor.fm/s/3a8bcbb8/podcast/play/49173264/https%3A%2F%2F")
    assert (ab.enclosure_length, ab.enclosure_type, ab.duration) == (61063184, "audio/mpeg", 3817.0)
    assert (ab.season, ab.episode, ab.position) == (7, 6, 5)
    assert items[0].episode_type == "trailer" and items[0].episode is None
    channel = read_feed(HOST_FEED.read_bytes()).channel
    assert channel.get("title") == "DataTalks.Club"
    assert channel.get("atom:link self") == "https://anchor.fm/s/3a8bcbb8/podcast/rss"
    assert channel.get("itunes:category") == "Technology"


@pytest.mark.parametrize(
    "itunes_ns, podcast_ns",
    [
        ("http://www.itunes.com/dtds/podcast-1.0.dtd", "https://podcastindex.org/namespace/1.0"),
        (
            "https://www.itunes.com/dtds/podcast-1.0.dtd",
            "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
        ),
        ("http://www.itunes.com/DTDs/Podcast-1.0.dtd", "https://podcastindex.org/namespace/1.0/"),
    ],
)
def test_namespace_uri_variants_read_the_same(itunes_ns, podcast_ns):
    xml = feed_xml(
        item_xml(duration="01:00:00", extra="<itunes:season>3</itunes:season>"),
        itunes_ns=itunes_ns,
        podcast_ns=podcast_ns,
    )
    feed = read_feed(xml)
    assert feed.items[0].duration == 3600.0 and feed.items[0].season == 3
    assert feed.channel.get("podcast:guid") == "5a7b1c1e-0000-5000-8000-000000000001"
    assert feed.channel.get("itunes:author") == "Host"


def test_not_xml_and_not_rss_are_clear_errors():
    with pytest.raises(FeedReadError, match="not well-formed XML"):
        read_feed(b"<html><body>Oops</body>")
    with pytest.raises(FeedReadError, match="no <channel>"):
        read_feed(b"<feed xmlns='http://www.w3.org/2005/Atom'><title>x</title></feed>")


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<rss version="2.0"><channel><title>&x;</title><item><title>&x;</title></item></channel></rss>'
    ).encode()
    feed = read_feed(xml)
    assert "TOP-SECRET" not in (feed.items[0].title or "")
    assert "TOP-SECRET" not in (feed.channel.get("title") or "")
