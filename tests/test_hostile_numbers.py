"""Issue 9, cases 6 and 7: numbers no feed can carry (``.nan``, ``.inf``, 400 digits) and
scalars YAML cannot construct (``2021-02-30``, ``!!int seven``) are problems naming file,
line and field; they stopped the whole build, even with ``--skip-invalid``."""

from __future__ import annotations

import pytest
from hostilesupport import HOSTILE, add_episode, assert_clean, build, line_of, published

from feedtool.config import load_config
from feedtool.errors import ConfigError, MediaManifestError
from feedtool.read.episodes import read_episode
from feedtool.read.media_manifest import load_manifest

NUMBERS = HOSTILE / "numbers"
DATES = HOSTILE / "dates"

# (fixture, field, text on the line the problem names, part of the message)
BAD_NUMBERS = [
    ("sec-nan.md", "transcript[1].sec", "- line: Hello.", "must be a number of seconds >= 0, got nan"),
    ("sec-inf.md", "transcript[1].sec", "- line: Hello.", "must be a number of seconds >= 0, got inf"),
    ("sec-400-digits.md", "transcript[1].sec", "- line: Hello.", "must be a number of seconds"),
    ("time-400-digits.md", "transcript[1].time", "- line: Hello.", "is not a time such as 1:02:03"),
    ("start-offset-nan.md", "quotableClips[0].startOffset", "- name: Start", "must be seconds >= 0, got nan"),
    ("start-offset-inf.md", "quotableClips[0].startOffset", "- name: Start", "must be seconds >= 0, got inf"),
    ("duration-inf.md", "duration", "duration:", "inf is not a duration"),
    ("duration-nan.md", "duration", "duration:", "is not a duration"),
    ("duration-400-digits.md", "duration", "duration:", "is not a duration"),
    ("duration-huge-clock.md", "duration", "duration:", "too large to be a number of seconds"),
    ("audio-duration-nan.md", "audio.duration", "audio:", "is not a duration"),
]

BAD_SCALARS = [
    (
        "feb-30.md",
        "dateadded",
        "dateadded:",
        "'2021-02-30' is not a real date (day is out of range for month)",
    ),
    ("month-13.md", "dateadded", "dateadded:", "is not a real date (month must be in 1..12)"),
    ("hour-25.md", "dateadded", "dateadded:", "is not a real date (hour must be in 0..23)"),
    ("tagged-timestamp.md", "dateadded", "dateadded:", "'soon' is not readable as a date"),
    ("year-1-east-of-utc.md", "dateadded", "dateadded:", "the date is out of range"),
    ("season-5000-digits.md", "season", "season:", "must be a whole number greater than 0, got '1111"),
    ("tagged-int.md", "episode", "episode:", "must be a whole number greater than 0, got 'seven'"),
    ("tagged-bool.md", "explicit", "explicit:", "must be true or false, got 'maybe'"),
    ("tagged-float.md", "duration", "duration:", "'long' is not a duration"),
]


@pytest.mark.parametrize(
    ("folder", "fixture", "field", "needle", "message"),
    [pytest.param(NUMBERS, *case, id=case[0][:-3]) for case in BAD_NUMBERS]
    + [pytest.param(DATES, *case, id=case[0][:-3]) for case in BAD_SCALARS],
)
def test_a_value_no_feed_can_carry_is_a_problem_and_skip_invalid_leaves_the_episode_out(
    run_cli, show, folder, fixture, field, needle, message
):
    old_feed = published(run_cli, show)
    path = add_episode(show, folder / fixture)
    expected = f"{path}:{line_of(path, needle)}: error: {field}: "

    code, _, err = build(run_cli, show)
    assert code == 1, err
    assert_clean(err)
    (line,) = [x for x in err.splitlines() if x.startswith(expected)]
    assert message in line
    assert "nothing was published" in err
    assert (show / "public" / "feed.xml").read_bytes() == old_feed

    code, out, err = build(run_cli, show, "--skip-invalid")
    assert code == 0, err
    assert_clean(err)
    assert f"{path}:{line_of(path, needle)}: warning: {field}: " in err
    assert "2 episodes" in out and "1 left out with errors" in out


def test_an_end_offset_that_is_no_number_is_ignored_with_a_warning():
    path = NUMBERS / "end-offset-nan.md"
    episode, problems = read_episode(path)
    assert episode is not None and episode.markers[0].end is None
    (problem,) = problems
    assert (problem.field, problem.line, problem.is_error) == ("quotableClips[0].endOffset", 7, False)
    assert "got nan; ignored" in problem.message


def test_an_impossible_date_that_is_a_title_is_text():
    episode, problems = read_episode(DATES / "title-impossible-date.md")
    assert problems == [] and episode is not None
    assert episode.title == "2021-02-30"


@pytest.mark.parametrize(
    ("value", "message"),
    [(".nan", "must be a number of seconds >= 0, got nan"), ("-.inf", "must be a number of seconds >= 0")],
)
def test_a_media_manifest_duration_no_feed_can_carry_stops_with_its_line(tmp_path, value, message):
    (tmp_path / "media.yaml").write_text(
        f"version: 1\nepisodes:\n  some-slug:\n    url: https://m.example.org/a.mp3\n    duration: {value}\n"
    )
    with pytest.raises(MediaManifestError) as info:
        load_manifest(tmp_path)
    (problem,) = info.value.problems
    assert (problem.field, problem.line) == ("episodes.some-slug.duration", 5)
    assert message in problem.message


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ("links:\n  timeout: .nan\n", "links.timeout: expected a duration such as 20"),
        ("links:\n  timeout: .inf\n", "links.timeout: expected a duration such as 20"),
        ("links:\n  timeout: " + "9" * 400 + "\n", "links.timeout: expected a duration such as 20"),
        ("max_items: !!int many\n", "max_items: must be a whole number >= 1, got 'many'"),
    ],
    ids=["timeout-nan", "timeout-inf", "timeout-400-digits", "max-items-tagged"],
)
def test_config_numbers_no_timer_takes_are_config_errors(show, lines, problem):
    config = show / "config" / "podcast.yaml"
    config.write_text(config.read_text() + lines)
    with pytest.raises(ConfigError) as info:
        load_config(config)
    assert problem in str(info.value)


def test_an_impossible_date_in_the_config_is_read_as_text(show):
    config = show / "config" / "podcast.yaml"
    config.write_text(config.read_text() + "copyright: 2021-02-30\n")
    assert load_config(config).copyright == "2021-02-30"
