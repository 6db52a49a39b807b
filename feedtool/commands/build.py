"""``feedtool build``: episodes -> feed.xml, chapters/, transcripts/ (atomically)."""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

from feedtool.commands._common import DEFAULT_OUT, add_config_args, print_problems
from feedtool.config import Config, load_config, state_dir
from feedtool.errors import ExitCode
from feedtool.publish import fastpath
from feedtool.publish.build import BuildResult, build, people_folder
from feedtool.publish.lock import acquire, lock_path
from feedtool.read.cache import CACHE_DIR


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "build",
        help="build the feed, chapters and transcripts",
        description="Read the episodes, derive chapters and transcripts, render the feed, validate it, "
        "and only then write OUT/feed.xml, OUT/chapters/SLUG.json and OUT/transcripts/SLUG.{vtt,srt,json} "
        "atomically. Exit 0 published, 1 errors (nothing written), 2 usage/config error.",
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
        if not args.no_cache:
            _record_fast_path(args, config, result)
    return ExitCode.OK


def _record_fast_path(args: argparse.Namespace, config: Config, result: BuildResult) -> None:
    """The manifest that lets the next unchanged ``build`` skip the work (publish/fastpath.py)."""
    out = result.output
    if any(p.field in ("publish record", "cache") for p in out.problems) or result.cache is None:
        return  # notes of this run only: a rebuild would not print them
    now = datetime.now(UTC)
    future = [e.pub_date.timestamp() for e in out.episodes if e.pub_date > now]
    items = sorted(out.problems, key=lambda p: (not p.is_error, p.path, p.line or 0, p.field))
    counts = result.counts().split(", ")
    if result.cache.path_used:
        counts = counts[:-2]  # "N parsed", "M from cache": a rebuild takes them all from the cache
    fastpath.record(
        state_dir(config),
        config_path=args.config,
        episodes=args.episodes,
        out=args.out,
        skip_invalid=args.skip_invalid,
        people=people_folder(config, args.episodes),
        files=[f.relpath for f in out.files],
        problems=[(p.is_error, str(p)) for p in items],
        parts=counts,
        cache_files=result.cache.hits + result.cache.misses if result.cache.path_used else None,
        cache_dir=state_dir(config) / CACHE_DIR if result.cache.path_used else None,
        warnings=len(out.warnings),
        valid_until=min(future, default=None),
    )
