"""Chapters from transcript headers (or explicit markers), and their formats.

Start time of a header, in this order:
1. an explicit time: a ``quotableClips`` marker whose name equals the header
   text (whitespace folded, so a trailing space does not break the match);
2. 0 when the header opens the transcript (no timed line before it);
3. the ``sec`` of the first timed line after the header.

Chapters come out strictly increasing. Conflicts are resolved by one rule,
each reported as a warning:
- a header with no start of its own is dropped: no explicit time and no timed
  line before the next header (two headers with no timed line between them: the
  line after them belongs to the second), or no timed line after it at all;
- a header repeating an earlier one (same title, same start) is dropped;
- a header whose start is not after the previous chapter's start (explicit
  times out of order) is dropped, unless it has an explicit time and the
  previous one was only derived, in which case the derived one is dropped: an
  explicit time wins.
A ``duration`` shorter than the chapters is reported but the chapters are kept
(the corpus's durations are often those of a shorter cut); the last chapter then
has no end time.
An episode without headers takes its chapters from its markers.

Headers and markers together (``chapters.source: auto``, the default): the show
publishes its chapter list from the markers, so a marker whose name no header
carries (an opening "Podcast Introduction" at 0) is a chapter too, at its
``startOffset``. When fewer than half of the marker names match a header, the two
are different lists and the markers are the show's curated one: they become the
chapters, with a warning saying so. ``headers`` keeps only the header chapters
(markers give times to headers of the same name); ``markers`` takes the markers
whenever an episode has any.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from json.encoder import encode_basestring as _encode_string

from feedtool.model import Chapter, Episode, Problem, Severity, TranscriptHeader, TranscriptLine
from feedtool.rss.namespaces import PSC_NS
from feedtool.timeutil import clock, npt

JSON_CHAPTERS_VERSION = "1.2.0"
SOURCES = ("auto", "headers", "markers")
YOUTUBE_MIN_CHAPTERS = 3
YOUTUBE_MIN_SECONDS = 10


@dataclass(frozen=True)
class _Candidate:
    title: str
    start: float | None
    how: str  # "explicit", "opening", "next line", "marker", "extra marker"
    line: int | None


def _fold(text: str) -> str:
    return " ".join(text.split())


def _header_candidates(episode: Episode) -> list[_Candidate]:
    explicit: dict[str, float] = {}
    for marker in episode.markers:
        explicit.setdefault(_fold(marker.name), marker.start)
    rows = episode.transcript
    out = []
    seen_timed = False
    for i, row in enumerate(rows):
        if isinstance(row, TranscriptLine):
            seen_timed = seen_timed or row.sec is not None
            continue
        assert isinstance(row, TranscriptHeader)
        title = _fold(row.title)
        if title in explicit:
            out.append(_Candidate(title, explicit[title], "explicit", row.line))
        elif not seen_timed:
            out.append(_Candidate(title, 0.0, "opening", row.line))
        else:
            out.append(_Candidate(title, _own_start(rows, i), "next line", row.line))
    return out


def _own_start(rows: tuple, index: int) -> float | None:
    """``sec`` of the first timed line after header ``index``, or None when another
    header comes first: that line belongs to the later header, not this one."""
    for row in rows[index + 1 :]:
        if isinstance(row, TranscriptHeader):
            return None
        if row.sec is not None:
            return row.sec
    return None


def _candidates(episode: Episode, source: str, problems: list[Problem]) -> list[_Candidate]:
    """The chapter candidates in order, by ``source``; a note in ``problems`` when ``auto``
    chose the markers over the headers."""
    has_headers = any(isinstance(r, TranscriptHeader) for r in episode.transcript)
    if not has_headers or (source == "markers" and episode.markers):
        return _marker_candidates(episode)
    headers = _header_candidates(episode)
    if source == "headers" or not episode.markers:
        return headers
    titles = {c.title for c in headers}
    names = [_fold(m.name) for m in episode.markers]
    matching = sum(1 for name in names if name in titles)
    if 2 * matching < len(names):
        problems.append(
            Problem(
                str(episode.path),
                "chapters",
                f"only {matching} of {len(names)} quotableClips names match a transcript header: the "
                "quotableClips are the chapter list (set chapters.source: headers to use the headers)",
                None,
                Severity.WARNING,
            )
        )
        return _marker_candidates(episode)
    extra = [
        _Candidate(name, m.start, "extra marker", None)
        for name, m in zip(names, episode.markers, strict=True)
        if name not in titles
    ]
    return _merge(headers, sorted(extra, key=lambda c: c.start or 0.0))


def _merge(headers: list[_Candidate], extra: list[_Candidate]) -> list[_Candidate]:
    """The headers in their order, each extra marker placed before the first header that starts
    after it (on a tie the header comes first and keeps the time)."""
    out: list[_Candidate] = []
    pending = list(extra)
    for header in headers:
        while pending and header.start is not None and (pending[0].start or 0.0) < header.start:
            out.append(pending.pop(0))
        out.append(header)
    return out + pending


def _marker_candidates(episode: Episode) -> list[_Candidate]:
    return sorted(
        (_Candidate(_fold(m.name), m.start, "marker", None) for m in episode.markers),
        key=lambda c: c.start or 0.0,
    )


@dataclass(frozen=True)
class _Timed:
    """A candidate that has a start, so it can become a chapter."""

    title: str
    start: float
    how: str
    line: int | None


def derive_chapters(
    episode: Episode, source: str = "auto"
) -> tuple[tuple[Chapter, ...], tuple[Problem, ...]]:
    """Chapters for an episode and warnings about headers that could not become one.

    ``source`` is ``chapters.source`` from the config: ``auto``, ``headers`` or ``markers``
    (see the module docstring)."""
    if source not in SOURCES:
        raise ValueError(f"chapters source must be one of {SOURCES}, got {source!r}")
    problems: list[Problem] = []
    path = str(episode.path)
    candidates = _candidates(episode, source, problems)

    def warn(c: _Candidate | _Timed, message: str) -> None:
        what = "quotableClips entry" if c.how == "extra marker" else "header"
        problems.append(Problem(path, "chapters", f"{what} {c.title!r}: {message}", c.line, Severity.WARNING))

    kept, repeats = _strictly_increasing(candidates, warn)
    if repeats:
        problems.append(_repeats_problem(path, repeats))
    if kept and episode.duration is not None and kept[-1].start >= episode.duration:
        problems.append(_duration_problem(path, kept, episode.duration))
    return _chapters(kept, episode.duration), tuple(problems)


def _strictly_increasing(
    candidates: list[_Candidate], warn: Callable[[_Candidate | _Timed, str], None]
) -> tuple[list[_Timed], list[_Timed]]:
    """The candidates that become chapters, and those left out as repeats (reported together:
    such files repeat whole runs of headers); every other one left out is warned about."""
    kept: list[_Timed] = []
    repeats: list[_Timed] = []
    for candidate in candidates:
        if candidate.start is None:
            warn(
                candidate,
                "no explicit time and no timed line of its own (the next timed line comes after another "
                "header, or there is none); left out (add a quotableClips entry with this name to keep it)",
            )
            continue
        c = _Timed(candidate.title, candidate.start, candidate.how, candidate.line)
        if any(k.title == c.title and k.start == c.start for k in kept):
            repeats.append(c)
            continue
        while kept and c.start <= kept[-1].start:
            last = kept[-1]
            if c.how in ("explicit", "marker", "extra marker", "opening") and last.how == "next line":
                warn(
                    last,
                    f"its derived start {clock(last.start)} is not before the explicit start "
                    f"{clock(c.start)} of {c.title!r}; left out",
                )
                kept.pop()
                continue
            break
        if kept and c.start <= kept[-1].start:
            warn(
                c,
                f"would start at {clock(c.start)}, not after {kept[-1].title!r} ({clock(kept[-1].start)}); "
                "left out (add a quotableClips entry with this name to give it its own time)",
            )
            continue
        kept.append(c)
    return kept, repeats


def _repeats_problem(path: str, repeats: list[_Timed]) -> Problem:
    lines = ", ".join(str(c.line) for c in repeats[:8] if c.line) + (" ..." if len(repeats) > 8 else "")
    return Problem(
        path,
        "chapters",
        f"{len(repeats)} header(s) repeat an earlier header with the same "
        f"title and start, e.g. {repeats[0].title!r}; left out" + (f" (lines {lines})" if lines else ""),
        repeats[0].line,
        Severity.WARNING,
    )


def _duration_problem(path: str, kept: list[_Timed], duration: float) -> Problem:
    late = [c for c in kept if c.start >= duration]
    return Problem(
        path,
        "duration",
        f"duration {clock(duration)} ends before {len(late)} chapter(s) start (the last at "
        f"{clock(late[-1].start)}); the chapters are kept: check that duration is the whole episode's length",
        None,
        Severity.WARNING,
    )


def _chapters(kept: list[_Timed], duration: float | None) -> tuple[Chapter, ...]:
    """Each chapter ends where the next starts; the last at the duration, when that is later."""
    chapters = []
    for i, c in enumerate(kept):
        end = kept[i + 1].start if i + 1 < len(kept) else duration
        if end is not None and end <= c.start:
            end = None
        chapters.append(
            Chapter(start=float(c.start), title=c.title, end=float(end) if end is not None else None)
        )
    return tuple(chapters)


def to_json(
    chapters: tuple[Chapter, ...], *, title: str | None = None, podcast_name: str | None = None
) -> str:
    """Podcasting 2.0 JSON chapters (``application/json+chapters``), deterministic."""
    doc: dict = {"version": JSON_CHAPTERS_VERSION}
    if title:
        doc["title"] = title
    if podcast_name:
        doc["podcastName"] = podcast_name
    items = []
    for ch in chapters:
        item: dict = {"startTime": _num(ch.start), "title": ch.title}
        if ch.end is not None:
            item["endTime"] = _num(ch.end)
        if ch.url:
            item["url"] = ch.url
        items.append(item)
    doc["chapters"] = items
    return _dumps_indented(doc) + "\n"


def _dumps_indented(doc: dict) -> str:
    """``json.dumps(doc, ensure_ascii=False, indent=2)``, byte for byte. The standard library's
    encoder falls back to pure Python when it indents, which made the chapter files a third of
    a rebuild's rendering. This writes the one shape a chapters document has (an object of
    scalars and a list of objects of scalars) with the C string encoder doing the escapes;
    any other shape goes to ``json.dumps``."""
    if not all(_is_scalar(v) or (type(v) is list and all(_is_flat(i) for i in v)) for v in doc.values()):
        return json.dumps(doc, ensure_ascii=False, indent=2)

    def flat(obj: dict, pad: str) -> str:
        fields = ",\n".join(f"{pad}  {_encode_string(k)}: {_scalar(v)}" for k, v in obj.items())
        return f"{{\n{fields}\n{pad}}}" if obj else "{}"

    lines = []
    for key, value in doc.items():
        if type(value) is list:
            body = "[\n" + ",\n".join("    " + flat(i, "    ") for i in value) + "\n  ]" if value else "[]"
        else:
            body = _scalar(value)
        lines.append(f"  {_encode_string(key)}: {body}")
    return "{\n" + ",\n".join(lines) + "\n}" if lines else "{}"


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 3)


def _is_scalar(value: object) -> bool:
    return type(value) in (str, int) or (type(value) is float and math.isfinite(value))


def _is_flat(obj: object) -> bool:
    return type(obj) is dict and all(type(k) is str and _is_scalar(v) for k, v in obj.items())


def _scalar(value: object) -> str:
    """A string, an int or a finite float as ``json.dumps`` writes it."""
    if type(value) is str:
        return _encode_string(value)
    return int.__repr__(value) if type(value) is int else float.__repr__(value)


def to_psc(chapters: tuple[Chapter, ...]) -> str:
    """Inline Podlove Simple Chapters, as a standalone XML fragment."""
    from xml.sax.saxutils import escape

    def quoteattr(value: str) -> str:
        return '"' + escape(value, {'"': "&quot;"}) + '"'

    lines = [f'<psc:chapters version="1.2" xmlns:psc="{PSC_NS}">']
    for ch in chapters:
        lines.append(f"  <psc:chapter start={quoteattr(npt(ch.start))} title={quoteattr(ch.title)}/>")
    lines.append("</psc:chapters>")
    return "\n".join(lines) + "\n"


def to_text(chapters: tuple[Chapter, ...]) -> str:
    return "".join(f"{npt(ch.start)}  {ch.title}\n" for ch in chapters)


@dataclass(frozen=True)
class YouTubeChapters:
    text: str  # paste-ready lines, empty when impossible
    notes: tuple[str, ...]  # what was adjusted, or why it cannot be done

    @property
    def ok(self) -> bool:
        return bool(self.text)


def to_youtube(
    chapters: tuple[Chapter, ...], duration: float | None = None, intro_title: str = "Intro"
) -> YouTubeChapters:
    """Description text meeting YouTube's rules: first at 0:00, at least three
    chapters, each at least 10 seconds long."""
    notes: list[str] = []
    items = [(c.start, c.title) for c in chapters]
    if not items:
        return YouTubeChapters("", ("the episode has no chapters",))
    if items[0][0] > 0:
        if items[0][0] >= YOUTUBE_MIN_SECONDS:
            items.insert(0, (0.0, intro_title))
            notes.append(
                f"added an '{intro_title}' chapter at 0:00 (the first chapter starts at {clock(items[1][0])})"
            )
        else:
            notes.append(
                f"moved '{items[0][1]}' from {clock(items[0][0])} to 0:00 (an intro would be "
                f"shorter than {YOUTUBE_MIN_SECONDS} s)"
            )
            items[0] = (0.0, items[0][1])
    # YouTube reads whole seconds; merge chapters that would be shorter than 10 s
    merged: list[tuple[float, str]] = []
    for i, (start, title) in enumerate(items):
        # a duration that ends before the last chapter starts is wrong, not a reason to drop it
        end = items[i + 1][0] if i + 1 < len(items) else (duration if duration and duration > start else None)
        if merged and end is not None and int(end) - int(start) < YOUTUBE_MIN_SECONDS:
            notes.append(f"left out '{title}' at {clock(start)}: shorter than {YOUTUBE_MIN_SECONDS} s")
            continue
        if merged and int(start) - int(merged[-1][0]) < YOUTUBE_MIN_SECONDS:
            dropped = merged.pop()
            notes.append(
                f"left out '{dropped[1]}' at {clock(dropped[0])}: shorter than {YOUTUBE_MIN_SECONDS} s"
            )
            if not merged:
                start = 0.0
        merged.append((start, title))
    if len(merged) < YOUTUBE_MIN_CHAPTERS:
        notes.append(
            f"YouTube needs at least {YOUTUBE_MIN_CHAPTERS} chapters of {YOUTUBE_MIN_SECONDS} s or more; "
            f"this episode has {len(merged)}"
        )
        return YouTubeChapters("", tuple(notes))
    text = "".join(f"{clock(start)} {title}\n" for start, title in merged)
    return YouTubeChapters(text, tuple(notes))
