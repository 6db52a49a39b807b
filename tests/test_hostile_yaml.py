"""Issue 9, cases 8 and 21: YAML alias bombs are refused in well under a second wherever
feedtool reads YAML (episode, guest profile, config, media.yaml), and a key given twice is
a warning naming both lines, as are two episode files with one season and episode number."""

from __future__ import annotations

import re
import shutil
import time

import pytest
from hostilesupport import HOSTILE, add_episode, assert_clean, build, line_of, published

from feedtool.read import frontmatter
from feedtool.read.episodes import read_episode

BOMBS = HOSTILE / "yaml"
DUPLICATES = HOSTILE / "duplicates"

# (fixture, what the refusal says)
BOMB_CASES = [
    ("billion-laughs.yaml", "too many aliases"),
    ("flow-laughs.yaml", "too many aliases"),  # "a1":&a1 [...]: an anchor right after the colon
    ("merge-bomb.yaml", "too many aliases"),
    ("many-aliases.yaml", "too many aliases"),
    ("recursive-alias.yaml", "an alias (*name) refers to a value that contains it"),
    ("deep-nesting.yaml", "nested more than 64 levels deep"),
]


def _place(show, where, bomb):
    """Put the bomb's YAML where ``where`` says; returns (the file, the line its YAML starts on)."""
    if where == "episode":
        path = show / "episodes" / "bomb.md"
        path.write_text(f"---\ntitle: Bomb\ndateadded: 2021-03-01\n{bomb}---\nNotes.\n")
        return path, 4
    if where == "profile":
        path = show / "people" / "janedoe.md"
        path.write_text(f"---\ntitle: Jane Doe\n{bomb}---\n")
        return path, 3
    if where == "config":
        path = show / "config" / "podcast.yaml"
        text = path.read_text()
        path.write_text(text + bomb)
        return path, text.count("\n") + 1
    path = show / "episodes" / "media.yaml"
    path.write_text("version: 1\n" + bomb)
    return path, 2


@pytest.mark.parametrize("where", ["episode", "profile", "config", "media.yaml"])
@pytest.mark.parametrize(("fixture", "message"), BOMB_CASES, ids=[c[0][:-5] for c in BOMB_CASES])
def test_an_alias_bomb_is_refused_in_well_under_a_second_naming_file_and_line(
    run_cli, show, where, fixture, message
):
    old_feed = published(run_cli, show)
    bomb = (BOMBS / fixture).read_text()
    path, first = _place(show, where, bomb)
    started = time.perf_counter()
    code, _, err = build(run_cli, show)
    assert time.perf_counter() - started < 1.0
    assert_clean(err)
    assert code == {"episode": 1, "profile": 0, "config": 2, "media.yaml": 2}[where], err
    found = re.search(re.escape(str(path)) + r":(\d+): (?:error|warning): (?:front matter|file): (.*)", err)
    if where == "config":  # the config's own one-line form: FILE:LINE: message
        found = re.search(re.escape(str(path)) + r":(\d+): (.*)", err)
    assert found, err
    assert first <= int(found.group(1)) < first + bomb.count("\n")
    assert message in found.group(2)
    assert (show / "public" / "feed.xml").read_bytes() == old_feed or where == "profile"


def test_a_bomb_is_refused_before_anything_walks_it():
    """The check costs the size of the text, not of the expansion: 9^9 values are never built."""
    started = time.perf_counter()
    with pytest.raises(frontmatter.YAMLInputError) as info:
        frontmatter.load_yaml((BOMBS / "billion-laughs.yaml").read_text())
    assert time.perf_counter() - started < 0.1
    assert info.value.line == 5  # a4's fourth alias (of a3, 7,381 values) passes 100,000 repeated values


def test_aliases_within_the_limits_still_work():
    doc = frontmatter.load_yaml(
        "base: &base {type: audio/mpeg}\naudio:\n  <<: *base\n  url: https://x.example/a.mp3\n"
    )
    assert doc.data["audio"] == {"type": "audio/mpeg", "url": "https://x.example/a.mp3"}
    assert doc.duplicates == ()


# (fixture, field, text on the first line, text on the line whose value is used)
DUPLICATE_CASES = [
    ("title-twice.md", "title", "title: First title", "title: Second title"),
    ("nested-twice.md", "links.youtube", "v=first", "v=second"),
    ("transcript-row-twice.md", "transcript[1].sec", "sec: 1", "sec: 2"),
]


@pytest.mark.parametrize(("fixture", "field", "first", "used"), DUPLICATE_CASES)
def test_a_key_given_twice_in_an_episode_is_a_warning_naming_both_lines(fixture, field, first, used):
    path = DUPLICATES / fixture
    episode, problems = read_episode(path)
    assert episode is not None
    (problem,) = [p for p in problems if "given twice" in p.message]
    first_line, used_line = line_of(path, first), line_of(path, used)
    assert (problem.field, problem.line, problem.is_error) == (field, used_line, False)
    assert f"on lines {first_line} and {used_line}: the value on line {used_line} is used" in problem.message


def test_a_key_given_twice_in_the_config_media_yaml_or_a_profile_is_a_warning_of_the_build(run_cli, show):
    config = show / "config" / "podcast.yaml"
    config.write_text(config.read_text() + "author: Someone Else\n")
    profile = show / "people" / "janedoe.md"
    profile.write_text(profile.read_text().replace("web:", "linkedin: jane-again\nweb:", 1))
    media = show / "episodes" / "media.yaml"
    media.write_text(
        "version: 1\nepisodes:\n  s01e02-markers-only:\n    url: https://m.example.org/2.mp3\n"
        "    url: https://m.example.org/2b.mp3\n"
    )
    code, _, err = build(run_cli, show, "-v")  # -v: each warning on its own line
    assert code == 0, err
    author = line_of(config, "author: Test Host")
    again = line_of(config, "author: Someone Else")
    assert f"{config}:{again}: warning: author: given twice, on lines {author} and {again}" in err
    assert (
        f"{profile}:{line_of(profile, 'jane-again')}: warning: linkedin: given twice, on lines 5 and 6" in err
    )
    assert f"{media}:5: warning: episodes.s01e02-markers-only.url: given twice, on lines 4 and 5" in err


def test_two_files_with_one_season_and_episode_number_are_a_warning_naming_both(run_cli, show):
    first = show / "episodes" / "s01e01-first-steps.md"
    second = show / "episodes" / "s01e01-again.md"
    shutil.copyfile(first, second)
    text = (
        second.read_text()
        .replace("abc123XYZ_0", "other")
        .replace("e1abcd", "e9999")
        .replace("first.mp3", "again.mp3")
    )
    second.write_text(text)
    code, _, err = build(run_cli, show)
    assert code == 0, err
    assert (
        f"{first}: warning: episode: season 1 episode 1 is also the number of {second}: apps show both "
        "under one number; renumber one of them"
    ) in err


def test_an_episode_file_whose_bomb_is_in_the_body_is_only_text(run_cli, show):
    """Aliases after the front matter are Markdown, not YAML."""
    path = add_episode(show, DUPLICATES / "title-twice.md")
    path.write_text(path.read_text() + (BOMBS / "billion-laughs.yaml").read_text())
    episode, _problems = read_episode(path)
    assert episode is not None and "*a8" in episode.body_html
