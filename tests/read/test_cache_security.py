"""The episode cache is data, never code: ``.feedtool/`` comes back from a shared CI cache.

Every hostile cache below is discarded (the episode is parsed again) and the build succeeds.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from feedsupport import build_show as run_build

from feedtool.read import cache as cache_mod

EPISODES = ("s01e01-first-steps.md", "s01e02-markers-only.md")


def summary(out: str) -> str:
    return out.strip().splitlines()[-1]


def entry_path(show: Path, name: str) -> Path:
    return show / ".feedtool" / cache_mod.CACHE_DIR / cache_mod.entry_file_name(name)


class _RunsShell:
    """What a hostile pickle carries: unpickling it runs a shell command."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def split_entry(blob: bytes) -> tuple[dict, bytes]:
    """(JSON document, rendered bytes) of an entry file feedtool wrote."""
    header, _, rest = blob.partition(b"\n")
    length = int(header.split(b" ")[3])
    return json.loads(rest[:length]), rest[length:]


def forge_entry(document: dict, rendered: bytes = b"", version: int = cache_mod.CACHE_FORMAT) -> bytes:
    """An entry with a correct header and checksum around whatever document we like (the rendered
    outputs after it keep the sizes and checksums the document gives them)."""
    body = json.dumps(document).encode()
    return b"feedtool-episode-cache %d %s %d\n%s" % (
        version,
        hashlib.sha256(body).hexdigest().encode(),
        len(body),
        body + rendered,
    )


@pytest.fixture
def built(show: Path, capsys) -> Path:
    """The test show, built once: every episode has a cache entry."""
    assert run_build(show) == 0
    assert "2 parsed, 0 from cache" in summary(capsys.readouterr().out)
    assert all(entry_path(show, name).is_file() for name in EPISODES)
    return show


@pytest.fixture
def pickle_bomb(tmp_path: Path) -> tuple[bytes, Path]:
    """A pickle that would create a marker file when loaded, and that marker's path."""
    marker = tmp_path / "pwned"
    return pickle.dumps(_RunsShell(marker)), marker


def test_a_pickle_at_the_old_and_new_cache_paths_is_never_run(built, pickle_bomb, capsys):
    payload, marker = pickle_bomb
    legacy = built / ".feedtool" / cache_mod.LEGACY_CACHE_FILE
    # the old format: the pickle with its sha256 trailer, so the old reader would have loaded it
    legacy.write_bytes(payload + hashlib.sha256(payload).hexdigest().encode())
    entry_path(built, EPISODES[0]).write_bytes(payload)
    # and one wrapped in a valid header and checksum: it gets past the checksum to the JSON parser
    digest = hashlib.sha256(payload).hexdigest().encode()
    entry_path(built, EPISODES[1]).write_bytes(b"feedtool-episode-cache 3 %s 0\n%s" % (digest, payload))
    assert run_build(built) == 0
    captured = capsys.readouterr()
    assert not marker.exists()
    assert "2 parsed, 0 from cache" in summary(captured.out)
    assert "the episode cache was corrupt" in captured.err
    assert not legacy.exists()  # the old pickle is feedtool's own leftover: removed
    assert run_build(built) == 0
    assert "0 parsed, 2 from cache" in summary(capsys.readouterr().out)
    assert not marker.exists()


def test_the_reader_never_imports_pickle():
    source = Path(cache_mod.__file__).read_text(encoding="utf-8")
    for loader in ("import pickle", "pickle.load", "import marshal", "import shelve", "yaml.load", "eval("):
        assert loader not in source


