"""The ``links:`` section of the show config, parsed with the rest of the file
(``feedtool.config.load_config``) into the frozen ``Config.links``.

Unknown keys fail with a "did you mean" hint (a typo in a scheduled job's
config must not silently fall back to a default). Durations accept seconds
(``20``, ``0.5``) or text with a unit (``500ms``, ``20s``, ``10m``, ``24h``, ``7d``):
``config_fields.parse_interval``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from feedtool.config.fields import FieldReader, did_you_mean

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
    "platforms",
}
HOST_KEYS = {"concurrency", "min_interval", "soft_404"}

# the platforms an episode file links to (``links:`` in the front matter); ``links.platforms``
# names those the show publishes on, and only those are reported MISSING when TODO or absent
PLATFORMS = ("youtube", "spotify", "apple", "anchor")

USER_AGENT = "feedtool-links/1 (+podcast link health checker)"
HISTORY_FILE = "links-history.sqlite"  # in the state folder unless ``history:`` says otherwise


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
    platforms: tuple[str, ...] = PLATFORMS
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


def parse_links_section(fields: FieldReader, base_dir: Path, state_dir: Path) -> LinksConfig:
    """The ``links:`` section, read by ``fields`` (which collects its problems); ``history``
    resolves against ``base_dir`` (the config's folder) and defaults into ``state_dir``."""
    fields.unknown(KNOWN_KEYS)
    timeout = fields.seconds("timeout", LinksConfig.timeout)
    return LinksConfig(
        history=fields.path("history", base_dir) or state_dir / HISTORY_FILE,
        allow_private=fields.flag("allow_private", LinksConfig.allow_private),
        confirm_after=fields.whole_number("confirm_after", LinksConfig.confirm_after, minimum=1),
        concurrency=fields.whole_number("concurrency", LinksConfig.concurrency, minimum=1),
        per_host=fields.whole_number("per_host", LinksConfig.per_host, minimum=1),
        min_interval=fields.seconds("min_interval", LinksConfig.min_interval),
        timeout=timeout,
        connect_timeout=min(fields.seconds("connect_timeout", LinksConfig.connect_timeout), timeout),
        retries=fields.whole_number("retries", LinksConfig.retries, minimum=0),
        backoff=fields.seconds("backoff", LinksConfig.backoff),
        retry_after_cap=fields.seconds("retry_after_cap", LinksConfig.retry_after_cap),
        budget=fields.seconds("budget", LinksConfig.budget),
        max_age=fields.seconds("max_age", LinksConfig.max_age),
        max_body=fields.whole_number("max_body", LinksConfig.max_body, minimum=1024),
        max_redirects=fields.whole_number("max_redirects", LinksConfig.max_redirects, minimum=1),
        apple_limit=min(fields.whole_number("apple_limit", LinksConfig.apple_limit, minimum=1), 200),
        user_agent=fields.text("user_agent", default=USER_AGENT),
        exclude=fields.patterns("exclude"),
        platforms=_platforms(fields),
        endpoints=_endpoints(fields),
        hosts=_host_rules(fields),
    )


def _platforms(fields: FieldReader) -> tuple[str, ...]:
    """``platforms: [youtube, apple]``: a list of names from ``PLATFORMS`` (``[]``: none)."""
    if "platforms" not in fields.data or fields.data["platforms"] is None:
        return PLATFORMS
    value = fields.data["platforms"]
    if not isinstance(value, list):
        fields.problem("platforms", f"must be a list of platforms ({', '.join(PLATFORMS)}), got {value!r}")
        return PLATFORMS
    chosen: list[str] = []
    for item in value:
        name = str(item).strip().lower()
        if name not in PLATFORMS:
            fields.problem(
                "platforms",
                f"unknown platform {item!r}{did_you_mean(name, PLATFORMS)}; one of {', '.join(PLATFORMS)}",
            )
        elif name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def _endpoints(fields: FieldReader) -> dict[str, str]:
    section = fields.section("endpoints", "a mapping of youtube_oembed, spotify_oembed, apple_lookup to URLs")
    section.unknown(DEFAULT_ENDPOINTS)
    return {key: section.url(key) or default for key, default in DEFAULT_ENDPOINTS.items()}


def _host_rules(fields: FieldReader) -> dict[str, HostRule]:
    """The defaults, with a rule of the config replacing the default for its host."""
    hosts = dict(DEFAULT_HOST_RULES)
    section = fields.section("hosts", "a mapping of host name to {concurrency, min_interval, soft_404}")
    for host, rule in section.data.items():
        if not isinstance(rule, Mapping):
            section.problem(str(host), "must be a mapping with concurrency, min_interval or soft_404")
            continue
        rule_fields = section.section(host)
        rule_fields.unknown(HOST_KEYS)
        hosts[str(host).lower()] = HostRule(
            concurrency=rule_fields.whole_number("concurrency", minimum=1),
            min_interval=rule_fields.seconds("min_interval", None),
            soft_404=rule_fields.patterns("soft_404"),
        )
    return hosts
