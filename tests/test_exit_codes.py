"""One vocabulary for exit codes: ``ExitCode``, errors defined in one module, one mapping in the CLI."""

from __future__ import annotations

import importlib
import io
import pkgutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import feedtool
from feedtool import cli, errors
from feedtool.commands import validate as validate_command
from feedtool.errors import (
    BuildFailed,
    ConfigError,
    ExitCode,
    FeedtoolError,
    LockBusy,
    MediaManifestError,
    PublishBlocked,
    SourceError,
    UsageError,
)
from feedtool.model import Problem, Severity
from feedtool.publish import lock
from feedtool.publish.lock import LockHolder
from feedtool.publish.scheduled import RunOutcome


def test_exit_code_values():
    assert {c.name: int(c) for c in ExitCode} == {
        "OK": 0,
        "FAILED": 1,
        "USAGE": 2,
        "LOCKED": 3,
        "LINKS_BROKEN": 4,
        "INCONCLUSIVE": 5,
        "INTERRUPTED": 130,
        "BROKEN_PIPE": 141,
    }
    assert f"{ExitCode.LINKS_BROKEN}" == "4"  # printed as the number (``run: ... (exit 4)``)


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_all_subclasses(sub)}
    return found


def test_every_feedtool_error_is_defined_in_feedtool_errors_with_an_exit_code():
    for info in pkgutil.walk_packages(feedtool.__path__, "feedtool."):
        if info.name != "feedtool.__main__":
            importlib.import_module(info.name)
    subclasses = _all_subclasses(FeedtoolError)
    assert {
        ConfigError,
        UsageError,
        BuildFailed,
        PublishBlocked,
        LockBusy,
        SourceError,
        MediaManifestError,
    } <= subclasses
    for cls in subclasses:
        assert cls.__module__ == "feedtool.errors", f"{cls.__qualname__} is defined in {cls.__module__}"
        assert isinstance(cls.exit_code, ExitCode), cls


def _report(exc, **kw) -> tuple[ExitCode, str]:
    stream = io.StringIO()
    code = cli.report_error(exc, stream=stream, **kw)
    return code, stream.getvalue()


HOLDER = LockHolder(pid=4242, host="box", started=None, command="feedtool run")
WARNING = Problem("ep.md", "guid", "no guid", 3, Severity.WARNING)
ERROR = Problem("ep.md", "title", "is required")


@pytest.mark.parametrize(
    ("exc", "code", "text"),
    [
        (ConfigError("c.yaml: bad", [ERROR]), 2, "error: c.yaml: bad\n  ep.md: error: title: is required\n"),
        (UsageError("x: not found"), 2, "error: x: not found\n"),
        (SourceError("feed.xml: no such file"), 2, "error: feed.xml: no such file\n"),
        (
            MediaManifestError(Path("media.yaml"), (ERROR,)),
            2,
            "error: media.yaml: the media manifest has 1 problem(s); fix or delete it and run "
            "`feedtool import-media` again:\n  ep.md: error: title: is required\n",
        ),
        (
            LockBusy(Path("s/run.lock"), HOLDER, 0),
            3,
            "error: another feedtool run holds the lock s/run.lock: pid 4242 on box, running: feedtool run. "
            "The lock is released when that run ends (even if it crashes); wait for it, or retry later.\n",
        ),
        (
            BuildFailed("1 error(s); nothing was published", [WARNING, ERROR]),
            1,
            "ep.md: error: title: is required\nep.md:3: warning: guid: no guid\n"
            "build failed: 1 error(s); nothing was published\n",
        ),
        (
            PublishBlocked("1 change(s) would hurt subscribers; nothing was published", [ERROR]),
            1,
            "ep.md: error: title: is required\n"
            "build failed: 1 change(s) would hurt subscribers; nothing was published\n",
        ),
        (KeyboardInterrupt(), 130, "interrupted\n"),
    ],
)
def test_report_error_maps_each_exception_to_its_message_and_code(exc, code, text):
    got_code, got_text = _report(exc)
    assert (got_code, got_text) == (code, text)
    assert isinstance(got_code, ExitCode)


