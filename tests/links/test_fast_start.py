"""A fast start: ``feedtool --help`` and ``feedtool links --help`` import none of the
commands' machinery (the CLI registers commands lazily). How fast they start is a figure
``bench/start.py`` prints, not an assertion here: a test never times anything."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from feedtool import cli
from feedtool.links.report import FORMATS

HEAVY = (
    "feedtool.links.check",
    "feedtool.publish.build",
    "urllib3",
    "feedgen",
    "lxml",
    "markdown_it",
    "yaml",
)


def _modules_after(*argv: str) -> set[str]:
    code = (
        "import sys\nfrom feedtool import cli\n"
        f"try:\n    cli.main({list(argv)!r})\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


@pytest.mark.parametrize("argv", [("--help",), ("links", "--help")])
def test_help_imports_nothing_heavy(argv):
    loaded = _modules_after(*argv)
    assert not {m for m in HEAVY if m in loaded}, sorted(m for m in HEAVY if m in loaded)


def test_only_the_chosen_command_is_imported():
    loaded = _modules_after("links", "--help")
    assert "feedtool.commands.links" in loaded
    assert not {f"feedtool.commands.{m}" for m in cli.COMMAND_MODULES if m != "links"} & loaded


def test_help_lists_every_command_with_the_help_its_module_registers():
    lazy = cli.make_parser().format_help()
    for name, (_, summary) in cli.COMMANDS.items():
        assert name in lazy and summary.split()[0] in lazy
    eager = cli.make_parser(lazy=False)
    action = next(a for a in eager._actions if isinstance(a, argparse._SubParsersAction))
    registered = {a.dest: a.help for a in action._choices_actions}
    assert registered == {name: summary for name, (_, summary) in cli.COMMANDS.items()}
    assert set(action.choices) == set(cli.COMMANDS)


def test_links_offers_every_report_format():
    from feedtool.commands.links import FORMAT_CHOICES

    assert tuple(FORMATS) == FORMAT_CHOICES
