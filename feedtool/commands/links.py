"""``feedtool links``: check every outbound link of the episodes and report what broke.

Exit codes: 0 no confirmed broken link, 1 confirmed broken link(s), 2 usage or
config error, 5 the network was down so nothing was checked (inconclusive).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from feedtool.commands import _style
from feedtool.commands._common import add_config_args

if TYPE_CHECKING:
    from feedtool.errors import ExitCode
    from feedtool.links.model import Report

# the keys of feedtool.links.report.FORMATS (a test holds them equal), written out so that
# building this parser (``feedtool links --help``) imports none of the checker
FORMAT_CHOICES = ("text", "json", "markdown", "html")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "links",
        help="check every outbound link for real availability and report what broke",
        description="Check platform links (YouTube, Spotify, Apple, Anchor), show-note, guest, chapter, "
        "image and enclosure links; remember the history; report what broke. Exit codes: 0 no confirmed "
        "broken link, 1 confirmed broken links, 2 usage or config error, 5 the network was down so "
        "nothing was checked (inconclusive).",
    )
    add_config_args(parser)
    parser.add_argument(
        "--format", choices=FORMAT_CHOICES, default="text", help="report format (default: %(default)s)"
    )
    parser.add_argument("--output", help="write the report to FILE instead of standard output")
    parser.add_argument(
        "--all",
        action="store_true",
        help="list every link in the text and Markdown reports, OK ones too (default: problems "
        "first, UNKNOWN grouped by reason, OK only counted)",
    )
    parser.add_argument(
        "--fix",
        action="store_true",
        help="write the suggestions the run proved (permanent redirects, Apple links the lookup "
        "lists) into the episode files, changing only those values; lists what changed on stderr",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    from feedtool.config import load_config
    from feedtool.errors import ExitCode, UsageError
    from feedtool.links import Verdict, check_links
    from feedtool.links.progress import ProgressBar
    from feedtool.links.report import render
    from feedtool.output import atomic_write
    from feedtool.read.media_manifest import load_manifest
    from feedtool.read.show import open_cache, read_show

    config = load_config(args.config)
    folder = Path(args.episodes)
    if not folder.is_dir():
        raise UsageError(f"{folder}: episodes folder not found (pass --episodes DIR)")
    # the links from the Markdown tokens, no HTML rendered (cached episodes as they are)
    read = read_show(config, folder, open_cache(config, folder), render_html=False)
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
    text = render(report, args.format, full=args.all)
    if args.output:
        atomic_write(Path(args.output), text.encode("utf-8"))
        # what was written, and the text report's summary line, so the run is not silent
        summary = render(report, "text").partition("\n")[0]
        print(f"wrote {args.output} ({args.format} report)\n{summary}")
    else:
        sys.stdout.write(_style.verdicts(text) if args.format == "text" else text)
        sys.stdout.flush()
    if args.fix:
        _fix(report, {e.slug: e.path for e in read.episodes})
    if report.run.network.is_down:
        return ExitCode.INCONCLUSIVE
    return ExitCode.FAILED if report.confirmed_broken else ExitCode.OK


def _fix(report: Report, files: dict[str, Path]) -> None:
    """``--fix``: apply the accepted suggestions and list each change (and each one left alone)."""
    from feedtool.links.fix import apply_fixes
    from feedtool.links.report.escaping import show_controls

    outcome = apply_fixes(report, files)
    for change in outcome.changed:
        old = "(absent)" if change.old is None else show_controls(change.old)
        print(
            f"fixed {change.path}:{change.line}: {change.field}: {old} -> {show_controls(change.new)}",
            file=sys.stderr,
        )
    for item in outcome.not_fixed:
        print(
            f"not fixed: {show_controls(item.place.episode)} {show_controls(item.place.field)}: "
            f"{show_controls(item.suggestion)} ({item.why})",
            file=sys.stderr,
        )
    files_changed = len({c.path for c in outcome.changed})
    print(
        f"--fix: {len(outcome.changed)} value(s) changed in {files_changed} file(s), "
        f"{len(outcome.not_fixed)} suggestion(s) left for you",
        file=sys.stderr,
    )
