"""Transcripts from an episode's ``transcript`` rows: WebVTT, SRT and Podcasting 2.0 JSON.

``build_cues`` turns the rows into timed cues, one per speaker turn; the three
formatters are pure functions of those cues. Rules (see docs/render.md):

* Headers are chapter titles, not spoken text: they are skipped.
* Out-of-order times. 36 corpus files have a line whose ``sec`` goes backwards.
  Sometimes the later value is the slip (``2935, 1256, 3074``), sometimes the
  earlier one (``734, 824, 706, 707, 841``), so clamping to the previous time
  would glue minutes of talk into one cue. Instead the largest set of times
  that are in order is kept (a longest non-decreasing subsequence, earliest
  lines winning ties); the other lines are treated as untimed. Deterministic,
  no warning needed, and it loses as little timing as possible.
* Untimed lines are folded into the cue before them; an untimed line before
  the first timed one is folded into the first timed cue. Lines that share a
  start time are folded the same way. When a folded line has a different
  speaker it keeps its own cue, and the time span is shared between the cues
  in proportion to their text length, so no speaker is misattributed.
* A cue ends where the next one starts. The last one ends at the episode
  duration when that is known and later than its start, otherwise after an
  estimate of the time needed to say its text (``SPEECH_CHARS_PER_SECOND``,
  at least ``MIN_LAST_CUE_SECONDS``).
* All times are whole milliseconds; every cue lasts at least 1 ms and starts
  never decrease.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from feedtool.model import Episode, TranscriptLine

# About 150 words a minute, 6 characters a word including the space.
SPEECH_CHARS_PER_SECOND = 15.0
MIN_LAST_CUE_SECONDS = 2.0

VTT_LINE_WIDTH = 65  # Podcasting 2.0 transcript guidance for WebVTT
SRT_LINE_WIDTH = 32  # Podcasting 2.0 transcript guidance for SRT
LINES_PER_CUE = 2

JSON_TRANSCRIPT_VERSION = "1.0.0"


@dataclass(frozen=True)
class Cue:
    """One speaker turn: times in seconds (whole milliseconds), plain text."""

    start: float
    end: float
    speaker: str | None
    text: str


# ---------------------------------------------------------------- cue building


@dataclass
class _Piece:
    speaker: str | None
    text: str


def _clean_text(text: str) -> str:
    return " ".join(text.split())


def _clean_speaker(who: str | None) -> str | None:
    """``Alexey:`` and ``Alexey`` are the same person; blank means unknown."""
    if who is None:
        return None
    name = " ".join(who.split()).rstrip(":").strip()
    return name or None


def _in_order(secs: list[float]) -> set[int]:
    """Indexes of a longest non-decreasing subsequence of ``secs``.

    Patience sorting, O(n log n). When several runs are equally long, the one
    whose last time is smallest wins; the same input always gives the same choice.
    """
    tails: list[float] = []  # smallest tail value of a run of each length
    tail_index: list[int] = []
    parent: list[int] = [-1] * len(secs)
    for i, sec in enumerate(secs):
        k = bisect.bisect_right(tails, sec)
        if k == len(tails):
            tails.append(sec)
            tail_index.append(i)
        else:
            tails[k] = sec
            tail_index[k] = i
        parent[i] = tail_index[k - 1] if k else -1
    keep: set[int] = set()
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        keep.add(i)
        i = parent[i]
    return keep


def _spoken_lines(episode: Episode) -> list[TranscriptLine]:
    return [row for row in episode.transcript if isinstance(row, TranscriptLine) and _clean_text(row.text)]


def out_of_order_lines(episode: Episode) -> tuple[TranscriptLine, ...]:
    """Timed lines whose ``sec`` is ignored because it breaks the time order.

    For callers that want to tell the maintainer; ``build_cues`` handles them
    silently by treating them as untimed.
    """
    lines = [row for row in _spoken_lines(episode) if row.sec is not None]
    keep = _in_order([row.sec for row in lines])  # type: ignore[misc]
    return tuple(row for i, row in enumerate(lines) if i not in keep)


def has_transcript(episode: Episode) -> bool:
    """True when the episode has at least one timed, non-empty spoken line.

    Stops at the first one (``_clean_text`` is empty exactly when the text is all whitespace)."""
    return any(
        isinstance(row, TranscriptLine) and row.sec is not None and row.text and not row.text.isspace()
        for row in episode.transcript
    )


def _blocks(episode: Episode) -> list[tuple[int, list[_Piece]]]:
    """Group spoken lines into (start_ms, pieces) with strictly increasing starts.

    Each piece is one speaker turn; a line with no speaker continues the turn
    before it (also across a new start time).
    """
    lines = _spoken_lines(episode)
    timed = [i for i, row in enumerate(lines) if row.sec is not None]
    keep = {timed[j] for j in _in_order([lines[i].sec for i in timed])}  # type: ignore[misc]
    blocks: list[tuple[int, list[_Piece]]] = []
    pending: list[_Piece] = []  # untimed lines before the first timed one

    def add(pieces: list[_Piece], speaker: str | None, text: str) -> None:
        if pieces and (speaker is None or speaker == pieces[-1].speaker):
            pieces[-1].text += " " + text
        else:
            pieces.append(_Piece(speaker, text))

    last_speaker: str | None = None
    for i, row in enumerate(lines):
        text = _clean_text(row.text)
        speaker = _clean_speaker(row.speaker) or last_speaker
        last_speaker = speaker
        start_ms = round(row.sec * 1000) if i in keep else None  # type: ignore[operator]
        if start_ms is not None and (not blocks or start_ms > blocks[-1][0]):
            pieces = pending
            pending = []
            blocks.append((start_ms, pieces))
            add(pieces, speaker, text)
        elif blocks:
            add(blocks[-1][1], speaker, text)
        else:
            add(pending, speaker, text)
    return blocks


def _estimate_ms(text: str) -> int:
    return round(max(MIN_LAST_CUE_SECONDS, len(text) / SPEECH_CHARS_PER_SECOND) * 1000)


def _split_span(start_ms: int, end_ms: int, weights: list[int]) -> list[tuple[int, int]]:
    """Share ``[start_ms, end_ms)`` between parts in proportion to ``weights``.

    Every part gets at least 1 ms; the caller guarantees
    ``end_ms - start_ms >= len(weights)``. (Called for every cue of every format: the
    clamps are comparisons, not ``max``/``min`` calls.)
    """
    n = len(weights)
    if n == 1:
        return [(start_ms, end_ms)]
    if min(weights, default=1) < 1:
        weights = [w if w > 1 else 1 for w in weights]
    span = end_ms - start_ms
    total = sum(weights)
    bounds = [start_ms]
    append = bounds.append
    previous = start_ms
    cap = end_ms - n + 1  # part i must end by end_ms - (n - 1 - i): 1 ms for each part still to come
    acc = 0
    for w in weights[:-1]:
        acc += w
        b = start_ms + round(span * acc / total)
        if b <= previous:
            b = previous + 1
        if b > cap:
            b = cap
        append(b)
        previous = b
        cap += 1
    append(end_ms)
    return list(itertools.pairwise(bounds))


def _fit(pieces: list[_Piece], span_ms: int) -> list[_Piece]:
    """Merge speaker turns when a span is too short to give each 1 ms (sub-ms input)."""
    if len(pieces) <= span_ms:
        return pieces
    merged = [_Piece(p.speaker, p.text) for p in pieces[: span_ms - 1]] if span_ms > 1 else []
    rest = pieces[len(merged) :]
    text = " ".join(f"{p.speaker}: {p.text}" if p.speaker and k else p.text for k, p in enumerate(rest))
    merged.append(_Piece(rest[0].speaker, text))
    return merged


def build_cues(episode: Episode) -> tuple[Cue, ...]:
    """Timed cues, one per speaker turn, in time order (see the module docstring)."""
    blocks = _blocks(episode)
    cues: list[Cue] = []
    for k, (start_ms, pieces) in enumerate(blocks):
        if k + 1 < len(blocks):
            end_ms = blocks[k + 1][0]
        else:
            duration_ms = round(episode.duration * 1000) if episode.duration is not None else None
            if duration_ms is not None and duration_ms > start_ms:
                end_ms = duration_ms
            else:
                end_ms = start_ms + _estimate_ms(" ".join(p.text for p in pieces))
        pieces = _fit(pieces, end_ms - start_ms)
        for piece, (a, b) in zip(
            pieces, _split_span(start_ms, end_ms, [len(p.text) for p in pieces]), strict=False
        ):
            cues.append(Cue(a / 1000, b / 1000, piece.speaker, piece.text))
    return tuple(cues)


# ------------------------------------------------------------ splitting text
#
# The rules are those of a per-word loop (bench/transcripts.py keeps it as the baseline; the
# golden files in tests/fixtures/golden were made by it): a greedy word wrap into lines of at
# most ``width`` characters, a word longer than that (a URL) on a line of its own, and a screen
# of ``lines`` lines ends after the last sentence that fits in it completely.
#
# Once a text is single-spaced, a line is a stretch of the string and needs no words: it ends
# at the last space at most ``width`` characters on, one ``str.rfind`` done in C. The sentence
# ends of the whole text are found at once (one ``re.split``, positions by ``accumulate``) and a
# screen looks its last one up with ``bisect``. A screen costs a few C calls; nothing runs per
# word or per character in Python, which is what made the per-word loop slow.

# a word that ends a sentence: ``.``, ``!``, ``?`` or ``…`` and any closing quotes or brackets
# (``word."``, ``(so?)``), the old per-word rule ``[.!?…]["”’)\]]*$`` found all at once
_SENTENCE_END = re.compile(r"[.!?…][\"”’)\]]*(?= |\Z)")


def _single_spaced(text: str) -> str:
    """The words of ``text`` as ``str.split`` sees them, one space apart (``text`` itself when it
    already is: every whitespace character but the space is unprintable)."""
    if "  " in text or text[:1] == " " or text[-1:] == " " or not text.isprintable():
        return " ".join(text.split())
    return text


def _sentence_ends(text: str) -> list[int]:
    """Where each word that ends a sentence ends in single-spaced ``text``, ascending."""
    return [m.end() for m in _SENTENCE_END.finditer(text)]


def _line_end(text: str, pos: int, width: int) -> int:
    """End of the greedy line that starts at the word at ``pos`` (single-spaced ``text``).

    The last space at most ``width`` characters on; the end of the text when the rest fits;
    the end of the word at ``pos`` when that word alone is longer than ``width``.
    """
    end = len(text)
    if pos + width >= end:
        return end
    stop = text.rfind(" ", pos, pos + width + 1)
    if stop < 0:
        stop = text.find(" ", pos + width)
        return end if stop < 0 else stop
    return stop


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap of single-spaced ``text``, as many lines as it takes (``[""]`` for none)."""
    lines: list[str] = []
    pos, end = 0, len(text)
    while pos < end:
        stop = _line_end(text, pos, width)
        lines.append(text[pos:stop])
        pos = stop + 1
    return lines or [""]


