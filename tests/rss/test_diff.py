"""feedtool diff: what subscribers would see, and the exit code that guards publishing."""

from __future__ import annotations

import json

from feedsupport import feed_xml, item_xml

from feedtool.rss.diff import diff_feeds

ONE = item_xml("g1", "Episode one", "https://cdn.example.org/1.mp3")
TWO = item_xml("g2", "Episode two", "https://cdn.example.org/2.mp3", date="Tue, 23 Jan 2024 17:00:00 GMT")
THREE = item_xml("g3", "Episode three", "https://cdn.example.org/3.mp3", date="Wed, 24 Jan 2024 17:00:00 GMT")


def test_identical_feeds_have_no_diff():
    diff = diff_feeds(feed_xml(ONE, TWO), feed_xml(ONE, TWO))
    assert diff.is_empty and not diff.hurts_subscribers and diff.unchanged == 2


def test_added_episode_is_safe():
    diff = diff_feeds(feed_xml(ONE, TWO), feed_xml(THREE, ONE, TWO))
    assert [i.guid for i in diff.added] == ["g3"]
    assert not diff.removed and not diff.changed and not diff.hurts_subscribers


def test_removed_episode_hurts():
    diff = diff_feeds(feed_xml(ONE, TWO), feed_xml(TWO))
    assert [i.guid for i in diff.removed] == ["g1"]
    assert diff.hurts_subscribers and diff.harms == ("removed: 'Episode one' (guid g1)",)


def test_guid_change_found_by_enclosure_url_not_as_add_and_remove():
    renamed = item_xml("https://show.example.org/episode-one", "Episode one", "https://cdn.example.org/1.mp3")
    diff = diff_feeds(feed_xml(ONE, TWO), feed_xml(renamed, TWO))
    assert not diff.added and not diff.removed
    (change,) = diff.guid_changes
    assert change.matched_by == "enclosure_url"
    assert [(f.field, f.old, f.new, f.harmful) for f in change.changes] == [
        ("guid", "g1", "https://show.example.org/episode-one", True)
    ]
    assert diff.hurts_subscribers


def test_guid_change_found_by_title_when_the_file_moved_too():
    moved = item_xml("g1-new", "EPISODE ONE!", "https://new-cdn.example.org/1.mp3")
    diff = diff_feeds(feed_xml(ONE), feed_xml(moved))
    (change,) = diff.changed
    assert change.matched_by == "title"
    assert {f.field for f in change.changes if f.harmful} == {"guid", "enclosure_url"}
    assert {f.field for f in change.changes} == {"guid", "title", "enclosure_url"}


def test_enclosure_url_change_hurts_but_length_and_duration_do_not():
    moved = item_xml("g1", "Episode one", "https://new-cdn.example.org/1.mp3")
    diff = diff_feeds(feed_xml(ONE), feed_xml(moved))
    assert diff.hurts_subscribers
    assert [f.field for f in diff.changed[0].changes] == ["enclosure_url"]
    retagged = item_xml(
        "g1",
        "Episode one (remastered)",
        "https://cdn.example.org/1.mp3",
        length=2000,
        duration="3605",
        mime="audio/x-m4a",
    )
    diff = diff_feeds(feed_xml(ONE), feed_xml(retagged))
    assert not diff.hurts_subscribers
    assert [f.field for f in diff.changed[0].changes] == [
        "title",
        "enclosure_length",
        "enclosure_type",
        "duration",
    ]


def test_same_instant_and_same_duration_in_other_notations_are_no_change():
    other = item_xml(date="Mon, 22 Jan 2024 18:00:00 +0100", duration="01:00:00")
    diff = diff_feeds(feed_xml(ONE), feed_xml(other))
    assert diff.is_empty


