"""The show's settings (``config/podcast.yaml``), loaded once into typed objects.

Relative paths resolve against the config file's folder. Unknown keys are an
error with a "did you mean" hint, because a typo in a scheduled job's config
should fail loudly, not silently fall back to a default. The whole file is
checked at load, the ``links:``, ``publish:`` and ``warnings:`` sections
included, so every problem is listed at once, with the line of its key, and no
command starts work on a broken config.
"""

from __future__ import annotations

import os
import re
import string
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from feedtool.config.categories import check_category
from feedtool.config.fields import FieldReader
from feedtool.errors import ConfigError
from feedtool.model import Person, Problem, Severity
from feedtool.read.frontmatter import YAMLInputError, load_yaml
from feedtool.read.inputfile import UnreadableFile, read_input
from feedtool.timeutil import parse_date
from feedtool.warning_codes import IGNORABLE, unknown_code_hint

if TYPE_CHECKING:
    from feedtool.links.config import LinksConfig
    from feedtool.publish.guards import PublishConfig

PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
TRANSCRIPT_FORMATS = ("vtt", "srt", "json")
SHOW_TYPES = ("episodic", "serial")
TEMPLATE_PLACEHOLDERS = ("slug", "season", "episode")

KNOWN_KEYS = {
    "title",
    "description",
    "link",
    "public_url",
    "feed_url",
    "language",
    "copyright",
    "author",
    "owner",
    "image",
    "category",
    "categories",
    "explicit",
    "type",
    "locked",
    "locked_owner",
    "podcast_guid",
    "hosts",
    "episode_url",
    "image_base_url",
    "media_url",
    "media_type",
    "people",
    "timezone",
    "transcripts",
    "transcript_language",
    "max_items",
    "state_dir",
    "links",
    "publish",
    "funding",
    "warnings",
    # moving a show from its host (feedtool.media): the host's feed, local media files, the redirect
    "host_feed",
    "media_dir",
    "new_feed_url",
    # what listeners get (issue 12)
    "chapters",
    "speakers",
    "feed",
    "websub_hub",
    "podping",
    "medium",
    "update_frequency",
    "license",
    "txt",
    "podroll",
    "trailer",
    "site",
}
WARNINGS_KEYS = {"ignore"}
OWNER_KEYS = {"name", "email"}
PERSON_KEYS = {"id", "name", "role", "img", "href"}
FUNDING_KEYS = {"url", "label"}
CHAPTERS_KEYS = {"source"}
FEED_KEYS = {"page_size"}
PODPING_KEYS = {"url", "token"}
# Podcasting 2.0 tags from the config (https://podcastindex.org/namespace/1.0)
MEDIUMS = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "publisher", "course")
UPDATE_FREQUENCY_KEYS = {"text", "rrule", "dtstart", "complete"}
LICENSE_KEYS = {"name", "url"}
TXT_KEYS = {"text", "purpose"}
PODROLL_KEYS = {"feed_guid", "feed_url", "title"}
TRAILER_KEYS = {"title", "url", "pubdate", "length", "type", "season"}


@dataclass(frozen=True)
class UpdateFrequency:
    text: str
    rrule: str | None = None
    dtstart: str | None = None
    complete: bool | None = None


@dataclass(frozen=True)
class Trailer:
    title: str
    url: str
    pubdate: datetime
    length: int | None = None
    type: str | None = None
    season: int | None = None


@dataclass(frozen=True)
class RemoteFeed:
    """A ``podcast:remoteItem`` of the podroll: another show, by its ``podcast:guid``."""

    feed_guid: str
    feed_url: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class ShowTags:
    """``podcast:medium``, ``updateFrequency``, ``license``, ``txt``, ``podroll`` and ``trailer``."""

    medium: str | None = None
    update_frequency: UpdateFrequency | None = None
    license: tuple[str, str | None] | None = None  # (identifier, url)
    txt: tuple[tuple[str, str | None], ...] = ()  # (text, purpose)
    podroll: tuple[RemoteFeed, ...] = ()
    trailers: tuple[Trailer, ...] = ()


CHAPTER_SOURCES = ("auto", "headers", "markers")


@dataclass(frozen=True)
class Category:
    name: str
    sub: str | None = None


