"""Link health: check every outbound link of the episodes for real availability,
remember the history, report what broke (``feedtool links``).

The names below are loaded on first use, so importing one submodule (the CLI's parser
needs none of the checker) does not import the whole checker."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "REPORT_VERSION": "feedtool.links.model",
    "LinksConfig": "feedtool.links.config",
    "Report": "feedtool.links.model",
    "Result": "feedtool.links.model",
    "Verdict": "feedtool.links.verdict",
    "check_links": "feedtool.links.check",
}

__all__ = [
    "REPORT_VERSION",
    "LinksConfig",
    "Report",
    "Result",
    "Verdict",
    "check_links",
]

if TYPE_CHECKING:
    from feedtool.links.check import check_links
    from feedtool.links.config import LinksConfig
    from feedtool.links.model import REPORT_VERSION, Report, Result
    from feedtool.links.verdict import Verdict


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
