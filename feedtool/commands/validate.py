"""``feedtool validate FEED``: check a feed file against Apple's and the Podcasting 2.0 rules.

Exit codes: 0 no errors (warnings allowed), 1 the feed has errors, 2 the file
cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from feedtool.errors import ExitCode, UsageError
from feedtool.rss.validate import validate_feed


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check a feed against Apple's and the Podcasting 2.0 rules",
        description="Check a podcast RSS feed: well-formed XML, Apple's required tags and limits, unique "
        "guids and enclosures, categories, durations, https for podcast:* URLs, chapter order. Prints one "
        "line per error or warning, then a summary. Exit 0 when there is no error, 1 when there are "
        "errors, 2 when the file cannot be read.",
    )
    parser.add_argument(
        "feed", metavar="FEED", help="the feed file (for example public/feed.xml), or - for stdin"
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: one issue per line (default); json: a machine-readable report",
    )
    parser.set_defaults(handler=run)


def _read(feed: str) -> tuple[bytes, str]:
    if feed == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    try:
        return Path(feed).read_bytes(), feed
    except OSError as exc:
        raise UsageError(f"cannot read {feed}: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> ExitCode:
    data, name = _read(args.feed)
    report = validate_feed(data, name=name)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for issue in report.issues:
            print(issue)
        print(report.summary())
    return ExitCode.OK if report.ok else ExitCode.FAILED
