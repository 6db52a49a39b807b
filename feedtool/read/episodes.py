"""Read an episodes folder into ``Episode`` objects, collecting every problem.

A file with errors yields no Episode but never stops the others from being
read: the maintainer gets the full list of what to fix in one run.
"""

from __future__ import annotations

import difflib
import mimetypes
import re
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from feedtool import timeutil
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
from feedtool.read import frontmatter, shownotes, xmlchars
from feedtool.read.cache import CacheEntry, EpisodeCache, dependency_state, file_digest
from feedtool.read.people import PeopleDirectory, guest_id_problem

KNOWN_FIELDS = {
    "title",
    "short",
    "guests",
    "image",
    "season",
    "episode",
    "ids",
    "links",
    "transcript",
    "description",
    "intro",
    "topics",
    "dateadded",
    "date",
    "duration",
    "quotableClips",
    "context",
    "keywords",
    "audio",
    "guid",
    "episodeType",
    "episode_type",
    "explicit",
    "layout",
}
PLATFORMS = ("youtube", "spotify", "apple", "anchor")
AUDIO_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",
    ".mp4": "video/mp4",
    ".m4v": "video/x-m4v",
    ".mov": "video/quicktime",
    ".pdf": "application/pdf",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".opus": "audio/opus",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
}


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


def mime_type_for(url: str) -> str | None:
    suffix = Path(urlsplit(url).path).suffix.lower()
    return AUDIO_TYPES.get(suffix) or mimetypes.guess_type(urlsplit(url).path)[0]


class _FileProblems:
    """Collects problems for one file; knows the lines of top-level keys and list items."""

    def __init__(self, path: Path, doc: frontmatter.Document | None = None):
        self.path = str(path)
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
    return str(value).strip()


def _positive_int(data: dict, key: str, fp: _FileProblems) -> int | None:
    value = data.get(key)
    if is_absent(value):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        fp.error(key, f"must be a whole number greater than 0, got {value!r}", fp.line(key))
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
            fp.error(where, f"each row must be a mapping with 'header' or 'line', got {row!r:.60}", line)
            continue
        if "header" in row:
            title = row["header"]
            if is_absent(title) or not isinstance(title, (str, int, float)):
                fp.error(f"{where}.header", "a header needs a title", line)
                continue
            rows.append(TranscriptHeader(" ".join(str(title).split()), line))
            continue
        if "line" not in row:
            fp.error(where, f"row has neither 'header' nor 'line' (keys: {sorted(row)})", line)
            continue
        text = row["line"]
        if text is None:
            text = ""
        if not isinstance(text, (str, int, float)):
            fp.error(f"{where}.line", f"must be text, not a {type(text).__name__}", line)
            continue
        sec = row.get("sec")
        if sec is None and isinstance(row.get("time"), (str, int)):
            try:
                sec = timeutil.parse_duration(str(row["time"]))
            except ValueError:
                fp.error(f"{where}.time", f"{row['time']!r} is not a time such as 1:02:03", line)
                sec = None
        elif sec is not None and (isinstance(sec, bool) or not isinstance(sec, (int, float)) or sec < 0):
            fp.error(f"{where}.sec", f"must be a number of seconds >= 0, got {sec!r}", line)
            continue
        who = row.get("who")
        rows.append(
            TranscriptLine(
                str(text).strip(),
                float(sec) if sec is not None else None,
                str(who).strip() if who else None,
                line,
            )
        )
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
        name, start, end = clip.get("name"), clip.get("startOffset"), clip.get("endOffset")
        if is_absent(name):
            fp.error(f"{where}.name", "is required", line)
            continue
        if isinstance(start, bool) or not isinstance(start, (int, float)) or start < 0:
            fp.error(f"{where}.startOffset", f"must be seconds >= 0, got {start!r}", line)
            continue
        if end is not None and (isinstance(end, bool) or not isinstance(end, (int, float)) or end < start):
            fp.warn(
                f"{where}.endOffset", f"must be seconds >= startOffset ({start}), got {end!r}; ignored", line
            )
            end = None
        url = clip.get("url") if isinstance(clip.get("url"), str) and not is_absent(clip.get("url")) else None
        out.append(
            ChapterMarker(
                " ".join(str(name).split()), float(start), float(end) if end is not None else None, url
            )
        )
    return tuple(out)


