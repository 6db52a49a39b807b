"""Command line: a thin layer over the library.

Each command lives in ``feedtool/commands/NAME.py`` with ``register(subparsers)``
that adds its parser and sets ``handler``; a handler returns the exit code.
This module only maps library exceptions to one error message and an exit code.

Exit codes (all commands): 0 success, 1 the job ran and found errors (nothing
published / broken links / invalid feed), 2 usage or config error, 3 another
run holds the lock, 4 (``run`` only) published but links broken, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from feedtool import __version__
from feedtool.errors import FeedtoolError

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


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.handler(args))
    except FeedtoolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
