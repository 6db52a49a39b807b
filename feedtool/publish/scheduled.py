"""``feedtool run``: the one command a schedule (cron, systemd, CI) calls.

Stages, each reported in one line: build (read, render, validate, guard,
publish atomically), then link health (check, history, reports). The link
check runs only after the feed is safely published, so a slow or flaky web
never holds back a new episode; a feed that was not published stops the run.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from feedtool.config import Config, state_dir
from feedtool.errors import BuildFailed, ExitCode
from feedtool.links import check_links as run_check
from feedtool.links.report import FORMATS
from feedtool.model import Problem
from feedtool.output import atomic_write, remove_stale_temporaries
from feedtool.publish.build import BuildResult, build

RunProgress = Callable[[str, int, int], None]  # (stage step, done, total)


@dataclass(frozen=True)
class StageOutcome:
    name: str
    summary: str
    seconds: float
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class RunOutcome:
    stages: tuple[StageOutcome, ...]
    published: bool
    confirmed_broken: int = 0
    reports: tuple[Path, ...] = ()
    network: str = "ok"  # the link check's run.network: ok, degraded or down

    @property
    def exit_code(self) -> ExitCode:
        """FAILED: the feed was not published; INCONCLUSIVE: published, but the network was
        down so no link was checked; LINKS_BROKEN: published, but links are confirmed broken."""
        if not self.published:
            return ExitCode.FAILED
        if self.network == "down":
            return ExitCode.INCONCLUSIVE
        return ExitCode.LINKS_BROKEN if self.confirmed_broken else ExitCode.OK

    @property
    def summary(self) -> str:
        if not self.published:
            return "feed NOT published"
        if self.network == "down":
            return "feed published; network down: links not checked"
        if self.confirmed_broken:
            return f"feed published; {self.confirmed_broken} confirmed broken link(s)"
        return "feed published; no confirmed broken link"


def default_reports_dir(config: Config) -> Path:
    return state_dir(config) / "reports"


def _build_summary(result: BuildResult, out_dir: Path) -> str:
    return f"published {out_dir / 'feed.xml'}: {result.summary()}"


def scheduled_run(
    config: Config,
    episodes_dir: Path,
    out_dir: Path,
    *,
    reports_dir: Path | None = None,
    budget: float = 1800.0,
    check_links: bool = True,
    skip_invalid: bool = False,
    allow_removal: bool = False,
    allow_guid_change: bool = False,
    log: Callable[[str], None] = print,
    progress: RunProgress | None = None,
) -> RunOutcome:
    """Build and publish, then check links and write the reports. Logs one line per stage.

    ``progress`` (for a terminal) is told each stage's steps: the build's (see
    ``publish.build.build``) and ``("links", done, total)`` per link checked."""
    started = time.monotonic()
    stages: list[StageOutcome] = []
    try:
        result = build(
            config,
            episodes_dir,
            out_dir,
            skip_invalid=skip_invalid,
            allow_removal=allow_removal,
            allow_guid_change=allow_guid_change,
            progress=progress,
        )
    except BuildFailed as exc:
        stage = StageOutcome("build", f"NOT published: {exc}", time.monotonic() - started, exc.problems)
        log(f"build: {stage.summary} ({stage.seconds:.1f} s)")
        return RunOutcome((stage,), published=False)
    stage = StageOutcome(
        "build", _build_summary(result, out_dir), time.monotonic() - started, result.output.problems
    )
    stages.append(stage)
    log(f"build: {stage.summary} ({stage.seconds:.1f} s)")
    for notice in result.notices:  # WebSub / Podping: reported, never a failed run
        log(f"notify: {notice.line()}")
    if not check_links:
        log("links: skipped (--skip-links)")
        return RunOutcome(tuple(stages), published=True)

    links_started = time.monotonic()
    remaining = max(1.0, budget - (links_started - started))
    links_config = dataclasses.replace(config.links, budget=min(config.links.budget, remaining))
    # the episodes and media manifest the build just read: nothing is read twice
    report = run_check(
        result.output.episodes,
        config,
        links_config,
        manifest=result.output.manifest,
        progress=(lambda done, total, _verdict: progress("links", done, total)) if progress else None,
    )
    reports_dir = reports_dir or default_reports_dir(config)
    # what a run killed while writing them left behind (this run holds the lock)
    remove_stale_temporaries(reports_dir, {f"links{fmt.suffix}" for fmt in FORMATS.values()})
    written = []
    unwritten: list[Problem] = []
    for fmt in FORMATS.values():
        path = reports_dir / f"links{fmt.suffix}"
        try:
            atomic_write(path, fmt.render(report).encode("utf-8"))
        except OSError as exc:  # a full disk: the feed is out and the verdicts stand, say so
            unwritten.append(
                Problem(
                    str(path), "reports", f"cannot write it: {exc.strerror or exc}; the next run writes it"
                )
            )
            continue
        written.append(path)
    by_name = sorted(report.run.counts.verdicts.items(), key=lambda item: item[0].value)
    counts = ", ".join(f"{n} {verdict.value}" for verdict, n in by_name if n)
    broken = len(report.confirmed_broken)
    budget_note = "; time budget ran out, the rest is UNKNOWN" if report.run.budget_exhausted else ""
    where = f"{len(unwritten)} report(s) NOT written in" if unwritten else "reports in"
    network = report.run.network.headline()
    stage = StageOutcome(
        "links",
        (f"{network}; " if network else "")
        + f"{len(report.results)} links: {counts}; {broken} confirmed broken"
        f"{budget_note}; {where} {reports_dir}",
        time.monotonic() - links_started,
        tuple(unwritten),
    )
    stages.append(stage)
    log(f"links: {stage.summary} ({stage.seconds:.1f} s)")
    return RunOutcome(
        tuple(stages),
        published=True,
        confirmed_broken=broken,
        reports=tuple(written),
        network=report.run.network.state,
    )
