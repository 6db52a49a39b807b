"""Transcript micro-benchmark: ``python bench/transcripts.py [CORPUS_DIR] [--runs N]``.

Times the old transcript writer (kept below, verbatim: a per-word ``_chunks`` loop,
``divmod`` timestamps, the indenting ``json`` encoder, and ``build_cues`` once per
format) against feedtool's current one on the same episodes in the same run, checks
that both give the same bytes, and prints old-vs-new figures for chunking, timestamp
formatting and the whole VTT+SRT+JSON rendering. CORPUS_DIR defaults to
tests/fixtures/golden's four real episodes plus $FEEDTOOL_CORPUS/episodes when present.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from feedtool.read import episodes as reader  # noqa: E402
from feedtool.render import transcripts as new  # noqa: E402
from feedtool.render.transcripts import Cue, _split_span, build_cues, has_transcript  # noqa: E402

LINES_PER_CUE = new.LINES_PER_CUE
VTT_LINE_WIDTH = new.VTT_LINE_WIDTH
SRT_LINE_WIDTH = new.SRT_LINE_WIDTH
JSON_TRANSCRIPT_VERSION = new.JSON_TRANSCRIPT_VERSION

# ======================================================= the old implementation (the baseline)
# Copied from feedtool/render/transcripts.py as it was before the speed-up; do not "fix" it.

_SENTENCE_END = re.compile(r"[.!?…][\"”’)\]]*$")


def _layout(words: list[str], width: int) -> list[str]:
    """Greedy word wrap; a word longer than ``width`` (a URL) gets a line of its own."""
    lines: list[str] = []
    current = ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return lines


def _chunks(text: str, width: int, lines: int) -> list[list[str]]:
    """Split text into screens of at most ``lines`` lines of ``width`` characters.

    A screen ends after the last sentence that fits completely; a sentence too
    long for a screen of its own is cut at a word boundary.
    """
    words = text.split()
    ends = [_SENTENCE_END.search(w) is not None for w in words]
    screens: list[list[str]] = []
    i = 0
    while i < len(words):
        used_lines, line_len, j, boundary = 1, 0, i, None
        while j < len(words):
            size = len(words[j])
            if line_len and line_len + 1 + size > width:
                if used_lines == lines:
                    break
                used_lines, line_len = used_lines + 1, size
            else:
                line_len = line_len + 1 + size if line_len else size
            j += 1
            if ends[j - 1]:
                boundary = j
        if j < len(words) and boundary is not None:
            j = boundary
        screens.append(_layout(words[i:j], width))
        i = j
    return screens


def _screens(cue: Cue, text: str, width: int) -> list[tuple[int, int, list[str]]]:
    """A cue's text as (start_ms, end_ms, lines) screens, time shared by characters."""
    screens = _chunks(text, width, LINES_PER_CUE)
    start_ms, end_ms = round(cue.start * 1000), round(cue.end * 1000)
    while len(screens) > max(end_ms - start_ms, 1):  # only for sub-millisecond cues
        screens[-2:] = [screens[-2] + screens[-1]]
    spans = _split_span(start_ms, end_ms, [sum(len(line) for line in s) for s in screens])
    return [(a, b, lines) for (a, b), lines in zip(spans, screens, strict=False)]


# ---------------------------------------------------------------- formatters


def _timestamp(ms: int, sep: str) -> str:
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(cues: tuple[Cue, ...] | list[Cue]) -> str:
    """WebVTT with a ``<v Speaker>`` voice span on every cue of a known speaker.

    Cues are split into screens of at most two 65-character lines.
    """
    out = ["WEBVTT", ""]
    for cue in cues:
        voice = f"<v {_vtt_escape(cue.speaker)}>" if cue.speaker else ""
        for a, b, lines in _screens(cue, cue.text, VTT_LINE_WIDTH):
            out.append(f"{_timestamp(a, '.')} --> {_timestamp(b, '.')}")
            out.append(voice + "\n".join(_vtt_escape(line) for line in lines))
            out.append("")
    return "\n".join(out)


def _speaker_screens(cue: Cue, width: int) -> list[tuple[int, int, list[str]]]:
    """``_screens`` with ``Name: `` opening every screen of a cue whose speaker is known (the SRT
    rule of the listeners' work, written on these per-word primitives)."""
    if not cue.speaker:
        return _screens(cue, cue.text, width)
    prefix = f"{cue.speaker}:".split()
    words, texts = cue.text.split(), []
    while words:
        first = _chunks(" ".join(prefix + words[: 2 * width + 2]), width, LINES_PER_CUE)[0]
        taken = max(sum(len(line.split()) for line in first) - len(prefix), 1)
        texts.append(" ".join(prefix + words[:taken]))
        words = words[taken:]
    start_ms, end_ms = round(cue.start * 1000), round(cue.end * 1000)
    while len(texts) > max(end_ms - start_ms, 1):
        texts[-2:] = [texts[-2] + " " + " ".join(texts[-1].split()[len(prefix) :])]
    spans = _split_span(start_ms, end_ms, [len(t) for t in texts])
    return [(a, b, _layout(t.split(), width)) for (a, b), t in zip(spans, texts, strict=True)]


