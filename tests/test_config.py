from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES
from feedsupport import show_argv

from feedtool.cli import main
from feedtool.config import load_config, parse_config, podcast_guid_for
from feedtool.errors import ConfigError

BASE = yaml.safe_load((FIXTURES / "show" / "config" / "podcast.yaml").read_text())


def config_with(tmp_path, **changes):
    data = {**BASE, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    return parse_config(data, tmp_path / "podcast.yaml")


def test_podcast_guid_matches_the_specs_examples():
    assert (
        podcast_guid_for("https://mp3s.nashownotes.com/pc20rss.xml") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )
    assert podcast_guid_for("https://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_loads_the_fixture_config():
    c = load_config(FIXTURES / "show" / "config" / "podcast.yaml")
    assert c.feed_url == "https://feeds.example.org/test/feed.xml"
    assert c.output_url("chapters/x.json") == "https://feeds.example.org/test/chapters/x.json"
    assert c.categories[0].name == "Technology" and c.locked is True


def test_unknown_key_gets_a_did_you_mean_hint(tmp_path):
    with pytest.raises(ConfigError) as info:
        config_with(tmp_path, medai_url="https://x.example.org/{slug}.mp3")
    assert "did you mean 'media_url'" in str(info.value)


def test_category_is_checked_against_apples_list(tmp_path):
    with pytest.raises(ConfigError, match=r"not an Apple Podcasts category.*did you mean 'Technology'"):
        config_with(tmp_path, category="technology")
    with pytest.raises(ConfigError, match="'Podcasting' is not a subcategory of 'Technology'"):
        config_with(tmp_path, category="Technology > Podcasting")
    c = config_with(tmp_path, category={"name": "Business", "sub": "Careers"})
    assert (c.categories[0].name, c.categories[0].sub) == ("Business", "Careers")


def test_every_config_problem_is_listed_at_once(tmp_path):
    with pytest.raises(ConfigError) as info:
        config_with(
            tmp_path,
            title=None,
            language="English please",
            media_url="https://x/{name}.mp3",
            timezone="Mars/Olympus",
        )
    fields = {p.field for p in info.value.problems}
    assert {"title", "language", "media_url", "timezone"} <= fields
    assert info.value.exit_code == 2


def test_missing_config_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_relative_paths_resolve_against_the_config_file(tmp_path):
    c = config_with(tmp_path, people="../people")
    assert c.people_dir == (tmp_path / ".." / "people").resolve()


def test_nested_mappings_are_checked_for_typos_too(tmp_path):
    with pytest.raises(ConfigError) as info:
        config_with(
            tmp_path,
            owner={"name": "Host", "emial": "host@example.org"},
            hosts=[{"name": "Host", "hreff": "https://show.example.org/host"}],
            funding=[{"url": "https://pay.example.org/", "lable": "Tip"}],
        )
    text = str(info.value)
    assert "owner.emial: unknown key (did you mean 'email'?)" in text
    assert "hosts[0].hreff: unknown key (did you mean 'href'?)" in text
    assert "funding[0].lable: unknown key (did you mean 'label'?)" in text


def test_links_and_publish_are_parsed_at_load(tmp_path):
    c = config_with(tmp_path, links={"confirm_after": 3, "timeout": "5s"}, publish={"max_drop": 0.5})
    assert (c.links.confirm_after, c.links.timeout) == (3, 5.0)
    assert (c.publish.max_drop, c.publish.allow_removal) == (0.5, False)
    c = config_with(tmp_path, publish={"allow_removal": "no"})  # quoted words read as booleans
    assert c.publish.allow_removal is False


def test_problems_of_every_section_are_listed_at_once(tmp_path):
    with pytest.raises(ConfigError) as info:
        config_with(
            tmp_path,
            title=None,
            links={"confirm_afer": 2, "timeout": "soon", "hosts": {"example.com": {"concurency": 1}}},
            publish={"max_drop": 2, "allow_removel": True},
        )
    text = str(info.value)
    assert "the config has 6 problem(s)" in text
    assert "title: is required" in text
    assert "links.confirm_afer: unknown key (did you mean 'confirm_after'?)" in text
    assert "links.timeout: expected a duration" in text
    assert "links.hosts.example.com.concurency: unknown key (did you mean 'concurrency'?)" in text
    assert "publish.max_drop: must be a share between 0 and 1, got 2" in text
    assert "publish.allow_removel: unknown key (did you mean 'allow_removal'?)" in text


def test_a_section_that_is_not_a_mapping_is_a_problem(tmp_path):
    with pytest.raises(ConfigError) as info:
        config_with(tmp_path, links=["timeout: 5s"], publish="max_drop: 0.5")
    assert {p.field for p in info.value.problems} == {"links", "publish"}


def _append(show: Path, text: str) -> None:
    config = show / "config" / "podcast.yaml"
    config.write_text(config.read_text() + text)


def _cli(show: Path, command: str) -> int:
    return main(show_argv(show, command=command))


@pytest.mark.parametrize(
    "section, hint",
    [
        ("links:\n  confirm_afer: 2\n", "links.confirm_afer: unknown key (did you mean 'confirm_after'?)"),
        ("publish:\n  max_dorp: 0.5\n", "publish.max_dorp: unknown key (did you mean 'max_drop'?)"),
    ],
)
def test_build_stops_on_a_typo_in_a_section_before_writing_anything(show, capsys, section, hint):
    _append(show, section)
    assert _cli(show, "build") == 2
    assert hint in capsys.readouterr().err
    assert not (show / "public").exists()
    assert not (show / ".feedtool").exists()  # no cache, no publish record either


def test_run_with_a_bad_links_section_exits_2_and_publishes_nothing(show, capsys):
    (show / "public").mkdir()
    _append(show, "links:\n  confirm_afer: 2\n")
    assert _cli(show, "run") == 2
    assert "did you mean 'confirm_after'" in capsys.readouterr().err
    assert list((show / "public").iterdir()) == []
    assert not (show / ".feedtool").exists()  # not even the lock
