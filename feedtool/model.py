"""Frozen data passed between the pipeline stages.

Nothing here reads files or formats output: readers produce these objects,
renderers and checkers consume them. Times are float seconds, dates are
timezone-aware datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# (defined in their own small module: the no-change fast path prints problems without loading this one)
from feedtool.problems import Problem as Problem
from feedtool.problems import Severity as Severity


@dataclass(frozen=True)
class TranscriptLine:
    """A spoken line. ``sec`` is None for the corpus's untimed lines."""

    text: str
    sec: float | None
    speaker: str | None
    line: int | None = None  # line number in the episode file, when known


@dataclass(frozen=True)
class TranscriptHeader:
    """A topic header row; each one becomes a chapter."""

    title: str
    line: int | None = None


TranscriptRow = TranscriptLine | TranscriptHeader


@dataclass(frozen=True)
class ChapterMarker:
    """An explicit chapter time carried by the episode (``quotableClips``)."""

    name: str
    start: float
    end: float | None = None
    url: str | None = None


@dataclass(frozen=True)
class Chapter:
    start: float
    title: str
    end: float | None = None
    url: str | None = None


@dataclass(frozen=True)
class Audio:
    url: str
    length: int | None = None  # bytes
    mime_type: str | None = None
    duration: float | None = None  # seconds, when the media source knows it
    guid: str | None = None  # a host's guid, kept so moving hosts duplicates nothing
    source: str = "episode"  # "episode", "media.yaml", "host feed" or "media_url"
    # a local copy of the media file (``audio: media/x.mp3``), relative to the episodes folder:
    # the build measures it (size, duration, type); its URL is then ``url`` if given, else
    # the config's ``media_url``, else ``public_url`` + this path
    file: str | None = None


@dataclass(frozen=True)
class Person:
    """A guest or host, from a people profile (or the config for hosts)."""

    id: str
    name: str
    role: str = "guest"
    img: str | None = None
    href: str | None = None
    links: tuple[tuple[str, str], ...] = ()  # (kind, url): linkedin, twitter, github, web


@dataclass(frozen=True)
class Episode:
    """One episode file, read and checked.

    ``links`` maps platform name (youtube, spotify, apple, anchor) to URL;
    platforms whose value was TODO/empty are in ``missing_links`` instead.
    ``body_links`` are the outbound links of the Markdown show notes, in order.
    ``pub_date`` is None when the file has no date: the build then takes the
    host's or the publish record's, or holds the episode back.
    """

    path: Path
    slug: str
    title: str
    pub_date: datetime | None
    season: int | None = None
    episode: int | None = None
    short: str | None = None
    description: str | None = None
    intro: str | None = None
    body_html: str = ""
    body_links: tuple[str, ...] = ()
    image: str | None = None  # as written in the file (may be relative)
    duration: float | None = None
    guid: str | None = None  # explicit ``guid:`` only
    audio: Audio | None = None  # explicit ``audio:`` only
    ids: tuple[tuple[str, str], ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    missing_links: tuple[str, ...] = ()
    guests: tuple[Person, ...] = ()
    topics: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    transcript: tuple[TranscriptRow, ...] = ()
    markers: tuple[ChapterMarker, ...] = ()
    episode_type: str = "full"
    explicit: bool | None = None
    ignore_warnings: tuple[str, ...] = ()  # warning codes accepted for this episode (``ignore_warnings:``)
    license: tuple[str, str | None] | None = None  # podcast:license (identifier, url)
    txt: tuple[tuple[str, str | None], ...] = ()  # podcast:txt (text, purpose)

    def id(self, name: str) -> str | None:
        return dict(self.ids).get(name)

    def link(self, name: str) -> str | None:
        return dict(self.links).get(name)


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


@dataclass(frozen=True)
class ReadResult:
    """Everything read from an episodes folder."""

    episodes: tuple[Episode, ...]
    skipped: tuple[Skipped, ...] = ()
    problems: tuple[Problem, ...] = ()
    # files that had errors and so produced no Episode
    failed: tuple[Path, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)
