"""Split an episode file into YAML front matter and Markdown body, and load the
YAML keeping line numbers so problems can point at the right line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

# libyaml is about 12x faster on the corpus; fall back to pure Python when the
# wheel was built without it.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrontMatterError(ValueError):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Document:
    data: dict[str, Any]
    body: str
    body_line: int  # 1-based line where the body starts
    key_lines: dict[str, int]  # top-level key -> 1-based line
    item_lines: dict[str, tuple[int, ...]]  # top-level sequence key -> line of each item


def split(text: str) -> tuple[str, str, int]:
    """Return (yaml_text, body, body_first_line). Front matter starts at line 2."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        raise FrontMatterError("the file does not start with a '---' line (YAML front matter)", 1)
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n").rstrip() in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    raise FrontMatterError("the front matter has no closing '---' line", len(lines))


def compose_and_construct(yaml_text: str) -> tuple[Any, yaml.Node | None]:
    """The data and its node tree (for line numbers) from one parse; raises yaml.YAMLError."""
    loader = _Loader(yaml_text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()


def load(text: str) -> Document:
    yaml_text, body, body_line = split(text)
    try:
        data, node = compose_and_construct(yaml_text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else None
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise FrontMatterError(f"YAML syntax error: {what}", line) from None
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml reader errors
        raise FrontMatterError(f"YAML error: {exc}") from None
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
    return Document(data=data, body=body, body_line=body_line, key_lines=key_lines, item_lines=item_lines)
