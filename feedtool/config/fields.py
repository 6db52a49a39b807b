"""One typed reader for the fields of the show config, shared by the top level and
every section (``links:``, ``publish:``, ``owner:``...).

The reader collects problems instead of raising, so a config with five mistakes
reports all five at once. A key given without a value (``timeout:``) counts as
not given. Given the lines of the keys (``key_lines``), each problem carries
the line of its key, or of the nearest enclosing key that has one.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, overload

from feedtool.model import Problem
from feedtool.weburls import HTTP_URL

_INTERVAL = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*")
_INTERVAL_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_TRUE, _FALSE = ("yes", "true"), ("no", "false")


def parse_interval(value: Any) -> float:
    """Seconds from ``20``, ``0.5``, ``"500ms"``, ``"10m"``, ``"24h"``, ``"7d"``: the grammar of the
    config's timeouts, waits and ages. An episode's length (``"1:02:03"``) is another grammar:
    ``timeutil.parse_duration``."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration, got {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"must not be negative, got {value!r}")
        seconds = float(value) if isinstance(value, float) or value < 10**18 else math.inf
    else:
        match = _INTERVAL.fullmatch(str(value))
        if not match:
            raise ValueError(f"expected a duration such as 20, 500ms, 10s, 5m, 24h or 7d, got {value!r}")
        seconds = float(match.group(1)) * _INTERVAL_UNITS[match.group(2) or "s"]
    if not math.isfinite(seconds):  # .nan, .inf, 400 digits: no timer takes them
        raise ValueError(f"expected a duration such as 20, 500ms, 10s, 5m, 24h or 7d, got {value!r:.40}")
    return seconds


