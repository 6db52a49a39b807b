"""Cache of parsed episodes, keyed by content, under the state folder.

A cached entry is reused only when all of these are unchanged: the episode
file's bytes (sha256, not mtime: a checkout or copy changes mtimes, an edit
that keeps the size and mtime does not fool it), the bytes of every guest
profile it read, the time zone dates are read in, and the code that reads
episodes (a hash of feedtool's own source files). Anything else is a miss.

The cache is data, never code. ``.feedtool/`` is restored from a shared CI
cache, so its content is input like any other: the old pickle format let a
crafted file run commands during a build. Now there is one file per episode
in ``episode-cache/``, named by a hash of the episode file's name (a changed
episode rewrites one small file): a header line ``feedtool-episode-cache
<format> <sha256 of the payload>`` and a JSON payload. The decoder builds
only the model classes it knows (``_CLASSES``), checking every field's type
against the dataclass; a file that fails any check (checksum, version, code,
settings, shape) is discarded and the episode parsed again, never trusted.
The checksum catches torn and edited files, not forgeries: whoever can write
the cache can still make a build publish what they wrote, as whoever can
write the episode files can.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import json
import re
import stat
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import datetime, timedelta, timezone
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from feedtool.model import (
    Audio,
    ChapterMarker,
    Episode,
    Person,
    Problem,
    Severity,
    TranscriptHeader,
    TranscriptLine,
)
from feedtool.output import atomic_write
from feedtool.read.inputfile import UnreadableFile, read_input

CACHE_FORMAT = 6  # 5: rows of scalar fields as lists (_row_codec); 6: a checksum per part, read lazily
CACHE_DIR = "episode-cache"  # under the state folder
LEGACY_CACHE_FILE = "episodes.cache"  # the pickle of format 2 and before, removed on save
_MAGIC = b"feedtool-episode-cache"
_SUFFIX = ".entry"
MAX_ENTRY_BYTES = 64 * 1024 * 1024  # a bigger file is not one feedtool wrote: not even read
SETTLED_FILE = "settled.json"  # in the entries folder: {episode file: digest} a successful build left


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of feedtool's source: a new version (or a local edit) invalidates the cache."""
    digest = hashlib.sha256(str(CACHE_FORMAT).encode())
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class CacheEntry:
    digest: str  # sha256 of the episode file
    dependencies: tuple[tuple[str, str | None], ...]  # (profile path, sha256 or None if absent)
    episode: Episode | None
    problems: tuple[Problem, ...]
    # left (or kept) by a build that succeeded; an entry only a failed build wrote is not "from cache"
    settled: bool = False


@dataclass
class CacheStats:
    """What the build summary says: ``parsed`` (episodes read since the last successful
    build: now, or by a failed build whose work is reused) and ``hits`` (from cache:
    what a successful build left)."""

    hits: int = 0
    misses: int = 0
    unsettled: int = 0  # reused entries a failed build wrote: parsed since the last successful build
    path_used: bool = False  # False for a disabled cache
    discards: list[str] = field(default_factory=list)  # why existing entries were not trusted
    write_failures: list[str] = field(default_factory=list)  # entries that could not be saved, and why

    @property
    def parsed(self) -> int:
        return self.misses + self.unsettled

    @property
    def discarded(self) -> str | None:
        """Why cached entries were thrown away (None when none were), for the build's warning."""
        if not self.discards:
            return None
        more = len(self.discards) - 1
        return self.discards[0] + (f" (and {more} more entries)" if more else "")


class CorruptEntry(ValueError):
    """A cache file that is not what feedtool writes."""


class ForeignEntry(ValueError):
    """A well-formed cache file written by other code or for other settings."""


# --- the typed codec: JSON-compatible values <-> the known frozen dataclasses ---------------------------

_CLASSES: tuple[type, ...] = (
    CacheEntry,
    Episode,
    Problem,
    Person,
    Audio,
    TranscriptLine,
    TranscriptHeader,
    ChapterMarker,
)
_ENUMS: tuple[type[enum.Enum], ...] = (Severity,)

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]


def _fail(expected: str, value: Any) -> typing.NoReturn:
    raise CorruptEntry(f"expected {expected}, found {type(value).__name__}")


