"""The link check as one library call: extract -> schedule probes -> history -> Report."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from feedtool.config import Config
from feedtool.errors import ConfigError
from feedtool.links.config import LinksConfig
from feedtool.links.extract import extract
from feedtool.links.history import History, RunRow, UrlState
from feedtool.links.http import HttpClient
from feedtool.links.model import (
    Evidence,
    NetworkState,
    Outcome,
    Place,
    Report,
    Result,
    RunCounts,
    RunInfo,
    RunPoint,
    Target,
    Unchecked,
)
from feedtool.links.normalize import AppleRef, apple_ref, spotify_item, youtube_video_id
from feedtool.links.probes import (
    PROBE_NAMES,
    AppleListing,
    ProbeContext,
    probe_apple_show,
    probe_for,
    request_host,
)
from feedtool.links.scheduler import AttemptResult, Finished, HostLimiter, Job, Lease, RetryPolicy, Scheduler
from feedtool.links.suggest import apple_suggestions
from feedtool.links.verdict import Verdict
from feedtool.model import Audio, Episode


def _give_up(urls: list[str], probe: str) -> Callable[[str, AttemptResult | None], dict[str, Outcome]]:
    """The outcomes when a job stops early (time budget, Retry-After over the cap,
    retries exhausted): UNKNOWN, keeping what the last attempt saw as evidence."""

    def give_up(reason: str, last: AttemptResult | None) -> dict[str, Outcome]:
        if last is None:
            return {url: Outcome(Verdict.UNKNOWN, Evidence(probe, reason=reason)) for url in urls}
        return {
            url: replace(
                o,
                verdict=Verdict.UNKNOWN if o.verdict is not Verdict.OK else o.verdict,
                evidence=replace(o.evidence, reason=f"{reason}; last attempt: {o.evidence.reason}"),
            )
            for url, o in last.value.items()
        }

    return give_up


NETWORK_DOWN_AFTER = 25  # requests without a single status line in answer


def network_looks_down(client: HttpClient) -> str | None:
    """Offline (no DNS, no route), every request fails; checking the rest would only
    spend the run's time on per-host intervals. No link is called broken for it."""
    if client.responses == 0 and client.requests >= NETWORK_DOWN_AFTER:
        return (
            f"the network looks down ({client.requests} requests, not one answered); checked again next run"
        )
    return None


def subject_of(target: Target) -> tuple[str, ...]:
    """What a probe really asks about: a YouTube video, a Spotify item, an Apple show,
    or the URL itself. Targets with one subject share one request (chapter links
    ``watch?v=ID&t=38`` cost nothing beyond the episode's ``watch?v=ID``)."""
    if target.platform == "youtube" and (video := youtube_video_id(target.url)):
        return ("youtube", video)
    if target.platform == "spotify" and (item := spotify_item(target.url)):
        return ("spotify", *item)
    return ("url", target.url)


def _subject_job(ctx: ProbeContext, subject: tuple[str, ...], members: list[Target]) -> Job:
    """One request for every target with one subject: the first URL is probed and its
    outcome applies to all of them."""
    first = members[0]
    probe = probe_for(first.platform, first.url)
    urls = [t.url for t in members]

    def run(lease: Lease, attempt: int) -> AttemptResult:
        result = probe(ctx, lease, first.url)
        return replace(result, value=dict.fromkeys(urls, result.value[first.url]))

    return Job(
        request_host(ctx, first.platform, first.url), run, _give_up(urls, PROBE_NAMES[probe]), key=subject
    )


def _apple_show_job(ctx: ProbeContext, show_id: str, refs: dict[str, AppleRef]) -> Job:
    def run(lease: Lease, attempt: int) -> AttemptResult:
        return probe_apple_show(ctx, lease, show_id, refs)

    return Job(
        request_host(ctx, "apple", next(iter(refs))),
        run,
        _give_up(list(refs), "apple-lookup"),
        key=("apple", show_id),
    )


def build_jobs(targets: Iterable[Target], ctx: ProbeContext) -> list[Job]:
    """One job per subject; Apple: one job per show covers all its episodes."""
    apple: dict[str, dict[str, AppleRef]] = {}
    groups: dict[tuple[str, ...], list[Target]] = {}
    for target in targets:
        ref = apple_ref(target.url) if target.platform == "apple" else None
        if ref is not None:
            apple.setdefault(ref.show_id, {})[target.url] = ref
        else:
            groups.setdefault(subject_of(target), []).append(target)
    jobs = [_subject_job(ctx, subject, members) for subject, members in groups.items()]
    jobs += [_apple_show_job(ctx, show_id, refs) for show_id, refs in apple.items()]
    return jobs


