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
build errors already. With no record yet, the published feed itself (if any)
is the record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from feedtool.config.fields import FieldReader
from feedtool.errors import ConfigError
from feedtool.output import atomic_write
from feedtool.render.feed import FeedItem
from feedtool.rss.diff import normalise_title

RECORD_FILE = "published.json"
RECORD_VERSION = 1
PUBLISH_KEYS = {"max_drop", "allow_removal"}


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


def load_record(state_dir: Path, published_feed: Path) -> dict[str, PublishedEpisode] | None:
    path = state_dir / RECORD_FILE
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != RECORD_VERSION:
                raise ValueError(f"unknown version {data.get('version')!r}")
            return {g: PublishedEpisode(guid=g, **fields) for g, fields in data["episodes"].items()}
        except (ValueError, KeyError, TypeError) as exc:
            # a damaged record must not disable the guards: fall back to the published feed
            if published_feed.exists():
                return record_from_feed(published_feed.read_bytes())
            raise ConfigError(
                f"{path}: the publish record is damaged ({exc}) and there is no published "
                "feed to rebuild it from; delete the file to start a new record"
            ) from None
    if published_feed.exists():
        return record_from_feed(published_feed.read_bytes())
    return None


def save_record(state_dir: Path, record: dict[str, PublishedEpisode]) -> None:
    data = {
        "version": RECORD_VERSION,
        "episodes": {
            g: {"slug": e.slug, "title": e.title, "enclosure": e.enclosure, "pub_date": e.pub_date}
            for g, e in sorted(record.items())
        },
    }
    atomic_write(state_dir / RECORD_FILE, (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode())


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
    record: dict[str, PublishedEpisode] | None,
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
