"""The show page (``OUT/index.html``, ``OUT/episodes/SLUG.html``): its HTML, and the episode page
driven in headless Chromium (clicking a chapter moves the player, the transcript follows, no
console errors). Screenshots stay in the test's tmp folder."""

import json
import re
import shutil
import struct
import subprocess
import wave

import lxml.html
import pytest
import yaml
from conftest import FIXTURES

from feedtool.config import parse_config
from feedtool.publish.build import build

BASE = yaml.safe_load((FIXTURES / "show" / "config" / "podcast.yaml").read_text())
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SLUG = "s01e01-first-steps"
MEDIA = "https://media.example.org/custom/first.mp3"


@pytest.fixture
def site(show, tmp_path):
    config = parse_config(
        {**BASE, "site": True, "speakers": {"Host": "Test Host"}}, show / "config" / "podcast.yaml"
    )
    build(config, show / "episodes", tmp_path / "out", use_cache=False)
    return tmp_path / "out"


def test_build_writes_the_index_and_a_page_per_episode(site):
    index = lxml.html.fromstring((site / "index.html").read_bytes())
    assert index.get("lang") == "en"
    assert [a.get("href") for a in index.xpath("//ol[@class='episodes']//h3/a")] == [
        "episodes/s01e02-markers-only.html",
        f"episodes/{SLUG}.html",
    ]  # the feed's order, newest first
    assert (
        index.xpath("//header[@class='show']/img")[0].get("alt") == ""
    )  # decorative: the title is beside it
    assert sorted(p.name for p in (site / "episodes").iterdir()) == [
        f"{SLUG}.html",
        "s01e02-markers-only.html",
    ]


def test_the_episode_page_has_player_chapters_transcript_guests_and_platforms(site):
    text = (site / "episodes" / f"{SLUG}.html").read_text()
    page = lxml.html.fromstring(text)
    (player,) = page.xpath("//audio[@id='player']")
    assert player.get("src") == MEDIA and player.get("controls") is not None and player.get("aria-label")
    chapters = page.xpath("//ol[@class='chapters']//a")
    assert [(a.get("data-start"), a.get("href")) for a in chapters] == [
        (s, f"{MEDIA}#t={s}") for s in ("0", "60", "300", "540")
    ]  # without JavaScript a chapter is a link into the media file at its start
    cues = page.xpath("//div[@id='transcript']/p[@class='cue']")
    assert cues and all(c.get("data-start") for c in cues)
    assert "Test Host:" in page.xpath("//div[@id='transcript']")[0].text_content()  # display names
    guests = page.xpath("//section[@aria-labelledby='guests-heading']//li")
    assert guests and guests[0].xpath(".//a")
    platforms = [a.text_content() for a in page.xpath("//section[@aria-labelledby='platforms-heading']//a")]
    assert "YouTube" in platforms and "Spotify" in platforms
    # self-contained: no external scripts, style sheets or fonts
    assert not page.xpath("//script[@src]") and not page.xpath("//link[@rel='stylesheet']")
    assert "@import" not in text and "@font-face" not in text and "fonts.googleapis" not in text
    # every form control has a label
    for control in page.xpath("//input"):
        assert control.getparent().tag == "label" or page.xpath(f"//label[@for='{control.get('id')}']")
    assert page.xpath("//a[@class='skip']")[0].get("href") == "#main" and page.xpath("//main[@id='main']")


def test_site_false_writes_no_pages(show, tmp_path):
    config = parse_config({**BASE, "site": False}, show / "config" / "podcast.yaml")
    build(config, show / "episodes", tmp_path / "out", use_cache=False)
    assert not (tmp_path / "out" / "index.html").exists() and not (tmp_path / "out" / "episodes").exists()


def _chromium(profile, *args):
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--autoplay-policy=no-user-gesture-required",
            "--enable-logging=stderr",
            "--v=0",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )


# Runs after the page's own script: clicks the third chapter once the media is loaded, then
# records where the player and the transcript are.
PROBE = """<script>
window.addEventListener("load", function () {
  var player = document.getElementById("player");
  function go() {
    var link = document.querySelectorAll(".chapters a")[2];
    link.click();
    setTimeout(function () {
      var current = document.querySelectorAll(".cue.current");
      document.body.setAttribute("data-result", JSON.stringify({
        time: player.currentTime, expected: parseFloat(link.getAttribute("data-start")),
        current: Array.prototype.map.call(current, function (c) { return c.getAttribute("data-start"); }),
        starts: Array.prototype.map.call(document.querySelectorAll(".cue"), function (c) {
          return parseFloat(c.getAttribute("data-start")); })
      }));
    }, 500);
  }
  if (player.readyState >= 1) { go(); } else { player.addEventListener("loadedmetadata", go); }
});
</script>
</body>"""


