"""A one-line progress bar on a terminal; silent in CI and when stderr is not a tty.

Hand-written (a dozen lines) rather than tqdm: one dependency less, and the
checker needs only "done / total, broken so far, elapsed".
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


def wants_progress(stream: TextIO | None = None) -> bool:
    stream = sys.stderr if stream is None else stream
    if os.environ.get("CI") or os.environ.get("FEEDTOOL_NO_PROGRESS"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


class ProgressBar:
    def __init__(
        self, total: int, stream: TextIO | None = None, width: int = 30, enabled: bool | None = None
    ):
        stream = sys.stderr if stream is None else stream
        self.total, self.stream, self.width = total, stream, width
        self.enabled = wants_progress(stream) if enabled is None else enabled
        self.done = self.broken = 0
        self.started = time.monotonic()
        self._last_draw = 0.0

    def advance(self, count: int = 1, broken: int = 0) -> None:
        self.done += count
        self.broken += broken
        now = time.monotonic()
        if self.enabled and (now - self._last_draw > 0.1 or self.done >= self.total):
            self._last_draw = now
            self.stream.write("\r" + self.line())
            self.stream.flush()

    def line(self) -> str:
        fraction = self.done / self.total if self.total else 1.0
        filled = int(self.width * fraction)
        bar = "#" * filled + "-" * (self.width - filled)
        return (
            f"links [{bar}] {self.done}/{self.total} checked, {self.broken} failing, "
            f"{time.monotonic() - self.started:.1f}s"
        )

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * (len(self.line()) + 2) + "\r")
            self.stream.flush()
