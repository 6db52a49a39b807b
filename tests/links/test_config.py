from pathlib import Path

import pytest

from feedtool.config import load_config
from feedtool.config.fields import parse_interval
from feedtool.errors import ConfigError
from feedtool.links.config import DEFAULT_ENDPOINTS

from .conftest import write_show


def _load(tmp_path: Path, links: dict, **extra):
    config_path, _ = write_show(tmp_path, {}, links, **extra)
    return load_config(config_path)


def _links(tmp_path: Path, links: dict, **extra):
    return _load(tmp_path, links, **extra).links


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    links = _links(tmp_path, {})
    assert links.allow_private is False
    assert links.confirm_after == 2
    assert links.history == tmp_path / ".feedtool" / "links-history.sqlite"
    assert dict(links.endpoints) == DEFAULT_ENDPOINTS
    assert links.host_interval("itunes.apple.com") == 3.0  # about 20 calls a minute
    assert links.host_concurrency("itunes.apple.com") == 1


def test_history_under_state_dir_and_relative_to_config(tmp_path):
    links = _links(tmp_path, {}, state_dir="state")
    assert links.history == (tmp_path / "state" / "links-history.sqlite").resolve()
    links = _links(tmp_path, {"history": "data/h.sqlite"})
    assert links.history == (tmp_path / "data" / "h.sqlite").resolve()


def test_every_fixed_key_is_read(tmp_path):
    links = _links(
        tmp_path,
        {
            "allow_private": True,
            "confirm_after": 3,
            "history": "/tmp/x.sqlite",
            "concurrency": 64,
            "per_host": 8,
            "timeout": "5s",
            "endpoints": {"youtube_oembed": "http://127.0.0.1:9/yt"},
            "hosts": {"Example.com": {"concurrency": 1, "min_interval": "250ms", "soft_404": ["not found"]}},
            "exclude": ["^https://private\\."],
            "max_age": "7d",
        },
    )
    assert (links.allow_private, links.confirm_after, links.concurrency, links.per_host, links.timeout) == (
        True,
        3,
        64,
        8,
        5.0,
    )
    assert links.endpoints["youtube_oembed"] == "http://127.0.0.1:9/yt"
    assert links.endpoints["apple_lookup"] == DEFAULT_ENDPOINTS["apple_lookup"]
    assert links.host_concurrency("example.com") == 1 and links.host_interval("example.com") == 0.25
    assert links.rule_for("example.com").soft_404[0].search("Page NOT FOUND")
    assert links.is_excluded("https://private.example/") and not links.is_excluded("https://ok.example/")
    assert links.max_age == 7 * 86400


def test_unknown_keys_get_did_you_mean(tmp_path):
    with pytest.raises(ConfigError) as info:
        _load(
            tmp_path,
            {
                "confirm_afterr": 2,
                "endpoints": {"youtube_oembd": "http://x/"},
                "concurrency": 0,
                "timeout": "soon",
            },
        )
    text = str(info.value)
    assert "links.confirm_afterr: unknown key (did you mean 'confirm_after'?)" in text
    assert "links.endpoints.youtube_oembd: unknown key (did you mean 'youtube_oembed'?)" in text
    assert "links.concurrency: must be a whole number >= 1" in text
    assert "links.timeout: expected a duration" in text
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    "text, seconds",
    [(20, 20.0), (0.5, 0.5), ("500ms", 0.5), ("10m", 600.0), ("24h", 86400.0), ("7d", 604800.0)],
)
def test_intervals(text, seconds):
    assert parse_interval(text) == seconds
