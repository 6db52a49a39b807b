"""Every warning has a stable code; the codes are documented; a show can accept the ones it lives with."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO

from feedtool.cli import main
from feedtool.config import load_config
from feedtool.errors import ConfigError
from feedtool.model import Problem, Severity
from feedtool.publish.build import prepare_build
from feedtool.warning_codes import BY_CODE, CODES, IGNORABLE, LEFT_OUT, UNCODED, accept, code_of

# One episode that trips every warning the reader and the chapter rules have, as real code writes them.
EVERYTHING = """---
title: "Everything \\x0b Wrong"
dateadded: 2022-01-01
season: 1
episode: 3
duration: PT1M
guests: [janedoe, nobody, nameless]
ttile: typo
audio:
  url: https://media.example.org/x.mp3
  size: 3
ignore_warnings: [no-such-code]
quotableClips:
- name: Explicit
  startOffset: 100
  endOffset: 50
- name: Early
  startOffset: 50
transcript:
- header: Opening
- header: Opening
- line: hi
  sec: 10
- header: Lonely
- header: Derived
- line: x
  sec: 120
- header: Explicit
- line: y
  sec: 130
- header: Early
- line: z
  sec: 140
---
"""
# codes of situations this one file cannot make (a host feed, a damaged record, a full state disk):
# their own tests check the lines (tests/media/test_host_feed.py, tests/test_robust_*.py,
# tests/test_hostile_*.py)
SITUATION_CODES = {
    "speaker-not-a-name",  # tests/read/test_speakers.py (the show fixture has no sentence who:)
    "key-given-twice",  # tests/test_hostile_yaml.py
    "not-a-file",  # tests/test_hostile_files.py
    "file-unreadable",
    "episode-number-repeated",
    "people-folder-missing",
    "held-back",
    "host-feed-copy-used",
    "host-item-without-file",
    "host-item-ambiguous",
    "local-media-unreadable",
    "publish-record-repaired",
    "cache-not-saved",
}
PIPELINE_CODES = (
    {row.code for row in CODES if not row.validator} - {LEFT_OUT, "cache-discarded"} - SITUATION_CODES
)


@pytest.fixture
def everything(show: Path) -> Path:
    (show / "episodes" / "s01e03-everything.md.md").write_text(EVERYTHING, encoding="utf-8")
    (show / "people" / "nameless.md").write_text("---\npicture: x.jpg\n---\n", encoding="utf-8")
    return show


def build_warnings(show: Path) -> list[Problem]:
    config = load_config(show / "config" / "podcast.yaml")
    return [p for p in prepare_build(config, show / "episodes").problems if not p.is_error]


def test_every_warning_of_the_reader_chapters_and_build_has_its_code(everything):
    warnings = build_warnings(everything)
    codes = {code_of(p) for p in warnings}
    assert UNCODED not in codes, [str(p) for p in warnings if code_of(p) == UNCODED]
    assert codes == PIPELINE_CODES


def test_the_fixtures_and_the_sample_have_no_uncoded_warning():
    for root in (FIXTURES / "show", REPO):
        config = load_config(root / "config" / "podcast.yaml")
        problems = prepare_build(config, root / "episodes").problems
        assert all(code_of(p) != UNCODED for p in problems if not p.is_error)


def test_errors_get_no_code_from_the_table_and_new_wording_is_uncoded():
    assert code_of(Problem("e.md", "title", "is required")) is None
    assert code_of(Problem("e.md", "x", "a warning nobody named", None, Severity.WARNING)) == UNCODED
    assert (
        code_of(Problem("e.md", "x", "y", None, Severity.WARNING, "psc-chapters-first"))
        == "psc-chapters-first"
    )


def _table(section: str) -> dict[str, str]:
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| [^|]+ \| (.+) \|$", section, re.M)
    return dict(rows)


def test_the_readme_documents_every_code_with_what_to_do():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Warning codes", 1)[1].split("\n## ", 1)[0]
    documented = _table(section)
    assert set(documented) == set(BY_CODE)
    for code, action in documented.items():
        assert action == BY_CODE[code].action, code


def test_every_warning_the_validator_can_raise_has_a_row():
    rules = (REPO / "docs" / "render.md").read_text(encoding="utf-8")
    warning_codes = set()
    for codes, severity in re.findall(r"^\| (`[^|]+`) \| ([^|]+) \|", rules, re.M):
        if "warning" in severity:
            warning_codes |= set(re.findall(r"`([a-z0-9-]+)`", codes))
    assert warning_codes and warning_codes <= {row.code for row in CODES if row.validator}


def test_accept_keeps_errors_and_left_out_and_honours_both_lists(everything):
    config = load_config(everything / "config" / "podcast.yaml")
    output = prepare_build(config, everything / "episodes", skip_invalid=True)
    episode = next(e for e in output.episodes if e.slug == "s01e03-everything.md")
    episode = type(episode)(**{**episode.__dict__, "ignore_warnings": ("chapter-no-start",)})
    error = Problem(str(episode.path), "title", "is required")
    left = Problem("other.md", "dateadded", "missing", None, Severity.WARNING, LEFT_OUT)
    reported, accepted = accept(
        (*output.problems, error, left), ["audio-length-unknown", LEFT_OUT], [episode]
    )
    assert error in reported and left in reported
    assert {p.code for p in accepted} == {"audio-length-unknown", "chapter-no-start"}
    # another episode's chapter-no-start stays reported: ignore_warnings is per file
    assert any(p.code == "chapter-no-start" and "s01e01" in p.path for p in reported)
    assert LEFT_OUT not in IGNORABLE


def _build(show: Path, *extra: str) -> int:
    argv = ["build", "--config", str(show / "config" / "podcast.yaml"), "--episodes", str(show / "episodes")]
    return main([*argv, "--out", str(show / "public"), *extra])


def test_config_warnings_ignore_accepts_a_code_and_the_summary_counts_it(show, capsys):
    cfg = show / "config" / "podcast.yaml"
    cfg.write_text(cfg.read_text() + "warnings:\n  ignore: [chapter-no-start]\n")
    assert _build(show) == 0
    captured = capsys.readouterr()
    assert "chapter-no-start" not in captured.err
    assert captured.out.rstrip().endswith("1 warning(s), 1 accepted (chapter-no-start 1)")


def test_an_episode_accepts_its_own_warnings(show, capsys):
    ep = show / "episodes" / "s01e01-first-steps.md"
    ep.write_text(
        ep.read_text().replace("season: 1\n", "season: 1\nignore_warnings: [chapter-no-start]\n", 1)
    )
    assert _build(show) == 0
    captured = capsys.readouterr()
    assert "[chapter-no-start]" not in captured.err
    assert "1 accepted (chapter-no-start 1)" in captured.out


def test_a_typo_in_warnings_ignore_is_a_config_error_with_its_line(show, capsys):
    cfg = show / "config" / "podcast.yaml"
    lines = len(cfg.read_text().splitlines())
    cfg.write_text(cfg.read_text() + "warnings:\n  ignore:\n    - chapter-no-strat\n    - left-out\n")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    first, second = info.value.problems
    assert (first.field, first.line) == ("warnings.ignore[0]", lines + 3)
    assert "did you mean 'chapter-no-start'" in first.message
    assert second.line == lines + 4 and "cannot be accepted" in second.message
    assert _build(show) == 2
    assert f"podcast.yaml:{lines + 3}: error: warnings.ignore[0]" in capsys.readouterr().err


def test_an_unknown_code_in_an_episode_is_a_coded_warning(show, capsys):
    ep = show / "episodes" / "s01e02-markers-only.md"
    ep.write_text(
        ep.read_text().replace("season: 1\n", "season: 1\nignore_warnings: audio-lenght-unknown\n", 1)
    )
    assert _build(show, "-v") == 0
    (line,) = [x for x in capsys.readouterr().err.splitlines() if "ignore_warnings" in x]
    assert line.startswith(
        f"{ep}:4: warning: ignore_warnings[0]: unknown warning code 'audio-lenght-unknown'"
    )
    assert "did you mean 'audio-length-unknown'" in line and line.endswith("[unknown-warning-code]")


def test_warnings_found_in_several_files_are_one_line_each_and_all_with_v(show, capsys):
    for n in (3, 4, 5):
        shutil.copy(show / "episodes" / "s01e02-markers-only.md", show / "episodes" / f"s01e0{n}-copy.md")
        ep = show / "episodes" / f"s01e0{n}-copy.md"
        ep.write_text(
            ep.read_text()
            .replace("youtube: def456", f"youtube: def45{n}")
            .replace("episode: 2", f"episode: {n}")
        )
    assert _build(show) == 0
    err = capsys.readouterr().err.splitlines()
    (group,) = [x for x in err if x.startswith("warning: audio-length-unknown")]
    assert group == (
        "warning: audio-length-unknown (4): s01e02-markers-only.md, s01e03-copy.md, s01e04-copy.md and 1 more: "
        + BY_CODE["audio-length-unknown"].action
    )
    assert not [x for x in err if "[audio-length-unknown]" in x]
    assert _build(show, "-v") == 0
    assert len([x for x in capsys.readouterr().err.splitlines() if x.endswith("[audio-length-unknown]")]) == 4
