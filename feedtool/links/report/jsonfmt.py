"""The JSON report: a stable, versioned schema (``version`` bumps on breaking change).

Fixed fields other tools rely on: ``version``, ``run`` (``started``, ``duration``,
``counts``, ``network``: ``ok``, ``degraded`` or ``down``) and ``results``, one object per URL with ``url``, ``verdict``,
``confirmed``, ``final_url``, ``reason``, ``broken_since`` and ``places``
(``[{episode, field}]``). Everything else is additive.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from feedtool.links.model import REPORT_VERSION, Report, Result


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def result_dict(result: Result) -> dict[str, Any]:
    evidence = None
    if result.evidence is not None:
        evidence = asdict(result.evidence)
        evidence["chain"] = [dict(hop) for hop in evidence["chain"]]
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


def render(report: Report, *, full: bool = False) -> str:
    """Every link, whatever ``full`` says."""
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
