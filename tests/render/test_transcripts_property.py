"""The fast splitter and timestamps against the old per-word writer on generated text.

The old implementation is the benchmark's baseline, kept verbatim in bench/transcripts.py.
Words are drawn to hit the rules' edges: words longer than the width (URLs), sentence ends
followed by closing quotes and brackets, the unicode ellipsis, runs of spaces and other
whitespace, empty text. ``database=None`` keeps hypothesis from writing into the checkout.
"""

from __future__ import annotations

import itertools

from feedsupport import old_transcript_writer
from hypothesis import given, settings
from hypothesis import strategies as st

from feedtool.render import transcripts
from feedtool.render.transcripts import Cue

OLD = old_transcript_writer()

WORD = st.one_of(
    st.text(alphabet="ab", min_size=1, max_size=4),
    st.text(alphabet="xyz:/", min_size=30, max_size=90),  # longer than a line
    st.builds(
        lambda w, p, c: w + p + c,
        st.text(alphabet="abc", max_size=5),
        st.sampled_from([".", "!", "?", "…", "...", "?!"]),
        st.text(alphabet='"”’)]', max_size=5),
    ),
    st.sampled_from(["”", ")", ".x", "e.g.", "3.5", "…”", "&", "<b>"]),
)
GAP = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", "\u00a0", " \u2003 "])
TEXT = st.builds(
    lambda words, gaps, lead, trail: lead + "".join(w + g for w, g in zip(words, gaps, strict=False)) + trail,
    st.lists(WORD, max_size=60),
    st.lists(GAP, min_size=60, max_size=60),
    st.sampled_from(["", " ", "\n"]),
    st.sampled_from(["", " ", "  "]),
)


@settings(max_examples=400, deadline=None, database=None)
@given(TEXT, st.sampled_from([1, 3, 5, 32, 65]), st.sampled_from([1, 2, 3]))
def test_chunks_match_the_old_splitter(text: str, width: int, lines: int):
    assert transcripts._chunks(text, width, lines) == OLD._chunks(text, width, lines)


@settings(max_examples=600, deadline=None, database=None)
@given(
    TEXT.filter(str.strip),
    st.sampled_from(
        [
            None,
            "Ann",
            "Dr. Who",
            "  Bo  Li ",
            "A" * 40,
            "A" * 30,
            "A" * 31,
            "A" * 32,
            "Mr. A. B.",
            "J.R.R. T",
            "B " * 15,
        ]
    ),
    st.integers(0, 400_000_000),
    st.integers(0, 30_000),
)
def test_cues_render_as_the_old_writer_renders_them(text: str, speaker: str | None, start: int, length: int):
    cues = (Cue(start / 1000, (start + length) / 1000, speaker, text),)
    assert transcripts.to_srt(cues) == OLD.to_srt(cues)
    assert transcripts.to_vtt(cues) == OLD.to_vtt(cues)


@settings(max_examples=500, deadline=None, database=None)
@given(st.integers(-10_000_000, 2_000_000_000), st.sampled_from([".", ","]))
def test_timestamps_match_the_old_arithmetic(ms: int, sep: str):
    assert transcripts._timestamp(ms, sep) == OLD._timestamp(ms, sep)


@settings(max_examples=400, deadline=None, database=None)
@given(TEXT, st.sampled_from([1, 3, 5, 32, 65]))
def test_the_first_screen_is_the_first_of_all_screens(text: str, width: int):
    """``_first_screen`` (an SRT speaker screen's fast path) is ``_chunks``'s first screen."""
    spaced = " ".join(text.split())
    if spaced:
        assert transcripts._first_screen(spaced, width) == transcripts._chunks(spaced, width, 2)[0]


def _split_span_by_max_and_min(start_ms: int, end_ms: int, weights: list[int]) -> list[tuple[int, int]]:
    """``_split_span`` as it was first written (max/min clamps): the reference for the fast one."""
    n = len(weights)
    span = end_ms - start_ms
    total = sum(max(w, 1) for w in weights)
    bounds = [start_ms]
    acc = 0
    for i, w in enumerate(weights[:-1]):
        acc += max(w, 1)
        b = start_ms + round(span * acc / total)
        b = max(b, bounds[-1] + 1)
        b = min(b, end_ms - (n - 1 - i))
        bounds.append(b)
    bounds.append(end_ms)
    return list(itertools.pairwise(bounds))


@settings(max_examples=1500, deadline=None, database=None)
@given(
    st.integers(0, 10**9),
    st.lists(st.integers(-3, 300), min_size=1, max_size=40),
    st.integers(0, 5000),
)
def test_split_span_matches_the_max_min_arithmetic(start: int, weights: list[int], extra: int):
    """Tight spans too (1 ms a part, the clamps at work) and weights below 1."""
    end = start + len(weights) + (extra if extra > 2500 else extra % 7)
    assert transcripts._split_span(start, end, weights) == _split_span_by_max_and_min(start, end, weights)
