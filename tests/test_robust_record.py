"""Issue 9, case 5: the publish record can never switch the guards off.

``.feedtool/published.json`` is state, restored from a CI cache or edited by
hand, so any content is possible. A record that is empty, damaged or of the
wrong shape while a published feed exists falls back to the feed (what the
subscribers really have); with no feed to fall back on, it is one ``error:``
line naming the file, never an AttributeError or a RecursionError.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from feedsupport import build_show, show_argv

from feedtool.cli import main
from feedtool.errors import ConfigError
from feedtool.publish.guards import load_record

EP2 = "s01e02-markers-only.md"

DEEP = b"[" * 100_000 + b"]" * 100_000

# one fixture per case: (name, the record's bytes)
RECORDS: list[tuple[str, bytes]] = [
    ("empty-episodes", b'{"version": 1, "episodes": {}}'),
    ("empty-file", b""),
    ("list", b"[]"),
    ("null", b"null"),
    ("number", b"5"),
    ("episodes-is-a-list", b'{"version": 1, "episodes": []}'),
    ("episodes-is-null", b'{"version": 1, "episodes": null}'),
    ("no-episodes", b'{"version": 1}'),
    ("episode-is-a-list", b'{"version": 1, "episodes": {"g": []}}'),
    ("episode-missing-fields", b'{"version": 1, "episodes": {"g": {"slug": "x"}}}'),
    (
        "episode-extra-field",
        b'{"version": 1, "episodes": {"g": {"slug": "x", "title": "t", '
        b'"enclosure": "e", "pub_date": "", "guid": "other"}}}',
    ),
    (
        "episode-wrong-type",
        b'{"version": 1, "episodes": {"g": {"slug": 5, "title": [], "enclosure": {}, "pub_date": null}}}',
    ),
    ("deep-nesting", DEEP),
    ("deep-nesting-inside", b'{"version": 1, "episodes": ' + DEEP + b"}"),
    ("version-2", b'{"version": 2, "episodes": {}}'),
    ("not-utf8", b"\xff\xfe{"),
    ("nul-bytes", b"\x00\x00\x00"),
]


def run_build(show: Path, *extra: str) -> int:
    return build_show(show, "--quiet", *extra)


def write_record(show: Path, data: bytes) -> Path:
    path = show / ".feedtool" / "published.json"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("case", "text"), RECORDS, ids=[c for c, _ in RECORDS])
def test_a_bad_record_falls_back_to_the_published_feed(show, capsys, case, text):
    """The bug: deleting an episode then published with exit 0 under an empty record."""
    assert run_build(show) == 0
    before = (show / "public" / "feed.xml").read_bytes()
    write_record(show, text)
    (show / "episodes" / EP2).unlink()
    capsys.readouterr()
    assert run_build(show) == 1
    err = capsys.readouterr().err
    assert "removed: 'Markers Only'" in err, err
    assert "Traceback" not in err and "nothing was published" in err
    assert (show / "public" / "feed.xml").read_bytes() == before
    # the record repairs itself once a run publishes
    assert run_build(show, "--allow-removal") == 0
    data = json.loads((show / ".feedtool" / "published.json").read_text())
    assert [e["slug"] for e in data["episodes"].values()] == ["s01e01-first-steps"]


DAMAGED = [r for r in RECORDS if r[0] != "empty-episodes"]  # an empty record is a valid one


@pytest.mark.parametrize(("case", "text"), DAMAGED, ids=[c for c, _ in DAMAGED])
def test_a_bad_record_without_a_feed_is_an_error_naming_the_file(tmp_path, case, text):
    state = tmp_path / "state"
    state.mkdir()
    path = state / "published.json"
    path.write_bytes(text)
    with pytest.raises(ConfigError) as caught:
        load_record(state, tmp_path / "public" / "feed.xml")
    message = str(caught.value)
    assert message.startswith(f"{path}: the publish record is damaged")
    assert "delete the file" in message and "\n" not in message


def test_an_empty_record_without_a_feed_is_a_first_publish(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "published.json").write_text('{"version": 1, "episodes": {}}')
    assert load_record(state, tmp_path / "public" / "feed.xml") == {}


def test_a_record_missing_some_published_episodes_still_guards_them(show, capsys):
    """Sibling of the empty record: a record that lost some of the feed's episodes
    (hand-edited, or restored from an old cache) must not make them removable."""
    assert run_build(show) == 0
    path = show / ".feedtool" / "published.json"
    data = json.loads(path.read_text())
    data["episodes"] = {g: e for g, e in data["episodes"].items() if e["slug"] != EP2[:-3]}
    path.write_text(json.dumps(data))
    (show / "episodes" / EP2).unlink()
    capsys.readouterr()
    assert run_build(show) == 1
    assert "removed: 'Markers Only'" in capsys.readouterr().err


def test_a_folder_at_the_record_path_is_an_error_naming_it(show, capsys):
    assert run_build(show) == 0
    path = show / ".feedtool" / "published.json"
    path.unlink()
    path.mkdir()
    (show / "episodes" / EP2).unlink()
    capsys.readouterr()
    assert run_build(show) == 1  # falls back to the feed, which still has the episode
    err = capsys.readouterr().err
    assert "removed: 'Markers Only'" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("case", "feed"),
    [("garbage", b"not xml at all"), ("empty", b""), ("html", b"<html><body>hi</body></html>")],
)
def test_an_unreadable_published_feed_without_a_record_is_an_error_naming_it(show, capsys, case, feed):
    """Sibling: with no record, the published feed is the record; one that cannot be read
    must stop the publish (it may list episodes subscribers have), naming the file."""
    out = show / "public"
    out.mkdir()
    (out / "feed.xml").write_bytes(feed)
    assert run_build(show) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out / 'feed.xml'}: the published feed cannot be read")
    assert err.count("\n") == 1 and (out / "feed.xml").read_bytes() == feed


def test_an_unreadable_published_feed_with_a_good_record_is_not_needed(show):
    assert run_build(show) == 0
    (show / "public" / "feed.xml").write_bytes(b"garbage")
    assert run_build(show) == 0
    assert b"<rss" in (show / "public" / "feed.xml").read_bytes()


@pytest.mark.parametrize(
    ("case", "text", "says"),
    [
        ("damaged", b"[]", "the publish record is damaged (expected an object, found a list); guarding with"),
        (
            "empty",
            b'{"version": 1, "episodes": {}}',
            "the publish record lacks 2 episode(s) of the published",
        ),
    ],
)
def test_the_fallback_is_a_warning_naming_the_record(show, capsys, case, text, says):
    assert run_build(show) == 0
    path = write_record(show, text)
    capsys.readouterr()
    assert main(show_argv(show)) == 0
    err = capsys.readouterr().err
    assert f"{path}: warning: publish record: {says}" in err, err
