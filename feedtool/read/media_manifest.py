"""``EPISODES/media.yaml``: the media file and host guid of each episode, by slug.

Written by ``feedtool import-media`` (episode files stay untouched), read by
``feedtool build`` for episodes without their own ``audio:``. The host's guid
is kept so that moving the feed away from the host creates no duplicate
episodes in subscribers' apps: the builder must use it as the item guid.

The file is plain YAML a person can read and fix::

    version: 1
    source: https://anchor.fm/s/.../podcast/rss
    episodes:
      some-episode-slug:
        duration: 3698        # seconds
        date: '2024-01-22T17:00:00+00:00' # the host's pubDate, for a file without dateadded
        guid: 4d80b4a3-...    # the host's guid, used as the item guid
        length: 74153280      # bytes
        matched_by: anchor-id # how import-media matched it (for reference)
        title: Host title     # the host's title (for reference)
        type: audio/mpeg
        url: https://...

A missing file is an empty manifest; a damaged one stops the run with every
problem listed (file, line, field), because silently dropping host guids would
re-publish episodes under new guids.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import date as date_type
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml

from feedtool.errors import MediaManifestError
from feedtool.model import Audio, Problem, Severity
from feedtool.output import atomic_write
from feedtool.read.frontmatter import YAMLInputError, load_yaml
from feedtool.read.inputfile import UnreadableFile, read_input
from feedtool.rss.parse import parse_pub_date
from feedtool.timeutil import seconds_value
from feedtool.weburls import is_media_url

MANIFEST_NAME = "media.yaml"
FORMAT_VERSION = 1
ENTRY_KEYS = ("date", "duration", "guid", "length", "matched_by", "title", "type", "url")
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
HEADER = (
    "# Media manifest written by `feedtool import-media`: media file and host guid per episode slug.\n"
    "# `feedtool build` uses an entry for each episode that has no `audio:` of its own.\n"
    "# Keep the guids: subscribers' apps know these episodes by them.\n"
)


@dataclass(frozen=True)
class MediaEntry:
    """One episode's media, with where it came from."""

    slug: str
    url: str
    length: int | None = None
    type: str | None = None
    duration: float | None = None
    guid: str | None = None
    title: str | None = None
    matched_by: str | None = None
    date: datetime | None = None  # the host's publication date

    def to_audio(self) -> Audio:
        return Audio(
            url=self.url,
            length=self.length,
            mime_type=self.type,
            duration=self.duration,
            guid=self.guid,
            source=MANIFEST_NAME,
        )


@dataclass(frozen=True)
class ManifestFile:
    """Everything in a media.yaml, in slug order."""

    path: Path
    source: str | None = None
    entries: tuple[MediaEntry, ...] = ()
    problems: tuple[Problem, ...] = ()  # warnings (a key given twice); errors raise MediaManifestError


@dataclass(frozen=True, eq=False)
class MediaManifest(Mapping[str, Audio]):
    """A read-only mapping slug -> ``Audio`` (``source="media.yaml"``, ``guid`` = the host's guid)."""

    path: Path
    source: str | None = None
    _audio: Mapping[str, Audio] = field(default_factory=lambda: MappingProxyType({}))
    problems: tuple[Problem, ...] = ()  # warnings about the file, for the build to list

    def __getitem__(self, slug: str) -> Audio:
        return self._audio[slug]

    def __iter__(self) -> Iterator[str]:
        return iter(self._audio)

    def __len__(self) -> int:
        return len(self._audio)


def manifest_path(episodes_dir: Path) -> Path:
    return Path(episodes_dir) / MANIFEST_NAME


def _node_lines(node: yaml.Node | None) -> dict[tuple[str, ...], int]:
    """1-based line of the root, ``episodes``, each slug and each entry field."""
    lines: dict[tuple[str, ...], int] = {}
    if node is None:
        return lines
    lines[()] = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        return lines
    for key, value in node.value:
        top = str(key.value)
        lines[(top,)] = key.start_mark.line + 1
        if top == "episodes" and isinstance(value, yaml.MappingNode):
            for slug_node, entry in value.value:
                slug = str(slug_node.value)
                lines[(top, slug)] = slug_node.start_mark.line + 1
                if isinstance(entry, yaml.MappingNode):
                    for field_node, _ in entry.value:
                        lines[(top, slug, str(field_node.value))] = field_node.start_mark.line + 1
    return lines


