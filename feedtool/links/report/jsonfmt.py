"""The JSON report: a stable, versioned schema (``version`` bumps on breaking change).

Fixed fields other tools rely on: ``version``, ``run`` (``started``, ``duration``,
``counts``, ``network``: ``ok``, ``degraded`` or ``down``) and ``results``, one object per URL with ``url``, ``verdict``,
``confirmed``, ``final_url``, ``reason``, ``broken_since`` and ``places``
(``[{episode, field}]``). Everything else is additive.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from feedtool.links.model import REPORT_VERSION, Report, Result


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def result_dict(result: Result) -> dict[str, Any]:
    evidence = None
    if (ev := result.evidence) is not None:  # by hand: ``asdict`` deep-copies, slowly
        evidence = {
            "probe": ev.probe,
            "chain": [{"url": hop.url, "status": hop.status, "method": hop.method} for hop in ev.chain],
            "final_url": ev.final_url,
            "elapsed": ev.elapsed,
            "reason": ev.reason,
            "attempts": ev.attempts,
        }
    return {
        "url": result.url,
        "verdict": result.verdict.value,
        "confirmed": result.confirmed,
        "final_url": result.final_url,
        "reason": result.reason,
        "broken_since": _iso(result.broken_since),
        "places": [{"episode": p.episode, "field": p.field} for p in result.places],
        "platform": result.platform,
        "suggestion": result.suggestion,
        "warning": result.warning,
        "change": result.change,
        "consecutive_failures": result.consecutive_failures,
        "cached": result.cached,
        "evidence": evidence,
    }


def report_dict(report: Report) -> dict[str, Any]:
    return {
        "version": REPORT_VERSION,
        "run": {
            "started": _iso(report.run.started),
            "duration": report.run.duration,
            "counts": report.run.counts.as_dict(),
            "requests": report.run.requests,
            "budget_exhausted": report.run.budget_exhausted,
            "previous_run": _iso(report.previous_run),
            "history": report.run.history_path,
            "peak_in_flight": report.run.peak_in_flight,
            "network": report.run.network.state,
            "network_reason": report.run.network.reason,
            "answered": report.run.answered,
        },
        "changes": {
            "newly_broken": [r.url for r in report.changed("newly-broken")],
            "fixed": [r.url for r in report.changed("fixed")],
            "still_broken": [
                {"url": r.url, "broken_since": _iso(r.broken_since)} for r in report.changed("still-broken")
            ],
        },
        "results": [result_dict(r) for r in report.results],
    }


_string = json.encoder.encode_basestring  # the C encoder for one string (non-ASCII kept)


def _indented(value: Any, indent: str = "") -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, three times faster: with an
    indent the standard library encodes token by token in Python, a third of a 2,000-link
    run's time outside the requests. tests/links/test_counts.py holds the two equal."""
    if isinstance(value, str):
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return json.dumps(value)
    inner = indent + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{_string(str(k))}: {_indented(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _indented(v, inner) for v in value) + "\n" + indent + "]"
    raise TypeError(f"{type(value).__name__} is not JSON")


def render(report: Report, *, full: bool = False) -> str:
    """Every link, whatever ``full`` says."""
    return _indented(report_dict(report)) + "\n"
