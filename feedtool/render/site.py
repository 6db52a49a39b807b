"""The show page: ``OUT/index.html`` and ``OUT/episodes/SLUG.html``, what a listener sees.

A maintainer can open the show as a listener would before publishing, and a show
without a website gets one. The pages are self-contained: one inline style sheet
and, on episode pages, one small inline script; no external scripts or fonts
(artwork and media are the show's own URLs). Everything works without JavaScript
(the player, the chapter list as links into the media file with a ``#t=`` media
fragment, the transcript as text); the script adds seeking the player from a
chapter or a transcript line, and the transcript following the current cue.

Accessibility: ``lang`` on the page, a skip link, landmarks and headings, labelled
controls, visible focus, text contrast above 7:1, and a layout that reflows on a
phone (no fixed widths). The renderer is pure: data in, bytes out.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

from feedtool.config import Config
from feedtool.model import Episode, Person
from feedtool.render.feed import FeedItem
from feedtool.render.speakers import with_display_names
from feedtool.render.transcripts import Cue, build_cues, has_transcript
from feedtool.timeutil import clock

PLATFORM_NAMES = {"youtube": "YouTube", "spotify": "Spotify", "apple": "Apple Podcasts", "anchor": "Anchor"}
LINK_NAMES = {"linkedin": "LinkedIn", "twitter": "Twitter", "github": "GitHub", "web": "Website"}


@dataclass(frozen=True)
class SitePage:
    """One episode as its page shows it."""

    item: FeedItem
    episode: Episode
    transcript: str = ""  # the transcript section, MEDIA_SLOT where the media URL goes (see below)


# The transcript section links every cue to the media file: it is rendered with this slot for
# the URL, so that the section (most of a page's work) depends on the episode file alone and is
# rendered once per file version (the build caches it), the URL being filled in per build. An
# episode file cannot contain NUL (no XML can), so the slot never matches the file's text.
MEDIA_SLOT = "\x00media-url\x00"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


STYLE = """
:root { color-scheme: light; --ink: #1a1a1a; --muted: #4a4a4a; --accent: #0b4f9c; --line: #d0d0d0;
  --current: #fff3b0; }
* { box-sizing: border-box; }
body { margin: 0; font: 1.05rem/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #fff; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, audio:focus-visible, [tabindex]:focus-visible {
  outline: 3px solid #c25100; outline-offset: 2px; }
.skip, .sr-only { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 2; }
header.show, main, footer { max-width: 46rem; margin: 0 auto; padding: 1rem; }
header.show { display: flex; gap: 1rem; align-items: center; border-bottom: 1px solid var(--line); }
header.show img { width: 6rem; height: 6rem; object-fit: cover; border-radius: .5rem; }
header.show p { margin: .25rem 0; color: var(--muted); }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 1rem 0 .5rem; }
h2 { font-size: 1.25rem; margin: 1.75rem 0 .5rem; }
.meta { color: var(--muted); margin: 0 0 1rem; }
audio { width: 100%; }
.episodes { list-style: none; padding: 0; }
.episodes li { border-top: 1px solid var(--line); padding: .75rem 0; }
.episodes p { margin: .25rem 0; }
.chapters { padding-left: 0; list-style: none; }
.chapters li { padding: .2rem 0; }
.chapters a, .cue a { font-variant-numeric: tabular-nums; }
.chapters .time, .cue .time { display: inline-block; min-width: 4.5rem; }
#transcript { max-height: 28rem; overflow-y: auto; border: 1px solid var(--line); border-radius: .5rem;
  padding: .5rem 1rem; }
.cue { margin: .4rem 0; padding: .2rem .4rem; border-radius: .3rem; }
.cue.current { background: var(--current); }
.speaker { font-weight: 600; }
.links { display: flex; flex-wrap: wrap; gap: .5rem 1rem; padding: 0; list-style: none; }
img { max-width: 100%; height: auto; }
@media (max-width: 30rem) { header.show { flex-direction: column; align-items: flex-start; }
  .chapters .time, .cue .time { min-width: 3.8rem; } }
