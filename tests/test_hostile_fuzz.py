"""Issue 9's proof: random front matter built from the real fields, with wrong types and
hostile scalars, never ends in a traceback; every error names the file; and a build that
fails leaves the published feed byte-identical.

The number of examples is bounded (the suite stays fast); ``database=None`` keeps
hypothesis from writing into the checkout.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES
from feedsupport import show_argv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedtool import cli
from feedtool.errors import ExitCode
from feedtool.read.episodes import KNOWN_FIELDS, read_episode

# scalars written into the YAML as they are (unquoted): what YAML itself turns into dates,
# numbers no feed carries, tags its constructors choke on, aliases to nothing
RAW_SCALARS = [
    "2021-02-30",
    "2021-13-01",
    "0001-01-01 00:00:00+05:00",
    "9999-12-31 23:59:59-05:00",
    ".nan",
    ".inf",
    "-.inf",
    "9" * 400,
    "1" * 5000,
    "1e400",
    "!!int seven",
    "!!float x",
    "!!bool maybe",
    "!!timestamp soon",
    "!!binary '!!'",
    "!!python/object:os.system ls",
    "*nowhere",
    "~",
    "'TODO'",
    "12:30:45",
    "0x1F",
    "{unbalanced: [",
]

json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.dates().map(str),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
# a transcript row or a clip: the real keys, random values
row = st.dictionaries(
    st.sampled_from(["header", "line", "sec", "time", "who", "name", "startOffset", "endOffset", "url"]),
    json_like,
    max_size=4,
)
field_value = st.one_of(
    json_like, st.lists(row, max_size=3), st.sampled_from(RAW_SCALARS).map(lambda s: ("raw", s))
)
front_matter = st.dictionaries(
    st.sampled_from([*sorted(KNOWN_FIELDS), "unknown_key", "Title"]), field_value, min_size=1, max_size=8
)


def _yaml(fields: dict) -> str:
    """The front matter's text: dumped values, and raw scalars written as they are."""
    lines = []
    for key, value in fields.items():
        if isinstance(value, tuple):
            lines.append(f"{key}: {value[1]}\n")
        else:
            lines.append(yaml.safe_dump({key: value}, allow_unicode=True, width=4096))
    return "".join(lines)


@pytest.fixture(scope="module")
def published_show(tmp_path_factory) -> Path:
    """The test show, built once: each example starts from a copy of it."""
    show = tmp_path_factory.mktemp("fuzz") / "show"
    shutil.copytree(FIXTURES / "show", show)
    code, _, err = _build(show)
    assert code == ExitCode.OK, err
    return show


def _build(show: Path, *extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(show_argv(show, *extra))
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=150, deadline=None, database=None)
@given(fields=front_matter, body=st.text(max_size=40))
def test_random_front_matter_never_raises_and_every_problem_names_the_file(tmp_path_factory, fields, body):
    path = tmp_path_factory.mktemp("one") / "fuzz.md"
    path.write_text(f"---\n{_yaml(fields)}---\n{body}", encoding="utf-8", errors="surrogatepass")
    episode, problems = read_episode(path)
    assert all(p.path == str(path) for p in problems)
    assert all(str(p).startswith(p.path) for p in problems)
    if episode is None:
        assert any(p.is_error for p in problems)


@settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fields=front_matter)
def test_a_build_with_random_front_matter_fails_cleanly_or_publishes(tmp_path, published_show, fields):
    show = tmp_path / "show"
    if show.exists():
        shutil.rmtree(show)
    shutil.copytree(published_show, show)
    old_feed = (show / "public" / "feed.xml").read_bytes()
    fuzz = show / "episodes" / "fuzz.md"
    # a valid episode's keys first, so that many examples get past them to the fields after
    fields = {"title": "Fuzz", "dateadded": "2021-03-01", "guid": "fuzz-guid", **fields}
    fuzz.write_text(f"---\n{_yaml(fields)}---\nNotes.\n", encoding="utf-8")
    code, _, err = _build(show, "--no-cache")
    assert code in (ExitCode.OK, ExitCode.FAILED), err
    assert "Traceback" not in err
    for line in err.splitlines():
        if ": error: " in line:  # FILE[:LINE]: error: FIELD: message
            assert re.match(r"^/\S+?(?::\d+)?: error: [^:]+: ", line), line
    if code == ExitCode.FAILED:
        assert "nothing was published" in err
        assert (show / "public" / "feed.xml").read_bytes() == old_feed
