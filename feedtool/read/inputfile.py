"""Read one input file (an episode, a guest profile, the config, ``media.yaml``) without
trusting what sits at its path.

Only a regular file is read, and only up to ``MAX_INPUT_BYTES``: a named pipe at an
episode's path would block the run forever, ``/dev/zero`` would fill the memory, and
a 50 MB file would take the feed past what XML parsers accept. Each refusal is an
``UnreadableFile`` whose ``reason`` completes "cannot read FILE: ...".
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_INPUT_BYTES = 10_000_000  # the largest episode of the real show is 140 kB
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


class UnreadableFile(Exception):
    """The file exists but is not one feedtool reads; ``reason`` says why."""

    def __init__(self, path: Path, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


def kind_of(mode: int) -> str | None:
    """What a non-regular file is, in words (``a named pipe (FIFO)``); None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def size_text(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes"


def read_input(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of the regular file at ``path`` (symbolic links followed).

    Raises FileNotFoundError when nothing is there (callers decide whether that is
    fine), UnreadableFile for anything else that stops the read: a folder, pipe or
    device, a file larger than ``limit``, no permission, a symbolic link loop.
    """
    path = Path(path)
    try:
        before = os.stat(path)  # look before opening: opening some devices does something
        kind = kind_of(before.st_mode)
        if kind:
            raise UnreadableFile(path, f"it is {kind}, not a regular file")
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise UnreadableFile(path, exc.strerror or str(exc)) from None
    try:
        opened = os.fstat(fd)  # what was opened, should the path have changed since
        kind = kind_of(opened.st_mode)
        if kind:
            raise UnreadableFile(path, f"it is {kind}, not a regular file")
        if opened.st_size > limit:
            raise UnreadableFile(path, _too_big(opened.st_size, limit))
        chunks: list[bytes] = []
        total = 0
        while total <= limit:  # the file may grow while it is read
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise UnreadableFile(path, _too_big(total, limit))
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableFile(path, exc.strerror or str(exc)) from None
    finally:
        os.close(fd)


def _too_big(size: int, limit: int) -> str:
    return f"it is {size_text(size)}, more than the {size_text(limit)} feedtool reads from one file"
