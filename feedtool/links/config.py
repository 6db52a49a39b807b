"""The ``links:`` section of the show config, parsed into a frozen ``LinksConfig``.

Unknown keys fail with a "did you mean" hint (a typo in a scheduled job's
config must not silently fall back to a default). Durations accept seconds
(``20``, ``0.5``) or text with a unit (``500ms``, ``20s``, ``10m``, ``24h``, ``7d``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from feedtool.config import Config, state_dir, unknown_keys
from feedtool.errors import ConfigError
from feedtool.model import Problem

DEFAULT_ENDPOINTS = {
    "youtube_oembed": "https://www.youtube.com/oembed",
    "spotify_oembed": "https://open.spotify.com/oembed",
    "apple_lookup": "https://itunes.apple.com/lookup",
}

KNOWN_KEYS = {
    "allow_private",
    "confirm_after",
    "history",
    "concurrency",
    "per_host",
    "timeout",
    "connect_timeout",
    "endpoints",
    "hosts",
    "min_interval",
    "retries",
    "backoff",
    "retry_after_cap",
    "budget",
    "max_age",
    "exclude",
    "user_agent",
    "max_body",
    "max_redirects",
    "apple_limit",
}
HOST_KEYS = {"concurrency", "min_interval", "soft_404"}

USER_AGENT = "feedtool-links/1 (+podcast link health checker)"


@dataclass(frozen=True)
class HostRule:
    """Politeness and soft-404 patterns for one host name."""

    concurrency: int | None = None
    min_interval: float | None = None
    soft_404: tuple[re.Pattern[str], ...] = ()


# Conservative defaults for the big platforms (overridable under ``hosts:``).
# itunes.apple.com documents about 20 calls a minute: one every 3 s.
DEFAULT_HOST_RULES: dict[str, HostRule] = {
    "itunes.apple.com": HostRule(concurrency=1, min_interval=3.0),
    "podcasts.apple.com": HostRule(concurrency=1, min_interval=1.0),
    "www.youtube.com": HostRule(concurrency=2, min_interval=0.5),
    "youtube.com": HostRule(concurrency=2, min_interval=0.5),
    "open.spotify.com": HostRule(concurrency=2, min_interval=0.5),
    "anchor.fm": HostRule(concurrency=2, min_interval=0.5),
    "podcasters.spotify.com": HostRule(concurrency=2, min_interval=0.5),
    "creators.spotify.com": HostRule(concurrency=2, min_interval=0.5),
    "www.linkedin.com": HostRule(concurrency=1, min_interval=2.0),
    "twitter.com": HostRule(concurrency=1, min_interval=1.0),
    "x.com": HostRule(concurrency=1, min_interval=1.0),
    "github.com": HostRule(concurrency=2, min_interval=0.5),
}


@dataclass(frozen=True)
class LinksConfig:
    history: Path
    allow_private: bool = False
    confirm_after: int = 2
    concurrency: int = 32
    per_host: int = 4
    min_interval: float = 0.05
    timeout: float = 20.0
    connect_timeout: float = 10.0
    retries: int = 2
    backoff: float = 0.5
    retry_after_cap: float = 60.0
    budget: float = 1800.0
    max_age: float = 24 * 3600.0
    max_body: int = 64 * 1024
    max_redirects: int = 10
    apple_limit: int = 200
    user_agent: str = USER_AGENT
    exclude: tuple[re.Pattern[str], ...] = ()
    endpoints: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ENDPOINTS))
    hosts: Mapping[str, HostRule] = field(default_factory=lambda: dict(DEFAULT_HOST_RULES))

    def rule_for(self, host: str) -> HostRule:
        """Rules by host name; ``host`` may carry a port (``127.0.0.1:8080``)."""
        name = urlsplit("//" + host).hostname or host
        return self.hosts.get(name.lower(), HostRule())

    def host_concurrency(self, host: str) -> int:
        return self.rule_for(host).concurrency or self.per_host

    def host_interval(self, host: str) -> float:
        rule = self.rule_for(host)
        return self.min_interval if rule.min_interval is None else rule.min_interval

    def is_excluded(self, url: str) -> re.Pattern[str] | None:
        return next((p for p in self.exclude if p.search(url)), None)


_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: Any) -> float:
    """Seconds from ``20``, ``0.5``, ``"500ms"``, ``"10m"``, ``"24h"``, ``"7d"``."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration, got {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"must not be negative, got {value!r}")
        return float(value)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*", str(value))
    if not match:
        raise ValueError(f"expected a duration such as 20, 500ms, 10s, 5m, 24h or 7d, got {value!r}")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


def default_history_path(config: Config) -> Path:
    """``links-history.sqlite`` in the state folder (``state_dir:``, else ``.feedtool/``)."""
    return state_dir(config) / "links-history.sqlite"


