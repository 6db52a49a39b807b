"""Frozen data passed between the link checker's stages:
extract -> probe -> history -> report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from feedtool.links.verdict import Verdict

REPORT_VERSION = 1  # the JSON report's ``version``: bumped on a breaking change only


@dataclass(frozen=True, order=True)
class Place:
    """Where a URL is used: an episode slug and a field such as ``links.youtube``,
    ``body``, ``image``, ``enclosure``, ``chapters[2]``, ``guests.jane-doe.linkedin``."""

    episode: str
    field: str


@dataclass(frozen=True)
class Target:
    """One URL to check (normalised, user info stripped) and every place using it."""

    url: str
    places: tuple[Place, ...]
    platform: str | None = None  # youtube, spotify, apple, anchor, or None for generic


@dataclass(frozen=True)
class Unchecked:
    """A place that yields no request: MISSING (TODO/empty) or INVALID (not http(s))."""

    verdict: Verdict
    place: Place
    value: str | None
    reason: str


@dataclass(frozen=True)
class Hop:
    url: str
    status: int | None  # None when the request failed before a status line
    method: str = "GET"


@dataclass(frozen=True)
class Evidence:
    """What a probe saw: enough to explain the verdict without re-running it."""

    probe: str  # youtube-oembed, spotify-oembed, apple-lookup, anchor, http
    chain: tuple[Hop, ...] = ()  # every request made, in order (redirect hops, HEAD->GET)
    final_url: str | None = None
    elapsed: float = 0.0  # seconds spent in requests for this URL
    reason: str = ""
    attempts: int = 1


@dataclass(frozen=True)
class Outcome:
    """A probe's verdict for one URL, before history decides what is confirmed."""

    verdict: Verdict
    evidence: Evidence
    suggestion: str | None = None  # the URL to put in the file instead (REDIRECTED, moved Anchor)
    warning: str | None = None  # e.g. YouTube embedding disabled
    # "host does not exist" is only believed when the run proved DNS works (some host answered):
    # offline, every name fails that way and nothing must be called broken
    needs_network_proof: bool = False


@dataclass(frozen=True)
class Result:
    """One line of the report: a URL (or a MISSING/INVALID place) with its verdict in context."""

    url: str | None
    verdict: Verdict
    places: tuple[Place, ...]
    reason: str
    platform: str | None = None
    confirmed: bool = False
    final_url: str | None = None
    suggestion: str | None = None
    warning: str | None = None
    broken_since: datetime | None = None
    consecutive_failures: int = 0
    change: str | None = None  # "newly-broken", "fixed", "still-broken" or None
    cached: bool = False  # a recent OK reused from history, not re-checked
    evidence: Evidence | None = None

    @property
    def is_confirmed_broken(self) -> bool:
        return self.verdict is Verdict.BROKEN and self.confirmed

    @property
    def status_label(self) -> str:
        """BROKEN vs "suspect" for humans; other verdicts as they are."""
        if self.verdict is Verdict.BROKEN and not self.confirmed:
            return "SUSPECT"
        return self.verdict.value


@dataclass(frozen=True)
class VerdictCounts:
    """How many results got each verdict. Every member of ``Verdict`` has a count (zero
    included), so ``counts[verdict]`` never misses and a report that walks ``Verdict``
    cannot forget a new member."""

    by_rank: tuple[int, ...]  # one count per Verdict, in declaration (rank) order

    def __post_init__(self) -> None:
        if len(self.by_rank) != len(Verdict):
            raise ValueError(f"{len(self.by_rank)} counts for {len(Verdict)} verdicts")

    @classmethod
    def of(cls, verdicts: Iterable[Verdict]) -> VerdictCounts:
        tally = Counter(verdicts)
        return cls(tuple(tally[verdict] for verdict in Verdict))

    def __getitem__(self, verdict: Verdict) -> int:
        return self.by_rank[verdict.rank]

    def items(self) -> Iterator[tuple[Verdict, int]]:
        """(verdict, count) for every verdict, worst first."""
        return zip(Verdict, self.by_rank, strict=True)


