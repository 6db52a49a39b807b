"""One run at a time: an exclusive ``flock`` on a file in the state dir.

``fcntl.flock`` locks belong to the open file, so the kernel releases them when
the holder exits or is killed: a crashed run can never leave a stale lock
behind, and no pid-liveness guessing is needed. The holder writes its pid, host,
start time and command line into the file only so that a second run can say
who is in the way. The file is never deleted (deleting a flock'd file lets two
processes lock two different inodes of the "same" file).

Local file systems only: flock over NFS is not reliable everywhere.

A state folder that cannot hold the lock (a file at its path, a folder in
``/proc``, a read-only mount) is a usage error naming it. A full disk is not:
the holder details are optional, so a lock file that cannot grow still locks.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from feedtool.errors import LockBusy, UsageError

LOCK_FILE_NAME = "run.lock"
STATE_HINT = "set state_dir: in the config to a folder feedtool can write (default: .feedtool/ here)"
_POLL_MIN, _POLL_MAX = 0.02, 0.25  # seconds between tries while waiting


@dataclass(frozen=True)
class LockHolder:
    pid: int | None
    host: str | None
    started: datetime | None
    command: str | None

    def describe(self, now: datetime | None = None) -> str:
        parts = []
        if self.pid is not None:
            parts.append(f"pid {self.pid}" + (f" on {self.host}" if self.host else ""))
        if self.started is not None:
            now = now or datetime.now(UTC)
            running = max(0, int((now - self.started).total_seconds()))
            parts.append(f"since {self.started.isoformat(timespec='seconds')} ({_span(running)} ago)")
        if self.command:
            parts.append(f"running: {self.command}")
        return ", ".join(parts) if parts else "an unknown process (it has not written its details yet)"


def _span(seconds: int) -> str:
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else (f"{m}m{s:02d}s" if m else f"{s}s")


def _command_line() -> str | None:
    """This process's command line as a user would type it, for the holder record.

    ``python -m feedtool`` has ``.../feedtool/__main__.py`` as ``argv[0]``: it is
    shown as ``feedtool``, the command it is the same as."""
    if not sys.argv or not sys.argv[0]:
        return None
    program = Path(sys.argv[0])
    name = program.parent.name if program.name == "__main__.py" else program.name
    return " ".join([name, *sys.argv[1:]])


def lock_path(state_dir: Path) -> Path:
    """The run lock's conventional place: ``STATE_DIR/run.lock`` (state dir ``.feedtool/`` by default)."""
    return Path(state_dir) / LOCK_FILE_NAME


def read_holder(path: Path) -> LockHolder:
    """Best-effort read of who holds (or last held) the lock; never raises."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    started = None
    if isinstance(data.get("started"), str):
        try:
            started = datetime.fromisoformat(data["started"])
        except ValueError:
            started = None
    pid = data.get("pid") if isinstance(data.get("pid"), int) else None
    return LockHolder(
        pid,
        data.get("host") if isinstance(data.get("host"), str) else None,
        started,
        data.get("command") if isinstance(data.get("command"), str) else None,
    )


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise


@contextmanager
def acquire(path: Path, wait: float | None = 0.0) -> Iterator[LockHolder]:
    """Hold the exclusive run lock at ``path`` for the ``with`` block.

    ``wait``: 0 (default) fails at once if the lock is busy; a number of
    seconds waits up to that long; None waits as long as it takes.
    Raises LockBusy naming the holder. Yields this run's ``LockHolder``.
    """
    path = Path(path)
    fd = _open_lock_file(path)
    try:
        started_waiting = time.monotonic()
        if wait is None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            pause = _POLL_MIN
            while not _try_lock(fd):
                waited = time.monotonic() - started_waiting
                if waited >= wait:
                    raise LockBusy(path, read_holder(path), round(wait, 3))
                time.sleep(min(pause, max(0.0, wait - waited)))
                pause = min(pause * 2, _POLL_MAX)
        started = datetime.now(UTC).replace(microsecond=0)
        me = LockHolder(pid=os.getpid(), host=os.uname().nodename, started=started, command=_command_line())
        record = json.dumps(
            {"pid": me.pid, "host": me.host, "started": started.isoformat(), "command": me.command}
        ).encode()
        _write_holder(fd, record + b"\n")
        try:
            yield me
        finally:
            _write_holder(fd, b"")  # nobody holds it now; the unlock below is what really matters
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _open_lock_file(path: Path) -> int:
    """The lock file's descriptor, creating the state folder; UsageError when it cannot be."""
    state = path.parent
    try:
        state.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as exc:
        from feedtool.output import check_folder, is_full  # (tempfile and the rest: only to say why)

        if is_full(exc):
            reason = f"no room for the lock file {path.name} ({exc.strerror}); free some space on its disk"
            raise UsageError(f"{state}: cannot use it as the state folder: {reason}") from None
        check_folder(state, "the state folder", STATE_HINT)  # raises, saying what is wrong
        raise UsageError(
            f"{path}: cannot create the lock file ({exc.strerror or exc}); {STATE_HINT}"
        ) from None


def _write_holder(fd: int, record: bytes) -> None:
    """Replace the lock file's holder details; best effort (on a full disk the lock still holds)."""
    try:
        os.ftruncate(fd, 0)
        if record:
            os.pwrite(fd, record, 0)
    except OSError:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)  # never half a record
