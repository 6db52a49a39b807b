"""A reader for the one shape of YAML that makes up most of an episode file: a
top-level key whose value is a list of small flat mappings, as PyYAML and editors
write the ``transcript:`` and ``quotableClips:`` blocks::

    transcript:
    - header: Podcast Introduction
    - line: This week we'll try to make sense of common engineering acronyms
        and buzzwords with the help of our special guest today, Natalie.
      sec: 94
      time: '1:34'
      who: Alexey

Those blocks are about 95% of the corpus's bytes, and libyaml's parser is the cheap part
of reading them: PyYAML builds a node, resolves a tag and calls a constructor in Python
for each of their values. This reader takes the blocks' lines directly.

It accepts only a strict subset whose meaning is plain: keys that are simple names;
values that are one-line or folded plain scalars resolving to text, a decimal whole
number or a decimal fraction; quoted scalars without escapes; no comments, tabs, blank
lines, anchors, tags, nested collections or repeated keys. A block outside it is left in
the text for libyaml, so this can cost time but never change a value. Tags are resolved
with PyYAML's own table, so ``yes``, ``1:34`` or ``~`` are never read as text here.
``tests/read/test_row_blocks.py`` checks that a file read this way gives exactly the
Document libyaml gives, on every real file and on generated ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

# PyYAML's implicit tags, by first character (the loader's own table: CSafeLoader uses it too)
_IMPLICIT: dict[Any, list[tuple[str, re.Pattern[str]]]] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
).yaml_implicit_resolvers
_ANY_FIRST = _IMPLICIT.get(None, [])
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,17}")
_DIGITS = frozenset("0123456789")
_FRACTION = re.compile(r"[0-9]{1,15}\.[0-9]{1,15}")
# A plain scalar may not start with one of YAML's indicators (some may, before a
# non-space, but those are left to libyaml).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# First characters of a plain scalar that is text whatever follows: no indicator, no tag
# that starts with it. (Every character, when PyYAML has a resolver for any first one.)
_NOT_TEXT_FIRST = _INDICATORS | {c for c in _IMPLICIT if c} | {" "}


class _EveryCharacter:
    def __contains__(self, item: object) -> bool:
        return True


_EVERY_CHARACTER = _EveryCharacter()


def _digits_are_ints() -> dict[str, bool]:
    """For each digit: whether PyYAML's table reads every decimal starting with it as an int."""
    return {d: all(_tag(d + rest) == _INT_TAG for rest in ("", "0", "12345")) for d in _DIGITS}


# Characters outside what YAML reads as printable, the ones it reads as line breaks (NEL,
# LS, PS) and the byte order mark: a block holding any goes to libyaml. (The complement
# of the printable set, written out: the negated class takes 8 ms to compile.)
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# a top-level key whose value starts on the next line as a list at the left margin
_BLOCK_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):\n(?=- )", re.M)
# one ``key: value`` of a row (``- `` opens a row), with its continuation lines
_ENTRY = re.compile(r"(- |  )([A-Za-z_][A-Za-z0-9_]*): +([^\n]*)((?:\n   [^\n]*)*)\n")


@dataclass(frozen=True)
class RowBlock:
    key: str
    key_index: int  # 0-based line of ``key:`` in the YAML text
    rows: list[Any]  # the list libyaml would construct
    row_indexes: tuple[int, ...]  # 0-based line of each row's ``- ``


@dataclass(frozen=True)
class RowBlocks:
    """The YAML text with the blocks' lines emptied (so every other line keeps its
    number, and each block's key is left with no value), and what the blocks hold."""

    rest: str
    blocks: tuple[RowBlock, ...]


def _tag(value: str) -> str | None:
    """The implicit tag PyYAML resolves a plain scalar to; None for text."""
    for tag, pattern in _IMPLICIT.get(value[0], []) + _ANY_FIRST:
        if pattern.match(value):
            return tag
    return None


_DIGITS_ARE_INTS = _digits_are_ints()


def _scalar(first: str, more: str) -> Any:
    """The value of one entry from the text after ``key: `` and its continuation lines;
    raises ValueError for anything outside the subset."""
    if first[:1] == '"':
        return _double_quoted(
            [first] + [piece.lstrip(" ") for piece in more[1:].split("\n")] if more else [first]
        )
    first = first.rstrip(" ")
    if not first:
        raise ValueError("no value")  # a null, or a nested collection
    if more:
        pieces = [first]
        for piece in more[1:].split("\n"):
            piece = piece.strip(" ")
            if not piece or piece[0] == "#":
                raise ValueError("a blank line or a comment")
            pieces.append(piece)
        folded = " ".join(pieces)
    else:
        folded = first
    start = folded[0]
    if start not in _NOT_TEXT_FIRST and not _ANY_FIRST:
        if ": " in folded or " #" in folded or folded[-1] == ":":
            raise ValueError("a plain scalar libyaml may read otherwise")
        return folded
    if start == "'":
        inner = folded[1:-1]
        # every quote inside is doubled: one left over would close the scalar early
        if len(folded) < 2 or folded[-1] != "'" or inner.replace("''", "").count("'"):
            raise ValueError("not one quoted scalar")
        return inner.replace("''", "'")
    if start in _INDICATORS or ": " in folded or " #" in folded or folded[-1] == ":":
        raise ValueError("a plain scalar libyaml may read otherwise")
    tag = _tag(folded)
    if tag is None:
        return folded
    if tag == _INT_TAG and _DECIMAL.fullmatch(folded):
        return int(folded)
    if tag == _FLOAT_TAG and _FRACTION.fullmatch(folded):
        return float(folded)
    raise ValueError("a number, date, true/false or null left to libyaml")


