"""Transcript cues and the WebVTT / SRT / JSON formatters."""

from __future__ import annotations

import itertools
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import srt
import webvtt

from feedtool import timeutil
from feedtool.model import Episode, TranscriptHeader, TranscriptLine
from feedtool.read import episodes as reader
from feedtool.read import frontmatter
from feedtool.render.transcripts import (
    Cue,
    build_cues,
    has_transcript,
    out_of_order_lines,
    to_json,
    to_srt,
    to_vtt,
)

HERE = Path(__file__).parent
CORPUS = Path(os.environ.get("FEEDTOOL_CORPUS", "/work/shared/corpus")) / "episodes"


def episode(*rows, duration: float | None = None) -> Episode:
    return Episode(
        path=Path("x.md"),
        slug="x",
        title="x",
        pub_date=datetime(2024, 1, 1, tzinfo=UTC),
        transcript=tuple(rows),
        duration=duration,
    )


def line(text: str, sec: float | None = None, who: str | None = None) -> TranscriptLine:
    return TranscriptLine(text, sec, who)


def read_fixture() -> Episode:
    ep, problems = reader.read_episode(HERE / "episodes" / "small-talk.md")
    assert ep is not None, problems
    return ep


# ------------------------------------------------------------------ cues


def test_fixture_cues_fold_untimed_lines_and_skip_headers():
    cues = build_cues(read_fixture())
    assert cues == (
        Cue(0.0, 4.0, "Alexey", "Hi & welcome to <the> show."),
        Cue(4.0, 12.0, "Maria", "Glad to be here. This line has no time and continues Maria's turn."),
        Cue(12.0, 20.0, "Alexey", "Let's start."),
        Cue(20.0, 90.0, "Maria", "Sure."),  # last cue ends at the episode duration
    )


def test_untimed_line_before_first_timed_line_folds_into_it():
    cues = build_cues(episode(line("Before any time.", None, "A"), line("Timed.", 5, "A"), duration=10))
    assert cues == (Cue(5.0, 10.0, "A", "Before any time. Timed."),)


def test_untimed_line_of_another_speaker_shares_the_span_by_characters():
    cues = build_cues(episode(line("a" * 30, 0, "A"), line("b" * 10, None, "B"), line("next", 8, "A")))
    assert [(c.start, c.end, c.speaker, c.text) for c in cues[:2]] == [
        (0.0, 6.0, "A", "a" * 30),
        (6.0, 8.0, "B", "b" * 10),
    ]


def test_lines_with_the_same_start_share_its_span():
    cues = build_cues(episode(line("one two", 10, "A"), line("three four", 10, "B"), line("x", 20, "A")))
    assert cues[0].start == 10.0 and cues[0].end == cues[1].start and cues[1].end == 20.0
    assert cues[0].end < cues[1].end


def test_headers_only_or_untimed_only_means_no_transcript():
    ep = episode(TranscriptHeader("Intro"), line("no time", None, "A"))
    assert not has_transcript(ep)
    assert build_cues(ep) == ()
    assert not has_transcript(episode())


def test_late_slip_is_treated_as_untimed():
    ep = episode(
        line("a", 10, "A"),
        line("b", 20, "A"),
        line("slip", 500, "B"),
        line("c", 30, "A"),
        line("d", 40, "B"),
        duration=60,
    )
    cues = build_cues(ep)
    assert [c.start for c in cues] == [10.0, 20.0, pytest.approx(20 + 10 * 1 / 5), 30.0, 40.0]
    assert out_of_order_lines(ep) == (ep.transcript[2],)


def test_early_slip_is_treated_as_untimed():
    ep = episode(
        line("a", 10, "A"), line("b", 20, "A"), line("slip", 5, "A"), line("c", 30, "A"), duration=60
    )
    cues = build_cues(ep)
    assert [(c.start, c.end, c.text) for c in cues] == [
        (10.0, 20.0, "a"),
        (20.0, 30.0, "b slip"),
        (30.0, 60.0, "c"),
    ]
    assert out_of_order_lines(ep) == (ep.transcript[2],)


def test_last_cue_without_usable_duration_gets_an_estimate():
    text = "word " * 30  # 149 characters after cleaning -> about 10 s at 15 chars/s
    no_duration = build_cues(episode(line(text, 100, "A")))
    assert no_duration[-1].end == pytest.approx(100 + 149 / 15, abs=0.001)
    shorter_duration = build_cues(episode(line("Hi.", 100, "A"), duration=90))
    assert shorter_duration[-1].end == 102.0  # the 2 s minimum


