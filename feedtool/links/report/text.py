"""The terminal report: what changed, then problems grouped by episode, worst first."""

from __future__ import annotations

from feedtool.links.model import Report, Result
from feedtool.links.report.common import by_episode, day, is_problem, label_counts
from feedtool.links.report.escaping import show_controls as _t
from feedtool.links.verdict import Verdict

# Every value below passes through _t: URLs, reasons and titles hold bytes from servers and
# episode files, and a terminal obeys the escape sequences among them.


def _summary(report: Report) -> str:
    c = report.run.counts
    parts = [f"{c.total} links", f"{c.verdicts[Verdict.OK]} ok ({c.cached} recent, not re-checked)"]
    parts += [f"{n} {label.lower()}" for label, n in label_counts(c) if label != Verdict.OK.value]
    return ", ".join(parts) + f" in {report.run.duration:.1f}s ({report.run.requests} requests)"


def line(result: Result, field: str) -> str:
    out = f"  {result.status_label:<10} {_t(field):<22} {_t(result.url or '-')}\n"
    detail = _t(result.reason)
    if result.broken_since:
        detail += f"; broken since {day(result.broken_since)}"
    out += f"  {'':<10} {'':<22} {detail}\n"
    if result.suggestion:
        out += f"  {'':<10} {'':<22} -> use {_t(result.suggestion)}\n"
    if result.warning:
        out += f"  {'':<10} {'':<22} warning: {_t(result.warning)}\n"
    return out


def render(report: Report) -> str:
    out = [f"feedtool links: {_summary(report)}\n"]
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
    groups = by_episode(report, is_problem)
    if not groups:
        out.append("\nNo problems found.\n")
    for slug, rows in groups:
        title = report.episode_titles.get(slug, "")
        out.append(f"\n{_t(slug)}" + (f"  ({_t(title)})" if title else "") + "\n")
        for result, place in rows:
            out.append(line(result, place.field))
    unknown = sum(r.verdict is Verdict.UNKNOWN for r in report.results)
    if unknown:
        out.append(
            f"\n{unknown} UNKNOWN result(s) are not the links' fault (rate limits, bot walls, "
            "timeouts); they are retried next run and never count as broken.\n"
        )
    return "".join(out)