def test_pub_date_change_is_reported():
    later = item_xml(date="Thu, 25 Jan 2024 09:30:00 GMT")
    (change,) = diff_feeds(feed_xml(ONE), feed_xml(later)).changed
    assert [(f.field, f.old, f.new) for f in change.changes] == [
        ("pub_date", "2024-01-22T17:00:00+00:00", "2024-01-25T09:30:00+00:00")
    ]


def test_duplicate_guid_in_new_feed_hurts():
    dup = item_xml("g1", "Episode two", "https://cdn.example.org/2.mp3")
    diff = diff_feeds(feed_xml(ONE, TWO), feed_xml(ONE, dup))
    assert diff.duplicate_guids_new == ("g1",)
    assert diff.hurts_subscribers


def test_channel_changes_and_podcast_guid():
    diff = diff_feeds(feed_xml(ONE, title="Old name"), feed_xml(ONE, title="New name"))
    assert [(c.field, c.old, c.new, c.harmful) for c in diff.channel_changes] == [
        ("title", "Old name", "New name", False)
    ]
    assert not diff.hurts_subscribers
    diff = diff_feeds(feed_xml(ONE), feed_xml(ONE, podcast_guid="another-guid"))
    assert diff.hurts_subscribers and diff.channel_changes[0].field == "podcast:guid"


def test_namespace_variant_alone_is_no_change():
    old = feed_xml(ONE, itunes_ns="http://www.itunes.com/dtds/podcast-1.0.dtd")
    new = feed_xml(
        ONE,
        itunes_ns="https://www.itunes.com/DTDs/Podcast-1.0.dtd",
        podcast_ns="https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
    )
    assert diff_feeds(old, new).is_empty


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_cli_text_and_exit_codes(tmp_path, run_cli):
    old = _write(tmp_path, "old.xml", feed_xml(ONE, TWO))
    safe = _write(tmp_path, "safe.xml", feed_xml(THREE, ONE, TWO))
    code, out, _ = run_cli("diff", old, safe)
    assert code == 0
    assert "added 1, removed 0, guid changed 0" in out and "+ 'Episode three' [2024-01-24] guid g3" in out
    assert out.rstrip().endswith("(exit 0)")
    bad = _write(tmp_path, "bad.xml", feed_xml(item_xml("new-guid", "Episode one"), THREE))
    code, out, _ = run_cli("diff", old, bad)
    assert code == 1
    assert "Removed (apps drop" in out and "- 'Episode two'" in out
    assert "! 'Episode one': g1 -> new-guid (paired by enclosure url)" in out
    assert "HURTS SUBSCRIBERS: 2 change(s)" in out
    assert "Changed:" not in out  # the guid change is listed once, under its own heading


def test_cli_json(tmp_path, run_cli):
    old = _write(tmp_path, "old.xml", feed_xml(ONE, TWO))
    new = _write(
        tmp_path, "new.xml", feed_xml(item_xml("g1", "Episode one", "https://cdn2.example.org/1.mp3"))
    )
    code, out, _ = run_cli("diff", old, new, "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert data["schema_version"] == 1 and data["hurts_subscribers"] is True
    assert data["counts"] == {
        "old": 2,
        "new": 1,
        "added": 0,
        "removed": 1,
        "changed": 1,
        "guid_changed": 0,
        "unchanged": 0,
    }
    assert data["changed"][0]["changes"] == [
        {
            "field": "enclosure_url",
            "old": "https://cdn.example.org/1.mp3",
            "new": "https://cdn2.example.org/1.mp3",
            "harmful": True,
        }
    ]
    assert data["removed"][0]["guid"] == "g2"


def test_cli_unreadable_input_is_a_usage_error(tmp_path, run_cli):
    old = _write(tmp_path, "old.xml", feed_xml(ONE))
    code, _, err = run_cli("diff", old, tmp_path / "missing.xml")
    assert code == 2 and "missing.xml: cannot read" in err
    html = _write(tmp_path, "page.html", b"<html><p>not a feed")
    code, _, err = run_cli("diff", old, html)
    assert code == 2 and "page.html: not well-formed XML" in err
