"""Build the whole real corpus when ../shared/corpus is present (skipped otherwise).

Prints every problem found as a readable list (run with -s to see it) and
checks the invariants that must hold whatever the data's mess.
"""

from __future__ import annotations

import io
from collections import Counter

import podcastparser
import pytest
from conftest import CORPUS, REPO

from feedtool.config import load_config
from feedtool.publish.build import check_feed, prepare_build

pytestmark = pytest.mark.skipif(not (CORPUS / "episodes").is_dir(), reason=f"corpus not found at {CORPUS}")


@pytest.fixture(scope="module")
def corpus_build():
    config = load_config(REPO / "config" / "podcast.yaml")
    return prepare_build(config, CORPUS / "episodes", skip_invalid=True)


def test_corpus_builds_and_every_problem_is_listed(corpus_build):
    out = corpus_build
    by_kind = Counter((p.severity.value, p.field.split("[")[0]) for p in out.problems)
    print(
        f"\n{len(out.items)} episodes in the feed, {len(out.left_out)} left out, {len(out.skipped)} skipped"
    )
    for (severity, field), count in sorted(by_kind.items()):
        print(f"  {count:4d} {severity}: {field}")
    for problem in out.problems:
        print(f"  {problem}")
    n_files = len(list((CORPUS / "episodes").glob("*.md")))
    assert len(out.items) + len(out.left_out) + len(out.skipped) == n_files
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