def _chunks(text: str, width: int, lines: int) -> list[list[str]]:
    """Split text into screens of at most ``lines`` lines of ``width`` characters.

    A screen ends after the last sentence that fits completely; a sentence too
    long for a screen of its own is cut at a word boundary. Two lines a screen (what
    every format uses) is written out line by line; other shapes go to ``_chunks_by_line``.
    """
    text = _single_spaced(text)
    end = len(text)
    if end <= width:  # many cues of a conversation: one line, no sentence to look for
        return [[text]] if text else []
    if lines != 2:
        return _chunks_by_line(text, width, lines)
    rfind, find = text.rfind, text.find
    sentence_ends: list[int] | None = None  # found on the first full screen
    screens: list[list[str]] = []
    append = screens.append
    pos = 0
    while True:
        # line 1 ends at the last space at most ``width`` on, or after one long word
        lim = pos + width
        if lim >= end:
            append([text[pos:]])
            return screens
        e1 = rfind(" ", pos, lim + 1)
        if e1 < 0:
            e1 = find(" ", lim)
            if e1 < 0:
                append([text[pos:]])
                return screens
        p2 = e1 + 1  # line 2, the same way
        lim = p2 + width
        if lim >= end:
            append([text[pos:e1], text[p2:]])
            return screens
        e2 = rfind(" ", p2, lim + 1)
        if e2 < 0:
            e2 = find(" ", lim)
            if e2 < 0:
                append([text[pos:e1], text[p2:]])
                return screens
        # a full screen with more to come: it ends after its last sentence, when one ends before e2
        if sentence_ends is None:
            sentence_ends = _sentence_ends(text)
        k = bisect.bisect_right(sentence_ends, e2)
        if k and pos < (cut := sentence_ends[k - 1]) < e2:
            append([text[pos:cut]] if cut <= e1 else [text[pos:e1], text[p2:cut]])
            pos = cut + 1
        else:
            append([text[pos:e1], text[p2:e2]])
            pos = e2 + 1


