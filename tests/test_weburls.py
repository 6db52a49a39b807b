"""feedtool.weburls: the one URL pattern and the one media-type table every stage reads."""

from __future__ import annotations

import pytest

from feedtool.weburls import HTTP_URL, MEDIA_TYPES, is_media_url, mime_type_for


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://cdn.example.org/ep/1.mp3", "audio/mpeg"),
        ("https://cdn.example.org/ep/1.M4A?token=x", "audio/x-m4a"),
        ("https://cdn.example.org/ep/1.epub", "application/epub+zip"),
        ("https://cdn.example.org/play/12345", None),
    ],
)
def test_mime_type_from_the_extension(url, expected):
    assert mime_type_for(url) == expected


def test_every_type_written_is_one_the_validator_accepts():
    for media in MEDIA_TYPES.values():
        assert media.mime in media.accepted and media.aliases <= media.accepted


@pytest.mark.parametrize(
    "value, ok",
    [
        ("https://cdn.example.org/a.mp3", True),
        ("  http://cdn.example.org/  ", True),
        ("https://cdn.example.org", False),  # no path: not a file
        ("https://cdn.example.org/a b.mp3", False),
        ("ftp://cdn.example.org/a.mp3", False),
        (None, False),
    ],
)
def test_media_url(value, ok):
    assert is_media_url(value) is ok


def test_http_url_needs_a_host():
    assert HTTP_URL.match("https://example.org/feed.xml")
    assert not HTTP_URL.match("https:///feed.xml")
    assert not HTTP_URL.match("example.org")
