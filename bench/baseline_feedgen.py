"""The hand-written baseline: what a maintainer would write without feedtool.

yaml.safe_load on each file's front matter + feedgen with the podcast
extension, items with title, guid, enclosure, date, duration; one feed.xml.
No chapters, transcripts, validation or atomic writes.
"""

import sys
from datetime import UTC, date, datetime
from pathlib import Path

import yaml
from feedgen.feed import FeedGenerator


def main(episodes: Path, out: Path) -> None:
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.title("Show")
    fg.link(href="https://example.org/feed.xml", rel="self")
    fg.link(href="https://example.org/", rel="alternate")
    fg.description("A show")
    fg.language("en")
    entries = []
    for path in sorted(episodes.glob("*.md")):
        if path.name.startswith("_"):
            continue
        text = path.read_text(encoding="utf-8")
        try:
            _, front, _body = text.split("---\n", 2)
            data = yaml.safe_load(front)
        except (ValueError, yaml.YAMLError):
            continue
        when = data.get("dateadded") or data.get("date")
        if not isinstance(data, dict) or not when:
            continue
        if isinstance(when, str):
            when = date.fromisoformat(when)
        entries.append((when, path.stem, data))
    entries.sort(key=lambda e: e[0], reverse=True)
    newest = None
    for when, slug, data in entries:
        fe = fg.add_entry(order="append")
        fe.title(data["title"])
        fe.guid(slug, permalink=False)
        fe.description(data.get("description") or data["title"])
        dt = datetime(when.year, when.month, when.day, tzinfo=UTC)
        newest = newest or dt
        fe.pubDate(dt)
        fe.enclosure(f"https://media.example.org/{slug}.mp3", "0", "audio/mpeg")
    if newest:
        fg.lastBuildDate(newest)
    out.mkdir(parents=True, exist_ok=True)
    fg.rss_file(str(out / "feed.xml"), pretty=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