def _first_screen(text: str, width: int) -> list[str]:
    """``_chunks(text, width, 2)[0]`` for non-empty single-spaced ``text``: only the first screen,
    the one an SRT speaker screen keeps (``_speaker_screens`` asks for one per screen, so the
    general function's set-up and its list of every screen were most of an SRT's time)."""
    end = len(text)
    if end <= width:
        return [text]
    e1 = text.rfind(" ", 0, width + 1)
    if e1 < 0:
        e1 = text.find(" ", width)
        if e1 < 0:
            return [text]
    p2 = e1 + 1
    lim = p2 + width
    if lim >= end:
        return [text[:e1], text[p2:]]
    e2 = text.rfind(" ", p2, lim + 1)
    if e2 < 0:
        e2 = text.find(" ", lim)
        if e2 < 0:
            return [text[:e1], text[p2:]]
    sentence_ends = _sentence_ends(text)
    k = bisect.bisect_right(sentence_ends, e2)
    if k and 0 < (cut := sentence_ends[k - 1]) < e2:
        return [text[:cut]] if cut <= e1 else [text[:e1], text[p2:cut]]
    return [text[:e1], text[p2:e2]]


def _chunks_by_line(text: str, width: int, lines: int) -> list[list[str]]:
    """``_chunks`` of single-spaced ``text`` for any number of lines a screen."""
    end = len(text)
    sentence_ends: list[int] | None = None
    screens: list[list[str]] = []
    pos = 0
    while pos < end:
        starts, stops = [pos], [_line_end(text, pos, width)]
        while len(stops) < lines and stops[-1] < end:
            starts.append(stops[-1] + 1)
            stops.append(_line_end(text, starts[-1], width))
        if stops[-1] < end:
            if sentence_ends is None:
                sentence_ends = _sentence_ends(text)
            k = bisect.bisect_right(sentence_ends, stops[-1])
            if k and pos < (cut := sentence_ends[k - 1]) < stops[-1]:
                # the lines before the cut stay; the line holding it ends there
                i = bisect.bisect_left(stops, cut)
                del starts[i + 1 :], stops[i:]
                stops.append(cut)
        screens.append([text[a:b] for a, b in zip(starts, stops, strict=True)])
        pos = stops[-1] + 1
    return screens


