"""feedtool.rss.validate and the ``feedtool validate`` command, on fixture feeds."""

from __future__ import annotations

import argparse
import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from feedtool.cli import report_error
from feedtool.commands import validate as validate_command
from feedtool.errors import FeedtoolError
from feedtool.model import Severity
from feedtool.rss.validate import ITUNES_NS, PODCAST_NS, PSC_NS, validate_feed

FEEDS = Path(__file__).parent / "feeds"
ITEM1 = "ab-testing-e1eq73v"
ITEM2 = "https://example.org/podcast/data-engineering"
E, W = "error", "warning"


def found(name: str) -> list[tuple[str, str, str]]:
    report = validate_feed((FEEDS / name).read_bytes(), name=name)
    return [(i.severity, i.item, i.code) for i in report.issues]


def test_valid_feed_has_no_issue():
    report = validate_feed((FEEDS / "valid.xml").read_bytes())
    assert report.issues == ()
    assert report.ok and report.errors == () and report.warnings == ()


@pytest.mark.parametrize(
    "name, expected",
    [
        ("not-well-formed.xml", [(E, "feed", "xml-syntax")]),
        ("atom.xml", [(E, "feed", "not-rss")]),
        (
            "itunes-namespace-case.xml",
            [
                (E, "feed", "itunes-namespace"),
                (E, "channel", "itunes-image"),
                (E, "channel", "itunes-explicit"),
                (E, "channel", "itunes-category"),
            ],
        ),
        ("podcast-namespace.xml", [(E, "feed", "podcast-namespace")]),
        ("bad-category.xml", [(E, "channel", "itunes-category")]),
        ("explicit-yes.xml", [(E, "channel", "itunes-explicit")]),
        ("missing-self-link.xml", [(E, "channel", "atom-self")]),
        ("bad-language.xml", [(E, "channel", "language")]),
        ("long-description.xml", [(E, "channel", "too-long")]),
        ("podcast-guid.xml", [(E, "channel", "podcast-guid")]),
        ("duplicate-guid.xml", [(E, ITEM1, "duplicate-guid")]),
        ("duplicate-enclosure.xml", [(E, ITEM2, "duplicate-enclosure-url")]),
        ("missing-enclosure.xml", [(E, ITEM2, "missing-enclosure")]),
        ("enclosure-length-zero.xml", [(W, ITEM2, "enclosure-length-unknown")]),
        ("enclosure-length-text.xml", [(E, ITEM2, "enclosure-length")]),
        ("enclosure-type-mismatch.xml", [(E, ITEM2, "enclosure-type-mismatch")]),
        ("season-zero.xml", [(E, ITEM1, "season-number")]),
        ("duration-fraction.xml", [(E, ITEM2, "itunes-duration")]),
        ("bad-pubdate.xml", [(E, ITEM2, "date-format")]),
        ("http-transcript.xml", [(E, ITEM1, "podcast-https")]),
        ("chapters-unordered.xml", [(E, ITEM1, "psc-chapters-order")]),
        ("chapters-first-not-zero.xml", [(W, ITEM1, "psc-chapters-first")]),
        ("chapters-bad-start.xml", [(E, ITEM1, "psc-chapter-start")]),
        ("episode-type.xml", [(E, ITEM1, "itunes-episodetype")]),
        ("title-whitespace.xml", [(W, ITEM2, "whitespace")]),
        ("serial-without-episode.xml", [(E, ITEM2, "serial-episode")]),
    ],
)
def test_each_broken_feed_reports_exactly_its_rule(name, expected):
    assert found(name) == expected


def test_syntax_error_names_the_line():
    (issue,) = validate_feed((FEEDS / "not-well-formed.xml").read_bytes()).issues
    assert issue.line == 4


def test_itunes_duration_formats_follow_the_w3c_rule():
    valid = (FEEDS / "valid.xml").read_text()
    for value, ok in (
        ("3723", True),
        ("62:03", True),
        ("1:02:03", True),
        ("1:2:3", False),
        ("1:02:60", False),
        ("PT1H", False),
        ("", False),
    ):
        xml = valid.replace(
            "<itunes:duration>3817</itunes:duration>", f"<itunes:duration>{value}</itunes:duration>"
        )
        assert ("itunes-duration" not in validate_feed(xml.encode()).codes) == ok, value


