"""Start-up benchmark: ``python bench/start.py [--runs N]``.

Times, as fresh processes (best of N, bytecode cached as in an installed feedtool), a bare
interpreter (``python -c pass``, the baseline), ``feedtool --help`` and ``feedtool links
--help``, and prints each with its ratio to the baseline. Every timed run is checked: exit 0
and the help text it should print.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
CASES = (
    ("python -c pass (baseline)", ["-c", "pass"], ""),
    ("feedtool --help", ["-m", "feedtool", "--help"], "usage: feedtool"),
    ("feedtool links --help", ["-m", "feedtool", "links", "--help"], "usage: feedtool links"),
    ("feedtool build --help", ["-m", "feedtool", "build", "--help"], "usage: feedtool build"),
)


def best(argv: list[str], expected: str, runs: int) -> float:
    fastest = float("inf")
    for attempt in range(runs + 1):  # the first run writes the bytecode and is not counted
        started = time.perf_counter()
        done = subprocess.run([sys.executable, *argv], capture_output=True, text=True, env=ENV)
        took = time.perf_counter() - started
        if done.returncode != 0 or expected not in done.stdout:
            sys.exit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-500:]}")
        if attempt:
            fastest = min(fastest, took)
    return fastest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    base = None
    print(f"best of {args.runs} fresh processes")
    for name, argv, expected in CASES:
        took = best(argv, expected, args.runs)
        base = base or took
        print(f"{name:28s} {took * 1000:7.1f} ms  {took / base:5.2f}x baseline")


if __name__ == "__main__":
    main()
