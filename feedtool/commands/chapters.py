"""``feedtool chapters FILE``: one episode's chapters in a chosen format."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from feedtool.commands._common import print_problems
from feedtool.errors import ExitCode, UsageError
from feedtool.read.episodes import read_episode
from feedtool.render import chapters as ch
from feedtool.warning_codes import accept

FORMATS = ("json", "psc", "youtube", "text")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "chapters",
        help="print an episode's chapters (json, psc, youtube, text)",
        description="Derive chapters from an episode's transcript headers (or explicit markers) and print "
        "them. 'youtube' is paste-ready description text meeting YouTube's rules (first at 0:00, at least "
        "three chapters, each at least 10 s). Exit 0 printed, 1 no chapters possible or file errors.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="an episode .md file")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("-q", "--quiet", action="store_true", help="do not print warnings")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    if not args.file.exists():  # a command line to fix (exit 2), like a missing episodes folder
        raise UsageError(f"{args.file}: episode file not found (pass an episode .md file)")
    episode, problems = read_episode(args.file)
    if episode is None:
        print_problems(problems, verbose=True)
        return ExitCode.FAILED
    chapters, chapter_problems = ch.derive_chapters(episode)
    # one file: every warning on its own line, less those the episode accepts (ignore_warnings:)
    shown, _accepted = accept([*problems, *chapter_problems], (), [episode])
    print_problems(shown, warnings=not args.quiet, verbose=True)
    if not chapters:
        print(
            f"{args.file}: no chapters: the episode has no transcript headers and no quotableClips",
            file=sys.stderr,
        )
        return ExitCode.FAILED
    if args.format == "json":
        sys.stdout.write(ch.to_json(chapters, title=episode.title))
    elif args.format == "psc":
        sys.stdout.write(ch.to_psc(chapters))
    elif args.format == "text":
        sys.stdout.write(ch.to_text(chapters))
    else:
        yt = ch.to_youtube(chapters, episode.duration)
        for note in yt.notes:
            print(f"note: {note}", file=sys.stderr)
        if not yt.ok:
            print(f"{args.file}: cannot make YouTube chapters", file=sys.stderr)
            return ExitCode.FAILED
        sys.stdout.write(yt.text)
    # an error printed above (from a guest's profile, say) fails the command, as its help says
    return ExitCode.FAILED if any(p.is_error for p in [*problems, *chapter_problems]) else ExitCode.OK