"""

# Seeking and following; nothing else depends on it. Chapter and cue links carry the start in
# data-start, and work as links into the media file (#t=) when the script does not run.
SCRIPT = """
(function () {
  "use strict";
  var player = document.getElementById("player");
  var box = document.getElementById("transcript");
  var follow = document.getElementById("follow");
  if (!player) { return; }
  var cues = box ? Array.prototype.slice.call(box.querySelectorAll(".cue")) : [];
  var starts = cues.map(function (c) { return parseFloat(c.getAttribute("data-start")); });
  var current = null;
  function cueAt(t) {
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found < 0 ? null : cues[found];
  }
  function show(t) {
    var cue = cueAt(t);
    if (cue === current) { return; }
    if (current) { current.classList.remove("current"); current.removeAttribute("aria-current"); }
    current = cue;
    if (!cue) { return; }
    cue.classList.add("current");
    cue.setAttribute("aria-current", "true");
    if (!follow || follow.checked) {
      box.scrollTop = cue.offsetTop - box.offsetTop - box.clientHeight / 3;
    }
  }
  function seek(t) {
    player.currentTime = t;
    show(t);
    var playing = player.play();
    if (playing && playing.catch) { playing.catch(function () {}); }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-start]") : null;
    if (!link) { return; }
    event.preventDefault();
    seek(parseFloat(link.getAttribute("data-start")));
  });
  player.addEventListener("timeupdate", function () { show(player.currentTime); });
  player.addEventListener("seeked", function () { show(player.currentTime); });
})();
"""


def _page(config: Config, title: str, body: str, *, home: str, script: bool = False) -> bytes:
    doc = (
        "<!doctype html>\n"
        f'<html lang="{_e(config.language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n"
        f'<link rel="alternate" type="application/rss+xml" title="{_e(config.title)}" href="{_e(config.feed_url)}">\n'
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
        '<a class="skip" href="#main">Skip to the content</a>\n'
        f"{_show_header(config, home)}\n"
        f'<main id="main">\n{body}\n</main>\n'
        f'<footer><p><a href="{_e(config.feed_url)}">RSS feed</a> · <a href="{_e(config.link)}">'
        f"{_e(config.title)} website</a></p></footer>\n"
        + (f"<script>{SCRIPT}</script>\n" if script else "")
        + "</body>\n</html>\n"
    )
    return doc.encode("utf-8")


def _show_header(config: Config, home: str) -> str:
    return (
        '<header class="show">'
        f'<img src="{_e(config.image)}" alt="" width="96" height="96">'
        f'<div><p><a href="{_e(home)}"><strong>{_e(config.title)}</strong></a></p>'
        f"<p>{_e(config.author)}</p></div></header>"
    )


def _date(item: FeedItem) -> str:
    return f'<time datetime="{item.pub_date.date().isoformat()}">{item.pub_date:%d %B %Y}</time>'


def _meta(item: FeedItem) -> str:
    parts = [_date(item)]
    if item.duration:
        parts.append(f"{round(item.duration / 60)} min")
    if item.season and item.episode:
        parts.append(f"season {item.season}, episode {item.episode}")
    return " · ".join(parts)


def render_index(config: Config, pages: Sequence[SitePage]) -> bytes:
    """``index.html``: the show and its episodes, newest first."""
    rows = "\n".join(
        f'<li><h3><a href="episodes/{_e(p.item.slug)}.html">{_e(p.item.title)}</a></h3>'
        f'<p class="meta">{_meta(p.item)}</p><p>{_e(_summary(p))}</p></li>'
        for p in pages
    )
    body = (
        f"<h1>{_e(config.title)}</h1>\n<p>{_e(config.description)}</p>\n"
        f'<p><a href="{_e(config.feed_url)}">Subscribe with the RSS feed</a></p>\n'
        f'<h2 id="episodes-heading">Episodes ({len(pages)})</h2>\n'
        f'<ol class="episodes" aria-labelledby="episodes-heading">\n{rows}\n</ol>'
    )
    return _page(config, config.title, body, home="index.html")


def _summary(page: SitePage, limit: int = 240) -> str:
    text = page.episode.short or page.item.description
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def render_episode(config: Config, page: SitePage) -> bytes:
    """``episodes/SLUG.html``: player, chapters, transcript, guests, platform links, notes."""
    item = page.item
    media = item.audio.url
    sections = [
        f"<h1>{_e(item.title)}</h1>",
        f'<p class="meta">{_meta(item)}</p>',
        f'<audio id="player" controls preload="metadata" src="{_e(media)}" aria-label="Play the episode">'
        f'<a href="{_e(media)}">Download the episode</a></audio>',
        f'<p><a href="{_e(media)}" download>Download the episode</a></p>',
    ]
    if item.chapters:
        rows = "\n".join(
            f'<li><a href="{_e(media)}#t={_num(c.start)}" data-start="{_num(c.start)}">'
            f'<span class="time">{clock(c.start)}</span>{_e(c.title)}</a></li>'
            for c in item.chapters
        )
        sections.append(
            '<nav aria-labelledby="chapters-heading"><h2 id="chapters-heading">Chapters</h2>'
            f'<ol class="chapters">\n{rows}\n</ol></nav>'
        )
    sections += _people(item.persons)
    sections += _platforms(page.episode)
    if item.content_html:
        sections.append(
            f'<section aria-labelledby="notes-heading"><h2 id="notes-heading">Show notes</h2>{item.content_html}</section>'
        )
    if page.transcript:
        sections.append(page.transcript.replace(MEDIA_SLOT, _e(media)))
    return _page(
        config, f"{item.title} · {config.title}", "\n".join(sections), home="../index.html", script=True
    )


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}"


def _people(persons: tuple[Person, ...]) -> list[str]:
    if not persons:
        return []
    rows = []
    for person in persons:
        links = list(person.links) or ([("web", person.href)] if person.href else [])
        link_list = " ".join(
            f'<a href="{_e(url)}">{_e(LINK_NAMES.get(kind, kind.title()))}'
            f'<span class="sr-only"> of {_e(person.name)}</span></a>'
            for kind, url in links
        )
        rows.append(f"<li><strong>{_e(person.name)}</strong> {link_list}</li>")
    return [
        '<section aria-labelledby="guests-heading"><h2 id="guests-heading">Guests</h2>'
        f"<ul>{''.join(rows)}</ul></section>"
    ]


def _platforms(episode: Episode) -> list[str]:
    if not episode.links:
        return []
    rows = "".join(
        f'<li><a href="{_e(url)}">{_e(PLATFORM_NAMES.get(name, name.title()))}</a></li>'
        for name, url in episode.links
    )
    return [
        '<section aria-labelledby="platforms-heading"><h2 id="platforms-heading">Listen elsewhere</h2>'
        f'<ul class="links">{rows}</ul></section>'
    ]


def transcript_section(cues: tuple[Cue, ...]) -> str:
    """The page's transcript section for ``cues``, with ``MEDIA_SLOT`` for the media URL."""
    return _transcript(cues, MEDIA_SLOT) if cues else ""


