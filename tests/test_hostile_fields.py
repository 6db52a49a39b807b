"""Issue 9, cases 14, 16 and 17 in the episode files: every field's error leaves the episode
out like any other (and fails ``feedtool chapters``), output URLs percent-encode the slug, a
value that is not text is never published as its Python spelling (``['a']``), and guests
without a people folder are a warning naming the path."""

from __future__ import annotations

import shutil
from urllib.parse import unquote

import pytest
from hostilesupport import HOSTILE, add_episode, assert_clean, build, line_of, published
from lxml import etree

from feedtool.read.episodes import read_episode
from feedtool.read.people import load_person
from feedtool.rss.namespaces import PODCAST_NS

DETAILS = HOSTILE / "details"

# (fixture, the field whose error must leave the episode out)
DETAIL_CASES = [
    ("short-wrong-type.md", "short"),
    ("intro-wrong-type.md", "intro"),
    ("description-wrong-type.md", "description"),
    ("topics-wrong-type.md", "topics"),
    ("keywords-wrong-type.md", "keywords"),
]


@pytest.mark.parametrize(("fixture", "field"), DETAIL_CASES, ids=[c[1] for c in DETAIL_CASES])
def test_an_error_in_any_field_leaves_the_episode_out_with_skip_invalid(run_cli, show, fixture, field):
    old_feed = published(run_cli, show)
    path = add_episode(show, DETAILS / fixture)
    where = f"{path}:{line_of(path, field + ':')}"
    code, _, err = build(run_cli, show)
    assert code == 1 and f"{where}: error: {field}: must be" in err, err
    assert (show / "public" / "feed.xml").read_bytes() == old_feed

    code, out, err = build(run_cli, show, "--skip-invalid")
    assert code == 0, err
    assert "2 episodes" in out and "1 left out with errors" in out
    assert f"{where}: warning: {field}: must be" in err and "(left out: --skip-invalid)" in err
    assert b"hostile-details" not in (show / "public" / "feed.xml").read_bytes()


@pytest.mark.parametrize(("fixture", "field"), DETAIL_CASES, ids=[c[1] for c in DETAIL_CASES])
def test_chapters_exits_1_when_it_prints_an_error(run_cli, fixture, field):
    code, out, err = run_cli("chapters", DETAILS / fixture)
    assert code == 1
    assert f": error: {field}: " in err and out == ""


# (case, front-matter line, the field reported) values that used to be published as Python's repr
NOT_TEXT_CASES = [
    ("marker-name-a-list", "quotableClips:\n- name: [a]\n  startOffset: 0\n", "quotableClips[0].name"),
    ("speaker-a-list", "transcript:\n- line: Hi.\n  sec: 1\n  who: [a]\n", "transcript[0].who"),
    ("audio-type-a-list", "audio: {url: 'https://m.example.org/a.mp3', type: [a]}\n", "audio.type"),
]


@pytest.mark.parametrize(
    ("lines", "field"), [c[1:] for c in NOT_TEXT_CASES], ids=[c[0] for c in NOT_TEXT_CASES]
)
def test_a_value_that_is_not_text_is_an_error_not_its_python_spelling(tmp_path, lines, field):
    path = tmp_path / "e.md"
    path.write_text(f"---\ntitle: T\ndateadded: 2021-03-01\n{lines}---\n")
    episode, problems = read_episode(path)
    assert episode is None
    assert [p.field for p in problems if p.is_error] == [field]


def test_a_profile_whose_name_is_not_text_is_left_out_with_a_warning(tmp_path):
    (tmp_path / "jane.md").write_text("---\ntitle: [a]\n---\n")
    person, problems = load_person(tmp_path, "jane")
    assert person is None
    (problem,) = problems
    assert (problem.field, problem.line, problem.message) == ("title", 2, "must be text, not list")


def test_guests_without_a_people_folder_are_a_warning_naming_the_folder(run_cli, show):
    config = show / "config" / "podcast.yaml"
    config.write_text(config.read_text() + "people: ../no-such-people\n")
    code, _, err = build(run_cli, show)
    assert code == 0, err
    assert (
        f"{show / 'no-such-people'}: warning: people: the people folder does not exist: 1 guest(s) are "
        "published under their ids"
    ) in err


def test_no_warning_when_the_show_has_no_guests_and_no_people_folder(run_cli, show):
    shutil.rmtree(show / "people")
    (show / "episodes" / "s01e01-first-steps.md").write_text(
        (show / "episodes" / "s01e01-first-steps.md").read_text().replace("guests: [janedoe]\n", "")
    )
    code, _, err = build(run_cli, show)
    assert code == 0 and "people:" not in err, err


def test_chapter_and_transcript_urls_percent_encode_the_slug(run_cli, show):
    slug = 'a<b"c#d e'
    shutil.copyfile(show / "episodes" / "s01e01-first-steps.md", show / "episodes" / f"{slug}.md")
    (show / "episodes" / "s01e01-first-steps.md").unlink()
    code, _, err = build(run_cli, show)
    assert code == 0, err
    assert_clean(err)
    feed = etree.fromstring((show / "public" / "feed.xml").read_bytes())
    (item,) = [i for i in feed.iter("item") if i.findtext("title") == "First Steps in Data"]
    chapters = item.find(f"{{{PODCAST_NS}}}chapters").get("url")
    transcripts = [t.get("url") for t in item.iter(f"{{{PODCAST_NS}}}transcript")]
    encoded = "a%3Cb%22c%23d%20e"
    assert chapters == f"https://feeds.example.org/test/chapters/{encoded}.json"
    assert transcripts and all(f"/transcripts/{encoded}." in url for url in transcripts)
    # each URL names the file that was written
    assert (show / "public" / unquote(chapters.split("/test/", 1)[1])).is_file()