@dataclass(frozen=True)
class RunCounts:
    """The tallies of one run: per verdict, then the figures reports and history show."""

    verdicts: VerdictCounts
    total: int
    checked: int  # URLs whose check got an answer in this run (not cached, not given up on, not excluded)
    cached: int  # recent OKs reused from history
    confirmed_broken: int
    suspect: int  # BROKEN this run, not yet confirmed
    newly_broken: int
    fixed: int
    requests: int

    @classmethod
    def of(cls, results: Iterable[Result], *, checked: int, requests: int) -> RunCounts:
        results = tuple(results)
        return cls(
            VerdictCounts.of(r.verdict for r in results),
            total=len(results),
            checked=checked,
            cached=sum(r.cached for r in results),
            confirmed_broken=sum(r.is_confirmed_broken for r in results),
            suspect=sum(r.verdict is Verdict.BROKEN and not r.confirmed for r in results),
            newly_broken=sum(r.change == "newly-broken" for r in results),
            fixed=sum(r.change == "fixed" for r in results),
            requests=requests,
        )

    def as_dict(self) -> dict[str, int]:
        """The shape of the JSON report's ``run.counts`` and of the history's ``runs.counts``:
        the verdicts that occurred, worst first, then the other tallies (a fixed schema)."""
        out = {verdict.value: n for verdict, n in self.verdicts.items() if n}
        out.update(
            total=self.total,
            checked=self.checked,
            cached=self.cached,
            confirmed_broken=self.confirmed_broken,
            suspect=self.suspect,
            newly_broken=self.newly_broken,
            fixed=self.fixed,
            requests=self.requests,
        )
        return out


NETWORK_STATES = ("ok", "degraded", "down")


@dataclass(frozen=True)
class NetworkState:
    """What the run proved about the network, beside the links.

    ``down``: requests were made and not one got an answer, so nothing was checked
    (``feedtool links`` and ``feedtool run`` exit 5, inconclusive). ``degraded``: some
    answers, but no host name was resolved while lookups failed (DNS looks down: only
    IP-address URLs answered), or most requests went unanswered. ``ok`` otherwise."""

    state: str = "ok"
    reason: str = ""

    def __post_init__(self) -> None:
        if self.state not in NETWORK_STATES:
            raise ValueError(f"network state {self.state!r} is not one of {NETWORK_STATES}")

    @property
    def is_down(self) -> bool:
        return self.state == "down"

    def headline(self) -> str | None:
        """The words a summary line starts with when the network was not fine, else None."""
        if self.state == "down":
            return f"network down: nothing was checked ({self.reason})"
        if self.state == "degraded":
            return f"network degraded: {self.reason}"
        return None


@dataclass(frozen=True)
class RunPoint:
    """One recorded run, as the HTML report's chart draws it."""

    started: datetime
    broken: int  # confirmed broken
    suspect: int
    ok: int


@dataclass(frozen=True)
class RunInfo:
    started: datetime
    duration: float
    counts: RunCounts
    requests: int = 0
    budget_exhausted: bool = False
    history_path: str | None = None
    peak_in_flight: int = 0  # most requests (jobs) in flight at once, never above links.concurrency
    network: NetworkState = field(default_factory=NetworkState)
    answered: int = 0  # requests that got a status line


@dataclass(frozen=True)
class Report:
    """Everything a formatter needs; formatters are pure ``(Report) -> str``."""

    run: RunInfo
    results: tuple[Result, ...]
    episode_titles: dict[str, str] = field(default_factory=dict)
    previous_run: datetime | None = None
    history: tuple[RunPoint, ...] = ()  # recorded runs, oldest first, this one last

    @property
    def confirmed_broken(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.is_confirmed_broken)

    def changed(self, change: str) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.change == change)
