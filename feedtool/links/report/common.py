"""What every report format shares: grouping results by episode (worst first), the
place "kind" used by the HTML platform filter, date wording, and the summary counts
in the order every summary shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from feedtool.links.model import Place, Report, Result, RunCounts
from feedtool.links.verdict import Verdict

# The order summaries list verdicts in; every member of Verdict must be here
# (tests/links/test_counts.py fails otherwise).
SUMMARY_ORDER = (
    Verdict.BROKEN,
    Verdict.REDIRECTED,
    Verdict.UNKNOWN,
    Verdict.MISSING,
    Verdict.INVALID,
    Verdict.OK,
    Verdict.EXCLUDED,
)
SUSPECT = "SUSPECT"  # Result.status_label of a BROKEN result not yet confirmed


def _labels() -> tuple[str, ...]:
    out: list[str] = []
    for verdict in SUMMARY_ORDER:
        out.append(verdict.value)
        if verdict is Verdict.BROKEN:
            out.append(SUSPECT)
    return tuple(out)


# Every Result.status_label, in summary order: BROKEN, SUSPECT, REDIRECTED, ...
LABELS = _labels()


def label_counts(counts: RunCounts) -> list[tuple[str, int]]:
    """(status label, count) for every label in ``LABELS`` order: ``BROKEN`` counts the
    confirmed breaks, ``SUSPECT`` the ones not yet confirmed."""
    split = {Verdict.BROKEN.value: counts.confirmed_broken, SUSPECT: counts.suspect}
    return [(label, split[label] if label in split else counts.verdicts[Verdict(label)]) for label in LABELS]


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

    def badness(item: tuple[Result, Place]) -> tuple[int, bool, str, str]:
        result, place = item
        return (result.verdict.rank, not result.confirmed, place.field, result.url or "")

    for rows in groups.values():
        rows.sort(key=badness)
    return sorted(groups.items(), key=lambda kv: (badness(kv[1][0])[:2], kv[0]))


def is_problem(result: Result) -> bool:
    return result.verdict not in (Verdict.OK, Verdict.EXCLUDED)
