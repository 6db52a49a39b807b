"""Read an episodes folder into ``Episode`` objects, collecting every problem.

A file with errors yields no Episode but never stops the others from being
read: the maintainer gets the full list of what to fix in one run.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import json
import os
import reprlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, tzinfo
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from feedtool import timeutil
from feedtool.config import read_license, read_txt
from feedtool.config.fields import FieldReader
from feedtool.model import (
    Audio,
    ChapterMarker,
    Episode,
    Person,
    Problem,
    ReadResult,
    Severity,
    Skipped,
    TranscriptHeader,
    TranscriptLine,
    TranscriptRow,
)
from feedtool.read import frontmatter, parallel, shownotes, xmlchars
from feedtool.read.cache import (
    CacheEntry,
    EpisodeCache,
    decode_entry,
    dependency_state,
    entry_json,
    file_digest,
)
from feedtool.read.inputfile import UnreadableFile, kind_of, read_input
from feedtool.read.people import PeopleDirectory, guest_id_problem
from feedtool.read.speakers import name_problem
from feedtool.warning_codes import unknown_code_hint
from feedtool.weburls import is_media_url, mime_type_for

PLATFORMS = ("youtube", "spotify", "apple", "anchor")
# A feed item's text (show notes, intro, description) becomes one XML text node, and XML
# parsers refuse one of more than 10 MB: refuse a hundredth of that here, naming the file.
MAX_TEXT_CHARS = 1_000_000
# The slug names the episode's output files; their temporaries (".SLUG.json.XXXXXXXX.tmp")
# must fit the 255 bytes a file name may have on common file systems.
MAX_SLUG_BYTES = 200

_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 60
_repr.maxlist = _repr.maxdict = 4
_shown = _repr.repr  # a value in a message: never megabytes of it, whatever the file holds


def is_absent(value: Any) -> bool:
    """``TODO``, empty and missing all mean "not there yet"."""
    if value is None:
        return True
    if isinstance(value, str):
        stripped = value.strip()
        return not stripped or stripped.upper() in ("TODO", "TBD", "N/A")
    if isinstance(value, (list, dict)):
        return len(value) == 0
    return False


class _FileProblems:
    """Collects problems for one file; knows the lines of top-level keys and list items."""

    def __init__(self, path: Path, doc: frontmatter.Document | None = None):
        self.path = display_path(path)
        self.doc = doc
        self.problems: list[Problem] = []

    def line(self, key: str, index: int | None = None) -> int | None:
        if self.doc is None:
            return None
        if index is not None:
            items = self.doc.item_lines.get(key, ())
            if index < len(items):
                return items[index]
        return self.doc.key_lines.get(key)

    def error(self, field: str, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.path, field, message, line, Severity.ERROR))

    def warn(self, field: str, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.path, field, message, line, Severity.WARNING))

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)


def _clean_strings(value: Any, field: str, fp: _FileProblems, line: int | None) -> Any:
    """Remove XML-invalid characters everywhere, saying which field held them."""
    if isinstance(value, str):
        if xmlchars.has_invalid(value):
            fp.warn(field, f"removed XML-invalid character(s) {xmlchars.describe_invalid(value)}", line)
            return xmlchars.clean(value)[0]
        return value
    if isinstance(value, list):
        return [_clean_strings(v, f"{field}[{i}]", fp, line) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _clean_strings(v, f"{field}.{k}", fp, line) for k, v in value.items()}
    return value


def _text(data: dict, key: str, fp: _FileProblems, required: bool = False) -> str | None:
    value = data.get(key)
    if is_absent(value):
        if required:
            fp.error(key, "is required", fp.line(key))
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        fp.error(key, f"must be text, not a {type(value).__name__}", fp.line(key))
        return None
    text = str(value).strip()
    if len(text) > MAX_TEXT_CHARS:
        fp.error(key, _too_long(len(text)), fp.line(key))
        return None
    return text


def _too_long(chars: int) -> str:
    return f"is {chars:,} characters, more than the {MAX_TEXT_CHARS:,} a feed item can carry; shorten it"


def _text_value(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _positive_int(data: dict, key: str, fp: _FileProblems) -> int | None:
    value = data.get(key)
    if is_absent(value):
        return None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 18:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        fp.error(key, f"must be a whole number greater than 0, got {_shown(value)}", fp.line(key))
        return None
    return value


def _mapping_of_urls(data: dict, key: str, fp: _FileProblems) -> tuple[dict[str, str], list[str]]:
    value = data.get(key)
    if is_absent(value):
        return {}, []
    if not isinstance(value, dict):
        fp.error(
            key, f"must be a mapping such as youtube: https://..., not a {type(value).__name__}", fp.line(key)
        )
        return {}, []
    present, missing = {}, []
    for name, url in value.items():
        if is_absent(url):
            missing.append(str(name))
        elif not isinstance(url, (str, int)) or isinstance(url, bool):
            fp.error(f"{key}.{name}", f"must be text, not a {type(url).__name__}", fp.line(key))
        elif len(str(url)) > MAX_TEXT_CHARS:
            fp.error(f"{key}.{name}", _too_long(len(str(url))), fp.line(key))
        else:
            present[str(name)] = str(url).strip()
    return present, missing


def _transcript(data: dict, fp: _FileProblems) -> tuple[TranscriptRow, ...]:
    raw = data.get("transcript")
    if is_absent(raw):
        return ()
    if not isinstance(raw, list):
        fp.error("transcript", "must be a list of rows (- header: ... / - line: ...)", fp.line("transcript"))
        return ()
    rows: list[TranscriptRow] = []
    for i, row in enumerate(raw):
        line = fp.line("transcript", i)
        where = f"transcript[{i}]"
        if not isinstance(row, dict):
            fp.error(where, f"each row must be a mapping with 'header' or 'line', got {_shown(row)}", line)
            continue
        if "header" in row:
            title = row["header"]
            if is_absent(title) or not _text_value(title):
                fp.error(f"{where}.header", "a header needs a title", line)
                continue
            rows.append(TranscriptHeader(" ".join(str(title).split()), line))
            continue
        if "line" not in row:
            fp.error(
                where, f"row has neither 'header' nor 'line' (keys: {_shown(sorted(map(str, row)))})", line
            )
            continue
        text = row["line"]
        if text is None:
            text = ""
        if not _text_value(text):
            fp.error(f"{where}.line", f"must be text, not a {type(text).__name__}", line)
            continue
        sec = row.get("sec")
        if sec is None and isinstance(row.get("time"), (str, int)) and not isinstance(row["time"], bool):
            try:
                sec = timeutil.parse_duration(str(row["time"]))
            except ValueError:
                fp.error(f"{where}.time", f"{_shown(row['time'])} is not a time such as 1:02:03", line)
                sec = None
        elif sec is not None:
            sec = timeutil.seconds_value(sec)
            if sec is None:
                fp.error(f"{where}.sec", f"must be a number of seconds >= 0, got {_shown(row['sec'])}", line)
                continue
        raw_who = row.get("who")
        if raw_who is not None and not _text_value(raw_who):
            fp.error(f"{where}.who", f"must be the speaker's name, not a {type(raw_who).__name__}", line)
            continue
        who = str(raw_who).strip() if raw_who else None
        if who and (why := name_problem(who)):  # a sentence, not a name: the previous speaker goes on
            short = who if len(who) <= 60 else who[:57] + "..."
            fp.warn(
                f"{where}.who",
                f"{short!r} does not look like a name ({why}); read as the previous speaker",
                line,
            )
            who = None
        rows.append(TranscriptLine(str(text).strip(), float(sec) if sec is not None else None, who, line))
    return tuple(rows)


def _markers(data: dict, fp: _FileProblems) -> tuple[ChapterMarker, ...]:
    raw = data.get("quotableClips")
    if is_absent(raw):
        return ()
    if not isinstance(raw, list):
        fp.error(
            "quotableClips", "must be a list of {name, startOffset, endOffset}", fp.line("quotableClips")
        )
        return ()
    out = []
    for i, clip in enumerate(raw):
        line = fp.line("quotableClips", i)
        where = f"quotableClips[{i}]"
        if not isinstance(clip, dict):
            fp.error(where, "must be a mapping with name and startOffset", line)
            continue
        name = clip.get("name")
        start, end = timeutil.seconds_value(clip.get("startOffset")), clip.get("endOffset")
        if is_absent(name):
            fp.error(f"{where}.name", "is required", line)
            continue
        if not _text_value(name):
            fp.error(f"{where}.name", f"must be text, not a {type(name).__name__}", line)
            continue
        if start is None:
            fp.error(
                f"{where}.startOffset", f"must be seconds >= 0, got {_shown(clip.get('startOffset'))}", line
            )
            continue
        if end is not None and (timeutil.seconds_value(end) is None or end < start):
            fp.warn(
                f"{where}.endOffset",
                f"must be seconds >= startOffset ({start:g}), got {_shown(end)}; ignored",
                line,
            )
            end = None
        url = clip.get("url") if isinstance(clip.get("url"), str) and not is_absent(clip.get("url")) else None
        out.append(
            ChapterMarker(" ".join(str(name).split()), start, float(end) if end is not None else None, url)
        )
    return tuple(out)


def _audio(data: dict, fp: _FileProblems) -> Audio | None:
    raw = data.get("audio")
    if is_absent(raw):
        return None
    line = fp.line("audio")
    if isinstance(raw, str):
        # a URL, or the path of a local copy (audio: media/x.mp3) the build measures
        raw = {"url": raw} if "://" in raw else {"file": raw}
    if not isinstance(raw, dict):
        fp.error("audio", "must be a URL, a file path or a mapping {url, file, length, type}", line)
        return None
    unknown = set(raw) - {"url", "file", "length", "type", "duration"}
    for key in sorted(unknown):
        fp.warn(f"audio.{key}", "unknown key (audio takes url, file, length, type, duration)", line)
    file = _local_media_path(raw.get("file"), fp, line)
    if file is False:
        return None
    url = raw.get("url")
    if url is None and file:
        url = ""  # the build makes it from media_url or public_url
    elif not isinstance(url, str) or not is_media_url(url):
        fp.error("audio.url", f"must be an absolute http(s) URL to the media file, got {_shown(url)}", line)
        return None
    url = url.strip()
    length = raw.get("length")
    if length is not None and (isinstance(length, bool) or not isinstance(length, int) or length < 0):
        fp.error(
            "audio.length", f"must be the file size in bytes (a whole number), got {_shown(length)}", line
        )
        return None
    if raw.get("type") is not None and not isinstance(raw["type"], str):
        fp.error("audio.type", f"must be a MIME type such as audio/mpeg, got {_shown(raw['type'])}", line)
        return None
    mime = raw.get("type") or mime_type_for(url or str(file))
    if not mime:
        fp.error(
            "audio.type",
            f"cannot tell the MIME type of {url or file!r}: add type: audio/mpeg (or similar)",
            line,
        )
        return None
    duration = None
    if raw.get("duration") is not None:
        try:
            duration = timeutil.parse_duration(raw["duration"])
        except ValueError as exc:
            fp.error("audio.duration", str(exc), line)
    return Audio(
        url=url, length=length, mime_type=str(mime), duration=duration, source="episode", file=file or None
    )


def _local_media_path(value: Any, fp: _FileProblems, line: int | None) -> str | Literal[False] | None:
    """``audio.file`` as a relative POSIX path inside the episodes folder; False (reported) when unusable.

    Episode files are input anyone with commit access writes: a path may not leave the folder,
    or a build would publish the size of any file on the machine."""
    if value is None:
        return None
    parts = PurePosixPath(value.strip()).parts if isinstance(value, str) else ()
    if not parts or value.strip().startswith(("/", "~")) or ".." in parts or "\\" in value:
        fp.error(
            "audio.file",
            f"must be the path of the media file inside the episodes folder (media/x.mp3), got {value!r}",
            line,
        )
        return False
    return "/".join(parts)


def _string_list(data: dict, key: str, fp: _FileProblems, split_commas: bool = False) -> tuple[str, ...]:
    value = data.get(key)
    if is_absent(value):
        return ()
    if isinstance(value, str):
        parts = value.split(",") if split_commas else [value]
        return tuple(p.strip() for p in parts if p.strip())
    if isinstance(value, list) and all(
        isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value
    ):
        return tuple(str(v).strip() for v in value if not is_absent(v))
    fp.error(key, "must be a list of text values", fp.line(key))
    return ()


@dataclass(frozen=True)
class _Reading:
    """One episode file being read: what the field parsers read from and report to."""

    path: Path
    doc: frontmatter.Document
    data: dict[str, Any]  # the front matter, XML-invalid characters removed
    fp: _FileProblems
    people: PeopleDirectory | None
    tz: tzinfo
    render_html: bool = True  # False: the show notes' links only, from the Markdown tokens


# A field parser reads one key (reporting problems under that name) and returns the Episode
# fields it gives; a value it cannot use is reported and given as None or empty.
_FieldParser = Callable[[str, _Reading], dict[str, Any]]


def _title(key: str, r: _Reading) -> dict[str, Any]:
    return {"title": _text(r.data, key, r.fp, required=True)}


def _pub_date(key: str, r: _Reading) -> dict[str, Any]:
    """``dateadded``, else the older ``date``; None when neither is there (no problem: the
    build takes the host's or the publish record's date, or holds the episode back)."""
    date_key = key if not is_absent(r.data.get(key)) else "date"
    if is_absent(r.data.get(date_key)):
        return {"pub_date": None}
    line = r.fp.line(date_key)
    unreadable = r.doc.unreadable.get(line) if line is not None else None
    if unreadable and isinstance(r.data[date_key], str):  # 2021-02-30, unquoted: YAML read it as text
        r.fp.error(date_key, f"{_shown(r.data[date_key])} is {unreadable}: use YYYY-MM-DD", line)
        return {"pub_date": None}
    try:
        pub_date = timeutil.parse_date(r.data[date_key], r.tz)
        pub_date.astimezone(UTC)  # 0001-01-01 in a zone east of UTC is before the first day there is
    except (ValueError, OverflowError) as exc:
        message = str(exc) if isinstance(exc, ValueError) else "the date is out of range"
        r.fp.error(date_key, message, line)
        return {"pub_date": None}
    return {"pub_date": pub_date}


def _duration(key: str, r: _Reading) -> dict[str, Any]:
    if is_absent(r.data.get(key)):
        return {"duration": None}
    try:
        return {"duration": timeutil.parse_duration(r.data[key])}
    except ValueError as exc:
        r.fp.error(key, str(exc), r.fp.line(key))
        return {"duration": None}


def _ids(key: str, r: _Reading) -> dict[str, Any]:
    ids, _ = _mapping_of_urls(r.data, key, r.fp)
    return {"ids": tuple(sorted(ids.items()))}


def _links(key: str, r: _Reading) -> dict[str, Any]:
    """Platform links; a platform that is TODO, empty or not there at all is a missing link."""
    links, missing = _mapping_of_urls(r.data, key, r.fp)
    missing += [name for name in PLATFORMS if name not in links and name not in missing]
    return {"links": tuple(sorted(links.items())), "missing_links": tuple(sorted(missing))}


def _guests(key: str, r: _Reading) -> dict[str, Any]:
    """Guest ids resolved to profiles; without a people folder a guest is just its id."""
    guests: list[Person] = []
    raw = r.data.get(key)
    # the list position of each id, for messages: absent entries (TODO, empty) are not ids
    positions = [i for i, v in enumerate(raw) if not is_absent(v)] if isinstance(raw, list) else [0]
    for position, gid in zip(positions, _string_list(r.data, key, r.fp), strict=False):
        bad_id = r.people.id_problem(gid) if r.people is not None else guest_id_problem(gid)
        if bad_id:
            r.fp.error(
                f"{key}[{position}]",
                f"{gid!r} is not a guest id: {bad_id}; a guest id is the name of a profile file "
                "in the people folder without .md (janedoe for people/janedoe.md)",
                r.fp.line(key, position),
            )
            continue
        if r.people is None or r.people.folder is None:
            guests.append(Person(id=gid, name=gid))
            continue
        person, person_problems = r.people.get(gid)
        r.fp.problems.extend(person_problems)
        if person is None:
            r.fp.warn(
                key,
                f"no profile {gid}.md in {r.people.folder}; the guest is left out of podcast:person",
                r.fp.line(key),
            )
        else:
            guests.append(person)
    return {"guests": tuple(guests)}


def _episode_type(key: str, r: _Reading) -> dict[str, Any]:
    """``episodeType``, else the older ``episode_type``; ``full`` when neither is there."""
    episode_type = (_text(r.data, key, r.fp) or _text(r.data, "episode_type", r.fp) or "full").lower()
    if episode_type not in ("full", "trailer", "bonus"):
        r.fp.error(key, f"must be full, trailer or bonus, got {episode_type!r}", r.fp.line(key))
    return {"episode_type": episode_type}


def _explicit(key: str, r: _Reading) -> dict[str, Any]:
    explicit = r.data.get(key)
    if explicit is not None and not isinstance(explicit, bool):
        r.fp.error(key, f"must be true or false, got {explicit!r}", r.fp.line(key))
        explicit = None
    return {"explicit": explicit}


def _body(key: str, r: _Reading) -> dict[str, Any]:
    """The Markdown after the front matter, as HTML show notes and the links in them."""
    body = r.doc.body
    if len(body) > MAX_TEXT_CHARS:
        r.fp.error(
            key,
            f"the show notes are {len(body):,} characters, more than the {MAX_TEXT_CHARS:,} a feed item "
            "can carry; shorten them",
            r.doc.body_line,
        )
        return {"body_html": "", "body_links": ()}
    if xmlchars.has_invalid(body):
        first_bad = next(i for i, c in enumerate(body) if xmlchars.has_invalid(c))
        r.fp.warn(
            key,
            f"removed XML-invalid character(s) {xmlchars.describe_invalid(body)}",
            r.doc.body_line + body.count("\n", 0, first_bad),
        )
        body = xmlchars.clean(body)[0]
    if not r.render_html:
        return {"body_html": "", "body_links": shownotes.links(body)}
    body_html, body_links = shownotes.render(body)
    return {"body_html": body_html, "body_links": body_links}


def _plain_text(key: str, r: _Reading) -> dict[str, Any]:
    return {key: _text(r.data, key, r.fp)}


def _whole_number(key: str, r: _Reading) -> dict[str, Any]:
    return {key: _positive_int(r.data, key, r.fp)}


def _text_list(key: str, r: _Reading) -> dict[str, Any]:
    return {key: _string_list(r.data, key, r.fp)}


def _accepted_warnings(key: str, r: _Reading) -> dict[str, Any]:
    """Warning codes this episode accepts; an unknown code is itself a warning (a typo accepts nothing)."""
    codes = _string_list(r.data, key, r.fp)
    for i, code in enumerate(codes):
        if why := unknown_code_hint(code):
            r.fp.warn(f"{key}[{i}]", why, r.fp.line(key, i))
    return {key: codes}


def _comma_list(key: str, r: _Reading) -> dict[str, Any]:
    """A list, or one text of comma-separated values."""
    return {key: _string_list(r.data, key, r.fp, split_commas=True)}


def _item_tag(read: Callable[[FieldReader, str], Any], key: str, r: _Reading) -> Any:
    """A Podcasting 2.0 item tag, read as the config reads the channel's (one grammar for both)."""
    fields = FieldReader(r.data, r.fp.path)
    value = read(fields, key)
    for problem in fields.problems:
        r.fp.warn(problem.field, problem.message + " (left out)", r.fp.line(key))
    return None if fields.problems else value


