"""``feedtool import-media SOURCE [--episodes DIR]``: record the host's media files and guids in DIR/media.yaml."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC
from pathlib import Path

from feedtool.commands._common import DEFAULT_CONFIG, add_episodes_arg
from feedtool.commands._progress import Progress
from feedtool.config import load_config
from feedtool.errors import ExitCode, SourceError, UsageError
from feedtool.media.importer import format_report, plan_import
from feedtool.media.source import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, public_source, read_source
from feedtool.read.episodes import read_episodes
from feedtool.read.media_manifest import load_entries, manifest_path, render_manifest, write_manifest
from feedtool.rss.parse import FeedReadError, read_feed


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import-media",
        help="match a host's RSS feed to the episodes and write DIR/media.yaml",
        description="Read a host's RSS feed (Anchor / Spotify for Creators, Libsyn, Buzzsprout...), match its "
        "items to episode files (Anchor episode id, then guid, then normalised title) and write the enclosure "
        "URL, length, type, duration and the host's guid per episode to DIR/media.yaml. Episode files are "
        "not touched. Exit 0: everything matched; 1: written, but something did not match (see the report); "
        "2: the feed, config or existing media.yaml cannot be read (nothing written).",
    )
    parser.add_argument("source", metavar="SOURCE", help="URL or file path of the host's RSS feed")
    add_episodes_arg(parser)
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help=f"the show's config, for its time zone (default: {DEFAULT_CONFIG} when it exists, else UTC)",
    )
    parser.add_argument("--dry-run", action="store_true", help="report and show the manifest, write nothing")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"connect/read timeout for a URL source (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        metavar="BYTES",
        help=f"refuse a feed larger than this (default {DEFAULT_MAX_BYTES})",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    episodes_dir = Path(args.episodes)
    if not episodes_dir.is_dir():
        raise UsageError(f"{episodes_dir}: episodes folder not found")
    config_path = args.config or (Path(DEFAULT_CONFIG) if Path(DEFAULT_CONFIG).is_file() else None)
    tz = load_config(config_path).tz if config_path else UTC
    previous = load_entries(episodes_dir)  # a damaged media.yaml stops here, before anything is fetched
    with Progress("import-media") as progress:
        data = read_source(
            args.source,
            timeout=args.timeout,
            max_bytes=args.max_bytes,
            progress=lambda done, total: progress("fetch", done, total),
        )
    try:
        feed = read_feed(data)
    except FeedReadError as exc:
        raise SourceError(f"{args.source}: {exc}") from None
    plan = plan_import(feed, read_episodes(episodes_dir, None, tz), previous)
    source = public_source(args.source)
    sys.stdout.write(format_report(plan, source, episodes_dir))
    target = manifest_path(episodes_dir)
    if args.dry_run:
        sys.stdout.write(f"\ndry run: {target} not written; it would contain:\n")
        sys.stdout.write(render_manifest(plan.entries, source))
    elif write_manifest(episodes_dir, plan.entries, source):
        sys.stdout.write(f"\nwrote {target} ({len(plan.entries)} entries)\n")
    else:
        sys.stdout.write(f"\n{target} unchanged ({len(plan.entries)} entries)\n")
    return ExitCode.OK if plan.complete else ExitCode.FAILED