def _screens(cue: Cue, text: str, width: int) -> list[tuple[int, int, list[str]]]:
    """A cue's text as (start_ms, end_ms, lines) screens, time shared by characters."""
    screens = _chunks(text, width, LINES_PER_CUE)
    start_ms, end_ms = round(cue.start * 1000), round(cue.end * 1000)
    while len(screens) > max(end_ms - start_ms, 1):  # only for sub-millisecond cues
        screens[-2:] = [screens[-2] + screens[-1]]
    if len(screens) == 1:
        return [(start_ms, end_ms, screens[0])]
    spans = _split_span(start_ms, end_ms, [sum(map(len, s)) for s in screens])
    return [(a, b, lines) for (a, b), lines in zip(spans, screens, strict=False)]


# ---------------------------------------------------------------- formatters

# "HH:MM:SS" for each whole second, built as far as a transcript needs (one table per process)
_CLOCK: list[str] = []
_MILLIS = [f"{ms:03d}" for ms in range(1000)]


def _clock(seconds: int) -> str:
    if seconds >= len(_CLOCK):
        if seconds > 360_000:  # beyond 100 hours: no table
            h, rem = divmod(seconds, 3600)
            return f"{h:02d}:{rem // 60:02d}:{rem % 60:02d}"
        _CLOCK.extend(
            f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(len(_CLOCK), seconds + 3601)
        )
    return _CLOCK[seconds]


