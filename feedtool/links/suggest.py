"""Suggestions from what the run already saw: the Apple link an episode lacks.

The iTunes lookup made for a show's Apple links lists its episodes with title, date
and page. An episode whose ``links.apple`` is TODO (or absent) gets the page of the
one listed episode that has its date (a day either way, for time zones) and its title
(``title`` or ``short``, compared as ``feedtool import-media`` compares host titles:
case, punctuation and a trailing `` - Guest Name`` folded). No match, or more than one,
suggests nothing: a wrong link is worse than a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, timedelta

from feedtool.links.model import Place, Target, Unchecked
from feedtool.links.normalize import apple_ref
from feedtool.links.probes import AppleListing
from feedtool.links.verdict import Verdict
from feedtool.model import Episode

DATE_SLACK = timedelta(days=1)


def _keys(*titles: str | None) -> set[str]:
    # lazy: the title folding lives beside the feed parser, which a link run rarely needs
    from feedtool.media.match import title_stem
    from feedtool.rss.diff import normalise_title

    out: set[str] = set()
    for title in titles:
        for text in (title, title_stem(title)):
            if key := normalise_title(text):
                out.add(key)
    return out


def apple_suggestions(
    unchecked: Iterable[Unchecked],
    episodes: Iterable[Episode],
    listings: Mapping[str, tuple[AppleListing, ...]],
    targets: Iterable[Target],
) -> dict[Place, tuple[str, str]]:
    """MISSING ``links.apple`` place -> (the URL to put there, why)."""
    missing = [u.place for u in unchecked if u.verdict is Verdict.MISSING and u.place.field == "links.apple"]
    if not missing or not any(listings.values()):
        return {}
    by_slug = {e.slug: e for e in episodes}
    taken = {ref.episode_id for t in targets if (ref := apple_ref(t.url)) and ref.episode_id}
    candidates = [item for items in listings.values() for item in items if item.track_id not in taken]
    listing_keys = {id(item): _keys(item.title) for item in candidates}
    chosen: dict[Place, AppleListing] = {}
    for place in missing:
        episode = by_slug.get(place.episode)
        if episode is None or episode.pub_date is None:  # no date of its own: nothing to match by
            continue
        day = episode.pub_date.astimezone(UTC).date()
        keys = _keys(episode.title, episode.short)
        found = [
            item
            for item in candidates
            if item.released is not None
            and abs(item.released - day) <= DATE_SLACK
            and keys & listing_keys[id(item)]
        ]
        if len(found) == 1:
            chosen[place] = found[0]
    # unique both ways: a listing two episodes could take goes to neither
    uses: dict[str, int] = {}
    for item in chosen.values():
        uses[item.track_id] = uses.get(item.track_id, 0) + 1
    return {
        place: (
            item.url,
            f"Apple lists this episode as {item.title!r} ({item.released:%Y-%m-%d}) in podcast {item.show_id}",
        )
        for place, item in chosen.items()
        if uses[item.track_id] == 1
    }
