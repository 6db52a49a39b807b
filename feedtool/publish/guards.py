"""Publishing guards: never publish a feed that hurts subscribers.

A podcast app keeps an episode forever once it has seen its guid, downloads it
again when the guid changes, and drops it when it vanishes from the feed. So
before a new feed replaces the published one we compare it with the record of
what was published (``.feedtool/published.json``) and refuse, with a clear
explanation, when
- a published guid disappears (an episode removed or its file renamed),
- a published episode comes back under another guid (matched by file name,
  enclosure URL or normalised title),
- the number of episodes drops by more than ``publish.max_drop`` (a share,
  default 0.1: a half-empty episodes folder must not empty everyone's feed),
unless the run explicitly allows it. Duplicate guids and enclosure URLs are
build errors already.

The record is state (``.feedtool/`` may be restored from a CI cache or edited
by hand), so it is checked like any input, and the published feed is what the
subscribers really have: the guards compare against the record *and* every
episode of the published feed the record does not list. So a record that is
missing, empty, damaged or of the wrong shape can never switch the guards off
while a published feed exists; with no feed to fall back on, a damaged record
is an error naming the file, and an empty one means a first publish.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from feedtool.config.fields import FieldReader
from feedtool.errors import ConfigError
from feedtool.output import PROBE_NAME, StagedFile, remove_stale_temporaries, stage
from feedtool.render.feed import FeedItem
from feedtool.rss.diff import normalise_title

RECORD_FILE = "published.json"
RECORD_VERSION = 1
PUBLISH_KEYS = {"max_drop", "allow_removal"}
MAX_RECORD_BYTES = 64 * 1024 * 1024  # far above any real show's record: a bigger file is not one we wrote
_EPISODE_FIELDS = {"slug", "title", "enclosure", "pub_date"}


@dataclass(frozen=True)
class PublishedEpisode:
    guid: str
    slug: str | None
    title: str
    enclosure: str
    pub_date: str


@dataclass(frozen=True)
class PublishConfig:
    """The ``publish:`` section of the show config (``Config.publish``)."""

    max_drop: float = 0.1
    allow_removal: bool = False


@dataclass(frozen=True)
class GuardPolicy:
    max_drop: float = 0.1
    allow_removal: bool = False  # removals and the count drop
    allow_guid_change: bool = False


@dataclass(frozen=True)
class Violation:
    kind: str  # "removed", "guid-changed", "count-drop"
    message: str


def parse_publish_section(fields: FieldReader) -> PublishConfig:
    """The ``publish:`` section, read by ``fields`` (which collects its problems)."""
    fields.unknown(PUBLISH_KEYS)
    return PublishConfig(
        max_drop=fields.share("max_drop", PublishConfig.max_drop),
        allow_removal=fields.flag("allow_removal", PublishConfig.allow_removal),
    )


def guard_policy(
    settings: PublishConfig, *, allow_removal: bool = False, allow_guid_change: bool = False
) -> GuardPolicy:
    """The config's policy, loosened by this run's ``--allow-removal`` / ``--allow-guid-change``."""
    return GuardPolicy(settings.max_drop, allow_removal or settings.allow_removal, allow_guid_change)


def record_from_items(items: tuple[FeedItem, ...] | list[FeedItem]) -> dict[str, PublishedEpisode]:
    return {
        i.guid: PublishedEpisode(i.guid, i.slug, i.title, i.audio.url, i.pub_date.isoformat()) for i in items
    }


def record_from_feed(xml: bytes) -> dict[str, PublishedEpisode]:
    """What an already published feed promised its subscribers (no slugs known)."""
    from feedtool.rss.parse import read_feed

    parsed = read_feed(xml)
    return {
        i.guid: PublishedEpisode(
            i.guid, None, i.title or "", i.enclosure_url or "", i.pub_date.isoformat() if i.pub_date else ""
        )
        for i in parsed.items
        if i.guid
    }


class DamagedRecord(ValueError):
    """The record file is not one feedtool wrote (its reason is the message)."""


_JSON_TYPES = {dict: "an object", list: "a list", str: "a string", type(None): "null"}


def _type_name(value: Any) -> str:
    return _JSON_TYPES.get(type(value)) or type(value).__name__


def parse_record(blob: bytes) -> dict[str, PublishedEpisode]:
    """The record's episodes; raises DamagedRecord for anything ``save_record`` does not write."""
    if len(blob) > MAX_RECORD_BYTES:
        raise DamagedRecord(f"larger than {MAX_RECORD_BYTES // 2**20} MB")
    try:
        data = json.loads(blob.decode("utf-8"))
    except RecursionError:
        raise DamagedRecord("nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise DamagedRecord(f"not JSON: {exc}") from None
    if type(data) is not dict:
        raise DamagedRecord(f"expected an object, found {_type_name(data)}")
    if data.get("version") != RECORD_VERSION:
        raise DamagedRecord(f"unknown version {data.get('version')!r}")
    episodes = data.get("episodes")
    if type(episodes) is not dict:
        raise DamagedRecord(f"'episodes' should be an object, found {_type_name(episodes)}")
    out: dict[str, PublishedEpisode] = {}
    for guid, fields in episodes.items():
        if type(fields) is not dict or fields.keys() != _EPISODE_FIELDS:
            raise DamagedRecord(f"episode {guid!r}: expected the fields {', '.join(sorted(_EPISODE_FIELDS))}")
        slug = fields["slug"]
        texts = (fields["title"], fields["enclosure"], fields["pub_date"])
        if not (slug is None or type(slug) is str) or not all(type(t) is str for t in texts):
            raise DamagedRecord(f"episode {guid!r}: a field has the wrong type")
        out[guid] = PublishedEpisode(guid, slug, *texts)
    return out


@dataclass(frozen=True)
class LoadedRecord:
    """What was published, as far as the record and the published feed tell."""

    path: Path  # the record file
    episodes: dict[str, PublishedEpisode] | None  # None: nothing was ever published
    notes: tuple[str, ...] = ()  # warnings about the record file: what was wrong, what guards instead


def read_record(state_dir: Path, published_feed: Path) -> LoadedRecord:
    """The record joined with the published feed's episodes it does not list.

    Raises ConfigError when neither can be trusted: a damaged record and no
    feed, or an unreadable feed and no usable record (the guards cannot tell
    what the subscribers have)."""
    path = Path(state_dir) / RECORD_FILE
    record: dict[str, PublishedEpisode] | None = None
    damage: str | None = None
    try:
        if path.exists() or path.is_symlink():
            record = parse_record(path.read_bytes())
    except DamagedRecord as exc:
        damage = str(exc)
    except OSError as exc:  # a folder at its path, unreadable, a dangling link
        damage = f"cannot be read: {exc.strerror or exc}"
    feed, feed_problem = _feed_record(Path(published_feed))
    if feed is None:
        if damage is not None:
            reason = f"; the published feed {published_feed} {feed_problem}" if feed_problem else ""
            raise ConfigError(
                f"{path}: the publish record is damaged ({damage}) and there is no published "
                f"feed to rebuild it from{reason}; delete the file to start a new record"
            )
        if feed_problem is not None and not record:
            raise ConfigError(
                f"{published_feed}: the published feed {feed_problem}, and there is no publish record "
                f"({path}): the guards cannot tell what subscribers have; restore the feed, or move it "
                "away to publish as if for the first time"
            )
        return LoadedRecord(path, record)
    notes: list[str] = []
    if damage is not None:
        notes.append(
            f"the publish record is damaged ({damage}); guarding with the published feed "
            f"{published_feed} instead; the record is written again at the next publish"
        )
    missing = {g: e for g, e in feed.items() if g not in (record or {})}
    if record is not None and missing:
        notes.append(
            f"the publish record lacks {len(missing)} episode(s) of the published feed "
            f"{published_feed}; guarding them too; the record is written again at the next publish"
        )
    return LoadedRecord(path, {**missing, **(record or {})}, tuple(notes))


def _feed_record(feed: Path) -> tuple[dict[str, PublishedEpisode] | None, str | None]:
    """(the published feed's episodes or None, why it could not be read or None)."""
    from feedtool.rss.parse import FeedReadError

    try:
        if not feed.exists():
            return None, None
        return record_from_feed(feed.read_bytes()), None
    except FeedReadError as exc:
        return None, f"cannot be read ({exc})"
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})"