def _entry(
    slug: str, raw: Any, spath: str, line: Callable[..., int | None], problems: list[Problem]
) -> MediaEntry | None:
    where = f"episodes.{slug}"
    if not isinstance(raw, dict):
        problems.append(
            Problem(
                spath,
                where,
                "must be a mapping with url, length, type, duration, guid",
                line("episodes", slug),
            )
        )
        return None
    before = len(problems)

    def bad(key: str, message: str) -> None:
        where_line = line("episodes", slug, key) or line("episodes", slug)
        problems.append(Problem(spath, f"{where}.{key}", message, where_line))

    for key in sorted(set(map(str, raw)) - set(ENTRY_KEYS)):
        bad(key, f"unknown key (an entry takes {', '.join(ENTRY_KEYS)})")
    url = raw.get("url")
    if not is_media_url(url):
        bad("url", f"must be the absolute http(s) URL of the media file, got {url!r}")
        url = None
    length = raw.get("length")
    if length is not None and (isinstance(length, bool) or not isinstance(length, int) or length < 0):
        bad("length", f"must be the file size in bytes (a whole number >= 0), got {length!r}")
    duration = raw.get("duration")
    if duration is not None and seconds_value(duration) is None:  # .nan and .inf too: no feed carries them
        bad("duration", f"must be a number of seconds >= 0, got {duration!r:.40}")
    date = _date(raw.get("date"))
    if date is False:
        bad("date", f"must be a date-time such as 2024-01-22T17:00:00+00:00, got {raw.get('date')!r:.60}")
    for key in ("type", "guid", "title", "matched_by"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            bad(key, f"must be text, got {value!r}")
    mime = raw.get("type")
    if isinstance(mime, str) and not re.match(r"^[\w.+-]+/[\w.+-]+$", mime.strip()):
        bad("type", f"must be a MIME type such as audio/mpeg, got {mime!r}")
    if len(problems) > before or url is None:
        return None

    def text(key: str) -> str | None:
        value = raw.get(key)
        return value.strip() or None if isinstance(value, str) else None

    return MediaEntry(
        slug=slug,
        url=url.strip(),
        length=length,
        type=text("type"),
        duration=float(duration) if duration is not None else None,
        guid=text("guid"),
        title=text("title"),
        matched_by=text("matched_by"),
        date=date if isinstance(date, datetime) else None,
    )


def _date(value: Any) -> datetime | Literal[False] | None:
    """A YAML timestamp, date or RFC 2822 / ISO 8601 text as an aware datetime (naive means UTC);
    None when absent, False when unreadable."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, date_type):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        return parse_pub_date(value) or False
    return False


def load_entries(episodes_dir: Path) -> ManifestFile:
    """Read media.yaml with every field checked; missing file -> no entries. Raises MediaManifestError."""
    path = manifest_path(episodes_dir)
    loaded = _load_yaml(path)
    if loaded is None:
        return ManifestFile(path)
    data, lines, warnings = loaded

    def line(*keys: str) -> int | None:
        return lines.get(tuple(keys))

    spath = str(path)
    if not isinstance(data, dict):
        raise MediaManifestError(
            path, (Problem(spath, "file", "must be a mapping with version, source, episodes", line()),)
        )
    problems: list[Problem] = []
    source = _top_level(data, spath, line, problems)
    entries = _entries(data, spath, line, problems)
    if problems:
        raise MediaManifestError(path, tuple(problems))
    return ManifestFile(path, source, tuple(sorted(entries, key=lambda e: e.slug)), tuple(warnings))


def _load_yaml(path: Path) -> tuple[Any, dict[tuple[str, ...], int], list[Problem]] | None:
    """The file's data, the lines of its keys and warnings about it (keys given twice);
    None for a missing or empty file."""
    spath = str(path)
    try:
        text = read_input(path).decode("utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise MediaManifestError(
            path, (Problem(spath, "file", f"not valid UTF-8 (byte {exc.start})"),)
        ) from None
    except UnreadableFile as exc:
        raise MediaManifestError(path, (Problem(spath, "file", f"cannot read: {exc.reason}"),)) from None
    try:
        loaded = load_yaml(text)  # one parse gives the data and the lines
    except YAMLInputError as exc:
        raise MediaManifestError(path, (Problem(spath, "file", str(exc), exc.line),)) from None
    warnings = [
        Problem(spath, dup.field, dup.message(), dup.line, Severity.WARNING) for dup in loaded.duplicates
    ]
    return None if loaded.data is None else (loaded.data, _node_lines(loaded.node), warnings)


def _top_level(
    data: dict[Any, Any], spath: str, line: Callable[..., int | None], problems: list[Problem]
) -> str | None:
    """Checks the keys beside ``episodes``; returns ``source`` when it is usable."""
    for key in sorted(set(map(str, data)) - {"version", "source", "episodes"}):
        problems.append(
            Problem(spath, key, "unknown key (the manifest has version, source, episodes)", line(key))
        )
    version = data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        problems.append(
            Problem(
                spath,
                "version",
                f"unsupported version {version!r} (this feedtool reads version {FORMAT_VERSION})",
                line("version"),
            )
        )
    source = data.get("source")
    if source is not None and not isinstance(source, str):
        problems.append(Problem(spath, "source", f"must be text, got {source!r}", line("source")))
        return None
    return source


def _entries(
    data: dict[Any, Any], spath: str, line: Callable[..., int | None], problems: list[Problem]
) -> list[MediaEntry]:
    """Every well-formed entry under ``episodes``; the problems of the others."""
    raw_episodes = data.get("episodes") or {}
    if not isinstance(raw_episodes, dict):
        problems.append(
            Problem(spath, "episodes", "must be a mapping of episode slug -> media entry", line("episodes"))
        )
        return []
    entries = []
    for slug, raw in raw_episodes.items():
        if not isinstance(slug, str) or not slug.strip():
            problems.append(
                Problem(
                    spath,
                    f"episodes.{slug}",
                    "an episode slug must be text (quote it)",
                    line("episodes", str(slug)),
                )
            )
            continue
        entry = _entry(slug, raw, spath, line, problems)
        if entry is not None:
            entries.append(entry)
    return entries


def load_manifest(episodes_dir: Path) -> MediaManifest:
    """Slug -> Audio from ``EPISODES_DIR/media.yaml`` (empty when there is none).

    Raises MediaManifestError (exit code 2) naming file, line and field when the
    file is damaged. Each ``Audio`` has ``source="media.yaml"`` and ``guid`` set to
    the host's guid when the host had one.
    """
    manifest = load_entries(episodes_dir)
    audio = {entry.slug: entry.to_audio() for entry in manifest.entries}
    return MediaManifest(manifest.path, manifest.source, MappingProxyType(audio), manifest.problems)


def _plain(entry: MediaEntry) -> dict[str, Any]:
    out: dict[str, Any] = {"url": entry.url}
    if entry.length is not None:
        out["length"] = entry.length
    if entry.type:
        out["type"] = entry.type
    if entry.duration is not None:
        out["duration"] = int(entry.duration) if float(entry.duration).is_integer() else entry.duration
    for key in ("guid", "title", "matched_by"):
        if getattr(entry, key):
            out[key] = getattr(entry, key)
    if entry.date is not None:
        out["date"] = entry.date.isoformat()
    return out


def render_manifest(entries: tuple[MediaEntry, ...] | list[MediaEntry], source: str | None) -> str:
    """The file's text: the same entries always give the same bytes (sorted keys, fixed layout)."""
    data: dict[str, Any] = {"version": FORMAT_VERSION}
    if source:
        data["source"] = source
    data["episodes"] = {e.slug: _plain(e) for e in sorted(entries, key=lambda e: e.slug)}
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=True,
        allow_unicode=True,
        default_flow_style=False,
        width=4096,
        indent=2,
    )
    return HEADER + body


def write_manifest(
    episodes_dir: Path, entries: tuple[MediaEntry, ...] | list[MediaEntry], source: str | None
) -> bool:
    """Write media.yaml atomically (temp file + fsync + rename). Returns False when it was already identical,
    in which case the file (and its mtime) is left alone."""
    content = render_manifest(entries, source).encode("utf-8")
    return atomic_write(manifest_path(episodes_dir), content)
