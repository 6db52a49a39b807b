"""The pieces of summary lines that the library and the commands share.

Light on purpose (no lxml, feedgen or YAML): the command-line helpers import it at start-up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from feedtool.model import Problem
from feedtool.warning_codes import UNCODED


def file_names(paths: Iterable[Path | str], limit: int = 10) -> str:
    """File names, comma-separated, the first ``limit`` of them."""
    all_names = [Path(p).name for p in paths]
    shown = ", ".join(all_names[:limit])
    return shown + (f" and {len(all_names) - limit} more" if len(all_names) > limit else "")


def accepted_text(accepted: Iterable[Problem]) -> str:
    """``, 27 accepted (psc-chapters-first 25, unknown-field 2)`` for a summary line, or nothing."""
    counts = Counter(p.code or UNCODED for p in accepted)
    if not counts:
        return ""
    total = sum(counts.values())
    by_code = ", ".join(f"{code} {n}" for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return f", {total} accepted ({by_code})"