def test_more_rules_on_one_feed():
    """Several independent breakages in one feed are all reported, each on its item."""
    xml = (FEEDS / "valid.xml").read_text()
    xml = xml.replace("<itunes:episode>6</itunes:episode>", "<itunes:episode>-1</itunes:episode>")
    xml = xml.replace(
        '<podcast:person role="guest" img="https://example.org/jakob.jpg"',
        '<podcast:person role="guest" img="http://example.org/jakob.jpg"',
    )
    xml = xml.replace('<psc:chapter start="00:01:03.000"', '<psc:chapter start="63"')
    xml = xml.replace("<title>A/B testing in practice</title>", f"<title>{'x' * 256}</title>")
    xml = xml.replace("<pubDate>Mon, 22 Jan 2024", "<pubDate>Tue, 22 Jan 2024")
    xml = xml.replace(
        '<itunes:image href="https://example.org/ab-testing.png"/>',
        '<itunes:image href="https://example.org/ab-testing.gif"/>',
    )
    xml = xml.replace("<podcast:locked>no</podcast:locked>", "<podcast:locked>maybe</podcast:locked>")
    report = validate_feed(xml.encode())
    assert sorted((i.severity, i.item, i.code) for i in report.issues) == sorted(
        [
            (E, "channel", "podcast-locked"),
            (W, ITEM1, "date-weekday"),
            (E, ITEM1, "episode-number"),
            (W, ITEM1, "image-type"),
            (W, ITEM1, "psc-chapter-start"),
            (E, ITEM1, "podcast-https"),
            (E, ITEM1, "too-long"),
        ]
    )


def test_duplicate_single_elements_and_missing_item_fields():
    xml = (
        (FEEDS / "valid.xml")
        .read_text()
        .replace(
            "<itunes:explicit>false</itunes:explicit>",
            "<itunes:explicit>false</itunes:explicit><itunes:explicit>false</itunes:explicit>",
            1,
        )
    )
    xml = xml.replace('<guid isPermaLink="true">https://example.org/podcast/data-engineering</guid>', "")
    xml = xml.replace("<title>Data engineering careers</title>", "")
    codes = [(i.severity, i.item, i.code) for i in validate_feed(xml.encode()).issues]
    assert codes == [
        (E, "channel", "duplicate-element"),
        (E, "item 2", "missing-title"),
        (E, "item 2", "missing-guid"),
    ]


def test_github_podcast_namespace_is_a_warning_and_still_checked():
    xml = (
        (FEEDS / "http-transcript.xml")
        .read_text()
        .replace(PODCAST_NS, "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md")
    )
    codes = [(i.severity, i.code) for i in validate_feed(xml.encode()).issues]
    assert codes == [(W, "podcast-namespace"), (E, "podcast-https")]


def test_unconventional_prefix_is_a_warning():
    xml = (FEEDS / "valid.xml").read_text().replace("xmlns:psc=", "xmlns:chap=").replace("psc:", "chap:")
    assert [(i.severity, i.code) for i in validate_feed(xml.encode()).issues] == [(W, "namespace-prefix")]


def test_empty_input_is_one_syntax_error_even_after_another_broken_feed():
    validate_feed((FEEDS / "not-well-formed.xml").read_bytes())  # lxml's global error log keeps this one
    (issue,) = validate_feed(b"").issues
    assert issue.code == "xml-syntax" and "empty" in issue.message


# ------------------------------------------------------------------ a feed written with feedgen by hand


def _feedgen_feed() -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.title("Hand made")
    fg.link(href="https://example.org/feed.xml", rel="self", type="application/rss+xml")
    fg.link(href="https://example.org/", rel="alternate")
    fg.description("A feed written with feedgen")
    fg.language("en")
    fg.lastBuildDate(datetime(2024, 1, 22, tzinfo=UTC))
    fg.podcast.itunes_category("Technology")
    fg.podcast.itunes_author("Example")
    for n, slug in enumerate(("one", "two"), start=1):
        fe = fg.add_entry(order="append")
        fe.id(f"urn:example:{slug}")
        fe.guid(f"urn:example:{slug}", permalink=False)
        fe.title(f"Episode {slug}")
        fe.description(f"About {slug}")
        fe.pubDate(datetime(2024, 1, n, tzinfo=UTC))
        fe.enclosure(f"https://cdn.example.org/{slug}.mp3", "1234", "audio/mpeg")
        fe.podcast.itunes_duration(3723)
        fe.podcast.itunes_episode(n)
    return fg