@dataclass(frozen=True)
class Config:
    path: Path
    title: str
    description: str
    link: str
    public_url: str  # base URL where the output folder is served, ends with "/"
    feed_url: str
    language: str
    author: str
    image: str
    categories: tuple[Category, ...]
    links: LinksConfig
    publish: PublishConfig
    explicit: bool = False
    show_type: str = "episodic"
    copyright: str | None = None
    owner_name: str | None = None
    owner_email: str | None = None
    locked: bool = True
    locked_owner: str | None = None
    podcast_guid: str = ""
    hosts: tuple[Person, ...] = ()
    episode_url: str | None = None
    image_base_url: str | None = None
    media_url: str | None = None
    media_type: str | None = None
    people_dir: Path | None = None
    timezone: str = "UTC"
    transcript_formats: tuple[str, ...] = TRANSCRIPT_FORMATS
    transcript_language: str | None = None
    max_items: int | None = None
    state_dir: Path | None = None
    funding: tuple[tuple[str, str], ...] = ()  # (url, label)
    # ``warnings.ignore``: warning codes the show accepts; counted as accepted, not printed
    warnings_ignore: tuple[str, ...] = ()
    host_feed: str | None = None  # the show's feed at its host: a URL, or a file path (absolute)
    media_dir: Path | None = None  # local copies of the media files, by the URL's file name
    new_feed_url: str | None = None  # itunes:new-feed-url: the feed has moved there
    problems: tuple[Problem, ...] = ()  # warnings about the file (a key given twice); errors raise
    # what listeners get (issue 12)
    chapters_source: str = "auto"  # chapters.source: auto, headers or markers
    speakers: tuple[tuple[str, str], ...] = ()  # (raw transcript name, display name)
    page_size: int | None = None  # feed.page_size: newest N in feed.xml, the rest in archive pages
    websub_hub: str | None = None  # hub told after a publish that changed feed.xml
    podping_url: str | None = None  # Podping told after such a publish, with podping_token
    podping_token: str | None = None
    tags: ShowTags = ShowTags()  # Podcasting 2.0 channel tags
    site: bool = True  # build writes OUT/index.html and OUT/episodes/SLUG.html

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def output_url(self, relative: str) -> str:
        """The URL of an output file; the path is percent-encoded (a slug may hold ``#``, ``<``, ``"``)."""
        return self.public_url + quote(relative.lstrip("/"), safe="/")


STATE_DIR_NAME = ".feedtool"


def state_dir(config: Config) -> Path:
    """Where feedtool keeps its state (cache, publish record, link history, lock):
    ``state_dir:`` from the config (relative to the config file), else ``.feedtool/``
    in the current directory."""
    return _state_folder(config.state_dir)


def _state_folder(configured: Path | None) -> Path:
    return configured or Path.cwd() / STATE_DIR_NAME


def podcast_guid_for(feed_url: str) -> str:
    """Podcasting 2.0 ``podcast:guid``: UUIDv5 of the feed URL without scheme and trailing slashes."""
    bare = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def parse_config(
    data: Mapping[str, Any],
    path: Path,
    *,
    key_lines: Mapping[str, int] | None = None,
    source: str | None = None,
) -> Config:
    """Build a Config from an already-loaded mapping, its ``links:``, ``publish:`` and
    ``warnings:`` sections included; raise ConfigError listing every problem of the file.

    ``key_lines`` (dotted key -> line, from ``key_lines_of``) puts lines on the problems;
    ``source`` is how problems name the file (default: ``path``)."""
    f = FieldReader(data, source or str(path), key_lines=key_lines)
    f.unknown(KNOWN_KEYS)
    public_url, feed_url = _feed_urls(f)
    owner_name, owner_email = _owner(f)
    state = f.path("state_dir", path.parent)
    links, publish = _sections(f, path.parent, _state_folder(state))
    podping_url, podping_token = _podping(f)
    config = Config(
        path=path,
        title=f.text("title", required=True, default=""),
        description=f.text("description", required=True, default=""),
        link=f.url("link", required=True) or "",
        public_url=public_url,
        feed_url=feed_url,
        language=_language(f),
        author=f.text("author", required=True, default=""),
        image=f.url("image", required=True) or "",
        categories=_categories(f),
        links=links,
        publish=publish,
        explicit=f.flag("explicit", False),
        show_type=_show_type(f),
        copyright=f.text("copyright"),
        owner_name=owner_name,
        owner_email=owner_email,
        locked=f.flag("locked", True),
        locked_owner=f.text("locked_owner") or owner_email,
        podcast_guid=f.text("podcast_guid") or podcast_guid_for(feed_url),
        hosts=_hosts(f),
        episode_url=_template(f, "episode_url"),
        image_base_url=_base_url(f, "image_base_url"),
        media_url=_template(f, "media_url"),
        media_type=f.text("media_type"),
        people_dir=f.path("people", path.parent),
        timezone=_timezone(f),
        transcript_formats=_transcript_formats(f),
        transcript_language=f.text("transcript_language"),
        max_items=f.whole_number("max_items", minimum=1),
        state_dir=state,
        funding=_funding(f),
        warnings_ignore=_warnings_ignore(f),
        **_host_keys(f, path.parent, feed_url),
        chapters_source=_chapters_source(f),
        speakers=_speakers(f),
        page_size=_page_size(f),
        websub_hub=f.url("websub_hub"),
        podping_url=podping_url,
        podping_token=podping_token,
        tags=_show_tags(f),
        site=f.flag("site", True),
    )
    if f.problems:
        raise ConfigError(f"{source or path}: the config has {len(f.problems)} problem(s)", f.problems)
    return config


