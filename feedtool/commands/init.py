"""``feedtool init --host-feed URL``: a starting config/podcast.yaml from the show's feed at its host.

A show moving to feedtool already has a feed: its channel says the title,
author, owner, artwork, category, language and explicit flag, and its items
carry the guids subscribers' apps know. ``init`` writes a config from the
channel with ``host_feed`` set, so the very first ``feedtool build`` takes the
host's guids (nobody gets a duplicate) and dates. It never overwrites a config.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from feedtool.commands._common import DEFAULT_CONFIG, DEFAULT_EPISODES
from feedtool.config import parse_config
from feedtool.config.categories import check_category
from feedtool.errors import ConfigError, ExitCode, SourceError, UsageError
from feedtool.media.hostfeed import HostChannel, read_channel
from feedtool.media.match import match_items
from feedtool.media.source import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, is_url, public_source, read_source
from feedtool.output import atomic_write
from feedtool.read.episodes import read_episodes
from feedtool.read.shownotes import html_to_text
from feedtool.rss.parse import FeedReadError, read_feed

PLACEHOLDER_PUBLIC_URL = "https://podcast.example.org/"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "init",
        help="write a starting config/podcast.yaml from the show's current feed at its host",
        description="Read the show's feed at its host (a URL or a saved file) and write a starting config "
        "from its channel (title, description, author, owner, artwork, category, language, explicit, "
        "link, podcast:guid) with host_feed set, so the first build keeps the host's guids. With an "
        "episodes folder, report how many episode files match host items. Never overwrites a config. "
        "Exit 0 written, 2 the config exists or the feed cannot be read.",
    )
    parser.add_argument("--host-feed", required=True, metavar="URL", help="the host's RSS feed (URL or file)")
    parser.add_argument(
        "--config",
        type=Path,
        default=Path(DEFAULT_CONFIG),
        metavar="FILE",
        help=f"the config to write (default: {DEFAULT_CONFIG})",
    )
    parser.add_argument(
        "--episodes",
        type=Path,
        metavar="DIR",
        help=f"the episodes folder to match against the host's items (default: {DEFAULT_EPISODES}/ if there)",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="where the output folder will be served (default: a placeholder to edit)",
    )
    parser.set_defaults(handler=run)


def _category(channel: HostChannel) -> tuple[str | None, list[str]]:
    """The first of the host's categories Apple's list knows."""
    skipped: list[str] = []
    for text in channel.categories:
        name, _, sub = text.partition(">")
        if not check_category(name.strip(), sub.strip() or None):
            return text, skipped
        skipped.append(text)
    return None, skipped


def _language(value: str | None) -> str | None:
    if value and re.match(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$", value.strip()):
        return value.strip().lower()
    return None


def config_from_channel(
    channel: HostChannel, host_feed: str, public_url: str | None
) -> tuple[dict[str, Any], list[str]]:
    """The starting config's keys (in the order they are written) and notes on what needs a look."""
    notes: list[str] = []
    data: dict[str, Any] = {"title": channel.title or "TODO: the show's title"}
    if not channel.title:
        notes.append("the host's channel has no <title>: set title")
    # hosts write HTML into the channel description; the config's is plain text
    description = html_to_text(channel.description or "") or channel.title or "TODO: what the show is about"
    data["description"] = description
    data["author"] = channel.author or channel.owner_name or channel.title or "TODO"
    if channel.link:
        data["link"] = channel.link
    else:
        notes.append("the channel has no <link>: set link to the show's website")
    data["public_url"] = public_url or PLACEHOLDER_PUBLIC_URL
    if not public_url:
        notes.append(
            f"public_url is a placeholder ({PLACEHOLDER_PUBLIC_URL}): set it to where the output folder "
            "(public/) will be served before the first publish"
        )
    data["language"] = _language(channel.language) or "en"
    if not _language(channel.language):
        notes.append(f"the channel's language {channel.language!r} is not an ISO 639 code: 'en' written")
    if channel.owner_name or channel.owner_email:
        data["owner"] = {k: v for k, v in (("name", channel.owner_name), ("email", channel.owner_email)) if v}
    if channel.image:
        data["image"] = channel.image
    else:
        notes.append("the channel has no artwork (itunes:image): set image")
    category, skipped = _category(channel)
    data["category"] = category or "Technology"
    if skipped:
        notes.append(f"not on Apple's category list, left out: {', '.join(skipped)}")
    if not category:
        notes.append("no usable category on the host: 'Technology' written; check it")
    data["explicit"] = bool(channel.explicit)
    if channel.show_type in ("episodic", "serial"):
        data["type"] = channel.show_type
    if channel.copyright:
        data["copyright"] = channel.copyright
    if channel.podcast_guid:
        data["podcast_guid"] = channel.podcast_guid  # the show's identity: keep it when the feed moves
    data["host_feed"] = host_feed
    return data, notes


