"""What a subscriber would notice between two versions of a feed.

A podcast app keys every episode on its ``<guid>``: an episode whose guid
disappears is dropped from the app, one whose guid changes is downloaded again
as a new episode, one whose enclosure URL changes may be downloaded again.
``diff_feeds`` pairs items by guid, then (for guids that differ) by enclosure
URL, then by normalised title, so a guid change is reported as such instead of
as one removal plus one addition.

Harmful (``FeedDiff.hurts_subscribers``): a removed episode, a guid change, an
enclosure URL change, a guid used twice in the new feed, a changed
``podcast:guid`` (the show's own identity).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from feedtool.rss.parse import ParsedFeed, ParsedItem, read_feed

# item fields compared for a matched pair; the harmful ones make the diff exit 1
ITEM_FIELDS = ("guid", "title", "pub_date", "enclosure_url", "enclosure_length", "enclosure_type", "duration")
HARMFUL_ITEM_FIELDS = frozenset({"guid", "enclosure_url"})
HARMFUL_CHANNEL_FIELDS = frozenset({"podcast:guid"})


def normalise_title(title: str | None) -> str:
    """Casefolded, accents kept, punctuation and whitespace folded to single spaces."""
    if not title:
        return ""
    text = unicodedata.normalize("NFKC", title).casefold()
    text = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None
    harmful: bool = False


@dataclass(frozen=True)
class ItemChange:
    """A pair of items taken to be the same episode, and what changed between them."""

    old: ParsedItem
    new: ParsedItem
    matched_by: str  # "guid", "enclosure_url" or "title"
    changes: tuple[FieldChange, ...]

    @property
    def harmful(self) -> bool:
        return any(c.harmful for c in self.changes)

    @property
    def title(self) -> str:
        return self.new.title or self.old.title or "(untitled)"


@dataclass(frozen=True)
class FeedDiff:
    added: tuple[ParsedItem, ...]
    removed: tuple[ParsedItem, ...]
    changed: tuple[ItemChange, ...]  # only pairs with at least one change
    unchanged: int
    channel_changes: tuple[FieldChange, ...]
    duplicate_guids_old: tuple[str, ...] = ()
    duplicate_guids_new: tuple[str, ...] = ()
    old_count: int = 0
    new_count: int = 0

    @property
    def guid_changes(self) -> tuple[ItemChange, ...]:
        return tuple(c for c in self.changed if any(f.field == "guid" for f in c.changes))

    @property
    def harms(self) -> tuple[str, ...]:
        """One line per thing that would hurt subscribers; empty when the new feed is safe."""
        out = [f"removed: {_label(item)}" for item in self.removed]
        for change in self.changed:
            for f in change.changes:
                if f.harmful:
                    out.append(f"{f.field} changed: {change.title!r}: {f.old} -> {f.new}")
        out += [f"duplicate guid in the new feed: {g}" for g in self.duplicate_guids_new]
        out += [f"channel {c.field} changed: {c.old} -> {c.new}" for c in self.channel_changes if c.harmful]
        return tuple(out)

    @property
    def hurts_subscribers(self) -> bool:
        return bool(self.harms)

    @property
    def is_empty(self) -> bool:
        return not (
            self.added or self.removed or self.changed or self.channel_changes or self.duplicate_guids_new
        )


def _label(item: ParsedItem) -> str:
    return f"{item.title or '(untitled)'!r} (guid {item.guid or '(none)'})"


def _value(item: ParsedItem, field: str) -> str | None:
    if field == "pub_date":
        if item.pub_date is not None:
            return item.pub_date.isoformat()
        return item.pub_date_text
    if field == "duration":
        if item.duration is not None:
            return f"{item.duration:g}"
        return item.duration_text
    value = getattr(item, field)
    return None if value is None else str(value)


def _same_date(old: ParsedItem, new: ParsedItem) -> bool:
    if isinstance(old.pub_date, datetime) and isinstance(new.pub_date, datetime):
        return old.pub_date == new.pub_date  # the same instant written in another zone is no change
    return old.pub_date_text == new.pub_date_text


def _compare(old: ParsedItem, new: ParsedItem, matched_by: str) -> ItemChange:
    changes = []
    for field in ITEM_FIELDS:
        if field == "pub_date":
            if _same_date(old, new):
                continue
        elif _value(old, field) == _value(new, field):
            continue
        changes.append(
            FieldChange(field, _value(old, field), _value(new, field), field in HARMFUL_ITEM_FIELDS)
        )
    return ItemChange(old, new, matched_by, tuple(changes))


def _duplicates(items: tuple[ParsedItem, ...]) -> tuple[str, ...]:
    counts = Counter(i.guid for i in items if i.guid)
    return tuple(sorted(g for g, n in counts.items() if n > 1))


def _pair_by(
    key: Callable[[ParsedItem], str | None], olds: list[ParsedItem], news: list[ParsedItem]
) -> list[tuple[ParsedItem, ParsedItem]]:
    """Pair items whose key is equal and unique on both sides; leave the rest."""
    old_by: dict[str, list[ParsedItem]] = {}
    new_by: dict[str, list[ParsedItem]] = {}
    for items, by in ((olds, old_by), (news, new_by)):
        for item in items:
            value = key(item)
            if value:
                by.setdefault(value, []).append(item)
    pairs = []
    for k, old_items in old_by.items():
        new_items = new_by.get(k, [])
        if len(old_items) == 1 and len(new_items) == 1:
            pairs.append((old_items[0], new_items[0]))
    return pairs


def _as_feed(feed: ParsedFeed | bytes) -> ParsedFeed:
    return feed if isinstance(feed, ParsedFeed) else read_feed(feed)


def diff_feeds(old: ParsedFeed | bytes, new: ParsedFeed | bytes) -> FeedDiff:
    """Compare two feeds (parsed, or raw RSS bytes) the way a subscriber's app would see them."""
    old_feed, new_feed = _as_feed(old), _as_feed(new)
    rest_old, rest_new = list(old_feed.items), list(new_feed.items)
    pairs: list[tuple[ParsedItem, ParsedItem, str]] = []

    # 1. same guid: the same episode for every app. Duplicated guids pair in order of appearance.
    new_by_guid: dict[str, list[ParsedItem]] = {}
    for item in rest_new:
        if item.guid:
            new_by_guid.setdefault(item.guid, []).append(item)
    for item in list(rest_old):
        candidates = new_by_guid.get(item.guid or "", [])
        if item.guid and candidates:
            partner = candidates.pop(0)
            pairs.append((item, partner, "guid"))
            rest_old.remove(item)
            rest_new.remove(partner)

    # 2. and 3. different guid but the same file or the same title: a guid change, not add + remove
    for matched_by, key in (
        ("enclosure_url", lambda i: i.enclosure_url),
        ("title", lambda i: normalise_title(i.title)),
    ):
        for o, n in _pair_by(key, rest_old, rest_new):
            pairs.append((o, n, matched_by))
            rest_old.remove(o)
            rest_new.remove(n)

    compared = [_compare(o, n, how) for o, n, how in pairs]
    changed = tuple(sorted((c for c in compared if c.changes), key=lambda c: c.new.position))
    channel_changes = []
    old_fields, new_fields = dict(old_feed.channel.fields), dict(new_feed.channel.fields)
    for name in sorted(set(old_fields) | set(new_fields)):
        if old_fields.get(name) != new_fields.get(name):
            harmful = name in HARMFUL_CHANNEL_FIELDS and name in old_fields and name in new_fields
            channel_changes.append(FieldChange(name, old_fields.get(name), new_fields.get(name), harmful))
    return FeedDiff(
        added=tuple(sorted(rest_new, key=lambda i: i.position)),
        removed=tuple(sorted(rest_old, key=lambda i: i.position)),
        changed=changed,
        unchanged=len(compared) - len(changed),
        channel_changes=tuple(channel_changes),
        duplicate_guids_old=_duplicates(old_feed.items),
        duplicate_guids_new=_duplicates(new_feed.items),
        old_count=len(old_feed.items),
        new_count=len(new_feed.items),
    )
