"""The no-change fast path: the same answer as the full build, without its work."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from feedtool.publish import build as build_module
from feedtool.publish import fastpath


def args(show: Path, *extra: str) -> list[str]:
    return ["build", "--config", str(show / "config" / "podcast.yaml"), "--episodes", str(show / "episodes"),
            "--out", str(show / "public"), *extra]  # fmt: skip


@pytest.fixture
def counted(monkeypatch) -> list[int]:
    """How many times the full build ran (prepare_build is its first step)."""
    calls: list[int] = []
    real = build_module.prepare_build

    def prepare(*a, **kw):
        calls.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(build_module, "prepare_build", prepare)
    return calls


def test_a_rebuild_with_nothing_changed_prints_what_the_full_build_prints(show, run_cli, counted):
    assert run_cli(*args(show))[0] == 0  # cold: writes the outputs and the manifest
    (show / ".feedtool" / fastpath.MANIFEST_FILE).unlink()
    full = run_cli(*args(show))  # a full no-change rebuild (no manifest), which writes it again
    assert len(counted) == 2 and (show / ".feedtool" / fastpath.MANIFEST_FILE).is_file()
    fast = run_cli(*args(show))
    assert len(counted) == 2, "the fast path ran the build"
    assert fast == full and "0 file(s) written" in fast[1]
    for extra in (["--quiet"], ["--check"], ["--check", "--quiet"]):
        fast = run_cli(*args(show, *extra))
        (show / ".feedtool" / fastpath.MANIFEST_FILE).rename(show / "manifest")
        calls = len(counted)
        assert run_cli(*args(show, *extra)) == fast and len(counted) == calls + 1, extra
        (show / "manifest").rename(show / ".feedtool" / fastpath.MANIFEST_FILE)


@pytest.mark.parametrize(
    "change",
    [
        lambda show: (show / "episodes" / "s01e01-first-steps.md").write_text(
            (show / "episodes" / "s01e01-first-steps.md").read_text() + "\nMore.\n"
        ),
        lambda show: (show / "episodes" / "new-file.md").write_text("---\ntitle: x\n---\n"),
        lambda show: (show / "people" / "janedoe.md").write_text(
            (show / "people" / "janedoe.md").read_text() + "\nBio.\n"
        ),
        lambda show: (show / "config" / "podcast.yaml").write_text(
            (show / "config" / "podcast.yaml").read_text() + "\n# a comment\n"
        ),
        lambda show: (show / "public" / "feed.xml").write_bytes(b"hand-edited"),
        lambda show: next((show / "public" / "chapters").iterdir()).unlink(),
        lambda show: (show / ".feedtool" / "published.json").unlink(),
    ],
    ids=["episode", "new-file", "profile", "config", "edited-output", "deleted-output", "record"],
)
def test_any_change_runs_the_full_build(show, run_cli, counted, change):
    run_cli(*args(show))
    run_cli(*args(show))
    before = len(counted)
    change(show)
    time.sleep(0.01)
    run_cli(*args(show))
    assert len(counted) == before + 1


def test_check_reports_an_out_of_date_output_through_the_full_build(show, run_cli, counted):
    run_cli(*args(show))
    (show / "public" / "feed.xml").write_bytes(b"old")
    code, out, _ = run_cli(*args(show, "--check"))
    assert code == 1 and "out of date" in out


def test_options_it_does_not_know_and_foreign_manifests_take_the_full_build(show, run_cli, counted):
    run_cli(*args(show))
    for extra in (["--dry-run"], ["--no-cache"], ["--allow-removal"], ["--wait", "1"]):
        before = len(counted)
        run_cli(*args(show, *extra))
        assert len(counted) == before + 1, extra
    manifest = show / ".feedtool" / fastpath.MANIFEST_FILE
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "format": 0}))
    before = len(counted)
    run_cli(*args(show))
    assert len(counted) == before + 1
    manifest.write_text("{not json")
    run_cli(*args(show))
    assert len(counted) == before + 2


def test_a_future_episode_ends_the_manifest_when_its_date_comes(show, run_cli, counted):
    run_cli(*args(show))
    manifest = show / ".feedtool" / fastpath.MANIFEST_FILE
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "valid_until": time.time() - 1}))
    before = len(counted)
    run_cli(*args(show))
    assert len(counted) == before + 1


def test_state_dir_is_read_without_yaml(tmp_path, monkeypatch):
    config = tmp_path / "c" / "podcast.yaml"
    config.parent.mkdir()
    config.write_text("title: x\nstate_dir: ../state  # here\n")
    assert fastpath.locate_state_dir(config) == (tmp_path / "state").resolve()
    config.write_text("title: x\n")
    monkeypatch.chdir(tmp_path)
    assert fastpath.locate_state_dir(config) == tmp_path / ".feedtool"
    for odd in ("state_dir: 'quoted'\n", "state_dir: >\n  folded\n", "state_dir: a\nstate_dir: b\n"):
        config.write_text(odd)
        assert fastpath.locate_state_dir(config) is None, odd


def test_the_fast_path_imports_nothing_heavy(show, run_cli):
    """Not the parsers, and not feedtool's own model (a dozen dataclasses, about a millisecond
    each to create) or the output writer (tempfile): a no-change run is mostly start-up."""
    run_cli(*args(show))
    probe = (
        "import sys; from feedtool.cli import main; code = main(sys.argv[1:]); "
        "heavy = [m for m in ('yaml', 'lxml', 'feedgen', 'markdown_it', 'requests', "
        "'feedtool.model', 'feedtool.output', 'tempfile', 'socket') if m in sys.modules]; "
        "print(code, heavy)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, *args(show)], capture_output=True, text=True, check=True
    )
    assert proc.stdout.splitlines()[-1] == "0 []"


def test_a_full_build_loads_only_what_the_show_uses(show):
    """A show without a host feed, local media files or WebSub/Podping hubs (the test show) never
    loads the host-feed matcher, mutagen, urllib.request (http.client, ssl, email) or the
    probes' thread pool: start-up is a fifth of a one-episode rebuild."""
    probe = (
        "import sys; from feedtool.cli import main; code = main(sys.argv[1:]); "
        "loaded = [m for m in ('feedtool.media.hostfeed', 'feedtool.media.match', 'mutagen', "
        "'urllib.request', 'http.client', 'concurrent.futures') if m in sys.modules]; "
        "print(code, loaded)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, *args(show, "--offline")], capture_output=True, text=True, check=True
    )
    assert proc.stdout.splitlines()[-1] == "0 []", proc.stderr


def test_an_episode_saved_while_the_build_runs_is_built_by_the_next_run(show, run_cli, monkeypatch):
    """The manifest describes the inputs the build read, not those on disk when it ended: a file
    saved in between (an editor, a git pull beside cron) must not pass for built."""
    episode = show / "episodes" / "s01e01-first-steps.md"
    real = build_module.prepare_build

    def prepare_then_edit(*a, **kw):
        output = real(*a, **kw)
        if not episode.read_text().endswith("Saved during the build.\n"):
            episode.write_text(episode.read_text() + "\nSaved during the build.\n")
        return output

    monkeypatch.setattr(build_module, "prepare_build", prepare_then_edit)
    assert run_cli(*args(show))[0] == 0
    monkeypatch.setattr(build_module, "prepare_build", real)
    code, out, _ = run_cli(*args(show))
    assert code == 0 and "1 parsed" in out, out  # the full build ran, and read the edit
    assert "Saved during the build." in (show / "public" / "feed.xml").read_text()
