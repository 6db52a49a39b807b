"""The link check as one library call: extract -> schedule probes -> history -> Report."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial

from feedtool.config import Config
from feedtool.errors import ConfigError
from feedtool.links.config import LinksConfig
from feedtool.links.extract import extract
from feedtool.links.history import History, UrlState
from feedtool.links.http import HttpClient
from feedtool.links.model import Evidence, Outcome, Report, Result, RunInfo, Target
from feedtool.links.normalize import apple_ref, spotify_item, youtube_video_id
from feedtool.links.probes import PROBE_NAMES, ProbeContext, probe_apple_show, probe_for, request_host
from feedtool.links.scheduler import AttemptResult, Finished, HostLimiter, Job, RetryPolicy, Scheduler
from feedtool.links.verdict import Verdict
from feedtool.model import Audio, Episode

REPORT_VERSION = 1


def _give_up(urls: list[str], probe: str):
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


def subject_of(target: Target) -> tuple:
    """What a probe really asks about: a YouTube video, a Spotify item, an Apple show,
    or the URL itself. Targets with one subject share one request (chapter links
    ``watch?v=ID&t=38`` cost nothing beyond the episode's ``watch?v=ID``)."""
    if target.platform == "youtube" and (video := youtube_video_id(target.url)):
        return ("youtube", video)
    if target.platform == "spotify" and (item := spotify_item(target.url)):
        return ("spotify", *item)
    return ("url", target.url)


def build_jobs(targets: Iterable[Target], ctx: ProbeContext) -> list[Job]:
    """One job per subject; Apple: one job per show covers all its episodes."""
    jobs: list[Job] = []
    apple: dict[str, dict] = {}
    groups: dict[tuple, list[Target]] = {}
    for target in targets:
        ref = apple_ref(target.url) if target.platform == "apple" else None
        if ref is not None:
            apple.setdefault(ref.show_id, {})[target.url] = ref
        else:
            groups.setdefault(subject_of(target), []).append(target)
    for subject, members in groups.items():
        first = members[0]
        probe = probe_for(first.platform, first.url)
        urls = [t.url for t in members]

        def run(lease, attempt, url=first.url, probe=probe, urls=urls):
            result = probe(ctx, lease, url)
            outcome = result.value[url]
            return replace(result, value=dict.fromkeys(urls, outcome))

        jobs.append(
            Job(
                request_host(ctx, first.platform, first.url),
                run,
                _give_up(urls, PROBE_NAMES[probe]),
                key=subject,
            )
        )
    for show_id, refs in apple.items():

        def run(lease, attempt, show_id=show_id, refs=refs):
            return probe_apple_show(ctx, lease, show_id, refs)

        jobs.append(
            Job(
                request_host(ctx, "apple", next(iter(refs))),
                run,
                _give_up(list(refs), "apple-lookup"),
                key=("apple", show_id),
            )
        )
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
    extracted = extract(episodes, config, manifest)
    try:
        history = History(links.history)
    except (sqlite3.Error, OSError) as exc:
        raise ConfigError(
            f"{links.history}: cannot open the link history database: {exc} "
            "(set links.history to a writable path)"
        ) from None
    try:
        run_id = history.start_run(started)
        previous = history.previous_run(run_id)
        states = history.states(t.url for t in extracted.targets)
        results: list[Result] = []
        to_check: list[Target] = []
        fresh_after = started - timedelta(seconds=links.max_age)
        for target in extracted.targets:
            pattern = links.is_excluded(target.url)
            state = states.get(target.url)
            if pattern is not None:
                results.append(
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
                results.append(
                    Result(
                        target.url,
                        Verdict.OK,
                        target.places,
                        f"OK when checked at {state.last_checked:%Y-%m-%d %H:%M} UTC "
                        "(recent, not re-checked)",
                        target.platform,
                        final_url=state.final_url,
                        cached=True,
                    )
                )
            else:
                to_check.append(target)
        by_url = {t.url: t for t in to_check}
        client = HttpClient(links)
        ctx = ProbeContext(client, links)
        limiter = HostLimiter(
            links.concurrency, links.host_concurrency, links.host_interval, slowdown_base=links.backoff
        )
        scheduler = Scheduler(
            limiter,
            RetryPolicy(links.retries, links.backoff, links.retry_after_cap),
            links.budget,
            network_down=partial(network_looks_down, client),
        )
        done = 0
        if on_start:
            on_start(len(to_check))

        def finished(item: Finished) -> None:
            nonlocal done
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
                target = by_url[url]
                if outcome.needs_network_proof:
                    deferred.append((url, outcome))
                    continue
                if outcome.verdict is Verdict.EXCLUDED:
                    results.append(
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
                    record(url, outcome)
                done += 1
                if progress:
                    progress(done, len(to_check), outcome.verdict)

        def record(url: str, outcome: Outcome) -> None:
            before, after = history.record(url, outcome, clock(), run_id, started, links.confirm_after)
            results.append(_result(by_url[url], outcome, before, after, links.confirm_after))

        deferred: list[tuple[str, Outcome]] = []
        scheduler.run(build_jobs(to_check, ctx), finished)
        for url, outcome in deferred:
            if not client.responses:
                outcome = replace(
                    outcome,
                    verdict=Verdict.UNKNOWN,
                    evidence=replace(
                        outcome.evidence,
                        reason=f"{outcome.evidence.reason}, but no host answered in this run: "
                        "the network or DNS looks down, so this is not called broken",
                    ),
                )
            record(url, outcome)
        invalid: dict[str, list] = {}
        for item in extracted.unchecked:
            if item.verdict is Verdict.INVALID and item.value is not None:
                invalid.setdefault(item.value, []).append(item)
            else:
                results.append(Result(item.value, item.verdict, (item.place,), item.reason))
        for value, items in invalid.items():  # one result per value, like checked URLs
            results.append(
                Result(value, Verdict.INVALID, tuple(dict.fromkeys(i.place for i in items)), items[0].reason)
            )
        results.sort(key=lambda r: (r.verdict.rank, not r.confirmed, r.url or "", r.places))
        counts = dict(Counter(r.verdict.value for r in results))
        counts.update(
            total=len(results),
            checked=len(to_check),
            cached=sum(r.cached for r in results),
            confirmed_broken=sum(r.is_confirmed_broken for r in results),
            suspect=sum(r.verdict is Verdict.BROKEN and not r.confirmed for r in results),
            newly_broken=sum(r.change == "newly-broken" for r in results),
            fixed=sum(r.change == "fixed" for r in results),
            requests=client.requests,
        )
        duration = round(time.monotonic() - t0, 3)
        history.finish_run(
            run_id, clock(), duration, counts, "budget-exhausted" if scheduler.out_of_budget else "finished"
        )
        run = RunInfo(
            started,
            duration,
            counts,
            client.requests,
            scheduler.out_of_budget,
            str(links.history),
            limiter.max_global_in_flight,
        )
        titles = {e.slug: e.title for e in episodes}
        return Report(run, tuple(results), titles, previous.started if previous else None)
    finally:
        history.close()