def _timestamp(ms: int, sep: str) -> str:
    """``HH:MM:SS<sep>mmm``: two table lookups and one string when the table reaches ``ms``
    (the common case, so it comes first; ``_clock`` grows the table)."""
    if 0 <= ms < len(_CLOCK) * 1000:
        return f"{_CLOCK[ms // 1000]}{sep}{_MILLIS[ms % 1000]}"
    if ms < 0:  # not from a reader (times are >= 0); the arithmetic of the old writer
        h, rem = divmod(ms, 3_600_000)
        m, rem = divmod(rem, 60_000)
        s, rest = divmod(rem, 1000)
        return f"{h:02d}:{m:02d}:{s:02d}{sep}{rest:03d}"
    return f"{_clock(ms // 1000)}{sep}{_MILLIS[ms % 1000]}"


def _vtt_escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def to_vtt(cues: tuple[Cue, ...] | list[Cue]) -> str:
    """WebVTT with a ``<v Speaker>`` voice span on every cue of a known speaker.

    Cues are split into screens of at most two 65-character lines.
    """
    out = ["WEBVTT", ""]
    append = out.append
    stamps = _stamp_pairs(cues, ".")
    for cue in cues:
        voice = f"<v {_vtt_escape(cue.speaker)}>" if cue.speaker else ""
        for a, b, lines in _screens(cue, cue.text, VTT_LINE_WIDTH):
            append(f"{stamps(a, b)}\n{voice}{_vtt_escape(chr(10).join(lines))}\n")
    return "\n".join(out)


def _stamp_pairs(cues: tuple[Cue, ...] | list[Cue], sep: str) -> Callable[[int, int], str]:
    """``f"{_timestamp(a, sep)} --> {_timestamp(b, sep)}"`` for the screens of ``cues``: the
    clock table is grown once to their last time, so each pair is four look-ups."""
    last = max((cue.end for cue in cues), default=0.0)
    if 0 <= last < 360_000:
        _clock(int(last) + 1)
    clock, millis, limit = _CLOCK, _MILLIS, len(_CLOCK) * 1000

    def stamps(a: int, b: int) -> str:
        if 0 <= a <= b < limit:
            return f"{clock[a // 1000]}{sep}{millis[a % 1000]} --> {clock[b // 1000]}{sep}{millis[b % 1000]}"
        return f"{_timestamp(a, sep)} --> {_timestamp(b, sep)}"

    return stamps