def _transcript(cues: tuple[Cue, ...], media: str) -> str:
    rows = []
    for cue in cues:
        speaker = f'<span class="speaker">{_e(cue.speaker)}:</span> ' if cue.speaker else ""
        start = _num(round(cue.start, 3))
        rows.append(
            f'<p class="cue" data-start="{start}"><a href="{_e(media)}#t={start}" data-start="{start}">'
            f'<span class="time">{clock(cue.start)}</span></a> {speaker}{_e(cue.text)}</p>'
        )
    return (
        '<section aria-labelledby="transcript-heading"><h2 id="transcript-heading">Transcript</h2>'
        '<p><label><input type="checkbox" id="follow" checked> Follow the episode as it plays</label></p>'
        '<div id="transcript" tabindex="0" aria-label="Transcript">\n'
        + "\n".join(rows)
        + "\n</div></section>"
    )


def site_pages(
    config: Config,
    items: Sequence[FeedItem],
    episodes: Sequence[Episode],
    reuse: Callable[[Episode, Callable[[], str]], str] | None = None,
) -> list[tuple[str, bytes | Callable[[], bytes]]]:
    """The show page for the feed's ``items``: ``index.html`` (bytes), then each episode's page
    as what renders it, so that a build writes the pages one at a time and holds none of them
    (a show's pages are a few hundred megabytes at thousands of episodes).

    ``reuse(episode, render)`` may return an earlier ``render()`` of the episode's transcript
    section (the build keeps one per episode file version); without it, each is rendered."""
    by_slug = {e.slug: e for e in episodes}
    names = dict(config.speakers)
    pages = [SitePage(item, by_slug[item.slug]) for item in items]

    def render_page(page: SitePage) -> bytes:
        def section() -> str:
            if not has_transcript(page.episode):
                return ""
            return transcript_section(build_cues(with_display_names(page.episode, names)))

        transcript = reuse(page.episode, section) if reuse else section()
        return render_episode(config, replace(page, transcript=transcript))

    files: list[tuple[str, bytes | Callable[[], bytes]]] = [("index.html", render_index(config, pages))]
    files += [(f"episodes/{p.item.slug}.html", partial(render_page, p)) for p in pages]
    return files
