"""What every report format shares: grouping results by episode (worst first), the
place "kind" used by the HTML platform filter, date wording, and the summary counts
in the order every summary shows them.
"""

from __future__ import annotations

import re
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


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[str | int, ...]:
    """Sort key that reads numbers as numbers: ``chapters[2]`` before ``chapters[10]``,
    ``s2e9`` before ``s10e1``. (``re.split`` with a group alternates text and digits, so
    two keys always compare text with text and numbers with numbers.)"""
    return tuple(int(part) if i % 2 else part.casefold() for i, part in enumerate(_DIGITS.split(text)))


Row = tuple[Result, Place]

# The sections of the text and Markdown reports, in order: problems a maintainer acts on
# first, then what is listed only with ``--all`` (UNKNOWN is summarised by reason without it).
PROBLEM_LABELS = ("BROKEN", SUSPECT, "REDIRECTED", "MISSING", "INVALID")
ALL_ONLY_LABELS = ("OK", "EXCLUDED")
SECTION_TITLES = {
    "BROKEN": "confirmed broken",
    SUSPECT: "failed in this run, not yet confirmed",
    "REDIRECTED": "moved permanently: put the new URL in the file (feedtool links --fix does)",
    "MISSING": "no link yet (TODO or empty)",
    "INVALID": "not an http(s) URL",
    "UNKNOWN": "not the links' fault (rate limits, bot walls, timeouts, no network); "
    "checked again next run, never counted as broken",
    "OK": "available",
    "EXCLUDED": "not checked: links.exclude, or an address that is not public",
}
UNKNOWN_EXAMPLES = 3  # examples shown per UNKNOWN reason without --all
_ATTEMPTS = re.compile(r" \[\d+ attempts\]")


def rows_by_label(report: Report) -> dict[str, list[Row]]:
    """Every (result, place) under its status label, in natural order of episode, field, URL."""
    out: dict[str, list[Row]] = {label: [] for label in LABELS}
    for result in report.results:
        for place in result.places:
            out[result.status_label].append((result, place))
    for rows in out.values():
        rows.sort(key=lambda row: (natural_key(row[1].episode), natural_key(row[1].field), row[0].url or ""))
    return out


def reason_key(reason: str) -> str:
    """A reason without the parts that differ between otherwise equal ones (``[2 attempts]``)."""
    return _ATTEMPTS.sub("", reason)


def by_reason(rows: list[Row]) -> list[tuple[str, list[Row]]]:
    """Rows grouped by reason, the most frequent reason first."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(reason_key(row[0].reason), []).append(row)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def full_list_hint(fmt: str) -> str:
    return f"feedtool links --all --format {fmt}"