def _png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_clicking_a_chapter_moves_the_player_and_the_transcript_follows(site, tmp_path):
    folder = site / "episodes"
    with wave.open(str(folder / "silence.wav"), "wb") as audio:  # a real file the player can seek in
        audio.setnchannels(1)
        audio.setsampwidth(1)
        audio.setframerate(8000)
        audio.writeframes(b"\x80" * 8000 * 660)
    page = (folder / f"{SLUG}.html").read_text().replace(MEDIA, "silence.wav")
    probe = folder / "probe.html"
    probe.write_text(page.replace("</body>", PROBE, 1))
    run = _chromium(tmp_path / "profile", "--virtual-time-budget=15000", "--dump-dom", probe.as_uri())
    (result,) = re.findall(r'data-result="([^"]*)"', run.stdout)
    state = json.loads(result.replace("&quot;", '"'))
    assert state["expected"] == 300 and state["time"] == pytest.approx(300)
    expected_cue = max(s for s in state["starts"] if s <= 300)
    assert state["current"] == [str(int(expected_cue))]  # the cue being spoken at 5:00, and only it
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    assert not console, console  # no errors, no warnings, nothing logged

    for name, size in (("desktop", "1200,900"), ("phone", "390,844")):
        for page_name, path in (("episode", folder / f"{SLUG}.html"), ("index", site / "index.html")):
            shot = tmp_path / f"{page_name}-{name}.png"
            _chromium(tmp_path / "profile", f"--screenshot={shot}", f"--window-size={size}", path.as_uri())
            width, _ = _png_size(shot.read_bytes())
            assert width == int(size.split(",")[0]) and shot.stat().st_size > 10_000


FOLLOW_PROBE = """<script>
window.addEventListener("load", function () {
  var player = document.getElementById("player");
  function go() {
    var links = document.querySelectorAll(".chapters a");
    var link = links[Math.floor(links.length / 2)];
    link.click();
    setTimeout(function () {
      var box = document.getElementById("transcript");
      var cue = document.querySelector(".cue.current");
      var top = cue.offsetTop - box.offsetTop;
      document.body.setAttribute("data-result", JSON.stringify({
        time: player.currentTime, expected: parseFloat(link.getAttribute("data-start")),
        scroll: box.scrollTop, visible: top >= box.scrollTop && top < box.scrollTop + box.clientHeight
      }));
    }, 500);
  }
  if (player.readyState >= 1) { go(); } else { player.addEventListener("loadedmetadata", go); }
});
</script>
</body>"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_a_long_transcript_scrolls_to_the_current_cue(show, tmp_path):
    corpus = FIXTURES / "corpus" / "from-academic-research-to-data-engineering-freelancing.md"
    (show / "episodes" / corpus.name).write_text(corpus.read_text())
    config = parse_config({**BASE, "site": True}, show / "config" / "podcast.yaml")
    build(config, show / "episodes", tmp_path / "out", use_cache=False)
    folder = tmp_path / "out" / "episodes"
    page = (folder / f"{corpus.stem}.html").read_text()
    (media,) = set(re.findall(r'<audio id="player" controls preload="metadata" src="([^"]+)"', page))
    with wave.open(str(folder / "silence.wav"), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(1)
        audio.setframerate(4000)
        audio.writeframes(b"\x80" * 4000 * 3600)
    probe = folder / "probe.html"
    probe.write_text(page.replace(media, "silence.wav").replace("</body>", FOLLOW_PROBE, 1))
    run = _chromium(tmp_path / "profile", "--virtual-time-budget=15000", "--dump-dom", probe.as_uri())
    (result,) = re.findall(r'data-result="([^"]*)"', run.stdout)
    state = json.loads(result.replace("&quot;", '"'))
    assert state["time"] == pytest.approx(state["expected"]) and 600 < state["expected"] < 3600
    assert state["scroll"] > 1000 and state["visible"]  # the transcript box followed the player
    assert not [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    shot = tmp_path / "long-transcript.png"
    _chromium(tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,2400", probe.as_uri())
    assert shot.stat().st_size > 10_000


def test_a_cached_transcript_section_takes_the_media_url_of_this_build(show, tmp_path):
    """The transcript section is kept per episode file version with a slot for the media URL:
    a rebuild that takes it from the cache must link every cue to this build's URL."""
    episode = show / "episodes" / f"{SLUG}.md"
    text = episode.read_text()
    block = (
        "audio:\n  url: https://media.example.org/custom/first.mp3\n  length: 1234567\n  type: audio/mpeg\n"
    )
    assert block in text
    episode.write_text(text.replace(block, ""))  # its URL then comes from the config's media_url
    pages = {}
    for base in ("https://old.example.org", "https://new.example.org"):
        config = parse_config(
            {**BASE, "site": True, "media_url": base + "/{season}/{slug}.mp3"},
            show / "config" / "podcast.yaml",
        )
        result = build(config, show / "episodes", tmp_path / "out")
        pages[base] = (tmp_path / "out" / "episodes" / f"{SLUG}.html").read_text()
    assert result.cache is not None and result.cache.parsed == 0  # the second build: all from the cache
    old, new = pages.values()
    page = lxml.html.fromstring(new)
    cue_links = page.xpath("//div[@id='transcript']//a/@href")
    assert cue_links and all(
        href.startswith(f"https://new.example.org/1/{SLUG}.mp3#t=") for href in cue_links
    )
    assert "\x00" not in new and "old.example.org" not in new
    assert new == old.replace("https://old.example.org", "https://new.example.org")
