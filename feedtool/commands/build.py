"""``feedtool build``: episodes -> feed.xml, chapters/, transcripts/ (atomically)."""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

from feedtool.commands import _style
from feedtool.commands._common import DEFAULT_OUT, add_config_args, print_problems
from feedtool.commands._progress import Progress
from feedtool.config import Config, load_config, state_dir
from feedtool.errors import ExitCode
from feedtool.media.probe import placeholder_host
from feedtool.model import Problem, Severity
from feedtool.publish import fastpath
from feedtool.publish.build import BuildResult, build, people_folder
from feedtool.publish.lock import acquire, lock_path
from feedtool.read.cache import CACHE_DIR
from feedtool.warning_codes import CACHE_DISCARDED


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
        "--offline",
        action="store_true",
        help="no network: the host feed's last good copy and cached enclosure sizes; says what stays unknown",
    )
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
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="list every warning with its file and line (default: one line per warning code)",
    )
    p.set_defaults(handler=run, problem_display=problem_display)


def problem_display(args: argparse.Namespace) -> tuple[bool, bool]:
    """(warnings shown, each one on its own line): ``-q`` none, ``--check`` only with ``-v``."""
    return (not args.quiet and (args.verbose or not args.check), args.verbose)


def run(args: argparse.Namespace) -> ExitCode:
    """Build and print the summary. ``BuildFailed`` (nothing published) propagates:
    ``cli.report_error`` lists its problems (as ``problem_display`` says) and exits 1."""
    config = load_config(args.config)
    # --check only reads, so it needs no lock (and must not create the state folder)
    guard = nullcontext() if args.check else acquire(lock_path(state_dir(config)), wait=args.wait)
    with guard, Progress("build") as progress:
        # the inputs as the build is about to read them: a file saved while it runs is then
        # not recorded as built (the next run sees its new digest and builds it)
        inputs = None if args.check or args.dry_run or args.no_cache else _input_digest(args, config)
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
            progress=progress,
            offline=args.offline,
        )
    out = result.output
    problems = list(out.problems)  # the build has set aside the warnings the show accepts
    if result.cache is not None and result.cache.discarded and CACHE_DISCARDED not in config.warnings_ignore:
        problems.append(
            Problem(
                str(state_dir(config) / CACHE_DIR),
                "cache",
                f"the episode cache was {result.cache.discarded}; it was rebuilt",
                None,
                Severity.WARNING,
                CACHE_DISCARDED,
            )
        )
    warnings, verbose = problem_display(args)
    print_problems(problems, warnings=warnings, verbose=verbose)
    if args.check:
        if result.pending:
            print(
                f"{_style.paint('out of date', 'doubt')}: {len(result.pending)} file(s) would change: "
                + ", ".join(result.pending[:10])
                + (" ..." if len(result.pending) > 10 else "")
            )
            return ExitCode.FAILED
        print(
            f"{_style.paint('up to date', 'good')}: {args.out}/feed.xml and {len(out.files) - 1} other file(s) "
            "match the episodes"
        )
        return ExitCode.OK
    if args.dry_run:
        print(f"dry run: feed.xml would have {result.counts()}; {result.warning_count()}; nothing written")
    else:
        print(f"{_style.paint('built', 'good')} {args.out}/feed.xml: {result.summary()}")
        for notice in result.notices:  # the publish stands whatever they answered
            print(
                notice.line() if notice.ok else f"warning: {notice.line()}",
                file=sys.stdout if notice.ok else sys.stderr,
            )
        if inputs is not None:
            _record_fast_path(args, config, result, inputs)
    return ExitCode.OK


def _input_digest(args: argparse.Namespace, config: Config) -> str:
    return fastpath.input_digest(args.config, args.episodes, people_folder(config, args.episodes))


def _record_fast_path(args: argparse.Namespace, config: Config, result: BuildResult, inputs: str) -> None:
    """The manifest that lets the next unchanged ``build`` skip the work (publish/fastpath.py)."""
    out = result.output
    if any(p.field in ("publish record", "cache") for p in out.problems) or result.cache is None:
        return  # notes of this run only: a rebuild would not print them
    if config.host_feed or config.media_dir:
        return  # the host's feed and media files outside the episodes folder: inputs no hash covers
    if any(
        not placeholder_host(out.manifest[slug].url) for slug in out.unknown_sizes if slug in out.manifest
    ):
        return  # a size a server did not tell (or --offline did not ask): the next build asks again
    now = datetime.now(UTC)
    future = [e.pub_date.timestamp() for e in out.episodes if e.pub_date is not None and e.pub_date > now]
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
        inputs=inputs,
        files=[f.relpath for f in out.files],
        problems=[(p.path, p.field, p.message, p.line, p.severity.value, p.code) for p in items],
        parts=counts,
        cache_files=result.cache.hits + result.cache.parsed if result.cache.path_used else None,
        cache_dir=state_dir(config) / CACHE_DIR if result.cache.path_used else None,
        warnings=result.warning_count(),
        valid_until=min(future, default=None),
    )
