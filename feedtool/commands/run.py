"""``feedtool run``: build + validate + guard + publish, then check links and write reports.

Exit codes: 0 published, no confirmed broken link; 1 feed NOT published (errors
or a publishing guard); 2 usage or config error; 3 another run holds the lock;
4 published, but confirmed broken links; 5 published, but the network was down
so no link was checked (inconclusive).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from feedtool.commands import _style
from feedtool.commands._common import DEFAULT_OUT, add_config_args, print_problems
from feedtool.commands._progress import Progress
from feedtool.config import load_config, state_dir
from feedtool.errors import ExitCode
from feedtool.publish.lock import acquire, lock_path
from feedtool.publish.scheduled import scheduled_run


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "run",
        help="the scheduled job: build, validate, publish, check links, write reports",
        description="Everything a schedule needs, under a lock so overlapping runs never interleave: "
        "build the feed (validated and guarded, written atomically), then check every link and write "
        "the reports (links.json, links.md, links.html, links.txt). One line per stage. Exit 0 published "
        "and links fine, 1 feed NOT published, 2 usage/config error, 3 another run holds the lock, "
        "4 published but confirmed broken links, 5 published but the network was down (links not checked).",
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
        "--reports",
        type=Path,
        metavar="DIR",
        help="where the link reports go (default: STATE_DIR/reports, STATE_DIR being .feedtool/)",
    )
    p.add_argument(
        "--budget",
        type=float,
        default=1800,
        metavar="SECONDS",
        help="time budget for the whole run; links left unchecked then are UNKNOWN (default 1800)",
    )
    p.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait this long for another run holding the lock (default: exit 3 at once)",
    )
    p.add_argument("--skip-links", action="store_true", help="publish only; no link check")
    p.add_argument("--skip-invalid", action="store_true", help="leave episodes with errors out of the feed")
    p.add_argument("--allow-removal", action="store_true", help="this run may remove published episodes")
    p.add_argument("--allow-guid-change", action="store_true", help="this run may change published guids")
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also list every warning (and every error of a left-out episode)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    config = load_config(args.config)
    started = datetime.now(UTC).replace(microsecond=0)
    with acquire(lock_path(state_dir(config)), wait=args.wait), Progress("run") as progress:
        print(
            f"feedtool run {started.isoformat()} config={args.config} episodes={args.episodes} out={args.out}",
            flush=True,
        )

        def log(line: str) -> None:
            progress.clear()  # the status line (a terminal's stderr) never runs into a stage's line
            print(line, flush=True)

        outcome = scheduled_run(
            config,
            args.episodes,
            args.out,
            reports_dir=args.reports,
            budget=args.budget,
            check_links=not args.skip_links,
            skip_invalid=args.skip_invalid,
            allow_removal=args.allow_removal,
            allow_guid_change=args.allow_guid_change,
            log=log,
            progress=progress,
        )
    for stage in outcome.stages:
        # episodes --skip-invalid left out are named even without -v: the feed lacks them
        print_problems(stage.problems, warnings=args.verbose, verbose=args.verbose, stream=sys.stdout)
    role = "good" if outcome.exit_code is ExitCode.OK else "bad"
    print(f"run: {_style.paint(outcome.summary, role)} (exit {int(outcome.exit_code)})")
    return outcome.exit_code
