"""Matching host items to episodes: Anchor ids, guid, titles, and honest reports of the rest."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from feedsupport import EPISODES, HOST_FEED

from feedtool.media.match import match_items, title_stem
from feedtool.model import Episode
from feedtool.read.anchor import anchor_id_from_episode_field, anchor_id_from_url
from feedtool.read.episodes import read_episodes
from feedtool.rss.parse import ParsedItem, read_feed_items


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "https://podcasters.spotify.com/pod/show/datatalksclub/episodes/AB-Testing---Jakob-Graff-e1eq73v",
            "e1eq73v",
        ),
        (
            "https://creators.spotify.com/pod/profile/datatalksclub/episodes/From-Theme-Parks-to-Tesla-e395qme",
            "e395qme",
        ),
        ("https://anchor.fm/coten/episodes/94COTEN-RADIO-ebu6ld", "ebu6ld"),
        (
            "https://anchor.fm/datatalksclub/episodes/Data-Developer-Relations---Hugo-Bowne-Anderson-e25q88q/",
            "e25q88q",
        ),
        ("https://podcasters.spotify.com/pod/show/x/episodes/Title-e26d01c?si=abc#t=10", "e26d01c"),
        ("https://anchor.fm/x/episodes/e2a1b3c", "e2a1b3c"),
        # enclosures carry a numeric play id; the CloudFront file name only looks like an id
        (
            "https://anchor.fm/s/e81d4a00/podcast/play/126901805/https%3A%2F%2Fd3ctxlq1ktw2nl.cloudfront.net%2Fstaging"
            "%2F2026-9-7%2F401764619-44100-2-e56a793a67d7a.mp3",
            None,
        ),
        (
            "https://anchor.fm/s/333e122c/podcast/play/19475297/sponsor/a3205tm/https%3A%2F%2Fd3ctxlq1ktw2nl.cloudfront"
            ".net%2Fstaging%2F2020-09-12%2F9ca05751732f6a1351863756bdfb662b.m4a",
            None,
        ),
        ("4d80b4a3-deee-41f3-8045-d06ade19132f", None),
        ("https://www.youtube.com/watch?v=0Gqx1LtqRZU", None),
        (None, None),
    ],
)
def test_anchor_id_from_url(url, expected):
    assert anchor_id_from_url(url) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("AB-Testing---Jakob-Graff-e1eq73v", "e1eq73v"),  # the corpus's bare ids.anchor
        (
            "datatalksclub/episodes/From-Theme-Parks-to-Tesla-Building-Data-Products-That-Work-e395qme",
            "e395qme",
        ),
        ("ow/datatalksclub/episodes/Practical-Data-Privacy---Katharine-Jarmul-e23u551", "e23u551"),
        ("https://anchor.fm/datatalksclub/episodes/AB-Testing---Jakob-Graff-e1eq73v", "e1eq73v"),
        ("Just-A-Title", None),
    ],
)
def test_anchor_id_from_episode_field(value, expected):
    assert anchor_id_from_episode_field(value) == expected


def test_title_stem():
    assert title_stem("A/B Testing - Jakob Graff") == "A/B Testing"
    assert title_stem("MLOps – Part 1 – Maria Lopez") == "MLOps – Part 1"
    assert title_stem("No guest here") is None
    assert title_stem("Bowne-Anderson") is None


def test_fixture_feed_matches_by_every_method():
    read = read_episodes(EPISODES)
    result = match_items(read.episodes, read_feed_items(HOST_FEED.read_bytes()))
    assert {(m.slug, m.matched_by) for m in result.matches} == {
        ("ab-testing-and-product-experimentation", "anchor-id"),
        ("devrel-open-source-machine-learning", "anchor-id"),
        ("mlops-platform-migration", "guid"),
        ("bayesian-modeling-workflows-and-tools", "title"),
        ("algorithmic-trading-with-python-and-machine-learning", "title-stem"),
    }
    devrel = next(m for m in result.matches if m.slug == "devrel-open-source-machine-learning")
    assert devrel.detail == "e25q88q (ids.anchor = item link)"
    assert devrel.item.guid.startswith("https://anchor.fm/datatalksclub/episodes/")
    (trailer,) = result.unmatched_items
    assert trailer.item.episode_type == "trailer"
    assert "no episode file has anchor id e2h5k1a (from the item link)" in trailer.reason
    (missing,) = result.unmatched_episodes
    assert missing.slug == "data-contracts-in-practice"
    assert "no ids.anchor or links.anchor" in missing.reason
    assert not result.ambiguous


def _episode(slug, title, short=None, ids=(), links=(), guid=None) -> Episode:
    return Episode(
        path=Path(f"{slug}.md"),
        slug=slug,
        title=title,
        short=short,
        ids=tuple(ids),
        links=tuple(links),
        guid=guid,
        pub_date=datetime(2024, 1, 1, tzinfo=UTC),
    )


def _item(position, title, link=None, guid=None) -> ParsedItem:
    return ParsedItem(
        guid=guid or f"guid-{position}",
        title=title,
        link=link,
        enclosure_url=f"https://cdn.example.org/{position}.mp3",
        position=position,
    )


def test_two_episode_files_with_one_anchor_id_are_ambiguous_not_guessed():
    link = "https://podcasters.spotify.com/pod/show/s/episodes/Talk-e2abc12"
    episodes = [
        _episode("talk", "Talk", ids=[("anchor", "Talk-e2abc12")]),
        _episode("talk-copy", "Talk (copy)", links=[("anchor", link)]),
    ]
    result = match_items(episodes, [_item(0, "Talk", link)])
    assert not result.matches and not result.unmatched_items and not result.unmatched_episodes
    (amb,) = result.ambiguous
    assert (amb.matched_by, amb.key, amb.slugs) == ("anchor-id", "e2abc12", ("talk", "talk-copy"))
    assert "fits 2 episode(s) talk, talk-copy and 1 host item(s) 'Talk' (guid guid-0)" in amb.describe()


def test_two_host_items_with_one_title_are_ambiguous():
    result = match_items([_episode("qa", "Q&A")], [_item(0, "Q & A"), _item(1, "q&a")])
    assert not result.matches
    assert result.ambiguous[0].matched_by == "title" and len(result.ambiguous[0].items) == 2


def test_exact_title_wins_over_a_stem_and_short_is_tried():
    episodes = [_episode("office-hours-a", "Office Hours - Anna"), _episode("office-hours", "Office hours")]
    items = [_item(0, "Office Hours - Anna"), _item(1, "Office Hours - Ben")]
    result = match_items(episodes, items)
    assert {(m.slug, m.item.position, m.matched_by) for m in result.matches} == {
        ("office-hours-a", 0, "title"),
        ("office-hours", 1, "title-stem"),
    }
    short = match_items(
        [_episode("long", "A Very Long SEO Title", short="Data Mesh")], [_item(0, "Data mesh!")]
    )
    assert short.matches[0].matched_by == "title"


def test_anchor_id_beats_a_misleading_title():
    episodes = [_episode("real", "Something else", ids=[("anchor", "x-e1aaaa1")]), _episode("decoy", "Talk")]
    items = [_item(0, "Talk", "https://anchor.fm/s/episodes/Talk-e1aaaa1")]
    result = match_items(episodes, items)
    assert [(m.slug, m.matched_by) for m in result.matches] == [("real", "anchor-id")]
    assert [u.slug for u in result.unmatched_episodes] == ["decoy"]


def test_unmatched_reasons_say_what_was_tried_and_what_is_close():
    episodes = [_episode("gone", "Feature Stores in Practice", ids=[("anchor", "Feature-Stores-e2zzz99")])]
    items = [_item(0, "Feature Stores in Practise")]
    result = match_items(episodes, items)
    reason = result.unmatched_episodes[0].reason
    assert "anchor id e2zzz99 (ids.anchor) is in no host item" in reason
    assert "closest: host item 'Feature Stores in Practise'" in reason
    assert "closest: gone.md 'Feature Stores in Practice'" in result.unmatched_items[0].reason


def test_anchor_id_ignores_the_audio_id_that_may_follow_it():
    # six corpus episodes carry ids.anchor with Anchor's audio id appended: the episode id is the stable one
    assert (
        anchor_id_from_episode_field(
            "datatalksclub/episodes/Large-Hadron-Collider-and-Mentorship--Anastasia-Karavdina-e2rc2bj/a-abl5fth"
        )
        == "e2rc2bj"
    )
    assert anchor_id_from_episode_field("Lessons-Learned---Alexander-Hendorf-e1milm0/a-a8d08ua") == "e1milm0"
    assert anchor_id_from_url("https://anchor.fm/show/episodes/Title-e1abcd/a-a1b2c3") == "e1abcd"
