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
130 interrupted, 141 standard output closed early (``| head``).

Global options (before the command): ``--color auto|always|never``,
``--version`` (``-v --version`` adds Python's and the dependencies' versions).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO, cast

from feedtool.commands import _style

if TYPE_CHECKING:  # imported when needed: ``--help`` must not pay for them
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
    "completion": ("completion", "print a shell completion script (bash, zsh, fish)"),
    "init": ("init", "write a starting config/podcast.yaml from the show's current feed at its host"),
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
    from feedtool.commands._common import print_problems
    from feedtool.errors import BuildFailed, ExitCode
    from feedtool.publish.summary import accepted_text

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
        from feedtool.errors import ExitCode
        from feedtool.publish import fastpath

        code = fastpath.try_build(words[1:])
        if code is not None:
            return ExitCode(code)
    try:
        return _main(argv)
    except BrokenPipeError:
        from feedtool.errors import ExitCode

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
    args = parser.parse_args(argv)  # (``--help`` ends here, before the imports below)
    from feedtool.errors import ExitCode, FeedtoolError

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