def test_report_error_can_leave_out_a_failed_builds_warnings():
    failed = BuildFailed("1 error(s); nothing was published", [WARNING, ERROR])
    assert _report(failed, warnings=False) == (
        ExitCode.FAILED,
        "ep.md: error: title: is required\nbuild failed: 1 error(s); nothing was published\n",
    )


def test_main_maps_what_a_handler_raises(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(validate_command, "run", interrupted)
    assert cli.main(["validate", "feed.xml"]) is ExitCode.INTERRUPTED
    assert capsys.readouterr().err == "interrupted\n"

    def busy(args):
        raise LockBusy(Path("run.lock"), HOLDER, 1.5)

    monkeypatch.setattr(validate_command, "run", busy)
    assert cli.main(["validate", "feed.xml"]) is ExitCode.LOCKED
    assert capsys.readouterr().err.startswith("error: another feedtool run holds the lock run.lock after ")


def test_main_returns_the_handlers_code_and_usage_without_a_command(capsys, tmp_path):
    missing = tmp_path / "missing.xml"
    assert cli.main(["validate", str(missing)]) is ExitCode.USAGE
    assert capsys.readouterr().err == f"error: cannot read {missing}: No such file or directory\n"
    assert cli.main([]) is ExitCode.USAGE
    assert capsys.readouterr().err.startswith("usage: feedtool ")


def test_build_quiet_hides_a_failed_builds_warnings(show, capsys):
    bad = show / "episodes" / "s01e03-broken.md"
    bad.write_text("---\ntitle: Broken\nseason: 0\n---\nno date, a bad season\n", encoding="utf-8")
    argv = ["build", "--config", str(show / "config" / "podcast.yaml"), "--episodes", str(show / "episodes")]
    argv += ["--out", str(show / "public"), "--no-cache"]
    assert cli.main(argv) is ExitCode.FAILED
    loud = capsys.readouterr().err
    assert cli.main([*argv, "--quiet"]) is ExitCode.FAILED
    quiet = capsys.readouterr().err
    assert ": warning: " in loud and ": warning: " not in quiet
    assert loud.endswith("; nothing was published\n") and quiet.splitlines()[-1] == loud.splitlines()[-1]
    assert quiet.splitlines()[-1].startswith("build failed: ")
    assert not (show / "public" / "feed.xml").exists()


def test_run_outcome_exit_codes():
    assert RunOutcome((), published=False).exit_code is ExitCode.FAILED
    assert RunOutcome((), published=False, confirmed_broken=2).exit_code is ExitCode.FAILED
    assert RunOutcome((), published=True).exit_code is ExitCode.OK
    assert RunOutcome((), published=True, confirmed_broken=1).exit_code is ExitCode.LINKS_BROKEN


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["/venv/bin/feedtool", "run", "--wait", "5"], "feedtool run --wait 5"),
        (["/site-packages/feedtool/__main__.py", "build"], "feedtool build"),  # python -m feedtool
        (["-c"], "-c"),
        ([""], None),
        ([], None),
    ],
)
def test_lock_holder_command_line(monkeypatch, argv, command):
    monkeypatch.setattr(sys, "argv", argv)
    assert lock._command_line() == command


def test_lock_records_the_command_line(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "argv", ["/x/feedtool/__main__.py", "run"])
    path = lock.lock_path(tmp_path)
    with lock.acquire(path) as me:
        assert me.command == "feedtool run"
        assert lock.read_holder(path).command == "feedtool run"
        assert me.started is not None and me.started <= datetime.now(UTC)


def test_errors_module_stays_a_leaf():
    """errors.py is imported by the CLI's start-up and the no-change fast path: it imports nothing
    of feedtool's at run time (Problem and LockHolder are type hints)."""
    source = Path(errors.__file__).read_text(encoding="utf-8")
    top_level_imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert [line for line in top_level_imports if "feedtool" in line] == []
