"""Markdown for a CI job summary or an issue: the network first when it was not fine,
counts, changes, one table of the problems a maintainer acts on (BROKEN, SUSPECT,
REDIRECTED with the replacement, MISSING, INVALID), UNKNOWN grouped by reason, and OK
only as a count. ``full`` (``--all``) lists every link.

A CI job summary holds at most 1 MiB, so without ``full`` the page stops adding rows at
``SIZE_LIMIT`` bytes and says how many it left out and how to get them all."""

from __future__ import annotations

import re
from html import escape

from feedtool.links.model import Report
from feedtool.links.report.common import (
    ALL_ONLY_LABELS,
    PROBLEM_LABELS,
    SUSPECT,
    UNKNOWN_EXAMPLES,
    Row,
    by_reason,
    day,
    full_list_hint,
    label_counts,
    rows_by_label,
)
from feedtool.links.report.escaping import is_web_url, link_target, show_controls
from feedtool.links.verdict import Verdict

_ROW_NAMES = {Verdict.BROKEN.value: "Broken (confirmed)", SUSPECT: "Suspect (failed, not yet confirmed)"}

# emphasis, code, links and images, strikethrough, table cells; and the backslash itself
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]~|])")

# GitHub's job summary limit is 1 MiB (1,048,576 bytes); rows stop here, leaving room for the tail
SIZE_LIMIT = 1_000_000


def _cell(text: str | None) -> str:
    """Untrusted text as inert Markdown: one line, no HTML, no links or emphasis, pipes escaped."""
    text = show_controls((text or "").replace("\n", " "))
    return _MARKDOWN_SYNTAX.sub(r"\\\1", escape(text, quote=False))


def _code(text: str) -> str:
    """A code span that no backtick in ``text`` can end early (pipes escaped: GFM splits cells first)."""
    text = show_controls(text.replace("\n", " ")).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _link(url: str | None) -> str:
    """An autolink for an http(s) URL; anything else (``javascript:``) as text, never a link."""
    if not url:
        return "—"
    return f"<{link_target(url)}>" if is_web_url(url) else _cell(url)


def _row(row: Row) -> str:
    r, place = row
    return (
        f"| {r.status_label} | {_code(place.field)} | {_cell(place.episode)} | {_link(r.url)} | "
        f"{_cell(r.reason)} | {day(r.broken_since)} | {_link(r.suggestion) if r.suggestion else ''} |\n"
    )


_TABLE_HEAD = "| Verdict | Field | Episode | URL | Reason | Broken since | Use instead |\n|---|---|---|---|---|---|---|\n"


class _Page:
    """The page being written, and how many bytes it may still take."""

    def __init__(self, limit: int | None):
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit
        self.left_out = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text.encode("utf-8"))

    def add_row(self, text: str) -> bool:
        """Add a table row unless the page is full (then count it as left out)."""
        if self.limit is not None and (self.left_out or self.size + len(text.encode("utf-8")) > self.limit):
            self.left_out += 1
            return False
        self.add(text)
        return True


def render(report: Report, *, full: bool = False) -> str:
    page = _Page(None if full else SIZE_LIMIT)
    page.add("# Link health report\n\n")
    network = report.run.network
    if network.is_down:
        page.add(
            f"> **Network down: nothing was checked** ({_cell(network.reason)}). Every link not checked is "
            "UNKNOWN, none is called broken, and the run exits 5 (inconclusive).\n\n"
        )
    elif network.state == "degraded":
        page.add(f"> **Network degraded**: {_cell(network.reason)}.\n\n")
    page.add(
        f"Run started {report.run.started:%Y-%m-%d %H:%M} UTC, took {report.run.duration:.1f} s, "
        f"{report.run.requests} requests ({report.run.answered} answered).\n\n"
    )
    page.add("| Verdict | Count |\n|---|---:|\n")
    for label, n in label_counts(report.run.counts):
        page.add(f"| {_ROW_NAMES.get(label, label.title())} | {n} |\n")
    if report.run.budget_exhausted:
        page.add("\n> The run time budget ran out: links not checked in time are UNKNOWN.\n")
    page.add("\n## Changes since the previous run\n\n")
    newly, fixed, still = (
        report.changed("newly-broken"),
        report.changed("fixed"),
        report.changed("still-broken"),
    )
    if not (newly or fixed or still):
        page.add("None.\n")
    for r in newly:
        page.add(f"- **Newly broken**: {_link(r.url)} — {_cell(r.reason)}\n")
    for r in fixed:
        page.add(f"- **Fixed**: {_link(r.url)}\n")
    for r in still:
        page.add(f"- Still broken since {day(r.broken_since)}: {_link(r.url)}\n")

    sections = rows_by_label(report)
    listed = [*PROBLEM_LABELS, *((Verdict.UNKNOWN.value, *ALL_ONLY_LABELS) if full else ())]
    rows = [row for label in listed for row in sections[label]]
    page.add("\n## Problems\n\n" if not full else "\n## Every link\n\n")
    if rows:
        page.add(_TABLE_HEAD)
        for row in rows:
            page.add_row(_row(row))
        shown = list(dict.fromkeys(place.episode for _, place in rows[: len(rows) - page.left_out]))
        titled = [(slug, report.episode_titles[slug]) for slug in shown if report.episode_titles.get(slug)]
        if titled:
            page.add("\nEpisodes above:\n\n")
            for slug, title in titled:
                page.add_row(f"- {_cell(slug)}: {_cell(title)}\n")
    else:
        page.add("No problems found.\n")

    unknown = sections[Verdict.UNKNOWN.value]
    if unknown and page.left_out:
        page.left_out += len(by_reason(unknown))  # the page is full: not even the reasons fit
    elif unknown:
        page.add(
            f"\n## Unknown ({len(unknown)}), by reason\n\nNot the links' fault (rate limits, bot walls, "
            "timeouts, no network): checked again next run, never counted as broken.\n\n"
            "| Links | Reason | Examples |\n|---:|---|---|\n"
        )
        for reason, group in by_reason(unknown):
            examples = "; ".join(
                f"{_cell(place.episode)} {_code(place.field)} {_link(result.url)}"
                for result, place in group[:UNKNOWN_EXAMPLES]
            )
            more = f"; and {len(group) - UNKNOWN_EXAMPLES} more" if len(group) > UNKNOWN_EXAMPLES else ""
            page.add_row(f"| {len(group)} | {_cell(reason)} | {examples}{more} |\n")

    counts = report.run.counts
    if page.left_out:
        page.add(
            f"\n**{page.left_out} more row(s) not shown**: this page stops near 1 MB to fit a CI job "
            "summary (1 MiB at most).\n"
        )
    if not full:
        page.add(
            f"\n{counts.verdicts[Verdict.OK]} OK and {counts.verdicts[Verdict.EXCLUDED]} excluded link(s) are "
            f"counted, not listed. The full list: `{full_list_hint('markdown')}` (every link, no size "
            "limit), or `--format json` / `--format html`.\n"
        )
    return "".join(page.parts)