def _change(before: UrlState | None, after: UrlState, verdict: Verdict) -> str | None:
    # broken_since stays set through UNKNOWN runs, so BROKEN -> UNKNOWN -> OK is still "fixed"
    was_broken = before is not None and (
        before.broken_since is not None or before.last_verdict is Verdict.BROKEN
    )
    if verdict is Verdict.BROKEN and after.confirmed:
        return "still-broken" if before is not None and before.confirmed else "newly-broken"
    if verdict.is_success and was_broken:
        return "fixed"
    return None


def _result(
    target: Target, outcome: Outcome, before: UrlState | None, after: UrlState, confirm_after: int
) -> Result:
    verdict = outcome.verdict
    reason = outcome.evidence.reason
    if verdict is Verdict.BROKEN and not after.confirmed:
        reason += (
            f" (suspect: {after.consecutive_failures} of {confirm_after} failing runs needed to confirm)"
        )
    return Result(
        url=target.url,
        verdict=verdict,
        places=target.places,
        reason=reason,
        platform=target.platform,
        confirmed=verdict is Verdict.BROKEN and after.confirmed,
        # an API probe's chain ends at the API, which is not where the link leads
        final_url=outcome.evidence.final_url if outcome.evidence.probe in ("http", "anchor") else None,
        suggestion=outcome.suggestion,
        warning=outcome.warning,
        broken_since=after.broken_since if verdict is Verdict.BROKEN else None,
        consecutive_failures=after.consecutive_failures,
        change=_change(before, after, verdict),
        evidence=outcome.evidence,
    )


def _open_history(path: Path) -> History:
    try:
        return History(path)
    except (sqlite3.Error, OSError) as exc:
        raise ConfigError(
            f"{path}: cannot open the link history database: {exc} (set links.history to a writable path)"
        ) from None


def _select(
    targets: Iterable[Target], states: Mapping[str, UrlState], links: LinksConfig, started: datetime
) -> tuple[list[Result], list[Target]]:
    """(results settled without a request, targets to check): excluded URLs, and recent
    OKs reused from history (``links.max_age``)."""
    settled: list[Result] = []
    to_check: list[Target] = []
    fresh_after = started - timedelta(seconds=links.max_age)
    for target in targets:
        pattern = links.is_excluded(target.url)
        state = states.get(target.url)
        if pattern is not None:
            settled.append(
                Result(
                    target.url,
                    Verdict.EXCLUDED,
                    target.places,
                    f"matches links.exclude pattern {pattern.pattern!r}",
                    target.platform,
                )
            )
        elif (
            state
            and state.last_verdict is Verdict.OK
            and state.last_checked
            and state.last_checked >= fresh_after
            and links.max_age > 0
        ):
            settled.append(
                Result(
                    target.url,
                    Verdict.OK,
                    target.places,
                    f"OK when checked at {state.last_checked:%Y-%m-%d %H:%M} UTC (recent, not re-checked)",
                    target.platform,
                    final_url=state.final_url,
                    cached=True,
                )
            )
        else:
            to_check.append(target)
    return settled, to_check


FLUSH_EVERY = 64  # outcomes buffered before they are written...
FLUSH_AFTER = 0.25  # ...or seconds since the last write


