"""``feedtool links``: check every outbound link of the episodes and report what broke.

Exit codes: 0 no confirmed broken link, 1 confirmed broken link(s), 2 usage or
config error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from feedtool.commands import _style
from feedtool.commands._common import add_config_args
from feedtool.config import load_config
from feedtool.errors import ExitCode, UsageError
from feedtool.links import Verdict, check_links
from feedtool.links.progress import ProgressBar
from feedtool.links.report import FORMATS, render
from feedtool.output import atomic_write
from feedtool.publish.build import open_cache, read_show
from feedtool.read.media_manifest import load_manifest


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "links",
        help="check every outbound link for real availability and report what broke",
        description="Check platform links (YouTube, Spotify, Apple, Anchor), show-note, guest, chapter, "
        "image and enclosure links; remember the history; report what broke. Exit codes: 0 no confirmed "
        "broken link, 1 confirmed broken links, 2 usage or config error.",
    )
    add_config_args(parser)
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="report format (default: %(default)s)"
    )
    parser.add_argument("--output", help="write the report to FILE instead of standard output")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    config = load_config(args.config)
    folder = Path(args.episodes)
    if not folder.is_dir():
        raise UsageError(f"{folder}: episodes folder not found (pass --episodes DIR)")
    read = read_show(config, folder, open_cache(config, folder))
    if read.failed:
        print(
            f"note: {len(read.failed)} episode file(s) have errors and were not checked "
            "(feedtool build lists them)",
            file=sys.stderr,
        )
    bar: ProgressBar | None = None

    def on_start(total: int) -> None:
        nonlocal bar
        bar = ProgressBar(total, enabled=False if args.no_progress else None)

    def progress(done: int, total: int, verdict: Verdict) -> None:
        if bar is not None:
            bar.advance(broken=int(verdict is Verdict.BROKEN))

    try:
        report = check_links(
            read.episodes,
            config,
            config.links,
            manifest=load_manifest(folder),
            progress=progress,
            on_start=on_start,
        )
    finally:
        if bar is not None:
            bar.close()
    text = render(report, args.format)
    if args.output:
        atomic_write(Path(args.output), text.encode("utf-8"))
        # what was written, and the text report's summary line, so the run is not silent
        summary = render(report, "text").partition("\n")[0]
        print(f"wrote {args.output} ({args.format} report)\n{summary}")
    else:
        sys.stdout.write(_style.verdicts(text) if args.format == "text" else text)
    return ExitCode.FAILED if report.confirmed_broken else ExitCode.OK
