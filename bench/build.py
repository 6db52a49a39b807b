"""Build-time benchmark: ``python bench/build.py CORPUS_DIR [--runs N] [--sizes 200,1000,2000,5000]``.

CORPUS_DIR is a folder with ``episodes/`` (and ``people/``), e.g. ../shared/corpus.
Every measurement is a fresh process, as cron or CI would run it, and every timed run is
checked: exit code 0 and the outputs it should have written (a build that failed before
writing once passed for a fast one). On the real corpus:
- baseline: bench/baseline_feedgen.py (yaml.safe_load + feedgen, by hand);
- floor: libyaml (CSafeLoader) parsing every front matter in one process, nothing else;
- cold: ``feedtool build`` into an empty output folder (and empty cache);
- warm: ``feedtool build`` again with nothing changed (the no-change rebuild);
- one changed: ``feedtool build`` after one episode file changed;
- ``--check``: ``feedtool build --check`` on the up-to-date output.
Then a synthetic show made from the real files (copies with unique guids, dates, names and
ids) at each of ``--sizes``: a cold build's ms per episode, its ratio to the smallest size,
and the build's peak RSS. Prints medians and ratios against the baseline of the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

FLOOR = """
import sys, pathlib, yaml
loader = yaml.CSafeLoader
n = 0
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.md")):
    if path.name.startswith("_"):
        continue
    parts = path.read_text(encoding="utf-8").split("---\\n", 2)
    if len(parts) == 3:
        try:
            yaml.load(parts[1], Loader=loader)
            n += 1
        except yaml.YAMLError:
            pass
print(n)
"""


# Timed processes run as an installed feedtool runs: with its bytecode cached. Some shells and
# sandboxes export PYTHONDONTWRITEBYTECODE=1, which makes every run compile every module again
# (0.1 s of a 0.3 s rebuild here); the first, untimed run below writes the bytecode.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str], ok_codes=(0,)) -> float:
    """Wall time of one fresh process; exits when it fails."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok_codes:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed


def timed_rss(cmd: list[str]) -> tuple[float, int]:
    """Like ``run`` but waits with ``wait4`` itself, for the child's own peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err[-2000:].decode()}")
    return elapsed, usage.ru_maxrss


def outputs(out: Path) -> dict[str, tuple[int, int]]:
    """relpath -> (size, mtime_ns) of everything a build wrote."""
    if not out.is_dir():
        return {}
    return {
        str(p.relative_to(out)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file()
    }


def require(condition: bool, what: str) -> None:
    if not condition:
        sys.exit(f"benchmark check failed: {what}")


def synthetic_show(sources: list[Path], n: int, folder: Path) -> None:
    """``n`` episode files from the real ones: copy k of a file gets its own name, guid, date
    and ids, so the build sees ``n`` distinct episodes (no duplicate guids or enclosures)."""
    folder.mkdir(parents=True)
    day0 = dt.date(2000, 1, 1)
    date_line = re.compile(r"^(?:date|dateadded):.*\n(?:^[ ]+.*\n)*", re.M)
    ids_line = re.compile(r"^(  (?:anchor|youtube): )(\S+)$", re.M)
    guid_line = re.compile(r"^guid:.*\n", re.M)
    for i in range(n):
        src = sources[i % len(sources)]
        text = src.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        front = guid_line.sub("", date_line.sub("", front))
        front = ids_line.sub(lambda m, i=i: f"{m[1]}{m[2]}-c{i}", front)
        when = day0 + dt.timedelta(days=i)
        front = f"guid: synthetic-{i:05d}\ndateadded: {when.isoformat()}\n{front}"
        (folder / f"{src.stem}-c{i:05d}.md").write_text(f"---\n{front}---\n{body}", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="200,1000,2000,5000", help="synthetic show sizes ('' for none)")
    args = ap.parse_args()
    src_episodes = args.corpus / "episodes"
    if not src_episodes.is_dir():
        sys.exit(f"{src_episodes} not found")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = Path(tempfile.mkdtemp(prefix="feedtool-bench-"))
    py = sys.executable
    try:
        episodes = work / "episodes"
        shutil.copytree(src_episodes, episodes)
        if (args.corpus / "people").is_dir():
            shutil.copytree(args.corpus / "people", work / "people")
        # the sample config, with its own state folder so the bench never touches the repo's
        import yaml

        settings = yaml.safe_load((REPO / "config" / "podcast.yaml").read_text(encoding="utf-8"))
        settings["state_dir"] = str(work / ".feedtool")
        config = work / "podcast.yaml"
        config.write_text(yaml.safe_dump(settings), encoding="utf-8")
        real = sorted(p for p in episodes.glob("*.md") if not p.name.startswith("_"))
        n_files = len(real)

        def feedtool(eps: Path, out: Path, *extra: str) -> list[str]:
            return [py, "-m", "feedtool.cli", "build", "--config", str(config), "--episodes", str(eps),
                    "--out", str(out), "--skip-invalid", "--quiet", *extra]  # fmt: skip

        def fresh_out() -> Path:
            out = work / "out"
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(work / ".feedtool", ignore_errors=True)
            return out

        timings: dict[str, list[float]] = {
            k: [] for k in ("baseline", "floor", "cold", "warm", "changed", "check")
        }
        floor_script = work / "floor.py"
        floor_script.write_text(FLOOR, encoding="utf-8")
        victim = real[0]
        run(feedtool(episodes, fresh_out()))  # untimed: writes the bytecode of every module used
        for i in range(args.runs):
            out = fresh_out()
            timings["baseline"].append(run([py, str(HERE / "baseline_feedgen.py"), str(episodes), str(out)]))
            require((out / "feed.xml").is_file(), "the baseline wrote no feed")
            timings["floor"].append(run([py, str(floor_script), str(episodes)]))
            out = fresh_out()
            timings["cold"].append(run(feedtool(episodes, out)))
            cold_files = outputs(out)
            require("feed.xml" in cold_files and len(cold_files) > n_files, "the cold build wrote too little")
            timings["warm"].append(run(feedtool(episodes, out)))
            require(outputs(out) == cold_files, "the no-change rebuild changed files")
            victim.write_text(
                victim.read_text(encoding="utf-8") + f"\nEdited in run {i}.\n", encoding="utf-8"
            )
            timings["changed"].append(run(feedtool(episodes, out)))
            after = outputs(out)
            require(
                after["feed.xml"] != cold_files["feed.xml"], "the one-changed build did not rewrite the feed"
            )
            timings["check"].append(run(feedtool(episodes, out, "--check")))
            require(outputs(out) == after, "--check wrote something")
            changed_again = victim.read_text(encoding="utf-8") + "\nOne more.\n"
            victim.write_text(changed_again, encoding="utf-8")
            run(feedtool(episodes, out, "--check"), ok_codes=(1,))  # it sees an out-of-date output
            run(feedtool(episodes, out))

        base = statistics.median(timings["baseline"])
        floor = statistics.median(timings["floor"])
        print(f"corpus: {n_files} episode files, {args.runs} runs each, median wall time per fresh process")
        print(f"{'baseline (yaml.safe_load + feedgen)':40s} {base:7.3f} s   1.00x")
        print(f"{'floor (libyaml, every front matter)':40s} {floor:7.3f} s   {base / floor:5.2f}x faster")
        for key, name in (
            ("cold", "feedtool build, cold"),
            ("warm", "feedtool build, warm (no change)"),
            ("changed", "feedtool build, one episode changed"),
            ("check", "feedtool build --check (up to date)"),
        ):
            m = statistics.median(timings[key])
            print(
                f"{name:40s} {m:7.3f} s   {base / m:5.2f}x faster than baseline   "
                f"{m / floor:5.2f}x floor   {m / statistics.median(timings['cold']):4.2f}x cold"
            )

        if sizes:
            print(
                "\nsynthetic show, cold build (one run each): size, wall, ms per episode, vs smallest, peak RSS"
            )
            first = None
            for n in sizes:
                show = work / f"synthetic-{n}"
                synthetic_show(real, n, show / "episodes")
                out = fresh_out()
                elapsed, rss = timed_rss(feedtool(show / "episodes", out))
                written = outputs(out)
                require(
                    "feed.xml" in written and len(written) >= n, f"the {n}-episode build wrote too little"
                )
                per = elapsed / n * 1000
                first = first or per
                print(
                    f"{n:6d} episodes {elapsed:8.2f} s {per:7.2f} ms/episode {per / first:5.2f}x {rss / 1024:8.0f} MB"
                )
                shutil.rmtree(show, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