def _audio(data: dict, fp: _FileProblems) -> Audio | None:
    raw = data.get("audio")
    if is_absent(raw):
        return None
    line = fp.line("audio")
    if isinstance(raw, str):
        raw = {"url": raw}
    if not isinstance(raw, dict):
        fp.error("audio", "must be a URL or a mapping {url, length, type}", line)
        return None
    unknown = set(raw) - {"url", "length", "type", "duration"}
    for key in sorted(unknown):
        fp.warn(f"audio.{key}", "unknown key (audio takes url, length, type, duration)", line)
    url = raw.get("url")
    if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+/\S*$", url.strip()):
        fp.error("audio.url", f"must be an absolute http(s) URL to the media file, got {url!r}", line)
        return None
    url = url.strip()
    length = raw.get("length")
    if length is not None and (isinstance(length, bool) or not isinstance(length, int) or length < 0):
        fp.error("audio.length", f"must be the file size in bytes (a whole number), got {length!r}", line)
        return None
    mime = raw.get("type") or mime_type_for(url)
    if not mime:
        fp.error(
            "audio.type", f"cannot tell the MIME type of {url!r}: add type: audio/mpeg (or similar)", line
        )
        return None
    duration = None
    if raw.get("duration") is not None:
        try:
            duration = timeutil.parse_duration(raw["duration"])
        except ValueError as exc:
            fp.error("audio.duration", str(exc), line)
    return Audio(url=url, length=length, mime_type=str(mime), duration=duration, source="episode")


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
    if raw is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            fp.error("file", f"cannot read: {exc.strerror}")
            return None, fp.problems
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        fp.error("file", f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8", line)
        return None, fp.problems
    try:
        doc = frontmatter.load(text)
    except frontmatter.FrontMatterError as exc:
        fp.error("front matter", str(exc), exc.line)
        return None, fp.problems
    fp.doc = doc
    data = doc.data
    if xmlchars.has_invalid(text):  # walk the values only when the file holds such characters at all
        data = {k: _clean_strings(v, str(k), fp, doc.key_lines.get(str(k))) for k, v in data.items()}
    for key in data:
        if key not in KNOWN_FIELDS:
            close = difflib.get_close_matches(str(key), sorted(KNOWN_FIELDS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            fp.warn(str(key), f"unknown field, ignored{hint}", fp.line(str(key)))

    title = _text(data, "title", fp, required=True)
    pub_date = None
    date_key = "dateadded" if not is_absent(data.get("dateadded")) else "date"
    if is_absent(data.get(date_key)):
        fp.error("dateadded", "the episode has no publication date: add dateadded: YYYY-MM-DD")
    else:
        try:
            pub_date = timeutil.parse_date(data[date_key], tz)
        except ValueError as exc:
            fp.error(date_key, str(exc), fp.line(date_key))
    duration = None
    if not is_absent(data.get("duration")):
        try:
            duration = timeutil.parse_duration(data["duration"])
        except ValueError as exc:
            fp.error("duration", str(exc), fp.line("duration"))
    ids, _ = _mapping_of_urls(data, "ids", fp)
    links, missing = _mapping_of_urls(data, "links", fp)
    for name in PLATFORMS:
        if name not in links and name not in missing:
            missing.append(name)
    guests_ids = _string_list(data, "guests", fp)
    guests: list[Person] = []
    raw_guests = data.get("guests")
    positions = (
        [i for i, v in enumerate(raw_guests) if not is_absent(v)] if isinstance(raw_guests, list) else [0]
    )
    for position, gid in zip(positions, guests_ids, strict=False):
        bad_id = people.id_problem(gid) if people is not None else guest_id_problem(gid)
        if bad_id:
            fp.error(
                f"guests[{position}]",
                f"{gid!r} is not a guest id: {bad_id}; a guest id is the name of a profile file "
                "in the people folder without .md (janedoe for people/janedoe.md)",
                fp.line("guests", position),
            )
            continue
        if people is None or people.folder is None:
            guests.append(Person(id=gid, name=gid))
            continue
        person, person_problems = people.get(gid)
        fp.problems.extend(person_problems)
        if person is None:
            fp.warn(
                "guests",
                f"no profile {gid}.md in {people.folder}; the guest is left out of podcast:person",
                fp.line("guests"),
            )
        else:
            guests.append(person)
    episode_type = (_text(data, "episodeType", fp) or _text(data, "episode_type", fp) or "full").lower()
    if episode_type not in ("full", "trailer", "bonus"):
        fp.error(
            "episodeType", f"must be full, trailer or bonus, got {episode_type!r}", fp.line("episodeType")
        )
    explicit = data.get("explicit")
    if explicit is not None and not isinstance(explicit, bool):
        fp.error("explicit", f"must be true or false, got {explicit!r}", fp.line("explicit"))
        explicit = None
    guid = _text(data, "guid", fp)
    body = doc.body
    if xmlchars.has_invalid(body):
        first_bad = next(i for i, c in enumerate(body) if xmlchars.has_invalid(c))
        fp.warn(
            "body",
            f"removed XML-invalid character(s) {xmlchars.describe_invalid(body)}",
            doc.body_line + body.count("\n", 0, first_bad),
        )
        body = xmlchars.clean(body)[0]
    if render_html:
        body_html, body_links = shownotes.render(body)
    else:
        body_html, body_links = "", shownotes.links(body)
    image = _text(data, "image", fp)
    transcript = _transcript(data, fp)
    markers = _markers(data, fp)
    audio = _audio(data, fp)
    season = _positive_int(data, "season", fp)
    number = _positive_int(data, "episode", fp)
    if path.name.endswith(".md.md"):
        fp.warn("file", "the file name ends in .md.md; the slug keeps the inner '.md'")
    if fp.has_errors or title is None or pub_date is None:
        return None, fp.problems
    return (
        Episode(
            path=path,
            slug=path.name[:-3],
            title=title,
            pub_date=pub_date,
            season=season,
            episode=number,
            short=_text(data, "short", fp),
            description=_text(data, "description", fp),
            intro=_text(data, "intro", fp),
            body_markdown=body,
            body_html=body_html,
            body_links=body_links,
            image=image,
            duration=duration,
            guid=guid,
            audio=audio,
            ids=tuple(sorted(ids.items())),
            links=tuple(sorted(links.items())),
            missing_links=tuple(sorted(missing)),
            guests=tuple(guests),
            topics=_string_list(data, "topics", fp),
            keywords=_string_list(data, "keywords", fp, split_commas=True),
            transcript=transcript,
            markers=markers,
            episode_type=episode_type,
            explicit=explicit,
        ),
        fp.problems,
    )


def episode_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix == ".md" and p.is_file())


def read_episodes(
    folder: Path,
    people: PeopleDirectory | None = None,
    tz: tzinfo = UTC,
    cache: EpisodeCache | None = None,
    *,
    render_html: bool = True,
) -> ReadResult:
    """Read every ``*.md`` in ``folder``; names starting with ``_`` are drafts and skipped.

    With a cache, a file whose content (and guest profiles) did not change is not parsed again.
    With ``render_html=False`` (``read_episode``) the cache is only read: an episode without
    its HTML must not reach a build.
    """
    if not folder.is_dir():
        return ReadResult((), (), (Problem(str(folder), "episodes", "folder not found"),), ())
    episodes, skipped, problems, failed = [], [], [], []
    seen: set[str] = set()
    for path in episode_files(folder):
        if path.name.startswith("_"):
            skipped.append(Skipped(path, "draft or template (name starts with '_')"))
            continue
        if cache is None:
            episode, file_problems = read_episode(path, people, tz, render_html=render_html)
        else:
            episode, file_problems = _read_cached(path, people, tz, cache, render_html)
            seen.add(path.name)
        problems.extend(file_problems)
        if episode is None:
            failed.append(path)
        else:
            episodes.append(episode)
    if cache is not None:
        cache.retain(seen)
    return ReadResult(tuple(episodes), tuple(skipped), tuple(problems), tuple(failed))


def _read_cached(
    path: Path, people: PeopleDirectory | None, tz: tzinfo, cache: EpisodeCache, render_html: bool = True
) -> tuple[Episode | None, list[Problem]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(str(path), "file", f"cannot read: {exc.strerror}")]
    digest = file_digest(raw)
    entry = cache.get(path.name, digest)
    if entry is not None:
        return entry.episode, list(entry.problems)
    if not render_html:
        return read_episode(path, people, tz, raw, render_html=False)
    if people is not None:
        people.consulted.clear()
    episode, file_problems = read_episode(path, people, tz, raw)
    consulted = sorted(set(people.consulted)) if people is not None else []
    cache.put(path.name, CacheEntry(digest, dependency_state(consulted), episode, tuple(file_problems)))
    return episode, file_problems
