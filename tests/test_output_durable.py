"""A publish makes its temporaries durable together: one syncfs, not one fsync a file."""

from __future__ import annotations

import os

from feedtool import output
from feedtool.output import OutputFile, publish

FILES = [OutputFile(f"transcripts/e{n}.vtt", b"x" * n) for n in range(1, 30)] + [
    OutputFile("feed.xml", b"feed")
]


def watch(monkeypatch) -> list[tuple[str, str]]:
    """What happened, in order: ("fsync", what) for each fsync, ("replace", name) for each rename."""
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", os.path.basename(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(output.os, "fsync", fsync)
    monkeypatch.setattr(output.os, "replace", replace)
    return events


def test_one_syncfs_and_only_folder_fsyncs(tmp_path, monkeypatch):
    syncs = []
    real = output._syncfs
    monkeypatch.setattr(output, "_syncfs", lambda folder: syncs.append(folder) or real(folder))
    events = watch(monkeypatch)
    result = publish(tmp_path, FILES)
    assert len(result.written) == len(FILES)
    assert len(syncs) == 1  # one file system
    synced = [what for kind, what in events if kind == "fsync"]
    assert all(os.path.isdir(what) for what in synced)  # folders only, never a file
    renames = [what for kind, what in events if kind == "replace"]
    assert renames[-1] == "feed.xml" and len(renames) == len(FILES)
    # the transcripts folder is synced before the feed is renamed
    order = [what for _, what in events]
    assert order.index(str(tmp_path / "transcripts")) < order.index("feed.xml")
    assert (tmp_path / "feed.xml").read_bytes() == b"feed"


def test_without_syncfs_every_temporary_is_fsynced_before_any_rename(tmp_path, monkeypatch):
    monkeypatch.setattr(output, "_syncfs", lambda folder: False)
    events = watch(monkeypatch)
    publish(tmp_path, FILES)
    first_rename = next(i for i, (kind, _) in enumerate(events) if kind == "replace")
    file_syncs = [what for kind, what in events[:first_rename] if kind == "fsync"]
    assert len(file_syncs) == len(FILES) and all(what.endswith(".tmp") for what in file_syncs)


def test_syncfs_really_runs_here(tmp_path):
    assert output._syncfs(tmp_path) is True  # Linux: the fast path is the one the build takes


def test_stage_still_syncs_its_one_file(tmp_path, monkeypatch):
    events = watch(monkeypatch)
    staged = output.stage(tmp_path / "record.json", b"{}")
    assert [kind for kind, _ in events] == ["fsync"] and events[0][1] == str(staged.temporary)
    staged.commit()
    assert (tmp_path / "record.json").read_bytes() == b"{}"
