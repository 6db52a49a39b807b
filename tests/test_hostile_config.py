"""Issue 9, the config's part of cases 11, 16 and 17: a value of the wrong shape or type, a
URL template str.format cannot fill, a base URL with a query, a file that is no text.
Each exits 2 with the problem on one line, never a traceback."""

from __future__ import annotations

import re

import pytest
from hostilesupport import assert_clean, build


def _with(show, lines: str, drop: str | None = None):
    config = show / "config" / "podcast.yaml"
    text = config.read_text()
    if drop:
        text = "".join(line for line in text.splitlines(keepends=True) if not line.startswith(drop))
    config.write_text(text + lines)
    return config


# (case, lines added to the config, a line it replaces, the problem line)
CONFIG_CASES = [
    ("funding-a-number", "funding: 5\n", None, "error: funding: must be a list of {url, label}"),
    ("funding-a-mapping", "funding: {url: x}\n", None, "error: funding: must be a list of {url, label}"),
    (
        "funding-url-no-url",
        "funding: [{url: 'javascript:alert(1)'}]\n",
        None,
        "error: funding[0].url: must be an absolute http(s) URL, got 'javascript:alert(1)'",
    ),
    (
        "media-url-open-brace",
        "media_url: https://m.example.org/{slug.mp3\n",
        "media_url:",
        "error: media_url: is not a URL template (expected '}' before end of string): use {slug}",
    ),
    (
        "media-url-close-brace",
        "media_url: https://m.example.org/{slug}}.mp3\n",
        "media_url:",
        "error: media_url: is not a URL template (Single '}' encountered in format string): use {slug}",
    ),
    (
        "episode-url-close-brace",
        "episode_url: https://show.example.org/}{slug}/\n",
        "episode_url:",
        "error: episode_url: is not a URL template (Single '}' encountered in format string)",
    ),
    (
        "episode-url-conversion",
        "episode_url: https://show.example.org/{slug!r}/\n",
        "episode_url:",
        "error: episode_url: unknown placeholder(s) ['slug!r']: use {slug}, {season}, {episode}",
    ),
    (
        "media-url-relative",
        "media_url: media/{slug}.mp3\n",
        "media_url:",
        "error: media_url: must be an absolute http(s) URL, got 'media/{slug}.mp3'",
    ),
    (
        "public-url-query-and-fragment",
        "public_url: https://feeds.example.org/test/?a=1#frag\n",
        "public_url:",
        "error: public_url: must not have a query (?...) or fragment (#...), "
        "got 'https://feeds.example.org/test/?a=1#frag': paths are appended to it",
    ),
    (
        "image-base-url-query",
        "image_base_url: https://show.example.org/?v=2\n",
        "image_base_url:",
        "error: image_base_url: must not have a query (?...) or fragment (#...)",
    ),
    (
        "owner-wrong-types",
        "owner: {name: [a], email: 5}\n",
        "owner:",
        "error: owner.email: must be an email address such as host@example.org, got '5'",
    ),
    (
        "owner-name-a-list",
        "owner: {name: [a], email: a@example.org}\n",
        "owner:",
        "error: owner.name: must be text",
    ),
    (
        "tagged-garbage",
        "explicit: !!bool perhaps\n",
        "explicit:",
        "error: explicit: must be true or false, got 'perhaps'",
    ),
]


@pytest.mark.parametrize(
    ("lines", "drop", "problem"), [c[1:] for c in CONFIG_CASES], ids=[c[0] for c in CONFIG_CASES]
)
def test_a_config_value_of_the_wrong_kind_exits_2_with_one_line(run_cli, show, lines, drop, problem):
    config = _with(show, lines, drop)
    code, _out, err = build(run_cli, show)
    assert code == 2, err
    assert_clean(err)
    # the problem names the config file, and the line of the key where it has one
    where = re.compile(rf"  {re.escape(str(config.resolve()))}(:\d+)?: {re.escape(problem)}")
    assert any(where.match(line) for line in err.splitlines()), err
    assert not (show / "public").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not valid UTF-8 (byte 0): the config is a YAML text file"),
        (
            b"title: Test\x01 Show\n",
            "1: YAML error: unacceptable character #x0001: control characters are not allowed",
        ),
        (b"title: [unclosed\n", "2: YAML syntax error: while parsing a flow sequence"),
    ],
    ids=["png", "control-character", "syntax"],
)
def test_a_config_that_is_no_yaml_text_exits_2_with_one_line(run_cli, show, content, message):
    config = show / "config" / "podcast.yaml"
    config.write_bytes(content)
    code, _, err = build(run_cli, show)
    assert code == 2
    assert_clean(err)
    (line,) = err.splitlines()
    assert line.startswith(f"error: {config}:") and message in line


def test_a_query_free_public_url_still_gets_its_slash(run_cli, show):
    _with(show, "public_url: https://feeds.example.org/test\n", "public_url:")
    code, _, err = build(run_cli, show)
    assert code == 0, err
    assert b'href="https://feeds.example.org/test/feed.xml"' in (show / "public" / "feed.xml").read_bytes()