def test_plain_feedgen_feed_lacks_what_feedgen_cannot_write():
    """feedgen 1.0.0 cannot write itunes:explicit true/false and drops a .jpeg channel image."""
    fg = _feedgen_feed()
    fg.podcast.itunes_explicit("no")
    fg.podcast.itunes_image("https://example.org/cover.jpeg")
    report = validate_feed(fg.rss_str(pretty=True))
    assert [(i.severity, i.item, i.code) for i in report.issues] == [
        (E, "channel", "itunes-image"),
        (E, "channel", "itunes-explicit"),
    ]
    assert "yes/no/clean" in report.errors[1].message


class _AppleFix(BaseExtension):
    """The workaround feed-standards.md 4.4 describes: write true/false and the image ourselves."""

    def extend_ns(self):
        return {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "psc": PSC_NS}

    def extend_rss(self, rss):
        channel = rss[0]
        xml_elem(f"{{{ITUNES_NS}}}explicit", channel).text = "false"
        xml_elem(f"{{{ITUNES_NS}}}image", channel, href="https://example.org/cover.jpeg")
        xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
        return rss


class _AppleFixEntry(BaseEntryExtension):
    def extend_rss(self, item):
        chapters = xml_elem(f"{{{PSC_NS}}}chapters", item, version="1.2")
        xml_elem(f"{{{PSC_NS}}}chapter", chapters, start="00:00:00.000", title="Start")
        xml_elem(f"{{{PSC_NS}}}chapter", chapters, start="00:00:00.000", title="Also start")
        xml_elem(f"{{{PODCAST_NS}}}transcript", item, url="http://example.org/t.vtt", type="text/vtt")
        return item


def test_feedgen_feed_with_extension():
    fg = _feedgen_feed()
    fg.register_extension("fix", _AppleFix, _AppleFixEntry)
    report = validate_feed(fg.rss_str(pretty=True))
    assert [(i.severity, i.item, i.code) for i in report.issues] == [
        (E, "urn:example:one", "psc-chapters-order"),
        (E, "urn:example:one", "podcast-https"),
        (E, "urn:example:two", "psc-chapters-order"),
        (E, "urn:example:two", "podcast-https"),
    ]


# ------------------------------------------------------------------ command line


def run_cli(argv: list[str], stdin: bytes = b"") -> tuple[int, str]:
    """Parse with the command's own parser and map FeedtoolError with feedtool.cli's report_error."""
    parser = argparse.ArgumentParser(prog="feedtool")
    validate_command.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    out = io.StringIO()
    old_out, old_in = sys.stdout, sys.stdin
    sys.stdout, sys.stdin = out, io.TextIOWrapper(io.BytesIO(stdin))
    try:
        code = args.handler(args)
    except FeedtoolError as exc:
        code = report_error(exc)
    finally:
        sys.stdout, sys.stdin = old_out, old_in
    return code, out.getvalue()


def test_cli_valid_feed_exits_0():
    code, out = run_cli(["validate", str(FEEDS / "valid.xml")])
    assert code == 0
    assert out == f"{FEEDS / 'valid.xml'}: valid, 0 errors, 0 warnings\n"


def test_cli_warnings_only_exits_0_and_prints_them():
    code, out = run_cli(["validate", str(FEEDS / "enclosure-length-zero.xml")])
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"warning  {ITEM2}  enclosure-length-unknown: ")
    assert lines[-1].endswith("valid, 0 errors, 1 warning")


def test_cli_errors_exit_1():
    code, out = run_cli(["validate", str(FEEDS / "explicit-yes.xml")])
    assert code == 1
    assert out.splitlines()[0] == (
        "error  channel  itunes-explicit: itunes:explicit must be true or false, "
        "not 'yes' (yes/no/clean are the old values) (line 21)"
    )


def test_cli_reads_stdin_and_writes_json():
    code, out = run_cli(["validate", "-", "--format", "json"], (FEEDS / "duplicate-guid.xml").read_bytes())
    assert code == 1
    doc = json.loads(out)
    assert doc["feed"] == "<stdin>" and doc["ok"] is False and doc["errors"] == 1
    assert doc["issues"][0]["code"] == "duplicate-guid" and doc["issues"][0]["item"] == ITEM1


def test_cli_unreadable_file_exits_2(tmp_path):
    code, out = run_cli(["validate", str(tmp_path / "missing.xml")])
    assert code == 2 and out == ""


