"""Parsing and rendering in a process pool change who computes the episodes and transcripts,
never a byte of them, nor a problem reported."""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES

from feedtool.config import load_config
from feedtool.publish import build as build_module
from feedtool.read import parallel


def every_byte(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build_both_ways(
    monkeypatch, config_path: Path, episodes: Path, tmp_path: Path, use_cache: bool = False
) -> tuple[dict, dict]:
    outs, problems = [], []
    for name, threshold in (("one", 10**9), ("pool", 0)):
        config = replace(load_config(config_path), state_dir=tmp_path / f"state-{name}")
        monkeypatch.setattr(build_module, "POOL_MIN_EPISODES", threshold)
        monkeypatch.setattr(parallel, "MIN_JOBS", max(threshold, 1))
        out = tmp_path / name
        result = build_module.build(config, episodes, out, use_cache=use_cache, skip_invalid=True)
        outs.append(every_byte(out))
        problems.append([str(p) for p in result.output.problems])
    assert outs[0] and outs[0].keys() == outs[1].keys()
    assert problems[0] == problems[1]
    return outs[0], outs[1]


def test_a_pool_build_is_byte_identical_to_a_one_process_build(monkeypatch, tmp_path):
    show = tmp_path / "show"
    shutil.copytree(FIXTURES / "show", show)
    pooled = []
    real = build_module._prerendered

    @contextlib.contextmanager
    def spy(*a):
        rendered = []
        with real(*a) as lookup:

            def counting(name):
                outputs = lookup(name)
                rendered.append(bool(outputs))
                return outputs

            yield counting
        pooled.append(sum(rendered))

    monkeypatch.setattr(build_module, "_prerendered", spy)
    one, pool = build_both_ways(monkeypatch, show / "config" / "podcast.yaml", show / "episodes", tmp_path)
    assert pooled == [0, 1]  # the second build rendered its transcript in the pool
    assert one == pool


def test_episodes_parsed_in_forks_are_those_one_process_reads(monkeypatch, tmp_path):
    """With the cache too: what the workers parse is stored and read back like any entry."""
    show = tmp_path / "show"
    shutil.copytree(FIXTURES / "show", show)
    forked = []
    real = parallel.map_in_forks

    def spy(work, count, **kw):
        texts = real(work, count, **kw)
        forked.append(texts is not None)
        return texts

    monkeypatch.setattr(parallel, "map_in_forks", spy)
    one, pool = build_both_ways(
        monkeypatch, show / "config" / "podcast.yaml", show / "episodes", tmp_path, True
    )
    assert forked == [False, True]
    assert one == pool
    # a rebuild from the entries the workers wrote parses nothing and gives the same bytes
    config = replace(load_config(show / "config" / "podcast.yaml"), state_dir=tmp_path / "state-pool")
    again = build_module.build(config, show / "episodes", tmp_path / "again", skip_invalid=True)
    assert again.cache is not None and again.cache.parsed == 0
    assert every_byte(tmp_path / "again") == pool


def test_a_job_a_worker_cannot_encode_is_parsed_by_the_parent(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_JOBS", 1)
    texts = parallel.map_in_forks(lambda i: "" if i == 1 else f"job {i}", 3)
    assert texts is not None and list(texts) == [
        "job 0",
        "",
        "job 2",
    ]  # order kept; "" is the caller's cue to do it itself


@pytest.mark.skipif(
    not (CORPUS / "episodes").is_dir(), reason="the real corpus is not here (FEEDTOOL_CORPUS)"
)
def test_the_real_show_is_byte_identical_both_ways(monkeypatch, tmp_path):
    root = Path(__file__).parents[2]
    one, pool = build_both_ways(monkeypatch, root / "config" / "podcast.yaml", CORPUS / "episodes", tmp_path)
    assert len(one) > 400
    different = [name for name in one if one[name] != pool[name]]
    assert not different
