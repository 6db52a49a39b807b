"""Command line: a thin layer over the library.

Each command lives in ``feedtool/commands/NAME.py`` with ``register(subparsers)``
that adds its parser and sets ``handler``; a handler returns an ``ExitCode``.
This module only maps library exceptions to one error message and an exit code
(``report_error``).

Commands are registered lazily: ``COMMANDS`` names each command's module and its
one-line help, ``feedtool --help`` lists them from that table, and only the module
of the command given is imported (its ``register`` then builds the real parser). A
command's module imports what the command needs (feedgen, lxml, urllib3...), so
importing them all made every start, ``--help`` included, pay for all of them.

Exit codes (all commands, ``feedtool.errors.ExitCode``): 0 success, 1 the job
ran and found errors (nothing published / broken links / invalid feed), 2 usage
or config error, 3 another run holds the lock, 4 (``run`` only) published but
links broken, 5 (``links`` and ``run``) the network was down, nothing was checked,
130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO, cast

from feedtool import __version__

if TYPE_CHECKING:  # imported when needed: --help must not pay for them
    from feedtool.errors import ExitCode, FeedtoolError

# command -> (module in feedtool.commands, the help line ``feedtool --help`` shows); in --help order.
# tests/links/test_fast_start.py checks each help line against the one its module registers.
COMMANDS: Mapping[str, tuple[str, str]] = {
    "build": ("build", "build the feed, chapters and transcripts"),
    "validate": ("validate", "check a feed against Apple's and the Podcasting 2.0 rules"),
    "chapters": ("chapters", "print an episode's chapters (json, psc, youtube, text)"),
    "import-media": ("import_media", "match a host's RSS feed to the episodes and write DIR/media.yaml"),
    "diff": ("diff", "subscriber-facing diff between two feed files"),
    "links": ("links", "check every outbound link for real availability and report what broke"),
    "run": ("run", "the scheduled job: build, validate, publish, check links, write reports"),
}
# the modules make_parser registers (tests narrow it to the commands of their branch)
COMMAND_MODULES: Sequence[str] = tuple(module for module, _ in COMMANDS.values())


class _LazyCommands(argparse._SubParsersAction):
    """Subcommands whose real parser is built when the command is named on the command line.

    Each starts as a placeholder (its name and help line, for the top-level ``--help``); the
    first time argparse hands it the arguments, the command's module is imported and its
    ``register`` replaces the placeholder, which then parses them (``--help`` included)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.modules: dict[str, str] = {}  # command -> module, until its parser is built

    def add_placeholder(self, name: str, module: str, summary: str) -> None:
        self.add_parser(name, help=summary, add_help=False)
        self.modules[name] = module

    def load(self, name: str) -> None:
        module = self.modules.pop(name, None)
        if module is None:
            return
        del self._name_parser_map[name]
        self._choices_actions[:] = [a for a in self._choices_actions if a.dest != name]
        importlib.import_module(f"feedtool.commands.{module}").register(self)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if values:
            self.load(values[0])
        super().__call__(parser, namespace, values, option_string)


def make_parser(*, lazy: bool = True) -> argparse.ArgumentParser:
    """The ``feedtool`` parser; with ``lazy=False`` every command's parser is built at once
    (for tools that walk them all, such as shell completion)."""
    parser = argparse.ArgumentParser(
        prog="feedtool",
        description="Turn a folder of Markdown episodes into a podcast feed, chapters, transcripts "
        "and a link health report.",
    )
    parser.add_argument("--version", action="version", version=f"feedtool {__version__}")
    subparsers = cast(
        _LazyCommands, parser.add_subparsers(dest="command", metavar="COMMAND", action=_LazyCommands)
    )
    by_module = {module: (name, summary) for name, (module, summary) in COMMANDS.items()}
    for module in COMMAND_MODULES:
        name, summary = by_module.get(module, (module.replace("_", "-"), ""))
        subparsers.add_placeholder(name, module, summary)
        if not lazy:
            subparsers.load(name)
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
    from feedtool.commands._common import print_problems
    from feedtool.errors import BuildFailed, ExitCode

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
    parser = make_parser()
    args = parser.parse_args(argv)
    from feedtool.errors import ExitCode, FeedtoolError

    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    try:
        return ExitCode(args.handler(args))
    except (FeedtoolError, KeyboardInterrupt) as exc:
        return report_error(exc, warnings=not getattr(args, "quiet", False))


if __name__ == "__main__":
    sys.exit(main())