# YAML's one-character escapes in a double-quoted scalar (\x, \u and \U take hex digits)
_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\x0b", "f": "\x0c",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
    "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_ESCAPE = re.compile(r'\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)|"', re.S)


def _unescape(text: str) -> str:
    """One line's part of a double-quoted scalar, its escapes replaced."""
    if "\\" not in text:
        if '"' in text:
            raise ValueError("a quote that ends the scalar early")
        return text
    out: list[str] = []
    done = 0
    for m in _ESCAPE.finditer(text):
        out.append(text[done : m.start()])
        code = m.group(1)
        if code is None:
            raise ValueError("a quote that ends the scalar early")
        if len(code) > 1:
            point = int(code[1:], 16)
            if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
                raise ValueError("an escape that is no character")
            out.append(chr(point))
        elif code in _ESCAPES:
            out.append(_ESCAPES[code])
        else:
            raise ValueError("an escape YAML does not have")
        done = m.end()
    out.append(text[done:])
    return "".join(out)


def _trailing_backslashes(text: str) -> int:
    return len(text) - len(text.rstrip("\\"))


def _double_quoted(pieces: list[str]) -> str:
    """A double-quoted scalar from its lines (the first from its quote, the others with
    their indentation removed): a line break folds to a space, or to nothing after a
    ``\\`` that escapes it, and the spaces before a break are dropped."""
    last = pieces[-1].rstrip(" ")
    if len(last) < 2 - (len(pieces) > 1) or last[-1] != '"' or _trailing_backslashes(last[:-1]) % 2:
        raise ValueError("not one double-quoted scalar")
    pieces = [pieces[0][1:], *pieces[1:-1], last[:-1]] if len(pieces) > 1 else [last[1:-1]]
    out: list[str] = []
    for i, piece in enumerate(pieces):
        if i == len(pieces) - 1:
            out.append(_unescape(piece))
            break
        kept = piece.rstrip(" ")
        if not kept and i:
            raise ValueError("a blank line")
        if len(kept) < len(piece) and kept.endswith("\\"):
            raise ValueError("an escaped space before a line break")
        if _trailing_backslashes(kept) % 2:
            out.append(_unescape(kept[:-1]))  # an escaped line break: the lines join
        else:
            out.append(_unescape(kept) + " ")
    return "".join(out)


def _block(text: str, pos: int, line: int) -> tuple[list[Any], list[int], int] | None:
    """The rows of the block starting at ``pos`` (on line index ``line``): (rows, the
    line index of each, the position after the block); None outside the subset."""
    rows: list[Any] = []
    starts: list[int] = []
    row: dict[str, Any] = {}
    keys: set[str] = set()  # the keys already checked to be text
    entry = _ENTRY.match
    not_text_first = _NOT_TEXT_FIRST if not _ANY_FIRST else _EVERY_CHARACTER
    decimal, digits, int_first = _DECIMAL.fullmatch, _DIGITS, _DIGITS_ARE_INTS
    try:
        while (m := entry(text, pos)) is not None:
            dash, key, first, more = m.groups()
            if dash == "- ":
                row = {}
                rows.append(row)
                starts.append(line)
            if key in row:
                return None  # given twice: libyaml names it
            if key not in keys:
                if _tag(key) is not None:
                    return None
                keys.add(key)
            if more:
                row[key] = _scalar(first, more)
                line += 1 + more.count("\n")
            else:
                # one line of plain text, a whole number, a quoted text: the common cases, inline
                first = first.rstrip(" ")
                start = first[:1]
                if start and start not in not_text_first and ": " not in first and " #" not in first:
                    if first[-1] == ":":
                        return None
                    row[key] = first
                elif start in digits and first.isdigit() and decimal(first) and int_first[start]:
                    row[key] = int(first)
                elif start == "'" and first[-1] == "'" and len(first) > 1 and "'" not in first[1:-1]:
                    row[key] = first[1:-1]
                else:
                    row[key] = _scalar(first, "")
                line += 1
            pos = m.end()
    except ValueError:
        return None
    if not rows or text.startswith((" ", "-"), pos):
        return None  # a line of the list the subset does not read
    return rows, starts, pos


def cut(yaml_text: str) -> RowBlocks | None:
    """The row blocks of a front matter that are in the subset this reader takes, and
    the text left for libyaml; None when there are none."""
    blocks: list[RowBlock] = []
    parts: list[str] = []
    done = 0  # yaml_text before this is in parts
    for m in _BLOCK_KEY.finditer(yaml_text):
        if m.start() < done:
            continue
        key_index = yaml_text.count("\n", 0, m.start())
        read = _block(yaml_text, m.end(), key_index + 1)
        if read is None:
            continue
        rows, starts, end = read
        body = yaml_text[m.end() : end]
        if "\t" in body or "\r" in body or _UNUSUAL.search(body):
            continue
        blocks.append(RowBlock(m.group(1), key_index, rows, tuple(starts)))
        parts += [yaml_text[done : m.end()], "\n" * body.count("\n")]
        done = end
    if not blocks:
        return None
    parts.append(yaml_text[done:])
    return RowBlocks("".join(parts), tuple(blocks))
