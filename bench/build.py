"""Build-time benchmark: ``python bench/build.py CORPUS_DIR [--runs N]``.

CORPUS_DIR is a folder with ``episodes/`` (and ``people/``), e.g. ../shared/corpus.
Every measurement is a fresh process, as cron or CI would run it:
- baseline: bench/baseline_feedgen.py (yaml.safe_load + feedgen, by hand);
- cold: ``feedtool build`` into an empty output folder (and empty cache);
- warm: ``feedtool build`` again with nothing changed;
- one changed: ``feedtool build`` after one episode file changed.
Prints medians and ratios against the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def timed(cmd: list[str], ok_codes=(0,)) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok_codes:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    src_episodes = args.corpus / "episodes"
    if not src_episodes.is_dir():
        sys.exit(f"{src_episodes} not found")
    work = Path(tempfile.mkdtemp(prefix="feedtool-bench-"))
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
        n_files = len([p for p in episodes.glob("*.md") if not p.name.startswith("_")])
        py = sys.executable
        feedtool = [
            py,
            "-m",
            "feedtool.cli",
            "build",
            "--config",
            str(config),
            "--episodes",
            str(episodes),
            "--skip-invalid",
            "--quiet",
        ]

        def fresh_out() -> Path:
            out = work / "out"
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(work / ".feedtool", ignore_errors=True)
            return out

        baseline, cold, warm, changed = [], [], [], []
        victim = sorted(p for p in episodes.glob("*.md") if not p.name.startswith("_"))[0]
        for i in range(args.runs):
            out = fresh_out()
            baseline.append(timed([py, str(HERE / "baseline_feedgen.py"), str(episodes), str(out)]))
            out = fresh_out()
            cold.append(timed([*feedtool, "--out", str(out)]))
            warm.append(timed([*feedtool, "--out", str(out)]))
            victim.write_text(
                victim.read_text(encoding="utf-8") + f"\nEdited in run {i}.\n", encoding="utf-8"
            )
            changed.append(timed([*feedtool, "--out", str(out)]))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    base = statistics.median(baseline)
    print(f"corpus: {n_files} episode files, {args.runs} runs each, median wall time per fresh process")
    print(f"{'baseline (yaml.safe_load + feedgen)':40s} {base:7.3f} s   1.00x")
    for name, values in (
        ("feedtool build, cold", cold),
        ("feedtool build, warm (no change)", warm),
        ("feedtool build, one episode changed", changed),
    ):
        m = statistics.median(values)
        print(f"{name:40s} {m:7.3f} s   {m / base:4.2f}x baseline   {m / statistics.median(cold):4.2f}x cold")


if __name__ == "__main__":
    main()
