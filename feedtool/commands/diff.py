"""``feedtool diff OLD NEW``: what subscribers would see change between two feed files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from feedtool.commands import _style
from feedtool.errors import ExitCode, UsageError
from feedtool.read.inputfile import UnreadableFile, read_input
from feedtool.rss.diff import diff_feeds
from feedtool.rss.diff_report import format_text, to_json
from feedtool.rss.parse import FeedReadError, ParsedFeed, read_feed


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="subscriber-facing diff between two feed files",
        description="List added, removed and changed episodes between two RSS feed files, including guid "
        "and enclosure changes. Exit 0: nothing would hurt subscribers; 1: an episode was removed, a guid "
        "or enclosure URL changed, or a guid is duplicated; 2: a file cannot be read.",
    )
    parser.add_argument(
        "old", metavar="OLD", help="the feed subscribers have now (e.g. the published feed.xml)"
    )
    parser.add_argument("new", metavar="NEW", help="the feed that would replace it")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def _load(path_text: str) -> ParsedFeed:
    path = Path(path_text)
    try:
        data = read_input(path)  # a regular file only, size-capped: a pipe or device never ends
    except FileNotFoundError:
        raise UsageError(f"{path}: cannot read: No such file or directory") from None
    except UnreadableFile as exc:
        raise UsageError(f"{path}: cannot read: {exc.reason}") from None
    try:
        return read_feed(data)
    except FeedReadError as exc:
        raise UsageError(f"{path}: {exc}") from None


def run(args: argparse.Namespace) -> ExitCode:
    diff = diff_feeds(_load(args.old), _load(args.new))
    if args.format == "json":
        json.dump(to_json(diff), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        text = format_text(diff, args.old, args.new)
        for verdict, role in (("\nHURTS SUBSCRIBERS", "bad"), ("\nSafe for subscribers", "good")):
            text = text.replace(verdict, "\n" + _style.paint(verdict[1:], role), 1)
        sys.stdout.write(text)
    return ExitCode.FAILED if diff.hurts_subscribers else ExitCode.OK
