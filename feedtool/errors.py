"""The exceptions that stop a run. Per-file problems are ``model.Problem`` data."""

from __future__ import annotations

from collections.abc import Iterable

from feedtool.model import Problem


class FeedtoolError(Exception):
    """Base class: the CLI turns these into one ``error: ...`` block and an exit code."""

    exit_code = 1


class ConfigError(FeedtoolError):
    """The config file is missing, unreadable or wrong. Exit code 2."""

    exit_code = 2

    def __init__(self, message: str, problems: Iterable[Problem] = ()):
        self.problems = tuple(problems)
        detail = "".join(f"\n  {p}" for p in self.problems)
        super().__init__(message + detail)


class UsageError(FeedtoolError):
    exit_code = 2


class BuildFailed(FeedtoolError):
    """Inputs or the rendered feed have errors: nothing was published."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()):
        self.problems = tuple(problems)
        super().__init__(message)


class PublishBlocked(BuildFailed):
    """The new feed would hurt subscribers (removed episodes, changed guids): not published."""
