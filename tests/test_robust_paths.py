"""Issue 9, cases 11 (the output and state folders) and 22 (a missing episodes folder).

A folder that feedtool cannot use is an input to fix: exit 2 (``ExitCode.USAGE``)
with one ``error:`` line naming the path and saying what to do, never a
traceback, and never a half-done run (the published feed stays as it was).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from feedtool.cli import main
from feedtool.errors import ExitCode


def cli(show: Path, command: str, *extra: str, out: Path | None = None) -> int:
    args = [command, "--config", str(show / "config" / "podcast.yaml"), "--episodes", str(show / "episodes")]
    if command in ("build", "run"):
        args += ["--out", str(out or show / "public")]
    if command == "run":
        args.append("--skip-links")
    return main([*args, *extra])


def set_state_dir(show: Path, state: str) -> None:
    cfg = show / "config" / "podcast.yaml"
    text = cfg.read_text().replace("state_dir: ../.feedtool", f"state_dir: {state}")
    cfg.write_text(text)


def one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    return lines[0]


@contextlib.contextmanager
def read_only_mount(folder: Path) -> Iterator[Path]:
    """A tmpfs mounted read-only at ``folder``: read-only even for root. Skips without mount rights."""
    folder.mkdir(parents=True)
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a read-only tmpfs here ({exc})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False, capture_output=True)


# --- case 11: state_dir -----------------------------------------------------------------------------------

# (case, the state_dir value given a tmp_path, what the one line says)
STATE_DIRS = [
    ("a-file", lambda tmp: _file(tmp / "statefile"), "it is a file, not a folder"),
    ("inside-a-file", lambda tmp: str(Path(_file(tmp / "statefile")) / "sub"), "is a file, not a folder"),
    ("proc", lambda tmp: "/proc", "cannot write there"),
    ("inside-proc", lambda tmp: "/proc/feedtool-state", "cannot write there (in /proc)"),
    ("inside-sys", lambda tmp: "/sys/feedtool-state", "cannot write there (in /sys)"),
    ("dev-null", lambda tmp: "/dev/null", "it is a character device, not a folder"),
]


def _file(path: Path) -> str:
    path.write_text("not a folder\n")
    return str(path)


@pytest.mark.parametrize("command", ["build", "run"])
@pytest.mark.parametrize(("case", "make", "says"), STATE_DIRS, ids=[c for c, _, _ in STATE_DIRS])
def test_an_unusable_state_dir_is_one_usage_error(show, tmp_path, capsys, command, case, make, says):
    state = make(tmp_path)
    set_state_dir(show, state)
    assert cli(show, command) == ExitCode.USAGE
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(f"error: {state}: cannot use it as the state folder: "), line
    assert says in line and "set state_dir: in the config" in line, line
    assert not (show / "public").exists()


@pytest.mark.parametrize(("case", "make"), [c[:2] for c in STATE_DIRS], ids=[c for c, _, _ in STATE_DIRS])
def test_links_with_an_unusable_state_dir_is_one_usage_error(show, tmp_path, capsys, case, make):
    """``links`` takes no lock: opening the history (in the state folder by default) says what is wrong."""
    state = make(tmp_path)
    set_state_dir(show, state)
    assert cli(show, "links") == ExitCode.USAGE
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(f"error: {state}"), line
    assert "cannot open the link history database" in line and "set links.history" in line, line


def test_a_state_dir_on_a_read_only_mount_is_one_usage_error(show, tmp_path, capsys):
    with read_only_mount(tmp_path / "ro") as ro:
        set_state_dir(show, str(ro / "state"))
        assert cli(show, "build") == ExitCode.USAGE
        line = one_error_line(capsys.readouterr().err)
        assert "cannot write there" in line and "Read-only file system" in line, line


# --- case 11: --out -----------------------------------------------------------------------------------------

OUTS = [
    ("a-file", lambda tmp: _file(tmp / "outfile"), "it is a file, not a folder"),
    ("inside-a-file", lambda tmp: str(Path(_file(tmp / "outfile")) / "public"), "is a file, not a folder"),
    ("dev-null", lambda tmp: "/dev/null", "it is a character device, not a folder"),
    ("sys", lambda tmp: "/sys", "cannot write there: Permission denied"),
    ("inside-sys", lambda tmp: "/sys/feedtool-public", "cannot write there (in /sys)"),
    ("inside-proc", lambda tmp: "/proc/feedtool-public", "cannot write there (in /proc)"),
]


@pytest.mark.parametrize("command", ["build", "run"])
@pytest.mark.parametrize(("case", "make", "says"), OUTS, ids=[c for c, _, _ in OUTS])
def test_an_unusable_out_is_one_usage_error(show, tmp_path, capsys, command, case, make, says):
    out = Path(make(tmp_path))
    assert cli(show, command, out=out) == ExitCode.USAGE
    captured = capsys.readouterr()
    err = captured.err
    if command == "run":  # the run's header line goes to stdout, the error to stderr
        assert "build:" not in captured.out
    line = one_error_line(err)
    assert line.startswith(f"error: {out}: cannot use it as the output folder: "), line
    assert says in line and "pass --out DIR" in line, line


@pytest.mark.parametrize(("case", "make", "says"), OUTS[:3], ids=[c for c, _, _ in OUTS[:3]])
def test_a_dry_run_refuses_an_out_that_is_not_a_folder(show, tmp_path, capsys, case, make, says):
    out = Path(make(tmp_path))
    assert cli(show, "build", "--dry-run", out=out) == ExitCode.USAGE
    assert says in one_error_line(capsys.readouterr().err)


def test_an_out_on_a_read_only_mount_is_one_usage_error(show, tmp_path, capsys):
    """Root writes folders without write permission, but not a read-only mount: the check
    tries a write rather than reading permission bits, so it holds for root too."""
    with read_only_mount(tmp_path / "ro") as ro:
        for out in (ro, ro / "public"):
            assert cli(show, "build", out=out) == ExitCode.USAGE
            line = one_error_line(capsys.readouterr().err)
            assert f"error: {out}: cannot use it as the output folder" in line
            assert "Read-only file system" in line, line


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a folder without write permission")
def test_an_out_without_write_permission_is_one_usage_error(show, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert cli(show, "build", out=locked) == ExitCode.USAGE
        assert "Permission denied" in one_error_line(capsys.readouterr().err)
    finally:
        locked.chmod(0o755)


def test_a_usable_out_is_created_and_the_probe_leaves_nothing(show, tmp_path):
    out = tmp_path / "new" / "deep" / "public"
    assert cli(show, "build", "--quiet", out=out) == ExitCode.OK
    assert (out / "feed.xml").is_file()
    assert not [p for p in tmp_path.rglob("*") if "probe" in p.name]


def test_an_unusable_out_leaves_the_published_feed(show, tmp_path, capsys):
    assert cli(show, "build", "--quiet") == ExitCode.OK
    before = (show / "public" / "feed.xml").read_bytes()
    (show / "public" / "chapters").rename(tmp_path / "chapters")
    (show / "public" / "chapters").write_text("a file where the chapters folder was\n")
    capsys.readouterr()
    assert cli(show, "build", "--quiet") == ExitCode.FAILED
    err = capsys.readouterr().err
    assert "Traceback" not in err and "nothing was published" in err
    assert f"{show / 'public' / 'chapters'}" in err
    assert (show / "public" / "feed.xml").read_bytes() == before


# --- case 22: a missing episodes folder is a usage error everywhere ----------------------------------------

MISSING = [
    ("build", ()),
    ("build", ("--check",)),
    ("build", ("--dry-run",)),
    ("run", ()),
    ("links", ()),
]


@pytest.mark.parametrize(("command", "extra"), MISSING, ids=[" ".join((c, *e)) for c, e in MISSING])
@pytest.mark.parametrize("what", ["missing", "a-file"])
def test_an_episodes_folder_that_is_not_there_exits_2(show, capsys, command, extra, what):
    folder = show / "episodes"
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    if what == "a-file":
        folder.write_text("not a folder\n")
    assert cli(show, command, *extra) == ExitCode.USAGE
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(f"error: {folder}: "), line
    assert "pass --episodes DIR" in line or "episodes folder not found" in line


def test_import_media_with_a_missing_episodes_folder_exits_2(tmp_path, capsys):
    feed = tmp_path / "host.xml"
    feed.write_text("<rss><channel></channel></rss>")
    assert main(["import-media", str(feed), "--episodes", str(tmp_path / "nope")]) == ExitCode.USAGE
    assert "episodes folder not found" in one_error_line(capsys.readouterr().err)


def test_chapters_of_a_missing_file_exits_2(tmp_path, capsys):
    assert main(["chapters", str(tmp_path / "nope.md")]) == ExitCode.USAGE
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(f"error: {tmp_path / 'nope.md'}: ") and "not found" in line