# The steps of parse_config. Each reads its keys through ``f``, which collects the problems.


def _feed_urls(f: FieldReader) -> tuple[str, str]:
    """``public_url`` (always ending in "/") and ``feed_url`` (by default ``feed.xml`` under it)."""
    public_url = f.url("public_url", required=True) or "https://invalid.example/"
    if not _appendable(f, "public_url", public_url):
        public_url = public_url.split("?")[0].split("#")[0]
    if not public_url.endswith("/"):
        public_url += "/"
    return public_url, f.url("feed_url") or public_url + "feed.xml"


def _appendable(f: FieldReader, key: str, url: str) -> bool:
    """Whether paths can be appended to ``url`` (``.../?a=1#x/feed.xml`` is no feed's URL)."""
    if "?" in url or "#" in url:
        f.problem(
            key, f"must not have a query (?...) or fragment (#...), got {url!r}: paths are appended to it"
        )
        return False
    return True


def _base_url(f: FieldReader, key: str) -> str | None:
    url = f.url(key)
    return url if url is None or _appendable(f, key, url) else None


def _language(f: FieldReader) -> str:
    language = f.text("language", required=True, default="en")
    if not re.match(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$", language):
        f.problem("language", f"must be an ISO 639 code such as 'en' or 'en-us', got {language!r}")
    return language


def _show_type(f: FieldReader) -> str:
    show_type = f.text("type", default="episodic")
    if show_type not in SHOW_TYPES:
        f.problem("type", f"must be 'episodic' or 'serial', got {show_type!r}")
    return show_type


def _timezone(f: FieldReader) -> str:
    name = f.text("timezone", default="UTC")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        f.problem("timezone", f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)")
        return "UTC"
    return name


def _categories(f: FieldReader) -> tuple[Category, ...]:
    raw = f.data.get("categories", f.data.get("category"))
    if raw is None:
        f.problem("category", "is required (Apple needs a category, e.g. 'Technology')")
        return ()
    out: list[Category] = []
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, str):
            name, _, sub_text = item.partition(">")
            name, sub = name.strip(), sub_text.strip() or None
        elif isinstance(item, dict) and "name" in item:
            name, sub = str(item["name"]), (str(item["sub"]) if item.get("sub") else None)
        else:
            f.problem(
                "category",
                f"use 'Technology' or 'Business > Careers' or {{name: ..., sub: ...}}, got {item!r}",
            )
            continue
        message = check_category(name, sub)
        if message:
            f.problem("category", message)
        else:
            out.append(Category(name, sub))
    return tuple(out)


def _owner(f: FieldReader) -> tuple[str | None, str | None]:
    owner = f.section("owner", "a mapping with name and email")
    owner.unknown(OWNER_KEYS)
    email = owner.text("email")
    if email is not None and (not isinstance(owner.data.get("email"), str) or "@" not in email):
        owner.problem("email", f"must be an email address such as host@example.org, got {email!r}")
        email = None
    return owner.text("name"), email


