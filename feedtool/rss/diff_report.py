"""Render a ``FeedDiff`` for people (text) and for tools (JSON, versioned)."""

from __future__ import annotations

from typing import Any

from feedtool.rss.diff import FeedDiff, FieldChange
from feedtool.rss.parse import ParsedItem

JSON_SCHEMA_VERSION = 1
_MAX_SHOWN = 120  # long values (descriptions) are cut in the text output only


def _short(value: str | None) -> str:
    if value is None:
        return "(none)"
    value = " ".join(value.split())
    return value if len(value) <= _MAX_SHOWN else value[: _MAX_SHOWN - 1] + "…"


def _item_line(item: ParsedItem) -> str:
    date = item.pub_date.date().isoformat() if item.pub_date else (item.pub_date_text or "no date")
    return f"{item.title or '(untitled)'!r} [{date}] guid {item.guid or '(none)'}"


def _field_line(change: FieldChange) -> str:
    mark = "  <- hurts subscribers" if change.harmful else ""
    return f"{change.field}: {_short(change.old)} -> {_short(change.new)}{mark}"


def format_text(diff: FeedDiff, old_name: str = "OLD", new_name: str = "NEW") -> str:
    lines = [
        f"{old_name}: {diff.old_count} episodes; {new_name}: {diff.new_count} episodes",
        f"added {len(diff.added)}, removed {len(diff.removed)}, guid changed {len(diff.guid_changes)}, "
        f"changed {len(diff.changed)}, unchanged {diff.unchanged}, channel changes {len(diff.channel_changes)}",
    ]
    if diff.removed:
        lines += ["", "Removed (apps drop these episodes from subscribers' libraries):"]
        lines += [f"  - {_item_line(i)}" for i in diff.removed]
    if diff.guid_changes:
        lines += ["", "Guid changed (apps show these again as new episodes and download them again):"]
        for c in diff.guid_changes:
            guid = next(f for f in c.changes if f.field == "guid")
            lines.append(
                f"  ! {c.title!r}: {guid.old or '(none)'} -> {guid.new or '(none)'} "
                f"(paired by {c.matched_by.replace('_', ' ')})"
            )
    if diff.added:
        lines += ["", "Added:"]
        lines += [f"  + {_item_line(i)}" for i in diff.added]
    # guid changes are listed above; here only their other changes
    others = [(c, [f for f in c.changes if f.field != "guid"]) for c in diff.changed]
    others = [(c, fields) for c, fields in others if fields]
    if others:
        lines += ["", "Changed:"]
        for c, fields in others:
            lines.append(f"  ~ {c.title!r} (guid {c.new.guid or '(none)'})")
            lines += [f"      {_field_line(f)}" for f in fields]
    if diff.duplicate_guids_new:
        lines += ["", f"Duplicate guids in {new_name} (apps show only one of each):"]
        lines += [f"  ! {g}" for g in diff.duplicate_guids_new]
    if diff.channel_changes:
        lines += ["", "Channel:"]
        lines += [f"  ~ {_field_line(c)}" for c in diff.channel_changes]
    lines.append("")
    if diff.hurts_subscribers:
        lines.append(
            f"HURTS SUBSCRIBERS: {len(diff.harms)} change(s) above would drop, duplicate or re-download "
            "episodes in subscribers' apps (exit 1)"
        )
    elif diff.is_empty:
        lines.append("No subscriber-visible change (exit 0)")
    else:
        lines.append("Safe for subscribers: nothing removed, no guid or enclosure URL changed (exit 0)")
    return "\n".join(lines) + "\n"


def _item_json(item: ParsedItem) -> dict[str, Any]:
    return {
        "guid": item.guid,
        "title": item.title,
        "pub_date": item.pub_date.isoformat() if item.pub_date else item.pub_date_text,
        "enclosure": {
            "url": item.enclosure_url,
            "length": item.enclosure_length,
            "type": item.enclosure_type,
        },
        "duration": item.duration,
        "position": item.position,
    }


def _field_json(change: FieldChange) -> dict[str, Any]:
    return {"field": change.field, "old": change.old, "new": change.new, "harmful": change.harmful}


def to_json(diff: FeedDiff) -> dict[str, Any]:
    """A stable, versioned structure (``schema_version``); keys are never renamed within a version."""
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "hurts_subscribers": diff.hurts_subscribers,
        "harms": list(diff.harms),
        "counts": {
            "old": diff.old_count,
            "new": diff.new_count,
            "added": len(diff.added),
            "removed": len(diff.removed),
            "changed": len(diff.changed),
            "guid_changed": len(diff.guid_changes),
            "unchanged": diff.unchanged,
        },
        "added": [_item_json(i) for i in diff.added],
        "removed": [_item_json(i) for i in diff.removed],
        "changed": [
            {
                "old": _item_json(c.old),
                "new": _item_json(c.new),
                "matched_by": c.matched_by,
                "changes": [_field_json(f) for f in c.changes],
            }
            for c in diff.changed
        ],
        "channel_changes": [_field_json(c) for c in diff.channel_changes],
        "duplicate_guids": {"old": list(diff.duplicate_guids_old), "new": list(diff.duplicate_guids_new)},
    }
