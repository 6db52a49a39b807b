"""``import-media`` as a library: host feed + episodes folder -> new media manifest + report.

Nothing here writes; ``plan_import`` returns what the manifest would become
and why, and the command decides whether to write it (``--dry-run``).
Entries of the previous media.yaml are kept for episodes that still exist but
no longer match anything: a host item that vanished must not take its guid
out of our feed with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from feedtool.media.match import Match, MatchResult, match_items
from feedtool.model import Episode, ReadResult
from feedtool.read.media_manifest import ManifestFile, MediaEntry
from feedtool.rss.parse import ParsedFeed
from feedtool.weburls import mime_type_for


@dataclass(frozen=True)
class ImportPlan:
    entries: tuple[MediaEntry, ...]  # the new manifest, slug order
    match: MatchResult
    kept: tuple[MediaEntry, ...]  # carried over from the previous manifest
    dropped: tuple[MediaEntry, ...]  # previous entries whose episode file is gone
    warnings: tuple[str, ...]
    unreadable: tuple[Path, ...]  # episode files with errors (their old entries are kept)
    host_items: int
    episodes: int

    @property
    def complete(self) -> bool:
        """Every episode and every host item paired, nothing ambiguous."""
        m = self.match
        return not (m.ambiguous or m.unmatched_items or m.unmatched_episodes or self.unreadable)


def _entry(slug: str, match: Match, warnings: list[str]) -> MediaEntry | None:
    item = match.item
    if not item.enclosure_url:
        warnings.append(f"{slug}: the host item {item.title!r} has no enclosure URL; no entry written")
        return None
    length = item.enclosure_length
    if length == 0:
        warnings.append(f"{slug}: the host gives length 0 for {item.enclosure_url}; length left out")
        length = None
    if not item.guid:
        warnings.append(f"{slug}: the host item {item.title!r} has no guid; the build will use its own")
    if item.duration is None and item.duration_text:
        warnings.append(f"{slug}: cannot read itunes:duration {item.duration_text!r}; duration left out")
    return MediaEntry(
        slug=slug,
        url=item.enclosure_url,
        length=length,
        type=item.enclosure_type or mime_type_for(item.enclosure_url),
        duration=item.duration,
        guid=item.guid,
        title=item.title,
        matched_by=match.matched_by,
        date=item.pub_date,
    )


def plan_import(feed: ParsedFeed, read: ReadResult, previous: ManifestFile) -> ImportPlan:
    episodes: dict[str, Episode] = {e.slug: e for e in read.episodes}
    result = match_items(read.episodes, feed.items)
    warnings: list[str] = []
    new: dict[str, MediaEntry] = {}
    for match in result.matches:
        entry = _entry(match.slug, match, warnings)
        if entry is None:
            continue
        new[match.slug] = entry
        episode = episodes[match.slug]
        if episode.audio is not None and episode.audio.url != entry.url:
            warnings.append(
                f"{match.slug}: has its own audio: ({episode.audio.url}); feedtool build uses that, "
                f"not the host's {entry.url}"
            )
        if episode.guid and entry.guid and episode.guid != entry.guid:
            warnings.append(
                f"{match.slug}: guid: {episode.guid!r} in the episode differs from the host's "
                f"{entry.guid!r}; subscribers who came from the host see the episode twice unless "
                "the episode's guid is removed or set to the host's"
            )
    existing_slugs = set(episodes) | {p.name[:-3] for p in read.failed}
    kept, dropped = [], []
    for old in previous.entries:
        if old.slug in new:
            continue
        if old.slug in existing_slugs:
            kept.append(old)
            new[old.slug] = old
        else:
            dropped.append(old)
    return ImportPlan(
        entries=tuple(new[slug] for slug in sorted(new)),
        match=result,
        kept=tuple(kept),
        dropped=tuple(dropped),
        warnings=tuple(warnings),
        unreadable=tuple(read.failed),
        host_items=len(feed.items),
        episodes=len(read.episodes),
    )


def format_report(plan: ImportPlan, source: str, episodes_dir: Path) -> str:
    m = plan.match
    methods = ", ".join(f"{k} {v}" for k, v in sorted(m.by_method().items())) or "none"
    lines = [
        f"host feed {source}: {plan.host_items} items; {episodes_dir}: {plan.episodes} episodes",
        f"matched {len(m.matches)} ({methods}); ambiguous {len(m.ambiguous)}; "
        f"host items without episode {len(m.unmatched_items)}; episodes without host item "
        f"{len(m.unmatched_episodes)}",
    ]
    if m.matches:
        lines += ["", "Matched:"]
        lines += [f"  {x.slug} <- {x.item.title!r} by {x.matched_by}: {x.detail}" for x in m.matches]
    if m.ambiguous:
        lines += ["", "Ambiguous (nothing written for these; make ids.anchor, guid or titles unique):"]
        lines += [f"  ? {a.describe()}" for a in m.ambiguous]
    if m.unmatched_items:
        lines += ["", "Host items with no episode file:"]
        lines += [f"  - {u.item.title!r} (guid {u.item.guid}): {u.reason}" for u in m.unmatched_items]
    if m.unmatched_episodes:
        lines += ["", "Episodes with no host item:"]
        lines += [f"  - {u.slug}: {u.reason}" for u in m.unmatched_episodes]
    if plan.unreadable:
        lines += ["", "Episode files with errors (not matched; their previous entries are kept):"]
        lines += [f"  - {p.name}" for p in plan.unreadable]
    if plan.kept:
        lines += ["", "Kept from the previous media.yaml (episode exists, no host item matched now):"]
        lines += [f"  = {e.slug} (guid {e.guid})" for e in plan.kept]
    if plan.dropped:
        lines += ["", "Dropped from the previous media.yaml (no such episode file any more):"]
        lines += [f"  x {e.slug} (guid {e.guid})" for e in plan.dropped]
    if plan.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  ! {w}" for w in plan.warnings]
    return "\n".join(lines) + "\n"