def load_record(state_dir: Path, published_feed: Path) -> dict[str, PublishedEpisode] | None:
    """``read_record``'s episodes (None when nothing was ever published)."""
    return read_record(state_dir, published_feed).episodes


def _record_bytes(record: dict[str, PublishedEpisode]) -> bytes:
    data = {
        "version": RECORD_VERSION,
        "episodes": {
            g: {"slug": e.slug, "title": e.title, "enclosure": e.enclosure, "pub_date": e.pub_date}
            for g, e in sorted(record.items())
        },
    }
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode()


def stage_record(state_dir: Path, record: dict[str, PublishedEpisode]) -> StagedFile:
    """Write the new record beside the old one, to be committed once the feed is published.

    Written before the publish so that a full state folder stops the run while the
    old feed is still in place, not after the new one went out. Removes what killed
    runs left of earlier records (callers hold the run lock). Raises OSError."""
    remove_stale_temporaries(Path(state_dir), {RECORD_FILE, PROBE_NAME})
    return stage(Path(state_dir) / RECORD_FILE, _record_bytes(record))


def commit_record(staged: StagedFile) -> str | None:
    """Put the staged record in place; on failure, a warning (the record is then removed,
    so that the next run guards with the feed just published instead of a stale record)."""
    try:
        staged.commit()
    except OSError as exc:
        with contextlib.suppress(OSError):
            staged.target.unlink(missing_ok=True)
        return (
            f"the publish record could not be updated ({exc.strerror or exc}); "
            "the next run guards with the published feed and writes it again"
        )
    return None


