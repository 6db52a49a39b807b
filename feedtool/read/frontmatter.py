"""Split an episode file into YAML front matter and Markdown body, and load the
YAML keeping line numbers so problems can point at the right line.

``load_yaml`` is the one YAML loader for everything feedtool reads (episodes,
guest profiles, the config, ``media.yaml``): those files are untrusted input, so
it refuses alias bombs and deep nesting before anything walks the data, reads a
scalar that only looks like a date or number (``2021-02-30``, ``!!int x``) as the
text it is (noting why, by line), and lists keys given twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from feedtool.read import row_blocks as read_row_blocks

# libyaml is about 12x faster on the corpus; fall back to pure Python when the
# wheel was built without it.
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Limits on what aliases may do. A 500-byte file whose aliases nest nine deep names
# 9^9 values; nothing the show writes uses more than a few aliases.
MAX_ALIASES = 1_000  # alias references in one file
MAX_ALIAS_NODES = 100_000  # values repeated through aliases, all of them counted
MAX_DEPTH = 64  # collections inside collections (episode files need 4)

_MERGE_TAG = "tag:yaml.org,2002:merge"


class YAMLInputError(ValueError):
    """A YAML text feedtool does not read; ``line`` is the file's line, when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class FrontMatterError(YAMLInputError):
    """An episode or profile file whose front matter cannot be read."""


@dataclass(frozen=True)
class DuplicateKey:
    """A mapping key given twice: YAML keeps the later value (at ``line``) and drops the other."""

    field: str  # where, as problems name fields: ``links.youtube``, ``transcript[3].sec``
    line: int
    first_line: int

    def message(self) -> str:
        return (
            f"given twice, on lines {self.first_line} and {self.line}: the value on line {self.line} "
            f"is used, the one on line {self.first_line} ignored; remove one"
        )


@dataclass(frozen=True)
class YAMLDocument:
    data: Any
    node: yaml.Node | None
    duplicates: tuple[DuplicateKey, ...] = ()
    # line -> why a scalar there that looked like a date, number or true/false was read as text
    unreadable: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Document:
    data: dict[str, Any]
    body: str
    body_line: int  # 1-based line where the body starts
    key_lines: dict[str, int]  # top-level key -> 1-based line
    item_lines: dict[str, tuple[int, ...]]  # top-level sequence key -> line of each item
    duplicates: tuple[DuplicateKey, ...] = ()
    unreadable: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))


