"""Issue 9, cases 12 (a full disk) and 15 (stale temporaries).

A full disk, wherever it strikes, ends in a clear message, the old feed intact
and a state the next run repairs: a full output folder or no room for the
publish record stops the publish before anything changes (exit 1, "nothing was
published"); the episode cache only saves time, so an entry it cannot save is
a warning; the lock holds without room for its holder details.

The disk fills in two ways: a fault injected at a chosen write (the write of
one file raises ENOSPC, as a full disk makes it), and, where this process may
mount, a real 64 KB tmpfs filled up (skipped when mounting is not allowed).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from feedsupport import show_argv

from feedtool import output
from feedtool.cli import main
from feedtool.errors import ExitCode
from feedtool.output import OutputFile, publish

EP1 = "s01e01-first-steps.md"


def build(show: Path, *extra: str, out: Path | None = None) -> int:
    return main(show_argv(show, *extra, out=out))


def edit(show: Path, marker: str = "edited", transcript_lines: int = 0) -> None:
    """Change episode 1, so that a build rewrites its feed item, cache entry and transcripts."""
    path = show / "episodes" / EP1
    text = path.read_text().replace(
        "Jane tells us how she started.", f"Jane tells us how she started ({marker})."
    )
    text = text.replace("Welcome to the show, Jane.", f"Welcome to the show, Jane ({marker}).")
    if transcript_lines:
        extra = "".join(f"- line: Line {n} {'x' * 200}\n  who: Host\n" for n in range(transcript_lines))
        text = text.replace("- header: Wrap-up\n", extra + "- header: Wrap-up\n")
    path.write_text(text)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def temporaries(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.rglob("*.tmp")]


@contextlib.contextmanager
def full_disk_for(monkeypatch, matches: Callable[[str], bool]) -> Iterator[list[str]]:
    """Every write to a file whose path ``matches`` raises ENOSPC, as on a full disk.

    The fault sits at ``os.fdopen``'s file object, under feedtool's writer, so the
    writer's own clean-up runs as it would for a real full disk. Yields the paths hit."""
    hits: list[str] = []
    real = os.fdopen

    class Full:
        def __init__(self, fh, name: str) -> None:
            self._fh, self._name = fh, name

        def write(self, data: bytes) -> int:
            hits.append(self._name)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name: str):
            return getattr(self._fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            self._fh.close()

    def fdopen(fd, *args, **kwargs):
        fh = real(fd, *args, **kwargs)
        name = os.readlink(f"/proc/self/fd/{fh.fileno()}")
        return Full(fh, name) if matches(name) else fh

    monkeypatch.setattr(output.os, "fdopen", fdopen)
    yield hits
    monkeypatch.undo()


# --- case 12 with injected faults: one table, one fixture per place the disk fills ---------------------------

# (case, which writes fail, exit code, what stderr says, the feed is the old one)
FAULTS = [
    (
        "out-feed",
        lambda p: "/public/.feed.xml." in p,
        1,
        ["public/feed.xml", "No space left on device", "nothing was published"],
        True,
    ),
    (
        "out-transcript",
        lambda p: "/public/transcripts/" in p,
        1,
        ["transcripts/s01e01-first-steps", "nothing was published"],
        True,
    ),
    (
        "record",
        lambda p: "/.published.json." in p,
        1,
        [".feedtool/published.json", "No space left on device", "nothing was published"],
        True,
    ),
    (
        "cache",
        lambda p: "/episode-cache/" in p,
        0,
        ["warning: cache: could not save the episode cache", "No space left on device"],
        False,
    ),
]


@pytest.mark.parametrize(("case", "matches", "code", "says", "old_feed"), FAULTS, ids=[f[0] for f in FAULTS])
def test_a_full_disk_at_each_write(show, monkeypatch, capsys, case, matches, code, says, old_feed):
    assert build(show) == 0
    before = snapshot(show / "public")
    record_before = (show / ".feedtool" / "published.json").read_bytes()
    edit(show)
    capsys.readouterr()
    with full_disk_for(monkeypatch, matches) as hits:
        assert build(show) == code
    assert hits, "the fault was never hit"
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for text in says:
        assert text in err, err
    if old_feed:
        assert snapshot(show / "public") == before
        assert (show / ".feedtool" / "published.json").read_bytes() == record_before
        assert "build failed: cannot write" in err
    else:
        assert snapshot(show / "public") != before  # published all the same
    assert not temporaries(show / "public", show / ".feedtool")
    # the next run, with room again, repairs everything
    capsys.readouterr()
    assert build(show) == 0
    assert b"(edited)" in (show / "public" / "feed.xml").read_bytes()
    assert "warning: cache" not in capsys.readouterr().err
    record = json.loads((show / ".feedtool" / "published.json").read_text())
    assert len(record["episodes"]) == 2


def test_the_lock_holds_without_room_for_its_holder_details(show, monkeypatch, capsys):
    from feedtool.publish import lock

    def full(fd, data, offset):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(lock.os, "pwrite", full)
    assert build(show, "--quiet") == 0
    assert "Traceback" not in capsys.readouterr().err
    assert (show / ".feedtool" / "run.lock").read_bytes() == b""  # never half a record


def test_a_record_that_cannot_be_renamed_is_a_warning_and_the_next_run_guards_with_the_feed(
    show, monkeypatch, capsys
):
    """The feed went out but the record rename failed (rare: a rename needs no space): the
    stale record is removed, so the next run guards with the feed just published."""
    assert build(show) == 0
    edit(show)
    real = os.replace

    def failing(src, dst):
        if str(dst).endswith("published.json"):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(src, dst)

    monkeypatch.setattr(output.os, "replace", failing)
    capsys.readouterr()
    assert build(show) == 0
    err = capsys.readouterr().err
    assert "publish record: the publish record could not be updated (Input/output error)" in err
    monkeypatch.undo()
    assert not (show / ".feedtool" / "published.json").exists()
    assert not temporaries(show / ".feedtool")
    (show / "episodes" / "s01e02-markers-only.md").unlink()
    assert build(show) == 1  # still guarded, by the published feed
    assert "removed: 'Markers Only'" in capsys.readouterr().err


def test_publish_names_the_file_it_could_not_write(tmp_path, monkeypatch):
    publish(tmp_path, [OutputFile("feed.xml", b"old")])
    with full_disk_for(monkeypatch, lambda p: ".feed.xml." in p), pytest.raises(OSError) as caught:
        publish(tmp_path, [OutputFile("chapters/a.json", b"{}"), OutputFile("feed.xml", b"new")])
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(tmp_path / "feed.xml")
    assert (tmp_path / "feed.xml").read_bytes() == b"old"
    assert not (tmp_path / "chapters" / "a.json").exists() and not temporaries(tmp_path)


# --- case 12 on a real full disk: a 64 KB tmpfs ----------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(folder: Path, size: str = "64k") -> Iterator[Path]:
    folder.mkdir(parents=True)
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here ({exc}); the fault-injection tests cover the same logic")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False, capture_output=True)


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill ``folder``'s file system, leaving about ``leave`` bytes; returns the filler file."""
    filler = folder / "filler"
    with open(filler, "ab") as fh:
        while True:
            st = os.statvfs(folder)
            room = st.f_bavail * st.f_frsize - leave
            if room <= 0:
                break
            try:
                fh.write(b"\0" * min(room, 4096))
                fh.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
    return filler


def test_a_full_out_folder_on_a_real_disk(show, tmp_path, capsys):
    with tmpfs(tmp_path / "disk") as disk:
        out = disk / "public"
        assert build(show, "--quiet", out=out) == 0
        before = snapshot(out)
        filler = fill(disk)
        edit(show, transcript_lines=5)
        capsys.readouterr()
        assert build(show, "--quiet", out=out) == ExitCode.FAILED
        err = capsys.readouterr().err
        assert "Traceback" not in err and "No space left on device" in err
        assert "nothing was published" in err and str(out) in err
        assert snapshot(out) == before and not temporaries(out)
        filler.unlink()
        assert build(show, "--quiet", out=out) == 0
        assert b"(edited)" in (out / "feed.xml").read_bytes()


def test_a_full_state_folder_on_a_real_disk(show, tmp_path, capsys):
    cfg = show / "config" / "podcast.yaml"
    with tmpfs(tmp_path / "disk") as disk:
        cfg.write_text(cfg.read_text().replace("state_dir: ../.feedtool", f"state_dir: {disk / 'state'}"))
        assert build(show, "--quiet") == 0
        before = snapshot(show / "public")
        filler = fill(disk)
        edit(show, transcript_lines=5)
        capsys.readouterr()
        assert build(show) == ExitCode.FAILED
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert "warning: cache: could not save the episode cache" in err  # a warning, not the reason
        assert f"build failed: cannot write {disk / 'state' / 'published.json'}; nothing was published" in err
        assert snapshot(show / "public") == before and not temporaries(disk)
        filler.unlink()
        assert build(show, "--quiet") == 0
        assert b"(edited)" in (show / "public" / "feed.xml").read_bytes()


def test_a_state_folder_with_room_for_the_record_but_not_the_cache(show, tmp_path, capsys):
    """The cache only saves time: a state disk too full for it still publishes, with a warning."""
    cfg = show / "config" / "podcast.yaml"
    with tmpfs(tmp_path / "disk", size="1m") as disk:
        cfg.write_text(cfg.read_text().replace("state_dir: ../.feedtool", f"state_dir: {disk / 'state'}"))
        assert build(show, "--quiet") == 0
        filler = fill(disk, leave=3 * 4096)  # the lock's details, the record: not a 40 KB cache entry
        edit(show, transcript_lines=150)
        capsys.readouterr()
        assert build(show) == 0
        err = capsys.readouterr().err
        assert "Traceback" not in err and "warning: cache: could not save the episode cache" in err
        assert b"(edited)" in (show / "public" / "feed.xml").read_bytes()
        filler.unlink()
        capsys.readouterr()
        assert build(show) == 0
        assert "could not save" not in capsys.readouterr().err


# --- case 15: stale temporaries of feedtool's own naming are removed by the next run -----------------------

# (case, where the leftover lies, relative to the show)
LEFTOVERS = [
    ("feed", "public/.feed.xml.a1b2c3d4.tmp"),
    ("chapters", "public/chapters/.s01e01-first-steps.json.zz9_xx00.tmp"),
    ("transcripts", "public/transcripts/.s01e01-first-steps.vtt.qwertyui.tmp"),
    ("out-probe", "public/.feedtool-probe.abcdefgh.tmp"),
    ("record", ".feedtool/.published.json.k2j3h4g5.tmp"),
    ("state-probe", ".feedtool/.feedtool-probe.abcdefgh.tmp"),
    ("cache-entry", ".feedtool/episode-cache/.0123456789abcdef0123456789abcdef01234567.entry.abcd1234.tmp"),
]


@pytest.mark.parametrize(("case", "relpath"), LEFTOVERS, ids=[c for c, _ in LEFTOVERS])
def test_a_killed_runs_temporary_is_removed_by_the_next_run(show, case, relpath):
    assert build(show, "--quiet") == 0
    leftover = show / relpath
    leftover.write_bytes(b"half a file")
    edit(show)
    assert build(show, "--quiet") == 0
    assert not leftover.exists()


# files that only look like ours, or are not files: never touched
KEPT = [
    ("user-tmp", "public/.notes.tmp"),
    ("user-name", "public/draft.tmp"),
    ("short-random", "public/.feed.xml.abc.tmp"),
    ("other-state", ".feedtool/.something-else.a1b2c3d4.tmp"),
]


@pytest.mark.parametrize(("case", "relpath"), KEPT, ids=[c for c, _ in KEPT])
def test_other_files_are_never_removed(show, case, relpath):
    assert build(show, "--quiet") == 0
    kept = show / relpath
    kept.write_bytes(b"mine")
    assert build(show, "--quiet") == 0
    assert kept.read_bytes() == b"mine"


def test_a_folder_named_like_a_temporary_is_never_removed(show):
    assert build(show, "--quiet") == 0
    folder = show / "public" / ".feed.xml.a1b2c3d4.tmp"
    folder.mkdir()
    assert build(show, "--quiet") == 0
    assert folder.is_dir()


def test_run_removes_its_reports_temporaries(show, tmp_path):
    from feedtool.config import load_config
    from feedtool.publish.scheduled import scheduled_run

    cfg = show / "config" / "podcast.yaml"
    cfg.write_text(cfg.read_text() + "links:\n  exclude: ['.']\n")  # every link excluded: no request
    reports = tmp_path / "reports"
    reports.mkdir()
    stale = [reports / ".links.json.a1b2c3d4.tmp", reports / ".links.html.zzzzzzzz.tmp"]
    for path in stale:
        path.write_bytes(b"{")
    mine = reports / ".links.json.tmp"
    mine.write_bytes(b"not ours")
    config = load_config(cfg)
    outcome = scheduled_run(
        config, show / "episodes", show / "public", reports_dir=reports, log=lambda _: None
    )
    assert outcome.published and not any(p.exists() for p in stale) and mine.exists()
    assert (reports / "links.json").is_file()


def test_run_reports_on_a_full_disk_are_reported_not_a_traceback(show, tmp_path, monkeypatch, capsys):
    """Sibling of case 12: the feed is out when the reports are written; a full disk there
    is one line per report, the run's exit code unchanged."""
    cfg = show / "config" / "podcast.yaml"
    cfg.write_text(cfg.read_text() + "links:\n  exclude: ['.']\n")  # every link excluded: no request
    reports = tmp_path / "reports"
    with full_disk_for(monkeypatch, lambda p: "/reports/.links." in p):
        code = main(
            [
                "run",
                "--config",
                str(cfg),
                "--episodes",
                str(show / "episodes"),
                "--out",
                str(show / "public"),
                "--reports",
                str(reports),
            ]
        )
    assert code == ExitCode.OK
    out = capsys.readouterr().out
    assert "Traceback" not in out and f"4 report(s) NOT written in {reports}" in out
    assert f"{reports / 'links.json'}: error: reports: cannot write it: No space left on device" in out
    assert (show / "public" / "feed.xml").is_file() and not temporaries(reports)
