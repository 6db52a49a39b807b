"""What the command line says is true: the README's promises, one test each (issue 13's list)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO
from feedsupport import show_argv

from feedtool import cli
from feedtool.cli import main
from feedtool.errors import ConfigError, ExitCode
from feedtool.links import safety
from feedtool.media.source import fetch_url

FEEDS = Path(__file__).parent / "rss" / "feeds"
# FILE[:LINE]: severity: FIELD: message [code], the message never ending in a dangling colon
PROBLEM_LINE = re.compile(
    r"^(?P<file>[^\s:][^:]*?)(?::(?P<line>\d+))?: (?P<severity>error|warning): (?P<field>[\w.\[\] -]+): "
    r"(?P<message>.*?[^:\s])(?: \[(?P<code>[a-z0-9-]+)\])?$"
)


def _argv(show: Path, *extra: str) -> list[str]:
    return show_argv(show, *extra)


def _broken(show: Path) -> Path:
    bad = show / "episodes" / "s01e03-broken.md"
    bad.write_text("---\ntitle: Broken\nseason: 0\nepisode: 0\n---\n", encoding="utf-8")
    return bad


# 2. drafts are listed by name


def test_drafts_are_named_in_the_summary(show, capsys):
    shutil.copy(show / "episodes" / "_template.md", show / "episodes" / "_next.md")
    assert main(_argv(show, "-q")) == 0
    assert "2 drafts skipped (_next.md, _template.md)" in capsys.readouterr().out


# 3. --skip-invalid names each episode it leaves out, even when quiet


def test_skip_invalid_names_what_it_leaves_out_even_with_quiet(show, capsys):
    bad = _broken(show)
    assert main(_argv(show, "--skip-invalid", "-q")) == 0
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert line.startswith(f"{bad}:3: warning: season: must be a whole number greater than 0")
    assert line.endswith("(left out: --skip-invalid) [left-out] (and 1 more; -v lists them)")
    assert "1 left out with errors" in captured.out
    assert main(_argv(show, "--skip-invalid", "-v")) == 0
    assert len([x for x in capsys.readouterr().err.splitlines() if "[left-out]" in x]) == 2


def test_run_names_what_it_leaves_out_without_v(show, capsys):
    bad = _broken(show)
    argv = ["run", "--config", str(show / "config" / "podcast.yaml"), "--episodes", str(show / "episodes")]
    assert main([*argv, "--out", str(show / "public"), "--skip-links", "--skip-invalid"]) == 0
    out = capsys.readouterr().out
    assert f"{bad}:3: warning: season" in out and "1 left out with errors" in out
    assert "[chapter-no-start]" not in out  # warnings stay for -v


# 4. every message in the documented form


def test_every_problem_line_has_the_documented_form(show, capsys):
    (show / "episodes" / "s01e04-late.md").write_text(
        "---\ntitle: Late\ndateadded: 2022-01-01\nduration: PT1M\nunknwn: 1\ntranscript:\n"
        "- line: hello\n  sec: 90\n- header: Late start\n- line: more\n  sec: 120\n---\n",
        encoding="utf-8",
    )
    assert main(_argv(show, "-v")) == 0
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) >= 4
    for line in lines:
        match = PROBLEM_LINE.match(line)
        assert match, line
        assert match["code"], f"a warning without its code: {line}"
    late = [x for x in lines if "s01e04-late.md" in x]
    duration = next(x for x in late if x.endswith(" [duration-before-chapters]"))
    assert not duration.removesuffix(" [duration-before-chapters]").endswith(":")
    psc = next(x for x in late if x.endswith("[psc-chapters-first]"))
    assert ": warning: chapters: the first chapter starts at" in psc and "(feed.xml line " in psc


def test_config_problems_carry_the_line_of_their_key(tmp_path):
    cfg = tmp_path / "podcast.yaml"
    text = (FIXTURES / "show" / "config" / "podcast.yaml").read_text()
    text = text.replace("explicit: false\n", "explicit: false\nexplict: true\n")
    text += "links:\n  timeout: forever\nhosts:\n  - name: B\n    hreff: x\n"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as info:
        cli_config(cfg)
    lines = text.splitlines()
    got = {p.field: p.line for p in info.value.problems}
    assert got["explict"] == lines.index("explict: true") + 1
    assert got["links.timeout"] == lines.index("  timeout: forever") + 1
    assert got["hosts[0].hreff"] == lines.index("    hreff: x") + 1
    for problem in info.value.problems:
        assert PROBLEM_LINE.match(str(problem)) and str(problem).startswith(f"{cfg}:{problem.line}: error: ")


def cli_config(path: Path):
    from feedtool.config import load_config

    return load_config(path)


def test_a_yaml_syntax_error_in_the_config_names_its_line(tmp_path, capsys):
    cfg = tmp_path / "podcast.yaml"
    cfg.write_text("title: x\nhosts: [a, b\nlink: y\n")
    assert main(["build", "--config", str(cfg)]) == ExitCode.USAGE
    assert re.match(rf"error: {re.escape(str(cfg))}:\d+: YAML syntax error", capsys.readouterr().err)


# 5. build --check prints the verdict alone; warnings only with -v


def test_check_prints_one_line_and_warnings_only_with_v(show, capsys):
    assert main(_argv(show, "-q")) == 0
    capsys.readouterr()
    assert main(_argv(show, "--check")) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.count("\n") == 1 and captured.out.startswith("up to date: ")
    assert main(_argv(show, "--check", "-v")) == 0
    assert "[chapter-no-start]" in capsys.readouterr().err
    _broken(show)
    assert main(_argv(show, "--check")) == 1
    err = capsys.readouterr().err
    assert ": error: season:" in err and "[chapter-no-start]" not in err


# 6. feedtool validate URL, under the link checker's address policy


class _Server:
    def __init__(self, host: str, routes: dict[str, tuple[int, bytes, dict[str, str]]]):
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits.append(self.path)
                status, body, headers = routes.get(self.path.split("?")[0], (404, b"no", {}))
                self.send_response(status)
                for key, value in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server() -> Iterator[_Server]:
    server = _Server("127.0.0.1", {"/feed.xml": (200, (FEEDS / "valid.xml").read_bytes(), {})})
    yield server
    server.close()


def test_validate_takes_a_url_but_refuses_a_private_address(feed_server, capsys):
    url = feed_server.url + "/feed.xml"
    assert main(["validate", url]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "loopback address 127.0.0.1; refused: only public addresses are fetched" in err
    assert feed_server.hits == []  # not a byte sent
    secret = url.replace("http://", "http://user:pw@") + "?token=s3cret"
    assert main(["validate", "--allow-private", secret]) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == f"{url}: valid, 0 errors, 0 warnings" and "s3cret" not in out


def test_validate_url_checks_every_address_a_redirect_leads_to(monkeypatch, capsys):
    inner = _Server("127.0.0.2", {"/feed.xml": (200, (FEEDS / "valid.xml").read_bytes(), {})})
    outer = _Server("127.0.0.1", {"/moved": (301, b"", {"Location": inner.url + "/feed.xml"})})
    real = safety.address_problem
    # 127.0.0.1 plays a public host here; 127.0.0.2 stays what it is
    monkeypatch.setattr(safety, "address_problem", lambda ip: None if ip == "127.0.0.1" else real(ip))
    try:
        assert main(["validate", outer.url + "/moved"]) == ExitCode.USAGE
        assert "127.0.0.2 resolves to loopback address 127.0.0.2; refused" in capsys.readouterr().err
        assert outer.hits == ["/moved"] and inner.hits == []
    finally:
        inner.close()
        outer.close()


def test_a_url_fetch_reports_its_progress(feed_server):
    seen: list[tuple[int, int]] = []
    data = fetch_url(feed_server.url + "/feed.xml", progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (len(data), len(data))


# 7. a closed pipe ends the command quietly


def _big_feed(path: Path, items: int) -> Path:
    one = "<item><title>E{n}</title><guid>g{n}</guid><enclosure url='https://x.example/{n}.mp3' length='0' type='audio/mpeg'/></item>"
    body = "".join(one.format(n=n) for n in range(items))
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
        f"<channel><title>T</title>{body}</channel></rss>"
    )
    return path


@pytest.mark.parametrize(
    "command",
    ["validate --format json big.xml", "diff --format json small.xml big.xml", "validate big.xml"],
)
def test_a_closed_pipe_ends_the_command_quietly(tmp_path, command):
    _big_feed(tmp_path / "big.xml", 3000)
    _big_feed(tmp_path / "small.xml", 1)
    script = (
        f'"{sys.executable}" -m feedtool {command} 2>err.txt | head -1 >/dev/null; echo "${{PIPESTATUS[0]}}"'
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.stdout.strip() == str(int(ExitCode.BROKEN_PIPE))
    assert (tmp_path / "err.txt").read_text() == ""


def test_main_maps_a_broken_pipe_once_for_every_command(monkeypatch, capsys):
    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            raise io.UnsupportedOperation("no descriptor")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert cli.main(["validate", str(FEEDS / "valid.xml")]) is ExitCode.BROKEN_PIPE
    assert capsys.readouterr().err == ""


# 8. import-media defaults --episodes like the others


def test_import_media_defaults_the_episodes_folder(tmp_path, monkeypatch, capsys):
    for name in ("config", "episodes", "people", "examples"):
        shutil.copytree(REPO / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    assert main(["import-media", "examples/host-feed.xml"]) == ExitCode.FAILED  # the trailer has no episode
    assert "wrote episodes/media.yaml (4 entries)" in capsys.readouterr().out
    assert (tmp_path / "episodes" / "media.yaml").is_file()


# 9. links --output says what it wrote (tests/links/ has the simulator)


def test_links_output_says_what_was_written_and_the_summary(tmp_path, capsys):
    sys.path.insert(0, str(Path(__file__).parent))
    from links.conftest import fast_links, write_show
    from links.simulator import Simulator

    sim = Simulator()
    try:
        episodes = {"ep": {"links": {"youtube": "https://www.youtube.com/watch?v=okokokokok1"}}}
        config, folder = write_show(tmp_path, episodes, fast_links(sim, tmp_path / "h.sqlite"))
        report = tmp_path / "report.md"
        argv = ["links", "--config", str(config), "--episodes", str(folder), "--format", "markdown"]
        assert main([*argv, "--output", str(report)]) == 0
    finally:
        sim.close()
    wrote, summary = capsys.readouterr().out.splitlines()
    assert wrote == f"wrote {report} (markdown report)"
    assert summary.startswith("feedtool links: ") and report.read_text().startswith("# Link health report")


# 10. "from cache" only for what a successful build left


def test_a_failed_build_does_not_make_the_next_one_look_like_it_read_nothing(show, capsys):
    bad = _broken(show)
    assert main(_argv(show, "-q")) == 1
    capsys.readouterr()
    bad.unlink()
    assert main(_argv(show, "-q")) == 0
    assert "2 parsed, 0 from cache" in capsys.readouterr().out  # parsed by the failed build, reused
    assert main(_argv(show, "-q")) == 0
    assert "0 parsed, 2 from cache" in capsys.readouterr().out
