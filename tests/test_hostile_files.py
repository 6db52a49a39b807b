"""Issue 9, cases 9, 10 and 13: what sits in the episodes folder or at an input's path.

File names that cannot name published files, pipes and devices (which hung or filled the
memory), folders and links that are no episode file (skipped silently), an unreadable
folder, and files or show notes too big for a feed: each a problem naming the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostilesupport import assert_clean, build, published

from feedtool.model import Severity
from feedtool.read import inputfile
from feedtool.read.episodes import MAX_TEXT_CHARS, read_episode, read_episodes

GOOD = "s01e02-markers-only.md"


def _copy_of_good(show: Path, name: str | bytes) -> Path:
    """A valid episode under ``name`` (bytes: a name that is not UTF-8), with its own guid."""
    folder = os.fsencode(show / "episodes")
    target = os.path.join(folder, name if isinstance(name, bytes) else os.fsencode(name))
    text = (
        (show / "episodes" / GOOD).read_text().replace("title: Markers Only", "title: Copy\nguid: copy-guid")
    )
    text = text.replace("def456", "copy456").replace("episode: 2", "episode: 3")
    with open(target, "w", encoding="utf-8") as fh:
        fh.write(text)
    return Path(os.fsdecode(target))


# (case, file name, what the error says)
NAME_CASES = [
    ("not-utf-8", b"bad-\xff\xfe-name.md", "the file name is not valid UTF-8: rename the file"),
    (
        "250-characters",
        "x" * 247 + ".md",
        "the file name is too long to publish: its slug is 247 bytes, at most 200",
    ),
]


@pytest.mark.parametrize(("name", "message"), [c[1:] for c in NAME_CASES], ids=[c[0] for c in NAME_CASES])
def test_a_file_name_that_cannot_name_published_files_is_an_error_naming_it(run_cli, show, name, message):
    old_feed = published(run_cli, show)
    path = _copy_of_good(show, name)
    code, _, err = build(run_cli, show)
    assert code == 1, err
    assert_clean(err)
    shown = os.fsencode(path).decode("utf-8", "backslashreplace")  # bytes that are no UTF-8 as \\xff
    assert f"{shown}: error: file: {message}" in err
    assert (show / "public" / "feed.xml").read_bytes() == old_feed
    code, out, err = build(run_cli, show, "--skip-invalid")
    assert code == 0, err
    assert "1 left out with errors" in out


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _chapters(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``feedtool chapters`` in its own process, with a deadline: a pipe used to hang it."""
    return subprocess.run(
        [sys.executable, "-m", "feedtool", "chapters", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: _fifo(tmp / "pipe.md"), "cannot read: it is a named pipe (FIFO), not a regular file"),
        (lambda tmp: Path("/dev/zero"), "cannot read: it is a device, not a regular file"),
        (lambda tmp: tmp, "cannot read: it is a folder, not a regular file"),
    ],
    ids=["fifo", "dev-zero", "folder"],
)
def test_chapters_reads_only_regular_files(tmp_path, make, message):
    path = make(tmp_path)
    started = time.perf_counter()
    result = _chapters(path)
    assert time.perf_counter() - started < 20
    assert result.returncode == 1, result.stderr
    assert f"{path}: error: file: {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_input_larger_than_the_cap_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "huge.md"
    path.write_bytes(
        b"---\ntitle: Huge\ndateadded: 2021-03-01\n---\n" + b"x" * (inputfile.MAX_INPUT_BYTES + 1)
    )
    started = time.perf_counter()
    episode, problems = read_episode(path)
    assert time.perf_counter() - started < 1.0
    assert episode is None
    (problem,) = problems
    assert (problem.path, problem.field) == (str(path), "file")
    assert problem.message == "cannot read: it is 10.0 MB, more than the 10.0 MB feedtool reads from one file"


@pytest.mark.parametrize(
    ("where", "line_of_field"),
    [("body", "---\nNotes"), ("intro", "intro:")],
)
def test_text_too_long_for_a_feed_item_is_an_error_naming_file_line_and_field(tmp_path, where, line_of_field):
    """A 50 MB body ended in libxml2's "CData section too big" after 37 s, naming no file."""
    path = tmp_path / "long.md"
    long = "y" * (MAX_TEXT_CHARS + 1)
    head = "---\ntitle: Long\ndateadded: 2021-03-01\n"
    path.write_text(
        head + f"intro: {long}\n---\nNotes\n" if where == "intro" else head + "---\n" + long + "\n"
    )
    started = time.perf_counter()
    episode, problems = read_episode(path)
    assert time.perf_counter() - started < 5.0
    assert episode is None
    (problem,) = problems
    assert (problem.field, problem.line) == (where, 4 if where == "intro" else 5)
    assert f" characters, more than the {MAX_TEXT_CHARS:,} a feed item can carry" in problem.message