def test_speaker_colon_is_dropped():
    assert build_cues(episode(line("x", 0, "Alexey:")))[0].speaker == "Alexey"


# ------------------------------------------------------------------ WebVTT


def test_vtt_exact_output_for_fixture():
    assert to_vtt(build_cues(read_fixture())) == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:04.000\n<v Alexey>Hi &amp; welcome to &lt;the&gt; show.\n\n"
        "00:00:04.000 --> 00:00:12.000\n<v Maria>Glad to be here. This line has no time and continues Maria's\nturn.\n\n"
        "00:00:12.000 --> 00:00:20.000\n<v Alexey>Let's start.\n\n"
        "00:00:20.000 --> 00:01:30.000\n<v Maria>Sure.\n"
    )


def test_vtt_escapes_speaker_and_text_and_parses():
    cues = (Cue(0, 3723.5, "Tom & <Jerry>", "a -> b & c < d"),)
    text = to_vtt(cues)
    assert "<v Tom &amp; &lt;Jerry&gt;>a -&gt; b &amp; c &lt; d" in text
    assert "00:00:00.000 --> 01:02:03.500" in text
    (caption,) = webvtt.from_string(text)
    assert caption.voice == "Tom &amp; &lt;Jerry&gt;"
    assert caption.end == "01:02:03.500"


def test_vtt_splits_long_cue_into_readable_screens():
    sentence = "This is a sentence of moderate length that keeps going on. "
    long_word = "https://example.org/" + "x" * 70
    cue = Cue(10.0, 70.0, "A", (sentence * 8) + long_word + " " + sentence)
    captions = list(webvtt.from_string(to_vtt((cue,))))
    assert len(captions) > 4
    assert captions[0].start_in_seconds == 10 and captions[-1].end_in_seconds == 70
    for previous, current in itertools.pairwise(captions):
        assert previous.end == current.start  # contiguous, non-decreasing
    for caption in captions:
        assert caption.voice == "A"
        lines = caption.text.split("\n")
        assert len(lines) <= 2
        assert all(len(x) <= 65 or x == long_word for x in lines)
        assert caption.end_in_seconds > caption.start_in_seconds or caption.end > caption.start
    # sentences are not cut when they fit on a screen
    assert all(c.text.replace("\n", " ").endswith(".") or long_word in c.text for c in captions)


def test_vtt_never_emits_zero_length_cues_for_a_tiny_span():
    cue = Cue(1.0, 1.003, None, "word " * 200)
    captions = list(webvtt.from_string(to_vtt((cue,))))
    assert len(captions) == 3
    assert all(c.start < c.end for c in captions)


# ------------------------------------------------------------------ SRT


def test_srt_numbers_prefixes_speaker_changes_and_parses():
    cues = (
        Cue(0, 5, "Alexey", "Hello there, how are you doing today my friend?"),
        Cue(5, 9, "Alexey", "Still me."),
        Cue(9, 12, "Maria", "Fine."),
    )
    text = to_srt(cues)
    subs = list(srt.parse(text))
    assert [s.index for s in subs] == list(range(1, len(subs) + 1))
    assert subs[0].content.startswith("Alexey: Hello")
    # every cue names its speaker: readers take a leading "word: " as the speaker
    assert all(s.content.startswith("Alexey: ") for s in subs[:-1])
    assert subs[-1].content == "Maria: Fine."
    assert "00:00:05,000 --> 00:00:09,000" in text
    for sub in subs:
        lines = sub.content.split("\n")
        assert len(lines) <= 2 and all(len(x) <= 32 for x in lines)
        assert sub.end > sub.start


# ------------------------------------------------------------------ JSON


def test_json_exact_output():
    cues = (Cue(0.0, 4.5, "Alexey", "Hi & “welcome”"), Cue(4.5, 6.25, None, "untitled"))
    assert to_json(cues) == (
        '{\n  "version": "1.0.0",\n  "segments": [\n'
        '    {\n      "speaker": "Alexey",\n      "startTime": 0.0,\n      "endTime": 4.5,\n'
        '      "body": "Hi & “welcome”"\n    },\n'
        '    {\n      "startTime": 4.5,\n      "endTime": 6.25,\n      "body": "untitled"\n    }\n  ]\n}\n'
    )


def test_output_is_deterministic():
    ep = read_fixture()
    assert to_json(build_cues(ep)) == to_json(build_cues(read_fixture()))
    assert to_vtt(build_cues(ep)) == to_vtt(build_cues(read_fixture()))


