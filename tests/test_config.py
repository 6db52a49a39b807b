import pytest
import yaml
from conftest import FIXTURES

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
