"""Build the whole real corpus when ../shared/corpus is present (skipped otherwise).

Prints every problem found as a readable list (run with -s to see it) and
checks the invariants that must hold whatever the data's mess.
"""

from __future__ import annotations

import io
import shutil
import uuid
from collections import Counter
from email.utils import format_datetime

import podcastparser
import pytest
import yaml
from conftest import CORPUS, REPO, Route
from feedsupport import feed_xml, item_xml, set_config

from feedtool.config import load_config
from feedtool.publish.build import check_feed, prepare_build
from feedtool.read.episodes import read_episodes

pytestmark = pytest.mark.skipif(not (CORPUS / "episodes").is_dir(), reason=f"corpus not found at {CORPUS}")


@pytest.fixture(scope="module")
def corpus_build():
    config = load_config(REPO / "config" / "podcast.yaml")
    return prepare_build(config, CORPUS / "episodes", skip_invalid=True)


def test_corpus_builds_and_every_problem_is_listed(corpus_build):
    out = corpus_build
    by_kind = Counter((p.severity.value, p.field.split("[")[0]) for p in out.problems)
    print(
        f"\n{len(out.items)} episodes in the feed, {len(out.held_back)} held back, {len(out.left_out)} left out, "
        f"{len(out.skipped)} skipped"
    )
    for (severity, field), count in sorted(by_kind.items()):
        print(f"  {count:4d} {severity}: {field}")
    for problem in out.problems:
        print(f"  {problem}")
    n_files = len(list((CORPUS / "episodes").glob("*.md")))
    assert len(out.items) + len(out.held_back) + len(out.left_out) + len(out.skipped) == n_files
    assert len(out.items) >= 140
    assert not out.errors  # with --skip-invalid every error became a left-out warning
    # drafts start with "_" and are never in the feed
    assert all(not i.slug.startswith("_") for i in out.items)


def test_corpus_feed_is_valid_and_read_by_gpodder(corpus_build):
    problems = check_feed(corpus_build)
    assert not [p for p in problems if p.is_error], [str(p) for p in problems if p.is_error]
    parsed = podcastparser.parse("https://podcast.example.org/feed.xml", io.BytesIO(corpus_build.feed_xml))
    assert len(parsed["episodes"]) == len(corpus_build.items)
    for item, episode in zip(corpus_build.items, parsed["episodes"], strict=False):
        assert episode["guid"] == item.guid
        assert [c["start"] for c in episode.get("chapters", [])] == [int(c.start) for c in item.chapters]


def test_corpus_chapters_strictly_increase_and_guids_are_unique(corpus_build):
    guids = [i.guid for i in corpus_build.items]
    assert len(set(guids)) == len(guids)
    for item in corpus_build.items:
        starts = [c.start for c in item.chapters]
        assert starts == sorted(set(starts)), item.slug


# --- the corpus as a user builds it: a plain `feedtool build` ---------------------------------------


@pytest.fixture
def corpus_show(tmp_path):
    """The repo's config/ copied beside a state folder of the test's own (the corpus is read, never written)."""
    shutil.copytree(REPO / "config", tmp_path / "config")
    return tmp_path / "config" / "podcast.yaml"


def _held_back_files():
    """The corpus files no date can be found for without a host: no dateadded/date of their own."""
    read = read_episodes(CORPUS / "episodes")
    return sorted(e.path.name for e in read.episodes if e.pub_date is None)


def test_a_plain_build_publishes_the_corpus_and_names_its_held_back_episodes(corpus_show, tmp_path, run_cli):
    held = _held_back_files()
    code, stdout, err = run_cli(
        "build", "--config", corpus_show, "--episodes", CORPUS / "episodes", "--out", tmp_path / "public"
    )
    assert code == 0, err[-3000:]
    assert f"{len(held)} held back: no date" in stdout if held else "held back" not in stdout
    for name in held:
        assert f"{CORPUS / 'episodes' / name}: warning: dateadded: held back, not in the feed" in err
    print(f"\n{stdout.strip()}\nheld back: {', '.join(held)}")


def synthetic_host_feed(episodes) -> tuple[bytes, dict[str, int]]:
    """A host feed made from the corpus files as Anchor would serve it: each episode's Anchor link,
    a guid of the host's own, a date (made up for the files without one) and a sized enclosure.
    An episode without an Anchor id is matched by its title."""
    items, sizes = [], {}
    for n, episode in enumerate(sorted(episodes, key=lambda e: e.slug)):
        anchor = episode.link("anchor") or episode.id("anchor") or ""
        link = (
            anchor if "://" in anchor or not anchor else f"https://podcasters.spotify.com/pod/show/{anchor}"
        )
        when = episode.pub_date or _made_up_date(n)
        sizes[episode.slug] = 40_000_000 + n
        items.append(
            item_xml(
                guid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"host:{episode.slug}")),
                title=episode.title,
                url=f"https://anchor.fm/s/show/podcast/play/{n}/https%3A%2F%2Fcdn.host%2F{episode.slug}.mp3",
                length=sizes[episode.slug],
                date=format_datetime(when),
                duration=str(int(episode.duration)) if episode.duration else "3600",
                extra=f"<link>{link}</link>" if link else "",
            )
        )
    return feed_xml(*items), sizes


def _made_up_date(n):
    from datetime import UTC, datetime, timedelta

    return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n)


def test_with_a_host_feed_every_corpus_episode_is_published_with_a_real_size(
    corpus_show, tmp_path, run_cli, host_server
):
    read = read_episodes(CORPUS / "episodes")
    body, sizes = synthetic_host_feed(read.episodes)
    host_server.routes["/rss"] = Route(body=body)
    set_config(corpus_show, host_feed=host_server.url("/rss"))
    out = tmp_path / "public"
    code, stdout, err = run_cli(
        "build", "--config", corpus_show, "--episodes", CORPUS / "episodes", "--out", out
    )
    assert code == 0, err[-3000:]
    assert "held back" not in stdout
    feed = podcastparser.parse(
        "https://podcast.example.org/feed.xml", io.BytesIO((out / "feed.xml").read_bytes())
    )
    matched = [e for e in feed["episodes"] if e["enclosures"][0]["file_size"] > 0]
    assert len(matched) == len(sizes) == len(feed["episodes"])
    print(f"\nwith a host feed: {stdout.strip()}")
    # every item without a guid: of its own carries the host's: nobody gets a duplicate
    host_guids = {str(uuid.uuid5(uuid.NAMESPACE_URL, f"host:{slug}")) for slug in sizes}
    own = {e.guid for e in read.episodes if e.guid}
    assert {e["guid"] for e in feed["episodes"]} <= host_guids | own
    assert yaml.safe_load(corpus_show.read_text())["host_feed"] == host_server.url("/rss")