def _truncated(blob: bytes) -> bytes:
    return blob[: len(blob) // 2]


def _bad_checksum(blob: bytes) -> bytes:
    """One byte of the episode's document changed, the header left as it was."""
    header, _, rest = blob.partition(b"\n")
    i = int(header.split(b" ")[3]) // 2
    return header + b"\n" + rest[:i] + bytes([rest[i] ^ 0x01]) + rest[i + 1 :]


def _wrong_version(blob: bytes) -> bytes:
    document, rendered = split_entry(blob)
    return forge_entry(document, rendered, version=2)


def _wrong_shape(blob: bytes) -> bytes:
    document, rendered = split_entry(blob)
    document["entry"]["episode"]["title"] = ["not", "text"]
    return forge_entry(document, rendered)


def _unknown_class(blob: bytes) -> bytes:
    """A transcript row tagged with a class the decoder does not know."""
    document, rendered = split_entry(blob)
    document["entry"]["episode"]["transcript"] = [["system", {"command": "touch pwned"}]]
    return forge_entry(document, rendered)


def _extra_field(blob: bytes) -> bytes:
    document, rendered = split_entry(blob)
    document["entry"]["episode"]["__class__"] = "os.system"
    return forge_entry(document, rendered)


def _sizes_do_not_add_up(blob: bytes) -> bytes:
    document, rendered = split_entry(blob)
    return forge_entry(document, rendered + b"more")


def _other_settings(blob: bytes) -> bytes:
    document, rendered = split_entry(blob)
    document["context"] = "another show"
    return forge_entry(document, rendered)


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda blob: b"", "corrupt"),
        (lambda blob: b"garbage", "corrupt"),
        (_truncated, "corrupt"),
        (_bad_checksum, "corrupt"),
        (_wrong_shape, "corrupt"),
        (_unknown_class, "corrupt"),
        (_extra_field, "corrupt"),
        (_sizes_do_not_add_up, "corrupt"),
        (_wrong_version, "written by other code or settings"),
        (_other_settings, "written by other code or settings"),
    ],
    ids=[
        "empty",
        "garbage",
        "truncated",
        "checksum",
        "shape",
        "class",
        "field",
        "sizes",
        "version",
        "settings",
    ],
)
def test_a_damaged_entry_is_discarded_and_rebuilt(built, capsys, damage, reason):
    for name in EPISODES:
        path = entry_path(built, name)
        path.write_bytes(damage(path.read_bytes()))
    assert run_build(built) == 0
    captured = capsys.readouterr()
    assert "2 parsed, 0 from cache" in summary(captured.out)
    assert f"the episode cache was {reason}" in captured.err
    assert "(and 1 more entries)" in captured.err
    assert run_build(built) == 0
    assert "0 parsed, 2 from cache" in summary(capsys.readouterr().out)


def test_a_forged_slug_cannot_send_output_outside_the_output_folder(built, capsys):
    """Output paths are built from the slug: an entry whose slug is not its file's is not trusted."""
    path = entry_path(built, EPISODES[0])
    document, rendered = split_entry(path.read_bytes())
    document["entry"]["episode"]["slug"] = "../../escaped"
    path.write_bytes(forge_entry(document, rendered))
    assert run_build(built) == 0
    captured = capsys.readouterr()
    assert "1 parsed, 1 from cache" in summary(captured.out)
    assert "does not match its file name" in captured.err
    assert not list(built.parent.rglob("escaped*"))


def test_a_forged_dependency_on_a_pipe_is_never_read(tmp_path):
    """An entry names the profile files it depends on; a cache could name a FIFO (a read never returns)."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    regular = tmp_path / "profile.md"
    regular.write_text("x")
    result: list = []
    reader = threading.Thread(target=lambda: result.append(cache_mod.dependency_state([fifo, regular])))
    reader.daemon = True
    reader.start()
    reader.join(timeout=5)
    if reader.is_alive():  # unblock the read so the thread ends, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("dependency_state blocked on a FIFO")
    assert result == [((str(fifo), None), (str(regular), hashlib.sha256(b"x").hexdigest()))]


def test_a_warm_build_reads_the_cache_and_gives_the_same_output(built, tmp_path, capsys):
    assert run_build(built) == 0
    assert "0 parsed, 2 from cache" in summary(capsys.readouterr().out)
    fresh = tmp_path / "fresh"
    assert run_build(built, "--no-cache", "--out", str(fresh)) == 0  # the last --out wins
    out = built / "public"
    warm = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    cold = {p.relative_to(fresh): p.read_bytes() for p in fresh.rglob("*") if p.is_file()}
    assert warm == cold and len(warm) == 6


def test_entries_are_per_episode_and_one_edit_rewrites_one(built, capsys):
    stamps = {name: entry_path(built, name).stat().st_mtime_ns for name in EPISODES}
    ep = built / "episodes" / EPISODES[1]
    ep.write_text(ep.read_text().replace("Markers Only", "Markers Only, edited"))
    assert run_build(built) == 0
    assert "1 parsed, 1 from cache" in summary(capsys.readouterr().out)
    assert entry_path(built, EPISODES[0]).stat().st_mtime_ns == stamps[EPISODES[0]]
    assert entry_path(built, EPISODES[1]).stat().st_mtime_ns != stamps[EPISODES[1]]


def test_stale_entries_and_killed_runs_temporaries_are_removed(built, capsys):
    folder = built / ".feedtool" / cache_mod.CACHE_DIR
    (built / "episodes" / EPISODES[1]).unlink()
    leftovers = [
        folder / f".{cache_mod.entry_file_name(EPISODES[0])}.k1ll3d.tmp",
        built / ".feedtool" / ".episodes.cache.abc123.tmp",
    ]
    for path in leftovers:
        path.write_bytes(b"half a write")
    unrelated = built / ".feedtool" / ".published.json.keep.tmp"  # not the cache's to remove
    unrelated.write_bytes(b"x")
    assert run_build(built, "--allow-removal") == 0
    assert "0 parsed, 1 from cache" in summary(capsys.readouterr().out)
    assert sorted(p.name for p in folder.iterdir()) == [
        cache_mod.entry_file_name(EPISODES[0]),
        cache_mod.SETTLED_FILE,
    ]
    assert not any(p.exists() for p in leftovers)
    assert unrelated.exists()


@dataclass(frozen=True)
class _NotAModelClass:
    command: str


def test_the_codec_builds_only_the_model_classes():
    with pytest.raises(TypeError, match="not a cacheable class"):
        cache_mod._codec(_NotAModelClass)
    with pytest.raises(ValueError):
        cache_mod.decode_entry({"digest": "x", "dependencies": [], "episode": None, "problems": [[1]]})
    entry = cache_mod.CacheEntry("d", (("p", None),), None, ())
    assert cache_mod.decode_entry(json.loads(json.dumps(cache_mod.encode_entry(entry)))) == entry


def test_a_folder_planted_where_entries_go_does_not_break_the_build(built, capsys):
    """A stale-looking name that is a folder, and a folder at a live entry's path: never removed, no crash."""
    folder = built / ".feedtool" / cache_mod.CACHE_DIR
    planted = folder / ("0" * 40 + ".entry")
    planted.mkdir()
    live = entry_path(built, EPISODES[0])
    live.unlink()
    live.mkdir()
    assert run_build(built) == 0
    assert "1 parsed, 1 from cache" in summary(capsys.readouterr().out)
    assert planted.is_dir()


