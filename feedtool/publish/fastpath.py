"""The no-change fast path: ``feedtool build`` (and ``--check``) answers from a small manifest.

A successful publish writes ``STATE_DIR/fastpath.json``: sha256 digests of the inputs (every
file of the episodes folder, of the people folder and the config file, taken before the build
read them: a file saved while it ran is built by the next run) and of feedtool's own code, the
size and mtime of every output it published and of the publish record, and what a rebuild with
nothing changed would print. The next ``build`` with the same command line checks
the manifest (and the size and mtime of the episode cache's entries, whose counts the
summary reports) before anything heavy is imported (no YAML, lxml, feedgen or markdown-it: only
the standard library and ``feedtool.publish.lock``); when every digest and every output
matches, the build would publish nothing, and the run prints what it would have printed.
Anything unusual (another option, a config whose ``state_dir:`` is not a plain line, a missing
or foreign manifest, an episode dated in the future once that date has come) means the full
build runs, which writes a new manifest. The manifest only saves time: it is never trusted
beyond a check that is exact (digests, not timestamps, for the inputs).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

MANIFEST_FILE = "fastpath.json"
FORMAT = 2
# the options the fast path understands; any other makes the full build run
_VALUE_OPTIONS = ("--config", "--episodes", "--out")
_FLAGS = {
    "--check": "check",
    "--skip-invalid": "skip_invalid",
    "--quiet": "quiet",
    "-q": "quiet",
    "--verbose": "verbose",
    "-v": "verbose",
}
_DEFAULTS = {"--config": "config/podcast.yaml", "--episodes": "episodes", "--out": "public"}
_STATE_LINE = re.compile(r"^state_dir:[ \t]*(?P<value>[^#\n]*?)[ \t]*(?:#.*)?$", re.M)
_PLAIN = re.compile(r"[A-Za-z0-9_./~-][A-Za-z0-9_./ ~-]*")
_STATE_DIR_NAME = ".feedtool"  # feedtool.config.STATE_DIR_NAME (not imported: it loads yaml)


def parse_build_args(argv: Sequence[str]) -> dict[str, object] | None:
    """``build``'s own arguments (after the word ``build``), or None when the fast path does not
    know one of them (the full parser then reports usage errors as usual)."""
    values: dict[str, object] = dict(_DEFAULTS)
    values.update(dict.fromkeys(_FLAGS.values(), False))
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name in _VALUE_OPTIONS:
            if not eq:
                if i + 1 >= len(args) or args[i + 1].startswith("-"):
                    return None
                i += 1
                value = args[i]
            if not value:
                return None
            values[name] = value
        elif arg in _FLAGS:
            values[_FLAGS[arg]] = True
        else:
            return None
        i += 1
    return values


_MAX_CONFIG_BYTES = 10 * 1024 * 1024


def _regular_bytes(path: Path) -> bytes | None:
    """A regular file's bytes, up to the size cap; None for anything else (a pipe or a device
    would block or never end: the full build reports those)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_CONFIG_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def locate_state_dir(config_path: Path) -> Path | None:
    """Where ``load_config`` would put the state folder, read from the config's text without YAML:
    a top-level ``state_dir:`` line with a plain value (relative to the config file), or none
    at all (``./.feedtool``). None when the line is anything else (quoted, a block, a tag)."""
    data = _regular_bytes(config_path)
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = _STATE_LINE.findall(text)
    if not lines:
        return Path.cwd() / _STATE_DIR_NAME
    if len(lines) != 1 or not _PLAIN.fullmatch(lines[0]) or lines[0] in ("~", "null", "Null", "NULL"):
        return None
    return (config_path.parent / Path(lines[0]).expanduser()).resolve()


