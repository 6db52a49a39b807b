"""Argument and output helpers shared by the command modules."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from feedtool.model import Problem

DEFAULT_CONFIG = "config/podcast.yaml"
DEFAULT_EPISODES = "episodes"
DEFAULT_OUT = "public"


def add_config_args(parser: argparse.ArgumentParser, episodes: bool = True) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=Path(DEFAULT_CONFIG),
        metavar="FILE",
        help=f"the show's config (default: {DEFAULT_CONFIG})",
    )
    if episodes:
        parser.add_argument(
            "--episodes",
            type=Path,
            default=Path(DEFAULT_EPISODES),
            metavar="DIR",
            help=f"folder of episode .md files (default: {DEFAULT_EPISODES}/)",
        )


def print_problems(
    problems: Iterable[Problem], *, warnings: bool = True, stream: TextIO | None = None
) -> None:
    """One line per problem, errors first, in file order: ``path:line: severity: field: message``."""
    stream = stream or sys.stderr
    items = sorted(problems, key=lambda p: (not p.is_error, p.path, p.line or 0, p.field))
    for problem in items:
        if problem.is_error or warnings:
            print(problem, file=stream)
