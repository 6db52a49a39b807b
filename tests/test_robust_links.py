"""Issue 9, cases 19 (a corrupt or vanishing link history) and 20 (a response cut
inside its headers).

The link history is state: a file that is not a usable history is moved aside
with a warning and a new one started; a file deleted during a run gets this
run's results written again; a full disk is a warning. A response that ends
before its header block does is malformed: UNKNOWN, never OK.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from links.conftest import body_links, fast_links, result_for, write_show
from links.simulator import Simulator

from feedtool import cli
from feedtool.config import load_config
from feedtool.errors import ExitCode
from feedtool.links import Verdict, check_links
from feedtool.links.history import History
from feedtool.read.episodes import read_episodes


@pytest.fixture
def sim():
    simulator = Simulator()
    yield simulator
    simulator.close()


def show_with_history(tmp_path: Path, sim: Simulator, history: Path, *paths: str) -> tuple[Path, Path]:
    return write_show(tmp_path, {"ep": {}}, fast_links(sim, history), {"ep": body_links(sim, *paths)})


def links_cli(config: Path, folder: Path) -> int:
    return cli.main(["links", "--config", str(config), "--episodes", str(folder), "--format", "json"])


def real_history(path: Path) -> bytes:
    """A real history database with one run and a few URLs, as bytes."""
    history = History(path, warn=lambda _: None)
    history.start_run(__import__("datetime").datetime.now(__import__("datetime").UTC))
    history.db.executemany(
        "INSERT INTO urls(url, first_seen) VALUES (?, ?)",
        [(f"https://example.org/{n}" + "x" * 300, "2026-01-01T00:00:00+00:00") for n in range(200)],
    )
    history.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    history.close()
    data = path.read_bytes()
    path.unlink()
    return data


def garbage(path: Path) -> bytes:
    return b"this is not a database\n" * 100


def zeroed_page(path: Path) -> bytes:
    data = bytearray(real_history(path))
    page = 4096
    data[2 * page : 4 * page] = b"\xa5" * (2 * page)  # two b-tree pages overwritten
    return bytes(data)


def truncated(path: Path) -> bytes:
    data = real_history(path)
    return data[: len(data) // 2 + 100]


def other_schema(path: Path) -> bytes:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE urls (address TEXT, seen INTEGER)")
    db.commit()
    db.close()
    data = path.read_bytes()
    path.unlink()
    return data


def bad_header(path: Path) -> bytes:
    data = bytearray(real_history(path))
    data[16:18] = b"\x00\x07"  # an impossible page size
    return bytes(data)


# one fixture per case: (name, the bytes found at the history path)
CORRUPT = [
    ("not-sqlite", garbage),
    ("overwritten-pages", zeroed_page),
    ("truncated", truncated),
    ("another-schema", other_schema),
    ("bad-header", bad_header),
]


@pytest.mark.parametrize(("case", "make"), CORRUPT, ids=[c for c, _ in CORRUPT])
def test_a_corrupt_history_is_moved_aside_and_a_new_one_started(tmp_path, sim, capsys, case, make):
    history = tmp_path / "state" / "links-history.sqlite"
    history.parent.mkdir()
    bad = make(tmp_path / "scratch.sqlite")
    history.write_bytes(bad)
    config, folder = show_with_history(tmp_path, sim, history, "/ok", "/ok/two")
    capsys.readouterr()
    assert links_cli(config, folder) == ExitCode.OK
    err = capsys.readouterr().err
    assert "Traceback" not in err and "set links.history" not in err
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1, err
    assert warnings[0].startswith(f"warning: {history}: the link history database is corrupt (")
    asides = sorted(history.parent.glob("links-history.sqlite.corrupt-*"))
    assert len(asides) == 1 and asides[0].read_bytes() == bad
    assert f"moved it to {asides[0]}" in warnings[0]
    # the new history holds this run, and the next run uses it quietly
    db = sqlite3.connect(history)
    assert db.execute("SELECT count(*) FROM urls").fetchone()[0] == 2
    assert db.execute("SELECT status FROM runs").fetchall() == [("finished",)]
    db.close()
    assert links_cli(config, folder) == ExitCode.OK
    assert "warning" not in capsys.readouterr().err
    assert len(list(history.parent.glob("*.corrupt-*"))) == 1


def test_a_stale_write_ahead_log_goes_aside_with_its_database(tmp_path):
    path = tmp_path / "h.sqlite"
    path.write_bytes(garbage(path))
    wal = tmp_path / "h.sqlite-wal"
    wal.write_bytes(b"an old log")
    notes: list[str] = []
    History(path, warn=notes.append).close()
    assert len(notes) == 1
    (aside,) = tmp_path.glob("h.sqlite.corrupt-*[0-9Z]")
    assert (tmp_path / (aside.name + "-wal")).read_bytes() == b"an old log"


def test_an_unopenable_history_path_keeps_its_hint(tmp_path, sim, capsys):
    """Not corrupt but unusable (a folder at its path): the hint to choose another path stands."""
    history = tmp_path / "h.sqlite"
    history.mkdir()
    config, folder = show_with_history(tmp_path, sim, history, "/ok")
    assert links_cli(config, folder) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"error: {history}: cannot open the link history database") and err.count("\n") == 1
    assert history.is_dir()


# --- deleted mid-run ------------------------------------------------------------------------------------------

DELETIONS = [
    ("database", ("",)),
    ("database-and-log", ("", "-wal", "-shm")),
    ("whole-folder", None),
]


@pytest.mark.parametrize(("case", "suffixes"), DELETIONS, ids=[c for c, _ in DELETIONS])
def test_a_history_deleted_mid_run_gets_the_run_written_again(tmp_path, sim, capsys, case, suffixes):
    history = tmp_path / "state" / "h.sqlite"
    paths = [f"/ok/{n}" for n in range(6)]
    config_path, folder = show_with_history(tmp_path, sim, history, *paths)
    config = load_config(config_path)
    read = read_episodes(folder)
    deleted = []

    def progress(done: int, total: int, verdict: Verdict) -> None:
        if done == 3:
            if suffixes is None:
                for file in history.parent.iterdir():
                    file.unlink()
                history.parent.rmdir()
            else:
                for suffix in suffixes:
                    Path(f"{history}{suffix}").unlink(missing_ok=True)
            deleted.append(done)

    capsys.readouterr()
    report = check_links(read.episodes, config, config.links, progress=progress)
    assert deleted == [3]
    assert all(result_for(report, sim.url(p)).verdict is Verdict.OK for p in paths)
    err = capsys.readouterr().err
    assert f"warning: {history}: the link history database was deleted or replaced during this run" in err
    assert err.count("warning:") == 1, err
    db = sqlite3.connect(history)
    urls = {row[0] for row in db.execute("SELECT url FROM urls")}
    assert urls == {sim.url(p) for p in paths}  # nothing of this run lost
    assert db.execute("SELECT status, counts IS NOT NULL FROM runs").fetchall() == [("finished", 1)]
    db.close()


def test_a_history_deleted_after_the_last_write_is_written_again_at_close(tmp_path):
    from datetime import UTC, datetime

    from feedtool.links.model import Evidence, Outcome

    path = tmp_path / "h.sqlite"
    notes: list[str] = []
    history = History(path, warn=notes.append)
    now = datetime.now(UTC)
    run = history.start_run(now)
    history.record(
        "https://a.example/", Outcome(Verdict.OK, Evidence("http", (), None, 0.1, "200")), now, run, now, 2
    )
    history.finish_run(run, now, 0.1, {"OK": 1})
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    history.close()
    assert len(notes) == 1 and "deleted or replaced" in notes[0]
    again = History(path, warn=notes.append)
    assert [r.status for r in again.runs()] == ["finished"]
    assert list(again.states(["https://a.example/"])) == ["https://a.example/"]
    again.close()


# --- a full disk (a sibling of case 12) --------------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    folder.mkdir(parents=True)
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here ({exc})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False, capture_output=True)


def test_a_history_on_a_disk_that_fills_during_the_run_is_a_warning(tmp_path, sim, capsys):
    with tmpfs(tmp_path / "disk", "256k") as disk:
        history = disk / "h.sqlite"
        paths = ["/404", *(f"/ok/{n}" for n in range(5))]
        config_path, folder = show_with_history(tmp_path, sim, history, *paths)
        config = load_config(config_path)
        read = read_episodes(folder)

        def fill_the_disk(done: int, total: int, verdict: Verdict) -> None:
            if done == 1:
                fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
                with contextlib.suppress(OSError):
                    while True:
                        os.write(fd, b"\0" * 4096)
                os.close(fd)

        capsys.readouterr()
        report = check_links(read.episodes, config, config.links, progress=fill_the_disk)
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert f"warning: {history}: the link history cannot be saved (database or disk is full)" in err
        assert err.count("warning:") == 1, err
        assert result_for(report, sim.url("/404")).verdict is Verdict.BROKEN  # this run's verdicts stand
        assert all(result_for(report, sim.url(p)).verdict is Verdict.OK for p in paths[1:])


# --- case 20: a response cut inside its headers ----------------------------------------------------------------


@pytest.fixture
def raw_server():
    """A server on 127.0.0.1 that answers every request with exactly the bytes of ``replies[path]``
    and closes the connection."""
    replies: dict[bytes, bytes] = {}
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(32)
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                request = b""
                conn.settimeout(2)
                with contextlib.suppress(OSError):
                    while b"\r\n\r\n" not in request:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        request += chunk
                path = request.split(b" ")[1] if request.count(b" ") >= 2 else b"/"
                with contextlib.suppress(OSError):
                    conn.sendall(replies.get(path, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
                    conn.shutdown(socket.SHUT_WR)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", replies
    stop.set()
    thread.join(timeout=2)
    server.close()


# one fixture per case: (name, the exact bytes sent before the server closes)
CUT = [
    ("inside-a-header-name", b"HTTP/1.1 200 OK\r\nContent-Ty"),
    ("inside-a-header-value", b"HTTP/1.1 200 OK\r\nContent-Type: text/ht"),
    ("after-a-header-line", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"),
    ("after-the-status-line", b"HTTP/1.1 200 OK\r\n"),
    ("inside-the-blank-line", b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r"),
    ("redirect-cut", b"HTTP/1.1 301 Moved\r\nLocation: /elsewhere"),
]


@pytest.mark.parametrize(("case", "reply"), CUT, ids=[c for c, _ in CUT])
def test_a_response_cut_inside_its_headers_is_unknown(tmp_path, sim, raw_server, case, reply):
    base, replies = raw_server
    replies[b"/cut"] = reply
    url = f"{base}/cut"
    config, folder = write_show(
        tmp_path, {"ep": {}}, fast_links(sim, tmp_path / "h.sqlite"), {"ep": f"[cut]({url})"}
    )
    loaded = load_config(config)
    report = check_links(read_episodes(folder).episodes, loaded, loaded.links)
    result = result_for(report, url)
    assert result.verdict is Verdict.UNKNOWN, (result.verdict, result.reason)
    assert "malformed response" in result.reason, result.reason
    assert not report.confirmed_broken


def test_a_whole_response_closed_after_its_headers_is_still_ok(tmp_path, sim, raw_server):
    base, replies = raw_server
    replies[b"/whole"] = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
    replies[b"/whole-lf"] = b"HTTP/1.1 200 OK\nContent-Length: 2\n\nhi"
    urls = [f"{base}/whole", f"{base}/whole-lf"]
    config, folder = write_show(
        tmp_path, {"ep": {}}, fast_links(sim, tmp_path / "h.sqlite"), {"ep": body_links_of(urls)}
    )
    loaded = load_config(config)
    report = check_links(read_episodes(folder).episodes, loaded, loaded.links)
    for url in urls:
        assert result_for(report, url).verdict is Verdict.OK, result_for(report, url).reason


def body_links_of(urls: list[str]) -> str:
    return "\n".join(f"- [link {i}]({u})" for i, u in enumerate(urls))