def _digest_tree(folder: Path, h: hashlib._Hash) -> None:
    """Every regular file under ``folder`` (names and bytes), in a stable order."""
    h.update(b"folder\0" + os.fsencode(str(folder)) + b"\0")
    if not folder.is_dir():
        h.update(b"absent\0")
        return
    top = os.path.join(str(folder), "")  # (the names below it are cut from the paths, not computed)
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            h.update(
                os.fsencode(path[len(top) :] if path.startswith(top) else os.path.relpath(path, folder))
                + b"\0"
            )
            try:
                mode = os.stat(path).st_mode
                if not stat.S_ISREG(mode):  # a pipe or a device is never opened: it may block or never end
                    h.update(b"not a file %d\0" % stat.S_IFMT(mode))
                    continue
                with open(path, "rb") as fh:
                    h.update(hashlib.sha256(fh.read()).digest())
            except OSError:
                h.update(b"unreadable\0")


def code_digest() -> str:
    """sha256 of feedtool's own ``.py`` files and the Python that runs them."""
    h = hashlib.sha256(sys.version.encode())
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        h.update(os.fsencode(str(path.relative_to(package))) + b"\0" + path.read_bytes())
    return h.hexdigest()


def _cache_fingerprint() -> str | None:
    """The episode cache's own code fingerprint when its module is loaded (a library caller, a
    test that stands in another version); a fresh CLI process does not load it, and
    ``code_digest`` hashes the same files."""
    cache = sys.modules.get("feedtool.read.cache")
    return None if cache is None else str(cache.code_fingerprint())


def input_digest(config_path: Path, episodes: Path, people: Path) -> str:
    h = hashlib.sha256()
    data = _regular_bytes(config_path)
    h.update(b"config absent\0" if data is None else b"config\0" + data)
    _digest_tree(episodes, h)
    _digest_tree(people, h)
    return h.hexdigest()


def _key(values: dict[str, object]) -> dict[str, object]:
    """What must be the same for the manifest to describe this command line."""
    return {
        "cwd": str(Path.cwd()),
        "config": str(Path(str(values["--config"])).resolve()),
        "episodes": str(Path(str(values["--episodes"])).resolve()),
        "out": str(Path(str(values["--out"])).resolve()),
        "skip_invalid": bool(values["skip_invalid"]),
    }


def _stats(paths: Iterable[str | Path]) -> list[list[object]]:
    out: list[list[object]] = []
    for path in paths:
        name = str(path)
        try:
            st = os.stat(name)
            out.append([name, st.st_size, st.st_mtime_ns])
        except OSError:
            out.append([str(path), None, None])
    return out


def _folder_stats(folder: Path | None) -> list[list[object]]:
    """(path, size, mtime) of each file in ``folder`` (the cache entries a rebuild would read)."""
    if folder is None:
        return []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return _stats(Path(folder) / name for name in names)


