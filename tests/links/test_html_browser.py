"""The HTML report opened in a real headless browser (Debian's chromium), driven over the
DevTools protocol with real mouse clicks and typing: filters, search, sorting, evidence
on demand, the chart and the network-down banner, with screenshots checked pixel by pixel.

CI installs chromium with ``apt-get install -y chromium``; without it these tests are
skipped with that reason. Set FEEDTOOL_SCREENSHOTS=DIR to keep the screenshots.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from feedtool.links import Verdict
from feedtool.links.report import render
from feedtool.links.report.common import LABELS

from .browser import CHROMIUM, Browser, count_colour, distinct_rows, png_size
from .conftest import body_links, run_check

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)"
)

BROKEN_RED, OK_GREEN, DOWN_PINK = (0xB3, 0x26, 0x1E), (0x1A, 0x7F, 0x37), (0xFF, 0xEB, 0xE9)


def _keep(name: str, data: bytes) -> None:
    folder = os.environ.get("FEEDTOOL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(data)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = Browser(tmp_path_factory.mktemp("profile"))
    yield chromium
    chromium.close()


@pytest.fixture
def page(tmp_path, sim):
    """A report after three runs: a link that breaks (suspect, then confirmed), a moved one,
    a bot wall, a missing Spotify link, OK links, and episodes ep2 / ep10 for natural order."""
    episodes = {
        "ep10": {"links": {"youtube": "https://youtu.be/removed0001", "spotify": "TODO"}},
        "ep2": {"links": {"youtube": "https://www.youtube.com/watch?v=okokokokok1"}},
    }
    body = {
        "ep10": body_links(sim, "/ok/a", "/page", "/moved", "/challenge"),
        "ep2": body_links(sim, "/ok/b", "/ok/c", "/page"),
    }
    history = tmp_path / "history.sqlite"
    report = None
    for status in (200, 404, 404):
        sim.status_of["/page"] = status
        report = run_check(tmp_path / "show", sim, episodes, body, history_path=history)
    assert report is not None and len(report.history) == 3
    path = tmp_path / "report.html"
    path.write_text(render(report, "html"), encoding="utf-8")
    return path, report


def _visible(browser: Browser, column: int = 0) -> list[str]:
    """The text of one column of every row the page shows."""
    return browser.eval(
        "Array.from(document.querySelectorAll('#links tbody tr:not(.evidence)'))"
        ".filter(function(tr){return !tr.classList.contains('hidden');})"
        f".map(function(tr){{return tr.cells[{column}].textContent;}})"
    )


def test_the_page_renders_problems_first_with_ok_hidden_until_asked(browser, page):
    path, report = page
    browser.open(path.as_uri())
    shot = browser.screenshot()
    _keep("report.png", shot)
    assert png_size(shot) == (1200, 900)
    assert len(shot) > 20_000 and distinct_rows(shot) > 200  # text, colours, borders: not a blank page
    verdicts = _visible(browser)
    assert verdicts and "OK" not in verdicts
    assert set(verdicts) == {"BROKEN", "REDIRECTED", "MISSING", "UNKNOWN"}
    assert browser.eval("document.getElementById('f-count').textContent").startswith(
        f"showing {len(verdicts)} of"
    )
    browser.choose("#f-verdict", "all")
    ok_places = sum(len(r.places) for r in report.results if r.verdict is Verdict.OK)
    assert ok_places and _visible(browser).count("OK") == ok_places
    browser.click(".counts span.OK")  # the counts are filters too
    assert set(_visible(browser)) == {"OK"}


def test_filters_by_verdict_platform_and_episode(browser, page):
    path, _ = page
    browser.open(path.as_uri() + "#verdict=BROKEN")  # a link to the report can preset filters
    assert set(_visible(browser)) == {"BROKEN"} and len(_visible(browser)) == 3  # /page twice, the video
    browser.choose("#f-platform", "youtube")
    assert _visible(browser, 2) == ["links.youtube"]
    browser.choose("#f-platform", "all")
    browser.choose("#f-episode", "ep2")
    assert set(_visible(browser, 1)) == {"ep2"} and _visible(browser) == ["BROKEN"]
    browser.click("button.ep[data-episode='ep10']")  # the episode index
    assert set(_visible(browser, 1)) == {"ep10"} and "OK" in _visible(browser)
    shot = browser.screenshot()
    _keep("filtered.png", shot)
    assert distinct_rows(shot) > 100


def test_search_as_a_user_types(browser, page):
    path, _ = page
    browser.open(path.as_uri())
    browser.type("#f-search", "challenge")
    assert _visible(browser, 3) == [u for u in _visible(browser, 3) if "challenge" in u] and _visible(
        browser, 3
    )
    assert _visible(browser) == ["UNKNOWN"]
    browser.type("#f-search", "-nothing-matches")
    assert _visible(browser) == []
    assert browser.eval("document.getElementById('f-count').textContent").startswith("showing 0 of")


def test_sorting_by_a_column_click_in_natural_order(browser, page):
    path, _ = page
    browser.open(path.as_uri() + "#verdict=all")
    browser.click("th[data-key=episode]")
    episodes = _visible(browser, 1)
    assert episodes == sorted(episodes, key=lambda s: int(s[2:])) and episodes[0] == "ep2"  # not "ep10"
    assert (
        browser.eval("document.querySelector('th[data-key=episode]').getAttribute('aria-sort')")
        == "ascending"
    )
    browser.click("th[data-key=episode]")
    assert _visible(browser, 1) == sorted(episodes, key=lambda s: -int(s[2:]))
    browser.click("th[data-key=verdict]")
    verdicts = _visible(browser)
    assert verdicts == sorted(verdicts, key=LABELS.index) and verdicts[0] == "BROKEN" and verdicts[-1] == "OK"


def test_evidence_on_demand(browser, page):
    path, _ = page
    browser.open(path.as_uri() + "#verdict=BROKEN&platform=show-notes&episode=ep2")
    assert browser.eval("document.querySelectorAll('tr.evidence').length") == 0
    browser.click("#links tbody tr:not(.hidden) button.ev")
    chain = browser.eval("document.querySelector('tr.evidence').textContent")
    assert "HEAD 404 the link" in chain and "probe http" in chain
    browser.click("#links tbody tr:not(.hidden) button.ev")
    assert browser.eval("document.querySelectorAll('tr.evidence').length") == 0


def test_the_chart_of_recorded_runs(browser, page):
    path, report = page
    browser.open(path.as_uri())
    series = browser.eval(
        "Array.from(document.querySelectorAll('svg.chart g.series')).map(function(g){"
        "return [g.dataset.label, g.querySelectorAll('circle').length,"
        " g.querySelector('text.value').textContent];})"
    )
    counts = report.run.counts
    assert series == [
        ["BROKEN", 3, str(counts.confirmed_broken)],
        ["SUSPECT", 3, str(counts.suspect)],
        ["OK", 3, str(counts.verdicts[Verdict.OK])],
    ]
    titles = browser.eval(
        "Array.from(document.querySelectorAll('svg.chart circle title')).map(t=>t.textContent)"
    )
    assert titles[0].endswith("0 broken") and titles[2].endswith(f"{counts.confirmed_broken} broken")
    box = browser.eval(
        "(function(){var r=document.querySelector('svg.chart').getBoundingClientRect();"
        "return {x:r.x,y:r.y+window.scrollY,width:r.width,height:r.height};})()"
    )
    shot = browser.screenshot(clip=box)
    _keep("chart.png", shot)
    assert count_colour(shot, BROKEN_RED) > 30  # the broken line, its points and its figure
    assert count_colour(shot, OK_GREEN) > 30


def test_a_network_down_run_shows_a_banner_and_a_short_page(browser, tmp_path, sim, offline_dns):
    urls = "\n".join(f"- [x](http://host{n}.example.invalid/page)" for n in range(40))
    report = run_check(tmp_path, sim, {"ep": {}}, {"ep": urls}, concurrency=4, per_host=1, retries=0)
    assert report.run.network.is_down
    path = tmp_path / "down.html"
    path.write_text(render(report, "html"), encoding="utf-8")
    browser.open(path.as_uri())
    banner = browser.eval("document.querySelector('.banner.down').textContent")
    assert banner.startswith("Network down: nothing was checked")
    top = browser.screenshot(clip={"x": 0, "y": 0, "width": 1200, "height": 200})
    _keep("down.png", top)
    assert count_colour(top, DOWN_PINK, tolerance=6) > 5_000  # the banner's background


def test_hostile_values_stay_text_in_the_browser(browser, tmp_path, sim):
    title = "<img src=x id=planted onerror=\"document.title='owned'\"><script>document.title='owned'</script>"
    report = run_check(tmp_path, sim, {"ep": {"title": title}}, {"ep": body_links(sim, "/ok")})
    path = tmp_path / "hostile.html"
    path.write_text(render(report, "html"), encoding="utf-8")
    browser.open(path.as_uri())
    assert browser.eval("document.title") == "Link health report"
    assert browser.eval("document.getElementById('planted')") is None
    assert browser.eval("document.querySelectorAll('script').length") == 1
