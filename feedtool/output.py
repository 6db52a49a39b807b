"""The only module that writes to the output folder.

Every file is written to a temporary file in its own folder, flushed to disk
(a publish makes all its temporaries durable together: one ``syncfs``, or an
``fsync`` pass where that is not available) and renamed over the old one, so a reader (a web server, a podcast app) sees
either the old file or the new one, never half of one. A publish writes all
changed files' temporaries first and renames only when all of them were
written; the feed goes last, so it never points at a chapters or transcript
file that is not there yet. Unchanged files are not touched (mtimes stay).

Temporaries are named ``.NAME.XXXXXXXX.tmp`` (``TEMPORARY``); a run that was
killed mid-write leaves them behind, and the next run that holds the lock
removes those of its folders (``remove_stale_temporaries``), never any other
file. A write that fails (a full disk) raises ``OSError`` naming the target
file, with the old file intact and its temporary removed.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from feedtool.errors import UsageError

# what ``_write_temp`` creates: mkstemp's 8 random characters between ".NAME." and ".tmp"
TEMPORARY = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp")
PROBE_NAME = "feedtool-probe"  # ``check_folder``'s empty temporary: ".feedtool-probe.XXXXXXXX.tmp"


@dataclass(frozen=True)
class OutputFile:
    """One file of the output folder. ``source`` is its bytes, or what gives them when asked
    (a transcript kept in the episode cache's file): a build of thousands of episodes then
    holds one file's bytes at a time, not every transcript's."""

    relpath: str  # e.g. "feed.xml", "chapters/slug.json"
    source: bytes | Callable[[], bytes]
    # the sha256 of the bytes, when known without producing them: ``publish`` then leaves a file
    # that its record says holds them untouched without asking for (or reading) any bytes
    digest: str | None = None

    @property
    def data(self) -> bytes:
        return self.source if isinstance(self.source, bytes) else self.source()


@dataclass(frozen=True)
class PublishResult:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    # relpath -> (size, mtime_ns, sha256) of each file with a digest, as it now is on disk: what
    # the next publish is given as ``known``
    record: dict[str, tuple[int, int, str]] = field(default_factory=dict)


def _as_recorded(target: Path, known: tuple[int, int, str] | None, digest: str) -> bool:
    """Whether ``target`` is still the file ``known`` describes and that file held ``digest``.

    Size and mtime (in ns) stand for the content, as for make or rsync: a file changed since
    has another mtime (or size), unless it was changed and its mtime set back by hand."""
    if known is None or known[2] != digest:
        return False
    try:
        st = os.stat(target)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and (st.st_size, st.st_mtime_ns) == known[:2]


def _same(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _naming(exc: OSError, path: Path) -> OSError:
    """``exc`` about ``path`` (not about its temporary, which is gone): the message names the file."""
    if exc.errno is None:
        return exc
    return OSError(exc.errno, exc.strerror or str(exc), str(path))


def is_full(exc: OSError) -> bool:
    """A full disk (or quota): freeing space, not changing the command, is the fix."""
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


def _write_temp(path: Path, data: bytes) -> Path:
    """A temporary beside ``path`` holding ``data``, not yet synced: ``stage`` syncs its one
    file, ``publish`` all of its files together (``_make_durable``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _syncfs(folder: Path) -> bool:
    """``syncfs(2)`` on the file system holding ``folder``: everything written there is on disk.
    False when the call is not available (not Linux) or fails; the caller then syncs file by file."""
    try:
        import ctypes  # only a publish pays for it

        syncfs = ctypes.CDLL(None, use_errno=True).syncfs
    except (ImportError, OSError, AttributeError):
        return False
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        return bool(syncfs(fd) == 0)
    finally:
        os.close(fd)


def _make_durable(temps: list[tuple[Path, Path]]) -> None:
    """Put every temporary's content on disk before any of them is renamed into place.

    One ``syncfs`` per file system the temporaries are on, instead of one ``fsync`` per
    file (a publish of the whole show writes hundreds); when that is not possible, an
    ``fsync`` pass over the files. Raises OSError naming the target whose data failed."""
    devices: dict[int, Path] = {}
    for tmp, _ in temps:
        devices.setdefault(os.stat(tmp.parent).st_dev, tmp.parent)
    if all(_syncfs(folder) for folder in devices.values()):
        return
    for tmp, target in temps:
        try:
            _fsync_file(tmp)
        except OSError as exc:
            raise _naming(exc, target) from exc


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """Write ``data`` to ``path`` atomically; False (and no write) when already identical.

    ``durable=False`` leaves out the fsyncs: readers still see the old file or the new one,
    but after a power cut the new one may be empty or torn. Only for files that are checked
    when read and only save time (the episode cache's entries, each with its sha256): a
    cold build writes one per episode, and their fsyncs were a tenth of its time.

    A target that exists and is not a regular file (``/dev/null``, ``/dev/stdout``, a named
    pipe: ``links --output /dev/stdout``) is written to directly: renaming over it would
    replace the device itself, which a run as root is allowed to do.
    """
    if _is_special(path):
        try:
            with open(path, "wb") as stream:
                stream.write(data)
        except OSError as exc:
            raise _naming(exc, path) from exc
        return True
    if _same(path, data):
        return False
    staged = stage(path, data, durable=durable)
    staged.commit()
    return True


def _is_special(path: Path) -> bool:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@dataclass(frozen=True)
class StagedFile:
    """A file's new content, written and synced beside it but not yet in its place.

    Staging first lets a caller find out that a file cannot be written (a full
    disk) before it changes anything else, and put it in place later with a
    rename, which needs no space."""

    temporary: Path
    target: Path
    durable: bool = True  # False: not synced, nor is its folder after the rename (``atomic_write``)

    def commit(self) -> None:
        """Rename the new content over the target (the temporary is removed if that fails)."""
        try:
            os.replace(self.temporary, self.target)
        except OSError as exc:
            self.discard()
            raise _naming(exc, self.target) from exc
        except BaseException:
            self.discard()
            raise
        if self.durable:
            _fsync_dir(self.target.parent)

    def discard(self) -> None:
        self.temporary.unlink(missing_ok=True)


def stage(path: Path, data: bytes, *, durable: bool = True) -> StagedFile:
    """Write ``data`` into a temporary beside ``path`` (synced unless not ``durable``); raises
    OSError naming ``path``."""
    try:
        temporary = _write_temp(path, data)
    except OSError as exc:
        raise _naming(exc, path) from exc
    if not durable:
        return StagedFile(temporary, path, durable=False)
    try:
        _fsync_file(temporary)
    except BaseException as exc:
        temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _naming(exc, path) from exc
        raise
    return StagedFile(temporary, path)


def remove_stale_temporaries(folder: Path, names: Collection[str] | None = None) -> None:
    """Remove the temporaries a killed run left in ``folder`` (only files of ``TEMPORARY``'s
    form, only for the file names ``names`` when given). Callers hold the run lock: no
    other feedtool is writing there. Never fails: leftovers only cost space."""
    try:
        candidates = list(folder.iterdir()) if folder.is_dir() else []
    except OSError:
        return
    for file in candidates:
        match = TEMPORARY.fullmatch(file.name)
        if match is None or (names is not None and match["name"] not in names):
            continue
        try:
            if file.is_symlink() or file.is_file():  # never a folder someone put there
                file.unlink()
        except OSError:
            pass


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISREG, "a file"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a folder"


def check_folder(path: Path, what: str, hint: str, *, writable: bool = True) -> None:
    """Raise UsageError unless ``path`` is (or can be created as) a folder feedtool can write.

    ``what`` names the folder in the message ("--out", "the state folder"), ``hint``
    says what to do. Writability is tried, not inferred from permission bits: root
    may write a folder without write permission, but not one on a read-only mount,
    in ``/proc`` or in ``/sys``. The probe is an empty temporary (no space needed)
    removed at once; with ``writable=False`` (dry runs) nothing is written.
    """
    existing = Path(path)
    while True:
        try:
            mode = existing.stat().st_mode
            break
        except (FileNotFoundError, NotADirectoryError):  # NotADirectory: a file on the way
            if existing.parent == existing:
                raise UsageError(f"{path}: cannot use it as {what}: it does not exist; {hint}") from None
            existing = existing.parent
        except OSError as exc:  # ELOOP, EACCES
            raise UsageError(f"{path}: cannot use it as {what}: {exc.strerror or exc}; {hint}") from None
    if not stat.S_ISDIR(mode):
        where = "it is" if existing == Path(path) else f"{existing} is"
        raise UsageError(f"{path}: cannot use it as {what}: {where} {_kind(mode)}, not a folder; {hint}")
    if not writable:
        return
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{PROBE_NAME}.", suffix=".tmp", dir=existing)
    except OSError as exc:
        if is_full(exc):
            return  # no inode left: the write itself reports the full disk, with its own advice
        inside = "" if existing == Path(path) else f" (in {existing})"
        reason = exc.strerror or str(exc)
        raise UsageError(
            f"{path}: cannot use it as {what}: cannot write there{inside}: {reason}; {hint}"
        ) from None
    os.close(fd)
    Path(probe).unlink(missing_ok=True)


def publish(
    out_dir: Path,
    files: list[OutputFile] | tuple[OutputFile, ...],
    last: str = "feed.xml",
    known: Mapping[str, tuple[int, int, str]] | None = None,
) -> PublishResult:
    """Write ``files`` under ``out_dir`` as one step; ``last`` is renamed after all others.

    A file is written only when its bytes differ from the file there. ``known`` is the
    ``record`` of the last publish: a file with a ``digest`` that the file there still holds
    by that record is left as it is without its bytes being asked for or the file read
    (a rebuild with one episode changed then reads no transcript of the others).

    Raises OSError naming the file that could not be written; then no file was
    replaced and no temporary is left (a failed rename may have replaced the
    files renamed before it, never ``last``)."""
    for folder in _folders(out_dir, files):
        remove_stale_temporaries(folder)
    ordered = sorted(files, key=lambda f: (f.relpath == last, f.relpath))
    known = known or {}
    changed: list[str] = []
    unchanged: list[str] = []
    temps: list[tuple[Path, Path]] = []
    record: dict[str, tuple[int, int, str]] = {}
    digests: dict[str, str] = {}
    try:
        for f in ordered:  # each file's bytes asked for once, and let go of once written
            target = out_dir / f.relpath
            if f.digest is not None and _as_recorded(target, known.get(f.relpath), f.digest):
                unchanged.append(f.relpath)
                record[f.relpath] = known[f.relpath]
                continue
            data = f.data
            if f.digest is not None:  # what the file will hold, from its bytes (never trusted)
                digests[f.relpath] = hashlib.sha256(data).hexdigest()
            if _same(target, data):
                unchanged.append(f.relpath)
                continue
            changed.append(f.relpath)
            try:
                temps.append((_write_temp(target, data), target))
            except OSError as exc:
                raise _naming(exc, target) from exc
            del data
        _make_durable(temps)
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise
    # the others first, their folders synced, and only then ``last`` (the feed): after a crash
    # the feed on disk never names a file whose rename was lost
    final = Path(out_dir) / last
    first = [(tmp, target) for tmp, target in temps if target != final]
    then = [(tmp, target) for tmp, target in temps if target == final]
    try:
        for batch in (first, then):
            folders = set()
            for tmp, target in batch:
                try:
                    os.replace(tmp, target)
                except OSError as exc:
                    raise _naming(exc, target) from exc
                folders.add(target.parent)
            for folder in sorted(folders):
                _fsync_dir(folder)
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise
    for relpath, digest in digests.items():  # the record of the others: as they now are
        try:
            st = os.stat(out_dir / relpath)
        except OSError:
            continue
        record[relpath] = (st.st_size, st.st_mtime_ns, digest)
    return PublishResult(tuple(changed), tuple(unchanged), record)


def _folders(out_dir: Path, files: Iterable[OutputFile]) -> list[Path]:
    """The output folder and every folder a file of this publish goes in."""
    return sorted({Path(out_dir), *((Path(out_dir) / f.relpath).parent for f in files)})


def pending_changes(out_dir: Path, files: list[OutputFile] | tuple[OutputFile, ...]) -> tuple[str, ...]:
    """The files a publish would write (missing or different on disk)."""
    return tuple(f.relpath for f in files if not _same(out_dir / f.relpath, f.data))
