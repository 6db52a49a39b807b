"""A build killed at random points never leaves a torn feed.

Each round edits the show, starts ``feedtool build`` in its own process and
SIGKILLs it at a random point: a random file-system event of its publish (see
crash_harness.py; a random wall-clock delay would mostly land before any write)
and, for good measure, a random delay. After every kill the published feed
must be a whole, valid feed: the previous one or the new one, never a mix, and
every chapters file it points to must be whole JSON.
"""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import FIXTURES
from feedsupport import show_argv
from lxml import etree

KILLS_WANTED = 20
EPISODES = 60


def make_show(root: Path) -> Path:
    import shutil

    shutil.copytree(FIXTURES / "show", root)
    template = (root / "episodes" / "s01e01-first-steps.md").read_text()
    for n in range(2, EPISODES + 1):
        text = template.replace("episode: 1\n", f"episode: {n}\n").replace(
            "First Steps in Data", f"Episode {n}"
        )
        text = text.replace("e1abcd", f"e{n:05d}").replace("first.mp3", f"ep{n}.mp3")
        (root / "episodes" / f"s01e{n:02d}-episode.md").write_text(text)
    return root


def build_cmd(show: Path) -> list[str]:
    return [sys.executable, "-m", "feedtool.cli", *show_argv(show, "--quiet", "--no-cache")]


def feed_version(show: Path) -> str:
    """The single edit generation every item of the published feed carries; fails on a torn feed."""
    xml = (show / "public" / "feed.xml").read_bytes()
    root = etree.fromstring(xml)  # raises on a half-written file
    items = root.findall("channel/item")
    assert len(items) == EPISODES + 1
    versions = {
        i.findtext("description").split("generation ", 1)[1].split()[0]
        for i in items
        if "generation" in (i.findtext("description") or "")
    }
    assert len(versions) == 1, f"feed mixes generations {versions}"
    for url in root.iterfind(".//{https://podcastindex.org/namespace/1.0}chapters"):
        rel = url.get("url").split("/test/", 1)[1]
        json.loads((show / "public" / rel).read_text())
    return versions.pop()


def set_generation(show: Path, generation: int) -> None:
    """Stamp every episode's intro, a transcript line and a chapter title with ``generation``,
    so a build rewrites the feed and every chapters and transcript file."""
    for path in (show / "episodes").glob("s01e*.md"):
        text = path.read_text()
        text = re.sub(r"started\.( generation \d+)?", f"started. generation {generation}", text)
        text = re.sub(
            r"Welcome to the show, Jane\.( \(g\d+\))?", f"Welcome to the show, Jane. (g{generation})", text
        )
        text = re.sub(r"- header: Background( g\d+)?", f"- header: Background g{generation}", text)
        path.write_text(text)


HARNESS = Path(__file__).parent / "crash_harness.py"


def harness_cmd(show: Path, k: int | str) -> list[str]:
    return [sys.executable, str(HARNESS), str(k), "--", *build_cmd(show)[3:]]


def test_builds_killed_at_random_write_events_leave_a_whole_feed(tmp_path):
    show = make_show(tmp_path / "show")
    set_generation(show, 0)
    subprocess.run(build_cmd(show), check=True, capture_output=True)
    set_generation(show, 1)
    counted = subprocess.run(harness_cmd(show, -1), check=True, capture_output=True, text=True)
    events = [line.split(" ", 1) for line in counted.stderr.strip().splitlines()]
    assert len(events) > 500  # 180+ files, each written in pieces, synced, chmodded and renamed
    # half the kills anywhere, half aimed at the events touching the feed (its temporary and its rename)
    feed_events = [name for _, name in events if "feed.xml" in name]
    assert len(feed_events) >= 4
    rng = random.Random(20261124)
    kill_points = [
        rng.randrange(len(events)) if n % 2 else f"feed.xml:{rng.randrange(len(feed_events))}"
        for n in range(KILLS_WANTED)
    ]
    kills = 0
    for generation, point in enumerate(kill_points, start=2):
        before = feed_version(show)
        set_generation(show, generation)
        proc = subprocess.run(harness_cmd(show, point), capture_output=True)
        assert proc.returncode == -signal.SIGKILL, proc.stderr[-500:]
        kills += 1
        after = feed_version(show)
        assert after in (before, str(generation)), (before, after, generation)
    assert kills >= KILLS_WANTED
    subprocess.run(build_cmd(show), check=True, capture_output=True)
    assert feed_version(show) == str(1 + KILLS_WANTED)
    assert not list((show / "public").rglob(".*.tmp"))


def test_builds_killed_after_random_delays_leave_a_whole_feed(tmp_path):
    show = make_show(tmp_path / "show")
    set_generation(show, 0)
    start = time.perf_counter()
    subprocess.run(build_cmd(show), check=True, capture_output=True)
    duration = time.perf_counter() - start
    rng = random.Random(7)
    kills = 0
    for generation in range(1, 11):
        before = feed_version(show)
        set_generation(show, generation)
        proc = subprocess.Popen(build_cmd(show), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, duration))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        assert feed_version(show) in (before, str(generation))
    assert kills > 0
