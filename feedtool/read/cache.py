"""Cache of parsed episodes, keyed by content, under the state folder.

A cached entry is reused only when all of these are unchanged: the episode
file's bytes (sha256, not mtime: a checkout or copy changes mtimes, an edit
that keeps the size and mtime does not fool it), the bytes of every guest
profile it read, the time zone dates are read in, and the code that reads
episodes (a hash of feedtool's own source files). Anything else is a miss.

The cache file is one pickle with a sha256 trailer; a file that fails the
check, cannot be unpickled or has another format number is discarded and
rebuilt, never trusted. Like any pickle it must be as trusted as the code:
it lives in the show's own ``.feedtool/`` folder, written only by feedtool.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from feedtool.model import Episode, Problem
from feedtool.output import atomic_write

CACHE_FORMAT = 2
CACHE_FILE = "episodes.cache"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of feedtool's source: a new version (or a local edit) invalidates the cache."""
    digest = hashlib.sha256(str(CACHE_FORMAT).encode())
    package = Path(__file__).resolve().parent
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


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    discarded: str | None = None  # why an existing cache file was not trusted
    path_used: bool = False  # False for a disabled cache


@dataclass
class EpisodeCache:
    path: Path | None  # None: a disabled cache (--no-cache)
    context: str  # time zone + people folder: part of every key
    entries: dict[str, CacheEntry] = field(default_factory=dict)
    # rendered outputs that depend only on the episode file: (name, digest, what) -> bytes
    rendered: dict[tuple[str, str, str], bytes] = field(default_factory=dict)
    stats: CacheStats = field(default_factory=CacheStats)
    _dirty: bool = False

    @classmethod
    def open(cls, path: Path | None, context: str) -> EpisodeCache:
        cache = cls(path, context)
        cache.stats.path_used = path is not None
        if path is None or not path.exists():
            return cache
        try:
            blob = path.read_bytes()
            payload, trailer = blob[:-64], blob[-64:]
            if hashlib.sha256(payload).hexdigest().encode() != trailer:
                raise ValueError("checksum mismatch (torn or edited file)")
            header, entries, rendered = pickle.loads(payload)
            if header != (CACHE_FORMAT, code_fingerprint(), context):
                cache.stats.discarded = "written by other code or settings"
                return cache
            if not isinstance(entries, dict) or not isinstance(rendered, dict):
                raise ValueError("unexpected content")
            cache.entries, cache.rendered = entries, rendered
        except Exception as exc:  # any corruption means: rebuild, never trust
            cache.stats.discarded = f"corrupt ({exc.__class__.__name__}: {exc})"
        return cache

    def get(self, key: str, digest: str) -> CacheEntry | None:
        entry = self.entries.get(key)
        if entry is None or entry.digest != digest or not _dependencies_unchanged(entry.dependencies):
            self.stats.misses += 1
            return None
        self.stats.hits += 1
        return entry

    def put(self, key: str, entry: CacheEntry) -> None:
        self.entries[key] = entry
        self._dirty = True

    def retain(self, keys: set[str]) -> None:
        """Forget files that no longer exist."""
        stale = set(self.entries) - keys
        for key in stale:
            del self.entries[key]
        self._dirty = self._dirty or bool(stale)

    def rendered_output(self, name: str, what: str, render: Callable[[], bytes]) -> bytes:
        """``render()``'s result for episode file ``name``, reused while the file is unchanged.

        For outputs that depend on nothing but the episode file and the code
        (transcripts): rendering them is most of a no-change rebuild's time.
        """
        entry = self.entries.get(name)
        if self.path is None or entry is None:
            return render()
        key = (name, entry.digest, what)
        data = self.rendered.get(key)
        if data is None:
            data = render()
            stale = [k for k in self.rendered if k[0] == name and k[2] == what]
            for k in stale:
                del self.rendered[k]
            self.rendered[key] = data
            self._dirty = True
        return data

    def save(self) -> None:
        if self.path is None or (not self._dirty and self.stats.discarded is None and self.path.exists()):
            return
        live = {(name, entry.digest) for name, entry in self.entries.items()}
        self.rendered = {k: v for k, v in self.rendered.items() if (k[0], k[1]) in live}
        payload = pickle.dumps(
            ((CACHE_FORMAT, code_fingerprint(), self.context), self.entries, self.rendered),
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        atomic_write(self.path, payload + hashlib.sha256(payload).hexdigest().encode())
        self._dirty = False


def dependency_state(paths: list[Path]) -> tuple[tuple[str, str | None], ...]:
    out = []
    for path in paths:
        try:
            out.append((str(path), file_digest(path.read_bytes())))
        except OSError:
            out.append((str(path), None))
    return tuple(out)


def _dependencies_unchanged(deps: tuple[tuple[str, str | None], ...]) -> bool:
    return dependency_state([Path(p) for p, _ in deps]) == deps
