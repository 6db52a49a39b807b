"""The one verdict vocabulary shared by probes, history and every report."""

from __future__ import annotations

import enum


class Verdict(enum.Enum):
    """What a check concluded about one URL.

    The order of declaration is the order of badness used by reports
    (worst first), so ``Verdict.BROKEN.rank < Verdict.OK.rank``.
    """

    BROKEN = "BROKEN"  # definitive: 404/410, redirect to 404, platform says gone/private
    INVALID = "INVALID"  # not an http(s) URL
    MISSING = "MISSING"  # TODO/empty platform link: nothing to check
    UNKNOWN = "UNKNOWN"  # not the link's fault: 429, 5xx, timeout, reset, bot wall
    REDIRECTED = "REDIRECTED"  # permanent redirect: the file should carry the final URL
    OK = "OK"
    EXCLUDED = "EXCLUDED"  # excluded by the config

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @property
    def is_definitive_failure(self) -> bool:
        """Counts toward "broken after N consecutive failures"."""
        return self is Verdict.BROKEN

    @property
    def is_success(self) -> bool:
        """Resets the failure streak and clears "broken since"."""
        return self in (Verdict.OK, Verdict.REDIRECTED)


_RANKS = {verdict: rank for rank, verdict in enumerate(Verdict)}