class _Reader:
    def __init__(self, data: Mapping[str, Any], path: str, prefix: str):
        self.data, self.path, self.prefix = data, path, prefix
        self.problems: list[Problem] = []

    def err(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.prefix + key, message))

    def int(self, key: str, default: int, minimum: int = 1) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.err(key, f"must be a whole number >= {minimum}, got {value!r}")
            return default
        return value

    def duration(self, key: str, default: float) -> float:
        if key not in self.data:
            return default
        try:
            return parse_duration(self.data[key])
        except ValueError as exc:
            self.err(key, str(exc))
            return default

    def bool(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.err(key, f"must be true or false, got {value!r}")
            return default
        return value

    def patterns(self, key: str) -> tuple[re.Pattern[str], ...]:
        value = self.data.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.err(key, f"must be a list of regular expressions, got {value!r}")
            return ()
        out = []
        for item in value:
            try:
                out.append(re.compile(str(item), re.I))
            except re.error as exc:
                self.err(key, f"bad regular expression {item!r}: {exc}")
        return tuple(out)


def parse_links_config(config: Config) -> LinksConfig:
    """Parse ``config.links``; raise ConfigError (exit 2) listing every problem."""
    data = config.links or {}
    spath = str(config.path)
    r = _Reader(data, spath, "links.")
    problems = unknown_keys(data, KNOWN_KEYS, spath, "links.")

    endpoints = dict(DEFAULT_ENDPOINTS)
    raw_endpoints = data.get("endpoints") or {}
    if not isinstance(raw_endpoints, dict):
        r.err("endpoints", "must be a mapping of youtube_oembed, spotify_oembed, apple_lookup to URLs")
        raw_endpoints = {}
    problems += unknown_keys(raw_endpoints, set(DEFAULT_ENDPOINTS), spath, "links.endpoints.")
    for key, value in raw_endpoints.items():
        if key in DEFAULT_ENDPOINTS:
            if not isinstance(value, str) or not re.match(r"^https?://[^/\s]+", value):
                r.err(f"endpoints.{key}", f"must be a full http(s) URL, got {value!r}")
            else:
                endpoints[key] = value

    hosts = dict(DEFAULT_HOST_RULES)
    raw_hosts = data.get("hosts") or {}
    if not isinstance(raw_hosts, dict):
        r.err("hosts", "must be a mapping of host name to {concurrency, min_interval, soft_404}")
        raw_hosts = {}
    for host, rule in raw_hosts.items():
        if not isinstance(rule, dict):
            r.err(f"hosts.{host}", "must be a mapping with concurrency, min_interval or soft_404")
            continue
        problems += unknown_keys(rule, HOST_KEYS, spath, f"links.hosts.{host}.")
        hr = _Reader(rule, spath, f"links.hosts.{host}.")
        hosts[str(host).lower()] = HostRule(
            concurrency=hr.int("concurrency", 0, 1) if "concurrency" in rule else None,
            min_interval=hr.duration("min_interval", 0.0) if "min_interval" in rule else None,
            soft_404=hr.patterns("soft_404"),
        )
        problems += hr.problems

    history_raw = data.get("history")
    if history_raw is None:
        history = default_history_path(config)
    elif isinstance(history_raw, str) and history_raw.strip():
        history = Path(history_raw)
        if not history.is_absolute():
            history = (config.base_dir / history).resolve()
    else:
        r.err("history", f"must be a file path, got {history_raw!r}")
        history = default_history_path(config)

    timeout = r.duration("timeout", 20.0)
    user_agent = data.get("user_agent", USER_AGENT)
    if not isinstance(user_agent, str) or not user_agent.strip():
        r.err("user_agent", "must be text")
        user_agent = USER_AGENT
    result = LinksConfig(
        history=history,
        allow_private=r.bool("allow_private", False),
        confirm_after=r.int("confirm_after", 2),
        concurrency=r.int("concurrency", 32),
        per_host=r.int("per_host", 4),
        min_interval=r.duration("min_interval", 0.05),
        timeout=timeout,
        connect_timeout=min(r.duration("connect_timeout", 10.0), timeout),
        retries=r.int("retries", 2, minimum=0),
        backoff=r.duration("backoff", 0.5),
        retry_after_cap=r.duration("retry_after_cap", 60.0),
        budget=r.duration("budget", 1800.0),
        max_age=r.duration("max_age", 24 * 3600.0),
        max_body=r.int("max_body", 64 * 1024, minimum=1024),
        max_redirects=r.int("max_redirects", 10),
        apple_limit=min(r.int("apple_limit", 200), 200),
        user_agent=user_agent.strip(),
        exclude=r.patterns("exclude"),
        endpoints=endpoints,
        hosts=hosts,
    )
    problems += r.problems
    if problems:
        raise ConfigError(f"{config.path}: the links: section has {len(problems)} problem(s)", problems)
    return result