class _Loader(_Base):
    """The safe loader, noting the scalars its lenient constructors read as text."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.unreadable: dict[int, str] = {}


_WHAT = {
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true or false",
}


def _lenient(tag: str, construct: Callable[[Any, Any], Any]) -> Callable[[_Loader, yaml.Node], Any]:
    """``construct``, except that a scalar it cannot turn into a value is kept as its text.

    PyYAML raises plain Python errors from these constructors (``2021-02-30``: ValueError,
    an integer of 5,000 digits: ValueError, ``!!timestamp x``: AttributeError, ``!!bool x``:
    KeyError), which would end a run in a traceback with no file named.
    """

    def constructor(loader: _Loader, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
            if not isinstance(node, yaml.ScalarNode):
                raise
            dated = tag.endswith(":timestamp") and isinstance(exc, ValueError) and str(exc)
            loader.unreadable[node.start_mark.line] = (
                f"not a real date ({exc})" if dated else f"not readable as {_WHAT[tag]}"
            )
            return str(node.value)

    return constructor


for _tag, _construct in (
    ("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_timestamp),
    ("tag:yaml.org,2002:int", SafeConstructor.construct_yaml_int),
    ("tag:yaml.org,2002:float", SafeConstructor.construct_yaml_float),
    ("tag:yaml.org,2002:bool", SafeConstructor.construct_yaml_bool),
):
    _Loader.add_constructor(_tag, _lenient(_tag, _construct))


def _children(node: yaml.Node) -> list[tuple[yaml.Node, int]]:
    """(child, the line it is referred to from) of a collection node, keys included."""
    if isinstance(node, yaml.MappingNode):
        out = []
        for key, value in node.value:
            out += [(key, key.start_mark.line), (value, key.start_mark.line)]
        return out
    if isinstance(node, yaml.SequenceNode):
        return [(item, item.start_mark.line) for item in node.value]
    return []


def _check_aliases(root: yaml.Node, first_line: int) -> None:
    """Refuse aliases that would blow up whoever walks the data: too many, repeating too
    much, recursive, or nesting the expanded data too deep.

    Each node is visited once: an alias is the same node object met again, so its
    expanded size is already known and the check costs the size of the text, never the
    size of the expansion.
    """
    sizes: dict[int, int] = {}  # id(node) -> values it stands for, aliases expanded
    depths: dict[int, int] = {}  # id(node) -> levels of collections in it, aliases expanded
    on_path: set[int] = set()
    aliases = repeated = 0
    stack: list[tuple[yaml.Node, int, bool]] = [
        (root, root.start_mark.line, False)
    ]  # node, line, children done
    while stack:
        node, ref_line, done = stack.pop()
        ident = id(node)
        if done:
            on_path.discard(ident)
            children = [id(child) for child, _ in _children(node)]
            sizes[ident] = 1 + sum(sizes[c] for c in children)
            depths[ident] = 1 + max((depths[c] for c in children), default=0)
            if depths[ident] > MAX_DEPTH:
                raise YAMLInputError(f"nested more than {MAX_DEPTH} levels deep", ref_line + first_line)
            continue
        if ident in sizes:
            aliases += 1
            repeated += sizes[ident]
            if aliases > MAX_ALIASES or repeated > MAX_ALIAS_NODES:
                raise YAMLInputError(
                    f"too many aliases (*name): they repeat more than {MAX_ALIAS_NODES:,} values "
                    f"or {MAX_ALIASES:,} times; write the values out",
                    ref_line + first_line,
                )
            continue
        if ident in on_path:
            raise YAMLInputError("an alias (*name) refers to a value that contains it", ref_line + first_line)
        if isinstance(node, yaml.ScalarNode):
            sizes[ident], depths[ident] = 1, 0
            continue
        on_path.add(ident)
        stack.append((node, ref_line, True))
        stack += [(child, line, False) for child, line in reversed(_children(node))]


def _join(where: str, name: str) -> str:
    return where + name if not where or name.startswith("[") else f"{where}.{name}"


def _duplicate_keys(root: yaml.Node, first_line: int) -> tuple[DuplicateKey, ...]:
    """Keys given twice in any mapping, and a refusal of collections nested too deep.

    Only collections are visited (most nodes are scalars), each once.
    """
    found: list[DuplicateKey] = []
    visited: set[int] = set()
    stack: list[tuple[yaml.Node, int, str]] = [(root, 1, "")]  # node, depth, field
    while stack:
        node, depth, where = stack.pop()
        if id(node) in visited:
            continue  # an alias: its keys were checked where its anchor is
        visited.add(id(node))
        if depth > MAX_DEPTH:
            raise YAMLInputError(
                f"nested more than {MAX_DEPTH} levels deep", node.start_mark.line + first_line
            )
        if isinstance(node, yaml.SequenceNode):
            stack += [
                (item, depth + 1, f"{where}[{i}]")
                for i, item in enumerate(node.value)
                if not isinstance(item, yaml.ScalarNode)
            ]
            continue
        seen: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != _MERGE_TAG:  # a merge (<<) sets defaults
                line = key.start_mark.line + first_line
                ident = (key.tag, key.value)
                if ident in seen:
                    found.append(DuplicateKey(_join(where, str(key.value)), line, seen[ident]))
                seen[ident] = line
            if not isinstance(value, yaml.ScalarNode):
                name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
                stack.append((value, depth + 1, _join(where, name)))
    return tuple(found)


# An anchor (&name) starts a node, so it never follows a letter or digit: "R&D" holds none.
# No anchor, no alias (YAML refuses an alias to nothing), so the alias check runs only when one
# may be there. A false match ("Q &A") costs time, never safety.
_AMPERSAND = re.compile(r"&[^\s\[\]{},]")
# what PyYAML's constructors raise for a scalar they cannot turn into a value
_CONSTRUCT_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError)


def _may_have_anchors(text: str) -> bool:
    return any(
        m.start() == 0 or not (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_")
        for m in _AMPERSAND.finditer(text)
    )


class _Unconstructible(Exception):
    """The plain loader met a scalar it cannot construct: read again with the lenient one."""


def load_yaml(text: str, first_line: int = 1) -> YAMLDocument:
    """Parse untrusted YAML; raises YAMLInputError (message and file line) for anything
    feedtool does not read. ``first_line`` is the file line of the text's first line.

    The plain loader reads almost every file; only one with a scalar it cannot construct
    (``2021-02-30``) is read again by the lenient one, whose wrapped constructors would
    otherwise cost every number of every file a call.
    """
    try:
        return _parse(text, first_line, _Base)
    except _Unconstructible:
        return _parse(text, first_line, _Loader)


def _parse(text: str, first_line: int, loader_class: Any) -> YAMLDocument:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is not None and _may_have_anchors(text):
            _check_aliases(node, first_line)
        duplicates = _duplicate_keys(node, first_line) if node is not None else ()
        try:
            data = loader.construct_document(node) if node is not None else None
        except _CONSTRUCT_ERRORS as exc:
            if loader_class is _Base:
                raise _Unconstructible from None
            raise YAMLInputError(f"YAML error: a value YAML cannot read ({exc})") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        label = "YAML error" if isinstance(exc, ConstructorError) else "YAML syntax error"
        raise YAMLInputError(f"{label}: {what}", mark.line + first_line if mark else None) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text.count("\n", 0, exc.position) + first_line
        raise YAMLInputError(f"YAML error: {str(exc).splitlines()[0]}", line) from None
    except yaml.YAMLError as exc:
        raise YAMLInputError(f"YAML error: {str(exc).splitlines()[0] if str(exc) else exc!r}") from None
    finally:
        loader.dispose()
    unreadable = {line + first_line: why for line, why in getattr(loader, "unreadable", {}).items()}
    return YAMLDocument(data, node, duplicates, MappingProxyType(unreadable))


# Line breaks other than \n that str.splitlines also splits at: a text holding none splits
# at \n alone, and a regex can find the closing line without making a list of lines.
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[^\S\n]*$", re.M)


def split(text: str) -> tuple[str, str, int]:
    """Return (yaml_text, body, body_first_line). Front matter starts at line 2."""
    if text.startswith("\ufeff"):
        text = text[1:]
    first_end = text.find("\n")
    if first_end > 0 and text[:first_end].rstrip() == "---" and not _OTHER_BREAKS.search(text):
        closing = _CLOSING.search(text, first_end + 1)
        if closing is not None:
            yaml_text = text[first_end + 1 : closing.start()]
            body_start = text.find("\n", closing.end())
            body = "" if body_start < 0 else text[body_start + 1 :]
            return yaml_text, body, yaml_text.count("\n") + 3
    return _split_lines(text)


def _split_lines(text: str) -> tuple[str, str, int]:
    """``split`` for any text, and the errors of one that is no front matter."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        raise FrontMatterError("the file does not start with a '---' line (YAML front matter)", 1)
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n").rstrip() in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    raise FrontMatterError("the front matter has no closing '---' line", len(lines))


