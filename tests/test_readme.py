"""Every README example runs as written.

Each fenced block of README.md with a ``$ feedtool ...`` line is run, in its
own copy of the shipped sample (config/, episodes/, people/, examples/), one
``$ `` line after the other through bash, and what it prints (standard output
and standard error, in order) must be what the README shows below the line.
Rules of the comparison:

- a line ``...`` alone stands for any number of lines (a marked cut);
- values that differ on every run are compared by shape only: ISO time stamps,
  "(0.1 s)"-style durations, loopback ports, today's dates in link history;
- a block preceded by ``<!-- setup: NAME -->`` first gets the environment
  ``SETUPS[NAME]`` prepares (the link checker's loopback simulator), and one
  preceded by ``<!-- not-run: REASON -->`` is skipped, saying why: the only
  way to leave an example out.

Exit codes are not compared (the README states them in prose); output is.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO

README = REPO / "README.md"
SAMPLE = ("config", "episodes", "people", "examples")
CUT = "..."
NOT_RUN = re.compile(r"^<!--\s*not-run:\s*(?P<reason>\S.*?)\s*-->$")
SETUP = re.compile(r"^<!--\s*setup:\s*(?P<name>[\w-]+)\s*-->$")
FENCE = re.compile(r"^(?P<indent>\s*)```")

# (pattern, replacement) applied to README and output alike
VOLATILE = (
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:\d\d|Z)?"), "<TIMESTAMP>"),
    (re.compile(r"\(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)"), "(<RUN TIME>)"),
    (re.compile(r"(since|on) \d{4}-\d\d-\d\d"), r"\1 <DAY>"),
    (re.compile(r"\b\d+(?:\.\d+)? ?s\b(?=\)| \()"), "<SECONDS>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<PORT>"),
)


@dataclass(frozen=True)
class Step:
    command: str
    expected: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    line: int  # of the opening fence, 1-based
    steps: tuple[Step, ...]
    setup: str | None = None
    not_run: str | None = None

    @property
    def id(self) -> str:
        return f"line{self.line}-" + re.sub(r"\W+", "-", self.steps[-1].command)[:40].strip("-")


def readme_blocks(text: str) -> list[Block]:
    """The fenced blocks with a ``$ feedtool`` line, their steps and markers."""
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        indent, start = len(fence.group("indent")), i
        i += 1
        body = []
        while i < len(lines) and not FENCE.match(lines[i]):
            body.append(lines[i][indent:])
            i += 1
        i += 1
        if not any(line.startswith("$ feedtool") for line in body):
            continue
        before = next((lines[j].strip() for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        not_run, setup = NOT_RUN.match(before), SETUP.match(before)
        steps, current, expected = [], None, []
        for line in body:
            if line.startswith("$ "):
                if current is not None:
                    steps.append(Step(current, tuple(expected)))
                current, expected = line[2:], []
            elif current is not None:
                expected.append(line)
        if current is not None:
            steps.append(Step(current, tuple(expected)))
        blocks.append(
            Block(
                start + 1,
                tuple(steps),
                setup.group("name") if setup else None,
                not_run.group("reason") if not_run else None,
            )
        )
    return blocks


def normalise(text: str) -> str:
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def matches(expected: tuple[str, ...], actual: str) -> bool:
    """``actual`` is ``expected``, where each ``...`` line stands for any number of lines."""
    parts = []
    for line in expected:
        parts.append(r"(?:[^\n]*\n)*?" if line == CUT else re.escape(normalise(line)) + r"\n")
    return re.fullmatch("".join(parts), normalise(actual)) is not None


# --- environments ---------------------------------------------------------------------------------


def setup_links_simulator(root: Path) -> Iterator[None]:
    """The link checker against the loopback simulator the link tests use: config.yaml and
    episodes/ of a show whose links it serves, and one earlier run (so this one reports changes)."""
    from links.conftest import fast_links, write_show
    from links.simulator import Simulator

    shutil.rmtree(root / "episodes")  # only the simulator's show: the sample's links lead off this machine
    sim = Simulator()
    try:
        episodes = {
            "s09e01-data-teams": {
                "links": {
                    "youtube": "https://youtu.be/removed0001",
                    "spotify": "TODO",
                    "apple": "https://podcasts.apple.com/us/podcast/data-teams/id1541710331?i=1000000000001",
                    "anchor": sim.url("/anchor/datatalksclub/episodes/gone-Data-Teams-e2"),
                },
            },
            "s09e02-feature-stores": {
                "links": {
                    "youtube": "https://www.youtube.com/watch?v=okokokokok1",
                    "apple": "https://podcasts.apple.com/us/podcast/feature-stores/id1541710331?i=1000521740775",
                },
            },
        }
        body = {
            "s09e01-data-teams": "\n".join(
                f"- [{name}]({sim.url(path)})"
                for name, path in (
                    ("the book", "/ok/book"),
                    ("old post", "/blog/old-post"),
                    ("moved", "/moved"),
                    ("slides", "/always429"),
                )
            ),
            "s09e02-feature-stores": f"- [docs]({sim.url('/ok/docs')})\n- [talk]({sim.url('/temp')})",
        }
        write_show(root, episodes, fast_links(sim, Path(".feedtool/links.sqlite")), body)  # config.yaml
        _feedtool(root, "links --config config.yaml --episodes episodes --output /dev/null")
        yield
    finally:
        sim.close()


SETUPS: dict[str, Callable[[Path], Iterator[None]]] = {"links-simulator": setup_links_simulator}


# --- running ---------------------------------------------------------------------------------------


def _environment(root: Path) -> dict[str, str]:
    bin_dir = root / ".bin"
    bin_dir.mkdir(exist_ok=True)
    wrapper = bin_dir / "feedtool"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m feedtool "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CI")}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",  # standard output and error interleave in the order they are written
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        HOME=str(root),
        LC_ALL="C.UTF-8",
        COLUMNS="100",
        FEEDTOOL_NO_PROGRESS="1",
    )
    return env


def _feedtool(root: Path, args: str) -> str:
    return _shell(root, f"feedtool {args}")


# A line with any of these is run by bash; a plain `feedtool ARGS` in this process (the console
# script is ``sys.exit(cli.main())``, tests/test_main_module.py), which saves the interpreter's
# start-up on each line.
SHELL_SYNTAX = re.compile(r"[|;&<>$`(){}*?\[\]~\\]")


def _shell(root: Path, command: str) -> str:
    if command.startswith("feedtool ") and not SHELL_SYNTAX.search(command):
        return _in_process(root, shlex.split(command)[1:])
    proc = subprocess.run(
        ["bash", "-c", command],
        cwd=root,
        env=_environment(root),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    return proc.stdout


def _in_process(root: Path, argv: list[str]) -> str:
    """What ``feedtool ARGV`` prints in ``root``, standard output and error in the order written."""
    from feedtool import cli

    out = io.StringIO()
    cwd, env = os.getcwd(), dict(os.environ)
    os.chdir(root)
    for name in ("NO_COLOR", "FORCE_COLOR", "CI"):
        os.environ.pop(name, None)
    os.environ.update(HOME=str(root), FEEDTOOL_NO_PROGRESS="1")
    try:
        # SystemExit: argparse's --help, --version and usage errors
        with (
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(out),
            contextlib.suppress(SystemExit),
        ):
            cli.main(argv)
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
    return out.getvalue()


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))


def test_the_readme_has_runnable_examples_and_few_exceptions():
    assert len(BLOCKS) >= 8
    skipped = [b for b in BLOCKS if b.not_run]
    assert len(skipped) <= 1, [b.line for b in skipped]
    assert all(b.setup in SETUPS for b in BLOCKS if b.setup), "unknown setup marker"


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_readme_example_runs_as_written(block: Block, tmp_path: Path):
    if block.not_run:
        pytest.skip(f"README line {block.line}: not run: {block.not_run}")
    root = tmp_path / "show"
    root.mkdir()
    for name in SAMPLE:
        shutil.copytree(REPO / name, root / name)
    setup = SETUPS[block.setup](root) if block.setup else iter([None])
    next(setup)
    try:
        for step in block.steps:
            actual = _shell(root, step.command)
            assert matches(step.expected, actual), (
                f"README line {block.line}: `$ {step.command}` printed\n{actual}\n"
                f"--- but the README shows ---\n" + "\n".join(step.expected)
            )
    finally:
        next(setup, None)


# --- the comparison itself ----------------------------------------------------------------------


def test_a_cut_stands_for_any_lines_and_nothing_else():
    assert matches(("a", CUT, "z"), "a\nb\nc\nz\n")
    assert matches(("a", CUT, "z"), "a\nz\n")
    assert matches(("a", CUT), "a\nanything\n")
    assert not matches(("a", "z"), "a\nb\nz\n")
    assert not matches(("a", CUT, "z"), "a\nb\n")
    assert not matches(("a",), "a\nmore\n")


def test_volatile_values_compare_by_shape():
    assert matches(
        ("run 2026-11-24T22:12:28+00:00 took (0.1 s)",), "run 2025-01-02T03:04:05+00:00 took (12.3 s)\n"
    )
    assert not matches(("episodes 4 (0.1 s)",), "episodes 5 (0.1 s)\n")


def test_markers_are_read(tmp_path):
    text = "intro\n\n<!-- not-run: needs a real host -->\n```\n$ feedtool links\nout\n```\n\n```sh\nls\n```\n"
    (block,) = readme_blocks(text)
    assert block.not_run == "needs a real host" and block.steps == (Step("feedtool links", ("out",)),)
