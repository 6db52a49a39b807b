"""The HTML report opened in a real headless browser (Debian's chromium).

CI installs it with ``apt-get install -y chromium``; without it the test is
skipped with that reason.
"""

import shutil
import struct
import subprocess
import zlib

import pytest

from feedtool.links.report import render

from .conftest import body_links, run_check

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _distinct_rows(data: bytes) -> int:
    """How many different pixel rows the image has: a blank page has 1, a table many."""
    _width, height = _png_size(data)
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = len(raw) // height
    return len({raw[i * stride + 1 : (i + 1) * stride] for i in range(height)})


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_html_report_renders_in_headless_chromium(tmp_path, sim):
    sim.status_of["/page"] = 404
    report = run_check(
        tmp_path,
        sim,
        {"ep": {"links": {"youtube": "https://youtu.be/removed0001"}}},
        {"ep": body_links(sim, "/page", "/moved", "/ok", "/challenge")},
        confirm_after=1,
    )
    page = tmp_path / "report.html"
    page.write_text(render(report, "html"), encoding="utf-8")
    shot = tmp_path / "shot.png"
    profile = tmp_path / "profile"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--screenshot={shot}",
            "--window-size=1200,900",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    data = shot.read_bytes()
    assert _png_size(data) == (1200, 900)
    assert len(data) > 20_000  # text, colours and table borders compress far worse than a blank page
    assert _distinct_rows(data) > 200

    # the inline filter script runs in the browser: preselect "broken" and read the resulting DOM
    dom = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            page.as_uri() + "#verdict=BROKEN",
        ],
        check=True,
        capture_output=True,
        timeout=60,
        text=True,
    ).stdout
    rows = [line for line in dom.splitlines() if line.startswith("<tr data-verdict")]
    assert rows
    for row in rows:
        hidden = 'class="hidden"' in row
        assert hidden == ('data-verdict="BROKEN"' not in row), row
