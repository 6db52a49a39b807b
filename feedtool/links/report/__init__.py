"""Report formatters: pure functions ``(Report) -> str``.

Shared helpers here: grouping results by episode (worst first), the place
"kind" used by the HTML platform filter, and date wording.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from feedtool.links.model import Place, Report, Result
from feedtool.links.verdict import Verdict

FORMATS = ("text", "json", "markdown", "html")


def place_kind(place: Place) -> str:
    """youtube/spotify/apple/anchor for platform links, else show-notes, guest, chapter, image, enclosure."""
    name = place.field
    if name.startswith("links."):
        return name.split(".", 1)[1]
    if name.startswith("guests."):
        return "guest"
    if name.startswith("chapters["):
        return "chapter"
    return {"body": "show-notes"}.get(name, name)


def day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def by_episode(
    report: Report, include: Callable[[Result], bool]
) -> list[tuple[str, list[tuple[Result, Place]]]]:
    """[(episode slug, [(result, place)])], the episode with the worst result first."""
    groups: dict[str, list[tuple[Result, Place]]] = {}
    for result in report.results:
        if not include(result):
            continue
        for place in result.places:
            groups.setdefault(place.episode, []).append((result, place))

    def badness(item: tuple[Result, Place]) -> tuple:
        result, place = item
        return (result.verdict.rank, not result.confirmed, place.field, result.url or "")

    for rows in groups.values():
        rows.sort(key=badness)
    return sorted(groups.items(), key=lambda kv: (badness(kv[1][0])[:2], kv[0]))


def is_problem(result: Result) -> bool:
    return result.verdict not in (Verdict.OK, Verdict.EXCLUDED)


def render(report: Report, fmt: str) -> str:
    from feedtool.links.report import html, jsonfmt, markdown, text

    return {"text": text.render, "json": jsonfmt.render, "markdown": markdown.render, "html": html.render}[
        fmt
    ](report)
