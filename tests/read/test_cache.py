"""Incremental builds: the episode cache and build --check."""

from __future__ import annotations

from pathlib import Path

import pytest
from feedsupport import build_show as run_build

from feedtool.read import cache as cache_mod


def cache_entries(show: Path) -> list[Path]:
    """The episode cache's entry files, one per episode."""
    return sorted((show / ".feedtool" / cache_mod.CACHE_DIR).glob("*.entry"))


def summary(capsys) -> str:
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_no_change_rebuild_parses_nothing_and_writes_nothing(show, capsys):
    assert run_build(show) == 0
    assert "2 parsed, 0 from cache" in summary(capsys)
    stamps = {p: p.stat().st_mtime_ns for p in (show / "public").rglob("*") if p.is_file()}
    cache_stamps = {p: p.stat().st_mtime_ns for p in cache_entries(show)}
    assert len(cache_stamps) == 2
    assert run_build(show) == 0
    assert "0 parsed, 2 from cache" in summary(capsys)
    assert {p: p.stat().st_mtime_ns for p in (show / "public").rglob("*") if p.is_file()} == stamps
    assert {p: p.stat().st_mtime_ns for p in cache_entries(show)} == cache_stamps


def test_one_changed_episode_is_the_only_one_parsed(show, capsys):
    run_build(show)
    capsys.readouterr()
    ep = show / "episodes" / "s01e02-markers-only.md"
    ep.write_text(ep.read_text().replace("Markers Only", "Markers Only, edited"))
    assert run_build(show) == 0
    assert "1 parsed, 1 from cache" in summary(capsys)
    assert b"Markers Only, edited" in (show / "public" / "feed.xml").read_bytes()


def test_same_size_same_mtime_edit_is_still_seen(show, capsys):
    run_build(show)
    ep = show / "episodes" / "s01e02-markers-only.md"
    stat = ep.stat()
    ep.write_text(ep.read_text().replace("Markers Only", "Markers Onlx"))
    import os

    os.utime(ep, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    capsys.readouterr()
    assert run_build(show) == 0
    assert "1 parsed, 1 from cache" in summary(capsys)
    assert b"Markers Onlx" in (show / "public" / "feed.xml").read_bytes()


def test_guest_profile_change_invalidates_the_episodes_that_use_it(show, capsys):
    run_build(show)
    profile = show / "people" / "janedoe.md"
    profile.write_text(profile.read_text().replace("Jane Doe", "Jane Q. Doe"))
    capsys.readouterr()
    assert run_build(show) == 0
    assert "1 parsed, 1 from cache" in summary(capsys)
    assert b"Jane Q. Doe" in (show / "public" / "feed.xml").read_bytes()


def test_code_version_change_invalidates_the_cache(show, capsys, monkeypatch):
    run_build(show)
    monkeypatch.setattr(cache_mod, "code_fingerprint", lambda: "another version of feedtool")
    capsys.readouterr()
    assert run_build(show) == 0
    assert "2 parsed, 0 from cache" in summary(capsys)


@pytest.mark.parametrize("damage", [b"", b"garbage", None])
def test_corrupt_cache_is_discarded_and_rebuilt(show, capsys, damage):
    run_build(show)
    for cache_file in cache_entries(show):
        blob = cache_file.read_bytes()
        cache_file.write_bytes(blob[: len(blob) // 2] if damage is None else damage)
    capsys.readouterr()
    assert run_build(show) == 0
    captured = capsys.readouterr()
    assert "2 parsed, 0 from cache" in captured.out
    assert "the episode cache was corrupt" in captured.err
    capsys.readouterr()
    assert run_build(show) == 0
    assert "0 parsed, 2 from cache" in summary(capsys)


def test_no_cache_neither_reads_nor_writes_it(show, capsys):
    assert run_build(show, "--no-cache") == 0
    assert not (show / ".feedtool" / cache_mod.CACHE_DIR).exists()
    assert "parsed" not in summary(capsys)


def test_check_reports_stale_outputs_without_writing(show, capsys):
    assert run_build(show, "--check") == 1
    assert "out of date: 6 file(s) would change" in summary(capsys)
    assert not (show / "public").exists() and not (show / ".feedtool").exists()
    run_build(show)
    capsys.readouterr()
    assert run_build(show, "--check") == 0
    assert summary(capsys).startswith("up to date")
    ep = show / "episodes" / "s01e02-markers-only.md"
    ep.write_text(ep.read_text().replace("Markers Only", "Markers Only 2"))
    before = (show / "public" / "feed.xml").read_bytes()
    assert run_build(show, "--check") == 1
    assert "feed.xml" in summary(capsys)
    assert (show / "public" / "feed.xml").read_bytes() == before


def test_cached_transcripts_follow_the_episode_file(show, capsys):
    run_build(show)
    vtt = show / "public" / "transcripts" / "s01e01-first-steps.vtt"
    assert "By accident." in vtt.read_text()
    ep = show / "episodes" / "s01e01-first-steps.md"
    ep.write_text(ep.read_text().replace("By accident.", "Quite by accident."))
    assert run_build(show) == 0
    assert "Quite by accident." in vtt.read_text()
    # and an unrelated episode's edit leaves the transcript file untouched
    stamp = vtt.stat().st_mtime_ns
    other = show / "episodes" / "s01e02-markers-only.md"
    other.write_text(other.read_text().replace("Markers Only", "Markers Only!"))
    assert run_build(show) == 0
    assert vtt.stat().st_mtime_ns == stamp


def _parsed_entry(show: Path) -> tuple[str, cache_mod.CacheEntry]:
    from feedtool.read.episodes import read_episode

    path = show / "episodes" / "s01e01-first-steps.md"
    episode, problems = read_episode(path)
    assert episode is not None
    digest = cache_mod.file_digest(path.read_bytes())
    return path.name, cache_mod.CacheEntry(digest, (), episode, tuple(problems))


@pytest.mark.parametrize("damage", [None, "torn", "removed"])
def test_an_entry_given_as_text_is_written_at_once_and_again_with_its_outputs(show, damage):
    """A parse worker's text is written as it came, at once; the entry is written again with
    its outputs from that text read back, or encoded again when the file lost it."""
    key, entry = _parsed_entry(show)
    folder = show / ".feedtool" / cache_mod.CACHE_DIR
    folder.mkdir(parents=True)
    cache = cache_mod.EpisodeCache.open(folder, "ctx")
    cache.put(key, entry, cache_mod.entry_json(entry))
    file = folder / cache_mod.entry_file_name(key)
    first = file.read_bytes()
    assert b'"rendered":{}' in first
    if damage == "torn":
        file.write_bytes(first[: len(first) // 2])
    elif damage == "removed":
        file.unlink()
    assert cache.rendered_output(key, "transcript.vtt", lambda: b"WEBVTT\n") == b"WEBVTT\n"
    cache.flush(key)
    again = cache_mod.EpisodeCache.open(folder, "ctx")
    loaded = again.get(key, entry.digest)
    assert loaded is not None and loaded.episode == entry.episode and loaded.problems == entry.problems
    assert again.rendered_output(key, "transcript.vtt", lambda: b"rendered again") == b"WEBVTT\n"
    # the same bytes whichever way the entry's text was had
    fresh = cache_mod.EpisodeCache.open(show / "other", "ctx")
    (show / "other").mkdir()
    fresh.put(key, entry)
    fresh.rendered_output(key, "transcript.vtt", lambda: b"WEBVTT\n")
    fresh.flush(key)
    assert (show / "other" / cache_mod.entry_file_name(key)).read_bytes() == file.read_bytes()
