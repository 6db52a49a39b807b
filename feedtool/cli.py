"""Command line: a thin layer over the library.

Each command lives in ``feedtool/commands/NAME.py`` with ``register(subparsers)``
that adds its parser and sets ``handler``; a handler returns an ``ExitCode``.
This module only maps library exceptions to one error message and an exit code
(``report_error``).

Exit codes (all commands, ``feedtool.errors.ExitCode``): 0 success, 1 the job
ran and found errors (nothing published / broken links / invalid feed), 2 usage
or config error, 3 another run holds the lock, 4 (``run`` only) published but
links broken, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import TextIO

from feedtool import __version__
from feedtool.commands._common import print_problems
from feedtool.errors import BuildFailed, ExitCode, FeedtoolError

COMMAND_MODULES = (
    "build",
    "validate",
    "chapters",
    "import_media",
    "diff",
    "links",
    "run",
)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="feedtool",
        description="Turn a folder of Markdown episodes into a podcast feed, chapters, transcripts "
        "and a link health report.",
    )
    parser.add_argument("--version", action="version", version=f"feedtool {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"feedtool.commands.{name}").register(subparsers)
    return parser


def report_error(
    exc: FeedtoolError | KeyboardInterrupt, *, warnings: bool = True, stream: TextIO | None = None
) -> ExitCode:
    """Print what stopped a command and return its exit code: the one place that does.

    ``BuildFailed`` (and ``PublishBlocked``) first lists its problems one per
    line (warnings too, unless ``warnings`` is false: ``build --quiet``), then
    ``build failed: REASON``; any other ``FeedtoolError`` is ``error: MESSAGE``
    and the class's ``exit_code``.
    """
    stream = stream or sys.stderr
    if isinstance(exc, KeyboardInterrupt):
        print("interrupted", file=stream)
        return ExitCode.INTERRUPTED
    if isinstance(exc, BuildFailed):
        print_problems(exc.problems, warnings=warnings, stream=stream)
        print(f"build failed: {exc}", file=stream)
    else:
        print(f"error: {exc}", file=stream)
    return exc.exit_code


def main(argv: list[str] | None = None) -> ExitCode:
    words = sys.argv[1:] if argv is None else list(argv)
    if words[:1] == ["build"]:  # nothing changed? answered before the parser imports every command
        from feedtool.publish import fastpath

        code = fastpath.try_build(words[1:])
        if code is not None:
            return ExitCode(code)
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    try:
        return ExitCode(args.handler(args))
    except (FeedtoolError, KeyboardInterrupt) as exc:
        return report_error(exc, warnings=not getattr(args, "quiet", False))


if __name__ == "__main__":
    sys.exit(main())