# Every field of an episode, in the order its problems are reported. "body" is no front-matter
# key: it names the Markdown after the front matter.
_FIELDS: tuple[tuple[str, _FieldParser], ...] = (
    ("title", _title),
    ("dateadded", _pub_date),
    ("duration", _duration),
    ("ids", _ids),
    ("links", _links),
    ("guests", _guests),
    ("episodeType", _episode_type),
    ("explicit", _explicit),
    ("guid", _plain_text),
    ("body", _body),
    ("image", _plain_text),
    ("transcript", lambda key, r: {"transcript": _transcript(r.data, r.fp)}),
    ("quotableClips", lambda key, r: {"markers": _markers(r.data, r.fp)}),
    ("audio", lambda key, r: {"audio": _audio(r.data, r.fp)}),
    ("season", _whole_number),
    ("episode", _whole_number),
    ("ignore_warnings", _accepted_warnings),
    ("short", _plain_text),
    ("description", _plain_text),
    ("intro", _plain_text),
    ("topics", _text_list),
    ("keywords", _comma_list),
    ("license", lambda key, r: {"license": _item_tag(read_license, key, r)}),  # podcast:license
    ("txt", lambda key, r: {"txt": _item_tag(read_txt, key, r) or ()}),  # podcast:txt
)
KNOWN_FIELDS = frozenset(key for key, _ in _FIELDS if key != "body") | {
    "date",  # read by the dateadded parser
    "episode_type",  # read by the episodeType parser
    "context",  # the website's own keys, not used here
    "layout",
}


