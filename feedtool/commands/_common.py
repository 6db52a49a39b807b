"""Argument and output helpers shared by the command modules."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from feedtool.commands import _style
from feedtool.problems import Problem
from feedtool.warning_codes import ALWAYS_NAMED, BY_CODE, UNCODED, classify

DEFAULT_CONFIG = "config/podcast.yaml"
DEFAULT_EPISODES = "episodes"
DEFAULT_OUT = "public"
GROUP_FILES = 3  # files a grouped warning line names before "and N more"


def add_config_args(parser: argparse.ArgumentParser, episodes: bool = True) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=Path(DEFAULT_CONFIG),
        metavar="FILE",
        help=f"the show's config (default: {DEFAULT_CONFIG})",
    )
    if episodes:
        add_episodes_arg(parser)


def add_episodes_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--episodes",
        type=Path,
        default=Path(DEFAULT_EPISODES),
        metavar="DIR",
        help=f"folder of episode .md files (default: {DEFAULT_EPISODES}/)",
    )


def format_problem(problem: Problem, stream: TextIO | None = None) -> str:
    """``FILE:LINE: severity: FIELD: message [code]``, the severity coloured for a terminal."""
    where = problem.path if problem.line is None else f"{problem.path}:{problem.line}"
    code = f" [{problem.code}]" if problem.code else ""
    return f"{where}: {_style.severity(problem.severity.value, stream)}: {problem.field}: {problem.message}{code}"


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(classify(problems), key=lambda p: (not p.is_error, p.path, p.line or 0, p.field))


def print_problems(
    problems: Iterable[Problem],
    *,
    warnings: bool = True,
    verbose: bool = False,
    stream: TextIO | None = None,
) -> None:
    """What went wrong, for a maintainer to act on, errors first.

    Every error gets its own line (``path:line: severity: field: message``).
    Warnings (unless ``warnings`` is false: ``--quiet``): with ``verbose`` one
    line each; otherwise one line per warning code, its count, the first files
    and what to do, since a first build of a real show has hundreds; a code
    found in one file only keeps its full lines. An episode listeners do not get
    (``--skip-invalid`` left it out, or it is held back without a date) is always named, in one
    line (its first problem), even when quiet.
    """
    stream = stream or sys.stderr
    items = _sorted(problems)
    for problem in items:
        if problem.is_error:
            print(format_problem(problem, stream), file=stream)
    left_out = [p for p in items if not p.is_error and p.code in ALWAYS_NAMED]
    by_file: dict[str, list[Problem]] = {}
    for problem in left_out:
        by_file.setdefault(problem.path, []).append(problem)
    for file_problems in by_file.values():
        for i, problem in enumerate(file_problems if verbose else file_problems[:1]):
            more = len(file_problems) - 1
            tail = f" (and {more} more; -v lists them)" if more and not verbose and i == 0 else ""
            print(format_problem(problem, stream) + tail, file=stream)
    if not warnings:
        return
    rest = [p for p in items if not p.is_error and p.code not in ALWAYS_NAMED]
    if verbose:
        for problem in rest:
            print(format_problem(problem, stream), file=stream)
        return
    groups: dict[str, list[Problem]] = {}
    for problem in rest:
        groups.setdefault(problem.code or UNCODED, []).append(problem)
    spread = {code: members for code, members in groups.items() if len({p.path for p in members}) > 1}
    for problem in rest:  # in file order, as they come
        if (problem.code or UNCODED) not in spread:
            print(format_problem(problem, stream), file=stream)
    for code, members in sorted(spread.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        files = list(dict.fromkeys(Path(p.path).name for p in members))
        named = ", ".join(files[:GROUP_FILES]) + (
            f" and {len(files) - GROUP_FILES} more" if len(files) > GROUP_FILES else ""
        )
        row = BY_CODE.get(code)
        action = f": {row.action}" if row is not None else ""
        print(
            f"{_style.severity('warning', stream)}: {_style.paint(code, 'strong', stream)} "
            f"({len(members)}): {named}{action}",
            file=stream,
        )
    if spread:
        print("(one line per warning code found in several files; -v lists each warning)", file=stream)