def _scalar(kind: type) -> tuple[Encoder, Decoder]:
    def encode(value: Any) -> Any:
        if type(value) is not kind:
            raise TypeError(f"cannot store {type(value).__name__} as {kind.__name__}")
        return value

    def decode(value: Any) -> Any:
        if type(value) is not kind:
            _fail(kind.__name__, value)
        return value

    return encode, decode


def _float_codec() -> tuple[Encoder, Decoder]:
    def encode(value: Any) -> Any:
        if type(value) not in (float, int):
            raise TypeError(f"cannot store {type(value).__name__} as float")
        return float(value)

    def decode(value: Any) -> Any:
        if type(value) not in (float, int):
            _fail("a number", value)
        return float(value)

    return encode, decode


def _encode_datetime(value: Any) -> Any:
    if type(value) is not datetime or value.tzinfo is None:
        raise TypeError("only timezone-aware datetimes are stored")
    tz = value.tzinfo
    if isinstance(tz, ZoneInfo) and tz.key:
        zone: Any = tz.key
    elif isinstance(tz, timezone):
        offset = tz.utcoffset(None)
        if tz != timezone(offset) or tz.tzname(None) != timezone(offset).tzname(None):
            raise TypeError("named fixed-offset time zones are not stored")
        zone = offset // timedelta(microseconds=1)
    else:
        raise TypeError(f"cannot store time zone {tz!r}")
    return [value.replace(tzinfo=None).isoformat(), value.fold, zone]


_ZONE_KEY = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*")  # an IANA name, never a path


def _decode_datetime(value: Any) -> datetime:
    if type(value) is not list or len(value) != 3:
        _fail("[iso, fold, zone]", value)
    iso, fold, zone = value
    if type(iso) is not str or type(fold) is not int or fold not in (0, 1):
        _fail("a date-time", value)
    naive = datetime.fromisoformat(iso)
    if naive.tzinfo is not None:
        raise CorruptEntry("a stored date-time carries its own offset")
    if type(zone) is str and _ZONE_KEY.fullmatch(zone):
        tz: Any = ZoneInfo(zone)
    elif type(zone) is int:
        tz = timezone(timedelta(microseconds=zone))
    else:
        _fail("a time zone", zone)
    return naive.replace(tzinfo=tz, fold=fold)


def _encode_path(value: Any) -> Any:
    if not isinstance(value, Path):
        raise TypeError(f"cannot store {type(value).__name__} as a path")
    return str(value)


def _decode_path(value: Any) -> Path:
    if type(value) is not str:
        _fail("a path", value)
    return Path(value)


def _enum_codec(kind: type[enum.Enum]) -> tuple[Encoder, Decoder]:
    def encode(value: Any) -> Any:
        if type(value) is not kind:
            raise TypeError(f"cannot store {type(value).__name__} as {kind.__name__}")
        return value.value

    def decode(value: Any) -> Any:
        try:
            return kind(value)
        except (ValueError, TypeError):
            raise CorruptEntry(f"{value!r} is not a {kind.__name__}") from None

    return encode, decode


def _optional(inner: tuple[Encoder, Decoder]) -> tuple[Encoder, Decoder]:
    enc, dec = inner
    return (lambda v: None if v is None else enc(v)), (lambda v: None if v is None else dec(v))


def _tagged_union(members: tuple[type, ...]) -> tuple[Encoder, Decoder]:
    """Several dataclasses in one field (transcript rows): ``[class name, fields]``."""
    by_name = {m.__name__: m for m in members}
    codecs = {m.__name__: _dataclass_codec(m) for m in members}

    def encode(value: Any) -> Any:
        name = type(value).__name__
        if by_name.get(name) is not type(value):
            raise TypeError(f"cannot store {name} here")
        return [name, codecs[name][0](value)]

    def decode(value: Any) -> Any:
        if type(value) is not list or len(value) != 2 or type(value[0]) is not str or value[0] not in by_name:
            _fail("[class name, fields]", value)
        return codecs[value[0]][1](value[1])

    return encode, decode


