"""The scheduling recipes in examples/ are checked by machine, not only read."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .crontab_syntax import check_line, check_schedule, jobs

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CRONTAB = EXAMPLES / "cron" / "feedtool.crontab"
SERVICE = EXAMPLES / "systemd" / "feedtool.service"
TIMER = EXAMPLES / "systemd" / "feedtool.timer"
WORKFLOW = EXAMPLES / "github-actions" / "publish-feed.yml"
RUN_COMMAND = "feedtool run --config config/podcast.yaml --episodes episodes --out public"


# ---- crontab -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "17 * * * * cd /srv/podcast && feedtool run",
        "*/15 6-22 * * 1-5 true",
        "0 6 1,15 jul * true",
        "0 6 * * sun true",
        "@hourly true",
        "MAILTO=ops@example.org",
        "# comment",
        "",
        "5 4 * * * date +\\%F",
    ],
)
def test_crontab_checker_accepts_valid_lines(line):
    assert check_line(line) == []


@pytest.mark.parametrize(
    "line, problem",
    [
        ("60 * * * * true", "minute: 60 is outside 0-59"),
        ("0 24 * * * true", "hour: 24 is outside 0-23"),
        ("0 0 0 * * true", "day of month: 0 is outside 1-31"),
        ("*/0 * * * * true", "step '0'"),
        ("0 9-5 * * * true", "runs backwards"),
        ("0 6 * * mon-fri true", "names cannot form ranges"),
        ("17 * * * *", "needs 5 time fields and a command"),
        ("5 4 * * * date +%F", "unescaped %"),
        ("@every_hour true", "unknown macro"),
    ],
)
def test_crontab_checker_rejects_invalid_lines(line, problem):
    assert any(problem in p for p in check_line(line)), check_line(line)


def test_crontab_recipe_is_valid_and_runs_the_scheduled_command():
    text = CRONTAB.read_text()
    problems = {line: check_line(line) for line in text.splitlines() if check_line(line)}
    assert problems == {}
    (job,) = jobs(text)
    assert RUN_COMMAND in job
    # the commented-out quieter variant must be valid once uncommented
    variants = [line.lstrip("# ").strip() for line in text.splitlines() if re.match(r"^#\s*\d", line)]
    assert variants and all(check_line(v) == [] for v in variants)
    assert "MAILTO=" in text


# ---- systemd -------------------------------------------------------------------------------------


def _systemd_analyze() -> str | None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        return None
    probe = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=30)
    return tool if probe.returncode == 0 else None


def _verify(tool: str, folder: Path, *units: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [tool, "verify", "--man=no", *(str(u) for u in units)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=folder,
    )


def _installed_units(tmp_path: Path) -> tuple[Path, Path]:
    """The recipe's units with ExecStart pointing at this environment's real feedtool script, since
    verify checks that the program exists."""
    feedtool = shutil.which("feedtool", path=str(Path(sys.executable).parent)) or shutil.which("feedtool")
    if feedtool is None:
        pytest.skip("the feedtool console script is not installed in this environment")
    service = tmp_path / "feedtool.service"
    service.write_text(SERVICE.read_text().replace("/srv/podcast/.venv/bin/feedtool", feedtool))
    timer = tmp_path / "feedtool.timer"
    shutil.copy(TIMER, timer)
    return service, timer


def test_systemd_units_pass_systemd_analyze_verify(tmp_path):
    tool = _systemd_analyze()
    if tool is None:
        pytest.skip("systemd-analyze is not available (Debian package 'systemd')")
    service, timer = _installed_units(tmp_path)
    result = _verify(tool, tmp_path, service, timer)
    assert result.returncode == 0 and result.stderr.strip() == "" and result.stdout.strip() == "", (
        result.stderr + result.stdout
    )


def test_systemd_verify_does_catch_mistakes(tmp_path):
    """Control: the same check fails on a broken copy, so the test above can fail."""
    tool = _systemd_analyze()
    if tool is None:
        pytest.skip("systemd-analyze is not available (Debian package 'systemd')")
    service, timer = _installed_units(tmp_path)
    timer.write_text(timer.read_text().replace("OnCalendar=hourly", "OnCalendar=every hour"))
    service.write_text(service.read_text().replace("Type=oneshot", "Type=oneshot\nRestartSecs=5"))
    result = _verify(tool, tmp_path, service, timer)
    output = result.stderr + result.stdout
    assert "Failed to parse calendar specification" in output and "Unknown key 'RestartSecs'" in output


def test_systemd_units_run_the_scheduled_command():
    service = SERVICE.read_text()
    assert re.search(rf"^ExecStart=\S+/{re.escape(RUN_COMMAND)}$", service, re.M)
    assert "Type=oneshot" in service and "SuccessExitStatus=3" in service
    timer = TIMER.read_text()
    assert "Unit=feedtool.service" in timer and "Persistent=true" in timer


# ---- GitHub Actions ------------------------------------------------------------------------------


def _workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text())
    if True in data:  # YAML 1.1 reads the key `on` as the boolean true
        data["on"] = data.pop(True)
    return data


def _steps(data: dict) -> list[dict]:
    return [step for job in data["jobs"].values() for step in job["steps"]]


def test_workflow_has_the_essential_github_actions_shape():
    data = _workflow()
    assert set(data) >= {"name", "on", "jobs"}
    triggers = data["on"]
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    for entry in triggers["schedule"]:
        assert check_schedule(entry["cron"]) == []
    for name, job in data["jobs"].items():
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name)
        assert "runs-on" in job and isinstance(job["steps"], list) and job["steps"]
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), f"a step needs exactly one of uses/run: {step}"
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[\w.-]+", step["uses"]), step["uses"]
            for key in step:
                assert key in {
                    "name",
                    "id",
                    "if",
                    "uses",
                    "run",
                    "with",
                    "env",
                    "shell",
                    "continue-on-error",
                    "timeout-minutes",
                    "working-directory",
                }, key


def test_workflow_restores_state_runs_reports_and_deploys():
    steps = _steps(_workflow())
    uses = [s.get("uses", "") for s in steps]
    restore = next(s for s in steps if s.get("uses", "").startswith("actions/cache/restore@"))
    save = next(s for s in steps if s.get("uses", "").startswith("actions/cache/save@"))
    assert restore["with"]["path"] == save["with"]["path"] == ".feedtool"
    assert save["if"] == "always()"
    run_index = next(i for i, s in enumerate(steps) if RUN_COMMAND in s.get("run", ""))
    assert steps.index(restore) < run_index < steps.index(save)
    summary = next(s for s in steps if "GITHUB_STEP_SUMMARY" in s.get("run", ""))
    # the Markdown report `feedtool run` wrote goes to the job summary (no second link check)
    assert re.search(r"cat \.feedtool/reports/links\.md\s*>>\s*\"\$GITHUB_STEP_SUMMARY\"", summary["run"])
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert steps[-1]["if"] == "steps.run.outputs.exit_code != '0'"  # a failed run still fails the job


def test_workflow_validates_against_the_github_workflow_schema():
    if importlib.util.find_spec("check_jsonschema") is None:
        pytest.skip("check-jsonschema is not installed (pip install -e '.[test]')")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(WORKFLOW),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_does_catch_mistakes(tmp_path):
    """Control: a copy with a step that has neither uses nor run, and no runs-on, is rejected."""
    if importlib.util.find_spec("check_jsonschema") is None:
        pytest.skip("check-jsonschema is not installed (pip install -e '.[test]')")
    broken = tmp_path / "broken.yml"
    broken.write_text(
        WORKFLOW.read_text()
        .replace("    runs-on: ubuntu-latest\n", "")
        .replace("      - uses: actions/checkout@v4\n", "      - name: nothing to do\n")
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(broken),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "runs-on" in result.stdout + result.stderr
