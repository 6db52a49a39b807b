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

The database is state, never a reason to stop checking links:
- a corrupt file (not SQLite, failing its integrity check, another schema) is
  moved aside as ``NAME.corrupt-<UTC timestamp>`` with a warning, and a new
  history starts;
- a file deleted or replaced during a run is noticed at the next write: the
  run's results so far are written again into a new database at the path,
  with a warning (SQLite would otherwise write on into the deleted file);
- a full disk is a warning: this run's verdicts stand, unsaved.
Warnings go to ``warn`` (standard error by default), one line each.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from feedtool.links.model import Evidence, Outcome
from feedtool.links.verdict import Verdict

SCHEMA_VERSION = 1
_COLUMNS = {
    "meta": ("key", "value"),
    "urls": (
        "url",
        "first_seen",
        "last_checked",
        "last_ok",
        "broken_since",
        "consecutive_failures",
        "confirmed",
        "last_verdict",
        "final_url",
        "reason",
        "evidence",
        "last_run",
    ),
    "runs": ("id", "started", "finished", "duration", "counts", "status"),
}
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


class CorruptHistory(sqlite3.DatabaseError):
    """A file at the history path that is not a usable history database."""


def _is_corrupt(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(exc, CorruptHistory) or code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def _is_full(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL


def _check_header(path: Path) -> None:
    """CorruptHistory for a file that does not even start like SQLite, found before SQLite
    opens it (SQLite would delete a write-ahead log beside it, which goes aside with it)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:  # absent (a new history), or unopenable: SQLite says why
        return
    if head and head != b"SQLite format 3\x00":
        raise CorruptHistory("not an SQLite database")


def _warn_on_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class _Recorded:
    """One ``History.record`` call, kept to write it again if the file vanishes mid-run."""

    url: str
    outcome: Outcome
    now: datetime
    run_id: int  # as the caller knows it
    run_started: datetime
    confirm_after: int


class History:
    """An open history database. Use from one thread (the dispatcher)."""

    def __init__(self, path: Path, warn: Callable[[str], None] | None = None) -> None:
        self.path = path
        self.warn = warn or _warn_on_stderr
        self._runs: dict[int, datetime] = {}  # runs this object started, by the id the caller knows
        self._finished: dict[int, tuple[datetime, float, dict[str, int], str]] = {}
        self._run_ids: dict[int, int] = {}  # caller's run id -> its row in a recreated database
        self._recorded: list[_Recorded] = []
        self._full_warned = False
        try:
            _check_header(path)
            self.db = self._connect()
        except sqlite3.DatabaseError as exc:
            if not _is_corrupt(exc):
                raise
            aside = self._move_aside()
            self.warn(
                f"warning: {path}: the link history database is corrupt ({exc}); moved it to {aside} "
                "and started a new history (links' failure streaks start again)"
            )
            self.db = self._connect()
        self._identity = self._file_identity()

    def _connect(self) -> sqlite3.Connection:
        """Open (or create) the database at ``path`` and check it; CorruptHistory when it is not ours."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(self.path), timeout=30.0, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout = 30000")
            # checked before anything is written, so a file moved aside keeps its bytes
            verdict = db.execute("PRAGMA quick_check").fetchone()
            if verdict is None or verdict[0] != "ok":
                raise CorruptHistory(f"integrity check failed: {verdict[0] if verdict else 'no answer'}")
            for table, columns in _COLUMNS.items():
                found = tuple(row[1] for row in db.execute(f"PRAGMA table_info({table})"))
                if found and found != columns:
                    raise CorruptHistory(f"table {table} has the columns {', '.join(found)}, not feedtool's")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA.strip().split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except BaseException:
            db.close()
            raise
        return db

    def _move_aside(self) -> Path:
        """Rename the corrupt file (and its write-ahead log) to ``NAME.corrupt-<timestamp>``."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        os.replace(self.path, aside)
        wal = self.path.with_name(self.path.name + "-wal")
        if wal.exists():  # never let a new database replay the old one's log
            os.replace(wal, aside.with_name(aside.name + "-wal"))
        self.path.with_name(self.path.name + "-shm").unlink(missing_ok=True)  # an index, rebuilt
        return aside

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def _still_there(self) -> None:
        """If the file was deleted or replaced since it was opened, write this run into a new one."""
        if self._identity is None or self._file_identity() == self._identity:
            return
        self.db.close()
        try:
            self.db = self._connect()
        except (sqlite3.Error, OSError) as exc:
            self.db = sqlite3.connect(":memory:", isolation_level=None)  # the run goes on, unsaved
            self.db.executescript(_SCHEMA)
            self._identity = None
            self.warn(
                f"warning: {self.path}: the link history database was deleted or replaced during this run "
                f"and cannot be created again ({exc}): this run's history is not saved"
            )
        else:
            self._identity = self._file_identity()
            self.warn(
                f"warning: {self.path}: the link history database was deleted or replaced during this run; "
                "this run's results were written to a new one there (earlier history is lost)"
            )
        self._replay()

    def _replay(self) -> None:
        for caller_id, started in self._runs.items():
            self._run_ids[caller_id] = self._insert_run(started)
        for item in self._recorded:
            self._store([item], self._run_ids.get(item.run_id, item.run_id))
        for caller_id, (finished, duration, counts, status) in self._finished.items():
            self._update_run(self._run_ids.get(caller_id, caller_id), finished, duration, counts, status)

    def _disk_full(self, exc: sqlite3.Error) -> None:
        if not self._full_warned:
            self._full_warned = True
            self.warn(
                f"warning: {self.path}: the link history cannot be saved ({exc}): this run's verdicts "
                "stand but are not remembered; free some space on its disk"
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
        with contextlib.suppress(sqlite3.Error):
            self._still_there()  # deleted after the last write: this run is written again
        self.db.close()

    # -- runs -------------------------------------------------------------------
    def start_run(self, started: datetime) -> int:
        self._still_there()
        try:
            run_id = self._insert_run(started)
        except sqlite3.OperationalError as exc:
            if not _is_full(exc):
                raise
            self._disk_full(exc)
            run_id = -1 - len(self._runs)  # a row id SQLite never gives
        self._runs[run_id] = started
        return run_id

    def _insert_run(self, started: datetime) -> int:
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
        self._still_there()
        if run_id in self._runs:
            self._finished[run_id] = (finished, duration, dict(counts), status)
        try:
            self._update_run(self._run_ids.get(run_id, run_id), finished, duration, counts, status)
        except sqlite3.OperationalError as exc:
            if not _is_full(exc):
                raise
            self._disk_full(exc)

    def _update_run(
        self, run_id: int, finished: datetime, duration: float, counts: Mapping[str, int], status: str
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
    _SELECT = (
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
            for row in self.db.execute(f"SELECT {self._SELECT} FROM urls WHERE url IN ({marks})", chunk):
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
        before are read inside the transaction, so a concurrent run's writes count. On a
        full disk the verdicts stand (computed from what is stored), unsaved."""
        self._still_there()
        batch = [_Recorded(url, outcome, now, run_id, run_started, confirm_after) for url, outcome in items]
        self._recorded.extend(batch)
        try:
            return self._store(batch, self._run_ids.get(run_id, run_id))
        except sqlite3.OperationalError as exc:
            if not _is_full(exc):
                raise
            self._disk_full(exc)
            return _next_states(self._rows(item.url for item in batch), batch, run_id)

    def _store(self, batch: Sequence[_Recorded], run_id: int) -> list[tuple[UrlState | None, UrlState]]:
        with self._transaction():
            out = _next_states(self._rows(item.url for item in batch), batch, run_id)
            rows = [
                (
                    item.url,
                    _ts(after.first_seen),
                    _ts(after.last_checked),
                    _ts(after.last_ok),
                    _ts(after.broken_since),
                    after.consecutive_failures,
                    int(after.confirmed),
                    after.last_verdict.value if after.last_verdict else None,
                    after.final_url,
                    after.reason,
                    _evidence_json(item.outcome.evidence),
                    run_id,
                )
                for item, (_, after) in zip(batch, out, strict=True)
            ]
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


def _next_states(
    current: dict[str, UrlState], batch: Sequence[_Recorded], run_id: int
) -> list[tuple[UrlState | None, UrlState]]:
    """(state before, state after) for each item, from the stored states ``current``; the
    same URL twice in one batch: the second sees the first."""
    out: list[tuple[UrlState | None, UrlState]] = []
    for item in batch:
        before = current.get(item.url)
        after = _next_state(before, item, run_id)
        current[item.url] = after
        out.append((before, after))
    return out


def _next_state(before: UrlState | None, item: _Recorded, run_id: int) -> UrlState:
    """The URL's state after ``item``, given its stored state ``before`` (pure)."""
    state = before or UrlState(item.url, first_seen=item.now)
    counted_elsewhere = (
        before is not None
        and before.last_run not in (None, run_id)
        and before.last_checked is not None
        and before.last_checked >= item.run_started
    )
    if counted_elsewhere and item.outcome.verdict.is_definitive_failure:
        after = replace(state, last_checked=item.now, last_verdict=item.outcome.verdict)
    else:
        after = advance(state, item.outcome.verdict, item.now, item.confirm_after)
    evidence = item.outcome.evidence
    return replace(after, final_url=evidence.final_url, reason=evidence.reason, last_run=run_id)
