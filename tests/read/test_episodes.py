from pathlib import Path

from conftest import FIXTURES

from feedtool.model import Severity, TranscriptHeader, TranscriptLine
from feedtool.read.episodes import read_episode, read_episodes
from feedtool.read.people import PeopleDirectory

BAD = FIXTURES / "bad"
SHOW = FIXTURES / "show"


def problems_of(name):
    episode, problems = read_episode(BAD / name)
    return episode, {(p.field, p.line): p for p in problems}


def test_reads_fixture_episode_fully():
    people = PeopleDirectory(SHOW / "people", "https://show.example.org/")
    e, problems = read_episode(SHOW / "episodes" / "s01e01-first-steps.md", people)
    assert problems == []
    assert e.slug == "s01e01-first-steps" and e.season == 1 and e.episode == 1
    assert e.duration == 600
    assert e.pub_date.isoformat() == "2021-05-14T00:00:00+00:00"
    assert e.link("youtube") == "https://www.youtube.com/watch?v=abc123XYZ_0"
    assert e.missing_links == ("apple",)
    assert e.audio.url == "https://media.example.org/custom/first.mp3" and e.audio.length == 1234567
    assert [g.name for g in e.guests] == ["Jane Doe"]
    assert e.guests[0].img == "https://show.example.org/images/authors/janedoe.jpg"
    assert ("linkedin", "https://www.linkedin.com/in/janedoe") in e.guests[0].links
    assert isinstance(e.transcript[0], TranscriptHeader)
    untimed = [r for r in e.transcript if isinstance(r, TranscriptLine) and r.sec is None]
    assert [r.text for r in untimed] == ["By accident."]
    # kramdown attribute lists are dropped, links collected in order
    assert "{:" not in e.body_html and 'href="https://janedoe.example.org/blog"' in e.body_html
    assert e.body_links == ("https://janedoe.example.org/blog", "https://books.example.org/data-book")


def test_quoted_date_and_todo_and_empty_links():
    e, problems = read_episode(SHOW / "episodes" / "s01e02-markers-only.md")
    assert problems == []
    assert e.pub_date.date().isoformat() == "2021-06-01"
    assert e.missing_links == ("anchor", "apple", "spotify")
    assert [m.name for m in e.markers] == ["Second part", "Opening"]


def test_yaml_syntax_error_names_the_line():
    e, problems = problems_of("yaml-syntax.md")
    assert e is None
    (p,) = problems.values()
    assert p.field == "front matter" and "YAML syntax error" in p.message and p.line in (2, 3, 4)


def test_every_problem_in_a_file_is_reported_with_field_and_line():
    e, problems = problems_of("wrong-types.md")
    assert e is None
    fields = dict(problems.keys())
    assert fields["season"] == 3
    assert fields["episode"] == 4
    assert fields["dateadded"] == 5
    assert fields["duration"] == 6
    assert fields["links"] == 8
    assert fields["transcript[1].sec"] == 11
    assert fields["transcript[2]"] == 13
    assert "not a date" in problems[("dateadded", 5)].message
    assert all(p.is_error for p in problems.values())


def test_missing_title_is_an_error():
    e, problems = problems_of("no-title.md")
    assert e is None and ("title", None) in problems


def test_control_characters_are_removed_and_reported_by_field():
    e, problems = problems_of("control-chars.md")
    assert e is not None
    assert e.title == "Bell  in title" and e.short == "tab\tok, vt  not"
    assert problems[("title", 2)].severity is Severity.WARNING
    assert "U+0007" in problems[("title", 2)].message
    assert ("short", 4) in problems
    assert ("body", 6) in problems and "\x0b" not in e.body_html


def test_missing_front_matter():
    e, problems = problems_of("no-front-matter.md")
    assert e is None and "does not start with a '---'" in problems[("front matter", 1)].message


def test_unknown_field_is_a_warning_with_hint():
    e, problems = problems_of("good.md")
    assert e is not None
    p = problems[("tittle", 4)]
    assert p.severity is Severity.WARNING and "did you mean 'title'" in p.message


def test_folder_run_reports_every_file_and_skips_drafts():
    result = read_episodes(BAD)
    failed = {p.name for p in result.failed}
    assert failed == {"yaml-syntax.md", "wrong-types.md", "no-title.md", "no-front-matter.md"}
    assert {e.slug for e in result.episodes} == {"good", "control-chars"}
    assert {Path(p.path).name for p in result.errors} == failed
    shows = read_episodes(SHOW / "episodes")
    assert [s.path.name for s in shows.skipped] == ["_template.md"]


def test_missing_guest_profile_is_a_warning(tmp_path):
    path = tmp_path / "ep.md"
    path.write_text("---\ntitle: T\ndateadded: 2021-01-01\nguests: [janedoe, nobody]\n---\n")
    e, problems = read_episode(path, PeopleDirectory(SHOW / "people"))
    assert [g.id for g in e.guests] == ["janedoe"]
    (p,) = problems
    assert p.field == "guests" and p.line == 4 and not p.is_error and "nobody.md" in p.message
