"""Report formatters: pure functions ``(Report, *, full=False) -> str``, and the one table
of formats that ``feedtool links --format`` offers and ``feedtool run`` writes (``links`` +
suffix). ``full`` is ``--all``: text and Markdown then list every link, not only problems
(JSON and HTML always hold every link)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from feedtool.links.model import Report
from feedtool.links.report import html, jsonfmt, markdown, text


class Renderer(Protocol):
    def __call__(self, report: Report, *, full: bool = False) -> str: ...


@dataclass(frozen=True)
class ReportFormat:
    render: Renderer
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


def render(report: Report, fmt: str, *, full: bool = False) -> str:
    return FORMATS[fmt].render(report, full=full)
