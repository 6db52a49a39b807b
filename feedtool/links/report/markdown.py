"""Markdown for a CI job summary or an issue: summary, changes, per-episode tables."""

from __future__ import annotations

from feedtool.links.model import Report
from feedtool.links.report.common import SUSPECT, by_episode, day, is_problem, label_counts
from feedtool.links.verdict import Verdict

_ROW_NAMES = {Verdict.BROKEN.value: "Broken (confirmed)", SUSPECT: "Suspect (failed, not yet confirmed)"}


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _link(url: str | None) -> str:
    return f"<{url}>" if url else "—"


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
        out.append(f"\n### {slug}" + (f" — {_cell(title)}" if title else "") + "\n\n")
        out.append(
            "| Verdict | Field | URL | Reason | Broken since | Use instead |\n|---|---|---|---|---|---|\n"
        )
        for r, place in rows:
            out.append(
                f"| {r.status_label} | `{place.field}` | {_link(r.url)} | {_cell(r.reason)} | "
                f"{day(r.broken_since)} | {_link(r.suggestion) if r.suggestion else ''} |\n"
            )
    return "".join(out)