class _Judge:
    """Turns probe outcomes into Results with the history's verdict (suspect or confirmed,
    broken since, change). Outcomes are buffered and written when the scheduler is idle,
    ``FLUSH_EVERY`` at a time or every ``FLUSH_AFTER`` seconds: few transactions of few
    statements, so the dispatcher seldom waits on the database (each statement hands
    the interpreter to the workers, and taking it back costs), and a run killed halfway
    loses at most the last quarter second of results."""

    def __init__(
        self,
        history: History,
        run_id: int,
        started: datetime,
        links: LinksConfig,
        clock: Callable[[], datetime],
        to_check: list[Target],
        progress: Callable[[int, int, Verdict], None] | None,
    ):
        self.history, self.run_id, self.started, self.clock = history, run_id, started, clock
        self.confirm_after = links.confirm_after
        self.by_url = {t.url: t for t in to_check}
        self.total = len(to_check)
        self.results: list[Result] = []  # in the order outcomes were written
        self.progress = progress
        self.done = 0
        self.answered = 0  # URLs whose check got a status line
        self.buffer: list[tuple[str, Outcome]] = []
        self.flushed = time.monotonic()
        # "host does not exist" outcomes, judged once the run shows whether DNS works
        self.deferred: list[tuple[str, Outcome]] = []

    def finished(self, item: Finished) -> None:
        """The scheduler's callback for a finished job (one or several URLs)."""
        for url, outcome in item.value.items():
            if item.attempts > 1:
                outcome = replace(
                    outcome,
                    evidence=replace(
                        outcome.evidence,
                        attempts=item.attempts,
                        reason=f"{outcome.evidence.reason} [{item.attempts} attempts]",
                    ),
                )
            target = self.by_url[url]
            if outcome.needs_network_proof:
                self.deferred.append((url, outcome))
                continue
            if outcome.verdict is Verdict.EXCLUDED:
                self.results.append(
                    Result(
                        url,
                        Verdict.EXCLUDED,
                        target.places,
                        outcome.evidence.reason,
                        target.platform,
                        evidence=outcome.evidence,
                    )
                )
            else:
                self.buffer.append((url, outcome))
            self.done += 1
            if self.progress:
                self.progress(self.done, self.total, outcome.verdict)

    def idle(self) -> None:
        """The scheduler's idle hook: write when enough has finished, or some time has passed."""
        if len(self.buffer) >= FLUSH_EVERY or (
            self.buffer and time.monotonic() - self.flushed >= FLUSH_AFTER
        ):
            self.flush()

    def flush(self) -> None:
        """Write the buffered outcomes in one transaction and turn them into Results."""
        self.flushed = time.monotonic()
        if not self.buffer:
            return
        items, self.buffer = self.buffer, []
        states = self.history.record_many(items, self.clock(), self.run_id, self.started, self.confirm_after)
        for (url, outcome), (before, after) in zip(items, states, strict=True):
            if any(hop.status is not None for hop in outcome.evidence.chain):
                self.answered += 1
            self.results.append(_result(self.by_url[url], outcome, before, after, self.confirm_after))

    def settle_deferred(self, dns_works: bool) -> None:
        """A host that does not exist is BROKEN only if the run resolved some other host
        name: offline, or with DNS down, every name fails that way. (An answer from an
        IP-address URL proves the network, not DNS.)"""
        for url, outcome in self.deferred:
            if not dns_works:
                outcome = replace(
                    outcome,
                    verdict=Verdict.UNKNOWN,
                    evidence=replace(
                        outcome.evidence,
                        reason=f"{outcome.evidence.reason}, but no host name was resolved in this run: "
                        "the network or DNS looks down, so this is not called broken",
                    ),
                )
            self.buffer.append((url, outcome))
        self.deferred = []
        self.flush()


@dataclass(frozen=True)
class _Probed:
    """What the probing step tells the report besides the outcomes."""

    requests: int
    answered: int  # requests that got a status line
    out_of_budget: bool
    peak_in_flight: int
    network: NetworkState
    apple_listings: Mapping[str, tuple[AppleListing, ...]] = field(default_factory=dict)


UNANSWERED_SHARE = 0.5  # most requests unanswered (with at least NETWORK_DOWN_AFTER made): degraded


def network_state(client: HttpClient, breaker: str | None) -> NetworkState:
    """What the run proved about the network (see ``NetworkState``), from the client's tallies
    and the breaker's reason when it tripped."""
    requests, answered = client.requests, client.responses
    if requests and not answered:
        rest = "; the rest were not sent" if breaker else ""
        return NetworkState("down", f"{requests} requests, none answered{rest}")
    if client.name_failures and not client.named_responses:
        return NetworkState(
            "degraded",
            f"no host name could be resolved ({client.name_failures} lookups failed) and only "
            "IP-address URLs answered: DNS looks down, so no host is called missing",
        )
    unanswered = requests - answered
    if requests >= NETWORK_DOWN_AFTER and unanswered >= UNANSWERED_SHARE * requests:
        return NetworkState("degraded", f"{unanswered} of {requests} requests got no answer")
    return NetworkState("ok")


def _probe(to_check: list[Target], links: LinksConfig, judge: _Judge) -> _Probed:
    """Schedule and run the probes of ``to_check``; ``judge`` gets every outcome."""
    client = HttpClient(links)
    limiter = HostLimiter(
        links.concurrency, links.host_concurrency, links.host_interval, slowdown_base=links.backoff
    )
    scheduler = Scheduler(
        limiter,
        RetryPolicy(links.retries, links.backoff, links.retry_after_cap),
        links.budget,
        network_down=partial(network_looks_down, client),
    )
    ctx = ProbeContext(client, links)
    scheduler.run(build_jobs(to_check, ctx), judge.finished, judge.idle)
    judge.flush()
    judge.settle_deferred(dns_works=client.named_responses > 0)
    return _Probed(
        client.requests,
        client.responses,
        scheduler.out_of_budget,
        limiter.max_global_in_flight,
        network_state(client, scheduler.all_tripped),
        dict(ctx.apple_listings),
    )