def _tuple_codec(args: tuple[Any, ...]) -> tuple[Encoder, Decoder]:
    if len(args) == 2 and args[1] is Ellipsis:
        enc, dec = _codec(args[0])

        def encode_all(value: Any) -> Any:
            if type(value) is not tuple:
                raise TypeError(f"cannot store {type(value).__name__} as a tuple")
            return [enc(v) for v in value]

        def decode_all(value: Any) -> Any:
            if type(value) is not list:
                _fail("a list", value)
            return tuple([dec(v) for v in value])

        return encode_all, decode_all
    parts = [_codec(a) for a in args]

    def encode_fixed(value: Any) -> Any:
        if type(value) is not tuple or len(value) != len(parts):
            raise TypeError(f"cannot store {value!r} as a {len(parts)}-tuple")
        return [e(v) for (e, _), v in zip(parts, value, strict=True)]

    def decode_fixed(value: Any) -> Any:
        if type(value) is not list or len(value) != len(parts):
            _fail(f"a list of {len(parts)}", value)
        return tuple(d(v) for (_, d), v in zip(parts, value, strict=True))

    return encode_fixed, decode_fixed


_SCALAR_TYPES: dict[Any, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    bool: (bool,),
    float: (float,),
    str | None: (str, type(None)),
    int | None: (int, type(None)),
    float | None: (float, type(None)),
}


def _row_codec(
    cls: type, names: tuple[str, ...], kinds: tuple[tuple[type, ...], ...]
) -> tuple[Encoder, Decoder]:
    """``[value, ...]`` in field order, for a class whose fields are all scalars (transcript
    rows: most of an entry). Decoding checks each value's exact type in one flat loop, several
    times faster than a decoder per field, which made reading 160 cached episodes 0.3 s."""
    width = len(names)

    def encode(value: Any) -> Any:
        if type(value) is not cls:
            raise TypeError(f"cannot store {type(value).__name__} as {cls.__name__}")
        row = [getattr(value, name) for name in names]
        for i, (item, kind) in enumerate(zip(row, kinds, strict=True)):
            if type(item) is int and float in kind:
                row[i] = float(item)  # (a float field given a whole number, as the float codec does)
            elif type(item) not in kind:
                raise TypeError(f"cannot store {type(item).__name__} in {cls.__name__}")
        return row

    def decode(value: Any) -> Any:
        if type(value) is not list or len(value) != width:
            _fail(f"the {width} fields of {cls.__name__}", value)
        for item, kind in zip(value, kinds, strict=True):
            if type(item) not in kind:
                _fail(f"a field of {cls.__name__}", item)
        return cls(*value)

    return encode, decode


@cache
def _dataclass_codec(cls: type) -> tuple[Encoder, Decoder]:
    """``{field: value}`` for one of ``_CLASSES``, every field checked against its annotation
    (``[value, ...]`` when every field is a scalar: ``_row_codec``)."""
    if cls not in _CLASSES:
        raise TypeError(f"{cls.__name__} is not a cacheable class")
    hints = typing.get_type_hints(cls)
    names = tuple(f.name for f in fields(cls))
    if all(hints[name] in _SCALAR_TYPES for name in names):
        return _row_codec(cls, names, tuple(_SCALAR_TYPES[hints[name]] for name in names))
    codecs = {name: _codec(hints[name]) for name in names}
    expected = set(names)

    def encode(value: Any) -> Any:
        if type(value) is not cls:
            raise TypeError(f"cannot store {type(value).__name__} as {cls.__name__}")
        return {name: codecs[name][0](getattr(value, name)) for name in names}

    def decode(value: Any) -> Any:
        if type(value) is not dict or value.keys() != expected:
            _fail(f"the fields of {cls.__name__}", value)
        return cls(**{name: codecs[name][1](value[name]) for name in names})

    return encode, decode


