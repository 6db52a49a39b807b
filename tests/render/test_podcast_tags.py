"""More Podcasting 2.0 tags from the config (and per episode where the namespace allows), read back
by podcast-partytime (the Podcast Index's own parser) and checked by feedtool's validator."""

import json
import shutil
import subprocess

import pytest
import yaml
from conftest import FIXTURES
from lxml import etree

from feedtool.config import parse_config
from feedtool.errors import ConfigError
from feedtool.publish.build import build
from feedtool.rss.namespaces import PODCAST_NS
from feedtool.rss.validate import validate_feed

BASE = yaml.safe_load((FIXTURES / "show" / "config" / "podcast.yaml").read_text())
TAGS = {
    "medium": "podcast",
    "update_frequency": {
        "text": "Weekly",
        "rrule": "FREQ=WEEKLY",
        "dtstart": "2024-01-01",
        "complete": False,
    },
    "license": {"name": "cc-by-4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
    "txt": [{"text": "S6lpp-7ZCn8", "purpose": "verify"}, "just text"],
    "podroll": [
        {
            "feed_guid": "917393e3-1b1e-5cef-ace4-edaa54e1f810",
            "feed_url": "https://feeds.podcastindex.org/pc20.xml",
            "title": "Podcasting 2.0",
        }
    ],
    "trailer": [
        {
            "title": "Coming soon",
            "url": "https://media.example.org/trailer.mp3",
            "pubdate": "2024-01-01",
            "length": 12345,
            "type": "audio/mpeg",
            "season": 2,
        }
    ],
    "websub_hub": "https://pubsubhubbub.appspot.com/",
}
DUMP = """
const { parseFeed } = require(process.argv[2]);
const feed = parseFeed(require("fs").readFileSync(process.argv[3], "utf8"));
console.log(JSON.stringify(feed));
"""


@pytest.fixture(scope="module")
def partytime(tmp_path_factory):
    """podcast-partytime 5.0.0 installed from npm into a temporary folder (skipped, with the reason,
    when npm is missing or the install fails)."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        pytest.skip("npm or node is not installed: podcast-partytime cannot be installed")
    folder = tmp_path_factory.mktemp("partytime")
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder), "podcast-partytime@5.0.0"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"npm install podcast-partytime failed: {done.stderr.strip()[-300:]}")
    script = folder / "dump.js"
    script.write_text(DUMP)

    def parse(feed_path):
        out = subprocess.run(
            [node, str(script), str(folder / "node_modules" / "podcast-partytime"), str(feed_path)],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return json.loads(out.stdout)

    return parse


@pytest.fixture
def tagged_feed(show, tmp_path):
    ep = show / "episodes" / "s01e01-first-steps.md"
    ep.write_text(
        ep.read_text().replace(
            "duration: PT10M\n",
            "duration: PT10M\nlicense: cc-by-nc-4.0\ntxt: {text: hello item, purpose: release}\n",
        )
    )
    config = parse_config({**BASE, **TAGS}, show / "config" / "podcast.yaml")
    result = build(config, show / "episodes", tmp_path / "out", use_cache=False)
    assert not [p for p in result.output.warnings if p.field in ("license", "txt")]
    return tmp_path / "out" / "feed.xml"


def test_partytime_reads_every_tag(partytime, tagged_feed):
    feed = partytime(tagged_feed)
    assert feed["medium"] == "podcast"
    assert feed["license"] == {
        "identifier": "cc-by-4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }
    assert feed["podcastTxt"] == [{"value": "S6lpp-7ZCn8", "purpose": "verify"}, {"value": "just text"}]
    assert feed["podroll"] == [
        {
            "feedGuid": "917393e3-1b1e-5cef-ace4-edaa54e1f810",
            "feedUrl": "https://feeds.podcastindex.org/pc20.xml",
            "title": "Podcasting 2.0",
        }
    ]
    assert feed["trailers"] == [
        {
            "title": "Coming soon",
            "url": "https://media.example.org/trailer.mp3",
            "pubdate": "2024-01-01T00:00:00.000Z",
            "type": "audio/mpeg",
            "length": 12345,
            "season": 2,
        }
    ]
    assert feed["pubsub"]["hub"] == "https://pubsubhubbub.appspot.com/"
    (item,) = [i for i in feed["items"] if "license" in i]
    assert item["license"]["identifier"] == "cc-by-nc-4.0"
    assert item["podcastTxt"] == [{"value": "hello item", "purpose": "release"}]
    # partytime 5.0.0 has no parser for podcast:updateFrequency: it must at least not break the feed
    assert "updateFrequency" not in json.dumps(feed) and len(feed["items"]) == 2


def test_the_tags_are_as_the_namespace_writes_them_and_validate(tagged_feed):
    xml = tagged_feed.read_bytes()
    assert not validate_feed(xml).errors
    channel = etree.fromstring(xml).find("channel")
    (freq,) = channel.findall(f"{{{PODCAST_NS}}}updateFrequency")
    assert freq.text == "Weekly" and dict(freq.attrib) == {
        "complete": "false",
        "dtstart": "2024-01-01",
        "rrule": "FREQ=WEEKLY",
    }
    (trailer,) = channel.findall(f"{{{PODCAST_NS}}}trailer")
    assert trailer.get("pubdate") == "Mon, 01 Jan 2024 00:00:00 +0000"


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("<podcast:medium>podcast<", "<podcast:medium>radio<", "podcast-medium"),
        ('complete="false"', 'complete="no"', "podcast-updatefrequency"),
        ('pubdate="Mon, 01 Jan 2024 00:00:00 +0000"', 'pubdate="2024-01-01"', "podcast-trailer"),
        ('feedGuid="917393e3-1b1e-5cef-ace4-edaa54e1f810" ', "", "podcast-podroll"),
        (">cc-by-nc-4.0<", "><", "podcast-license"),
        (">hello item<", "><", "podcast-txt"),
    ],
)
def test_the_validator_checks_the_tags(tagged_feed, old, new, code):
    xml = tagged_feed.read_text()
    assert old in xml
    assert code in [i.code for i in validate_feed(xml.replace(old, new).encode()).errors]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"medium": "radio"}, "medium"),
        ({"update_frequency": {"text": "Weekly", "rrule": "weekly"}}, "update_frequency.rrule"),
        ({"update_frequency": {"rrule": "FREQ=WEEKLY"}}, "update_frequency.text"),
        ({"license": {"url": "https://example.org/l"}}, "license.name"),
        ({"txt": [{"purpose": "verify"}]}, "txt[0].text"),
        ({"podroll": [{"feed_guid": "not-a-guid"}]}, "podroll[0].feed_guid"),
        ({"trailer": [{"title": "T", "url": "https://x.example.org/t.mp3"}]}, "trailer[0].pubdate"),
        (
            {
                "trailer": [
                    {"title": "T", "url": "https://x.example.org/t.mp3", "pubdate": "2024-01-01", "size": 1}
                ]
            },
            "trailer[0].size",
        ),
    ],
)
def test_the_config_checks_the_tags_at_load(tmp_path, changes, field):
    with pytest.raises(ConfigError) as info:
        parse_config({**BASE, **changes}, tmp_path / "p.yaml")
    assert field in [p.field for p in info.value.problems], info.value.problems


def test_funding_already_covers_podcast_funding(tmp_path):
    """podcast:funding (channel only, url + label) is the existing ``funding`` key."""
    from feedtool.render.feed import render_feed

    config = parse_config(
        {**BASE, "funding": [{"url": "https://example.org/give", "label": "Support us"}]}, tmp_path / "p.yaml"
    )
    channel = etree.fromstring(render_feed(config, []).xml).find("channel")
    (funding,) = channel.findall(f"{{{PODCAST_NS}}}funding")
    assert funding.get("url") == "https://example.org/give" and funding.text == "Support us"


def test_an_episodes_bad_license_is_a_warning_and_left_out(show, tmp_path):
    from feedtool.read.episodes import read_episode

    ep = show / "episodes" / "s01e01-first-steps.md"
    ep.write_text(
        ep.read_text().replace(
            "duration: PT10M\n", "duration: PT10M\nlicense: {url: https://x.example.org/l}\n"
        )
    )
    episode, problems = read_episode(ep)
    assert episode is not None and episode.license is None
    (p,) = [p for p in problems if p.field == "license.name"]
    assert not p.is_error and p.line is not None
