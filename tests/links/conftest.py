"""Fixtures: the loopback simulator and a tiny show (config + episode files) in tmp_path."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest
import yaml

from .simulator import Simulator


@pytest.fixture
def sim():
    simulator = Simulator()
    yield simulator
    simulator.close()


@pytest.fixture
def offline_dns(monkeypatch):
    """Name lookups fail as on a machine without DNS ("Name or service not known"), except
    ``localhost``; IP addresses connect as usual. No query leaves the machine."""
    real = socket.getaddrinfo

    def lookup(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        try:
            ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            if name != "localhost":
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)


def fast_links(sim: Simulator, history: Path, **extra) -> dict:
    """A links: section for tests: loopback allowed, endpoints on the simulator,
    short timeouts and backoffs so faults cost milliseconds."""
    section = {
        "allow_private": True,
        "history": str(history),
        "concurrency": 8,
        "per_host": 4,
        "timeout": "1s",
        "connect_timeout": "1s",
        "retries": 2,
        "backoff": "10ms",
        "retry_after_cap": "2s",
        "min_interval": 0,
        "max_age": 0,
        "endpoints": {
            "youtube_oembed": sim.url("/yt/oembed"),
            "spotify_oembed": sim.url("/sp/oembed"),
            "apple_lookup": sim.url("/apple/lookup"),
        },
    }
    section.update(extra)
    return section


def write_show(
    root: Path, episodes: dict[str, dict], links: dict, body: dict[str, str] | None = None, **config_extra
) -> tuple[Path, Path]:
    """Write config.yaml and episodes/*.md; return (config path, episodes folder)."""
    folder = root / "episodes"
    folder.mkdir(parents=True, exist_ok=True)
    config = {
        "title": "Test Show",
        "description": "A show",
        "link": "https://show.example/",
        "public_url": "https://show.example/",
        "author": "Host",
        "language": "en",
        "image": "https://show.example/cover.jpg",
        "category": "Technology",
        "links": links,
    }
    config.update(config_extra)
    config_path = root / "config.yaml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    for i, (slug, data) in enumerate(episodes.items()):
        front = {"title": f"Episode {slug}", "dateadded": f"2024-01-{i + 1:02d}"}
        front.update(data)
        text = (
            "---\n" + yaml.safe_dump(front, sort_keys=False) + "---\n\n" + (body or {}).get(slug, "") + "\n"
        )
        (folder / f"{slug}.md").write_text(text, encoding="utf-8")
    return config_path, folder


def run_check(
    root: Path,
    sim: Simulator,
    episodes: dict[str, dict],
    body: dict[str, str] | None = None,
    history_path: Path | None = None,
    **links_extra,
):
    """Write a show, run the library check once, return the Report."""
    from feedtool.config import load_config
    from feedtool.links import check_links
    from feedtool.read.episodes import read_episodes

    config_path, folder = write_show(
        root, episodes, fast_links(sim, history_path or root / "history.sqlite", **links_extra), body
    )
    config = load_config(config_path)
    read = read_episodes(folder)
    assert not read.failed, read.problems
    return check_links(read.episodes, config, config.links)


def body_links(sim: Simulator, *paths: str) -> str:
    return "\n".join(f"- [link {i}]({sim.url(p)})" for i, p in enumerate(paths))


def result_for(report, url: str):
    matches = [r for r in report.results if r.url == url]
    assert matches, f"no result for {url}: {[r.url for r in report.results]}"
    return matches[0]
