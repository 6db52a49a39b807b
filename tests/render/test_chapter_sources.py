"""Which list the chapters come from (``chapters.source``), on real corpus episodes.

``tests/fixtures/corpus`` holds two files copied from the show's corpus:
``analytics-engineer-skills-tools.md`` (the markers open with "Podcast Introduction" at 0,
which no header names) and ``practical-llm-engineering-and-rag.md`` (marker names and header
names are two different lists: 2 of 25 match).
"""

import itertools
import json

import pytest
import yaml
from conftest import FIXTURES

from feedtool.config import parse_config
from feedtool.errors import ConfigError
from feedtool.model import ChapterMarker
from feedtool.model import TranscriptHeader as H
from feedtool.publish.build import build
from feedtool.read.episodes import read_episode
from feedtool.render import chapters as ch
from tests.render.test_chapters import L, episode, starts

CORPUS_FILES = FIXTURES / "corpus"
OPENING = CORPUS_FILES / "analytics-engineer-skills-tools.md"
MISMATCHED = CORPUS_FILES / "practical-llm-engineering-and-rag.md"


def corpus_episode(path):
    e, problems = read_episode(path)
    assert e is not None, problems
    return e


def test_an_opening_marker_no_header_names_becomes_the_first_chapter():
    e = corpus_episode(OPENING)
    auto, problems = ch.derive_chapters(e)
    headers, header_problems = ch.derive_chapters(e, "headers")
    assert [(c.title, c.start) for c in auto[:2]] == [
        ("Podcast Introduction", 0),
        ("Guest Introduction: Victoria Perez Mola overview", 108),
    ]
    assert auto[0].end == 108
    assert auto[1:] == headers  # every header chapter is kept as it was
    assert headers[0].start == 108
    # the existing warnings stay: the same header is still left out in both
    assert [p.message for p in problems] == [p.message for p in header_problems]


def test_mismatched_lists_take_the_markers_with_a_note():
    e = corpus_episode(MISMATCHED)
    chapters, problems = ch.derive_chapters(e)
    assert [c.title for c in chapters] == [m.name.strip() for m in sorted(e.markers, key=lambda m: m.start)]
    assert len(chapters) == 25
    (note,) = [p for p in problems if "quotableClips are the chapter list" in p.message]
    assert "only 2 of 25" in note.message and not note.is_error and note.path == str(MISMATCHED)
    headers, _ = ch.derive_chapters(e, "headers")
    assert len(headers) == 22 and headers[0].title.startswith("Episode Introduction")
    markers, marker_problems = ch.derive_chapters(e, "markers")
    assert markers == chapters and not [p for p in marker_problems if "chapter list" in p.message]


@pytest.mark.parametrize("path", [OPENING, MISMATCHED])
@pytest.mark.parametrize("source", ch.SOURCES)
def test_starts_strictly_increase_whatever_the_source(path, source):
    chapters, _ = ch.derive_chapters(corpus_episode(path), source)
    assert all(a.start < b.start for a, b in itertools.pairwise(chapters))


def test_an_extra_marker_goes_between_the_headers_by_its_start():
    e = episode(
        [H("A"), L(10), H("B"), L(500)],
        [ChapterMarker("A", 0), ChapterMarker("B", 500), ChapterMarker("Ad break", 300)],
    )
    assert starts(e) == [("A", 0), ("Ad break", 300), ("B", 500)]
    assert (
        ch.derive_chapters(e, "headers")[0] == ch.derive_chapters(episode([H("A"), L(10), H("B"), L(500)]))[0]
    )


def test_an_extra_marker_at_a_headers_start_is_left_out_with_a_warning():
    e = episode(
        [H("A"), L(10), H("B"), L(500)],
        [ChapterMarker("A", 0), ChapterMarker("B", 500), ChapterMarker("X", 500)],
    )
    chapters, problems = ch.derive_chapters(e)
    assert [(c.title, c.start) for c in chapters] == [("A", 0), ("B", 500)]
    (p,) = problems
    assert p.message.startswith("quotableClips entry 'X': would start at")


def test_markers_source_without_markers_uses_the_headers():
    e = episode([H("A"), L(10), H("B"), L(500)])
    assert ch.derive_chapters(e, "markers")[0] == ch.derive_chapters(e)[0]


def test_an_unknown_source_is_a_programming_error():
    with pytest.raises(ValueError):
        ch.derive_chapters(episode(), "both")


BASE = yaml.safe_load((FIXTURES / "show" / "config" / "podcast.yaml").read_text())


def test_chapters_source_is_read_and_checked_at_load(tmp_path):
    assert parse_config(BASE, tmp_path / "p.yaml").chapters_source == "auto"
    assert (
        parse_config({**BASE, "chapters": {"source": "markers"}}, tmp_path / "p.yaml").chapters_source
        == "markers"
    )
    for bad, says in (
        ({"source": "both"}, "chapters.source"),
        ({"sorce": "auto"}, "did you mean 'source'"),
        ("auto", "chapters"),
    ):
        with pytest.raises(ConfigError) as info:
            parse_config({**BASE, "chapters": bad}, tmp_path / "p.yaml")
        assert any(says in str(p) for p in info.value.problems), info.value.problems


@pytest.mark.parametrize(
    ("source", "first"), [("auto", "Podcast Kickoff"), ("headers", "Episode Introduction")]
)
def test_the_build_writes_the_chapters_of_the_configured_source(show, tmp_path, source, first):
    (show / "episodes" / MISMATCHED.name).write_text(MISMATCHED.read_text())
    config = parse_config({**BASE, "chapters": {"source": source}}, show / "config" / "podcast.yaml")
    build(config, show / "episodes", tmp_path / "out", use_cache=False)
    doc = json.loads((tmp_path / "out" / "chapters" / f"{MISMATCHED.stem}.json").read_text())
    assert doc["chapters"][0]["title"].startswith(first)
