"""Platform probes: how to ask whether a URL really works.

A 200 from a platform's page proves nothing (YouTube serves 200 for removed
videos), so each platform is asked through the API that tells the truth:
YouTube and Spotify oEmbed, the iTunes Lookup API for Apple Podcasts, the
redirect chain for Anchor / Spotify for Creators, and HEAD-then-GET for
everything else. Each probe returns an ``AttemptResult`` whose value maps
URL -> ``Outcome``; ``transient=True`` asks the scheduler for a retry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from feedtool.links.config import LinksConfig
from feedtool.links.http import REDIRECT_STATUSES, Chain, HttpClient, Response
from feedtool.links.model import Evidence, Outcome
from feedtool.links.normalize import AppleRef, apple_ref, host_key, host_of, spotify_item, youtube_video_id
from feedtool.links.scheduler import AttemptResult, Lease
from feedtool.links.verdict import Verdict

_BOT_WALL_MARKERS = (
    "captcha",
    "cf-chl",
    "just a moment",
    "challenge",
    "are you a robot",
    "access denied",
    "unusual traffic",
)
HTTP_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    999: "Request denied (bot wall)",
}


@dataclass(frozen=True)
class AppleListing:
    """One episode an iTunes lookup listed: what a suggestion for a missing Apple link needs."""

    show_id: str
    track_id: str
    title: str
    released: date | None
    url: str  # the episode's page, Apple's tracking parameters dropped


@dataclass(frozen=True)
class ProbeContext:
    client: HttpClient
    config: LinksConfig
    # show id -> the episodes its lookup listed, filled in as lookups answer (one writer per show)
    apple_listings: dict[str, tuple[AppleListing, ...]] = field(default_factory=dict)


# A single-URL probe: (context, the job's lease, URL) -> the attempt's outcome for that URL
Probe = Callable[[ProbeContext, Lease, str], AttemptResult]


def _status(code: int | None) -> str:
    if code is None:
        return "no response"
    return f"{code} {HTTP_REASONS.get(code, '')}".strip()


def _outcome(
    url: str,
    verdict: Verdict,
    probe: str,
    chain: Chain | None,
    reason: str,
    suggestion: str | None = None,
    warning: str | None = None,
    transient: bool = False,
    retry_after: float | None = None,
) -> AttemptResult:
    evidence = Evidence(
        probe=probe,
        chain=chain.hops if chain else (),
        final_url=chain.final.url if chain and chain.final.status is not None else None,
        elapsed=round(chain.elapsed, 4) if chain else 0.0,
        reason=reason,
    )
    return AttemptResult({url: Outcome(verdict, evidence, suggestion, warning)}, transient, retry_after)


def _failure(url: str, probe: str, chain: Chain, first_hop: bool) -> AttemptResult:
    """A chain that ended without a status line: timeouts, resets, DNS, refusals."""
    response = chain.final
    kind = response.error_kind
    if kind == "nxdomain":
        result = _outcome(url, Verdict.BROKEN, probe, chain, response.error or "host does not exist")
        return AttemptResult({url: replace(result.value[url], needs_network_proof=True)})
    if kind == "blocked":
        verdict = Verdict.EXCLUDED if first_hop else Verdict.UNKNOWN
        prefix = "" if first_hop else "redirect target refused: "
        return _outcome(url, verdict, probe, chain, prefix + (response.error or "address refused"))
    return _outcome(
        url,
        Verdict.UNKNOWN,
        probe,
        chain,
        f"{response.error} (not the link's fault)",
        transient=response.transient,
    )


def _transient_status(url: str, probe: str, chain: Chain, what: str) -> AttemptResult:
    final = chain.final
    if final.status == 429:
        after = final.retry_after()
        note = f"; Retry-After {after:g} s" if after is not None else ""
        return _outcome(
            url,
            Verdict.UNKNOWN,
            probe,
            chain,
            f"{what} rate-limited us (429{note})",
            transient=True,
            retry_after=after,
        )
    return _outcome(
        url,
        Verdict.UNKNOWN,
        probe,
        chain,
        f"{what} answered {_status(final.status)} (server trouble, not the link's fault)",
        transient=True,
        retry_after=final.retry_after(),
    )


def _looks_like_bot_wall(response: Response) -> bool:
    text = response.body[:8192].decode("utf-8", errors="replace").lower()
    return any(marker in text for marker in _BOT_WALL_MARKERS)


def judge_chain(
    url: str, chain: Chain, probe: str, soft_404: Sequence[re.Pattern[str]] = ()
) -> AttemptResult:
    """The generic verdict for a followed chain (also used by the Anchor probe)."""
    final = chain.final
    if chain.error:
        return _outcome(
            url,
            Verdict.UNKNOWN,
            probe,
            chain,
            f"{chain.error} (often a cookie or bot wall; a browser may still get through)",
        )
    if final.status is None:
        return _failure(url, probe, chain, first_hop=len(chain.responses) == 1)
    status = final.status
    redirects = sum(r.status in REDIRECT_STATUSES for r in chain.responses)
    via = f" after {redirects} redirect(s)" if redirects else ""
    if 200 <= status < 300:
        text = final.body.decode("utf-8", errors="replace")
        for pattern in soft_404:
            if pattern.search(text):
                return _outcome(
                    url,
                    Verdict.BROKEN,
                    probe,
                    chain,
                    f"{status} but the page matches soft-404 pattern {pattern.pattern!r}",
                )
        moved = chain.permanent_target()
        if moved and moved != url:
            return _outcome(
                url,
                Verdict.REDIRECTED,
                probe,
                chain,
                f"moved permanently ({chain.responses[0].status}) to {moved}",
                suggestion=moved,
            )
        return _outcome(url, Verdict.OK, probe, chain, f"{status}{via}")
    if status in (404, 410):
        return _outcome(url, Verdict.BROKEN, probe, chain, f"{_status(status)}{via}")
    if status in (408, 425, 429) or (status >= 500 and status != 999):
        return _transient_status(url, probe, chain, "the server")
    if status == 999:
        return replace(
            _outcome(
                url,
                Verdict.UNKNOWN,
                probe,
                chain,
                "999: bot wall (LinkedIn-style refusal of automated requests), not proof of a broken link",
            ),
            host_refusal="999",
        )
    if status == 403:
        wall = _looks_like_bot_wall(final)
        result = _outcome(
            url,
            Verdict.UNKNOWN,
            probe,
            chain,
            f"403 Forbidden{' with a challenge page' if wall else ''}"
            ": a bot wall or access rule, not proof of a broken link",
        )
        return replace(result, host_refusal="403 challenge page") if wall else result
    if status == 401:
        return _outcome(url, Verdict.UNKNOWN, probe, chain, "401: the page needs a login")
    return _outcome(url, Verdict.UNKNOWN, probe, chain, f"unexpected answer {_status(status)}{via}")


def _merge(first: Chain, second: Chain) -> Chain:
    return Chain(first.responses + second.responses, second.error, second.error_kind)


def probe_http(ctx: ProbeContext, lease: Lease, url: str, probe: str = "http") -> AttemptResult:
    """HEAD, falling back to GET when HEAD is refused; GET with a capped body when the
    host has soft-404 patterns (they need the page text)."""
    patterns = ctx.config.rule_for(host_of(url)).soft_404
    if patterns:
        chain = ctx.client.follow(lease, url, "GET", read_body=ctx.config.max_body)
        return judge_chain(url, chain, probe, patterns)
    head = ctx.client.follow(lease, url, "HEAD")
    status = head.final.status
    refused = (
        (status is not None and status >= 400 and status not in (404, 410, 429))
        or (status is None and head.final.error_kind in ("reset", "protocol"))
        or head.error_kind == "loop"
    )
    if not refused:
        return judge_chain(url, head, probe, patterns)
    get = ctx.client.follow(lease, url, "GET", read_body=min(ctx.config.max_body, 8192))
    return judge_chain(url, _merge(head, get), probe, patterns)


def probe_anchor(ctx: ProbeContext, lease: Lease, url: str) -> AttemptResult:
    """Anchor moved to podcasters.spotify.com, then creators.spotify.com: follow the
    chain, judge the final hop, and treat "episode redirects to the show page" as gone."""
    result = probe_http(ctx, lease, url, probe="anchor")
    outcome = result.value[url]
    final = outcome.evidence.final_url
    if (
        outcome.verdict in (Verdict.OK, Verdict.REDIRECTED)
        and final
        and "/episodes/" in urlsplit(url).path
        and "/episodes/" not in urlsplit(final).path
    ):
        evidence = Evidence(
            outcome.evidence.probe,
            outcome.evidence.chain,
            final,
            outcome.evidence.elapsed,
            f"the episode now redirects to {final} (the show page): episode removed",
        )
        return AttemptResult({url: Outcome(Verdict.BROKEN, evidence)})
    if (
        outcome.verdict is Verdict.REDIRECTED
        and outcome.suggestion
        and host_of(outcome.suggestion) != host_of(url)
    ):
        evidence = Evidence(
            outcome.evidence.probe,
            outcome.evidence.chain,
            final,
            outcome.evidence.elapsed,
            f"the episode moved to {host_of(outcome.suggestion)}: use {outcome.suggestion}",
        )
        return AttemptResult({url: Outcome(Verdict.REDIRECTED, evidence, outcome.suggestion)})
    return result


def _oembed(
    ctx: ProbeContext,
    lease: Lease,
    url: str,
    endpoint: str,
    subject: str,
    probe: str,
    extra: dict[str, str] | None = None,
) -> tuple[Chain, object | None]:
    query = urlencode({"url": subject, **(extra or {})})
    sep = "&" if "?" in endpoint else "?"
    chain = ctx.client.follow(
        lease,
        f"{endpoint}{sep}{query}",
        "GET",
        read_body=ctx.config.max_body,
        headers={"Accept": "application/json"},
    )
    data = None
    if chain.final.status == 200:
        try:
            data = chain.final.json()
        except (ValueError, UnicodeDecodeError):
            data = None
    return chain, data


def probe_youtube(ctx: ProbeContext, lease: Lease, url: str) -> AttemptResult:
    """YouTube oEmbed: 200 available, 401 embedding disabled (available), 403 private,
    404 removed, 400 bad id. A 200 whose body is not JSON proves nothing."""
    video = youtube_video_id(url)
    if video is None:
        return probe_http(ctx, lease, url)
    subject = f"https://www.youtube.com/watch?v={video}"
    chain, data = _oembed(
        ctx, lease, url, ctx.config.endpoints["youtube_oembed"], subject, "youtube-oembed", {"format": "json"}
    )
    status = chain.final.status
    probe = "youtube-oembed"
    if status is None or chain.error:
        return judge_chain(url, chain, probe)
    if status == 200:
        if isinstance(data, dict):
            return _outcome(url, Verdict.OK, probe, chain, f"video {video} is available")
        return _outcome(
            url,
            Verdict.UNKNOWN,
            probe,
            chain,
            "oEmbed answered 200 without JSON (YouTube did this for private videos once)",
        )
    if status == 401:
        return _outcome(
            url,
            Verdict.OK,
            probe,
            chain,
            f"video {video} is available",
            warning="embedding is disabled for this video (oEmbed 401)",
        )
    if status == 403:
        return _outcome(url, Verdict.BROKEN, probe, chain, f"video {video} is private (oEmbed 403)")
    if status == 404:
        return _outcome(
            url, Verdict.BROKEN, probe, chain, f"video {video} was removed or never existed (oEmbed 404)"
        )
    if status == 400:
        return _outcome(
            url, Verdict.BROKEN, probe, chain, f"YouTube rejects the video id {video!r} (oEmbed 400)"
        )
    if status == 429 or status >= 500:
        return _transient_status(url, probe, chain, "YouTube oEmbed")
    return _outcome(url, Verdict.UNKNOWN, probe, chain, f"unexpected oEmbed answer {_status(status)}")


def probe_spotify(ctx: ProbeContext, lease: Lease, url: str) -> AttemptResult:
    """Spotify oEmbed: 200 with JSON available; 404/400 gone; 429/5xx unknown."""
    item = spotify_item(url)
    if item is None:
        return probe_http(ctx, lease, url)
    kind, ident = item
    probe = "spotify-oembed"
    chain, data = _oembed(
        ctx,
        lease,
        url,
        ctx.config.endpoints["spotify_oembed"],
        f"https://open.spotify.com/{kind}/{ident}",
        probe,
    )
    status = chain.final.status
    if status is None or chain.error:
        return judge_chain(url, chain, probe)
    if status == 200:
        if isinstance(data, dict):
            return _outcome(url, Verdict.OK, probe, chain, f"{kind} {ident} is available")
        return _outcome(url, Verdict.UNKNOWN, probe, chain, "oEmbed answered 200 without JSON")
    if status in (400, 404):
        return _outcome(
            url,
            Verdict.BROKEN,
            probe,
            chain,
            f"Spotify does not know {kind} {ident} (oEmbed {status}): removed or unpublished",
        )
    if status == 429 or status >= 500:
        return _transient_status(url, probe, chain, "Spotify oEmbed")
    return _outcome(url, Verdict.UNKNOWN, probe, chain, f"unexpected oEmbed answer {_status(status)}")


def apple_lookup_url(config: LinksConfig, show_id: str) -> str:
    endpoint = config.endpoints["apple_lookup"]
    sep = "&" if "?" in endpoint else "?"
    return f"{endpoint}{sep}" + urlencode(
        {"id": show_id, "entity": "podcastEpisode", "limit": config.apple_limit}
    )


def probe_apple_show(
    ctx: ProbeContext, lease: Lease, show_id: str, urls: dict[str, AppleRef]
) -> AttemptResult:
    """One iTunes lookup for a show settles all its episode URLs: the ``?i=`` id must be a
    ``trackId``. When the answer holds fewer episodes than the limit it is the whole
    show, so absence means unpublished (BROKEN); at the limit, older episodes may just be
    beyond the window, so absence is UNKNOWN."""
    probe = "apple-lookup"
    chain = ctx.client.follow(
        lease,
        apple_lookup_url(ctx.config, show_id),
        "GET",
        read_body=max(ctx.config.max_body, 4 * 1024 * 1024),
        headers={"Accept": "application/json"},
    )
    status = chain.final.status

    def every(
        verdict: Verdict, reason: str, transient: bool = False, retry_after: float | None = None
    ) -> AttemptResult:
        outcomes: dict[str, Outcome] = {}
        for url in urls:
            outcomes.update(_outcome(url, verdict, probe, chain, reason).value)
        return AttemptResult(outcomes, transient, retry_after)

    if status is None or chain.error:
        inner = judge_chain(show_id, chain, probe)
        seen = inner.value[show_id]
        verdict = Verdict.UNKNOWN if seen.verdict is Verdict.BROKEN else seen.verdict
        return every(verdict, f"iTunes lookup: {seen.evidence.reason}", inner.transient, inner.retry_after)
    if status == 429 or status >= 500:
        first = _transient_status(show_id, probe, chain, "the iTunes lookup")
        return every(Verdict.UNKNOWN, first.value[show_id].evidence.reason, True, first.retry_after)
    if status != 200:
        # the lookup endpoint failing says nothing about the episode
        return every(Verdict.UNKNOWN, f"the iTunes lookup answered {_status(status)}")
    try:
        data = chain.final.json()
        results = data["results"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return every(Verdict.UNKNOWN, "the iTunes lookup answered 200 without the expected JSON")
    shows = [
        r
        for r in results
        if isinstance(r, dict)
        and str(r.get("collectionId")) == show_id
        and r.get("wrapperType") != "podcastEpisode"
    ]
    episodes = [
        r
        for r in results
        if isinstance(r, dict)
        and (r.get("wrapperType") == "podcastEpisode" or r.get("kind") == "podcast-episode")
    ]
    track_ids = {str(r.get("trackId")) for r in episodes}
    ctx.apple_listings[show_id] = tuple(
        listing for r in episodes if (listing := _listing(show_id, r)) is not None
    )
    complete = len(episodes) < ctx.config.apple_limit
    outcomes: dict[str, Outcome] = {}
    for url, ref in urls.items():
        if not shows and not episodes:
            verdict, reason = Verdict.BROKEN, f"Apple knows no podcast with id {show_id}"
        elif ref.episode_id is None:
            verdict, reason = Verdict.OK, f"podcast {show_id} is listed"
        elif ref.episode_id in track_ids:
            verdict, reason = Verdict.OK, f"episode {ref.episode_id} is listed in podcast {show_id}"
        elif complete:
            verdict, reason = (
                Verdict.BROKEN,
                (
                    f"episode {ref.episode_id} is not among the {len(episodes)} "
                    f"episodes Apple lists for podcast {show_id}: unpublished"
                ),
            )
        else:
            verdict, reason = (
                Verdict.UNKNOWN,
                (
                    f"episode {ref.episode_id} is not among the newest "
                    f"{len(episodes)} episodes; the lookup cannot see older ones"
                ),
            )
        outcomes.update(_outcome(url, verdict, probe, chain, reason).value)
    return AttemptResult(outcomes)


def _listing(show_id: str, entry: dict) -> AppleListing | None:
    """An ``AppleListing`` from one lookup result, or None when it lacks the id or title."""
    track, title = entry.get("trackId"), entry.get("trackName")
    if track is None or not isinstance(title, str) or not title.strip():
        return None
    released = None
    if isinstance(entry.get("releaseDate"), str):
        try:
            released = date.fromisoformat(entry["releaseDate"][:10])
        except ValueError:
            released = None
    page = entry.get("trackViewUrl")
    if isinstance(page, str) and apple_ref(page) is not None:
        parts = urlsplit(page)
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k == "i"])
        page = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
    else:
        page = f"https://podcasts.apple.com/podcast/id{show_id}?i={track}"
    return AppleListing(show_id, str(track), title.strip(), released, page)


def probe_for(platform: str | None, url: str) -> Probe:
    """The single-URL probe function for a target (Apple goes through ``probe_apple_show``)."""
    if platform == "youtube" and youtube_video_id(url):
        return probe_youtube
    if platform == "spotify" and spotify_item(url):
        return probe_spotify
    if platform == "anchor":
        return probe_anchor
    return probe_http


PROBE_NAMES: dict[Probe, str] = {
    probe_youtube: "youtube-oembed",
    probe_spotify: "spotify-oembed",
    probe_anchor: "anchor",
    probe_http: "http",
}


def request_host(ctx: ProbeContext, platform: str | None, url: str) -> str:
    """The host key of a probe's first request (what the scheduler paces)."""
    if platform == "youtube" and youtube_video_id(url):
        return host_key(ctx.config.endpoints["youtube_oembed"])
    if platform == "spotify" and spotify_item(url):
        return host_key(ctx.config.endpoints["spotify_oembed"])
    if platform == "apple" and apple_ref(url):
        return host_key(ctx.config.endpoints["apple_lookup"])
    return host_key(url)