def test_transcript_rows_are_stored_as_checked_lists():
    """Rows of scalar fields are ``[value, ...]``: each value's type is checked on the way in and
    out; a whole-number time is stored as a float, as the float codec does."""
    from feedtool.model import TranscriptHeader, TranscriptLine

    encode, decode = cache_mod._codec(tuple[TranscriptLine | TranscriptHeader, ...])
    rows = (
        TranscriptHeader("Intro", 3),
        TranscriptLine("Hi", 12, "Ana", 4),
        TranscriptLine("Yo", None, None),
    )
    stored = json.loads(json.dumps(encode(rows)))
    assert stored[1] == ["TranscriptLine", ["Hi", 12.0, "Ana", 4]]
    back = decode(stored)
    assert back == rows and type(back[1].sec) is float
    for forged in (["TranscriptLine", ["Hi", "12", "Ana", 4]], ["TranscriptLine", ["Hi", 12.0, "Ana"]],
                   ["TranscriptLine", {"text": "Hi"}], ["TranscriptHeader", [["Intro"], 3]]):  # fmt: skip
        with pytest.raises(cache_mod.CorruptEntry):
            decode([forged])
    with pytest.raises(TypeError):
        encode((TranscriptLine(b"bytes", 1.0, None),))  # type: ignore[arg-type]


def test_a_damaged_rendered_output_is_rendered_again(built, capsys):
    """Each rendered output has its own checksum, checked when it is read: a changed byte in a
    cached transcript costs that transcript (rendered again, and said), never a wrong file."""
    public = built / "public"
    before = {p.relative_to(public): p.read_bytes() for p in public.rglob("*") if p.is_file()}
    damaged = 0
    for name in EPISODES:
        path = entry_path(built, name)
        blob = path.read_bytes()
        header, _, rest = blob.partition(b"\n")
        i = int(header.split(b" ")[3]) + 10  # inside the first rendered output
        if i < len(rest):  # (an episode without a transcript has none)
            path.write_bytes(header + b"\n" + rest[:i] + bytes([rest[i] ^ 0x01]) + rest[i + 1 :])
            damaged += 1
    assert damaged
    for p in (public / "transcripts").iterdir():
        p.unlink()  # the outputs must be written again from the cache (a file still there, that the
        # publish record vouches for, is left unread: the damage would wait until it is needed)
    assert run_build(built) == 0
    captured = capsys.readouterr()
    assert "0 parsed, 2 from cache" in summary(captured.out)
    assert "checksum mismatch" in captured.err
    after = {p.relative_to(public): p.read_bytes() for p in public.rglob("*") if p.is_file()}
    assert after == before
    assert run_build(built) == 0  # the entries were written again, whole
    assert "checksum mismatch" not in capsys.readouterr().err
