"""The README documents every command and every config key (a test fails when one is added without docs)."""

from conftest import REPO

from feedtool.cli import COMMAND_MODULES
from feedtool.config import KNOWN_KEYS
from feedtool.publish.guards import PUBLISH_KEYS

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_command_has_a_readme_section():
    for module in COMMAND_MODULES:
        name = module.replace("_", "-")
        assert f"### `feedtool {name}`" in README, f"README has no section for feedtool {name}"


def test_every_config_key_is_in_the_reference():
    table = README.split("## Config reference", 1)[1]
    for key in KNOWN_KEYS - {"categories"}:
        assert f"`{key}" in table, f"config key {key!r} missing from the README's config reference"
    for key in PUBLISH_KEYS:
        assert f"`publish.{key}`" in table


def test_the_two_commands_are_there():
    assert "pip install -e . && .venv/bin/feedtool build" in README
    assert "pip install -e '.[test]' && .venv/bin/python -m pytest" in README
    ci = (REPO / ".ci" / "run").read_text()
    assert (
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest" in ci
    )
