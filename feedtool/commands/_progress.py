"""A status line for the steps that can take more than a second, on standard error,
only on a terminal (never in CI, a pipe or a log: ``links.progress.wants_progress``).

The library reports ``(step, done, total)``; this draws ``build: rendering 45/163
episodes`` in place, from the first half second on (a quick build shows nothing),
and wipes it before the command prints its result. The link check keeps its own
bar (``links.progress.ProgressBar``).
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

from feedtool.links.progress import wants_progress

STEPS = {
    "read": "reading episodes",
    "render": "rendering chapters and transcripts",
    "validate": "validating the feed",
    "links": "checking links",
    "fetch": "downloading",
    "match": "reading episodes",
}
DELAY = 0.5  # seconds before the first draw
INTERVAL = 0.1  # seconds between draws


def _amount(step: str, done: int, total: int) -> str:
    if step == "fetch":
        size = f"{done / 1e6:.1f} MB" if done >= 1e6 else f"{done // 1000} kB"
        return size + (f" of {total / 1e6:.1f} MB" if total else "")
    if step == "validate":
        return ""
    return f"{done}/{total}"


class Progress:
    """Callable as ``progress(step, done, total)``; a context manager that wipes the line on exit."""

    def __init__(self, label: str, stream: TextIO | None = None, enabled: bool | None = None):
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.enabled = wants_progress(self.stream) if enabled is None else enabled
        self.started = time.monotonic()
        self._drawn = 0
        self._last = 0.0

    def __call__(self, step: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < DELAY or now - self._last < INTERVAL:
            return
        self._last = now
        text = f"{self.label}: {STEPS.get(step, step)} {_amount(step, done, total)}".rstrip()
        self.stream.write("\r" + text + " " * max(0, self._drawn - len(text)))
        self.stream.flush()
        self._drawn = len(text)

    def clear(self) -> None:
        if self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self.stream.flush()
            self._drawn = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.clear()
