"""The only module that writes to the output folder.

Every file is written to a temporary file in its own folder, flushed to disk
and renamed over the old one, so a reader (a web server, a podcast app) sees
either the old file or the new one, never half of one. A publish writes all
changed files' temporaries first and renames only when all of them were
written; the feed goes last, so it never points at a chapters or transcript
file that is not there yet. Unchanged files are not touched (mtimes stay).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class OutputFile:
    relpath: str  # e.g. "feed.xml", "chapters/slug.json"
    data: bytes


@dataclass(frozen=True)
class PublishResult:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]


def _same(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _write_temp(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically; False (and no write) when already identical."""
    if _same(path, data):
        return False
    tmp = _write_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return True


def _remove_stale_temporaries(out_dir: Path, files: Iterable[OutputFile]) -> None:
    """Temporaries left by a run that was killed mid-write (callers hold the run lock)."""
    for folder in {(out_dir / f.relpath).parent for f in files}:
        if folder.is_dir():
            for tmp in folder.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)


def publish(
    out_dir: Path, files: list[OutputFile] | tuple[OutputFile, ...], last: str = "feed.xml"
) -> PublishResult:
    """Write ``files`` under ``out_dir`` as one step; ``last`` is renamed after all others."""
    _remove_stale_temporaries(out_dir, files)
    ordered = sorted(files, key=lambda f: (f.relpath == last, f.relpath))
    changed = [f for f in ordered if not _same(out_dir / f.relpath, f.data)]
    unchanged = tuple(f.relpath for f in ordered if f not in changed)
    temps: list[tuple[Path, Path]] = []
    try:
        for f in changed:
            target = out_dir / f.relpath
            temps.append((_write_temp(target, f.data), target))
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise
    folders = set()
    try:
        for tmp, target in temps:
            os.replace(tmp, target)
            folders.add(target.parent)
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise
    for folder in sorted(folders):
        _fsync_dir(folder)
    return PublishResult(tuple(f.relpath for f in changed), unchanged)


def pending_changes(out_dir: Path, files: list[OutputFile] | tuple[OutputFile, ...]) -> tuple[str, ...]:
    """The files a publish would write (missing or different on disk)."""
    return tuple(f.relpath for f in files if not _same(out_dir / f.relpath, f.data))