def _hosts(f: FieldReader) -> tuple[Person, ...]:
    data = f.data.get("hosts")
    if data is None:
        return ()
    if not isinstance(data, list):
        f.problem("hosts", "must be a list of {name, img, href}")
        return ()
    hosts = []
    for i, item in enumerate(data):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or not item.get("name"):
            f.problem(f"hosts[{i}]", "needs at least a name")
            continue
        host = f.entry(f"hosts[{i}]", item)
        host.unknown(PERSON_KEYS)
        name = host.text("name", default="")
        hosts.append(
            Person(
                id=host.text("id") or name,
                name=name,
                role=host.text("role") or "host",
                img=host.text("img"),
                href=host.text("href"),
            )
        )
    return tuple(hosts)


def _funding(f: FieldReader) -> tuple[tuple[str, str], ...]:
    funding: list[tuple[str, str]] = []
    items = f.data.get("funding") or []
    if not isinstance(items, list):
        f.problem("funding", "must be a list of {url, label}")
        return ()
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("url"):
            entry = f.entry(f"funding[{i}]", item)
            entry.unknown(FUNDING_KEYS)
            url = entry.url("url")
            if url:
                funding.append((url, entry.text("label", default="Support the show")))
        else:
            f.problem(f"funding[{i}]", "needs a url (and optionally a label)")
    return tuple(funding)


def _warnings_ignore(f: FieldReader) -> tuple[str, ...]:
    """``warnings: {ignore: [CODE, ...]}``: codes from ``feedtool.warning_codes``; a typo is an error."""
    section = f.section("warnings", "a mapping such as {ignore: [audio-length-unknown]}")
    section.unknown(WARNINGS_KEYS)
    return section.names("ignore", IGNORABLE, unknown_code_hint)


def _host_keys(f: FieldReader, base_dir: Path, feed_url: str) -> dict[str, Any]:
    """``host_feed`` (an http(s) URL, or a saved feed's path relative to the config), ``media_dir``
    and ``new_feed_url`` (never this feed's own URL: apps would follow it in a circle)."""
    host_feed = f.text("host_feed")
    if host_feed and not host_feed.lower().startswith(("http://", "https://")):
        if "://" in host_feed:
            f.problem("host_feed", f"must be an http(s) URL or a file path, got {host_feed!r}")
            host_feed = None
        else:
            host_feed = str((base_dir / host_feed).resolve())
    new_feed_url = f.url("new_feed_url")
    if new_feed_url and new_feed_url.rstrip("/") == feed_url.rstrip("/"):
        f.problem("new_feed_url", f"is this feed's own URL ({feed_url}): set it to where the feed moves")
        new_feed_url = None
    return {"host_feed": host_feed, "media_dir": f.path("media_dir", base_dir), "new_feed_url": new_feed_url}


def _chapters_source(f: FieldReader) -> str:
    """``chapters.source``: where chapters come from when an episode has headers and markers."""
    section = f.section("chapters", "a mapping such as {source: auto}")
    section.unknown(CHAPTERS_KEYS)
    source = section.text("source", default="auto")
    if source not in CHAPTER_SOURCES:
        section.problem("source", f"must be one of {', '.join(CHAPTER_SOURCES)}, got {source!r}")
        return "auto"
    return source


def _speakers(f: FieldReader) -> tuple[tuple[str, str], ...]:
    """``speakers``: transcript names (as ``who:`` writes them) mapped to display names."""
    section = f.section(
        "speakers", "a mapping of transcript names to display names, {Alexey: Alexey Grigorev}"
    )
    out = []
    for raw in section.data:
        name = section.text(str(raw), required=True)  # a blank or non-text value is a problem
        if name is not None:
            out.append((" ".join(str(raw).split()).rstrip(":").strip(), name))
    return tuple(out)


def _page_size(f: FieldReader) -> int | None:
    """``feed.page_size``: how many episodes feed.xml and each ``archive/page-K.xml`` hold."""
    section = f.section("feed", "a mapping such as {page_size: 50}")
    section.unknown(FEED_KEYS)
    return section.whole_number("page_size", minimum=1)


