"""A guid two files claim (a copy-pasted ``ids.anchor``), and builds that do not depend on path spelling."""

from __future__ import annotations

from feedsupport import feed_items, write_host_show

ORIGINAL = (
    "title: The Original\ndateadded: 2024-01-01\nids:\n  anchor: show/episodes/The-Original-e1orig1\n"
    "audio:\n  url: https://cdn.example.org/original.mp3\n  length: 1000"
)
# a new file made from a copy of the original, its ids.anchor never changed
COPY = (
    "title: The Newer One\ndateadded: 2024-02-01\nids:\n  anchor: show/episodes/The-Original-e1orig1\n"
    "audio:\n  url: https://cdn.example.org/newer.mp3\n  length: 2000"
)


def _build(run_cli, config, episodes, out, *extra):
    return run_cli("build", "--config", config, "--episodes", episodes, "--out", out, *extra)


def test_the_published_file_keeps_the_guid_and_the_other_is_refused(tmp_path, run_cli):
    config, episodes, out = write_host_show(tmp_path, {"original": ORIGINAL})
    assert _build(run_cli, config, episodes, out)[0] == 0
    (guid,) = [i["guid"] for i in feed_items(out / "feed.xml").values()]
    (episodes / "newer.md").write_text(f"---\n{COPY}\n---\n")

    code, _, err = _build(run_cli, config, episodes, out)
    assert code == 1
    line = next(x for x in err.splitlines() if "error: ids.anchor" in x)
    assert line.startswith(f"{episodes / 'newer.md'}: error: ids.anchor: claims guid {guid}")
    assert f"published for {episodes / 'original.md'} (its ids.anchor)" in line
    assert "original.md keeps it, this file is refused" in line

    code, stdout, err = _build(run_cli, config, episodes, out, "--skip-invalid")
    assert code == 0, err
    assert "1 left out with errors" in stdout and "(left out: --skip-invalid)" in err
    assert feed_items(out / "feed.xml") == {
        "The Original": {
            "guid": guid,
            "url": "https://cdn.example.org/original.mp3",
            "length": 1000,
            "type": "audio/mpeg",
            "date": "2024-01-01T00:00:00+00:00",
            "duration": None,
        }
    }


def test_without_a_record_both_files_are_named_and_the_build_stops(tmp_path, run_cli):
    config, episodes, out = write_host_show(tmp_path, {"original": ORIGINAL, "newer": COPY})
    for extra in ((), ("--skip-invalid",)):
        code, _, err = _build(run_cli, config, episodes, out, *extra)
        assert code == 1
        assert "2 episodes share the guid" in err and "newer.md (ids.anchor), original.md (ids.anchor)" in err
    assert not (out / "feed.xml").exists()


def test_skip_invalid_and_its_messages_do_not_depend_on_how_the_folder_was_spelled(
    tmp_path, run_cli, monkeypatch
):
    """Built once as ``episodes`` from the show's folder, then as an absolute path: the cached problems
    must name the file as this run was given it, or --skip-invalid cannot match them to the files
    it left out."""
    config, episodes, out = write_host_show(
        tmp_path, {"good": ORIGINAL, "broken": "title: Broken\nseason: 0\ndateadded: 2024-01-05"}
    )
    monkeypatch.chdir(tmp_path)
    code, stdout, err = run_cli(
        "build", "--config", "config/podcast.yaml", "--episodes", "episodes", "--skip-invalid"
    )
    assert code == 0, err
    assert "episodes/broken.md:3: warning: season:" in err and "1 parsed, 0 from cache" not in stdout
    code, stdout, err = run_cli(
        "build", "--config", config, "--episodes", episodes.resolve(), "--out", out, "--skip-invalid"
    )
    assert code == 0, err
    assert "0 parsed, 2 from cache" in stdout
    assert f"{episodes.resolve() / 'broken.md'}:3: warning: season: must be a whole number" in err
    assert "(left out: --skip-invalid)" in err
    # and back to the relative spelling: the same, from the cache
    code, stdout, err = run_cli(
        "build", "--config", "config/podcast.yaml", "--episodes", "episodes", "--skip-invalid"
    )
    assert (
        code == 0
        and "episodes/broken.md:3: warning: season:" in err
        and str(tmp_path) not in err.split("season")[0]
    )
