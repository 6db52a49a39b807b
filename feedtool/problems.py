"""What a run reports about its inputs: ``Problem`` and its ``Severity``.

Kept apart from ``feedtool.model`` (which re-exports both) because the no-change fast path
(``publish.fastpath``) prints the last run's problems again and must start quickly: this module
defines one dataclass, ``model`` nine more, and on Python 3.11 each costs about a millisecond
to create at import.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.StrEnum):
    """How bad a finding is. A ``str`` enum, so ``Severity.ERROR == "error"`` and JSON gets the word."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, reported to the user.

    Problems are data, not exceptions: a run collects all of them and shows
    them together so a maintainer can fix every file in one pass. ``code`` is
    the stable name of the kind of problem (``audio-length-unknown``), what a
    maintainer writes in ``warnings.ignore`` / ``ignore_warnings:``; the table
    in ``feedtool.warning_codes`` gives one to every warning.
    """

    path: str
    field: str
    message: str
    line: int | None = None
    severity: Severity = Severity.ERROR
    code: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        code = f" [{self.code}]" if self.code else ""
        return f"{where}: {self.severity.value}: {self.field}: {self.message}{code}"
