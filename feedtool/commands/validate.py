"""``feedtool validate FEED``: check a feed (a file, a URL or standard input) against Apple's and
the Podcasting 2.0 rules.

Exit codes: 0 no errors (warnings allowed), 1 the feed has errors, 2 the file
cannot be read or the URL fetched.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from feedtool.commands import _style
from feedtool.commands._progress import Progress
from feedtool.errors import ExitCode, UsageError
from feedtool.media.source import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, fetch_url, is_url, public_source
from feedtool.read.inputfile import UnreadableFile, read_input
from feedtool.rss.validate import validate_feed


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check a feed against Apple's and the Podcasting 2.0 rules",
        description="Check a podcast RSS feed: well-formed XML, Apple's required tags and limits, unique "
        "guids and enclosures, categories, durations, https for podcast:* URLs, chapter order. Prints one "
        "line per error or warning, then a summary. FEED is a file, an http(s) URL (fetched with a timeout "
        "and a size cap, only from public addresses, as the link checker does) or - for standard input. "
        "Exit 0 when there is no error, 1 when there are errors, 2 when the feed cannot be read.",
    )
    parser.add_argument(
        "feed",
        metavar="FEED",
        help="the feed: a file (for example public/feed.xml), an http(s) URL, or - for stdin",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: one issue per line (default); json: a machine-readable report",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"connect/read timeout for a URL (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        metavar="BYTES",
        help=f"refuse a feed larger than this (default {DEFAULT_MAX_BYTES})",
    )
    parser.add_argument(
        "--allow-private",
        action="store_true",
        help="let a URL reach loopback and private addresses (refused by default, as by the link checker)",
    )
    parser.set_defaults(handler=run)


def _read(args: argparse.Namespace) -> tuple[bytes, str]:
    feed = args.feed
    if feed == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    if is_url(feed):
        with Progress("validate") as progress:
            data = fetch_url(
                feed,
                timeout=args.timeout,
                max_bytes=args.max_bytes,
                allow_private=args.allow_private,
                progress=lambda done, total: progress("fetch", done, total),
            )
        return data, public_source(feed)
    try:
        return read_input(Path(feed), limit=args.max_bytes), feed  # a regular file only, size-capped
    except FileNotFoundError:
        raise UsageError(f"cannot read {feed}: No such file or directory") from None
    except UnreadableFile as exc:
        raise UsageError(f"cannot read {feed}: {exc.reason}") from None


def run(args: argparse.Namespace) -> ExitCode:
    data, name = _read(args)
    report = validate_feed(data, name=name)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for issue in report.issues:
            text = str(issue)
            word = issue.severity
            print(_style.severity(word) + text[len(word) :] if text.startswith(word) else text)
        verdict = "valid" if report.ok else "INVALID"
        summary, head = report.summary(), f"{report.name}: {verdict}"
        if summary.startswith(head):
            summary = (
                f"{report.name}: {_style.paint(verdict, 'good' if report.ok else 'bad')}"
                + summary[len(head) :]
            )
        print(summary)
    return ExitCode.OK if report.ok else ExitCode.FAILED
