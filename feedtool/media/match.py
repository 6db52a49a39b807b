"""Pair a host feed's items with episode files, and say why the rest did not pair.

Four passes, each only over what is still unpaired:

1. **anchor-id**: the Anchor episode id, the trailing ``-e<id>`` of an
   ``/episodes/<Title-Words>-e<id>`` URL path. Episodes carry it in
   ``ids.anchor`` (the full URL, ``show/episodes/...``, or the bare slug) and
   ``links.anchor``; Anchor / Spotify for Creators feeds carry it in the item
   ``<link>`` (``https://podcasters.spotify.com/pod/show/SHOW/episodes/
   Title-Words-e26d01c``) and, for older episodes, in a URL ``<guid>``
   (``https://anchor.fm/SHOW/episodes/...-ebu6ld``). Enclosures
   (``https://anchor.fm/s/SHOWID/podcast/play/NUMBER/https%3A%2F%2F...mp3``)
   carry a different, numeric id, so they only count when they contain an
   ``/episodes/`` path. The ``/episodes/`` anchor matters: CloudFront file
   names such as ``...-44100-2-e56a793a67d7a.mp3`` look like ids too.
2. **guid**: an episode's explicit ``guid:`` equals the item's ``<guid>``.
3. **title**: normalised title (casefold, punctuation and whitespace folded);
   the episode's ``title`` and ``short`` are both tried.
4. **title-stem**: the same with the host title's last `` - Guest Name`` part
   dropped (``A/B Testing - Jakob Graff`` -> ``A/B Testing``, an episode's
   ``short``), as hosts often append the guest to the title. A pass of its own
   so that an exact title always wins over a stem.

A pair is taken only when it is unique both ways in its pass. Anything else is
*ambiguous*, reported with both sides, and left out of later passes: guessing
would publish one episode's audio under another's title.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from feedtool.model import Episode
from feedtool.read.anchor import anchor_id_from_episode_field, anchor_id_from_url
from feedtool.rss.diff import normalise_title
from feedtool.rss.parse import ParsedItem


def episode_anchor_ids(episode: Episode) -> dict[str, str]:
    """anchor id -> where it came from (``ids.anchor`` / ``links.anchor``)."""
    out: dict[str, str] = {}
    for where, value in (("ids.anchor", episode.id("anchor")), ("links.anchor", episode.link("anchor"))):
        found = anchor_id_from_episode_field(value)
        if found:
            out.setdefault(found, where)
    return out


def item_anchor_ids(item: ParsedItem) -> dict[str, str]:
    """anchor id -> where in the item it was found (``link``, ``guid``, ``enclosure``)."""
    out: dict[str, str] = {}
    for where, value in (("link", item.link), ("guid", item.guid), ("enclosure", item.enclosure_url)):
        found = anchor_id_from_url(value)
        if found:
            out.setdefault(found, where)
    return out


_TITLE_TAIL = re.compile(r"\s+[-\u2013\u2014|]+\s+[^-\u2013\u2014|]+$")


def title_stem(title: str | None) -> str | None:
    """The title without its last `` - ...`` / `` | ...`` part, or None when there is none."""
    if not title:
        return None
    stem = _TITLE_TAIL.sub("", title.strip())
    return stem if stem and stem != title.strip() else None


def episode_title_keys(episode: Episode) -> set[str]:
    return {k for k in (normalise_title(episode.title), normalise_title(episode.short)) if k}


@dataclass(frozen=True)
class Match:
    slug: str
    item: ParsedItem
    matched_by: str  # "anchor-id", "guid", "title" or "title-stem"
    detail: str  # e.g. "e1upvim (ids.anchor = item link)"


@dataclass(frozen=True)
class Ambiguity:
    matched_by: str
    key: str
    slugs: tuple[str, ...]
    items: tuple[ParsedItem, ...]

    def describe(self) -> str:
        items = "; ".join(f"{i.title!r} (guid {i.guid})" for i in self.items)
        return (
            f"{self.matched_by} {self.key!r} fits {len(self.slugs)} episode(s) {', '.join(self.slugs)} "
            f"and {len(self.items)} host item(s) {items}"
        )


@dataclass(frozen=True)
class UnmatchedItem:
    item: ParsedItem
    reason: str


@dataclass(frozen=True)
class UnmatchedEpisode:
    slug: str
    reason: str


@dataclass(frozen=True)
class MatchResult:
    matches: tuple[Match, ...]  # in slug order
    ambiguous: tuple[Ambiguity, ...]
    unmatched_items: tuple[UnmatchedItem, ...]  # in feed order
    unmatched_episodes: tuple[UnmatchedEpisode, ...]  # in slug order

    def by_method(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for m in self.matches:
            counts[m.matched_by] = counts.get(m.matched_by, 0) + 1
        return counts


def _pass(
    method: str,
    episodes: list[Episode],
    items: list[ParsedItem],
    episode_keys: Callable[[Episode], Iterable[str]],
    item_keys: Callable[[ParsedItem], Iterable[str]],
) -> tuple[list[tuple[Episode, ParsedItem, str]], list[Ambiguity]]:
    """Pairs unique both ways under one key function, and the ambiguous key groups."""
    by_key_items: dict[str, list[ParsedItem]] = {}
    for item in items:
        for key in set(item_keys(item)):
            by_key_items.setdefault(key, []).append(item)
    by_key_episodes: dict[str, list[Episode]] = {}
    for episode in episodes:
        for key in set(episode_keys(episode)):
            if key in by_key_items:
                by_key_episodes.setdefault(key, []).append(episode)
    # an episode may reach items through several keys (title and short): collect all of its candidates
    candidates_of_episode: dict[str, set[int]] = {}
    episodes_of_item: dict[int, set[str]] = {}
    for key, eps in by_key_episodes.items():
        for episode in eps:
            for item in by_key_items[key]:
                candidates_of_episode.setdefault(episode.slug, set()).add(item.position)
                episodes_of_item.setdefault(item.position, set()).add(episode.slug)
    item_at = {item.position: item for item in items}
    pairs, ambiguous, seen = [], [], set()
    for key in sorted(by_key_episodes):
        eps = by_key_episodes[key]
        key_items = by_key_items[key]
        unique = (
            len(eps) == 1
            and len(key_items) == 1
            and len(candidates_of_episode[eps[0].slug]) == 1
            and len(episodes_of_item[key_items[0].position]) == 1
        )
        if unique:
            pairs.append((eps[0], key_items[0], key))
            continue
        group = (tuple(sorted(e.slug for e in eps)), tuple(i.position for i in key_items))
        if group not in seen:
            seen.add(group)
            ambiguous.append(Ambiguity(method, key, group[0], tuple(item_at[p] for p in sorted(group[1]))))
    # a pair reached through two keys (title and short are the same text) appears once
    unique_pairs = {(e.slug, i.position): (e, i, k) for e, i, k in pairs}
    return list(unique_pairs.values()), ambiguous


def match_items(episodes: Iterable[Episode], items: Iterable[ParsedItem]) -> MatchResult:
    episodes_left = sorted(episodes, key=lambda e: e.slug)
    items_left = sorted(items, key=lambda i: i.position)
    all_episodes, all_items = list(episodes_left), list(items_left)
    matches: list[Match] = []
    ambiguous: list[Ambiguity] = []
    passes = (
        ("anchor-id", lambda e: episode_anchor_ids(e), lambda i: item_anchor_ids(i)),
        ("guid", lambda e: [e.guid] if e.guid else [], lambda i: [i.guid] if i.guid else []),
        (
            "title",
            episode_title_keys,
            lambda i: [normalise_title(i.title)] if normalise_title(i.title) else [],
        ),
        (
            "title-stem",
            episode_title_keys,
            lambda i: [normalise_title(title_stem(i.title))] if normalise_title(title_stem(i.title)) else [],
        ),
    )
    for method, episode_keys, item_keys in passes:
        pairs, unclear = _pass(method, episodes_left, items_left, episode_keys, item_keys)
        for episode, item, key in pairs:
            if method == "anchor-id":
                detail = f"{key} ({episode_anchor_ids(episode)[key]} = item {item_anchor_ids(item)[key]})"
            elif method == "guid":
                detail = f"guid {key}"
            elif method == "title":
                detail = f"title {key!r}"
            else:
                detail = f"title without its last ' - ...' part {key!r}"
            matches.append(Match(episode.slug, item, method, detail))
        ambiguous.extend(unclear)
        taken_slugs = {e.slug for e, _, _ in pairs} | {s for a in unclear for s in a.slugs}
        taken_items = {i.position for _, i, _ in pairs} | {i.position for a in unclear for i in a.items}
        episodes_left = [e for e in episodes_left if e.slug not in taken_slugs]
        items_left = [i for i in items_left if i.position not in taken_items]

    unmatched_items = [UnmatchedItem(i, _item_reason(i, all_episodes)) for i in items_left]
    unmatched_episodes = [UnmatchedEpisode(e.slug, _episode_reason(e, all_items)) for e in episodes_left]
    return MatchResult(
        tuple(sorted(matches, key=lambda m: m.slug)),
        tuple(ambiguous),
        tuple(unmatched_items),
        tuple(unmatched_episodes),
    )


def _closest(title: str, candidates: dict[str, str]) -> str:
    """`` closest: 'X' (0.83)`` when some title is similar, else ``""``."""
    if not title or not candidates:
        return ""
    best = difflib.get_close_matches(title, list(candidates), n=1, cutoff=0.6)
    if not best:
        return ""
    ratio = difflib.SequenceMatcher(None, title, best[0]).ratio()
    return f"; closest: {candidates[best[0]]} ({ratio:.2f})"


def _item_reason(item: ParsedItem, episodes: list[Episode]) -> str:
    ids = item_anchor_ids(item)
    parts = []
    if ids:
        parts.append(
            f"no episode file has anchor id {', '.join(sorted(ids))} (from the item "
            f"{'/'.join(sorted(set(ids.values())))})"
        )
    else:
        parts.append("no Anchor episode id in its link, guid or enclosure")
    parts.append(f"no episode has guid {item.guid!r}" if item.guid else "it has no guid")
    parts.append(f"no episode title or short matches {item.title!r}")
    titles = {normalise_title(e.title): f"{e.slug}.md {e.title!r}" for e in episodes}
    return "; ".join(parts) + _closest(normalise_title(item.title), titles)


def _episode_reason(episode: Episode, items: list[ParsedItem]) -> str:
    ids = episode_anchor_ids(episode)
    parts = []
    if ids:
        parts.append(
            "anchor id "
            + ", ".join(f"{k} ({v})" for k, v in sorted(ids.items()))
            + " is in no host item (deleted from the host, or a typo?)"
        )
    elif episode.id("anchor") or episode.link("anchor"):
        parts.append(
            f"its anchor id/link {episode.id('anchor') or episode.link('anchor')!r} has no "
            "'-e<id>' ending to match on"
        )
    else:
        parts.append("no ids.anchor or links.anchor")
    if episode.guid:
        parts.append(f"no host item has guid {episode.guid!r}")
    parts.append(
        f"no host item is titled {episode.title!r}"
        + (f" or {episode.short!r}" if episode.short and episode.short != episode.title else "")
    )
    titles = {normalise_title(i.title): f"host item {i.title!r}" for i in items if i.title}
    return "; ".join(parts) + _closest(normalise_title(episode.title), titles)
