"""Link history in SQLite: the only module that writes SQL.

Per URL: first seen, last checked, last OK, first failure of the current
streak ("broken since"), consecutive definitive failures, whether the break is
confirmed, and the last verdict with its evidence. Per run: when, how long,
counts.

Safety: WAL journal and a busy timeout so concurrent runs wait instead of
failing; every result is written in its own short ``BEGIN IMMEDIATE``
transaction as soon as it is known, so a run killed halfway keeps what it
finished and loses only its unfinished work. A URL already counted by another
run that started later than this one is not counted twice.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from feedtool.links.model import Evidence, Outcome
from feedtool.links.verdict import Verdict

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL,
    last_checked TEXT,
    last_ok TEXT,
    broken_since TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    confirmed INTEGER NOT NULL DEFAULT 0,
    last_verdict TEXT,
    final_url TEXT,
    reason TEXT,
    evidence TEXT,
    last_run INTEGER
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    finished TEXT,
    duration REAL,
    counts TEXT,
    status TEXT NOT NULL DEFAULT 'running'
);
"""


@dataclass(frozen=True)
class UrlState:
    url: str
    first_seen: datetime
    last_checked: datetime | None = None
    last_ok: datetime | None = None
    broken_since: datetime | None = None
    consecutive_failures: int = 0
    confirmed: bool = False
    last_verdict: Verdict | None = None
    final_url: str | None = None
    reason: str | None = None
    last_run: int | None = None


@dataclass(frozen=True)
class RunRow:
    id: int
    started: datetime
    finished: datetime | None
    duration: float | None
    counts: dict[str, int]
    status: str


def advance(state: UrlState, verdict: Verdict, now: datetime, confirm_after: int) -> UrlState:
    """The state after one more check. Pure: the rules of "suspect" vs "confirmed".

    BROKEN extends the failure streak (confirmed once it reaches ``confirm_after``),
    OK/REDIRECTED end it, UNKNOWN neither extends nor ends it (not the link's fault).
    """
    if verdict.is_definitive_failure:
        failures = state.consecutive_failures + 1
        return replace(
            state,
            last_checked=now,
            consecutive_failures=failures,
            broken_since=state.broken_since or now,
            confirmed=failures >= confirm_after,
            last_verdict=verdict,
        )
    if verdict.is_success:
        return replace(
            state,
            last_checked=now,
            last_ok=now,
            consecutive_failures=0,
            broken_since=None,
            confirmed=False,
            last_verdict=verdict,
        )
    return replace(state, last_checked=now, last_verdict=verdict)