def load(text: str, *, row_blocks: bool = True) -> Document:
    """The front matter and body of an episode file.

    Top-level lists of flat rows (``transcript:``, ``quotableClips:``) in the plain shape
    ``row_blocks`` takes are read by it, and the rest by libyaml. ``row_blocks=False``,
    and any file whose rest libyaml reads otherwise than the cut expects, is read whole by
    libyaml. Both give the same Document; the tests hold them to it."""
    yaml_text, body, body_line = split(text)
    cut = read_row_blocks.cut(yaml_text) if row_blocks else None
    if cut is not None:
        try:
            doc: Document | None = _document(cut.rest, body, body_line)
        except FrontMatterError:
            doc = None  # the whole text's own error (or none) is what the file gets
        if doc is not None and all(
            doc.key_lines.get(b.key) == b.key_index + 2 and b.key in doc.data and doc.data[b.key] is None
            for b in cut.blocks
        ):
            for b in cut.blocks:
                doc.data[b.key] = b.rows
                doc.item_lines[b.key] = tuple(i + 2 for i in b.row_indexes)
            return doc
    return _document(yaml_text, body, body_line)


def _document(yaml_text: str, body: str, body_line: int) -> Document:
    try:
        loaded = load_yaml(yaml_text, first_line=2)
    except YAMLInputError as exc:
        raise FrontMatterError(str(exc), exc.line) from None
    data, node = loaded.data, loaded.node
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError(f"the front matter must be a mapping of keys, not a {type(data).__name__}", 2)
    key_lines: dict[str, int] = {}
    item_lines: dict[str, tuple[int, ...]] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            key_lines[key] = key_node.start_mark.line + 2
            if isinstance(value_node, yaml.SequenceNode):
                item_lines[key] = tuple(item.start_mark.line + 2 for item in value_node.value)
    return Document(
        data=data,
        body=body,
        body_line=body_line,
        key_lines=key_lines,
        item_lines=item_lines,
        duplicates=loaded.duplicates,
        unreadable=loaded.unreadable,
    )
