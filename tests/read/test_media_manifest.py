"""media.yaml: deterministic atomic writes, strict reads, and what the builder gets from it."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedtool import output
from feedtool.config import parse_config
from feedtool.errors import MediaManifestError
from feedtool.model import Audio, Episode
from feedtool.read.media_manifest import (
    MediaEntry,
    load_entries,
    load_manifest,
    render_manifest,
    write_manifest,
)
from feedtool.render.urls import resolve_audio

A = MediaEntry(
    "ab-testing",
    "https://cdn.example.org/a.mp3",
    61063184,
    "audio/mpeg",
    3817.0,
    "7b2e9f14-0c5a-4d83-b6e1-f29a3c8d0e57",
    "A/B Testing - Jakob Graff",
    "anchor-id",
)
B = MediaEntry("bayes", "https://cdn.example.org/b.m4a", None, "audio/x-m4a", 3905.5, None, "Bayes", "title")


def test_round_trip_gives_audio_for_the_builder(tmp_path):
    assert write_manifest(tmp_path, [B, A], "https://anchor.fm/s/3a8bcbb8/podcast/rss") is True
    manifest = load_manifest(tmp_path)
    assert sorted(manifest) == ["ab-testing", "bayes"] and len(manifest) == 2
    assert manifest["ab-testing"] == Audio(
        url="https://cdn.example.org/a.mp3",
        length=61063184,
        mime_type="audio/mpeg",
        duration=3817.0,
        guid="7b2e9f14-0c5a-4d83-b6e1-f29a3c8d0e57",
        source="media.yaml",
    )
    assert manifest["bayes"].guid is None and manifest["bayes"].duration == 3905.5
    assert manifest.source == "https://anchor.fm/s/3a8bcbb8/podcast/rss"
    assert load_entries(tmp_path).entries == (A, B)


def test_missing_file_is_an_empty_manifest_and_the_mapping_is_read_only(tmp_path):
    manifest = load_manifest(tmp_path)
    assert len(manifest) == 0 and "x" not in manifest
    write_manifest(tmp_path, [A], None)
    manifest = load_manifest(tmp_path)
    with pytest.raises(TypeError):
        manifest["x"] = manifest["ab-testing"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        manifest.source = "changed"  # type: ignore[misc]


def test_output_is_deterministic_and_unchanged_files_are_not_rewritten(tmp_path):
    assert render_manifest([A, B], "src") == render_manifest([B, A], "src")
    text = render_manifest([A, B], "src")
    assert text.index("ab-testing:") < text.index("bayes:")
    assert "    duration: 3817\n" in text and "    duration: 3905.5\n" in text  # whole seconds as ints
    write_manifest(tmp_path, [A, B], "src")
    path = tmp_path / "media.yaml"
    past = 1_600_000_000
    os.utime(path, (past, past))
    assert write_manifest(tmp_path, [B, A], "src") is False
    assert path.stat().st_mtime == past


def test_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    write_manifest(tmp_path, [A], "src")
    before = (tmp_path / "media.yaml").read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "replace", broken_replace)  # the shared atomic writer
    with pytest.raises(OSError):
        write_manifest(tmp_path, [A, B], "src")
    assert (tmp_path / "media.yaml").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media.yaml"]


def _manifest(tmp_path: Path, text: str) -> Path:
    (tmp_path / "media.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    _manifest(tmp_path, "version: 1\nepisodes:\n  a:\n    url: [unclosed\n")
    with pytest.raises(MediaManifestError) as info:
        load_manifest(tmp_path)
    (problem,) = info.value.problems
    assert problem.path == str(tmp_path / "media.yaml") and problem.line is not None and problem.line >= 4
    assert "YAML syntax error" in str(info.value) and info.value.exit_code == 2


def test_every_bad_field_is_reported_with_its_line(tmp_path):
    _manifest(
        tmp_path,
        "\n".join(
            [
                "version: 1",  # 1
                "episodes:",  # 2
                "  good:",  # 3
                "    url: https://cdn.example.org/good.mp3",
                "  bad:",  # 5
                "    url: cdn.example.org/bad.mp3",  # 6
                "    length: -3",  # 7
                "    duration: an hour",  # 8
                "    type: mpeg",  # 9
                "    lenght: 5",  # 10
                "  2023: {url: https://cdn.example.org/x.mp3}",  # 11
                "colour: blue",  # 12
                "",
            ]
        ),
    )
    with pytest.raises(MediaManifestError) as info:
        load_manifest(tmp_path)
    found = {(p.field, p.line) for p in info.value.problems}
    assert found == {
        ("episodes.bad.url", 6),
        ("episodes.bad.length", 7),
        ("episodes.bad.duration", 8),
        ("episodes.bad.type", 9),
        ("episodes.bad.lenght", 10),
        ("episodes.2023", 11),
        ("colour", 12),
    }
    message = str(info.value)
    assert "media.yaml:6: error: episodes.bad.url: must be the absolute http(s) URL" in message
    assert "fix or delete it" in message


def test_unsupported_version_and_wrong_shapes(tmp_path):
    _manifest(tmp_path, "version: 2\nepisodes: [a, b]\n")
    with pytest.raises(MediaManifestError) as info:
        load_manifest(tmp_path)
    assert {p.field for p in info.value.problems} == {"version", "episodes"}
    _manifest(tmp_path, "- just\n- a list\n")
    with pytest.raises(MediaManifestError, match="must be a mapping"):
        load_manifest(tmp_path)


def _config(tmp_path, **extra):
    data = {
        "title": "Show",
        "description": "About",
        "link": "https://show.example.org/",
        "public_url": "https://show.example.org/",
        "language": "en",
        "author": "Host",
        "image": "https://show.example.org/cover.jpg",
        "category": "Technology",
        **extra,
    }
    return parse_config(data, tmp_path / "podcast.yaml")


def _episode(slug: str, audio: Audio | None = None) -> Episode:
    return Episode(
        path=Path(f"{slug}.md"), slug=slug, title=slug, pub_date=datetime(2024, 1, 1, tzinfo=UTC), audio=audio
    )


def test_builder_precedence_own_audio_then_manifest_then_template(tmp_path):
    write_manifest(tmp_path, [A], "src")
    manifest = load_manifest(tmp_path)
    config = _config(tmp_path, media_url="https://media.example.org/{slug}.mp3")
    own = Audio("https://own.example.org/a.mp3", 1, "audio/mpeg")
    assert resolve_audio(_episode("ab-testing", own), config, manifest) is own
    from_manifest = resolve_audio(_episode("ab-testing"), config, manifest)
    assert from_manifest.source == "media.yaml" and from_manifest.guid == A.guid
    assert resolve_audio(_episode("other"), config, manifest).source == "media_url"
