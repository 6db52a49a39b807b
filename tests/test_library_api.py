"""The library surface: ``feedtool.__all__`` resolves lazily, ``import feedtool`` stays cheap, and the
README's "Use it as a library" example runs as printed."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import textwrap

import pytest
from conftest import REPO

import feedtool

HEAVY = ("lxml", "feedgen", "requests", "urllib3")
SECTION = "## Use it as a library"


def readme_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert SECTION in text, "README has no 'Use it as a library' section"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    assert text.index(SECTION) < text.index("\n## Development"), "the section goes before Development"
    return section


def fenced_blocks(section: str) -> list[tuple[str, str]]:
    """(info string, body) of every ``` block, in order."""
    blocks, lines, i = [], section.splitlines(), 0
    while i < len(lines):
        if lines[i].startswith("```"):
            info, body = lines[i][3:].strip(), []
            i += 1
            while not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            blocks.append((info, "\n".join(body) + "\n"))
        i += 1
    return blocks


def example_and_output() -> tuple[str, str]:
    blocks = fenced_blocks(readme_section())
    python = [i for i, (info, _) in enumerate(blocks) if info == "python"]
    assert len(python) == 1, "the section has exactly one ```python example"
    after = blocks[python[0] + 1]
    assert after[0] == "", "the example is followed by a plain ``` block with what it prints"
    return blocks[python[0]][1], after[1]


def test_readme_example_runs_and_prints_what_the_readme_says(tmp_path):
    code, printed = example_and_output()
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == printed
    assert proc.stderr == ""


def test_readme_example_uses_only_the_public_names():
    tree = ast.parse(example_and_output()[0])
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("feedtool"):
            assert node.module == "feedtool", f"the example imports from {node.module}, not from feedtool"
            used.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            assert not any(a.name.startswith("feedtool.") for a in node.names)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "feedtool"
        ):
            used.add(node.attr)
    assert used, "the example uses feedtool"
    assert used <= set(feedtool.__all__), used - set(feedtool.__all__)


def test_every_public_name_resolves_to_its_module():
    assert "__version__" in feedtool.__all__
    exports = feedtool._EXPORTS
    assert set(feedtool.__all__) == {"__version__", *exports}
    assert len(feedtool.__all__) == len(set(feedtool.__all__))
    for name in feedtool.__all__:
        value = getattr(feedtool, name)
        assert value is not None, name
        if name in exports:
            assert value is getattr(importlib.import_module(exports[name]), name), name
    assert set(feedtool.__all__) <= set(dir(feedtool))
    namespace: dict[str, object] = {}
    exec("from feedtool import *", namespace)
    assert set(feedtool.__all__) <= set(namespace)


def test_the_type_checking_imports_match_the_lazy_table():
    """Type checkers read the TYPE_CHECKING block, the interpreter reads _EXPORTS: they must agree."""
    tree = ast.parse((REPO / "feedtool" / "__init__.py").read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
    )
    imported = {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert imported == feedtool._EXPORTS


def test_unknown_names_are_attribute_errors():
    with pytest.raises(AttributeError, match="module 'feedtool' has no attribute 'no_such_name'"):
        feedtool.no_such_name  # noqa: B018
    assert not hasattr(feedtool, "no_such_name")


def _modules_after(code: str) -> list[str]:
    probe = textwrap.dedent(f"""
        import sys
        {code}
        print(" ".join(sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))))
    """)
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return proc.stdout.split()


def test_import_feedtool_does_not_load_the_heavy_libraries():
    assert _modules_after("import feedtool") == []
    # the names the CLI's start-up and error handling need stay cheap too
    assert (
        _modules_after("import feedtool; feedtool.ExitCode; feedtool.FeedtoolError; feedtool.Problem") == []
    )
    # ...and the probe does see them once a name that needs them is used
    assert _modules_after("import feedtool; feedtool.build") != []
