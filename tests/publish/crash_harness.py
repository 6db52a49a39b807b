"""Run ``feedtool`` and SIGKILL it at the K-th file-system event of its publish.

Usage: python crash_harness.py K -- feedtool-args...
K is an event index, or NAME:N for the N-th event touching a file whose name
contains NAME (stable even when a run first removes a killed run's leftovers).
K = -1 runs to the end and prints one line per event: its index and the file it
touches, so a test can aim some kills at the feed's own writes. Events are the calls that
change files on disk: writes to a file opened by ``os.fdopen``, ``os.fsync``,
``os.chmod``, ``os.replace`` and ``os.unlink``. Killing at a random event is a
random point *inside* the writing, which a random wall-clock delay rarely hits.
"""

import os
import signal
import sys

SPEC = sys.argv[1]
NAME, _, NTH = SPEC.rpartition(":") if ":" in SPEC else ("", "", "")
K = int(NTH) if NAME else int(SPEC)
named_count = 0
ARGS = sys.argv[sys.argv.index("--") + 1 :]
count = 0
log = []


def event(target) -> None:
    global count, named_count
    if NAME:
        if NAME in os.path.basename(str(target)):
            if named_count == K:
                os.kill(os.getpid(), signal.SIGKILL)
            named_count += 1
    elif count == K:
        os.kill(os.getpid(), signal.SIGKILL)
    if K < 0 and not NAME:
        log.append(f"{count} {os.path.basename(str(target))}")
    count += 1


def wrap(fn):
    def wrapper(*a, **kw):
        target = a[-1] if fn.__name__ == "replace" else a[0]
        if isinstance(target, int):
            target = os.readlink(f"/proc/self/fd/{target}")
        event(target)
        return fn(*a, **kw)

    return wrapper


class File:
    def __init__(self, fh):
        self._fh = fh
        self._name = os.readlink(f"/proc/self/fd/{fh.fileno()}")

    def write(self, data):
        # write in small pieces so a kill can land in the middle of a file
        for i in range(0, len(data), 16384):
            event(self._name)
            self._fh.write(data[i : i + 16384])
            self._fh.flush()
        return len(data)

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._fh.__exit__(*exc)


real_fdopen = os.fdopen
os.fdopen = lambda *a, **kw: File(real_fdopen(*a, **kw))
for name in ("fsync", "chmod", "replace", "unlink"):
    setattr(os, name, wrap(getattr(os, name)))

from feedtool.cli import main  # noqa: E402  (after the patches)

code = main(ARGS)
if K < 0:
    print("\n".join(log), file=sys.stderr)
sys.exit(code)