# --- the episodes folder: entries that are no episode file, and a folder that cannot be listed


def _dangling(folder: Path) -> Path:
    (folder / "gone.md").symlink_to(folder / "nowhere.md")
    return folder / "gone.md"


def _loop(folder: Path) -> Path:
    (folder / "loop.md").symlink_to(folder / "loop.md")
    return folder / "loop.md"


def _folder(folder: Path) -> Path:
    (folder / "notes.md").mkdir()
    return folder / "notes.md"


NOT_FILES = [
    ("dangling-link", _dangling, "a symbolic link to '{folder}/nowhere.md', which does not exist"),
    ("link-loop", _loop, "a symbolic link loop (the link points back at itself)"),
    ("fifo", lambda folder: _fifo(folder / "pipe.md"), "a named pipe (FIFO), not an episode file"),
    ("folder", _folder, "a folder, not an episode file"),
]


@pytest.mark.parametrize(("make", "reason"), [c[1:] for c in NOT_FILES], ids=[c[0] for c in NOT_FILES])
def test_an_entry_that_is_no_episode_file_is_listed_as_skipped_with_the_reason(run_cli, show, make, reason):
    folder = show / "episodes"
    path = make(folder)
    reason = reason.format(folder=folder)
    started = time.perf_counter()
    code, _out, err = build(run_cli, show)
    assert time.perf_counter() - started < 20
    assert code == 0, err
    assert f"{path}: warning: file: skipped: {reason}" in err
    read = read_episodes(folder)
    assert [(s.path.name, s.reason) for s in read.skipped if s.path == path] == [(path.name, reason)]


def test_an_episodes_folder_that_cannot_be_listed_is_an_error_and_nothing_is_published(
    run_cli, show, monkeypatch
):
    """Simulated (root reads every folder): the listing raises as it does for another user."""
    old_feed = published(run_cli, show)
    real_scandir = os.scandir

    def refuse(path):
        if Path(path) == show / "episodes":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    for extra in ((), ("--skip-invalid",)):
        code, _, err = build(run_cli, show, *extra)
        assert code == 1, err
        assert_clean(err)
        assert f"{show / 'episodes'}: error: episodes: cannot list the folder: Permission denied" in err
        assert (show / "public" / "feed.xml").read_bytes() == old_feed


@pytest.mark.skipif(os.geteuid() == 0, reason="root can list a folder without read permission")
def test_an_episodes_folder_without_read_permission_is_an_error(show):
    folder = show / "episodes"
    folder.chmod(0o300)
    try:
        read = read_episodes(folder)
    finally:
        folder.chmod(0o755)
    (problem,) = read.problems
    assert problem.field == "episodes" and "cannot list the folder" in problem.message


def test_a_guest_profile_that_is_a_pipe_is_an_error_naming_it(run_cli, show):
    profile = show / "people" / "janedoe.md"
    profile.unlink()
    _fifo(profile)
    code, _, err = build(run_cli, show)
    assert code == 1, err
    assert f"{profile}: error: file: cannot read: it is a named pipe (FIFO), not a regular file" in err


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_fifo, "it is a named pipe (FIFO), not a regular file"),
        (lambda path: path.symlink_to("/dev/zero"), "it is a device, not a regular file"),
    ],
    ids=["fifo", "dev-zero"],
)
def test_a_config_or_media_yaml_that_is_no_file_is_a_usage_error(run_cli, show, make, reason):
    media = show / "episodes" / "media.yaml"
    make(media)
    code, _, err = build(run_cli, show)
    assert code == 2 and f"{media}: error: file: cannot read: {reason}" in err, err
    media.unlink()

    config = show / "config" / "podcast.yaml"
    config.unlink()
    make(config)
    code, _, err = build(run_cli, show)
    assert code == 2 and err == f"error: {config}: cannot read the config: {reason}\n"


def test_read_input_reads_a_regular_file_and_a_link_to_one(tmp_path):
    (tmp_path / "a.md").write_bytes(b"hello")
    (tmp_path / "b.md").symlink_to(tmp_path / "a.md")
    assert inputfile.read_input(tmp_path / "b.md") == b"hello"
    with pytest.raises(FileNotFoundError):
        inputfile.read_input(tmp_path / "missing.md")
    with pytest.raises(inputfile.UnreadableFile, match="more than the 4 bytes"):
        inputfile.read_input(tmp_path / "a.md", limit=4)


def test_a_profile_that_is_not_utf8_is_a_warning_not_a_traceback(tmp_path):
    from feedtool.read.people import load_person

    (tmp_path / "jane.md").write_bytes(b"---\ntitle: Jan\xe9\n---\n")
    person, problems = load_person(tmp_path, "jane")
    assert person is None
    (problem,) = problems
    assert problem.severity is Severity.WARNING and "not valid UTF-8 (byte 14)" in problem.message
