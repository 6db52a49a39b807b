"""Publishing guards: what subscribers already have is never silently lost."""

from __future__ import annotations

import json
from pathlib import Path

from feedsupport import build_show as run_build

EP1 = "s01e01-first-steps.md"
EP2 = "s01e02-markers-only.md"


def published(show: Path) -> bytes:
    return (show / "public" / "feed.xml").read_bytes()


def test_record_is_written_after_publish(show):
    assert run_build(show) == 0
    record = json.loads((show / ".feedtool" / "published.json").read_text())
    assert record["version"] == 1
    assert sorted(e["slug"] for e in record["episodes"].values()) == [
        "s01e01-first-steps",
        "s01e02-markers-only",
    ]


def test_removed_episode_blocks_the_publish(show, capsys):
    run_build(show)
    before = published(show)
    (show / "episodes" / EP2).unlink()
    capsys.readouterr()
    assert run_build(show) == 1
    err = capsys.readouterr().err
    assert "removed: 'Markers Only' (file s01e02-markers-only.md)" in err
    assert "would shrink from 2 to 1 episodes" in err
    assert "nothing was published" in err
    assert published(show) == before
    assert run_build(show, "--allow-removal") == 0
    assert b"Markers Only" not in published(show)
    # the record follows the allowed removal: the next run is quiet
    assert run_build(show) == 0


def test_renamed_file_changing_the_guid_blocks_the_publish(show, capsys):
    (show / "episodes" / EP2).write_text(
        (show / "episodes" / EP2).read_text().replace("  youtube: def456\n", "", 1)
    )
    run_build(show)  # guid derives from the slug now (no ids)
    before = published(show)
    (show / "episodes" / EP2).rename(show / "episodes" / "s01e02-renamed.md")
    capsys.readouterr()
    assert run_build(show) == 1
    err = capsys.readouterr().err
    assert "guid-changed: 'Markers Only' was published with guid" in err
    assert "pin the old one with guid:" in err
    assert published(show) == before


def test_guid_change_detected_by_enclosure_without_a_record(show, capsys):
    run_build(show)
    (show / ".feedtool" / "published.json").unlink()  # fall back to the published feed itself
    ep = show / "episodes" / EP1
    ep.write_text(ep.read_text().replace("---\n", "---\nguid: brand-new-guid\n", 1))
    capsys.readouterr()
    assert run_build(show) == 1
    assert "would now have guid brand-new-guid" in capsys.readouterr().err
    assert run_build(show, "--allow-guid-change") == 0


def test_count_drop_share_is_configurable(show, capsys):
    cfg = show / "config" / "podcast.yaml"
    cfg.write_text(cfg.read_text() + "publish:\n  max_drop: 0.6\n")
    run_build(show)
    (show / "episodes" / EP2).unlink()
    capsys.readouterr()
    assert run_build(show) == 1
    err = capsys.readouterr().err
    assert "removed:" in err and "would shrink" not in err


def test_unknown_publish_key_is_a_config_error(show, capsys):
    cfg = show / "config" / "podcast.yaml"
    cfg.write_text(cfg.read_text() + "publish:\n  max_dorp: 0.5\n")
    assert run_build(show) == 2
    assert "did you mean 'max_drop'" in capsys.readouterr().err


def test_damaged_record_falls_back_to_the_published_feed(show, capsys):
    run_build(show)
    (show / ".feedtool" / "published.json").write_text("{not json")
    (show / "episodes" / EP2).unlink()
    capsys.readouterr()
    assert run_build(show) == 1
    assert "removed: 'Markers Only'" in capsys.readouterr().err
