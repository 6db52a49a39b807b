"""``feedtool run``: the scheduled command's stages, exit codes and lock."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from links.simulator import Simulator

from feedtool.cli import main


@pytest.fixture
def sim():
    simulator = Simulator()
    yield simulator
    simulator.close()


def make_show(root: Path, sim: Simulator, body_paths: list[str]) -> Path:
    (root / "episodes").mkdir(parents=True)
    config = {
        "title": "Run Show",
        "description": "A show",
        "link": sim.url("/ok/site"),
        "author": "Host",
        "public_url": "https://feeds.example.org/run/",
        "language": "en",
        "category": "Technology",
        "image": "https://feeds.example.org/cover.jpg",
        "media_url": sim.url("/ok/media/{slug}.mp3"),
        "state_dir": "state",
        "links": {
            "allow_private": True,
            "confirm_after": 1,
            "timeout": "1s",
            "connect_timeout": "1s",
            "retries": 0,
            "min_interval": 0,
            "max_age": 0,
            "history": "state/links.sqlite",
            "endpoints": {
                "youtube_oembed": sim.url("/yt/oembed"),
                "spotify_oembed": sim.url("/sp/oembed"),
                "apple_lookup": sim.url("/apple/lookup"),
            },
        },
    }
    (root / "podcast.yaml").write_text(yaml.safe_dump(config))
    body = "\n".join(f"- [link]({sim.url(p)})" for p in body_paths)
    (root / "episodes" / "ep1.md").write_text(
        "---\ntitle: Episode One\ndateadded: 2024-01-01\nlinks:\n  youtube: TODO\n---\n\n" + body + "\n"
    )
    return root


def run(root: Path, *extra: str) -> int:
    return main(
        [
            "run",
            "--config",
            str(root / "podcast.yaml"),
            "--episodes",
            str(root / "episodes"),
            "--out",
            str(root / "public"),
            *extra,
        ]
    )


def test_published_and_links_fine_exits_0_with_one_line_per_stage(tmp_path, sim, capsys):
    root = make_show(tmp_path / "show", sim, ["/ok/a"])
    assert run(root) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("feedtool run ")
    assert lines[1].startswith("build: published ") and "1 episodes" in lines[1]
    assert lines[2].startswith("links: ") and "0 confirmed broken" in lines[2]
    assert lines[-1] == "run: feed published; no confirmed broken link (exit 0)"
    report = json.loads((root / "state" / "reports" / "links.json").read_text())
    assert {r["url"] for r in report["results"]} >= {sim.url("/ok/a")}
    for name in ("links.md", "links.html", "links.txt"):
        assert (root / "state" / "reports" / name).stat().st_size > 0


def test_published_but_broken_links_exits_4(tmp_path, sim, capsys):
    root = make_show(tmp_path / "show", sim, ["/ok/a", "/404"])
    assert run(root) == 4
    out = capsys.readouterr().out
    assert "1 confirmed broken" in out and out.rstrip().endswith("(exit 4)")
    assert (root / "public" / "feed.xml").exists()


def test_not_published_exits_1_and_skips_the_link_check(tmp_path, sim, capsys):
    root = make_show(tmp_path / "show", sim, ["/ok/a"])
    # (an episode without a date is held back, not an error: this one has a real error)
    (root / "episodes" / "ep2.md").write_text(
        "---\ntitle: Bad season\ndateadded: 2024-01-02\nseason: 0\n---\n"
    )
    assert run(root) == 1
    out = capsys.readouterr().out
    assert "build: NOT published" in out and "links:" not in out
    assert "ep2.md:4: error: season" in out
    assert out.rstrip().endswith("run: feed NOT published (exit 1)")
    assert not (root / "public" / "feed.xml").exists()


def test_an_overlapping_run_exits_3_naming_the_holder(tmp_path, sim):
    root = make_show(tmp_path / "show", sim, ["/ok/a"])
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time; from pathlib import Path; from feedtool.publish.lock import acquire\n"
                f"with acquire(Path({str(root / 'state' / 'run.lock')!r})):\n"
                "    print('locked', flush=True); time.sleep(30)"
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "feedtool.cli",
                "run",
                "--config",
                str(root / "podcast.yaml"),
                "--episodes",
                str(root / "episodes"),
                "--out",
                str(root / "public"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 3
        assert "another feedtool run holds the lock" in second.stderr and f"pid {holder.pid}" in second.stderr
        assert not (root / "public").exists()
    finally:
        holder.kill()
        holder.wait()
    # once the holder is gone (even killed), the lock is free again
    assert run(root) == 0


def test_skip_links(tmp_path, sim, capsys):
    root = make_show(tmp_path / "show", sim, ["/404"])
    assert run(root, "--skip-links") == 0
    assert "links: skipped" in capsys.readouterr().out
