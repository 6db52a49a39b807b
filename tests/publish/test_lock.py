"""The run lock, exercised by real separate processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from feedtool.errors import ExitCode, FeedtoolError, LockBusy
from feedtool.publish.lock import acquire, lock_path, read_holder

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from feedtool.publish.lock import acquire
    lock, ready, hold = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
    with acquire(lock, wait=None):
        ready.write_text("locked")
        time.sleep(hold)
    print("released", flush=True)
""")

COUNTER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from feedtool.publish.lock import acquire
    lock, counter, rounds = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    for _ in range(rounds):
        with acquire(lock, wait=30):
            value = int(counter.read_text())
            time.sleep(0.001)  # widen the window a lost update needs
            counter.write_text(str(value + 1))
""")


def _start_holder(tmp_path: Path, hold: float) -> tuple[subprocess.Popen, Path]:
    lock = lock_path(tmp_path / ".feedtool")
    ready = tmp_path / f"ready-{time.monotonic_ns()}"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock), str(ready), str(hold)], stdout=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 20
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the holder process did not take the lock")
        time.sleep(0.01)
    return proc, lock


def test_second_process_gets_lockbusy_naming_the_holder(tmp_path):
    proc, lock = _start_holder(tmp_path, hold=30)
    try:
        started = time.monotonic()
        with pytest.raises(LockBusy) as info, acquire(lock, wait=0):
            pytest.fail("took a lock another process holds")
        assert time.monotonic() - started < 1.0
        error = info.value
        assert isinstance(error, FeedtoolError) and error.exit_code is ExitCode.LOCKED == 3
        assert error.holder.pid == proc.pid
        message = str(error)
        assert f"pid {proc.pid}" in message and "since 20" in message and "ago" in message
        assert str(lock) in message and "running: -c" in message
    finally:
        proc.kill()
        proc.wait()


def test_waiting_run_gets_the_lock_when_the_holder_ends(tmp_path):
    proc, lock = _start_holder(tmp_path, hold=0.5)
    try:
        started = time.monotonic()
        with acquire(lock, wait=20) as me:
            waited = time.monotonic() - started
            assert me.pid == os.getpid()
            assert read_holder(lock).pid == os.getpid()
        assert 0.1 < waited < 20
        assert proc.wait(timeout=20) == 0 and proc.stdout.read().strip() == "released"
    finally:
        proc.kill()
        proc.wait()


def test_bounded_wait_gives_up_with_lockbusy(tmp_path):
    proc, lock = _start_holder(tmp_path, hold=30)
    try:
        started = time.monotonic()
        with pytest.raises(LockBusy, match=r"after waiting 0\.4s"), acquire(lock, wait=0.4):
            pass
        assert 0.35 < time.monotonic() - started < 5
    finally:
        proc.kill()
        proc.wait()


def test_a_killed_holder_never_leaves_a_stale_lock(tmp_path):
    proc, lock = _start_holder(tmp_path, hold=30)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with acquire(lock, wait=0) as me:  # no waiting, no pid guessing: the kernel dropped the lock
        assert me.pid == os.getpid()


def test_two_processes_never_interleave(tmp_path):
    lock = lock_path(tmp_path / ".feedtool")
    counter = tmp_path / "counter"
    counter.write_text("0")
    rounds = 40
    procs = [
        subprocess.Popen([sys.executable, "-c", COUNTER, str(lock), str(counter), str(rounds)])
        for _ in range(2)
    ]
    for proc in procs:
        assert proc.wait(timeout=60) == 0
    assert int(counter.read_text()) == 2 * rounds  # any interleaving would lose increments


def test_lock_file_stays_and_is_emptied_on_release(tmp_path):
    lock = lock_path(tmp_path / "state")
    with acquire(lock):
        assert f'"pid": {os.getpid()}' in lock.read_text()
    assert lock.exists() and lock.read_text() == ""
    assert read_holder(lock).describe().startswith("an unknown process")
