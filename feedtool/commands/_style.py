"""Colour for severities and verdicts, only where a person reads it.

``--color auto`` (the default) colours a stream that is a terminal, unless
``NO_COLOR`` is set to anything (https://no-color.org) or ``TERM=dumb``;
``--color always`` colours even a pipe or a file (``| less -R``), ``--color
never`` nothing. The choice is made per stream: ``feedtool build > log``
still colours the problems on the terminal's standard error.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TextIO

MODES = ("auto", "always", "never")

_mode = "auto"

# SGR parameters per role
_ROLES = {
    "error": "1;31",
    "warning": "33",
    "good": "32",
    "bad": "1;31",
    "doubt": "33",
    "note": "36",
    "quiet": "2",
    "strong": "1",
}
# link verdicts (feedtool.links.Verdict values) and the role that colours them
VERDICT_ROLES = {
    "OK": "good",
    "REDIRECTED": "note",
    "BROKEN": "bad",
    "SUSPECT": "doubt",
    "UNKNOWN": "doubt",
    "MISSING": "doubt",
    "INVALID": "bad",
    "EXCLUDED": "quiet",
}
_VERDICT_AT_LINE_START = re.compile(r"^(\s*)(" + "|".join(VERDICT_ROLES) + r")\b", re.M)


def configure(mode: str) -> None:
    """Set the ``--color`` choice for this process (``cli.main`` calls it once per command)."""
    global _mode
    if mode not in MODES:
        raise ValueError(f"--color must be one of {', '.join(MODES)}, got {mode!r}")
    _mode = mode


def enabled(stream: TextIO | None = None) -> bool:
    stream = sys.stdout if stream is None else stream
    if _mode != "auto":
        return _mode == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, role: str, stream: TextIO | None = None) -> str:
    """``text`` in the colour of ``role`` when ``stream`` gets colour, else unchanged."""
    if not text or not enabled(stream):
        return text
    return f"\x1b[{_ROLES[role]}m{text}\x1b[0m"


def severity(word: str, stream: TextIO | None = None) -> str:
    """``error`` / ``warning`` in their colours."""
    return paint(word, "error" if word == "error" else "warning", stream)


def verdicts(text: str, stream: TextIO | None = None) -> str:
    """A report with the verdict word that starts a line (``  BROKEN  links.apple ...``) coloured."""
    if not enabled(stream):
        return text
    return _VERDICT_AT_LINE_START.sub(
        lambda m: m.group(1) + paint(m.group(2), VERDICT_ROLES[m.group(2)], stream), text
    )
