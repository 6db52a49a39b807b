"""Paths and small builders shared by the host-feed, matching, diff, import and transcript tests."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from types import ModuleType
from xml.sax.saxutils import escape, quoteattr

FIXTURES = Path(__file__).parent / "fixtures" / "host"
HOST_FEED = FIXTURES / "anchor_feed.xml"
EPISODES = FIXTURES / "episodes"

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"


def item_xml(
    guid: str | None = "g1",
    title: str = "Episode one",
    url: str | None = "https://cdn.example.org/1.mp3",
    length: int | None = 1000,
    mime: str = "audio/mpeg",
    date: str = "Mon, 22 Jan 2024 17:00:00 GMT",
    duration: str | None = "3600",
    extra: str = "",
) -> str:
    parts = [f"<title>{escape(title)}</title>"]
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{escape(guid)}</guid>')
    if date:
        parts.append(f"<pubDate>{date}</pubDate>")
    if url is not None:
        length_attr = f" length={quoteattr(str(length))}" if length is not None else ""
        parts.append(f"<enclosure url={quoteattr(url)}{length_attr} type={quoteattr(mime)}/>")
    if duration is not None:
        parts.append(f"<itunes:duration>{duration}</itunes:duration>")
    parts.append(extra)
    return "<item>" + "".join(parts) + "</item>"


def feed_xml(
    *items: str,
    title: str = "The Show",
    podcast_guid: str = "5a7b1c1e-0000-5000-8000-000000000001",
    itunes_ns: str = ITUNES,
    podcast_ns: str = PODCAST,
    channel_extra: str = "",
) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:itunes="{itunes_ns}" '
        f'xmlns:podcast="{podcast_ns}"><channel><title>{escape(title)}</title>'
        f"<link>https://show.example.org/</link><description>About the show</description>"
        f"<language>en</language><itunes:author>Host</itunes:author>"
        f'<itunes:image href="https://show.example.org/cover.jpg"/>'
        f'<itunes:category text="Technology"/><podcast:guid>{podcast_guid}</podcast:guid>'
        f"{channel_extra}{''.join(items)}</channel></rss>\n"
    ).encode()


# --- a show whose feed lives at a host (host_feed, media probes, migration tests) ---------------------


def anchor_link(episode_id: str, title: str = "Episode") -> str:
    """An Anchor / Spotify for Creators item link ending in the episode id (``e1abc23``)."""
    return f"<link>https://podcasters.spotify.com/pod/show/theshow/episodes/{title}-{episode_id}</link>"


def write_host_show(root: Path, episodes: dict[str, str], **config: object) -> tuple[Path, Path, Path]:
    """config/podcast.yaml (state in root/state, loopback allowed), episodes/NAME.md from front matter
    text, and the output folder; returns (config, episodes, out)."""
    import yaml

    (root / "config").mkdir(parents=True, exist_ok=True)
    folder = root / "episodes"
    folder.mkdir(exist_ok=True)
    data: dict[str, object] = {
        "title": "The Show",
        "description": "About the show",
        "link": "https://show.example.org/",
        "public_url": "https://feeds.example.org/show/",
        "author": "Host",
        "language": "en",
        "image": "https://show.example.org/cover.jpg",
        "category": "Technology",
        "episode_url": "https://show.example.org/episodes/{slug}.html",
        "state_dir": "../state",
        "links": {"allow_private": True, "timeout": "2s", "connect_timeout": "1s"},
    }
    data.update(config)
    (root / "config" / "podcast.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    for name, front in episodes.items():
        (folder / f"{name}.md").write_text(f"---\n{front.strip()}\n---\n\nShow notes of {name}.\n")
    return root / "config" / "podcast.yaml", folder, root / "public"


def set_config(config: Path, **changes: object) -> None:
    import yaml

    data = yaml.safe_load(config.read_text())
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    config.write_text(yaml.safe_dump(data, sort_keys=False))


def feed_items(path: Path) -> dict[str, dict[str, object]]:
    """title -> guid, enclosure, length, type, date, duration of a built feed."""
    from feedtool.rss.parse import read_feed

    return {
        str(i.title): {
            "guid": i.guid,
            "url": i.enclosure_url,
            "length": i.enclosure_length,
            "type": i.enclosure_type,
            "date": i.pub_date.isoformat() if i.pub_date else None,
            "duration": i.duration,
        }
        for i in read_feed(path.read_bytes()).items
    }


def silent_mp3(frames: int = 100) -> bytes:
    """A real MPEG-1 Layer III stream: ``frames`` silent frames at 128 kbit/s, 44.1 kHz (417 bytes,
    1152 samples each), so ``frames=100`` lasts 100 * 1152 / 44100 = 2.612 s."""
    header = bytes([0xFF, 0xFB, 0x90, 0x64])
    return (header + bytes(417 - len(header))) * frames


def show_argv(show: Path, *extra: str, command: str = "build", out: Path | None = None) -> list[str]:
    """``COMMAND --config --episodes --out`` for a copy of a show (``config/``, ``episodes/``),
    into its ``public/`` unless ``out`` is given."""
    return [
        command,
        "--config",
        str(show / "config" / "podcast.yaml"),
        "--episodes",
        str(show / "episodes"),
        "--out",
        str(out or show / "public"),
        *extra,
    ]


def build_show(show: Path, *extra: str) -> int:
    """``feedtool build`` in-process on a copy of a show into its ``public/``; the exit code."""
    from feedtool.cli import main

    return main(show_argv(show, *extra))


TRANSCRIPT_BENCH = Path(__file__).parents[1] / "bench" / "transcripts.py"


@functools.cache
def old_transcript_writer() -> ModuleType:
    """The old per-word transcript writer, kept verbatim in bench/transcripts.py as the benchmark's
    baseline: the reference the golden and property tests compare the new writer with."""
    spec = importlib.util.spec_from_file_location("bench_transcripts", TRANSCRIPT_BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
