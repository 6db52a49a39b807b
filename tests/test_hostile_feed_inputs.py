"""A feed given as a file path is read only when it is a regular file (issue 9's FIFO case, for
``validate``, ``diff`` and ``import-media``): a named pipe would block the command for ever."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from feedtool.cli import main


@pytest.fixture
def pipe(tmp_path: Path) -> Path:
    fifo = tmp_path / "feed.xml"
    os.mkfifo(fifo)
    return fifo


def _run_bounded(argv: list[str]) -> int:
    """main(argv) in a thread; fails the test instead of hanging it when the command blocks."""
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(main(argv)), daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():
        with open(argv[-1], "wb"):  # unblock the reader so the thread can end
            pass
        pytest.fail(f"feedtool {' '.join(argv)} blocked on a named pipe")
    return result[0]


@pytest.mark.parametrize(
    "argv",
    [
        lambda pipe, tmp: ["validate", str(pipe)],
        lambda pipe, tmp: ["diff", str(pipe), str(pipe)],
        lambda pipe, tmp: ["import-media", "--episodes", str(tmp), "--dry-run", str(pipe)],
    ],
    ids=["validate", "diff", "import-media"],
)
def test_a_named_pipe_as_a_feed_is_refused_at_once(pipe, tmp_path, capsys, argv):
    (tmp_path / "episodes").mkdir()
    code = _run_bounded(argv(pipe, tmp_path / "episodes"))
    assert code == 2
    err = capsys.readouterr().err
    assert "named pipe" in err and "Traceback" not in err
