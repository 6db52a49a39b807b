"""The terminal report, sized for a person: the summary (the network first when it was
not fine), what changed, then the problems a maintainer acts on (BROKEN, SUSPECT,
REDIRECTED with the replacement, MISSING, INVALID) by episode, UNKNOWN grouped by
reason with a few examples, and OK only as a count. ``full`` (``--all``) lists every
link."""

from __future__ import annotations

from feedtool.links.model import Report, Result
from feedtool.links.report.common import (
    ALL_ONLY_LABELS,
    PROBLEM_LABELS,
    SECTION_TITLES,
    UNKNOWN_EXAMPLES,
    Row,
    by_reason,
    day,
    full_list_hint,
    label_counts,
    rows_by_label,
)
from feedtool.links.report.escaping import show_controls as _t
from feedtool.links.verdict import Verdict

# Every value below passes through _t: URLs, reasons and titles hold bytes from servers and
# episode files, and a terminal obeys the escape sequences among them.

FIELD_WIDTH = 24  # the field column; longer field names push their URL along


def summary(report: Report) -> str:
    """The first line: the network first when it was not fine, then the counts."""
    c = report.run.counts
    parts = [f"{c.total} links", f"{c.verdicts[Verdict.OK]} ok ({c.cached} recent, not re-checked)"]
    parts += [f"{n} {label.lower()}" for label, n in label_counts(c) if label != Verdict.OK.value]
    line = ", ".join(parts) + f" in {report.run.duration:.1f}s ({report.run.requests} requests)"
    network = report.run.network.headline()
    return f"{network}; {line}" if network else line


def _detail(result: Result) -> list[str]:
    """The lines under a row's URL: why, since when, what to use instead, warnings."""
    detail = _t(result.reason)
    if result.broken_since:
        detail += f"; broken since {day(result.broken_since)}"
    lines = [detail]
    if result.suggestion:
        lines.append(f"-> use {_t(result.suggestion)}")
    if result.warning:
        lines.append(f"warning: {_t(result.warning)}")
    return lines


def _rows(rows: list[Row], titles: dict[str, str], indent: str = "  ") -> list[str]:
    """Rows under one heading per episode (rows arrive in natural order)."""
    out: list[str] = []
    current = None
    for result, place in rows:
        if place.episode != current:
            current = place.episode
            title = titles.get(place.episode, "")
            out.append(f"{indent}{_t(place.episode)}" + (f"  ({_t(title)})" if title else "") + "\n")
        field = _t(place.field)
        pad = " " * (len(indent) + 2 + max(FIELD_WIDTH, len(field)) + 1)
        out.append(f"{indent}  {field:<{FIELD_WIDTH}} {_t(result.url or '-')}\n")
        out += [f"{pad}{line}\n" for line in _detail(result)]
    return out


def _missing(rows: list[Row], titles: dict[str, str]) -> list[str]:
    """MISSING: one line per episode naming its missing fields, then any URL to put there."""
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row[1].episode, []).append(row)
    out: list[str] = []
    for slug, items in grouped.items():
        title = titles.get(slug, "")
        names = ", ".join(_t(place.field) for _, place in items)
        out.append(f"  {_t(slug)}" + (f"  ({_t(title)})" if title else "") + f": {names}\n")
        for result, place in items:
            if result.suggestion:
                out.append(
                    f"    {_t(place.field)} -> use {_t(result.suggestion)}\n      ({_t(result.reason)})\n"
                )
    return out


def _heading(label: str, rows: list[Row]) -> str:
    """``BROKEN (3 links): confirmed broken``; places too when a link is used in several."""
    if all(result.url is None for result, _ in rows):  # MISSING: places, no URL yet
        return f"{label} ({len(rows)}): {SECTION_TITLES[label]}"
    links = len({id(result) for result, _ in rows})
    where = f" in {len(rows)} places" if len(rows) != links else ""
    return f"{label} ({links} link{'s' if links != 1 else ''}{where}): {SECTION_TITLES[label]}"


def render(report: Report, *, full: bool = False) -> str:
    out = [f"feedtool links: {summary(report)}\n"]
    if report.run.budget_exhausted:
        out.append("the run time budget ran out: links not checked in time are UNKNOWN\n")
    since = (
        f" since the previous run ({report.previous_run:%Y-%m-%d %H:%M} UTC)" if report.previous_run else ""
    )
    changes = [("newly broken", report.changed("newly-broken")), ("fixed", report.changed("fixed"))]
    if any(items for _, items in changes) or report.changed("still-broken"):
        out.append(f"\nChanges{since}:\n")
        for label, items in changes:
            for r in items:
                out.append(f"  {label}: {_t(r.url or '-')}\n")
        for r in report.changed("still-broken"):
            out.append(f"  still broken since {day(r.broken_since)}: {_t(r.url or '-')}\n")
    sections = rows_by_label(report)
    titles = report.episode_titles
    if not any(sections[label] for label in (*PROBLEM_LABELS, Verdict.UNKNOWN.value)):
        out.append("\nNo problems found.\n")
    for label in PROBLEM_LABELS:
        rows = sections[label]
        if not rows:
            continue
        out.append(f"\n{_heading(label, rows)}\n")
        out += _missing(rows, titles) if label == Verdict.MISSING.value else _rows(rows, titles)
    unknown = sections[Verdict.UNKNOWN.value]
    if unknown:
        out.append(f"\n{_heading(Verdict.UNKNOWN.value, unknown)}\n")
        for reason, rows in by_reason(unknown):
            out.append(f"  {len(rows)} x {_t(reason)}\n")
            shown = rows if full else rows[:UNKNOWN_EXAMPLES]
            for i, (result, place) in enumerate(shown):
                lead = "e.g." if i == 0 and not full else ""
                out.append(
                    f"      {lead:<4} {_t(place.episode)}  {_t(place.field)}  {_t(result.url or '-')}\n"
                )
            if len(rows) > len(shown):
                out.append(f"           ... and {len(rows) - len(shown)} more\n")
    if full:
        for label in ALL_ONLY_LABELS:
            rows = sections[label]
            if rows:
                out.append(f"\n{_heading(label, rows)}\n")
                out += _rows(rows, titles)
    else:
        counts = report.run.counts
        out.append(
            f"\n{counts.verdicts[Verdict.OK]} OK and {counts.verdicts[Verdict.EXCLUDED]} excluded link(s) are "
            f"counted, not listed: {full_list_hint('text').replace(' --format text', '')} lists every link.\n"
        )
    return "".join(out)
