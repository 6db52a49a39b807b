import os
import threading
from pathlib import Path

import pytest

from feedtool import output
from feedtool.output import OutputFile, atomic_write, publish


def test_atomic_write_skips_identical_content(tmp_path):
    path = tmp_path / "a.txt"
    assert atomic_write(path, b"one") is True
    os.utime(path, (1_000_000, 1_000_000))
    assert atomic_write(path, b"one") is False
    assert path.stat().st_mtime == 1_000_000
    assert atomic_write(path, b"two") is True and path.read_bytes() == b"two"


def test_publish_writes_changed_files_and_feed_last(tmp_path, monkeypatch):
    order = []
    real_replace = os.replace
    monkeypatch.setattr(
        output.os, "replace", lambda a, b: (order.append(os.path.basename(b)), real_replace(a, b))
    )
    files = [
        OutputFile("feed.xml", b"<rss/>"),
        OutputFile("chapters/a.json", b"{}"),
        OutputFile("transcripts/a.vtt", b"WEBVTT\n"),
    ]
    result = publish(tmp_path, files)
    assert order[-1] == "feed.xml" and len(order) == 3
    assert set(result.written) == {"feed.xml", "chapters/a.json", "transcripts/a.vtt"}
    again = publish(tmp_path, files)
    assert again.written == () and len(again.unchanged) == 3
    assert not list(tmp_path.rglob("*.tmp"))


def test_failed_publish_leaves_every_old_file_and_no_temporaries(tmp_path, monkeypatch):
    publish(tmp_path, [OutputFile("feed.xml", b"old feed"), OutputFile("chapters/a.json", b"old")])
    real = output._write_temp
    calls = []

    def failing(path, data):
        calls.append(path.name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(output, "_write_temp", failing)
    with pytest.raises(OSError):
        publish(tmp_path, [OutputFile("feed.xml", b"new feed"), OutputFile("chapters/a.json", b"new")])
    assert (tmp_path / "feed.xml").read_bytes() == b"old feed"
    assert (tmp_path / "chapters" / "a.json").read_bytes() == b"old"
    assert not list(tmp_path.rglob("*.tmp"))


def test_written_files_are_world_readable(tmp_path):
    publish(tmp_path, [OutputFile("feed.xml", b"x")])
    assert (tmp_path / "feed.xml").stat().st_mode & 0o444 == 0o444


def test_failed_rename_leaves_no_temporary(tmp_path, monkeypatch):
    atomic_write(tmp_path / "a.txt", b"old")

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "replace", broken)
    with pytest.raises(OSError):
        atomic_write(tmp_path / "a.txt", b"new")
    with pytest.raises(OSError):
        publish(tmp_path, [OutputFile("feed.xml", b"x")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    assert (tmp_path / "a.txt").read_bytes() == b"old"


def test_atomic_write_to_a_device_writes_through_and_never_replaces_it(tmp_path):
    """``links --output /dev/null`` as root: a rename would put a regular file where the device was."""
    import stat as stat_mod

    from feedtool.output import atomic_write

    assert atomic_write(Path("/dev/null"), b"report") is True
    assert stat_mod.S_ISCHR(Path("/dev/null").stat().st_mode)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    atomic_write(fifo, b"through the pipe")
    reader.join(5)
    assert received == [b"through the pipe"] and stat_mod.S_ISFIFO(fifo.stat().st_mode)