def _unchecked_results(
    unchecked: Iterable[Unchecked], suggestions: Mapping[Place, tuple[str, str]] | None = None
) -> list[Result]:
    """MISSING places one by one (with the URL to put there, when the run found it);
    INVALID values once each, with every place, like checked URLs."""
    results: list[Result] = []
    invalid: dict[str, list[Unchecked]] = {}
    for item in unchecked:
        if item.verdict is Verdict.INVALID and item.value is not None:
            invalid.setdefault(item.value, []).append(item)
        elif suggestions and item.place in suggestions:
            url, why = suggestions[item.place]
            results.append(
                Result(item.value, item.verdict, (item.place,), f"{item.reason}; {why}", suggestion=url)
            )
        else:
            results.append(Result(item.value, item.verdict, (item.place,), item.reason))
    for value, items in invalid.items():
        results.append(
            Result(value, Verdict.INVALID, tuple(dict.fromkeys(i.place for i in items)), items[0].reason)
        )
    return results


def _assemble(
    results: list[Result],
    started: datetime,
    duration: float,
    checked: int,
    probed: _Probed,
    links: LinksConfig,
    episodes: tuple[Episode, ...],
    previous: RunRow | None,
    past_runs: tuple[RunPoint, ...] = (),
) -> Report:
    """The Report: results worst first, the run's counts and figures, episode titles."""
    results = sorted(results, key=lambda r: (r.verdict.rank, not r.confirmed, r.url or "", r.places))
    counts = RunCounts.of(results, checked=checked, requests=probed.requests)
    run = RunInfo(
        started,
        duration,
        counts,
        probed.requests,
        probed.out_of_budget,
        str(links.history),
        probed.peak_in_flight,
        probed.network,
        probed.answered,
    )
    titles = {e.slug: e.title for e in episodes}
    now = RunPoint(started, counts.confirmed_broken, counts.suspect, counts.verdicts[Verdict.OK])
    return Report(run, tuple(results), titles, previous.started if previous else None, (*past_runs, now))


CHART_RUNS = 60  # recorded runs the HTML report's chart shows at most


def past_run_points(history: History, run_id: int) -> tuple[RunPoint, ...]:
    """The finished runs before this one (the newest ``CHART_RUNS - 1``), for the chart."""
    points = [
        RunPoint(
            row.started,
            row.counts.get("confirmed_broken", 0),
            row.counts.get("suspect", 0),
            row.counts.get(Verdict.OK.value, 0),
        )
        for row in history.runs()
        if row.id < run_id and row.status != "running"
    ]
    return tuple(points[-(CHART_RUNS - 1) :])


def check_links(
    episodes: Iterable[Episode],
    config: Config | None,
    links: LinksConfig,
    *,
    manifest: Mapping[str, Audio] | None = None,
    progress: Callable[[int, int, Verdict], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Report:
    """Check every link of ``episodes``; record history; return the Report."""
    episodes = tuple(episodes)
    started, t0 = clock(), time.monotonic()
    extracted = extract(episodes, config, manifest, platforms=links.platforms)
    history = _open_history(links.history)
    try:
        run_id = history.start_run(started)
        previous = history.previous_run(run_id)
        states = history.states(t.url for t in extracted.targets)
        settled, to_check = _select(extracted.targets, states, links, started)
        if on_start:
            on_start(len(to_check))
        judge = _Judge(history, run_id, started, links, clock, to_check, progress)
        probed = _probe(to_check, links, judge)
        report = _assemble(
            settled
            + judge.results
            + _unchecked_results(
                extracted.unchecked,
                apple_suggestions(extracted.unchecked, episodes, probed.apple_listings, extracted.targets),
            ),
            started,
            round(time.monotonic() - t0, 3),
            judge.answered,
            probed,
            links,
            episodes,
            previous,
            past_run_points(history, run_id),
        )
        status = "budget-exhausted" if probed.out_of_budget else "finished"
        history.finish_run(run_id, clock(), report.run.duration, report.run.counts.as_dict(), status)
        return report
    finally:
        history.close()
