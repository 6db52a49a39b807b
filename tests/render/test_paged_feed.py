"""Paged archives (``feed.page_size``): feed.xml holds the newest N, ``archive/page-K.xml`` the rest."""

import io

import podcastparser
import pytest
import yaml
from conftest import FIXTURES
from lxml import etree

from feedtool.config import parse_config
from feedtool.errors import ConfigError
from feedtool.publish.build import build
from feedtool.rss.namespaces import ATOM_NS
from feedtool.rss.validate import validate_feed

BASE = yaml.safe_load((FIXTURES / "show" / "config" / "podcast.yaml").read_text())
FEED_URL = "https://feeds.example.org/test/feed.xml"


def show_with(show, count):
    """The fixture show with ``count`` episodes: copies of the first, each with its own guid, date and media."""
    source = (show / "episodes" / "s01e01-first-steps.md").read_text()
    for path in show.glob("episodes/s01e0*.md"):
        path.unlink()
    for n in range(1, count + 1):
        text = (
            source.replace("episode: 1\n", f"episode: {n}\n")
            .replace("dateadded: 2021-05-14", f"guid: ep-{n}\ndateadded: 2021-05-{n:02d}")
            .replace("custom/first.mp3", f"custom/ep-{n}.mp3")
            .replace('title: "First Steps in Data"', f'title: "Episode {n}"')
        )
        (show / "episodes" / f"s01e{n:02d}-ep.md").write_text(text)
    return show


def links(xml):
    channel = etree.fromstring(xml).find("channel")
    return {el.get("rel"): el.get("href") for el in channel.findall(f"{{{ATOM_NS}}}link")}


def build_paged(show, tmp_path, **feed):
    config = parse_config({**BASE, **feed}, show / "config" / "podcast.yaml")
    result = build(config, show / "episodes", tmp_path / "out", use_cache=False)
    return result, tmp_path / "out"


def test_feed_holds_the_newest_page_and_archive_pages_the_rest(show, tmp_path):
    result, out = build_paged(show_with(show, 7), tmp_path, feed={"page_size": 3})
    assert sorted(p.name for p in (out / "archive").iterdir()) == ["page-1.xml", "page-2.xml"]
    head = (out / "feed.xml").read_bytes()
    page1, page2 = (
        (out / "archive" / "page-1.xml").read_bytes(),
        (out / "archive" / "page-2.xml").read_bytes(),
    )
    page_url = "https://feeds.example.org/test/archive/page-{}.xml"
    assert links(head) == {
        "self": FEED_URL,
        "first": FEED_URL,
        "last": page_url.format(2),
        "next": page_url.format(1),
    }
    assert links(page1) == {
        "self": page_url.format(1),
        "first": FEED_URL,
        "last": page_url.format(2),
        "next": page_url.format(2),
        "prev": FEED_URL,
    }
    assert links(page2) == {
        "self": page_url.format(2),
        "first": FEED_URL,
        "last": page_url.format(2),
        "prev": page_url.format(1),
    }
    counts = [len(etree.fromstring(x).findall("channel/item")) for x in (head, page1, page2)]
    assert counts == [3, 3, 1]
    for xml in (head, page1, page2):  # every page validates
        assert not validate_feed(xml).errors, validate_feed(xml).errors
    assert len(result.output.items) == 7  # the guards and the record see every episode


def test_podcastparser_follows_the_pages_and_finds_every_episode_once(show, tmp_path):
    _, out = build_paged(show_with(show, 8), tmp_path, feed={"page_size": 3})
    base = "https://feeds.example.org/test/"
    url, seen, guids = FEED_URL, set(), []
    while url:
        assert url not in seen
        seen.add(url)
        parsed = podcastparser.parse(url, io.BytesIO((out / url.removeprefix(base)).read_bytes()))
        guids += [e["guid"] for e in parsed["episodes"]]
        url = parsed.get("paged_feed_next")
    assert len(seen) == 3
    assert sorted(guids) == sorted(f"ep-{n}" for n in range(1, 9))


def test_a_show_that_fits_one_page_has_no_archive(show, tmp_path):
    _, out = build_paged(show_with(show, 3), tmp_path, feed={"page_size": 3})
    assert not (out / "archive").exists()
    assert set(links((out / "feed.xml").read_bytes())) == {"self"}


def test_max_items_still_truncates_with_a_warning(show, tmp_path):
    result, out = build_paged(show_with(show, 5), tmp_path, max_items=2)
    assert len(etree.fromstring((out / "feed.xml").read_bytes()).findall("channel/item")) == 2
    (warning,) = [p for p in result.output.warnings if p.field == "max_items"]
    assert "subscribers lose the 3 older ones" in warning.message and "feed.page_size" in warning.message


def test_page_size_is_checked_at_load(tmp_path):
    for bad in ({"page_size": 0}, {"page_size": "ten"}, {"pagesize": 10}, 10):
        with pytest.raises(ConfigError) as info:
            parse_config({**BASE, "feed": bad}, tmp_path / "p.yaml")
        assert any(p.field.startswith("feed") for p in info.value.problems), info.value.problems


def test_the_validator_checks_paging_links(show, tmp_path):
    _, out = build_paged(show_with(show, 4), tmp_path, feed={"page_size": 2})
    page = (out / "archive" / "page-1.xml").read_text()
    assert not validate_feed(page.encode()).errors
    self_url = "https://feeds.example.org/test/archive/page-1.xml"
    broken = page.replace(f'rel="prev" href="{FEED_URL}"', f'rel="prev" href="{self_url}"')
    assert broken != page
    (issue,) = [i for i in validate_feed(broken.encode()).issues if i.code == "paged-feed"]
    assert issue.is_error and "points at the page itself" in issue.message
    relative = page.replace(f'rel="first" href="{FEED_URL}"', 'rel="first" href="feed.xml"')
    assert "rel=first needs an absolute URL" in str(validate_feed(relative.encode()).errors)
    no_first = page.replace(f'<atom:link rel="first" href="{FEED_URL}"/>', "")
    assert [i.code for i in validate_feed(no_first.encode()).warnings if i.code == "paged-feed"] == [
        "paged-feed"
    ]