def _load(path: Path, raw: bytes | None, fp: _FileProblems) -> tuple[frontmatter.Document, str] | None:
    """The file's front matter and body, and its text; None (problem reported) when unreadable."""
    if raw is None:
        try:
            raw = read_input(path)
        except FileNotFoundError as exc:
            fp.error("file", f"cannot read: {exc.strerror}")
            return None
        except UnreadableFile as exc:
            fp.error("file", f"cannot read: {exc.reason}")
            return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        fp.error("file", f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8", line)
        return None
    try:
        return frontmatter.load(text), text
    except frontmatter.FrontMatterError as exc:
        fp.error("front matter", str(exc), exc.line)
        return None


def _front_matter(doc: frontmatter.Document, text: str, fp: _FileProblems) -> dict[str, Any]:
    """The front matter without XML-invalid characters; unknown keys are reported."""
    data = doc.data
    for dup in doc.duplicates:
        fp.warn(dup.field, dup.message(), dup.line)
    if xmlchars.has_invalid(text):  # walk the values only when the file holds such characters at all
        data = {k: _clean_strings(v, str(k), fp, doc.key_lines.get(str(k))) for k, v in data.items()}
    for key in data:
        if key not in KNOWN_FIELDS:
            close = difflib.get_close_matches(str(key), sorted(KNOWN_FIELDS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            fp.warn(str(key), f"unknown field, ignored{hint}", fp.line(str(key)))
    return data


def _parse(table: tuple[tuple[str, _FieldParser], ...], reading: _Reading) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, parse in table:
        fields.update(parse(key, reading))
    return fields


def read_episode(
    path: Path,
    people: PeopleDirectory | None = None,
    tz: tzinfo = UTC,
    raw: bytes | None = None,
    *,
    render_html: bool = True,
) -> tuple[Episode | None, list[Problem]]:
    """Read one file (or its already-read bytes). Returns (None, problems) when it has errors.

    ``render_html=False`` takes the show notes' links from the Markdown tokens and leaves
    ``body_html`` empty: for readers that need only the links (``feedtool links``)."""
    fp = _FileProblems(path)
    slug = path.name[:-3]
    bad_name = slug_problem(slug)
    if bad_name:
        fp.error("file", bad_name)
        return None, fp.problems
    loaded = _load(path, raw, fp)
    if loaded is None:
        return None, fp.problems
    doc, text = loaded
    fp.doc = doc
    reading = _Reading(path, doc, _front_matter(doc, text, fp), fp, people, tz, render_html)
    fields = _parse(_FIELDS, reading)
    if path.name.endswith(".md.md"):
        fp.warn("file", "the file name ends in .md.md; the slug keeps the inner '.md'")
    if fp.has_errors or fields["title"] is None:
        return None, fp.problems
    return Episode(path=path, slug=slug, **fields), fp.problems


def display_path(path: Path) -> str:
    """``path`` as problems name it: bytes of a name that are no UTF-8 shown as ``\\xff``, so
    that every output (a report, ``feedtool run``'s stdout) can print it."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return text


def slug_problem(slug: str) -> str | None:
    """Why a file name cannot name a published episode (its URLs and output files), or None."""
    try:
        size = len(slug.encode("utf-8"))
    except UnicodeEncodeError:  # bytes that are no UTF-8 reach Python as lone surrogates
        return "the file name is not valid UTF-8: rename the file (its name becomes URLs, which are UTF-8)"
    if size > MAX_SLUG_BYTES:
        return (
            f"the file name is too long to publish: its slug is {size} bytes, at most {MAX_SLUG_BYTES} "
            "(the episode's chapters and transcripts files are named after it); rename the file"
        )
    return None


def episode_files(folder: Path) -> list[Path]:
    return scan_folder(folder)[0]


def scan_folder(folder: Path) -> tuple[list[Path], list[Skipped]]:
    """The ``*.md`` files of ``folder`` (symbolic links to files included), in name order, and
    the ``*.md`` entries that are no file to read, each with the reason: a folder, a named
    pipe, a device, a dangling symbolic link or a link loop. Raises OSError when the folder
    cannot be listed."""
    files: list[Path] = []
    others: list[Skipped] = []
    with os.scandir(folder) as listing:
        entries = sorted((e for e in listing if Path(e.name).suffix == ".md"), key=lambda e: e.name)
    for entry in entries:
        path = folder / entry.name
        try:
            kind = kind_of(os.stat(path).st_mode)
        except FileNotFoundError:
            if entry.is_symlink():
                with contextlib.suppress(OSError):  # (unless removed since the listing)
                    target = os.readlink(path)
                    others.append(Skipped(path, f"a symbolic link to {target!r}, which does not exist"))
            continue
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                others.append(Skipped(path, "a symbolic link loop (the link points back at itself)"))
                continue
            kind = None  # for read_episode to report (no permission to look, say)
        if kind:
            others.append(Skipped(path, f"{kind}, not an episode file"))
        else:
            files.append(path)
    return files, others


def read_episodes(
    folder: Path,
    people: PeopleDirectory | None = None,
    tz: tzinfo = UTC,
    cache: EpisodeCache | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    render_html: bool = True,
) -> ReadResult:
    """Read every ``*.md`` in ``folder``; names starting with ``_`` are drafts and skipped, and
    so (with a warning saying why) is every ``*.md`` that is not a file: a folder, a pipe, a
    dangling link.

    With a cache, a file whose content (and guest profiles) did not change is not parsed again.
    ``progress(n, total)`` is called as the n-th file is read. With ``render_html=False``
    (``read_episode``) the cache is only read: an episode without its HTML must not reach a build.
    """
    if not folder.is_dir():
        return ReadResult((), (), (Problem(str(folder), "episodes", "folder not found"),), ())
    try:
        paths, not_files = scan_folder(folder)
    except OSError as exc:
        why = f"cannot list the folder: {exc.strerror or exc}; make it readable (or pass another --episodes)"
        return ReadResult((), (), (Problem(str(folder), "episodes", why),), ())
    skipped: list[Skipped] = []
    # each file's (episode, problems): from the cache, or None until it is parsed below
    found: list[tuple[Path, tuple[Episode | None, list[Problem]] | None]] = []
    todo: list[_ToParse] = []
    for path in paths:
        if path.name.startswith("_"):
            skipped.append(Skipped(path, "draft or template (name starts with '_')"))
        elif cache is None:
            todo.append(_ToParse(path, None, None))
            found.append((path, None))
        else:
            looked_up = _look_up(path, cache)
            if isinstance(looked_up, _ToParse):
                todo.append(looked_up)
                found.append((path, None))
            else:
                found.append((path, looked_up))
    hits = len(found) - len(todo)
    if progress is not None:
        progress(hits, len(found))
    parsed = iter(_parse_files(todo, people, tz, cache, render_html, progress, hits, len(found)))
    episodes: list[Episode] = []
    problems: list[Problem] = []
    failed: list[Path] = []
    for path, result in found:
        episode, file_problems = result if result is not None else next(parsed)
        problems.extend(file_problems)
        if episode is None:
            failed.append(Path(display_path(path)))  # the name its problems give
        else:
            episodes.append(episode)
    for other in not_files:
        if not other.path.name.startswith("_"):
            problems.append(
                Problem(display_path(other.path), "file", f"skipped: {other.reason}", None, Severity.WARNING)
            )
        skipped.append(other)
    if cache is not None:
        cache.retain({path.name for path, _ in found})
    problems += _numbering_problems(episodes) + _people_folder_problems(episodes, people)
    return ReadResult(tuple(episodes), tuple(skipped), tuple(problems), tuple(failed))


def _numbering_problems(episodes: list[Episode]) -> list[Problem]:
    """A warning for each episode that has the season and episode number of an earlier file."""
    first: dict[tuple[str, int | None, int], Path] = {}
    problems = []
    for episode in episodes:
        if episode.episode is None:
            continue
        key = (episode.episode_type, episode.season, episode.episode)
        if key in first:
            number = f"season {episode.season} episode" if episode.season is not None else "episode"
            problems.append(
                Problem(
                    str(episode.path),
                    "episode",
                    f"{number} {episode.episode} is also the number of {first[key]}: apps show both "
                    "under one number; renumber one of them",
                    None,
                    Severity.WARNING,
                )
            )
        else:
            first[key] = episode.path
    return problems


def _people_folder_problems(episodes: list[Episode], people: PeopleDirectory | None) -> list[Problem]:
    """One warning when guests are named but their profiles' folder is not there."""
    if people is None or people.folder is not None or people.requested is None:
        return []
    named = sum(len(e.guests) for e in episodes)
    if not named:
        return []
    return [
        Problem(
            str(people.requested),
            "people",
            f"the people folder does not exist: {named} guest(s) are published under their ids, "
            "with no name, picture or links; create it (one profile per guest) or set people: in the config",
            None,
            Severity.WARNING,
        )
    ]


@dataclass(frozen=True)
class _ToParse:
    """An episode file the cache could not answer for: its bytes (None without a cache: the
    reader reads the file) and their digest."""

    path: Path
    raw: bytes | None
    digest: str | None


def _look_up(path: Path, cache: EpisodeCache) -> tuple[Episode | None, list[Problem]] | _ToParse:
    """The file's episode and problems from the cache (or why it cannot be read), else what
    to parse."""
    bad_name = slug_problem(path.name[:-3])
    if bad_name:
        return None, [Problem(display_path(path), "file", bad_name)]
    try:
        raw = read_input(path)
    except FileNotFoundError as exc:
        return None, [Problem(display_path(path), "file", f"cannot read: {exc.strerror}")]
    except UnreadableFile as exc:
        return None, [Problem(display_path(path), "file", f"cannot read: {exc.reason}")]
    digest = file_digest(raw)
    entry = cache.get(path.name, digest)
    if entry is not None:
        return _as_given(entry, path)
    return _ToParse(path, raw, digest)


def _parse_files(
    todo: list[_ToParse],
    people: PeopleDirectory | None,
    tz: tzinfo,
    cache: EpisodeCache | None,
    render_html: bool,
    progress: Callable[[int, int], None] | None,
    done_before: int,
    total: int,
) -> list[tuple[Episode | None, list[Problem]]]:
    """(episode, problems) of each file in ``todo``, in order, parsed on both cores when they
    are many (``parallel``: the result is the one a single process gives); each goes into the
    cache (not with ``render_html=False``: an episode without its HTML must not reach a build)."""
    remember = cache is not None and render_html

    def parse_one(job: _ToParse) -> CacheEntry:
        """The file's entry as the cache stores it: its own problems under its bare name, so a
        later run that spells the folder differently (relative, absolute) gets them back under
        its own spelling (``_as_given``)."""
        if people is not None:
            people.consulted.clear()
        episode, file_problems = read_episode(job.path, people, tz, job.raw, render_html=render_html)
        consulted = sorted(set(people.consulted)) if people is not None and remember else []
        given = str(job.path)
        stored = tuple(replace(p, path=job.path.name) if p.path == given else p for p in file_problems)
        return CacheEntry(job.digest or "", dependency_state(consulted), episode, stored)

    def in_worker(index: int) -> str:
        try:
            return entry_json(parse_one(todo[index]))
        except (TypeError, ValueError):  # not storable (never expected): the parent parses it
            return ""

    texts = parallel.map_in_forks(
        in_worker,
        len(todo),
        progress=(lambda n: progress(done_before + n, total)) if progress is not None else None,
    )
    results = []
    for index, job in enumerate(todo):
        text = next(texts) if texts is not None else ""
        entry = decode_entry(json.loads(text)) if text else parse_one(job)
        # what is parsed is let go of at once: at thousands of files, the bytes read would
        # otherwise double the memory of the read
        todo[index] = replace(job, raw=None)
        if texts is None and progress is not None:
            progress(done_before + index + 1, total)
        if remember and cache is not None and job.digest is not None:
            cache.put(job.path.name, entry, text or None)
        del text
        results.append(_as_given(entry, job.path))
    return results


def _as_given(entry: CacheEntry, path: Path) -> tuple[Episode | None, list[Problem]]:
    """A cached episode and its problems, naming the file as this run was given it."""
    episode = replace(entry.episode, path=path) if entry.episode is not None else None
    return episode, [replace(p, path=str(path)) if p.path == path.name else p for p in entry.problems]