def _podping(f: FieldReader) -> tuple[str | None, str | None]:
    """``podping: {url, token}``: both or neither."""
    section = f.section("podping", "a mapping {url, token}")
    section.unknown(PODPING_KEYS)
    if not section.data:
        return None, None
    return section.url("url", required=True), section.text("token", required=True)


def _show_tags(f: FieldReader) -> ShowTags:
    medium = f.text("medium")
    if medium is not None and medium.removesuffix("L") not in MEDIUMS and medium != "mixed":
        f.problem(
            "medium",
            f"must be one of {', '.join(MEDIUMS)} (or a list medium such as podcastL), got {medium!r}",
        )
        medium = None
    return ShowTags(
        medium=medium,
        update_frequency=_update_frequency(f),
        license=read_license(f, "license"),
        txt=read_txt(f, "txt"),
        podroll=_podroll(f),
        trailers=_trailers(f),
    )


def _update_frequency(f: FieldReader) -> UpdateFrequency | None:
    raw = f.data.get("update_frequency")
    if raw is None:
        return None
    section = (
        f.section("update_frequency", "a mapping {text, rrule, dtstart, complete}")
        if not isinstance(raw, str)
        else f.entry("update_frequency", {"text": raw})
    )
    section.unknown(UPDATE_FREQUENCY_KEYS)
    text = section.text("text", required=True, default="")
    rrule = section.text("rrule")
    if rrule is not None and not re.fullmatch(r"FREQ=[A-Z]+(;[A-Z]+=[^;]+)*", rrule):
        section.problem("rrule", f"must be an iCalendar RRULE such as FREQ=WEEKLY, got {rrule!r}")
    dtstart = section.data.get("dtstart")
    if isinstance(dtstart, (date, datetime)):
        dtstart = dtstart.isoformat()
    complete = section.flag("complete", False) if section.given("complete") else None
    return UpdateFrequency(text[:128], rrule, str(dtstart) if dtstart else None, complete)


def read_license(f: FieldReader, key: str) -> tuple[str, str | None] | None:
    """``license: cc-by-4.0`` or ``{name, url}`` (a custom license needs its url): the config's and an
    episode's."""
    raw = f.data.get(key)
    if raw is None:
        return None
    if isinstance(raw, str):
        return (raw.strip(), None) if raw.strip() else None
    section = f.section(key, "a license identifier such as cc-by-4.0, or {name, url}")
    section.unknown(LICENSE_KEYS)
    name = section.text("name", required=True)
    return (name[:128], section.url("url")) if name else None


def read_txt(f: FieldReader, key: str) -> tuple[tuple[str, str | None], ...]:
    """``txt: TEXT``, or a list of TEXT / ``{text, purpose}``: the config's and an episode's."""
    raw = f.data.get(key)
    if raw is None:
        return ()
    out = []
    for i, item in enumerate(raw if isinstance(raw, list) else [raw]):
        entry = f.entry(f"{key}[{i}]", item if isinstance(item, dict) else {"text": item})
        entry.unknown(TXT_KEYS)
        text = entry.text("text", required=True)
        if text is not None:
            out.append((text[:4000], (entry.text("purpose") or None)))
    return tuple(out)


def _podroll(f: FieldReader) -> tuple[RemoteFeed, ...]:
    raw = f.data.get("podroll") or []
    if not isinstance(raw, list):
        f.problem("podroll", "must be a list of {feed_guid, feed_url, title}")
        return ()
    out = []
    for i, item in enumerate(raw):
        entry = f.entry(f"podroll[{i}]", item if isinstance(item, dict) else {"feed_guid": item})
        entry.unknown(PODROLL_KEYS)
        guid = entry.text("feed_guid", required=True)
        if guid is not None and not _is_uuid(guid):
            entry.problem("feed_guid", f"must be the show's podcast:guid (a UUID), got {guid!r}")
            guid = None
        if guid is not None:
            out.append(RemoteFeed(guid, entry.url("feed_url"), entry.text("title")))
    return tuple(out)


