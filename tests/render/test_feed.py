"""The built feed, read the way apps read it: podcastparser (gPodder), feedparser, lxml."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import feedparser
import podcastparser
import pytest
from feedsupport import show_argv
from lxml import etree

from feedtool.cli import main
from feedtool.config import load_config

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "psc": "http://podlove.org/simple-chapters",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "atom": "http://www.w3.org/2005/Atom",
}
FEED_URL = "https://feeds.example.org/test/feed.xml"


def build(show: Path, out: Path, *extra: str) -> int:
    return main(show_argv(show, *extra, out=out))


@pytest.fixture
def built(show, tmp_path):
    out = tmp_path / "public"
    assert build(show, out) == 0
    return show, out


def test_podcastparser_reads_what_the_episodes_say(built):
    _show, out = built
    parsed = podcastparser.parse(FEED_URL, io.BytesIO((out / "feed.xml").read_bytes()))
    assert parsed["title"] == "Test Show"
    assert parsed["itunes_categories"] == [["Technology"]]
    assert parsed["explicit"] is False
    assert parsed["cover_url"] == "https://show.example.org/cover.jpg"
    first, second = parsed["episodes"]  # newest first
    assert second["title"] == "First Steps in Data" and first["title"] == "Markers Only"
    assert second["enclosures"] == [
        {"url": "https://media.example.org/custom/first.mp3", "file_size": 1234567, "mime_type": "audio/mpeg"}
    ]
    # the second episode has no audio: of its own: media_url template with {season} and {slug}
    assert first["enclosures"][0]["url"] == "https://media.example.org/1/s01e02-markers-only.mp3"
    assert (second["total_time"], first["total_time"]) == (600, 1200)
    assert (second["season"], second["number"]) == (1, 1)
    assert second["published"] == 1620950400  # 2021-05-14 00:00 UTC
    assert second["link"] == "https://show.example.org/episodes/s01e01-first-steps/"
    assert second["episode_art_url"] == "https://show.example.org/images/podcast/s01e01.jpg"
    assert second["chapters"] == [
        {"start": 0, "title": "Welcome"},
        {"start": 60, "title": "Background"},
        {"start": 300, "title": "Tools & habits"},
        {"start": 540, "title": "Links"},
    ]
    assert [c["start"] for c in first["chapters"]] == [0, 600]


def test_guids_are_stable_platform_ids_not_positions(built):
    show, out = built
    parsed = podcastparser.parse(FEED_URL, io.BytesIO((out / "feed.xml").read_bytes()))
    podcast_guid = uuid.UUID(load_config(show / "config" / "podcast.yaml").podcast_guid)
    guids = {e["title"]: e["guid"] for e in parsed["episodes"]}
    assert guids["First Steps in Data"] == str(uuid.uuid5(podcast_guid, "anchor:e1abcd"))
    assert guids["Markers Only"] == str(uuid.uuid5(podcast_guid, "youtube:def456"))


def test_feedparser_reads_it_without_complaint(built):
    _, out = built
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Test Show" and feed.feed.language == "en"
    entry = next(e for e in feed.entries if e.title == "First Steps in Data")
    assert entry.itunes_duration == "600"
    assert entry.enclosures[0]["href"] == "https://media.example.org/custom/first.mp3"
    assert entry.enclosures[0]["length"] == "1234567"
    html = entry.content[0].value
    assert "<p>Jane tells us how she started.</p>" in html and "tools &amp; habits" in html
    assert 'href="https://books.example.org/data-book"' in html and "{:" not in html
    assert entry.summary.startswith("Jane tells us how she started.")
    assert entry.published_parsed[:3] == (2021, 5, 14)


def test_podcasting20_and_itunes_tags_with_lxml(built):
    show, out = built
    root = etree.fromstring((out / "feed.xml").read_bytes())
    # literal prefixes matter to several apps
    assert dict(root.nsmap.items()) == NS
    channel = root.find("channel")
    config = load_config(show / "config" / "podcast.yaml")
    assert channel.findtext("podcast:guid", namespaces=NS) == config.podcast_guid
    assert channel.findtext("podcast:locked", namespaces=NS) == "yes"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.find("atom:link", NS).get("rel") == "self"
    assert channel.findtext("link") == "https://show.example.org/"
    assert channel.findtext("lastBuildDate") == "Tue, 01 Jun 2021 00:00:00 +0000"
    item = next(i for i in channel.findall("item") if i.findtext("title") == "First Steps in Data")
    assert item.find("podcast:chapters", NS).attrib == {
        "url": "https://feeds.example.org/test/chapters/s01e01-first-steps.json",
        "type": "application/json+chapters",
    }
    transcripts = [(t.get("url"), t.get("type")) for t in item.findall("podcast:transcript", NS)]
    assert transcripts == [
        ("https://feeds.example.org/test/transcripts/s01e01-first-steps.vtt", "text/vtt"),
        ("https://feeds.example.org/test/transcripts/s01e01-first-steps.srt", "application/x-subrip"),
        ("https://feeds.example.org/test/transcripts/s01e01-first-steps.json", "application/json"),
    ]
    persons = [(p.text, p.get("role"), p.get("img")) for p in item.findall("podcast:person", NS)]
    assert persons == [
        ("Test Host", "host", None),
        ("Jane Doe", "guest", "https://show.example.org/images/authors/janedoe.jpg"),
    ]
    assert item.findtext("podcast:season", namespaces=NS) == "1"
    assert item.findtext("podcast:episode", namespaces=NS) == "1"
    assert [c.get("start") for c in item.findall("psc:chapters/psc:chapter", NS)] == [
        "00:00:00.000",
        "00:01:00.000",
        "00:05:00.000",
        "00:09:00.000",
    ]


def test_output_files_agree_with_the_feed(built):
    _, out = built
    chapters = json.loads((out / "chapters" / "s01e01-first-steps.json").read_text())
    assert chapters["version"] == "1.2.0"
    assert [(c["startTime"], c["title"]) for c in chapters["chapters"]] == [
        (0, "Welcome"),
        (60, "Background"),
        (300, "Tools & habits"),
        (540, "Links"),
    ]
    assert chapters["chapters"][-1]["endTime"] == 600
    vtt = (out / "transcripts" / "s01e01-first-steps.vtt").read_text()
    assert vtt.startswith("WEBVTT") and "<v Jane>" in vtt and "&lt;3 &amp; hello" in vtt
    segments = json.loads((out / "transcripts" / "s01e01-first-steps.json").read_text())["segments"]
    assert segments[0]["speaker"] == "Host" and segments[0]["startTime"] == 5
    # the markers-only episode has no timed lines: no transcript files for it
    assert not (out / "transcripts" / "s01e02-markers-only.vtt").exists()


def test_rebuild_is_byte_identical_across_processes(show, tmp_path):
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "feedtool.cli",
                "build",
                "--config",
                str(show / "config" / "podcast.yaml"),
                "--episodes",
                str(show / "episodes"),
                "--out",
                str(out),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        outs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outs[0] == outs[1] and len(outs[0]) == 6


def test_unchanged_rebuild_rewrites_nothing(built, capsys):
    show, out = built
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    capsys.readouterr()
    assert build(show, out) == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps
    assert "0 file(s) written, 6 unchanged" in capsys.readouterr().out


def test_a_bad_episode_stops_the_publish_and_keeps_the_old_feed(built, capsys):
    show, out = built
    before = (out / "feed.xml").read_bytes()
    (show / "episodes" / "s01e03-broken.md").write_text("---\ntitle: Broken\nseason: 0\n---\n")
    (show / "episodes" / "s01e01-first-steps.md").write_text(
        (show / "episodes" / "s01e01-first-steps.md").read_text().replace("First Steps in Data", "Renamed")
    )
    capsys.readouterr()
    assert build(show, out) == 1
    err = capsys.readouterr().err
    assert "s01e03-broken.md:3: error: season: must be a whole number greater than 0" in err
    # no date is no error (the episode would be held back); a file with errors is left out with them
    assert "s01e03-broken.md: error: dateadded" not in err and "build failed: 1 error(s)" in err
    assert "nothing was published" in err
    assert (out / "feed.xml").read_bytes() == before


def test_skip_invalid_leaves_the_bad_episode_out(built, capsys):
    show, out = built
    (show / "episodes" / "s01e03-broken.md").write_text("---\ntitle: Broken\nseason: 0\n---\n")
    assert build(show, out, "--skip-invalid") == 0
    captured = capsys.readouterr()
    assert "left out: --skip-invalid" in captured.err and "1 left out with errors" in captured.out
    assert b"Broken" not in (out / "feed.xml").read_bytes()


def test_xml_invalid_characters_in_the_config_are_cleaned_and_named(show, tmp_path, capsys):
    cfg = show / "config" / "podcast.yaml"
    cfg.write_text(cfg.read_text().replace("title: Test Show", 'title: "Test\\x0b Show"'))
    assert build(show, tmp_path / "out") == 0
    assert "podcast.yaml: warning: title: removed 1 XML-invalid character(s)" in capsys.readouterr().err
    assert b"<title>Test Show</title>" in (tmp_path / "out" / "feed.xml").read_bytes()


def test_long_descriptions_are_cut_to_4000_bytes(show, tmp_path):
    ep = show / "episodes" / "s01e02-markers-only.md"
    ep.write_text(
        ep.read_text().replace(
            "description: An episode whose chapters come from its markers.", "description: " + "é" * 3000
        )
    )
    assert build(show, tmp_path / "out") == 0
    root = etree.fromstring((tmp_path / "out" / "feed.xml").read_bytes())
    desc = next(i.findtext("description") for i in root.iter("item") if i.findtext("title") == "Markers Only")
    assert len(desc.encode("utf-8")) <= 4000 and desc.endswith("…")


def test_the_built_feed_passes_feedtool_validate(built, capsys):
    _, out = built
    assert main(["validate", str(out / "feed.xml")]) == 0


def test_duplicate_guids_stop_the_build(show, tmp_path, capsys):
    for name in ("s01e01-first-steps.md", "s01e02-markers-only.md"):
        p = show / "episodes" / name
        p.write_text(p.read_text().replace("---\n", "---\nguid: same-guid\n", 1))
    assert build(show, tmp_path / "out") == 1
    assert "2 episodes share the guid 'same-guid'" in capsys.readouterr().err
    assert not (tmp_path / "out" / "feed.xml").exists()


def test_media_manifest_supplies_enclosure_and_keeps_the_hosts_guid(show, tmp_path):
    (show / "episodes" / "media.yaml").write_text(
        "version: 1\nsource: host-feed.xml\nepisodes:\n"
        "  s01e02-markers-only:\n"
        "    url: https://anchor.fm/s/abc/podcast/play/123/markers.mp3\n"
        "    length: 9876543\n    type: audio/mpeg\n    duration: 1199\n"
        "    guid: 7b2e9f14-0c5a-4d83-b6e1-f29a3c8d0e57\n"
        "    title: Markers Only - Host\n    matched_by: title\n"
    )
    out = tmp_path / "out"
    assert build(show, out) == 0
    parsed = podcastparser.parse(FEED_URL, io.BytesIO((out / "feed.xml").read_bytes()))
    item = next(e for e in parsed["episodes"] if e["title"] == "Markers Only")
    assert item["guid"] == "7b2e9f14-0c5a-4d83-b6e1-f29a3c8d0e57"
    assert item["enclosures"] == [
        {
            "url": "https://anchor.fm/s/abc/podcast/play/123/markers.mp3",
            "file_size": 9876543,
            "mime_type": "audio/mpeg",
        }
    ]
    # the episode's own duration: wins over the host's
    assert item["total_time"] == 1200
    # an episode with its own audio: ignores the manifest
    first = next(e for e in parsed["episodes"] if e["title"] == "First Steps in Data")
    assert first["enclosures"][0]["url"] == "https://media.example.org/custom/first.mp3"


def test_validator_findings_about_an_item_name_its_episode_file(show, tmp_path, capsys):
    ep = show / "episodes" / "s01e02-markers-only.md"
    ep.write_text(ep.read_text().replace("startOffset: 0\n", "startOffset: 30\n"))
    assert build(show, tmp_path / "out") == 0
    (line,) = [x for x in capsys.readouterr().err.splitlines() if "psc-chapters-first" in x]
    assert line.startswith(f"{ep}: warning: ")


def test_build_result_summary_is_the_line_the_command_prints(show, tmp_path, capsys):
    """BuildResult.summary() is what `feedtool build` reports, so every caller can print the same line."""
    from feedtool.publish.build import build as build_show

    (show / "episodes" / "_draft.md").write_text("---\ntitle: Draft\n---\n")
    (show / "episodes" / "s01e03-broken.md").write_text("---\ntitle: Broken\nseason: 0\n---\n")
    assert build(show, tmp_path / "one", "--skip-invalid", "--no-cache") == 0
    printed = capsys.readouterr().out.strip().splitlines()[-1]
    config = load_config(show / "config" / "podcast.yaml")
    result = build_show(config, show / "episodes", tmp_path / "two", skip_invalid=True, use_cache=False)
    assert result.counts() == (
        "2 episodes, 2 with chapters, 1 with transcripts, 2 drafts skipped (_draft.md, _template.md), "
        "1 left out with errors"
    )
    assert printed == f"built {tmp_path / 'one'}/feed.xml: {result.summary()}"
