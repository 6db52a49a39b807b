"""A guest id names a profile file in the people folder; it is never a path."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedtool.cli import main
from feedtool.read.episodes import read_episodes
from feedtool.read.people import PeopleDirectory, guest_id_problem

EPISODE = """---
title: "A Visit"
dateadded: 2024-02-01
season: 1
episode: 3
audio:
  url: https://media.example.org/visit.mp3
  length: 1000
guests:
  - janedoe
  - {guest}
---

Show notes.
"""


@pytest.fixture
def outside_profile(show: Path) -> Path:
    """A profile a hostile episode wants read: beside the people folder, not in it."""
    elsewhere = show / "elsewhere"
    elsewhere.mkdir()
    profile = elsewhere / "person.md"
    profile.write_text('---\ntitle: "Outside Person"\nweb: https://outside.example/\n---\n')
    return profile


def _episode(show: Path, guest: str) -> Path:
    path = show / "episodes" / "s01e03-a-visit.md"
    path.write_text(EPISODE.format(guest=guest), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "guest, why",
    [
        ("../elsewhere/person", "path separator"),
        ("{absolute}", "path separator"),
        ("..", "'..'"),
        ("~root", "starts with '~'"),
        ("..\\\\elsewhere\\\\person", "path separator"),
        ('"jane\\0doe"', "NUL"),
        ("symlinked", "resolves outside the people folder"),
    ],
)
def test_a_path_as_guest_id_is_an_error_and_the_file_is_never_read(show, outside_profile, guest, why):
    (show / "people" / "symlinked.md").symlink_to(outside_profile)
    guest = guest.replace("{absolute}", str(outside_profile.with_suffix("")))
    path = _episode(show, guest)
    people = PeopleDirectory(show / "people")
    read = read_episodes(show / "episodes", people)
    problems = [p for p in read.problems if p.path == str(path)]
    assert [p.field for p in problems if p.is_error] == ["guests[1]"], problems
    problem = next(p for p in problems if p.field == "guests[1]")
    assert problem.line == 11  # the line of the list item
    assert why in problem.message and "is not a guest id" in problem.message
    assert "profile file in the people folder without .md" in problem.message  # what to do
    assert path in read.failed
    assert outside_profile not in people.consulted and outside_profile.resolve() not in people.consulted
    assert all(p.parent == show / "people" for p in people.consulted)


def test_the_build_fails_and_publishes_nothing_from_outside(show, outside_profile, capsys):
    _episode(show, "../elsewhere/person")
    args = ["build", "--config", str(show / "config" / "podcast.yaml"), "--episodes", str(show / "episodes")]
    assert main([*args, "--out", str(show / "public")]) == 1
    err = capsys.readouterr().err
    assert "s01e03-a-visit.md:11: error: guests[1]: '../elsewhere/person' is not a guest id" in err
    assert main([*args, "--out", str(show / "public"), "--skip-invalid"]) == 0
    published = b"".join(p.read_bytes() for p in (show / "public").rglob("*") if p.is_file())
    assert b"Outside Person" not in published and b"outside.example" not in published
    assert b"Jane Doe" in published  # the other episodes and their guests are unaffected


def test_the_directory_refuses_such_ids_on_its_own(show, outside_profile):
    """Defence in depth: whoever asks, ``get`` never opens a file for an id that is a path."""
    people = PeopleDirectory(show / "people")
    for guest in ("../elsewhere/person", str(outside_profile.with_suffix(""))):
        assert people.get(guest) == (None, [])
    assert people.consulted == []
    assert people.get("janedoe")[0].name == "Jane Doe"


@pytest.mark.parametrize("name", ["janedoe", "jane-doe", "jane.doe", "jane_doe_2", "Jürgen"])
def test_ordinary_ids_pass(name):
    assert guest_id_problem(name) is None


def test_without_a_people_folder_a_path_is_still_not_an_id(show):
    path = _episode(show, "../elsewhere/person")
    read = read_episodes(show / "episodes", None)
    assert [p.field for p in read.problems if p.path == str(path) and p.is_error] == ["guests[1]"]
