from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedtool.links.extract import extract
from feedtool.links.normalize import (
    InvalidURL,
    apple_ref,
    normalize,
    platform_of,
    spotify_item,
    strip_userinfo,
    youtube_video_id,
)
from feedtool.links.verdict import Verdict
from feedtool.model import Audio, ChapterMarker, Episode, Person


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("HTTPS://Example.COM", "https://example.com/"),
        ("https://example.com:443/a#frag", "https://example.com/a"),
        ("http://example.com:8080/a?b=1&utm_source=x", "http://example.com:8080/a?b=1"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        (
            "https://open.spotify.com/episode/3s78PtlbUmecuMOXwO8aD5?si=991e1811a5204305",
            "https://open.spotify.com/episode/3s78PtlbUmecuMOXwO8aD5",
        ),
        ("  https://example.com/x  ", "https://example.com/x"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "raw", ["ftp://example.com/", "mailto:a@b.c", "example.com/page", "https://", "http://a b/"]
)
def test_normalize_rejects_non_http(raw):
    with pytest.raises(InvalidURL):
        normalize(raw)


def test_strip_userinfo():
    assert strip_userinfo("https://u:p@host.example/x") == "https://host.example/x"
    assert strip_userinfo("https://host.example/x") == "https://host.example/x"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=IDzhmmKeNG4",
        "https://www.youtube.com/watch?v=IDzhmmKeNG4&t=38",
        "https://youtu.be/IDzhmmKeNG4",
        "https://www.youtube.com/embed/IDzhmmKeNG4",
        "https://www.youtube-nocookie.com/embed/IDzhmmKeNG4?rel=0",
        "https://m.youtube.com/watch?v=IDzhmmKeNG4",
    ],
)
def test_youtube_forms(url):
    assert youtube_video_id(url) == "IDzhmmKeNG4"
    assert platform_of(url) == "youtube"


def test_youtube_non_video_and_bad_ids():
    assert youtube_video_id("https://www.youtube.com/c/DataTalksClub") is None
    assert youtube_video_id("https://www.youtube.com/watch?v=short") is None


def test_platform_ids():
    assert spotify_item("https://open.spotify.com/episode/3s78PtlbUmecuMOXwO8aD5") == (
        "episode",
        "3s78PtlbUmecuMOXwO8aD5",
    )
    ref = apple_ref("https://podcasts.apple.com/us/podcast/slug/id1541710331?i=1000521740775")
    assert (ref.show_id, ref.episode_id) == ("1541710331", "1000521740775")
    assert apple_ref("https://podcasts.apple.com/us/podcast/slug/id1541710331").episode_id is None
    for url in (
        "https://anchor.fm/datatalksclub/episodes/x-e1",
        "https://podcasters.spotify.com/pod/show/datatalksclub/episodes/x-e1",
        "https://creators.spotify.com/pod/profile/datatalksclub/episodes/x-e1",
    ):
        assert platform_of(url) == "anchor"


def _episode(slug, **kw):
    return Episode(
        path=Path(f"{slug}.md"),
        slug=slug,
        title=slug.title(),
        pub_date=datetime(2024, 1, 1, tzinfo=UTC),
        **kw,
    )


def test_extract_every_place_dedupes_and_lists_missing_and_invalid():
    shared = "https://example.com/book"
    one = _episode(
        "one",
        links=(("youtube", "https://www.youtube.com/watch?v=IDzhmmKeNG4"),),
        missing_links=("apple", "spotify"),
        body_links=(shared, "#anchor", "mailto:x@y.z", "ftp://files.example/x", "/relative/page"),
        image="https://cdn.example/one.jpg",
        audio=Audio(url="https://media.example/one.mp3"),
        markers=(ChapterMarker("Intro", 0, url="https://www.youtube.com/watch?v=IDzhmmKeNG4&t=0"),),
        guests=(
            Person(
                id="jane",
                name="Jane",
                href="https://jane.example",
                links=(("web", "https://jane.example"), ("linkedin", "https://www.linkedin.com/in/jane")),
            ),
        ),
    )
    two = _episode("two", body_links=(shared + "#section", "HTTPS://EXAMPLE.com/book"))
    extracted = extract([one, two])
    by_url = {t.url: t for t in extracted.targets}
    assert [(p.episode, p.field) for p in by_url[shared].places] == [("one", "body"), ("two", "body")]
    assert by_url["https://www.youtube.com/watch?v=IDzhmmKeNG4"].platform == "youtube"
    assert by_url["https://www.youtube.com/watch?v=IDzhmmKeNG4&t=0"].places[0].field == "chapters[0]"
    assert by_url["https://cdn.example/one.jpg"].places[0].field == "image"
    assert by_url["https://media.example/one.mp3"].places[0].field == "enclosure"
    assert by_url["https://jane.example/"].places[0].field == "guests.jane"
    assert by_url["https://www.linkedin.com/in/jane"].places[0].field == "guests.jane.linkedin"
    missing = {(u.place.field, u.verdict) for u in extracted.unchecked if u.verdict is Verdict.MISSING}
    assert missing == {("links.apple", Verdict.MISSING), ("links.spotify", Verdict.MISSING)}
    invalid = [u for u in extracted.unchecked if u.verdict is Verdict.INVALID]
    assert [u.value for u in invalid] == [
        "ftp://files.example/x",
        "/relative/page",
    ]  # no site base without config
    assert not any("mailto" in t.url or t.url.endswith("#anchor") for t in extracted.targets)


def test_show_note_links_from_the_tokens_are_the_rendered_ones(tmp_path):
    from feedtool.read import shownotes
    from feedtool.read.episodes import read_episodes

    body = (
        'Links: [a](https://a.example/x) <https://b.example/> [ref][r] {:target="_blank"}\n\n'
        '<div><a href="https://c.example/">html</a></div>\n\n[r]: https://d.example/\n'
    )
    html, rendered = shownotes.render(body)
    assert (
        shownotes.links(body)
        == rendered
        == (
            "https://a.example/x",
            "https://b.example/",
            "https://d.example/",
            "https://c.example/",
        )
    )
    (tmp_path / "ep.md").write_text("---\ntitle: T\ndateadded: 2024-01-01\n---\n" + body)
    episode = read_episodes(tmp_path, render_html=False).episodes[0]
    assert episode.body_links == rendered and episode.body_html == "" and html
