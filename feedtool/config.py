"""The show's settings (``config/podcast.yaml``), loaded once into typed objects.

Relative paths resolve against the config file's folder. Unknown keys are an
error with a "did you mean" hint, because a typo in a scheduled job's config
should fail loudly, not silently fall back to a default.
"""

from __future__ import annotations

import difflib
import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from feedtool.categories import check_category
from feedtool.errors import ConfigError
from feedtool.model import Person, Problem

PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
TRANSCRIPT_FORMATS = ("vtt", "srt", "json")

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
}


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
    links: Mapping[str, Any] = field(default_factory=dict)  # parsed by feedtool.links
    publish: Mapping[str, Any] = field(default_factory=dict)  # parsed by feedtool.publish

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def output_url(self, relative: str) -> str:
        return self.public_url + relative.lstrip("/")


STATE_DIR_NAME = ".feedtool"


def state_dir(config: Config) -> Path:
    """Where feedtool keeps its state (cache, publish record, link history, lock):
    ``state_dir:`` from the config (relative to the config file), else ``.feedtool/``
    in the current directory."""
    return config.state_dir or Path.cwd() / STATE_DIR_NAME


def podcast_guid_for(feed_url: str) -> str:
    """Podcasting 2.0 ``podcast:guid``: UUIDv5 of the feed URL without scheme and trailing slashes."""
    bare = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def _hint(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def unknown_keys(section: Mapping[str, Any], known: set[str], path: str, where: str = "") -> list[Problem]:
    """Problems for keys nobody reads, with a "did you mean" hint. Used by every section."""
    return [
        Problem(path, f"{where}{key}", f"unknown key{_hint(str(key), known)}")
        for key in section
        if key not in known
    ]


class _Fields:
    """Typed access to one mapping that collects problems instead of raising."""

    def __init__(self, data: Mapping[str, Any], path: str, prefix: str = ""):
        self.data, self.path, self.prefix, self.problems = data, path, prefix, []

    def err(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.prefix + key, message))

    def str(self, key: str, required: bool = False, default: str | None = None) -> str | None:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.err(key, "is required")
            return default
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.err(key, f"must be text, not {type(value).__name__}")
            return default
        return str(value).strip()

    def url(self, key: str, required: bool = False) -> str | None:
        value = self.str(key, required)
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            self.err(key, f"must be an absolute http(s) URL, got {value!r}")
            return None
        return value

    def bool(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("yes", "true", "no", "false"):
            return value.lower() in ("yes", "true")
        self.err(key, f"must be true or false, got {value!r}")
        return default

    def int(self, key: str, minimum: int = 0) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.err(key, f"must be a whole number >= {minimum}, got {value!r}")
            return None
        return value


def _categories(data: Mapping[str, Any], f: _Fields) -> tuple[Category, ...]:
    raw = data.get("categories", data.get("category"))
    if raw is None:
        f.err("category", "is required (Apple needs a category, e.g. 'Technology')")
        return ()
    items = raw if isinstance(raw, list) else [raw]
    out: list[Category] = []
    for item in items:
        if isinstance(item, str):
            name, _, sub = item.partition(">")
            name, sub = name.strip(), sub.strip() or None
        elif isinstance(item, dict) and "name" in item:
            name, sub = str(item["name"]), (str(item["sub"]) if item.get("sub") else None)
        else:
            f.err(
                "category",
                f"use 'Technology' or 'Business > Careers' or {{name: ..., sub: ...}}, got {item!r}",
            )
            continue
        message = check_category(name, sub)
        if message:
            f.err("category", message)
        else:
            out.append(Category(name, sub))
    return tuple(out)


def _hosts(data: Any, f: _Fields) -> tuple[Person, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        f.err("hosts", "must be a list of {name, img, href}")
        return ()
    hosts = []
    for i, item in enumerate(data):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or not item.get("name"):
            f.err(f"hosts[{i}]", "needs at least a name")
            continue
        hosts.append(
            Person(
                id=str(item.get("id") or item["name"]),
                name=str(item["name"]),
                role=str(item.get("role") or "host"),
                img=item.get("img"),
                href=item.get("href"),
            )
        )
    return tuple(hosts)


def parse_config(data: Mapping[str, Any], path: Path) -> Config:
    """Build a Config from an already-loaded mapping; raise ConfigError listing every problem."""
    spath = str(path)
    f = _Fields(data, spath)
    problems = unknown_keys(data, KNOWN_KEYS, spath)
    public_url = f.url("public_url", required=True) or "https://invalid.example/"
    if not public_url.endswith("/"):
        public_url += "/"
    feed_url = f.url("feed_url") or public_url + "feed.xml"
    tz_name = f.str("timezone", default="UTC") or "UTC"
    try:
        ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        f.err("timezone", f"unknown time zone {tz_name!r} (use an IANA name such as Europe/Berlin)")
        tz_name = "UTC"
    show_type = f.str("type", default="episodic") or "episodic"
    if show_type not in ("episodic", "serial"):
        f.err("type", f"must be 'episodic' or 'serial', got {show_type!r}")
    language = f.str("language", required=True) or "en"
    if not re.match(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$", language):
        f.err("language", f"must be an ISO 639 code such as 'en' or 'en-us', got {language!r}")
    owner = data.get("owner") or {}
    if not isinstance(owner, dict):
        f.err("owner", "must be a mapping with name and email")
        owner = {}
    formats = data.get("transcripts", list(TRANSCRIPT_FORMATS))
    if not isinstance(formats, list) or any(x not in TRANSCRIPT_FORMATS for x in formats):
        f.err("transcripts", f"must be a list drawn from {list(TRANSCRIPT_FORMATS)}, got {formats!r}")
        formats = list(TRANSCRIPT_FORMATS)
    media_url = f.str("media_url")
    for name, template in (("media_url", media_url), ("episode_url", f.str("episode_url"))):
        if template:
            bad = set(re.findall(r"\{([^}]*)\}", template)) - {"slug", "season", "episode"}
            if bad:
                f.err(name, f"unknown placeholder(s) {sorted(bad)}: use {{slug}}, {{season}}, {{episode}}")
    funding = []
    for i, item in enumerate(data.get("funding") or []):
        if isinstance(item, dict) and item.get("url"):
            funding.append((str(item["url"]), str(item.get("label") or "Support the show")))
        else:
            f.err(f"funding[{i}]", "needs a url (and optionally a label)")

    def rel(key: str) -> Path | None:
        value = f.str(key)
        return (path.parent / value).resolve() if value else None

    for section in ("links", "publish"):
        if data.get(section) is not None and not isinstance(data.get(section), dict):
            f.err(section, "must be a mapping")
    config = Config(
        path=path,
        title=f.str("title", required=True) or "",
        description=f.str("description", required=True) or "",
        link=f.url("link", required=True) or "",
        public_url=public_url,
        feed_url=feed_url,
        language=language,
        author=f.str("author", required=True) or "",
        image=f.url("image", required=True) or "",
        categories=_categories(data, f),
        explicit=f.bool("explicit", False),
        show_type=show_type,
        copyright=f.str("copyright"),
        owner_name=(str(owner["name"]) if owner.get("name") else None),
        owner_email=(str(owner["email"]) if owner.get("email") else None),
        locked=f.bool("locked", True),
        locked_owner=f.str("locked_owner") or (str(owner["email"]) if owner.get("email") else None),
        podcast_guid=f.str("podcast_guid") or podcast_guid_for(feed_url),
        hosts=_hosts(data.get("hosts"), f),
        episode_url=f.str("episode_url"),
        image_base_url=f.url("image_base_url"),
        media_url=media_url,
        media_type=f.str("media_type"),
        people_dir=rel("people"),
        timezone=tz_name,
        transcript_formats=tuple(formats),
        transcript_language=f.str("transcript_language"),
        max_items=f.int("max_items", minimum=1),
        state_dir=rel("state_dir"),
        funding=tuple(funding),
        links=dict(data.get("links") or {}) if isinstance(data.get("links"), dict) else {},
        publish=dict(data.get("publish") or {}) if isinstance(data.get("publish"), dict) else {},
    )
    problems += f.problems
    if problems:
        raise ConfigError(f"{path}: the config has {len(problems)} problem(s)", problems)
    return config


def load_config(path: str | os.PathLike[str]) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found (pass --config FILE)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise ConfigError(f"{path}:{line}: YAML syntax error: {exc.problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a mapping of keys")
    return parse_config(data, path.resolve())
