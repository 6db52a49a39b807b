"""What the last publish left in the output folder: each file's size, mtime and sha256.

``output.publish`` leaves a file untouched, without asking for its bytes or reading it,
when the file is still the one this record describes and it holds what the build would
write (its ``OutputFile.digest``, which the episode cache knows for every transcript it
holds). A rebuild with one episode changed then reads no transcript of the other episodes,
twice over (from the cache and from the folder), as it did.

The record lives in the state folder (``STATE_DIR/outputs.json``) and only saves time: one
that is missing, torn, too large, of another output folder or of another shape is no
record, and every file is compared by its bytes as before.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from feedtool.output import atomic_write
from feedtool.read.inputfile import UnreadableFile, read_input

RECORD_FILE = "outputs.json"
FORMAT = 1
MAX_RECORD_BYTES = 64 * 1024 * 1024  # a show of 100,000 files records about 20 MB
_SHA256 = re.compile(r"[0-9a-f]{64}")

Record = dict[str, tuple[int, int, str]]


def load_record(state: Path, out_dir: Path) -> Record:
    """The record of the last publish into ``out_dir``; empty when there is none to trust."""
    try:
        data = json.loads(read_input(state / RECORD_FILE, MAX_RECORD_BYTES))
    except (OSError, UnreadableFile, ValueError):
        return {}
    if (
        type(data) is not dict
        or data.get("format") != FORMAT
        or data.get("out") != str(Path(out_dir).resolve())
        or type(data.get("files")) is not dict
    ):
        return {}
    record: Record = {}
    for relpath, value in data["files"].items():
        if not (
            type(relpath) is str
            and type(value) is list
            and len(value) == 3
            and type(value[0]) is int
            and type(value[1]) is int
            and type(value[2]) is str
            and _SHA256.fullmatch(value[2])
        ):
            return {}
        record[relpath] = (value[0], value[1], value[2])
    return record


def save_record(state: Path, out_dir: Path, record: Mapping[str, tuple[int, int, str]]) -> None:
    """Write the record (best effort, not synced: a torn one is no record)."""
    document = {
        "format": FORMAT,
        "out": str(Path(out_dir).resolve()),
        "files": {relpath: list(value) for relpath, value in sorted(record.items())},
    }
    try:
        state.mkdir(parents=True, exist_ok=True)
        atomic_write(
            state / RECORD_FILE,
            json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass"),
            durable=False,
        )
    except OSError:
        pass