def _trailers(f: FieldReader) -> tuple[Trailer, ...]:
    raw = f.data.get("trailer") or []
    out = []
    for i, item in enumerate(raw if isinstance(raw, list) else [raw]):
        if not isinstance(item, dict):
            f.problem(f"trailer[{i}]", "must be {title, url, pubdate, length, type, season}")
            continue
        entry = f.entry(f"trailer[{i}]", item)
        entry.unknown(TRAILER_KEYS)
        title, url = entry.text("title", required=True), entry.url("url", required=True)
        pubdate = _trailer_date(entry)
        if title and url and pubdate:
            out.append(
                Trailer(
                    title[:128],
                    url,
                    pubdate,
                    entry.whole_number("length", minimum=1),
                    entry.text("type"),
                    entry.whole_number("season", minimum=1),
                )
            )
    return tuple(out)


def _trailer_date(entry: FieldReader) -> datetime | None:
    raw = entry.data.get("pubdate")
    if raw is None:
        entry.problem("pubdate", "is required (the date the trailer was published)")
        return None
    try:
        return parse_date(raw, UTC)
    except ValueError as exc:
        entry.problem("pubdate", str(exc))
        return None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _template(f: FieldReader, key: str) -> str | None:
    """A URL template (``episode_url``, ``media_url``) using only the placeholders feedtool fills in."""
    template = f.url(key)
    if template:
        use = "use {slug}, {season}, {episode} (and {{ or }} for a brace itself)"
        try:
            parts = list(string.Formatter().parse(template))
        except ValueError as exc:  # a lone "{" or "}": str.format would fail on every episode
            f.problem(key, f"is not a URL template ({exc}): {use}")
            return None
        bad = {
            name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            for _, name, spec, conversion in parts
            if name is not None and (name not in TEMPLATE_PLACEHOLDERS or conversion or spec)
        }
        if bad:
            f.problem(key, f"unknown placeholder(s) {sorted(bad)}: {use}")
            return None
    return template


def _transcript_formats(f: FieldReader) -> tuple[str, ...]:
    formats = f.data.get("transcripts", list(TRANSCRIPT_FORMATS))
    if not isinstance(formats, list) or any(x not in TRANSCRIPT_FORMATS for x in formats):
        f.problem("transcripts", f"must be a list drawn from {list(TRANSCRIPT_FORMATS)}, got {formats!r}")
        return TRANSCRIPT_FORMATS
    return tuple(formats)


def _sections(f: FieldReader, base_dir: Path, state: Path) -> tuple[LinksConfig, PublishConfig]:
    """The ``links:`` and ``publish:`` sections, parsed now so that a typo in them stops every
    command before it starts (not after ``feedtool run`` has published). Each stage owns its
    section's schema; imported here rather than at the top because those packages import this
    module."""
    from feedtool.links.config import parse_links_section
    from feedtool.publish.guards import parse_publish_section

    return (
        parse_links_section(f.section("links"), base_dir, state),
        parse_publish_section(f.section("publish")),
    )


def load_config(path: str | os.PathLike[str]) -> Config:
    path = Path(path)
    try:
        text = read_input(path).decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found (pass --config FILE)") from None
    except UnreadableFile as exc:
        raise ConfigError(f"{path}: cannot read the config: {exc.reason}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not valid UTF-8 (byte {exc.start}): the config is a YAML text file"
        ) from None
    try:
        loaded = load_yaml(text)
    except YAMLInputError as exc:
        raise ConfigError(f"{path}:{exc.line or '?'}: {exc}") from None
    data = loaded.data if loaded.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the config must be a mapping of keys")
    config = parse_config(data, path.resolve(), key_lines=key_lines_of(loaded.node), source=str(path))
    warnings = tuple(
        Problem(str(path), d.field, d.message(), d.line, Severity.WARNING) for d in loaded.duplicates
    )
    return replace(config, problems=warnings) if warnings else config


def key_lines_of(node: yaml.Node | None) -> dict[str, int]:
    """Dotted key -> 1-based line for every key of a composed YAML document, at every depth
    (``links.endpoints.youtube_oembed``, ``hosts[0].name``), as FieldReader names them."""
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                name = f"{prefix}{key_node.value}"
                lines[name] = key_node.start_mark.line + 1  # a repeated key: the last wins, as in the data
                walk(value_node, name + ".")
        elif isinstance(node, yaml.SequenceNode):
            base = prefix[:-1]
            for i, item in enumerate(node.value):
                lines[f"{base}[{i}]"] = item.start_mark.line + 1
                walk(item, f"{base}[{i}].")

    if node is not None:
        walk(node, "")
    return lines
