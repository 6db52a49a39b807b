"""``feedtool links --fix``: write the report's suggestions into the episode files.

A suggestion is accepted when the run proved it: a permanent redirect (301/308) whose
chain ends at a working page (REDIRECTED), an Anchor episode that moved domain, or the
Apple page of an episode the iTunes lookup lists for an episode file whose
``links.apple`` is TODO (``suggest.py``). Each is written where the report found the
link:

- ``links.NAME``: the value in the front matter (inserted into ``links:`` when absent);
- ``chapters[N]``: the ``url`` of the N-th ``quotableClips`` entry;
- ``image``: the front matter ``image`` when it holds the absolute URL;
- ``body``: every spelling of the URL in the show notes.

Only those characters change: the file is spliced, never re-serialised, so its
comments, quoting, key order, line endings and every other byte stay as they were. A
value is replaced only when it still holds what was checked (it normalises to the
checked URL, or is TODO/empty for a missing link), so a file edited since is left
alone. Guest links live in the people folder's profiles and the enclosure comes from
``audio:``, ``media.yaml`` or ``media_url``: those are listed, not changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from feedtool.links.model import Place, Report, Result
from feedtool.links.normalize import InvalidURL, normalize
from feedtool.links.verdict import Verdict
from feedtool.output import atomic_write

_FIELD = re.compile(
    r"^(?:links\.(?P<platform>[a-z]+)|chapters\[(?P<index>\d+)\]|(?P<image>image)|(?P<body>body))$"
)
# a URL in Markdown text: up to white space or what ends a link destination, autolink or quote
_BODY_URL = re.compile(r"""https?://[^\s<>()\[\]"'`]+""", re.IGNORECASE)
_TRAILING = ".,;:!?*_~"
_EMPTY = ("", "todo", "tbd", "none", "null", "~")


@dataclass(frozen=True)
class Change:
    """One value written into one file."""

    path: Path
    field: str
    line: int  # 1-based line of the changed value
    old: str | None  # None when the value was inserted
    new: str


@dataclass(frozen=True)
class NotFixed:
    place: Place
    suggestion: str
    why: str


@dataclass(frozen=True)
class FixOutcome:
    changed: tuple[Change, ...]
    not_fixed: tuple[NotFixed, ...]


@dataclass(frozen=True)
class _Edit:
    start: int  # character offsets in the file's text
    end: int
    text: str  # what replaces text[start:end]
    field: str
    old: str | None  # the value replaced, None for an inserted line
    new: str  # the value written


def accepted(report: Report) -> list[tuple[Result, Place]]:
    """The suggestions ``--fix`` writes: REDIRECTED results and MISSING ones with a URL found."""
    return [
        (result, place)
        for result in report.results
        if result.suggestion and result.verdict in (Verdict.REDIRECTED, Verdict.MISSING)
        for place in result.places
    ]


def _same_url(raw: str, url: str | None) -> bool:
    if url is None:
        return False
    try:
        return normalize(raw) == url
    except InvalidURL:
        return False


def _scalar(value: str) -> str:
    """``value`` as a YAML scalar: plain when that reads back as the same text, else single-quoted."""
    try:
        if yaml.safe_load(f"k: {value}") == {"k": value}:
            return value
    except yaml.YAMLError:
        pass
    return "'" + value.replace("'", "''") + "'"


def _front_matter(text: str) -> tuple[int, str, int] | None:
    """(offset of the YAML text in ``text``, the YAML text, offset where the body starts)."""
    start = 1 if text.startswith("\ufeff") else 0
    first = text.find("\n", start)
    if first < 0 or text[start:first].rstrip("\r").rstrip() != "---":
        return None
    pos = first + 1
    while pos < len(text):
        end = text.find("\n", pos)
        line_end = len(text) if end < 0 else end
        if text[pos:line_end].rstrip("\r").rstrip() in ("---", "..."):
            return first + 1, text[first + 1 : pos], (len(text) if end < 0 else end + 1)
        if end < 0:
            break
        pos = end + 1
    return None