def did_you_mean(key: str, known: Collection[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest known key, or nothing."""
    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class FieldReader:
    """Typed access to one mapping of the config file.

    ``prefix`` names the mapping in problems (``links.hosts.example.com.``); readers made
    with ``section`` share their parent's problem list, so one list holds the whole file's.
    Every getter returns its default when the key is absent or wrong (and records why).
    """

    def __init__(
        self,
        data: Mapping[Any, Any],
        source: str,
        prefix: str = "",
        problems: list[Problem] | None = None,
        key_lines: Mapping[str, int] | None = None,
    ):
        self.data = data
        self.source = source  # the config file, as problems name it
        self.prefix = prefix
        self.problems: list[Problem] = [] if problems is None else problems
        # "links.hosts.example.com.timeout" / "hosts[0].name" -> 1-based line, shared with sub-readers
        self.key_lines: Mapping[str, int] = key_lines or {}

    def line(self, name: str) -> int | None:
        """The line of the key ``name`` (a full dotted name), else of the nearest enclosing key."""
        while name:
            if name in self.key_lines:
                return self.key_lines[name]
            cut = max(name.rfind("."), name.rfind("["))
            name = name[:cut] if cut > 0 else ""
        return None

    def problem(self, key: str, message: str) -> None:
        name = self.prefix + key
        self.problems.append(Problem(self.source, name, message, self.line(name)))

    def unknown(self, known: Collection[str]) -> None:
        """A problem, with a "did you mean" hint, for every key nobody reads."""
        for key in self.data:
            if key not in known:
                self.problem(str(key), f"unknown key{did_you_mean(str(key), known)}")

    def section(self, key: Any, shape: str = "a mapping") -> FieldReader:
        """A reader for the mapping under ``key`` (empty when absent); ``shape`` says
        what belongs there when it is not a mapping."""
        value = self.data.get(key)
        if value is None:
            value = {}
        elif not isinstance(value, Mapping):
            self.problem(str(key), f"must be {shape}")
            value = {}
        return self.entry(str(key), value)

    def entry(self, name: str, data: Mapping[Any, Any]) -> FieldReader:
        """A reader for a mapping inside this one, such as a list item (``hosts[0]``)."""
        return FieldReader(data, self.source, f"{self.prefix}{name}.", self.problems, self.key_lines)

    def given(self, key: str) -> bool:
        return self.data.get(key) is not None

    @overload
    def text(self, key: str, *, required: bool = ..., default: str) -> str: ...
    @overload
    def text(self, key: str, *, required: bool = ..., default: None = ...) -> str | None: ...
    def text(self, key: str, *, required: bool = False, default: str | None = None) -> str | None:
        """Text, stripped; numbers count as text (``copyright: 2024``), blank as not given."""
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(key, "is required")
            return default
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.problem(key, f"must be text, not {type(value).__name__}")
            return default
        return str(value).strip()

    def url(self, key: str, *, required: bool = False) -> str | None:
        value = self.text(key, required=required)
        if value is not None and not HTTP_URL.match(value):
            self.problem(key, f"must be an absolute http(s) URL, got {value!r}")
            return None
        return value

    def path(self, key: str, base: Path) -> Path | None:
        """A file or folder path; a relative one resolves against ``base`` (the config's folder)."""
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            self.problem(key, f"must be a file path, got {value!r}")
            return None
        return (base / value.strip()).resolve()

    def flag(self, key: str, default: bool) -> bool:
        """``true``/``false``; quoted ``"yes"``/``"no"``/``"true"``/``"false"`` too."""
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _TRUE + _FALSE:
            return value.lower() in _TRUE
        self.problem(key, f"must be true or false, got {value!r}")
        return default

    @overload
    def whole_number(self, key: str, default: int, *, minimum: int = ...) -> int: ...
    @overload
    def whole_number(self, key: str, default: None = ..., *, minimum: int = ...) -> int | None: ...
    def whole_number(self, key: str, default: int | None = None, *, minimum: int = 0) -> int | None:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.problem(key, f"must be a whole number >= {minimum}, got {value!r}")
            return default
        return value

    @overload
    def seconds(self, key: str, default: float) -> float: ...
    @overload
    def seconds(self, key: str, default: None) -> float | None: ...
    def seconds(self, key: str, default: float | None) -> float | None:
        """An interval (``parse_interval``): ``20``, ``500ms``, ``10m``, ``24h``, ``7d``."""
        value = self.data.get(key)
        if value is None:
            return default
        try:
            return parse_interval(value)
        except ValueError as exc:
            self.problem(key, str(exc))
            return default

    def share(self, key: str, default: float) -> float:
        """A share between 0 and 1 (``0.1`` is 10 %)."""
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            self.problem(key, f"must be a share between 0 and 1, got {value!r}")
            return default
        return float(value)

    def names(
        self, key: str, known: Collection[str], hint: Callable[[str], str] | None = None
    ) -> tuple[str, ...]:
        """A list of names, each one of ``known`` (``warnings.ignore: [CODE, ...]``); one name alone
        counts as a list. ``hint`` says why a name is refused (default: "did you mean")."""
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(key, f"must be a list of names, got {value!r}")
            return ()
        out = []
        for i, item in enumerate(value):
            name = str(item).strip() if isinstance(item, (str, int)) and not isinstance(item, bool) else None
            if name is None:
                self.problem(f"{key}[{i}]", f"must be a name, got {item!r}")
            elif name not in known:
                why = hint(name) if hint else f"unknown name {name!r}{did_you_mean(name, known)}"
                self.problem(f"{key}[{i}]", why)
            else:
                out.append(name)
        return tuple(out)

    def patterns(self, key: str) -> tuple[re.Pattern[str], ...]:
        """Case-insensitive regular expressions: one, or a list."""
        value = self.data.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(key, f"must be a list of regular expressions, got {value!r}")
            return ()
        out = []
        for item in value:
            try:
                out.append(re.compile(str(item), re.I))
            except re.error as exc:
                self.problem(key, f"bad regular expression {item!r}: {exc}")
        return tuple(out)
