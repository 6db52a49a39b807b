"""``feedtool links`` end to end: exit codes, the fixed JSON schema, every format."""

import json

import pytest

from feedtool import cli

from .conftest import body_links, fast_links, write_show

FIXED_RESULT_KEYS = {"url", "verdict", "confirmed", "final_url", "reason", "broken_since", "places"}
VERDICTS = {"OK", "REDIRECTED", "BROKEN", "UNKNOWN", "MISSING", "INVALID", "EXCLUDED"}


@pytest.fixture(autouse=True)
def only_links_command(monkeypatch):
    # other commands live on other branches; the CLI mapping of errors is what is tested here
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("links",))


def _show(tmp_path, sim, paths, **links_extra):
    episodes = {
        "ep": {"links": {"youtube": "https://www.youtube.com/watch?v=okokokokok1", "spotify": "TODO"}}
    }
    return write_show(
        tmp_path,
        episodes,
        fast_links(sim, tmp_path / "h.sqlite", **links_extra),
        {"ep": body_links(sim, *paths) + "\n[ftp](ftp://files.example/x)"},
    )


def _run(config, folder, *extra):
    return cli.main(["links", "--config", str(config), "--episodes", str(folder), *extra])


def test_json_report_schema_and_exit_codes_over_runs(tmp_path, sim, capsys):
    config, folder = _show(tmp_path, sim, ["/ok", "/404", "/moved"])
    out = tmp_path / "report.json"
    assert _run(config, folder, "--format", "json", "--output", str(out)) == 0  # 404 only suspect so far
    data = json.loads(out.read_text())
    assert data["version"] == 1
    assert {"started", "duration", "counts"} <= set(data["run"])
    assert 1 <= data["run"]["peak_in_flight"] <= 8
    for result in data["results"]:
        assert set(result) >= FIXED_RESULT_KEYS
        assert result["verdict"] in VERDICTS
        assert all(set(p) == {"episode", "field"} for p in result["places"])
    by_url = {r["url"]: r for r in data["results"]}
    assert by_url[sim.url("/404")]["verdict"] == "BROKEN" and by_url[sim.url("/404")]["confirmed"] is False
    assert by_url[sim.url("/moved")]["final_url"] == sim.url("/ok/new-home")
    missing = [r for r in data["results"] if r["verdict"] == "MISSING"]
    assert {"episode": "ep", "field": "links.spotify"} in [p for r in missing for p in r["places"]]
    assert any(r["verdict"] == "INVALID" and r["url"] == "ftp://files.example/x" for r in data["results"])

    assert _run(config, folder, "--format", "json", "--output", str(out)) == 1  # second failure: confirmed
    data = json.loads(out.read_text())
    broken = {r["url"]: r for r in data["results"]}[sim.url("/404")]
    assert broken["confirmed"] is True and broken["broken_since"]
    assert data["changes"]["newly_broken"] == [sim.url("/404")]
    assert data["run"]["counts"]["confirmed_broken"] == 1
    assert capsys.readouterr().err == ""  # no progress bar when stderr is not a terminal


def test_text_and_markdown_and_html(tmp_path, sim, capsys):
    config, folder = _show(tmp_path, sim, ["/ok", "/404", "/moved"], confirm_after=1)
    assert _run(config, folder) == 1
    text = capsys.readouterr().out
    assert "BROKEN" in text and sim.url("/404") in text and f"-> use {sim.url('/ok/new-home')}" in text
    assert text.index("BROKEN") < text.index("REDIRECTED")  # worst first
    assert _run(config, folder, "--format", "markdown") == 1
    markdown = capsys.readouterr().out
    assert markdown.startswith("# Link health report") and "| BROKEN | `body` |" in markdown
    assert "Still broken since" in markdown
    html_path = tmp_path / "out" / "report.html"
    assert _run(config, folder, "--format", "html", "--output", str(html_path)) == 1
    html = html_path.read_text()
    assert "<script" in html and 'id="f-verdict"' in html and 'id="f-platform"' in html
    assert "http" not in "".join(line for line in html.splitlines() if "src=" in line or "stylesheet" in line)


def test_usage_and_config_errors_exit_2(tmp_path, sim, capsys):
    config, folder = _show(tmp_path, sim, ["/ok"], concurrancy=4)
    assert _run(config, folder) == 2
    assert "did you mean 'concurrency'" in capsys.readouterr().err
    config, folder = _show(tmp_path, sim, ["/ok"])
    assert _run(config, tmp_path / "nope") == 2
    assert _run(tmp_path / "missing.yaml", folder) == 2
    with pytest.raises(SystemExit) as info:
        _run(config, folder, "--format", "pdf")
    assert info.value.code == 2
