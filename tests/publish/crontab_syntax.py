"""A small checker for crontab(5) lines as Debian's cron (Vixie cron) reads them.

Test support only: it checks the scheduling recipe in examples/cron and the
cron expression of the GitHub Actions workflow.
"""

from __future__ import annotations

import re

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
FIELDS = (  # name, lowest, highest, names (value of the first name)
    ("minute", 0, 59, (), 0),
    ("hour", 0, 23, (), 0),
    ("day of month", 1, 31, (), 1),
    ("month", 1, 12, MONTHS, 1),
    ("day of week", 0, 7, DAYS, 0),
)
MACROS = ("@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
ENVIRONMENT = re.compile(r"^\s*[A-Za-z_][A-Za-z0-9_]*\s*=")


def _value(
    text: str, low: int, high: int, names: tuple[str, ...], first: int, field: str
) -> tuple[int | None, str]:
    if text.isdigit():
        number = int(text)
        if not low <= number <= high:
            return None, f"{field}: {number} is outside {low}-{high}"
        return number, ""
    if names and text.lower() in names:
        return names.index(text.lower()) + first, ""
    return None, f"{field}: {text!r} is not a number" + (" or a name" if names else "")


def check_field(text: str, index: int) -> list[str]:
    """Problems with one time field (``*``, ``5``, ``1-5``, ``*/15``, ``1,15,30``, ``mon``)."""
    field, low, high, names, first = FIELDS[index]
    problems = []
    for item in text.split(","):
        base, slash, step = item.partition("/")
        if slash and (not step.isdigit() or int(step) == 0):
            problems.append(f"{field}: step {step!r} must be a whole number > 0")
        if base == "*":
            continue
        if "-" in base:
            start_text, _, end_text = base.partition("-")
            if not (start_text.isdigit() and end_text.isdigit()):
                problems.append(f"{field}: range {base!r} needs numbers (names cannot form ranges)")
                continue
            start, p1 = _value(start_text, low, high, (), first, field)
            end, p2 = _value(end_text, low, high, (), first, field)
            problems += [p for p in (p1, p2) if p]
            if start is not None and end is not None and start > end:
                problems.append(f"{field}: range {base!r} runs backwards")
            continue
        if slash:
            problems.append(f"{field}: a step needs '*' or a range before it, got {item!r}")
            continue
        _, problem = _value(base, low, high, names, first, field)
        if problem:
            problems.append(problem)
    return problems


def check_schedule(expression: str) -> list[str]:
    """Problems with a five-field schedule such as ``17 * * * *``."""
    fields = expression.split()
    if len(fields) != 5:
        return [f"a schedule has 5 fields, got {len(fields)}: {expression!r}"]
    return [p for i, text in enumerate(fields) for p in check_field(text, i)]


def check_line(line: str) -> list[str]:
    """Problems with one line of a user crontab (comments, blank and environment lines are fine)."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#") or ENVIRONMENT.match(stripped):
        return []
    if stripped.startswith("@"):
        macro, _, command = stripped.partition(" ")
        if macro not in MACROS:
            return [f"unknown macro {macro!r}"]
        schedule_problems: list[str] = []
    else:
        parts = stripped.split(None, 5)
        if len(parts) < 6:
            return [f"a job line needs 5 time fields and a command, got {stripped!r}"]
        schedule_problems = check_schedule(" ".join(parts[:5]))
        command = parts[5]
    if not command.strip():
        return [*schedule_problems, "the job has no command"]
    if re.search(r"(?<!\\)%", command):
        schedule_problems.append("an unescaped % in the command: cron turns it into a newline (write \\%)")
    return schedule_problems


def jobs(text: str) -> list[str]:
    """The job lines (not comments, blanks or environment settings)."""
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith("#") and not ENVIRONMENT.match(line.strip())
    ]