def _mapping_get(node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node, value_node
    return None


def _replace_scalar(node: yaml.Node, offset: int, new: str, field: str) -> _Edit | None:
    if not isinstance(node, yaml.ScalarNode):
        return None
    start, end = offset + node.start_mark.index, offset + node.end_mark.index
    return _Edit(start, end, _scalar(new), field, node.value, new)


def _front_matter_edit(
    root: yaml.Node, yaml_text: str, offset: int, result: Result, place: Place
) -> _Edit | str:
    """The edit for a front matter place, or why there is none."""
    match = _FIELD.match(place.field)
    assert match is not None  # callers pass only fields the pattern knows
    new = result.suggestion or ""
    missing = result.verdict is Verdict.MISSING

    def holds_it(node: yaml.Node) -> bool:
        if not isinstance(node, yaml.ScalarNode):
            return False
        if missing:
            return node.value.strip().lower() in _EMPTY
        return _same_url(node.value, result.url)

    if match["platform"]:
        found = _mapping_get(root, "links")
        if found is None:
            return "the front matter has no links: mapping"
        links = found[1]
        entry = _mapping_get(links, match["platform"])
        if entry is not None:
            if not holds_it(entry[1]):
                return "the value in the file changed since it was checked"
            return _replace_scalar(entry[1], offset, new, place.field) or "not a plain value"
        if not missing or not isinstance(links, yaml.MappingNode) or links.flow_style or not links.value:
            return f"no {match['platform']}: entry under links: to replace"
        # insert a line after the last entry of the block mapping, indented like its first key
        last_value = links.value[-1][1]
        at = yaml_text.find("\n", last_value.end_mark.index)
        at = len(yaml_text) if at < 0 else at + 1
        newline = "\r\n" if yaml_text[:at].endswith("\r\n") else "\n"
        indent = " " * links.value[0][0].start_mark.column
        line = f"{indent}{match['platform']}: {_scalar(new)}{newline}"
        return _Edit(offset + at, offset + at, line, place.field, None, new)
    if match["index"] is not None:
        found = _mapping_get(root, "quotableClips")
        clips = found[1] if found else None
        index = int(match["index"])
        if not isinstance(clips, yaml.SequenceNode) or index >= len(clips.value):
            return "no such quotableClips entry"
        entry = _mapping_get(clips.value[index], "url")
        if entry is None or not holds_it(entry[1]):
            return "the chapter's url changed since it was checked"
        return _replace_scalar(entry[1], offset, new, place.field) or "not a plain value"
    found = _mapping_get(root, "image")
    if found is None or not holds_it(found[1]):
        return "the file's image is not this URL (a relative path resolves against image_base_url)"
    return _replace_scalar(found[1], offset, new, place.field) or "not a plain value"


def _body_edits(text: str, body_start: int, result: Result) -> list[_Edit]:
    """Every spelling of ``result.url`` in the show notes."""
    edits = []
    for match in _BODY_URL.finditer(text, body_start):
        raw = match.group().rstrip(_TRAILING)
        if _same_url(raw, result.url):
            start = match.start()
            new = result.suggestion or ""
            edits.append(_Edit(start, start + len(raw), new, "body", raw, new))
    return edits


def fix_file(path: Path, items: Iterable[tuple[Result, Place]]) -> tuple[list[Change], list[NotFixed]]:
    """Apply the suggestions for one episode file; the file is rewritten only if one applies."""
    items = list(items)
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    split = _front_matter(text)
    if split is None:
        return [], [NotFixed(p, r.suggestion or "", "no front matter") for r, p in items]
    offset, yaml_text, body_start = split
    try:
        root = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return [], [NotFixed(p, r.suggestion or "", "the front matter does not parse") for r, p in items]
    edits: list[_Edit] = []
    not_fixed: list[NotFixed] = []
    for result, place in items:
        suggestion = result.suggestion or ""
        if not _FIELD.match(place.field):
            where = (
                "a guest profile in the people folder" if place.field.startswith("guests.") else place.field
            )
            not_fixed.append(NotFixed(place, suggestion, f"{where}: not an episode file value --fix writes"))
            continue
        if place.field == "body":
            found = _body_edits(text, body_start, result)
            if not found:
                not_fixed.append(NotFixed(place, suggestion, "the URL is not written out in the show notes"))
            edits += found
            continue
        edit = _front_matter_edit(root, yaml_text, offset, result, place) if root else "empty front matter"
        if isinstance(edit, str):
            not_fixed.append(NotFixed(place, suggestion, edit))
        else:
            edits.append(edit)
    edits.sort(key=lambda e: (e.start, e.end))
    kept: list[_Edit] = []
    for edit in edits:
        if kept and edit.start < kept[-1].end:
            continue  # two suggestions for one span: the first wins
        kept.append(edit)
    new_text = text
    for edit in reversed(kept):
        new_text = new_text[: edit.start] + edit.text + new_text[edit.end :]
    changes = [Change(path, e.field, text.count("\n", 0, e.start) + 1, e.old, e.new) for e in kept]
    if kept:
        atomic_write(path, new_text.encode("utf-8"))
    return changes, not_fixed


def apply_fixes(report: Report, files: Mapping[str, Path]) -> FixOutcome:
    """Write every accepted suggestion into the episode files (``files``: slug -> path)."""
    per_file: dict[str, list[tuple[Result, Place]]] = {}
    not_fixed: list[NotFixed] = []
    for result, place in accepted(report):
        if place.episode in files:
            per_file.setdefault(place.episode, []).append((result, place))
        else:
            not_fixed.append(NotFixed(place, result.suggestion or "", "no episode file for it"))
    changed: list[Change] = []
    for slug, items in per_file.items():
        done, skipped = fix_file(files[slug], items)
        changed += done
        not_fixed += skipped
    return FixOutcome(tuple(changed), tuple(not_fixed))
