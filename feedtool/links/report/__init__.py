"""Report formatters: pure functions ``(Report) -> str``, and the one table of formats
that ``feedtool links --format`` offers and ``feedtool run`` writes (``links`` + suffix)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from feedtool.links.model import Report
from feedtool.links.report import html, jsonfmt, markdown, text


@dataclass(frozen=True)
class ReportFormat:
    render: Callable[[Report], str]
    suffix: str  # file name ending: feedtool run writes links.json, links.md, ...


# in the order of ``--format``'s choices
FORMATS: Mapping[str, ReportFormat] = MappingProxyType(
    {
        "text": ReportFormat(text.render, ".txt"),
        "json": ReportFormat(jsonfmt.render, ".json"),
        "markdown": ReportFormat(markdown.render, ".md"),
        "html": ReportFormat(html.render, ".html"),
    }
)


def render(report: Report, fmt: str) -> str:
    return FORMATS[fmt].render(report)