def _speaker_screens(cue: Cue, width: int) -> list[tuple[int, int, list[str]]]:
    """``_screens`` with ``Name: `` opening every screen of a cue whose speaker is known.

    SRT has no speaker field: AntennaPod (and others) take a leading ``word: `` of any cue
    as the speaker, so a screen that continues a turn without the prefix, and happens to
    hold ": ", would get a wrong speaker. The prefix counts in the line width.

    Each screen is the first screen (``_first_screen``) of the prefix and the rest of the turn.
    When the prefix fits on a line, that screen is worked out on the turn's text itself: the
    prefix always fills the start of line 1, the text's lines end at its spaces, and a screen
    ends after the last sentence end in it: the turn's sentence ends are found once, and the
    prefix's own (``Dr.``) are the only others. Nothing is copied but the lines. A prefix
    longer than a line goes through ``_first_screen`` on the joined text (``_prefixed_screens``).
    """
    if not cue.speaker:
        return _screens(cue, cue.text, width)
    prefix = " ".join(f"{cue.speaker}:".split())
    if len(prefix) > width:
        return _prefixed_screens(cue, prefix, width)
    text = _single_spaced(cue.text)
    end, rfind, find = len(text), text.rfind, text.find
    shift = len(prefix) + 1  # a position in the text, plus this, is the one in the screen's text
    ends = _sentence_ends(text)
    prefix_end = (_sentence_ends(prefix) or [0])[-1]  # the prefix's last sentence end, 0 for none
    bisect_right = bisect.bisect_right
    sizes: list[int] = []  # each screen's text length, prefix included
    layouts: list[list[str]] = []
    pos = 0
    while pos < end:
        # line 1: the prefix, and as much of the text as fits after it
        if shift + end - pos <= width:  # the rest fits on line 1
            sizes.append(shift + end - pos)
            layouts.append([f"{prefix} {text[pos:]}"])
            break
        e1 = rfind(" ", pos, pos + width - shift + 1)
        p2 = e1 + 1 if e1 >= 0 else pos  # line 2 starts here (line 1 is the prefix alone when e1 < 0)
        line1 = f"{prefix} {text[pos:e1]}" if e1 >= 0 else prefix
        lim = p2 + width
        stop = -1  # where the screen ends in the text (-1: at the end)
        if lim < end:
            e2 = rfind(" ", p2, lim + 1)
            if e2 < 0:
                e2 = find(" ", lim)
            if e2 >= 0:
                stop = e2
                # a full screen with more to come ends after its last sentence, unless that is e2
                k = bisect_right(ends, e2)
                last = ends[k - 1] if k and ends[k - 1] > pos else -1
                if last < 0 and prefix_end:
                    stop = -2  # the last sentence end is in the prefix: no text fits with it
                elif 0 <= last < e2:
                    stop = last
        if stop == -2:
            # the screen held no more than the prefix: one word goes with it anyway
            word_end = find(" ", pos)
            word_end = end if word_end < 0 else word_end
            sizes.append(shift + word_end - pos)
            layouts.append(_wrap(f"{prefix} {text[pos:word_end]}", width))
            pos = word_end + 1
            continue
        stop = end if stop < 0 else stop
        if stop <= e1:
            layouts.append([f"{prefix} {text[pos:stop]}"])
        else:
            layouts.append([line1, text[p2:stop]])
        sizes.append(shift + stop - pos)
        pos = stop + 1
    start_ms, end_ms = round(cue.start * 1000), round(cue.end * 1000)
    if len(sizes) > max(end_ms - start_ms, 1):  # only for sub-millisecond cues
        return _prefixed_screens(cue, prefix, width)
    spans = _split_span(start_ms, end_ms, sizes)
    return [(a, b, lines) for (a, b), lines in zip(spans, layouts, strict=True)]