def save_record(state_dir: Path, record: dict[str, PublishedEpisode]) -> None:
    stage_record(state_dir, record).commit()


def record_date(record: Mapping[str, PublishedEpisode] | None, guid: str) -> datetime | None:
    """The date ``guid`` was published with, for an episode whose file has no date of its own."""
    published = (record or {}).get(guid)
    if published is None or not published.pub_date:
        return None
    try:
        when = datetime.fromisoformat(published.pub_date)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


# where a guid came from when the host gave it (``publish.build.item_guid``)
HOST_GUID_SOURCES = ("media.yaml guid", "host feed guid")


def _host_contradicts(
    changed: list[tuple[PublishedEpisode, FeedItem, str]], feed_url: str
) -> list[Violation]:
    """Published guids the host now contradicts: one line each, then the way out.

    Two situations look alike here. Listeners may follow *this* feed already: then the
    published guids are what their apps know, and taking the host's would make them
    download every episode again. Or the earlier builds were trials nobody subscribed
    to, and listeners still follow the host: then the host's guids are the ones to
    keep. Only the maintainer knows which, so the message leads with the choice that
    cannot hurt anyone who subscribed and says when the other one is right.
    """
    out = [
        Violation(
            "guid-changed",
            f"'{old.title}'" + (f" (file {old.slug}.md)" if old.slug else "") + f" was published with guid "
            f"{old.guid}; the host ({source.removesuffix(' guid')}) gives it guid {new.guid}",
        )
        for old, new, source in changed
    ]
    out.append(
        Violation(
            "guid-changed",
            f"{len(changed)} published guid(s) differ from the host's. Keep what subscribers have: "
            f"the guids in the publish record are what the apps of {feed_url}'s subscribers know, so if "
            "anyone subscribes to it, pin each published guid with guid: in its episode file (the "
            "lines above name them) and build again. Only if nobody has subscribed to this feed yet "
            "(earlier builds were trials and listeners still follow the host, whose guids these are) "
            "run once with --allow-guid-change: the feed then takes the host's guids, and listeners "
            "the host redirects here get no duplicates",
        )
    )
    return out


def check_publish(
    record: Mapping[str, PublishedEpisode] | None,
    items: tuple[FeedItem, ...] | list[FeedItem],
    policy: GuardPolicy,
    *,
    guid_sources: Mapping[str, str] | None = None,
    feed_url: str = "this feed",
) -> tuple[Violation, ...]:
    """Every reason not to publish ``items`` over ``record``; empty when it is safe (or allowed).

    ``guid_sources`` (slug -> what gave the item its guid) tells a guid the host
    contradicts from one a file edit changed: the advice differs.
    """
    if not record:
        return ()
    host_changed: list[tuple[PublishedEpisode, FeedItem, str]] = []
    new_guids = {i.guid for i in items}
    by_slug = {i.slug: i for i in items}
    by_enclosure = {i.audio.url: i for i in items}
    by_title = {normalise_title(i.title): i for i in items}
    out: list[Violation] = []
    for old in sorted(record.values(), key=lambda e: e.pub_date, reverse=True):
        if old.guid in new_guids:
            continue
        # the same episode under another guid: same file, same media file, or same title
        same = (
            (by_slug.get(old.slug) if old.slug else None)
            or by_enclosure.get(old.enclosure)
            or by_title.get(normalise_title(old.title))
        )
        if same is not None:
            source = (guid_sources or {}).get(same.slug, "")
            if not policy.allow_guid_change and source in HOST_GUID_SOURCES:
                host_changed.append((old, same, source))
            elif not policy.allow_guid_change:
                out.append(
                    Violation(
                        "guid-changed",
                        f"'{old.title}' was published with guid {old.guid} and "
                        f"would now have guid {same.guid}: every subscriber's app would download it "
                        "again as a new episode; pin the old one with guid: in the episode file "
                        "(or allow with --allow-guid-change)",
                    )
                )
        elif not policy.allow_removal:
            where = f" (file {old.slug}.md)" if old.slug else ""
            out.append(
                Violation(
                    "removed",
                    f"'{old.title}'{where}, guid {old.guid}, is published but no longer in "
                    "the feed: apps would drop it; restore the file, or allow with --allow-removal",
                )
            )
    if host_changed:
        out += _host_contradicts(host_changed, feed_url)
    floor = len(record) * (1 - policy.max_drop)
    if len(items) < floor and not policy.allow_removal:
        out.append(
            Violation(
                "count-drop",
                f"the feed would shrink from {len(record)} to {len(items)} episodes, "
                f"more than publish.max_drop ({policy.max_drop:.0%}); allow with --allow-removal",
            )
        )
    return tuple(out)