def to_srt(cues: tuple[Cue, ...] | list[Cue]) -> str:
    """SubRip: numbered cues, two lines of about 32 characters, every cue opening with ``Name: ``."""
    out: list[str] = []
    number = 0
    for cue in cues:
        for a, b, lines in _speaker_screens(cue, SRT_LINE_WIDTH):
            number += 1
            out.append(str(number))
            out.append(f"{_timestamp(a, ',')} --> {_timestamp(b, ',')}")
            out.extend(lines)
            out.append("")
    return "\n".join(out)


def to_json(cues: tuple[Cue, ...] | list[Cue]) -> str:
    """Podcasting 2.0 JSON transcript, one segment per cue; no ``speaker`` key when unknown."""
    segments = []
    for cue in cues:
        segment: dict[str, object] = {}
        if cue.speaker:
            segment["speaker"] = cue.speaker
        segment["startTime"] = cue.start
        segment["endTime"] = cue.end
        segment["body"] = cue.text
        segments.append(segment)
    doc = {"version": JSON_TRANSCRIPT_VERSION, "segments": segments}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def old_render_all(episode) -> dict[str, str]:
    """What the build did per episode: one ``build_cues`` per format."""
    return {
        "vtt": to_vtt(build_cues(episode)),
        "srt": to_srt(build_cues(episode)),
        "json": to_json(build_cues(episode)),
    }


# ================================================================= the measurement


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def load(corpus: Path | None) -> list:
    paths = sorted((HERE.parent / "tests" / "fixtures" / "golden").glob("*.md"))
    if corpus is not None:
        paths = sorted((corpus / "episodes").glob("*.md"))
    episodes = []
    for path in paths:
        if path.name.startswith("_"):
            continue
        episode, _ = reader.read_episode(path)
        if episode is not None and has_transcript(episode):
            episodes.append(episode)
    return episodes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path, nargs="?")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    corpus = args.corpus
    if corpus is None and os.environ.get("FEEDTOOL_CORPUS"):
        corpus = Path(os.environ["FEEDTOOL_CORPUS"])
    episodes = load(corpus if corpus is not None and (corpus / "episodes").is_dir() else None)
    if not episodes:
        sys.exit("no episodes with a transcript found")
    formats = ("vtt", "srt", "json")
    for episode in episodes:  # same bytes, or the figures mean nothing
        if old_render_all(episode) != new.render_transcripts(episode, formats):
            sys.exit(f"{episode.path.name}: the new writer differs from the old one")
    cues = [c for e in episodes for c in build_cues(e)]
    texts = [c.text for c in cues]
    spans = [(a, b) for c in cues for a, b, _ in new._screens(c, c.text, VTT_LINE_WIDTH)]
    stamps = [ms for pair in spans for ms in pair]
    # both sides call a plain name: ``new._timestamp`` would add a module attribute look-up per
    # call to the new side only, part of the loop and not of the formatting
    new_timestamp, new_chunks = new._timestamp, new._chunks
    rows = [
        (
            "chunking (VTT + SRT widths)",
            lambda: [_chunks(t, w, LINES_PER_CUE) for w in (VTT_LINE_WIDTH, SRT_LINE_WIDTH) for t in texts],
            lambda: [
                new_chunks(t, w, LINES_PER_CUE) for w in (VTT_LINE_WIDTH, SRT_LINE_WIDTH) for t in texts
            ],
        ),
        (
            "timestamp formatting",
            lambda: [_timestamp(ms, ".") for ms in stamps],
            lambda: [new_timestamp(ms, ".") for ms in stamps],
        ),
        (
            "cue lines (two stamps per screen)",
            lambda: [f"{_timestamp(a, '.')} --> {_timestamp(b, '.')}" for a, b in spans],
            lambda: [f"{new_timestamp(a, '.')} --> {new_timestamp(b, '.')}" for a, b in spans],
        ),
        (
            "SRT writer",
            lambda: [to_srt(c) for c in per_episode],
            lambda: [new.to_srt(c) for c in per_episode],
        ),
        (
            "JSON writer",
            lambda: [to_json(c) for c in per_episode],
            lambda: [new.to_json(c) for c in per_episode],
        ),
        (
            "all three formats per episode",
            lambda: [old_render_all(e) for e in episodes],
            lambda: [new.render_transcripts(e, formats) for e in episodes],
        ),
    ]
    per_episode = [build_cues(e) for e in episodes]
    print(
        f"{len(episodes)} episodes, {len(cues)} cues, {len(stamps)} timestamps; "
        f"best of {args.runs}; outputs checked byte-identical"
    )
    print(f"{'':36s} {'old':>9s} {'new':>9s} {'speed-up':>9s}")
    for name, old_fn, new_fn in rows:
        o, n = best(old_fn, args.runs), best(new_fn, args.runs)
        print(f"{name:36s} {o * 1000:7.1f}ms {n * 1000:7.1f}ms {o / n:8.1f}x")


if __name__ == "__main__":
    main()
