"""Conventions people expect of a command line: colour, progress, --version, shell completion."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from conftest import REPO

from feedtool import __version__, cli
from feedtool.cli import main
from feedtool.commands import _progress, _style, completion

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _argv(show: Path, *extra: str) -> list[str]:
    folders = ["--config", str(show / "config" / "podcast.yaml"), "--episodes", str(show / "episodes")]
    return ["build", *folders, "--out", str(show / "public"), *extra]


@pytest.fixture(autouse=True)
def _auto_colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("FEEDTOOL_NO_PROGRESS", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    yield
    _style.configure("auto")


# --- colour ---------------------------------------------------------------------------------------


def test_colour_follows_the_terminal_no_color_and_the_option(monkeypatch):
    terminal, pipe = Terminal(), io.StringIO()
    _style.configure("auto")
    assert _style.paint("error", "error", terminal) == "\x1b[1;31merror\x1b[0m"
    assert _style.paint("error", "error", pipe) == "error"
    monkeypatch.setenv("NO_COLOR", "1")
    assert _style.paint("error", "error", terminal) == "error"
    _style.configure("always")  # the explicit choice wins over NO_COLOR
    assert _style.paint("error", "error", pipe) != "error"
    _style.configure("never")
    monkeypatch.delenv("NO_COLOR")
    assert _style.paint("error", "error", terminal) == "error"


def test_build_colours_severities_and_its_verdict_only_when_asked_or_on_a_terminal(show, capsys, monkeypatch):
    assert main(_argv(show)) == 0
    captured = capsys.readouterr()
    assert not ANSI.search(captured.out + captured.err)  # captured output is no terminal
    assert main(["--color", "always", *_argv(show)]) == 0
    captured = capsys.readouterr()
    assert "\x1b[33mwarning\x1b[0m: chapters:" in captured.err
    assert captured.out.startswith("\x1b[32mbuilt\x1b[0m ")
    assert "[chapter-no-start]\n" in ANSI.sub("", captured.err)
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert main(["--color", "never", *_argv(show)]) == 0
    assert not ANSI.search(sys.stderr.getvalue())


def test_link_verdicts_are_coloured_at_the_start_of_a_report_line():
    _style.configure("always")
    text = "feedtool links: 3 links\n\nep\n  BROKEN     body   https://x/OK\n  OK x\n"
    coloured = _style.verdicts(text)
    assert "  \x1b[1;31mBROKEN\x1b[0m     body   https://x/OK\n" in coloured  # the OK in the URL stays
    assert "  \x1b[32mOK\x1b[0m x" in coloured
    assert ANSI.sub("", coloured) == text


def test_validate_and_diff_colour_their_verdicts(capsys):
    feeds = Path(__file__).parent / "rss" / "feeds"
    assert main(["--color", "always", "validate", str(feeds / "valid.xml")]) == 0
    assert f"{feeds / 'valid.xml'}: \x1b[32mvalid\x1b[0m, 0 errors" in capsys.readouterr().out
    assert main(["--color", "always", "validate", str(feeds / "explicit-yes.xml")]) == 1
    out = capsys.readouterr().out
    assert (
        out.startswith("\x1b[1;31merror\x1b[0m  channel  itunes-explicit")
        and "\x1b[1;31mINVALID\x1b[0m" in out
    )


# --- progress -------------------------------------------------------------------------------------


def test_progress_draws_on_a_terminal_only_and_wipes_its_line(monkeypatch):
    monkeypatch.setattr(_progress, "DELAY", 0)
    monkeypatch.setattr(_progress, "INTERVAL", 0)
    terminal = Terminal()
    with _progress.Progress("build", terminal) as progress:
        progress("read", 3, 10)
        progress("fetch", 2_500_000, 5_000_000)
    drawn = terminal.getvalue()
    assert "\rbuild: reading episodes 3/10" in drawn and "build: downloading 2.5 MB of 5.0 MB" in drawn
    assert drawn.endswith("\r")  # wiped before the command prints its result
    pipe = io.StringIO()
    with _progress.Progress("build", pipe) as progress:
        progress("read", 3, 10)
    assert pipe.getvalue() == ""
    monkeypatch.setenv("CI", "true")
    assert not _progress.Progress("build", Terminal()).enabled


def test_build_and_run_show_their_steps_on_a_terminal(show, monkeypatch, capsys):
    monkeypatch.setattr(_progress, "DELAY", 0)
    monkeypatch.setattr(_progress, "INTERVAL", 0)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(_argv(show, "-q")) == 0
    drawn = terminal.getvalue()
    for step in (
        "build: reading episodes 1/2",  # the two episode files (the draft is not read)
        "build: rendering chapters and transcripts 2/2",
        "validating",
    ):
        assert step in drawn
    assert "\r" not in capsys.readouterr().out  # the result line itself is clean
    terminal.truncate(0)
    argv = ["run", "--config", str(show / "config" / "podcast.yaml"), "--episodes", str(show / "episodes")]
    assert main([*argv, "--out", str(show / "public"), "--skip-links"]) == 0
    assert "run: reading episodes" in terminal.getvalue()


# --- --version ------------------------------------------------------------------------------------


def test_version_alone_and_with_v(capsys):
    for argv in (["--version"], ["-v", "--version"], ["--version", "-v"]):
        with pytest.raises(SystemExit) as info:
            cli.main(argv)
        assert info.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith(f"feedtool {__version__}\n")
        if argv == ["--version"]:
            assert out == f"feedtool {__version__}\n"
            continue
        assert f"\nPython {sys.version.split()[0]} " in out
        try:
            requirements = [r for r in metadata.requires("feedtool") or [] if "extra ==" not in r]
        except metadata.PackageNotFoundError:
            pytest.skip("feedtool is not installed: no metadata to list")
        for requirement in requirements:
            name = re.match(r"[A-Za-z0-9._-]+", requirement).group(0)
            assert f"\n  {name} {metadata.version(name)}\n" in out


# --- completion -----------------------------------------------------------------------------------


def _script(shell: str, capsys) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


def _every_command_and_flag() -> tuple[list[str], list[str]]:
    line = completion.describe(cli.make_parser(lazy=False))
    commands = [c.name for c in line.commands]
    flags = [flag for o in line.options for flag in o.flags]
    flags += [flag for c in line.commands for o in c.options for flag in o.flags]
    return commands, sorted(set(flags))


def test_the_generator_sees_every_command_and_option():
    commands, flags = _every_command_and_flag()
    assert commands == [m.replace("_", "-") for m in cli.COMMAND_MODULES]
    assert {"--color", "--version", "--skip-invalid", "--format", "--allow-private", "-q", "--quiet"} <= set(
        flags
    )


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_bash_script_sources_and_completes(capsys, tmp_path):
    script = tmp_path / "feedtool.bash"
    script.write_text(_script("bash", capsys))
    probe = (
        f"source {script} && complete -p feedtool && "
        "complete_line() { COMP_WORDS=($1); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); "
        '[[ "$1" == *" " ]] && { COMP_WORDS+=(""); COMP_CWORD=${#COMP_WORDS[@]}; COMP_CWORD=$((COMP_CWORD-1)); }; '
        '_feedtool; echo "${COMPREPLY[*]}"; }; '
        'complete_line "feedtool bu"; complete_line "feedtool validate --for"; '
        'complete_line "feedtool validate --format "; complete_line "feedtool --color "; '
        'complete_line "feedtool completion "'
    )
    proc = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "complete -o default -F _feedtool feedtool"
    assert lines[1:] == ["build", "--format", "text json", "auto always never", "bash zsh fish"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_name_every_command_and_flag(shell, capsys):
    text = _script(shell, capsys)
    commands, flags = _every_command_and_flag()
    for command in commands:
        assert re.search(rf"(?<![\w-]){re.escape(command)}(?![\w-])", text), command
    for flag in flags:
        if shell == "fish":
            form = f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}"
            assert form in text, flag
        else:
            assert flag in text, flag


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_the_zsh_script_parses_and_registers_itself(capsys, tmp_path):
    script = tmp_path / "_feedtool"
    script.write_text(_script("zsh", capsys))
    assert subprocess.run(["zsh", "-n", str(script)], capture_output=True, timeout=30).returncode == 0
    probe = f"autoload -U compinit; compinit -u -D; source {script}; print -r -- ${{_comps[feedtool]}}"
    proc = subprocess.run(["zsh", "-fc", probe], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.stdout.splitlines()[-1] == "_feedtool", proc.stderr


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_the_fish_script_completes(capsys, tmp_path):
    script = tmp_path / "feedtool.fish"
    script.write_text(_script("fish", capsys))
    probe = (
        f"source {script}; complete -C 'feedtool bu'; complete -C 'feedtool validate --format '; "
        "complete -C 'feedtool build --skip-i'"
    )
    proc = subprocess.run(["fish", "-c", probe], capture_output=True, text=True, timeout=60)
    assert [line.split("\t")[0] for line in proc.stdout.splitlines()] == [
        "build",
        "json",
        "text",
        "--skip-invalid",
    ]


def test_readme_documents_the_completion_command():
    assert "### `feedtool completion`" in (REPO / "README.md").read_text(encoding="utf-8")