def test_issue_converts_to_problem():
    issue = validate_feed((FEEDS / "explicit-yes.xml").read_bytes()).issues[0]
    problem = issue.as_problem("public/feed.xml")
    assert issue.severity == "error" and issue.is_error
    assert problem.severity is Severity.ERROR and problem.line == 21
    assert str(problem).startswith("public/feed.xml:21: error: channel: itunes-explicit: ")


def _mutated(*pairs: tuple[str, str]) -> list[tuple[str, str, str]]:
    xml = (FEEDS / "valid.xml").read_text()
    for old, new in pairs:
        assert old in xml, old
        xml = xml.replace(old, new, 1)
    return [(i.severity, i.item, i.code) for i in validate_feed(xml.encode("utf-8")).issues]


def test_url_with_a_space_says_so():
    xml = (FEEDS / "valid.xml").read_text().replace("ab-testing.png", "ab testing.png")
    (issue,) = validate_feed(xml.encode()).issues
    assert (issue.severity, issue.item, issue.code) == (E, ITEM1, "itunes-image")
    assert "percent-encode" in issue.message


def test_item_link_block_and_new_feed_url():
    assert _mutated(
        ("<link>https://example.org/podcast/ab-testing</link>", "<link>/podcast/ab-testing</link>"),
        (
            "<itunes:type>",
            "<itunes:block>yes</itunes:block><itunes:new-feed-url>feed.xml"
            "</itunes:new-feed-url><itunes:type>",
        ),
    ) == [(W, "channel", "itunes-block"), (E, "channel", "itunes-new-feed-url"), (E, ITEM1, "link")]


def test_podcast_episode_must_be_a_number():
    assert _mutated(
        ("<podcast:episode>6</podcast:episode>", "<podcast:episode>six</podcast:episode>"),
        ("<podcast:season>7</podcast:season>", "<podcast:season>7.5</podcast:season>"),
    ) == [(E, ITEM1, "podcast-season"), (E, ITEM1, "podcast-episode")]


def test_not_utf8_and_content_after_root_are_warnings():
    xml = (FEEDS / "valid.xml").read_text().replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    xml = xml.replace("© 2024", "(c) 2024") + "<!-- generated -->\n"
    report = validate_feed(xml.encode("latin-1"))
    assert [(i.severity, i.item, i.code) for i in report.issues] == [
        (W, "feed", "encoding"),
        (W, "feed", "after-root"),
    ]


def test_rss_version_and_channel_count():
    xml = (FEEDS / "valid.xml").read_text().replace('<rss version="2.0"', '<rss version="0.91"')
    assert [(i.severity, i.code) for i in validate_feed(xml.encode()).issues] == [(E, "rss-version")]
    assert validate_feed(b"<rss version='2.0'/>").codes == ("itunes-namespace", "missing-channel")


def test_explicit_upper_case_is_a_warning():
    assert _mutated(
        ("<itunes:explicit>false</itunes:explicit>", "<itunes:explicit>False</itunes:explicit>")
    ) == [(W, "channel", "itunes-explicit")]


def test_channel_podcast_urls_are_checked_once_and_named_channel():
    assert _mutated(
        (
            '<podcast:person role="host" img="https://example.org/host.jpg"',
            '<podcast:person role="host" img="http://example.org/host.jpg"',
        ),
        ('href="https://example.org/host">', 'href="host.html">'),
    ) == [(E, "channel", "podcast-url"), (E, "channel", "podcast-https")]  # attributes: url, href, img, uri


def test_enclosure_extension_and_type_come_from_the_media_table():
    xml = (FEEDS / "valid.xml").read_text()
    ogg = xml.replace(
        'ab-testing.mp3" length="61234567" type="audio/mpeg"', 'ab-testing.ogg" length="1" type="audio/ogg"'
    )
    (issue,) = validate_feed(ogg.encode()).issues
    assert (issue.severity, issue.item, issue.code) == (W, ITEM1, "enclosure-extension")
    assert issue.message == (
        "Apple lists an episode only for .m4a .mp3 .mov .mp4 .m4v .pdf .epub files; the URL ends in '.ogg'"
    )
    # an alias of the extension's type is accepted; a type of another extension is not
    assert validate_feed(xml.replace('type="audio/mpeg"', 'type="audio/mp3"').encode()).issues == ()
    (mismatch,) = validate_feed(xml.replace('type="audio/mpeg"', 'type="audio/ogg"').encode()).issues
    assert mismatch.code == "enclosure-type-mismatch"
    assert mismatch.message.endswith("(expected audio/mp3 or audio/mpeg or audio/mpeg3)")
