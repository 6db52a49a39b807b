"""Speakers: sentences in ``who:`` (real corpus files), display names from the config, SRT prefixes."""

import json
import re

import pytest
import srt
import yaml
from conftest import FIXTURES

from feedtool.config import parse_config
from feedtool.errors import ConfigError
from feedtool.model import TranscriptLine
from feedtool.publish.build import build
from feedtool.read.episodes import read_episode
from feedtool.read.speakers import name_problem
from feedtool.render.speakers import with_display_names
from feedtool.render.transcripts import build_cues, to_json, to_srt, to_vtt

ACADEMIC = FIXTURES / "corpus" / "from-academic-research-to-data-engineering-freelancing.md"
MINDFUL = FIXTURES / "corpus" / "mindful-data-strategy-for-business-impact.md"
BASE = yaml.safe_load((FIXTURES / "show" / "config" / "podcast.yaml").read_text())


@pytest.mark.parametrize(
    "who",
    ["Alexey", "Alexey:", "Alexey.", "Dr. Jane Smith", "J. R. R. Tolkien", "Maria José García de la Cruz"],
)
def test_names_look_like_names(who):
    assert name_problem(who) is None


@pytest.mark.parametrize(
    ("who", "why"),
    [
        ("Quantifying the value changes the conversation drastically.", "7 words"),
        ("Yes, I agree.", "sentence punctuation"),
        ("Why not?", "sentence punctuation"),
        ("Sure thing. Thanks", "sentence punctuation"),
    ],
)
def test_sentences_do_not(who, why):
    assert name_problem(who) == why


def test_a_sentence_in_who_is_a_warning_with_file_and_line_and_the_previous_speaker_goes_on():
    e, problems = read_episode(ACADEMIC)
    assert e is not None
    (warning,) = [p for p in problems if p.field.endswith(".who")]
    assert not warning.is_error and warning.path == str(ACADEMIC)
    assert warning.message.startswith("'We had to learn it.") and "(26 words)" in warning.message
    # the row's line in the file
    assert ACADEMIC.read_text().splitlines()[warning.line - 1].startswith("- line: That’s one reason I left")
    speakers = {line.speaker for line in e.transcript if isinstance(line, TranscriptLine)}
    assert speakers == {"Alexey", "Orell", None}
    cues = build_cues(e)
    (cue,) = [c for c in cues if c.text.startswith("That’s one reason I left academia")]
    assert cue.speaker == "Alexey" and cue.start == 934  # the speaker before it
    assert all(len((c.speaker or "").split()) <= 2 for c in cues)
    assert set(re.findall(r"<v ([^>]*)>", to_vtt(cues))) == {"Alexey", "Orell"}
    assert all("We had" not in s.get("speaker", "") for s in json.loads(to_json(cues))["segments"])


def test_the_seven_word_sentence_is_caught_too():
    e, problems = read_episode(MINDFUL)
    assert e is not None
    (warning,) = [p for p in problems if p.field.endswith(".who")]
    assert "'Quantifying the value changes the conversation drastically.'" in warning.message


def test_every_srt_cue_starts_with_its_speaker():
    e, _ = read_episode(ACADEMIC)
    assert e is not None
    subs = list(srt.parse(to_srt(build_cues(e))))
    assert len(subs) > 100
    for sub in subs:
        assert sub.content.split(": ", 1)[0] in {"Alexey", "Orell"}, sub.content
        lines = sub.content.split("\n")
        assert len(lines) <= 2 and all(len(x) <= 32 for x in lines), sub.content


def test_display_names_map_raw_names():
    e, _ = read_episode(ACADEMIC)
    assert e is not None
    named = with_display_names(e, {"Alexey": "Alexey Grigorev"})
    assert {c.speaker for c in build_cues(named)} == {"Alexey Grigorev", "Orell"}
    assert with_display_names(e, {}) is e and with_display_names(e, {"Nobody": "X"}) is e


def test_speakers_config_is_read_and_checked(tmp_path):
    config = parse_config({**BASE, "speakers": {"Alexey:": "Alexey Grigorev"}}, tmp_path / "p.yaml")
    assert config.speakers == (("Alexey", "Alexey Grigorev"),)
    for bad in ({"Alexey": None}, {"Alexey": ["x"]}, ["Alexey"]):
        with pytest.raises(ConfigError) as info:
            parse_config({**BASE, "speakers": bad}, tmp_path / "p.yaml")
        assert any("speakers" in p.field for p in info.value.problems), info.value.problems


def test_the_build_writes_display_names_into_every_transcript(show, tmp_path):
    (show / "episodes" / ACADEMIC.name).write_text(ACADEMIC.read_text())
    data = {**BASE, "speakers": {"Orell": "Orell Garten"}}
    config = parse_config(data, show / "config" / "podcast.yaml")
    build(config, show / "episodes", tmp_path / "out")
    folder = tmp_path / "out" / "transcripts"
    assert "<v Orell Garten>" in (folder / f"{ACADEMIC.stem}.vtt").read_text()
    assert "\nOrell Garten: " in (folder / f"{ACADEMIC.stem}.srt").read_text()
    segments = json.loads((folder / f"{ACADEMIC.stem}.json").read_text())["segments"]
    assert {s["speaker"] for s in segments} == {"Alexey", "Orell Garten"}
    # the cache knows the names shape the transcripts: a new mapping is not served stale
    config = parse_config({**data, "speakers": {"Orell": "O. Garten"}}, show / "config" / "podcast.yaml")
    build(config, show / "episodes", tmp_path / "out")
    assert "<v O. Garten>" in (folder / f"{ACADEMIC.stem}.vtt").read_text()
