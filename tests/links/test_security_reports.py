"""Reports never run what an episode file or a server put in them.

Titles come from episode files; reasons, Location headers and status lines from
servers. In HTML and Markdown none of it becomes markup or a non-http(s) link;
in text and Markdown control and bidi characters are shown as escapes.
"""

from __future__ import annotations

import re
import socket
import threading
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from feedtool.links.model import Evidence, Place, Report, Result, RunCounts, RunInfo
from feedtool.links.report import render
from feedtool.links.verdict import Verdict

from .conftest import run_check

TITLE = (
    "<img src=x onerror=alert(1)> *em* _u_ [x](javascript:alert(2)) a|b \x1b[2J\x1b]0;owned\x07 \u202egnp.exe"
)
SCRIPT_URL = "javascript:alert(document.domain)"
EVIDENCE = "HTTP/1.1 404 \x1b[2J\x9b31m<script>alert(3)</script> | `tick` \u2066x\u2069\x7f"
SUGGESTION = 'https://evil.example/"><script>alert(4)</script>|x'
BIDI_URL = "https://ok.example/\u202etxt.exe"  # reads as ...exe.txt
# what must never reach a report as it is
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile_report() -> Report:
    """One report holding a hostile title, an INVALID javascript: URL and hostile evidence."""
    results = (
        Result(SCRIPT_URL, Verdict.INVALID, (Place("ep", "links.youtube"),), "not an http(s) URL"),
        Result(
            "https://ok.example/page",
            Verdict.BROKEN,
            (Place("ep", "body"), Place("ep", "guests.a`b|c.web")),
            EVIDENCE,
            confirmed=True,
            suggestion=SUGGESTION,
            warning="\x1b]8;;https://evil.example\x07click\x1b]8;;\x07",
            change="newly-broken",
            broken_since=datetime(2024, 1, 2, tzinfo=UTC),
            evidence=Evidence("http", reason=EVIDENCE),
        ),
        Result(BIDI_URL, Verdict.OK, (Place("ep", "image"),), "200"),
    )
    counts = RunCounts.of(results, checked=len(results), requests=len(results))
    run = RunInfo(datetime(2024, 1, 2, tzinfo=UTC), 1.0, counts)
    return Report(run, results, {"ep": TITLE})


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def _check_html(html: str, page_scripts: int) -> None:
    parser = _Tags()
    parser.feed(html)
    assert [t for t, _ in parser.tags].count("script") == page_scripts
    assert all("alert" not in s for s in parser.scripts)
    assert not {t for t, _ in parser.tags} & {"img", "iframe", "object", "embed", "svg"}
    for _, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on")], attrs
        if "href" in attrs:
            assert re.match(r"https?://", attrs["href"]), attrs["href"]


def test_html_links_only_http_urls_and_escapes_everything(hostile_report):
    html = render(hostile_report, "html")
    _check_html(html, page_scripts=1)  # the report's own filter script, nothing else
    assert "javascript:" not in "".join(re.findall(r'href="[^"]*"', html)).lower()
    assert 'class="not-a-link">javascript:alert(document.domain)</span>' in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert not RAW_CONTROLS.search(html)
    assert "\\x1b[2J" in html and "\\u202e" in html
    # the suggestion is still a link, its target percent-encoded so it cannot leave the attribute
    assert 'href="https://evil.example/%22%3E%3Cscript%3Ealert(4)%3C/script%3E%7Cx"' in html
    assert 'class="not-a-link">https://ok.example/\\u202etxt.exe</span>' in html  # shown, not linked


def test_markdown_renders_to_inert_html(hostile_report):
    markdown = render(hostile_report, "markdown")
    assert not RAW_CONTROLS.search(markdown)
    assert "\\\\x1b\\[2J" in markdown and "\\\\u202e" in markdown  # shown as \x1b[2J once rendered
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    _check_html(html, page_scripts=0)
    assert "<em>" not in html and "<strong>em" not in html
    assert "<img" not in html and "javascript:alert(2)" in html  # shown as text, not a link
    # every table row keeps its header's number of cells: pipes in values are escaped
    tables = re.findall(r"<table>(.*?)</table>", html, re.S)
    assert len(tables) == 2
    for table in tables:
        rows = [len(re.findall(r"<t[dh]", row)) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
        assert len(set(rows)) == 1, rows
    assert "<code>guests.a`b|c.web</code>" in html


def test_text_shows_control_characters_escaped(hostile_report):
    text = render(hostile_report, "text")
    assert not RAW_CONTROLS.search(text)
    assert "\\x1b[2J\\x1b]0;owned\\x07" in text and "\\u202egnp.exe" in text
    assert "\\x9b31m" in text and "\\u2066x\\u2069\\x7f" in text
    assert "\\x1b]8;;https://evil.example\\x07click" in text  # no hidden terminal hyperlink
    assert SCRIPT_URL in text  # shown, so the maintainer can fix it


@pytest.fixture
def hostile_server():
    """A loopback server that answers with control bytes in its status line and Location header."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    port = server.getsockname()[1]
    stop = threading.Event()

    def answer(conn: socket.socket) -> None:
        with conn:
            request = conn.recv(65536)
            path = request.split(b" ")[1] if b" " in request else b"/"
            if path == b"/moved":
                head = b"HTTP/1.1 301 Moved\x1b[2J\r\nLocation: /ok/\x1b]0;owned\x07\x1b[2J\xe2\x80\xae\r\n"
            elif path.startswith(b"/ok"):
                head = b"HTTP/1.1 200 OK\r\n"
            else:
                head = b"HTTP/1.1 404 Not\x1b[2J Found\r\n"
            conn.sendall(head + b"Content-Length: 0\r\nConnection: close\r\n\r\n")

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            answer(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    stop.set()
    thread.join(timeout=2)
    server.close()


def test_a_hostile_server_cannot_write_to_the_terminal(tmp_path, sim, hostile_server):
    body = f"[a]({hostile_server}/moved) [b]({hostile_server}/gone)"
    report = run_check(tmp_path, sim, {"ep": {"title": TITLE}}, {"ep": body}, confirm_after=1)
    moved = next(r for r in report.results if r.url == f"{hostile_server}/moved")
    assert moved.verdict is Verdict.REDIRECTED and "\x1b]0;owned" in (moved.suggestion or "")
    for fmt in ("text", "markdown", "html"):
        out = render(report, fmt)
        assert not RAW_CONTROLS.search(out), fmt
        assert "\\x1b]0;owned\\x07" in out.replace("\\\\", "\\").replace("\\]", "]"), fmt
    _check_html(render(report, "html"), page_scripts=1)
