"""``python -m feedtool`` behaves exactly like the ``feedtool`` console script and ``cli.main``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

from feedtool import __version__, cli

CONSOLE_SCRIPT = Path(sys.executable).with_name("feedtool")
# what the console script runs, for an environment where the package is on the path but not installed
ENTRY_POINT = [sys.executable, "-c", "import sys; from feedtool.cli import main; sys.exit(main())"]


def console() -> list[str]:
    return [str(CONSOLE_SCRIPT)] if CONSOLE_SCRIPT.exists() else ENTRY_POINT


def run(command: list[str], args: list[str], cwd: Path) -> tuple[int, str, str]:
    proc = subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def test_version_is_the_same_three_ways(tmp_path, capsys):
    as_module = run([sys.executable, "-m", "feedtool"], ["--version"], tmp_path)
    assert as_module == (0, f"feedtool {__version__}\n", "")
    assert run(console(), ["--version"], tmp_path) == as_module
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == as_module[1]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["build", "--config", "config/podcast.yaml", "--episodes", "episodes", "--out", "public"], 0),
        (["build", "--config", "config/podcast.yaml", "--episodes", "bad", "--out", "public", "-q"], 1),
        (["build", "--config", "missing.yaml"], 2),
        (["no-such-command"], 2),
    ],
    ids=["published", "failed", "config-missing", "usage"],
)
def test_build_is_the_same_as_the_console_script(tmp_path, args, code):
    """Same exit code, same output and, when it publishes, the same files: each in its own copy of the
    fixture show, with relative paths so that the output can be compared byte for byte."""
    results, feeds = [], []
    for name, command in (("module", [sys.executable, "-m", "feedtool"]), ("script", console())):
        show = tmp_path / name / "show"
        shutil.copytree(FIXTURES / "show", show)
        shutil.copytree(FIXTURES / "bad", show / "bad")
        results.append(run(command, args, show))
        feed = show / "public" / "feed.xml"
        feeds.append(feed.read_bytes() if feed.exists() else None)
    assert results[0] == results[1]
    assert feeds[0] == feeds[1]
    got, out, err = results[0]
    assert got == code
    if code == 0:
        assert out.startswith("built public/feed.xml: ") and feeds[0] is not None
    elif code == 1:
        assert err.splitlines()[-1].startswith("build failed: ") and feeds[0] is None
    else:
        assert err.startswith(("error: missing.yaml: config file not found", "usage: feedtool "))