def _prefixed_screens(cue: Cue, prefix: str, width: int) -> list[tuple[int, int, list[str]]]:
    """``_speaker_screens`` for any prefix, through ``_first_screen`` on the prefix joined to the
    rest of the turn (cut to a window: a two-line screen spans at most ``2 * width + 1``
    characters unless a line is one long word; the whole rest when a long word runs to the
    window's end)."""
    prefix_words = prefix.count(" ") + 1
    text = _single_spaced(cue.text)
    find, end = text.find, len(text)
    texts: list[str] = []
    layouts: list[list[str]] = []
    pos = 0
    while pos < end:
        stop = find(" ", pos + 2 * width + 2)
        head = f"{prefix} {text[pos : stop if stop >= 0 else end]}"
        first = _first_screen(head, width)
        covered = sum(map(len, first)) + len(first) - 1
        if covered == len(head) and stop >= 0:  # a long word to the window's end: take it all
            head = f"{prefix} {text[pos:]}"
            first = _first_screen(head, width)
            covered = sum(map(len, first)) + len(first) - 1
        if head.count(" ", 0, covered) + 1 > prefix_words:
            texts.append(head[:covered])
            layouts.append(first)
            pos += covered - len(prefix)
        else:  # the screen held no more than the prefix: one word goes with it anyway
            stop = find(" ", pos)
            texts.append(f"{prefix} {text[pos : stop if stop >= 0 else end]}")
            layouts.append(_wrap(texts[-1], width))
            pos = stop + 1 if stop >= 0 else end
    start_ms, end_ms = round(cue.start * 1000), round(cue.end * 1000)
    merged = False
    while len(texts) > max(end_ms - start_ms, 1):  # only for sub-millisecond cues
        texts[-2:] = [texts[-2] + " " + " ".join(texts[-1].split()[prefix_words:])]
        merged = True
    if merged:
        layouts[len(texts) - 1 :] = [_wrap(texts[-1], width)]
    spans = _split_span(start_ms, end_ms, [len(t) for t in texts])
    return [(a, b, lines) for (a, b), lines in zip(spans, layouts, strict=True)]


def to_srt(cues: tuple[Cue, ...] | list[Cue]) -> str:
    """SubRip: numbered cues, two lines of about 32 characters, every cue opening with ``Name: ``
    when its speaker is known."""
    out: list[str] = []
    append = out.append
    number = 0
    stamps = _stamp_pairs(cues, ",")
    for cue in cues:
        for a, b, lines in _speaker_screens(cue, SRT_LINE_WIDTH):
            number += 1
            append(f"{number}\n{stamps(a, b)}\n{chr(10).join(lines)}\n")
    return "\n".join(out)


def to_json(cues: tuple[Cue, ...] | list[Cue]) -> str:
    """Podcasting 2.0 JSON transcript, one segment per cue; no ``speaker`` key when unknown.

    Written by hand in exactly ``json.dumps(doc, ensure_ascii=False, indent=2)``'s layout
    (the indenting encoder is pure Python, and most of the time of this format).
    """
    if not cues:
        doc = {"version": JSON_TRANSCRIPT_VERSION, "segments": []}
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    quote = _json_string
    segments = []
    for cue in cues:
        speaker = f'      "speaker": {quote(cue.speaker)},\n' if cue.speaker else ""
        segments.append(
            f"    {{\n{speaker}"
            f'      "startTime": {_json_number(cue.start)},\n'
            f'      "endTime": {_json_number(cue.end)},\n'
            f'      "body": {quote(cue.text)}\n'
            "    }"
        )
    return (
        f'{{\n  "version": {quote(JSON_TRANSCRIPT_VERSION)},\n  "segments": [\n'
        + ",\n".join(segments)
        + "\n  ]\n}\n"
    )


_json_string = json.encoder.encode_basestring  # the C one where it is built


def _json_number(value: float) -> str:
    """``json.dumps``'s float: ``repr``; times are finite (whole milliseconds)."""
    if value != value or value in (float("inf"), float("-inf")):
        return json.dumps(value)
    return float.__repr__(float(value))


# ------------------------------------------------------------- all formats


def render_transcripts(episode: Episode, formats: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Every format in ``formats`` from one cue pass (``build_cues`` once per episode)."""
    cues = build_cues(episode)
    return {fmt: FORMATTERS[fmt](cues) for fmt in formats}


FORMATTERS = {"vtt": to_vtt, "srt": to_srt, "json": to_json}
