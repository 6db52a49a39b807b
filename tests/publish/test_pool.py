"""Rendering in a process pool changes who computes the transcripts, never a byte of them."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES

from feedtool.config import load_config
from feedtool.publish import build as build_module


def every_byte(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build_both_ways(monkeypatch, config_path: Path, episodes: Path, tmp_path: Path) -> tuple[dict, dict]:
    outs = []
    for name, threshold in (("one", 10**9), ("pool", 0)):
        config = replace(load_config(config_path), state_dir=tmp_path / f"state-{name}")
        monkeypatch.setattr(build_module, "POOL_MIN_EPISODES", threshold)
        out = tmp_path / name
        build_module.build(config, episodes, out, use_cache=False, skip_invalid=True)
        outs.append(every_byte(out))
    assert outs[0] and outs[0].keys() == outs[1].keys()
    return outs[0], outs[1]


def test_a_pool_build_is_byte_identical_to_a_one_process_build(monkeypatch, tmp_path):
    show = tmp_path / "show"
    shutil.copytree(FIXTURES / "show", show)
    pooled = []
    real = build_module._prerender_transcripts

    def spy(*a):
        result = real(*a)
        pooled.append(len(result))
        return result

    monkeypatch.setattr(build_module, "_prerender_transcripts", spy)
    one, pool = build_both_ways(monkeypatch, show / "config" / "podcast.yaml", show / "episodes", tmp_path)
    assert pooled == [0, 1]  # the second build rendered its transcript in the pool
    assert one == pool


@pytest.mark.skipif(
    not (CORPUS / "episodes").is_dir(), reason="the real corpus is not here (FEEDTOOL_CORPUS)"
)
def test_the_real_show_is_byte_identical_both_ways(monkeypatch, tmp_path):
    root = Path(__file__).parents[2]
    one, pool = build_both_ways(monkeypatch, root / "config" / "podcast.yaml", CORPUS / "episodes", tmp_path)
    assert len(one) > 400
    different = [name for name in one if one[name] != pool[name]]
    assert not different
