"""The exceptions that stop a run, and the exit codes they end in.

Per-file problems are ``model.Problem`` data, not exceptions. Every
``FeedtoolError`` subclass is defined here and carries its ``ExitCode``;
``feedtool.cli.report_error`` is the one place that turns one into a message
and an exit code.

Parsers' own exceptions (``rss.parse.FeedReadError``,
``read.frontmatter.FrontMatterError``, ``links.normalize.InvalidURL``) are
``ValueError``s that stay beside their parser on purpose: they describe bytes
without knowing where the bytes came from, so the caller, which knows the file
or URL, translates them into a ``FeedtoolError`` naming it. One escaping to
``main`` unwrapped is a bug, and shows as a traceback rather than as an
``error:`` line missing its file name.

This module imports nothing of feedtool's at run time: ``import feedtool``, the CLI's
start-up and the no-change fast path load it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from feedtool.problems import Problem
    from feedtool.publish.lock import LockHolder


class ExitCode(IntEnum):
    """The process exit codes, the same for every command."""

    OK = 0
    FAILED = 1  # the job ran and found errors: nothing published, broken links, invalid feed, harmful diff
    USAGE = 2  # usage or config error (an input to fix before the job can run)
    LOCKED = 3  # another run holds the lock
    LINKS_BROKEN = 4  # ``run`` only: the feed was published, but links are confirmed broken
    INCONCLUSIVE = 5  # ``links`` and ``run``: the network was down, so no link could be checked
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, what shells report)
    BROKEN_PIPE = 141  # standard output closed early (``| head``): 128 + SIGPIPE, as for any Unix tool


class FeedtoolError(Exception):
    """Base class: the CLI turns these into one ``error: ...`` block and ``exit_code``."""

    exit_code: ClassVar[ExitCode] = ExitCode.FAILED


class ConfigError(FeedtoolError):
    """The config file is missing, unreadable or wrong."""

    exit_code = ExitCode.USAGE

    def __init__(self, message: str, problems: Iterable[Problem] = ()):
        self.problems = tuple(problems)
        detail = "".join(f"\n  {p}" for p in self.problems)
        super().__init__(message + detail)


class UsageError(FeedtoolError):
    """A command line that cannot be carried out (a missing folder, an unreadable file)."""

    exit_code = ExitCode.USAGE


class BuildFailed(FeedtoolError):
    """Inputs or the rendered feed have errors: nothing was published.

    The problems stay data (``problems``) so the CLI can list them one per line
    before the one-line reason, and ``run`` can report them in its build stage;
    ``accepted`` are the warnings the show accepts (counted, not listed).
    """

    exit_code = ExitCode.FAILED

    def __init__(self, message: str, problems: Iterable[Problem] = (), accepted: Iterable[Problem] = ()):
        self.problems = tuple(problems)
        self.accepted = tuple(accepted)
        super().__init__(message)


class PublishBlocked(BuildFailed):
    """The new feed would hurt subscribers (removed episodes, changed guids): not published."""


class LockBusy(FeedtoolError):
    """Another run holds the lock (``feedtool.publish.lock``)."""

    exit_code = ExitCode.LOCKED

    def __init__(self, path: Path, holder: LockHolder, waited: float):
        self.path, self.holder, self.waited = path, holder, waited
        waited_text = f" after waiting {waited:g}s" if waited else ""
        super().__init__(
            f"another feedtool run holds the lock {path}{waited_text}: {holder.describe()}. "
            "The lock is released when that run ends (even if it crashes); wait for it, or retry later."
        )


class SourceError(FeedtoolError):
    """The host feed could not be fetched or read (``feedtool.media.source``): nothing was written."""

    exit_code = ExitCode.USAGE


class MediaManifestError(FeedtoolError):
    """media.yaml exists but cannot be trusted (``feedtool.read.media_manifest``): an input to fix."""

    exit_code = ExitCode.USAGE

    def __init__(self, path: Path, problems: tuple[Problem, ...]):
        self.path, self.problems = path, problems
        detail = "".join(f"\n  {p}" for p in problems)
        super().__init__(
            f"{path}: the media manifest has {len(problems)} problem(s); fix or delete it "
            f"and run `feedtool import-media` again:{detail}"
        )
