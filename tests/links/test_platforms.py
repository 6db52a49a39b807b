"""``links.platforms``: the platforms a show publishes on; MISSING only for those."""

from __future__ import annotations

import pytest

from feedtool import cli
from feedtool.config import load_config
from feedtool.errors import ConfigError
from feedtool.links import Verdict
from feedtool.links.config import PLATFORMS
from feedtool.read.episodes import PLATFORMS as READER_PLATFORMS

from .conftest import body_links, fast_links, run_check, write_show


def test_the_default_is_every_platform_the_reader_knows(tmp_path, sim):
    assert PLATFORMS == READER_PLATFORMS == ("youtube", "spotify", "apple", "anchor")
    report = run_check(tmp_path, sim, {"ep": {}}, {"ep": body_links(sim, "/ok")})
    missing = {p.field for r in report.results if r.verdict is Verdict.MISSING for p in r.places}
    assert missing == {f"links.{name}" for name in PLATFORMS}


def test_missing_only_for_the_platforms_of_the_show(tmp_path, sim):
    episodes = {
        "ep": {
            "links": {"apple": "TODO", "spotify": "https://open.spotify.com/episode/5okEpisode00000000000"}
        }
    }
    report = run_check(tmp_path, sim, episodes, {"ep": ""}, platforms=["youtube", "spotify"])
    missing = {p.field for r in report.results if r.verdict is Verdict.MISSING for p in r.places}
    assert missing == {"links.youtube"}  # apple TODO and anchor absent: not this show's platforms
    spotify = [r for r in report.results if r.platform == "spotify"]
    assert spotify and spotify[0].verdict is Verdict.OK  # a link that is there is checked anyway
    none = run_check(tmp_path / "b", sim, episodes, {"ep": ""}, platforms=[])
    assert not [r for r in none.results if r.verdict is Verdict.MISSING]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["youtube", "spotfy"], "unknown platform 'spotfy' (did you mean 'spotify'?)"),
        ("youtube", "must be a list of platforms"),
    ],
)
def test_a_typo_is_a_config_error_at_load(tmp_path, sim, value, message, capsys, monkeypatch):
    config, folder = write_show(tmp_path, {"ep": {}}, fast_links(sim, tmp_path / "h.sqlite", platforms=value))
    with pytest.raises(ConfigError) as info:
        load_config(config)
    assert message in str(info.value) and "links.platforms" in str(info.value)
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("links",))
    assert cli.main(["links", "--config", str(config), "--episodes", str(folder)]) == 2
    assert message in capsys.readouterr().err
