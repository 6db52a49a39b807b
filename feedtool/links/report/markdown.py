"""Markdown for a CI job summary or an issue: summary, changes, per-episode tables."""

from __future__ import annotations

import re
from html import escape

from feedtool.links.model import Report
from feedtool.links.report.common import SUSPECT, by_episode, day, is_problem, label_counts
from feedtool.links.report.escaping import is_web_url, link_target, show_controls
from feedtool.links.verdict import Verdict

_ROW_NAMES = {Verdict.BROKEN.value: "Broken (confirmed)", SUSPECT: "Suspect (failed, not yet confirmed)"}

# emphasis, code, links and images, strikethrough, table cells; and the backslash itself
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]~|])")


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


def render(report: Report) -> str:
    out = [
        "# Link health report\n\n",
        f"Run started {report.run.started:%Y-%m-%d %H:%M} UTC, took {report.run.duration:.1f} s, "
        f"{report.run.requests} requests.\n\n",
        "| Verdict | Count |\n|---|---:|\n",
    ]
    for label, n in label_counts(report.run.counts):
        out.append(f"| {_ROW_NAMES.get(label, label.title())} | {n} |\n")
    if report.run.budget_exhausted:
        out.append("\n> The run time budget ran out: links not checked in time are UNKNOWN.\n")
    out.append("\n## Changes since the previous run\n\n")
    newly, fixed, still = (
        report.changed("newly-broken"),
        report.changed("fixed"),
        report.changed("still-broken"),
    )
    if not (newly or fixed or still):
        out.append("None.\n")
    for r in newly:
        out.append(f"- **Newly broken**: {_link(r.url)} — {_cell(r.reason)}\n")
    for r in fixed:
        out.append(f"- **Fixed**: {_link(r.url)}\n")
    for r in still:
        out.append(f"- Still broken since {day(r.broken_since)}: {_link(r.url)}\n")
    groups = by_episode(report, is_problem)
    out.append("\n## Problems by episode\n")
    if not groups:
        out.append("\nNo problems found.\n")
    for slug, rows in groups:
        title = report.episode_titles.get(slug)
        out.append(f"\n### {_cell(slug)}" + (f" — {_cell(title)}" if title else "") + "\n\n")
        out.append(
            "| Verdict | Field | URL | Reason | Broken since | Use instead |\n|---|---|---|---|---|---|\n"
        )
        for r, place in rows:
            out.append(
                f"| {r.status_label} | {_code(place.field)} | {_link(r.url)} | {_cell(r.reason)} | "
                f"{day(r.broken_since)} | {_link(r.suggestion) if r.suggestion else ''} |\n"
            )
    return "".join(out)
