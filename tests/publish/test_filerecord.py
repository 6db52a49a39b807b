"""The record of what the last publish left on disk: unchanged transcripts are not read.

A rebuild with one episode changed used to read every other episode's transcripts twice
(from the cache, then the output folder, to compare). With the record, a file the record
says still holds the cached output's sha256 is left alone unread; anything else (a file
edited, replaced, removed, a record torn or of another folder) is compared by its bytes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from feedsupport import build_show

from feedtool.publish import filerecord
from feedtool.read import cache as cache_mod


def _reads(monkeypatch) -> list[tuple[str, str]]:
    """(episode file, output) of every rendered output read back from the cache."""
    seen: list[tuple[str, str]] = []
    real = cache_mod.EpisodeCache._read_stored

    def spy(self, name, what):
        seen.append((name, what))
        return real(self, name, what)

    monkeypatch.setattr(cache_mod.EpisodeCache, "_read_stored", spy)
    return seen


def _edit(show: Path, name: str = "s01e02-markers-only.md") -> None:
    path = show / "episodes" / name
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")


def _outputs(show: Path) -> dict[str, bytes]:
    public = show / "public"
    return {str(p.relative_to(public)): p.read_bytes() for p in sorted(public.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("record", [True, False])
def test_the_unchanged_episodes_transcripts_are_not_read(show, monkeypatch, capsys, record):
    """s01e01 has the transcripts; s01e02 is the one changed. Without the record (the
    control), the rebuild reads s01e01's transcripts back to compare them."""
    assert build_show(show) == 0
    record_file = show / ".feedtool" / filerecord.RECORD_FILE
    written = json.loads(record_file.read_text())
    assert written["out"] == str((show / "public").resolve())
    assert sorted(p for p in written["files"] if p.startswith("transcripts/s01e01")) == [
        "transcripts/s01e01-first-steps.json",
        "transcripts/s01e01-first-steps.srt",
        "transcripts/s01e01-first-steps.vtt",
    ]
    if not record:
        record_file.unlink()
    _edit(show)
    seen = _reads(monkeypatch)
    assert build_show(show) == 0
    read_back = {what for name, what in seen if name == "s01e01-first-steps.md"}
    assert read_back == (set() if record else {"transcript.json", "transcript.srt", "transcript.vtt"})


def _clean_build(show: Path, tmp_path: Path) -> dict[str, bytes]:
    """What a build from nothing writes for the show as it now is."""
    fresh = tmp_path / "fresh"
    for part in ("config", "episodes", "people"):
        if (show / part).exists():
            shutil.copytree(show / part, fresh / part)
    assert build_show(fresh, "--no-cache") == 0
    return _outputs(fresh)


@pytest.mark.parametrize("tamper", ["edited", "same-size", "removed", "record-torn", "record-other-folder"])
def test_anything_the_record_does_not_vouch_for_is_compared_by_its_bytes(show, tmp_path, capsys, tamper):
    assert build_show(show) == 0
    _edit(show)
    assert build_show(show) == 0  # the record now describes every transcript
    target = next((show / "public" / "transcripts").glob("s01e01*.vtt"))
    record_file = show / ".feedtool" / filerecord.RECORD_FILE
    if tamper == "edited":
        target.write_bytes(target.read_bytes() + b"\nNOTE edited by hand\n")
    elif tamper == "same-size":
        data = target.read_bytes()
        target.write_bytes(data[:-2] + b"XX")
    elif tamper == "removed":
        target.unlink()
    elif tamper == "record-torn":
        record_file.write_bytes(record_file.read_bytes()[:100])
        target.write_bytes(b"WEBVTT\n")
    else:
        data = json.loads(record_file.read_text())
        data["out"] = "/somewhere/else"
        record_file.write_text(json.dumps(data))
        target.write_bytes(b"WEBVTT\n")
    _edit(show)
    capsys.readouterr()
    assert build_show(show) == 0
    assert _outputs(show) == _clean_build(show, tmp_path)


@pytest.mark.parametrize(
    "files",
    [
        {"a": [1, 2]},
        {"a": [1, 2, "x" * 64]},
        {"a": ["1", 2, "0" * 64]},
        {"a": [1, 2.5, "0" * 64]},
        [1, 2, 3],
    ],
)
def test_a_record_of_another_shape_is_no_record(tmp_path, files):
    out = tmp_path / "public"
    doc = {"format": filerecord.FORMAT, "out": str(out.resolve()), "files": files}
    (tmp_path / filerecord.RECORD_FILE).write_text(json.dumps(doc))
    assert filerecord.load_record(tmp_path, out) == {}


def test_a_record_round_trips(tmp_path):
    out = tmp_path / "public"
    record = {"transcripts/x.vtt": (10, 1_700_000_000_000_000_000, "ab" * 32)}
    filerecord.save_record(tmp_path, out, record)
    assert filerecord.load_record(tmp_path, out) == record
    assert filerecord.load_record(tmp_path, tmp_path / "other") == {}
