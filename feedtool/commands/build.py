"""``feedtool build``: episodes -> feed.xml, chapters/, transcripts/ (atomically)."""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from pathlib import Path

from feedtool.commands._common import DEFAULT_OUT, add_config_args, print_problems
from feedtool.config import load_config, state_dir
from feedtool.errors import ExitCode
from feedtool.publish.build import build
from feedtool.publish.lock import acquire, lock_path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "build",
        help="build the feed, chapters and transcripts",
        description="Read the episodes, derive chapters and transcripts, render the feed, validate it, "
        "and only then write OUT/feed.xml, OUT/chapters/SLUG.json, OUT/transcripts/SLUG.{vtt,srt,json} "
        "and the show page OUT/index.html, OUT/episodes/SLUG.html atomically. Exit 0 published, 1 errors (nothing written), 2 usage/config error.",
    )
    add_config_args(p)
    p.add_argument(
        "--out",
        type=Path,
        default=Path(DEFAULT_OUT),
        metavar="DIR",
        help=f"output folder (default: {DEFAULT_OUT}/)",
    )
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="leave episodes with errors out of the feed instead of failing the build",
    )
    p.add_argument("--dry-run", action="store_true", help="run every check and guard, write nothing")
    p.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when the outputs are out of date (or the build has errors), writing nothing",
    )
    p.add_argument("--no-cache", action="store_true", help="ignore the episode cache and do not write it")
    p.add_argument(
        "--allow-removal",
        action="store_true",
        help="publish even though published episodes disappear or the count drops (this run only)",
    )
    p.add_argument(
        "--allow-guid-change",
        action="store_true",
        help="publish even though a published episode's guid changes (this run only)",
    )
    p.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait this long for another run holding the lock (default: fail at once, exit 3)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only, not warnings")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    """Build and print the summary. ``BuildFailed`` (nothing published) propagates:
    ``cli.report_error`` lists its problems (honouring ``--quiet``) and exits 1."""
    config = load_config(args.config)
    # --check only reads, so it needs no lock (and must not create the state folder)
    guard = nullcontext() if args.check else acquire(lock_path(state_dir(config)), wait=args.wait)
    with guard:
        result = build(
            config,
            args.episodes,
            args.out,
            skip_invalid=args.skip_invalid,
            dry_run=args.dry_run,
            check=args.check,
            use_cache=not args.no_cache,
            allow_removal=args.allow_removal,
            allow_guid_change=args.allow_guid_change,
        )
    out = result.output
    print_problems(out.problems, warnings=not args.quiet)
    if result.cache is not None and result.cache.discarded and not args.quiet:
        print(f"warning: the episode cache was {result.cache.discarded}; it was rebuilt", file=sys.stderr)
    with_chapters = sum(1 for i in out.items if i.chapters)
    with_transcripts = sum(1 for i in out.items if i.transcripts)
    parts = [
        f"{len(out.items)} episodes",
        f"{with_chapters} with chapters",
        f"{with_transcripts} with transcripts",
    ]
    if out.skipped:
        parts.append(f"{len(out.skipped)} drafts skipped")
    if out.left_out:
        parts.append(f"{len(out.left_out)} left out with errors")
    warnings = len(out.warnings)
    if result.cache is not None and result.cache.path_used:
        parts.append(f"{result.cache.misses} parsed, {result.cache.hits} from cache")
    if args.check:
        if result.pending:
            print(
                f"out of date: {len(result.pending)} file(s) would change: {', '.join(result.pending[:10])}"
                + (" ..." if len(result.pending) > 10 else "")
            )
            return ExitCode.FAILED
        print(f"up to date: {args.out}/feed.xml and {len(out.files) - 1} other file(s) match the episodes")
        return ExitCode.OK
    if args.dry_run:
        print(f"dry run: feed.xml would have {', '.join(parts)}; {warnings} warning(s); nothing written")
    else:
        pub = result.published
        print(
            f"built {args.out}/feed.xml: {', '.join(parts)}; {len(pub.written)} file(s) written, "
            f"{len(pub.unchanged)} unchanged; {warnings} warning(s)"
        )
        for notice in result.notices:  # the publish stands whatever they answered
            print(
                notice.line() if notice.ok else f"warning: {notice.line()}",
                file=sys.stdout if notice.ok else sys.stderr,
            )
    return ExitCode.OK