def _ts(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _dt_required(value: str) -> datetime:
    """A NOT NULL timestamp column."""
    return datetime.fromisoformat(value)


def _evidence_json(evidence: Evidence) -> str:
    """``asdict`` by hand: it deep-copies every field, a tenth of a run's CPU on 2,000 URLs."""
    return json.dumps(
        {
            "attempts": evidence.attempts,
            "chain": [{"method": h.method, "status": h.status, "url": h.url} for h in evidence.chain],
            "elapsed": evidence.elapsed,
            "final_url": evidence.final_url,
            "probe": evidence.probe,
            "reason": evidence.reason,
        },
        sort_keys=True,
    )


class History:
    """An open history database. Use from one thread (the dispatcher)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
        self.db.execute("PRAGMA busy_timeout = 30000")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        with self._transaction():
            for statement in _SCHEMA.strip().split(";"):
                if statement.strip():
                    self.db.execute(statement)
            self.db.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
            )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    # -- runs -------------------------------------------------------------------
    def start_run(self, started: datetime) -> int:
        with self._transaction():
            cursor = self.db.execute("INSERT INTO runs(started) VALUES (?)", (_ts(started),))
        if cursor.lastrowid is None:  # only without an INSERT
            raise sqlite3.DatabaseError("the new run got no row id")
        return cursor.lastrowid

    def finish_run(
        self,
        run_id: int,
        finished: datetime,
        duration: float,
        counts: Mapping[str, int],
        status: str = "finished",
    ) -> None:
        with self._transaction():
            self.db.execute(
                "UPDATE runs SET finished = ?, duration = ?, counts = ?, status = ? WHERE id = ?",
                (_ts(finished), duration, json.dumps(counts, sort_keys=True), status, run_id),
            )

    def runs(self) -> list[RunRow]:
        rows = self.db.execute("SELECT id, started, finished, duration, counts, status FROM runs ORDER BY id")
        return [
            RunRow(r[0], _dt_required(r[1]), _dt(r[2]), r[3], json.loads(r[4] or "{}"), r[5]) for r in rows
        ]

    def previous_run(self, before_id: int) -> RunRow | None:
        return next((r for r in reversed(self.runs()) if r.id < before_id and r.status != "running"), None)

    # -- urls -------------------------------------------------------------------
    _COLUMNS = (
        "url, first_seen, last_checked, last_ok, broken_since, consecutive_failures, confirmed, "
        "last_verdict, final_url, reason, last_run"
    )
    _BATCH = 500  # URLs per ``IN (...)`` query (SQLite allows 32,766 parameters; stay far below)

    @staticmethod
    def _state(row: tuple) -> UrlState:
        return UrlState(
            row[0],
            _dt_required(row[1]),
            _dt(row[2]),
            _dt(row[3]),
            _dt(row[4]),
            row[5],
            bool(row[6]),
            Verdict(row[7]) if row[7] else None,
            row[8],
            row[9],
            row[10],
        )

    def _rows(self, urls: Iterable[str]) -> dict[str, UrlState]:
        """The stored state of each known URL, a few hundred per query: every statement
        lets other threads take the interpreter, and getting it back can take a while on
        a busy run, so few statements beat many quick ones."""
        wanted = list(dict.fromkeys(urls))
        out: dict[str, UrlState] = {}
        for i in range(0, len(wanted), self._BATCH):
            chunk = wanted[i : i + self._BATCH]
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(f"SELECT {self._COLUMNS} FROM urls WHERE url IN ({marks})", chunk):
                out[row[0]] = self._state(row)
        return out

    def _row(self, url: str) -> UrlState | None:
        return self._rows([url]).get(url)

    def states(self, urls: Iterable[str]) -> dict[str, UrlState]:
        """The stored state of each known URL (unknown URLs are absent)."""
        return self._rows(urls)

    def record(
        self,
        url: str,
        outcome: Outcome,
        now: datetime,
        run_id: int,
        run_started: datetime,
        confirm_after: int,
    ) -> tuple[UrlState | None, UrlState]:
        """Store one checked URL in its own transaction; return (state before, state after)."""
        return self.record_many([(url, outcome)], now, run_id, run_started, confirm_after)[0]

    def record_many(
        self,
        items: Iterable[tuple[str, Outcome]],
        now: datetime,
        run_id: int,
        run_started: datetime,
        confirm_after: int,
    ) -> list[tuple[UrlState | None, UrlState]]:
        """Store checked URLs in one transaction (a group commit: what finished since the
        last write); return (state before, state after) for each, in order. The states
        before are read inside the transaction, so a concurrent run's writes count."""
        items = list(items)
        out: list[tuple[UrlState | None, UrlState]] = []
        with self._transaction():
            current = self._rows(url for url, _ in items)
            rows = []
            for url, outcome in items:
                before = current.get(url)
                after = self._advance(before, url, outcome, now, run_id, run_started, confirm_after)
                current[url] = after  # the same URL twice in one batch: the second sees the first
                out.append((before, after))
                rows.append(
                    (
                        url,
                        _ts(after.first_seen),
                        _ts(after.last_checked),
                        _ts(after.last_ok),
                        _ts(after.broken_since),
                        after.consecutive_failures,
                        int(after.confirmed),
                        after.last_verdict.value if after.last_verdict else None,
                        after.final_url,
                        after.reason,
                        _evidence_json(outcome.evidence),
                        run_id,
                    )
                )
            self.db.executemany(
                "INSERT INTO urls(url, first_seen, last_checked, last_ok, broken_since, consecutive_failures, "
                "confirmed, last_verdict, final_url, reason, evidence, last_run) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET last_checked = excluded.last_checked, last_ok = excluded.last_ok, "
                "broken_since = excluded.broken_since, consecutive_failures = excluded.consecutive_failures, "
                "confirmed = excluded.confirmed, last_verdict = excluded.last_verdict, "
                "final_url = excluded.final_url, reason = excluded.reason, evidence = excluded.evidence, "
                "last_run = excluded.last_run",
                rows,
            )
        return out

    @staticmethod
    def _advance(
        before: UrlState | None,
        url: str,
        outcome: Outcome,
        now: datetime,
        run_id: int,
        run_started: datetime,
        confirm_after: int,
    ) -> UrlState:
        """The state after this run's outcome (``advance``), counting a failure once even
        when another run that started later already counted it."""
        state = before or UrlState(url, first_seen=now)
        counted_elsewhere = (
            before is not None
            and before.last_run not in (None, run_id)
            and before.last_checked is not None
            and before.last_checked >= run_started
        )
        if counted_elsewhere and outcome.verdict.is_definitive_failure:
            after = replace(state, last_checked=now, last_verdict=outcome.verdict)
        else:
            after = advance(state, outcome.verdict, now, confirm_after)
        return replace(
            after, final_url=outcome.evidence.final_url, reason=outcome.evidence.reason, last_run=run_id
        )
