"""Command line: a thin layer over the library.

Each command lives in ``feedtool/commands/NAME.py`` with ``register(subparsers)``
that adds its parser and sets ``handler``; a handler returns an ``ExitCode``.
This module only maps library exceptions to one error message and an exit code
(``report_error``).

Exit codes (all commands, ``feedtool.errors.ExitCode``): 0 success, 1 the job
ran and found errors (nothing published / broken links / invalid feed), 2 usage
or config error, 3 another run holds the lock, 4 (``run`` only) published but
links broken, 130 interrupted, 141 standard output closed early (``| head``).

Global options (before the command): ``--color auto|always|never``,
``--version`` (``-v --version`` adds Python's and the dependencies' versions).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import TextIO

from feedtool.commands import _style
from feedtool.commands._common import print_problems
from feedtool.errors import BuildFailed, ExitCode, FeedtoolError
from feedtool.publish.summary import accepted_text

COMMAND_MODULES = (
    "build",
    "validate",
    "chapters",
    "import_media",
    "diff",
    "links",
    "run",
    "completion",
    "init",
)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="feedtool",
        description="Turn a folder of Markdown episodes into a podcast feed, chapters, transcripts "
        "and a link health report.",
    )
    parser.add_argument(
        "--version", action="store_true", help="print the version (with -v: Python's and the dependencies')"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        dest="global_verbose",
        action="store_true",
        help="with --version: more detail; before a command: that command's -v",
    )
    parser.add_argument(
        "--color",
        choices=_style.MODES,
        default="auto",
        help="colour severities and verdicts: auto (a terminal, unless NO_COLOR is set), always, never",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"feedtool.commands.{name}").register(subparsers)
    return parser


def report_error(
    exc: FeedtoolError | KeyboardInterrupt,
    *,
    warnings: bool = True,
    verbose: bool = False,
    stream: TextIO | None = None,
) -> ExitCode:
    """Print what stopped a command and return its exit code: the one place that does.

    ``BuildFailed`` (and ``PublishBlocked``) first lists its problems (errors one
    per line; warnings unless ``warnings`` is false, ``build --quiet``, grouped by
    code unless ``verbose``), then ``build failed: REASON``; any other
    ``FeedtoolError`` is ``error: MESSAGE`` and the class's ``exit_code``.
    """
    stream = stream or sys.stderr
    if isinstance(exc, KeyboardInterrupt):
        print("interrupted", file=stream)
        return ExitCode.INTERRUPTED
    if isinstance(exc, BuildFailed):
        print_problems(exc.problems, warnings=warnings, verbose=verbose, stream=stream)
        accepted = accepted_text(exc.accepted).lstrip(", ")
        print(
            f"{_style.paint('build failed', 'error', stream)}: {exc}"
            + (f" ({accepted})" if accepted else ""),
            file=stream,
        )
    else:
        print(f"{_style.paint('error', 'error', stream)}: {exc}", file=stream)
    return exc.exit_code


def version_text(verbose: bool = False) -> str:
    """``feedtool X.Y.Z``; verbose: also Python's version and each dependency's."""
    from feedtool.commands._about import version_lines

    return "\n".join(version_lines(verbose)) + "\n"


def main(argv: list[str] | None = None) -> ExitCode:
    """Run one command line. A closed standard output (``feedtool ... | head -1``) ends the
    command quietly with the status a shell gives a process killed by SIGPIPE (141)."""
    words = sys.argv[1:] if argv is None else list(argv)
    if words[:1] == ["build"]:  # nothing changed? answered before the parser imports every command
        from feedtool.publish import fastpath

        code = fastpath.try_build(words[1:])
        if code is not None:
            return ExitCode(code)
    try:
        return _main(argv)
    except BrokenPipeError:
        # Python's advice (docs: signal, "Note on SIGPIPE"): point stdout at devnull so the
        # interpreter's final flush of the unwritable buffer raises nothing on the way out
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):  # no real stdout (tests capture it): nothing to flush
            pass
        return ExitCode.BROKEN_PIPE


def _main(argv: list[str] | None) -> ExitCode:
    parser = make_parser()
    args = parser.parse_args(argv)
    _style.configure(args.color)
    if args.version:  # like argparse's own version action: print, then exit 0
        sys.stdout.write(version_text(args.global_verbose))
        parser.exit(0)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    if args.global_verbose and hasattr(args, "verbose"):
        args.verbose = True
    try:
        return ExitCode(args.handler(args))
    except (FeedtoolError, KeyboardInterrupt) as exc:
        display = getattr(args, "problem_display", None)
        if display is not None:
            warnings, verbose = display(args)
        else:
            warnings, verbose = not getattr(args, "quiet", False), getattr(args, "verbose", False)
        return report_error(exc, warnings=warnings, verbose=verbose)


if __name__ == "__main__":
    sys.exit(main())