def _codec(tp: Any) -> tuple[Encoder, Decoder]:
    """Encoder and decoder for one annotation; unknown types are refused when the codec is built."""
    if tp in (str, int, bool):
        return _scalar(tp)
    if tp is float:
        return _float_codec()
    if tp is type(None):
        return _scalar(type(None))
    if tp is Path:
        return _encode_path, _decode_path
    if tp is datetime:
        return _encode_datetime, _decode_datetime
    if tp in _ENUMS:
        return _enum_codec(tp)
    if is_dataclass(tp) and isinstance(tp, type):
        return _dataclass_codec(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple:
        return _tuple_codec(args)
    if origin in (typing.Union, types.UnionType):
        present = tuple(a for a in args if a is not type(None))
        if len(present) == 1:
            inner = _codec(present[0])
        elif all(isinstance(a, type) and is_dataclass(a) for a in present):
            inner = _tagged_union(present)
        else:
            raise TypeError(f"cache cannot store {tp!r}")
        return _optional(inner) if len(present) < len(args) else inner
    raise TypeError(f"cache cannot store {tp!r}")


def encode_entry(entry: CacheEntry) -> Any:
    return _dataclass_codec(CacheEntry)[0](entry)


def entry_json(entry: CacheEntry) -> str:
    """``entry`` as the JSON text its file holds (never settled there: ``SETTLED_FILE`` says).
    A parse worker sends this text, and the parent stores it as it came."""
    return json.dumps(encode_entry(replace(entry, settled=False)), separators=(",", ":"), ensure_ascii=False)


def decode_entry(data: Any) -> CacheEntry:
    """Only ever builds ``_CLASSES``; raises CorruptEntry (or ValueError) for anything else."""
    entry = _dataclass_codec(CacheEntry)[1](data)
    assert isinstance(entry, CacheEntry)
    return entry


# --- the cache ------------------------------------------------------------------------------------------


def entry_file_name(key: str) -> str:
    """The file holding episode file ``key``'s entry: a hash, so no name can point outside the folder."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:40] + _SUFFIX


@dataclass
class EpisodeCache:
    path: Path | None  # the entries folder; None: a disabled cache (--no-cache)
    context: str  # time zone + people folder: part of every key
    entries: dict[str, CacheEntry] = field(default_factory=dict)
    # rendered outputs that depend only on the episode file: name -> {what: bytes}, for entries[name].digest
    # (kept in memory only until the entry is written: ``flush``; then read back on demand)
    rendered: dict[str, dict[str, bytes]] = field(default_factory=dict)
    stats: CacheStats = field(default_factory=CacheStats)
    _dirty: set[str] = field(default_factory=set)
    _live: set[str] | None = None  # the episode files of this read, once ``retain`` was told them
    # rendered outputs in the entry files: name -> {what: (offset, size, sha256)}, read when asked for
    _stored: dict[str, dict[str, tuple[int, int, str]]] = field(default_factory=dict)
    _settled: dict[str, str] | None = None  # SETTLED_FILE, read on first need
    _settled_dirty: bool = False
    # entries given to ``put`` as text (a parse worker's entry_json) are written as they came,
    # not encoded again (that was a tenth of a cold build), and at once, so that no text waits
    # in memory for its episode's outputs; the entry is written again with them, its text read
    # back from here: name -> (the entry put, offset and size of its text in the file, sha256)
    _texts: dict[str, tuple[CacheEntry, int, int, str]] = field(default_factory=dict)
    writable: bool = True  # False (``build --check``): read, never written, not even by ``flush``

    @classmethod
    def open(cls, path: Path | None, context: str) -> EpisodeCache:
        """A cache over the entries folder ``path``; entries are read when first asked for."""
        cache = cls(path, context)
        cache.stats.path_used = path is not None
        return cache

    def _load(self, key: str) -> CacheEntry | None:
        if self.path is None:
            return None
        file = self.path / entry_file_name(key)
        try:
            if not file.is_file():
                return None
            size = file.stat().st_size
            if size > MAX_ENTRY_BYTES:
                raise CorruptEntry("larger than any entry feedtool writes")
            with open(file, "rb") as fh:
                header = fh.readline(512)
                entry, stored = self._parse(header, fh, size, key)
        except ForeignEntry:
            self.stats.discards.append("written by other code or settings")
            return None
        except Exception as exc:  # any corruption means: parse the episode again, never trust
            self.stats.discards.append(f"corrupt ({key}: {exc.__class__.__name__}: {exc})")
            return None
        settled = self._settled_digests().get(key) == entry.digest
        self.entries[key] = replace(entry, settled=settled)
        self._stored[key] = stored
        return self.entries[key]

    def _settled_digests(self) -> dict[str, str]:
        """What the last successful build left: {episode file: digest} (empty when unreadable)."""
        if self._settled is None:
            self._settled = {}
            assert self.path is not None
            try:
                data = json.loads(read_input(self.path / SETTLED_FILE, 16 * 1024 * 1024))
            except (OSError, UnreadableFile, ValueError):
                data = None
            if type(data) is dict and all(type(k) is str and type(v) is str for k, v in data.items()):
                self._settled = data
        return self._settled

    def _parse(
        self, header: bytes, fh: Any, size: int, key: str
    ) -> tuple[CacheEntry, dict[str, tuple[int, int, str]]]:
        """The entry from its header line and JSON document (checked against the header's sha256);
        the rendered outputs after it are only located here (each has its own sha256, checked
        when it is read: ``rendered_output``)."""
        parts = header.rstrip(b"\n").split(b" ")
        if not header.endswith(b"\n") or len(parts) != 4 or parts[0] != _MAGIC:
            raise CorruptEntry("not a feedtool cache entry")
        if parts[1] != str(CACHE_FORMAT).encode():
            raise ForeignEntry("another format")
        if not parts[3].isdigit() or len(header) + int(parts[3]) > size:
            raise CorruptEntry("bad payload length")
        json_length = int(parts[3])
        document = fh.read(json_length)
        if hashlib.sha256(document).hexdigest().encode() != parts[2]:
            raise CorruptEntry("checksum mismatch (torn or edited file)")
        data = json.loads(document.decode("utf-8", "surrogatepass"))
        if type(data) is not dict or data.keys() != {"code", "context", "key", "entry", "rendered"}:
            raise CorruptEntry("unexpected content")
        if data["code"] != code_fingerprint() or data["context"] != self.context:
            raise ForeignEntry("other code or settings")
        if data["key"] != key:
            raise CorruptEntry("entry of another episode file")
        parts_of = data["rendered"]
        if type(parts_of) is not dict or not all(
            type(v) is list and len(v) == 2 and type(v[0]) is int and v[0] >= 0 and type(v[1]) is str
            for v in parts_of.values()
        ):
            raise CorruptEntry("unexpected rendered outputs")
        if len(header) + json_length + sum(v[0] for v in parts_of.values()) != size:
            raise CorruptEntry("rendered outputs do not add up")
        stored, offset = {}, len(header) + json_length
        for what, (length, digest) in parts_of.items():
            stored[what] = (offset, length, digest)
            offset += length
        entry = decode_entry(data["entry"])
        # what the reader guarantees, checked because output paths are built from the slug
        if entry.episode is not None and (entry.episode.path.name != key or entry.episode.slug != key[:-3]):
            raise CorruptEntry("the episode does not match its file name")
        return entry, stored

    def get(self, key: str, digest: str) -> CacheEntry | None:
        entry = self.entries.get(key)
        if entry is None:
            entry = self._load(key)
        if entry is None or entry.digest != digest or not _dependencies_unchanged(entry.dependencies):
            self.stats.misses += 1
            return None
        if entry.settled:
            self.stats.hits += 1
        else:
            self.stats.unsettled += 1
        return entry

    def settle(self) -> None:
        """The build that read these entries succeeded: from now on they count as "from cache".
        Written as one small file, so that no entry is written twice."""
        for key, entry in self.entries.items():
            if not entry.settled:
                self.entries[key] = replace(entry, settled=True)
        self._settled = {key: entry.digest for key, entry in sorted(self.entries.items())}
        self._settled_dirty = True

    def put(self, key: str, entry: CacheEntry, text: str | None = None) -> None:
        """Store ``entry`` (written by ``flush`` or ``save``); ``text``, when given, is its
        ``entry_json``."""
        old = self.entries.get(key)
        if old is None or old.digest != entry.digest:
            self.rendered.pop(key, None)
            self._stored.pop(key, None)
        self.entries[key] = entry
        self._texts.pop(key, None)
        self._dirty.add(key)
        if text is not None and self.path is not None and self.writable and not self.rendered.get(key):
            self._write_first(key, entry, text)

    def _write_first(self, key: str, entry: CacheEntry, text: str) -> None:
        """Write a parsed entry, with no rendered outputs yet, from its text. Silent when it
        fails: the entry stays to be written (``flush``), which reports a failure."""
        assert self.path is not None
        encoded = text.encode("utf-8", "surrogatepass")
        try:
            blob, _, at = self._serialise(key, {}, encoded)
            atomic_write(self.path / entry_file_name(key), blob, durable=False)
        except (OSError, TypeError, ValueError):
            return
        self._stored[key] = {}
        self._texts[key] = (entry, at, len(encoded), hashlib.sha256(encoded).hexdigest())
        self._dirty.discard(key)

    def _entry_text(self, key: str) -> bytes:
        """The entry's JSON text: read back from its file when ``_write_first`` wrote it (and
        it is intact), else encoded."""
        entry = self.entries[key]
        given = self._texts.pop(key, None)
        if given is not None and _same_but_settled(given[0], entry) and self.path is not None:
            _, offset, length, digest = given
            try:
                with open(self.path / entry_file_name(key), "rb") as fh:
                    fh.seek(offset)
                    read = fh.read(length)
            except OSError:
                read = b""
            if len(read) == length and hashlib.sha256(read).hexdigest() == digest:
                return read
        return entry_json(entry).encode("utf-8", "surrogatepass")

    def retain(self, keys: set[str]) -> None:
        """Forget files that no longer exist (their entries are removed on save)."""
        for key in set(self.entries) - keys:
            del self.entries[key]
            self._texts.pop(key, None)
            self.rendered.pop(key, None)
            self._stored.pop(key, None)
        self._dirty &= keys
        self._live = set(keys)

    def rendered_output(self, name: str, what: str, render: Callable[[], bytes]) -> bytes:
        """``render()``'s result for episode file ``name``, reused while the file is unchanged.

        For outputs that depend on nothing but the episode file and the code
        (transcripts): rendering them is most of a no-change rebuild's time.
        """
        if self.path is None or name not in self.entries:
            return render()
        data = self.rendered.get(name, {}).get(what)
        if data is None:
            data = self._read_stored(name, what)
        if data is None:
            data = render()
            self.rendered.setdefault(name, {})[what] = data
            self._dirty.add(name)
        return data

    def holds(self, name: str, what: str) -> bool:
        """Whether ``rendered_output(name, what, ...)`` would not need to render (the entry holds it)."""
        return (
            self.path is not None
            and name in self.entries
            and (what in self.rendered.get(name, {}) or what in self._stored.get(name, {}))
        )

    def stored_digest(self, name: str, what: str) -> str | None:
        """The sha256 of a rendered output the entry file holds (None when it holds none yet):
        what its bytes will be when read, without reading them."""
        where = self._stored.get(name, {}).get(what)
        return None if where is None else where[2]

    def _read_stored(self, name: str, what: str) -> bytes | None:
        """A rendered output from the entry file, checked against its sha256; None (and a discard
        noted) when it is missing or damaged: it is then rendered again."""
        where = self._stored.get(name, {}).get(what)
        if where is None or self.path is None:
            return None
        offset, length, digest = where
        data: bytes | None = None
        try:
            with open(self.path / entry_file_name(name), "rb") as fh:
                fh.seek(offset)
                read = fh.read(length)
        except OSError as exc:
            why = f"{exc.strerror or exc}"
        else:
            why = "checksum mismatch (torn or edited file)"
            if len(read) == length and hashlib.sha256(read).hexdigest() == digest:
                data = read
        if data is None:
            self._stored[name].pop(what, None)
            self.stats.discards.append(f"corrupt ({name}: {what}: {why})")
        return data

    def flush(self, key: str) -> None:
        """Write ``key``'s entry now, if it changed, and let go of its rendered outputs' bytes
        (they are read back from the file when asked for): a build of thousands of episodes
        keeps one episode's outputs in memory, not all of them."""
        if self.path is None or not self.writable or key not in self._dirty:
            return
        self._dirty.discard(key)
        self._write(key)

    def save(self) -> None:
        """Write the entries that changed; remove stale ones and what killed runs left behind.

        The cache only saves time: an entry that cannot be stored or written (something else
        sits at its path) is a miss next run, not a failed build.
        """
        if self.path is None:
            return
        for key in sorted(self._dirty):
            self._write(key)
        self._dirty.clear()
        if self._settled_dirty:
            self._settled_dirty = False
            settled = json.dumps(self._settled or {}, sort_keys=True, ensure_ascii=False)
            try:
                atomic_write(self.path / SETTLED_FILE, settled.encode("utf-8", "surrogatepass"))
            except OSError as exc:
                self.stats.write_failures.append(f"{SETTLED_FILE}: {exc.strerror or exc}")
        if self._live is not None:
            self._remove_stale({entry_file_name(k) for k in self._live} | {SETTLED_FILE})

    def _write(self, key: str) -> None:
        """Write ``key``'s entry file; its rendered outputs then live there (``_stored``)."""
        assert self.path is not None
        file = self.path / entry_file_name(key)
        try:
            try:
                outputs = self._outputs(key)
                blob, stored, _ = self._serialise(key, outputs, self._entry_text(key))
            except (TypeError, ValueError):  # not storable (never expected)
                if file.is_symlink() or file.is_file():
                    file.unlink()
                self._stored.pop(key, None)
                return
            # not synced: an entry torn by a power cut fails its sha256 and is parsed again
            atomic_write(file, blob, durable=False)
        except OSError as exc:  # a full disk: the build goes on, and says so (stats)
            self.stats.write_failures.append(f"{key}: {exc.strerror or exc}")
            return
        self._stored[key] = stored
        self.rendered.pop(key, None)

    def _outputs(self, key: str) -> dict[str, bytes]:
        """Every rendered output of ``key``: those in memory, and those still in its entry file."""
        outputs = dict(self.rendered.get(key, {}))
        for what in list(self._stored.get(key, {})):
            if what not in outputs:
                data = self._read_stored(key, what)
                if data is not None:
                    outputs[what] = data
        return outputs

    def _serialise(
        self, key: str, outputs: dict[str, bytes], entry_text: bytes
    ) -> tuple[bytes, dict[str, tuple[int, int, str]], int]:
        """Header line (the JSON's sha256 and length), JSON (``entry_text`` put in as it is),
        then the rendered outputs' bytes as they are (each one's size and sha256 in the JSON).
        Returns the file's bytes, where each output lies in it, and where ``entry_text`` does."""
        rendered = sorted(outputs.items())
        digests = {what: hashlib.sha256(data).hexdigest() for what, data in rendered}

        def dumps(value: Any) -> bytes:
            return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode(
                "utf-8", "surrogatepass"
            )

        # json.dumps of the whole document, the entry's text put in as it is
        before = b'{"code":%s,"context":%s,"key":%s,"entry":' % (
            dumps(code_fingerprint()),
            dumps(self.context),
            dumps(key),
        )
        after = b',"rendered":%s}' % dumps({what: [len(data), digests[what]] for what, data in rendered})
        document = b"".join([before, entry_text, after])
        header = b"%s %d %s %d\n" % (
            _MAGIC,
            CACHE_FORMAT,
            hashlib.sha256(document).hexdigest().encode(),
            len(document),
        )
        stored, offset = {}, len(header) + len(document)
        for what, data in rendered:
            stored[what] = (offset, len(data), digests[what])
            offset += len(data)
        blob = b"".join([header, document, *(data for _, data in rendered)])
        return blob, stored, len(header) + len(before)

    def _remove_stale(self, live: set[str]) -> None:
        """Entries of episode files that are gone, temporaries of killed runs, the old pickle.

        Callers hold the run lock, so no other feedtool is writing here.
        """
        assert self.path is not None
        state = self.path.parent
        doomed = [state / LEGACY_CACHE_FILE, *state.glob(f".{LEGACY_CACHE_FILE}.*.tmp")]
        if self.path.is_dir():
            for file in self.path.iterdir():
                stale_entry = file.name.endswith(_SUFFIX) and file.name not in live
                if stale_entry or (file.name.startswith(".") and file.name.endswith(".tmp")):
                    doomed.append(file)
        for file in doomed:
            if file.is_symlink() or file.is_file():  # never a folder someone put there
                with contextlib.suppress(OSError):
                    file.unlink()


def _same_but_settled(a: CacheEntry, b: CacheEntry) -> bool:
    """``b`` is ``a`` or ``a`` marked settled (``settle``): the same fields, by identity."""
    return a is b or (
        a.digest == b.digest
        and a.episode is b.episode
        and a.problems is b.problems
        and a.dependencies is b.dependencies
    )


def dependency_state(paths: list[Path]) -> tuple[tuple[str, str | None], ...]:
    """(path, sha256) of each profile file; None for one that is absent or not a regular file
    (a cache entry names these paths: a device or a pipe is never read)."""
    out: list[tuple[str, str | None]] = []
    for path in paths:
        try:
            digest = file_digest(path.read_bytes()) if stat.S_ISREG(path.stat().st_mode) else None
        except OSError:
            digest = None
        out.append((str(path), digest))
    return tuple(out)


def _dependencies_unchanged(deps: tuple[tuple[str, str | None], ...]) -> bool:
    return dependency_state([Path(p) for p, _ in deps]) == deps