def record(
    state: Path,
    *,
    config_path: Path,
    episodes: Path,
    out: Path,
    skip_invalid: bool,
    people: Path,
    inputs: str,
    files: Sequence[str],
    problems: Sequence[tuple[str, str, str, int | None, str, str | None]],
    parts: Sequence[str],
    cache_files: int | None,
    cache_dir: Path | None,
    warnings: str,
    valid_until: float | None,
) -> None:
    """Write the manifest after a successful publish (best effort: it only saves time).

    ``inputs``: ``input_digest`` of the inputs taken before the build read them (one saved while
    the build ran then differs from it, and the next run builds it);
    ``problems``: (is_error, line) as ``print_problems`` prints them, in its order; ``parts``:
    the summary's counts without the cache's; ``cache_files``: how many episode files a rebuild
    would take from the cache (None with the cache off)."""
    from feedtool.output import atomic_write  # only the full build gets here

    if locate_state_dir(config_path) != state.resolve():
        return  # the fast path would not find it
    values: dict[str, object] = {"--config": str(config_path), "--episodes": str(episodes), "--out": str(out)}
    values["skip_invalid"] = skip_invalid
    out_dir = Path(out).resolve()
    manifest = {
        "format": FORMAT,
        "key": _key(values),
        "code": code_digest(),
        "cache_code": _cache_fingerprint(),
        "inputs": inputs,
        "people": str(Path(people).resolve()),
        "outputs": _stats([out_dir / f for f in files]),
        "record": _stats([state / "published.json"]),
        "cache_dir": None if cache_dir is None else str(cache_dir),
        "cache_entries": _folder_stats(cache_dir),
        "problems": [list(p) for p in problems],
        "parts": list(parts),
        "cache_files": cache_files,
        "files": len(files),
        "warnings": warnings,
        "valid_until": valid_until,
    }
    try:
        state.mkdir(parents=True, exist_ok=True)
        atomic_write(state / MANIFEST_FILE, json.dumps(manifest, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass


def _load(values: dict[str, object]) -> tuple[Path, dict] | None:
    config_path = Path(str(values["--config"]))
    state = locate_state_dir(config_path)
    if state is None:
        return None
    data = _regular_bytes(state / MANIFEST_FILE)
    if data is None:
        return None
    try:
        manifest = json.loads(data)
    except ValueError:
        return None
    if type(manifest) is not dict or manifest.get("format") != FORMAT or manifest.get("key") != _key(values):
        return None
    return state, manifest


def _still_true(state: Path, values: dict[str, object], manifest: dict) -> bool:
    until = manifest.get("valid_until")
    if until is not None and time.time() >= until:
        return False
    outputs = manifest["outputs"]
    if _stats(str(p) for p, _, _ in outputs) != outputs:
        return False
    if _stats([state / "published.json"]) != manifest["record"]:
        return False
    cache_dir = manifest["cache_dir"]
    if _folder_stats(None if cache_dir is None else Path(cache_dir)) != manifest["cache_entries"]:
        return False  # an entry damaged or removed: a rebuild would parse again (and say so)
    people = Path(manifest["people"])
    digest = input_digest(Path(str(values["--config"])), Path(str(values["--episodes"])), people)
    if digest != manifest["inputs"] or code_digest() != manifest["code"]:
        return False
    loaded = _cache_fingerprint()
    return loaded is None or loaded == manifest["cache_code"]


def try_build(argv: Sequence[str]) -> int | None:
    """Answer ``feedtool build ARGV`` from the manifest: the exit code, or None (run the build)."""
    values = parse_build_args(argv)
    if values is None:
        return None
    try:
        loaded = _load(values)
        if loaded is None:
            return None
        state, manifest = loaded
        if values["check"]:
            if not _still_true(state, values, manifest):
                return None
            return _replay(values, manifest)
        from feedtool.errors import FeedtoolError
        from feedtool.publish.lock import acquire, lock_path

        try:
            with acquire(lock_path(state), wait=0):
                if not _still_true(state, values, manifest):
                    return None
                return _replay(values, manifest)
        except FeedtoolError:
            return None  # a busy lock, an unusable folder: the full build says so as it always has
    except (OSError, KeyError, TypeError, ValueError):
        return None


def _replay(values: dict[str, object], manifest: dict) -> int:
    """Print what the full build prints when nothing changed: the same problems through the same
    display (grouped by code unless ``-v``; none with ``-q``; with ``--check`` only with ``-v``)."""
    from feedtool.commands._common import print_problems  # light: no yaml, lxml or feedgen
    from feedtool.problems import Problem, Severity

    quiet, verbose, check = bool(values["quiet"]), bool(values["verbose"]), bool(values["check"])
    problems = [
        Problem(str(path), str(field), str(message), line, Severity(severity), code)
        for path, field, message, line, severity, code in manifest["problems"]
    ]
    print_problems(problems, warnings=not quiet and (verbose or not check), verbose=verbose)
    out = Path(str(values["--out"]))
    files = int(manifest["files"])
    if check:
        print(f"up to date: {out}/feed.xml and {files - 1} other file(s) match the episodes")
        return 0
    parts = list(manifest["parts"])
    if manifest["cache_files"] is not None:
        parts.append(f"0 parsed, {manifest['cache_files']} from cache")
    print(
        f"built {out}/feed.xml: {', '.join(parts)}; 0 file(s) written, "
        f"{files} unchanged; {manifest['warnings']}"
    )
    return 0
