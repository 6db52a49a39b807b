"""Time ``validate_feed`` on a large generated feed against a baseline measured in the same run.

Baseline: parsing the same bytes with lxml and nothing else (the least any validator must do).
Usage: python bench/validate.py [ITEMS]   (default 2000 items with 5 KB content each)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from feedtool.rss.validate import validate_feed  # noqa: E402

FIXTURE = ROOT / "tests" / "render" / "feeds" / "valid.xml"


def make_feed(items: int) -> bytes:
    text = FIXTURE.read_text(encoding="utf-8")
    head, rest = text.split("<item>", 1)
    first_item = "<item>" + rest.split("</item>", 1)[0] + "</item>"
    tail = text[text.rindex("</item>") + len("</item>") :]
    body = []
    filler = "x " * 2500
    for n in range(items):
        body.append(
            first_item.replace("ab-testing-e1eq73v", f"episode-{n}")
            .replace("ab-testing.mp3", f"episode-{n}.mp3")
            .replace("How to design <b>product experiments</b>.", filler)
        )
    return (head + "\n".join(body) + tail).encode("utf-8")


def timed(fn, repeat: int = 7) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    xml = make_feed(items)
    report = validate_feed(xml)
    assert report.ok, report.issues[:3]
    baseline = timed(lambda: etree.fromstring(xml, etree.XMLParser(resolve_entities=False)))
    ours = timed(lambda: validate_feed(xml))
    print(f"feed: {items} items, {len(xml) / 1e6:.1f} MB")
    print(f"baseline lxml parse only: {baseline * 1000:8.1f} ms (median of 7)")
    print(f"validate_feed:            {ours * 1000:8.1f} ms (median of 7)")
    print(f"ratio validate/parse:     {ours / baseline:8.1f}x")


if __name__ == "__main__":
    main()
