"""Helpers for the hostile-input tests (issue 9): a test show, one hostile file added to it,
and what the build said about it."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"

RunCli = Callable[..., tuple[int, str, str]]


def line_of(path: Path, needle: str) -> int:
    """The 1-based number of the first line of ``path`` that holds ``needle``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in {path}")


def build(run_cli: RunCli, show: Path, *extra: str) -> tuple[int, str, str]:
    """``feedtool build`` of the test show (config, episodes and output inside ``show``)."""
    return run_cli(
        "build",
        "--config",
        show / "config" / "podcast.yaml",
        "--episodes",
        show / "episodes",
        "--out",
        show / "public",
        *extra,
    )


def published(run_cli: RunCli, show: Path) -> bytes:
    """Publish the good test show once; returns its feed, which a failed build must leave alone."""
    code, _, err = build(run_cli, show)
    assert code == 0, err
    return (show / "public" / "feed.xml").read_bytes()


def add_episode(show: Path, fixture: Path, name: str | None = None) -> Path:
    target = show / "episodes" / (name or fixture.name)
    shutil.copyfile(fixture, target)
    return target


def assert_clean(err: str) -> None:
    """No traceback and no bare exception name in what the user reads."""
    assert "Traceback" not in err
    for line in err.splitlines():
        assert not re.search(r"\b(?:[A-Z]\w*Error|[A-Z]\w*Exception)\b", line), line
