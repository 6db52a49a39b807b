"""Show notes in a podcast app: relative links and images made absolute against the episode page."""

from __future__ import annotations

from feedsupport import write_host_show
from lxml import etree

from feedtool.read.shownotes import absolute_links, render

PAGE = "https://datatalks.club/podcast/mentoring.html"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


def test_relative_links_and_images_point_at_the_website():
    html, links = render(
        "With [Rahul](/people/rahuljain.html), see [notes](notes/more.html) and ![cover](images/c.jpg).\n\n"
        "- [What is mentoring?](#what-is-mentoring)\n- [elsewhere](https://example.org/x?a=1&b=2)\n"
        "- [mail](mailto:host@example.org)\n\n<p><a href='/raw/html'>raw</a></p>\n\n"
        '`<a href="/in/code">`'
    )
    out = absolute_links(html, PAGE + "#old-fragment")
    assert '<a href="https://datatalks.club/people/rahuljain.html">Rahul</a>' in out
    assert '<a href="https://datatalks.club/podcast/notes/more.html">notes</a>' in out
    assert '<img src="https://datatalks.club/podcast/images/c.jpg" alt="cover" />' in out
    # a fragment-only link is the episode page with that fragment
    assert f'<a href="{PAGE}#what-is-mentoring">What is mentoring?</a>' in out
    assert '<a href="https://example.org/x?a=1&amp;b=2">' in out and 'href="mailto:host@example.org"' in out
    assert "<a href='https://datatalks.club/raw/html'>raw</a>" in out
    assert "&lt;a href=&quot;/in/code&quot;&gt;" in out  # text that looks like a link is text
    assert "/people/rahuljain.html" in links  # the link checker still sees what the file says


def test_the_feed_carries_absolute_links(tmp_path, run_cli):
    config, episodes, out = write_host_show(
        tmp_path,
        {
            "mentoring": "title: Mentoring\ndateadded: 2024-01-01\nguid: g\n"
            "audio:\n  url: https://cdn.example.org/m.mp3\n  length: 10"
        },
        episode_url="https://datatalks.club/podcast/{slug}.html",
    )
    notes = episodes / "mentoring.md"
    notes.write_text(notes.read_text() + "\n[Guest](/people/guest.html) - [Part one](#part-one)\n")
    code, _, err = run_cli("build", "--config", config, "--episodes", episodes, "--out", out)
    assert code == 0, err
    content = etree.fromstring((out / "feed.xml").read_bytes()).find(f"channel/item/{CONTENT}").text
    assert 'href="https://datatalks.club/people/guest.html"' in content
    assert f'href="{PAGE}#part-one"' in content
    assert 'href="/' not in content and 'href="#' not in content