# ------------------------------------------------------------------ real corpus


def _corpus_episode(path: Path) -> Episode:
    """The reader rejects some corpus files for reasons that don't touch the
    transcript (no publication date); read their transcript rows anyway."""
    ep, _ = reader.read_episode(path)
    if ep is not None:
        return ep
    doc = frontmatter.load(path.read_text(encoding="utf-8"))
    rows = reader._transcript(doc.data, reader._FileProblems(path, doc))
    duration = doc.data.get("duration")
    return episode(*rows, duration=None if reader.is_absent(duration) else timeutil.parse_duration(duration))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_every_corpus_transcript_renders_to_valid_files():
    failures = []
    files = [p for p in sorted(CORPUS.glob("*.md")) if not p.name.startswith("_")]
    for path in files:
        ep = _corpus_episode(path)
        cues = build_cues(ep)
        if not cues:
            failures.append(f"{path.name}: no cues")
            continue
        starts = [c.start for c in cues]
        if starts != sorted(starts) or any(c.end <= c.start for c in cues):
            failures.append(f"{path.name}: cue times out of order or empty")
        vtt_captions = list(webvtt.from_string(to_vtt(cues)))
        srt_subs = list(srt.parse(to_srt(cues)))
        doc = json.loads(to_json(cues))
        if len(doc["segments"]) != len(cues):
            failures.append(f"{path.name}: JSON has {len(doc['segments'])} segments for {len(cues)} cues")
        for caps, name in ((vtt_captions, "vtt"), (srt_subs, "srt")):
            if len(caps) < len(cues):
                failures.append(f"{path.name}: {name} has fewer cues than the transcript")
        vtt_times = [(c.start_in_seconds, c.end_in_seconds) for c in vtt_captions]
        if any(a[0] > b[0] for a, b in itertools.pairwise(vtt_times)):
            failures.append(f"{path.name}: vtt start times decrease")
        if any(s.end <= s.start for s in srt_subs):
            failures.append(f"{path.name}: srt has a zero-length cue")
    assert len(files) >= 160
    assert not failures, "\n".join(failures)


def test_sub_millisecond_span_merges_turns_instead_of_emitting_zero_length_cues():
    ep = episode(line("a", 0.0, "A"), line("b", None, "B"), line("d", None, "C"), line("c", 0.001, "A"))
    cues = build_cues(ep)
    assert cues[0] == Cue(0.0, 0.001, "A", "a B: b C: d")
    assert all(c.end > c.start for c in cues)


def test_random_transcripts_keep_the_invariants():
    """Seeded random rows: times jumping back and forth, untimed lines, odd characters."""
    import random

    rng = random.Random(20241124)
    words = [
        "data",
        "&",
        "<tag>",
        "a-->b",
        "pipeline.",
        "Why?",
        "https://example.org/" + "x" * 80,
        "ok!",
        "é",
    ]
    for _ in range(200):
        rows = []
        for _ in range(rng.randint(1, 25)):
            if rng.random() < 0.1:
                rows.append(TranscriptHeader("Topic"))
                continue
            sec = None if rng.random() < 0.3 else rng.choice([rng.randint(0, 300), rng.uniform(0, 300)])
            text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 60)))
            rows.append(line(text, sec, rng.choice([None, "A", "B & <C>"])))
        ep = episode(*rows, duration=rng.choice([None, 0.0, 150.0, 400.0]))
        cues = build_cues(ep)
        assert bool(cues) == has_transcript(ep)
        for previous, current in itertools.pairwise(cues):
            assert previous.end == current.start
        assert all(c.end > c.start for c in cues)
        captions = list(webvtt.from_string(to_vtt(cues))) if cues else []
        assert all(a.start <= b.start for a, b in itertools.pairwise(captions))
        assert all(c.start < c.end for c in captions)
        subs = list(srt.parse(to_srt(cues)))
        assert all(s.start < s.end for s in subs)
        assert len(json.loads(to_json(cues))["segments"]) == len(cues)


def test_timed_line_without_speaker_continues_the_previous_speaker():
    cues = build_cues(episode(line("Hello.", 0, "Maria"), line("Still Maria.", 5, None), duration=10))
    assert [c.speaker for c in cues] == ["Maria", "Maria"]
    assert "<v Maria>Still Maria." in to_vtt(cues)
    assert to_srt(cues).count("Maria:") == 2  # every SRT cue opens with its speaker
