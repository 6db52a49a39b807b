"""The row-block reader must give exactly the Document libyaml gives.

``frontmatter.load`` reads ``transcript:`` and ``quotableClips:`` with ``row_blocks``
when it can; ``row_blocks=False`` reads the whole file with libyaml. Every comparison
here is of the two: the data (types included), the lines of keys and list items, the
keys given twice, the scalars read as text, and the error (message and line) when there
is one. The real files also check that the reader is in fact used on them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CORPUS, FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from feedtool.read import frontmatter, row_blocks

REPO = Path(__file__).parents[2]


def _both(text: str) -> tuple[Any, Any]:
    def one(fast: bool) -> Any:
        try:
            return frontmatter.load(text, row_blocks=fast)
        except frontmatter.FrontMatterError as exc:
            return ("error", str(exc), exc.line)

    return one(True), one(False)


def _typed(value: Any) -> Any:
    """``value`` with each scalar's type beside it: 1 == 1.0 == True must not pass."""
    if isinstance(value, dict):
        return {(type(k).__name__, k): _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def assert_same(text: str) -> None:
    fast, whole = _both(text)
    assert fast == whole
    if isinstance(fast, frontmatter.Document):
        assert _typed(fast.data) == _typed(whole.data)
        assert list(fast.data) == list(whole.data)  # the keys' order too


def _files() -> list[Path]:
    found = sorted(REPO.joinpath("episodes").glob("*.md"))
    found += sorted(FIXTURES.rglob("*.md"))
    if CORPUS.joinpath("episodes").is_dir():
        found += sorted(CORPUS.joinpath("episodes").glob("*.md"))
    return found


@pytest.mark.parametrize("path", _files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_real_file_reads_the_same(path: Path):
    assert_same(path.read_bytes().decode("utf-8", "replace"))


def test_the_reader_takes_the_shipped_episodes_transcripts():
    for path in sorted(REPO.joinpath("episodes").glob("*.md")):
        cut = row_blocks.cut(frontmatter.split(path.read_text(encoding="utf-8"))[0])
        assert cut is not None, path.name
        keys = {b.key for b in cut.blocks}
        assert "transcript" in keys, path.name
        rows = next(b.rows for b in cut.blocks if b.key == "transcript")
        assert len(rows) > 20 and all(isinstance(r, dict) for r in rows)


@pytest.mark.skipif(
    not CORPUS.joinpath("episodes").is_dir(), reason="the real corpus is not beside the clone"
)
def test_the_reader_takes_almost_every_real_transcript():
    taken = total = 0
    for path in sorted(CORPUS.joinpath("episodes").glob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if not text.startswith("---\n") or "\ntranscript:\n- " not in text:
            continue
        total += 1
        cut = row_blocks.cut(frontmatter.split(text)[0])
        taken += cut is not None and any(b.key == "transcript" for b in cut.blocks)
    assert total > 100 and taken >= total - 5


def _file(rest: str, before: str = "title: T\n", after: str = "season: 2\n") -> str:
    return f"---\n{before}{rest}{after}---\nBody\n"


EDGE_CASES = [
    # values PyYAML resolves to something other than text
    *(
        f"transcript:\n- line: {v}\n  sec: 3\n"
        for v in (
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "n",
            "true",
            "~",
            "null",
            "Null",
            "1:34",
            "012",
            "0x1F",
            "0o17",
            "1_000",
            "12.5",
            "1.",
            ".5",
            "1e3",
            "1.0e+3",
            "-5",
            "+5",
            "-0",
            "2021-02-30",
            "2021-01-01",
            "2021-01-01 10:00:00",
            ".inf",
            ".NaN",
            "=",
            "<<",
            "0",
            "007",
            "123456789012345678901234567890",
            "1:2:3.5",
            "0b101",
        )
    ),
    # quoting
    "transcript:\n- line: 'it''s ''quoted'''\n",
    "transcript:\n- line: 'it''s\n    folded'\n",
    "transcript:\n- line: 'ends here' and more\n",
    "transcript:\n- line: 'unterminated\n- line: x\n",
    "transcript:\n- line: 'a' # comment\n",
    'transcript:\n- line: "double"\n',
    '- line: "with \\u201C escape\\u201D"\n'.join(["transcript:\n", ""]),
    'transcript:\n- line: "with \\n escape"\n',
    'transcript:\n- line: "two\n    lines"\n',
    'transcript:\n- line: "has \' inside"\n',
    "transcript:\n- line: 'has \" inside'\n",
    # every escape a double-quoted scalar has, and ones it has not
    'transcript:\n- line: "\\0\\a\\b\\t\\n\\v\\f\\r\\e\\ \\"\\/\\\\\\N\\_\\L\\P\\x41\\u00e9\\U0001F600"\n',
    *(
        f'transcript:\n- line: "{e}"\n'
        for e in ("\\_", "\\N", "\\uD800", "\\U00110000", "\\x4", "\\q", "\\", "a\\\\")
    ),
    'transcript:\n- line: "escaped \\\n    line break"\n',
    'transcript:\n- line: "escaped backslash \\\\\n    then a break"\n',
    'transcript:\n- line: "escaped space \\ \n    then a break"\n',
    'transcript:\n- line: "trailing spaces   \n    next"\n',
    'transcript:\n- line: "first\n    \\ escaped space first"\n',
    'transcript:\n- line: "\n    on the next line"\n',
    'transcript:\n- line: "closes on its own line\n    "\n',
    'transcript:\n- line: "closes \\"\n    later"\n',
    'transcript:\n- line: "ends early" x\n',
    "transcript:\n- line: ''\n",
    "transcript:\n- line: '  spaced  '\n",
    "transcript:\n- line: 'trailing   \n    next'\n",
    "transcript:\n- line: '\n    starts on the next line'\n",
    "transcript:\n- line: 'ends on its own line\n    '\n",
    # plain scalars that are not plain text
    "transcript:\n- line: a: b\n",
    "transcript:\n- line: a # comment\n",
    "transcript:\n- line: ends with colon:\n",
    "transcript:\n- line: a:b and http://x.org/?a=1&b=2#frag\n",
    "transcript:\n- line: first\n    # not a comment? it is\n",
    "transcript:\n- line: first\n    - dash at the start\n",
    "transcript:\n- line: first\n    ? question\n",
    "transcript:\n- line: first\n    : colon\n",
    "transcript:\n- line: first\n    'quote\n",
    "transcript:\n- line: first\n    ends:\n",
    "transcript:\n- line: first\n    a: b\n",
    "transcript:\n- line: first\n     five spaces\n          ten\n",
    "transcript:\n- line: -dash\n",
    "transcript:\n- line: ?q\n",
    "transcript:\n- line: :c\n",
    "transcript:\n- line: '@at'\n",
    "transcript:\n- line: `tick`\n",
    "transcript:\n- line: %pct\n",
    "transcript:\n- line: [a, b]\n",
    "transcript:\n- line: {a: b}\n",
    "transcript:\n- line: a, [b], {c}\n",
    "transcript:\n- line: &anchor x\n- line: *anchor\n",
    "transcript:\n- line: !!str 5\n",
    "transcript:\n- line: |\n    block\n",
    "transcript:\n- line: >\n    folded\n",
    "transcript:\n- line:  two spaces before\n",
    "transcript:\n- line: trailing spaces   \n",
    "transcript:\n- line: x\n  sec: 1\n  sec: 2\n",
    "transcript:\n- line:\n",
    "transcript:\n- line: \n",
    "transcript:\n- line:\n    on the next line\n",
    "transcript:\n- line: x\n  nested:\n  - a\n",
    "transcript:\n- - nested list\n",
    "transcript:\n- just text\n",
    "transcript:\n- line: x\n# a comment line\n- line: y\n",
    "transcript:\n- line: x\n\n- line: y\n",
    "transcript:\n- line: x\n    \n    after a blank\n",
    "transcript:\n- line: x\n   three spaces\n",
    "transcript:\n- line: x\n \n",
    "transcript:\n- line: x\n  \n",
    "transcript:\n- line: x\n - one space\n",
    "transcript:\n- line: tab\there\n",
    "transcript:\n- line: x\n\tsec: 1\n",
    "transcript:\n- line: x\r\n  sec: 1\r\n",
    "transcript:\n- line: nel\x85here\n",
    "transcript:\n- line: ls\u2028here\n",
    "transcript:\n- line: bom\ufeffhere\n",
    "transcript:\n- line: del\x7fhere\n",
    "transcript:\n- line: bell\x07here\n",
    "transcript:\n- line: vt\x0bhere\n",
    "transcript:\n- line: Unicode – “quotes” ü 日本 😀\n",
    "transcript:\n- yes: key resolves to true\n",
    "transcript:\n- on: key\n",
    "transcript:\n- null: key\n",
    "transcript:\n- 1: key\n",
    "transcript:\n- _under: key\n  Mixed9: x\n",
    "transcript:\n- line: x\n  sec: 3\n- header: y\n",
    "transcript:\n- line: x\ntranscript:\n- line: again\n",
    "transcript: []\n",
    "transcript:\n  - line: indented list\n",
    "transcript:\n- line: x\n...\n",
    "transcript:\n- line: x\n---\n",
    "quotableClips:\n- name: 'A: B'\n  startOffset: 0\n  url: https://www.youtube.com/watch?v=x&t=0\n  endOffset: 77\n",
    "links:\n  youtube: x\ntranscript:\n- line: x\n",
    "ids:\n- a: 1\n- b: 2\ntopics:\n- plain\n",
]


@pytest.mark.parametrize("rest", EDGE_CASES)
def test_edge_cases_read_the_same(rest: str):
    assert_same(_file(rest))
    assert_same(_file(rest, before="", after=""))
    assert_same(_file(rest, before="title: 'multi\n", after="  line'\n"))


def test_a_key_inside_a_quoted_scalar_is_not_a_block():
    assert_same("---\ntitle: 'starts\ntranscript:\n- line: x\n  ends'\n---\n")
    assert_same('---\ntitle: "starts\ntranscript:\n- line: x\n"\n---\n')


_TEXT = st.text(
    alphabet=st.sampled_from(
        [
            *list("abcXYZ019 .,:;-?#'\"!&*|>%@`[]{}=<~\\/\t"),
            "\n",
            "\x85",
            "\u2028",
            "\u2029",
            "\xa0",
            "\x00",
            "\x1b",
            "\x0c",
            "\ufeff",
            "é",
            "–",
            "“",
            "😀",
            "\x07",
        ]
    ),
    max_size=60,
)
_WORDS = st.sampled_from(
    ["yes", "no", "on", "null", "~", "1:34", "012", "12.5", "1e3", "2021-01-01", "x: y", "a #b"]
)
_VALUE = st.one_of(
    _TEXT,
    _WORDS,
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
_KEYS = st.sampled_from(["line", "sec", "time", "who", "header", "name", "url", "yes", "1"])
_ROWS = st.lists(st.dictionaries(_KEYS, _VALUE, min_size=1, max_size=4), min_size=1, max_size=6)


@settings(max_examples=400, deadline=None, database=None)
@given(
    rows=_ROWS,
    clips=st.one_of(st.none(), _ROWS),
    width=st.sampled_from([20, 40, 80, 1000]),
    unicode=st.booleans(),
    style=st.sampled_from([None, None, "'", '"']),
)
def test_dumped_rows_read_the_same(rows, clips, width, unicode, style):
    data: dict[str, Any] = {"title": "T", "transcript": rows}
    if clips is not None:
        data["quotableClips"] = clips
    data["season"] = 1
    try:
        text = yaml.safe_dump(data, width=width, allow_unicode=unicode, default_style=style, sort_keys=False)
    except yaml.YAMLError:
        return
    assert_same(f"---\n{text}---\nBody\n")


_LINE = st.one_of(
    st.builds(lambda k, v: f"- {k}: {v}", _KEYS, _TEXT),
    st.builds(lambda k, v: f"  {k}: {v}", _KEYS, _TEXT),
    st.builds(lambda n, v: " " * n + v, st.integers(0, 6), _TEXT),
    st.builds(
        lambda k, v: f'- {k}: "{v}"',
        _KEYS,
        st.text(alphabet=list('ab \\"xuU0123456789ABCDEF_NLP/tne'), max_size=20),
    ),
    st.builds(lambda v: f"    {v}", st.text(alphabet=list('ab \\"xuU09ADF_NLP/tne'), max_size=12)),
    st.sampled_from(["", "# c", "transcript:", "season: 1", "- line: 'open", "  close'", "..."]),
)


@settings(max_examples=600, deadline=None, database=None)
@given(lines=st.lists(_LINE, min_size=1, max_size=10))
def test_arbitrary_lines_in_a_block_read_the_same(lines):
    assert_same(_file("transcript:\n" + "".join(line + "\n" for line in lines)))
