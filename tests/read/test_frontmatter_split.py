"""``frontmatter.split`` finds the closing line with a regex when the text breaks lines at
``\\n`` only; it must agree with the line-by-line split (its fallback) on every text."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from feedtool.read import frontmatter

_PIECES = st.sampled_from(
    ["---", "...", "--- ", "...\t", "----", "-- -", "\n", "\r\n", "\r", "\x85", "\u2028", "\x0c", "\x1c", "\x1f",
     "\xa0", "\u3000", " ", "\t", "\ufeff", "title: x", "a", ""]
)  # fmt: skip


def _by_lines(text: str) -> Any:
    """The line-by-line split, after the byte order mark ``split`` drops first."""
    return frontmatter._split_lines(text[1:] if text.startswith("\ufeff") else text)


def _outcome(split: Any, text: str) -> Any:
    try:
        return split(text)
    except frontmatter.FrontMatterError as exc:
        return ("error", str(exc), exc.line)


@settings(max_examples=1500, deadline=None, database=None)
@given(pieces=st.lists(_PIECES, max_size=14))
def test_split_agrees_with_the_line_by_line_split(pieces):
    text = "".join(pieces)
    for candidate in (text, "---\n" + text, "---\ntitle: x\n" + text + "\n---\nbody"):
        assert _outcome(frontmatter.split, candidate) == _outcome(_by_lines, candidate)


def test_the_usual_file_splits_at_its_closing_line():
    yaml_text, body, body_line = frontmatter.split("---\ntitle: x\nseason: 1\n---\nBody\n")
    assert (yaml_text, body, body_line) == ("title: x\nseason: 1\n", "Body\n", 5)