_HEADER = (
    "# Starting config written by `feedtool init` from the show's feed at its host ({source}).\n"
    "# host_feed: every build takes the host's guids, dates and enclosures for episodes whose files\n"
    "# lack them, so moving the feed duplicates nothing in subscribers' apps. Review every value.\n"
)


def render_config(data: dict[str, Any], source: str) -> str:
    body = "".join(
        yaml.safe_dump(
            {key: value}, allow_unicode=True, sort_keys=False, width=4096, default_flow_style=False
        )
        for key, value in data.items()
    )
    return _HEADER.format(source=source) + body


def run(args: argparse.Namespace) -> ExitCode:
    target: Path = args.config
    if target.exists():
        raise UsageError(
            f"{target}: a config is already there; init never overwrites one (move it away first)"
        )
    data = read_source(args.host_feed, timeout=DEFAULT_TIMEOUT, max_bytes=DEFAULT_MAX_BYTES)
    try:
        channel = read_channel(data)
        feed = read_feed(data)
    except FeedReadError as exc:
        raise SourceError(f"{public_source(args.host_feed)}: {exc}") from None
    # a saved feed's path is written relative to the config, as every path in it is read
    host_feed = args.host_feed
    if not is_url(host_feed):
        absolute = Path(host_feed).resolve()
        relative = os.path.relpath(absolute, target.resolve().parent)
        host_feed = relative if not relative.startswith(os.pardir + os.sep + os.pardir) else str(absolute)
    values, notes = config_from_channel(channel, host_feed, args.public_url)
    text = render_config(values, public_source(args.host_feed))
    try:
        parse_config(yaml.safe_load(text), target.resolve())
    except ConfigError as exc:
        notes.append(f"the written config needs fixing before a build: {exc}")
    atomic_write(target, text.encode("utf-8"))
    print(
        f"wrote {target} from {public_source(args.host_feed)}: {channel.title!r}, {len(feed.items)} host items"
    )
    episodes = args.episodes or (Path(DEFAULT_EPISODES) if Path(DEFAULT_EPISODES).is_dir() else None)
    if episodes is not None:
        if not episodes.is_dir():
            raise UsageError(f"{episodes}: episodes folder not found")
        read = read_episodes(episodes)
        result = match_items(read.episodes, feed.items)
        methods = ", ".join(f"{k} {v}" for k, v in sorted(result.by_method().items())) or "none"
        print(
            f"{len(result.matches)} of {len(read.episodes)} episode file(s) in {episodes} match host items "
            f"({methods}); {len(result.unmatched_items)} host item(s) have no episode file, "
            f"{len(result.unmatched_episodes)} episode file(s) no host item"
            + (f", {len(result.ambiguous)} ambiguous" if result.ambiguous else "")
            + (f"; {len(read.failed)} file(s) with errors not matched" if read.failed else "")
        )
        print("  (feedtool import-media HOST_FEED --episodes DIR --dry-run lists every pair and why)")
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"next: feedtool build --config {target}" + (f" --episodes {episodes}" if episodes else ""))
    return ExitCode.OK
