"""Moving a show from its host without re-guiding: the trap, the way out, ``init``, the redirect."""

from __future__ import annotations

import uuid

import yaml
from conftest import Route
from feedsupport import anchor_link, feed_items, feed_xml, item_xml, set_config, write_host_show
from lxml import etree

FEED_PATH = "/s/show/podcast/rss"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"

EPISODES = {
    f"ep-{n}": f"title: Episode {n}\ndateadded: 2024-01-0{n}\nids:\n  anchor: show/episodes/Episode-{n}-e{n}aaaaa\n"
    f"audio:\n  url: https://cdn.example.org/{n}.mp3\n  length: {n}000"
    for n in (1, 2, 3)
}


def host_feed(podcast_guid: str = "5a7b1c1e-0000-5000-8000-000000000001", **channel: str) -> bytes:
    items = [
        item_xml(
            guid=f"host-{n}",
            title=f"Episode {n}",
            url=f"https://cdn.example.org/{n}.mp3",
            length=n * 1000,
            date=f"Mon, 0{n} Jan 2024 00:00:00 GMT",
            extra=anchor_link(f"e{n}aaaaa", f"Episode-{n}"),
        )
        for n in (3, 2, 1)
    ]
    extra = "".join(f"<{k}>{v}</{k}>" for k, v in channel.items())
    return feed_xml(*items, channel_extra=extra, podcast_guid=podcast_guid)


def _build(run_cli, config, episodes, out, *extra):
    return run_cli("build", "--config", config, "--episodes", episodes, "--out", out, *extra)


def test_the_migration_trap_leads_to_the_safe_choice(tmp_path, host_server, run_cli):
    """Build first, add host_feed after: the guard stops the re-guiding and explains both ways out."""
    host_server.routes[FEED_PATH] = Route(body=host_feed())
    config, episodes, out = write_host_show(tmp_path, EPISODES)
    assert _build(run_cli, config, episodes, out)[0] == 0
    derived = {t: i["guid"] for t, i in feed_items(out / "feed.xml").items()}
    assert all(uuid.UUID(str(g)) for g in derived.values())  # feedtool's own, from ids.anchor

    set_config(config, host_feed=host_server.url(FEED_PATH))
    code, _, err = _build(run_cli, config, episodes, out)
    assert code == 1
    assert (
        f"'Episode 1' (file ep-1.md) was published with guid {derived['Episode 1']}; the host (host feed) gives it guid host-1"
        in err
    )
    advice = next(line for line in err.splitlines() if "published guid(s) differ from the host's" in line)
    assert "3 published guid(s)" in advice
    keep, _, allow = advice.partition("Only if nobody has subscribed to this feed yet")
    assert "Keep what subscribers have" in keep and "pin each published guid with guid:" in keep
    assert "--allow-guid-change" not in keep and "run once with --allow-guid-change" in allow
    assert "change(s) would hurt subscribers; nothing was published" in err
    assert {i["guid"] for i in feed_items(out / "feed.xml").values()} == set(derived.values())

    # nobody had subscribed to the trial feed: the host's guids are taken once, on purpose
    assert _build(run_cli, config, episodes, out, "--allow-guid-change")[0] == 0
    assert {t: i["guid"] for t, i in feed_items(out / "feed.xml").items()} == {
        "Episode 1": "host-1",
        "Episode 2": "host-2",
        "Episode 3": "host-3",
    }
    assert _build(run_cli, config, episodes, out)[0] == 0  # and kept from then on


def test_keeping_what_subscribers_have_is_pinning_the_published_guid(tmp_path, host_server, run_cli):
    host_server.routes[FEED_PATH] = Route(body=host_feed())
    config, episodes, out = write_host_show(tmp_path, EPISODES)
    assert _build(run_cli, config, episodes, out)[0] == 0
    derived = {t: i["guid"] for t, i in feed_items(out / "feed.xml").items()}
    set_config(config, host_feed=host_server.url(FEED_PATH))
    for n in (1, 2, 3):
        path = episodes / f"ep-{n}.md"
        path.write_text(path.read_text().replace("---\n", f"---\nguid: {derived[f'Episode {n}']}\n", 1))
    code, _, err = _build(run_cli, config, episodes, out)
    assert code == 0, err
    assert {t: i["guid"] for t, i in feed_items(out / "feed.xml").items()} == derived


def test_init_before_the_first_build_gives_the_hosts_guids_at_once(
    tmp_path, host_server, run_cli, monkeypatch
):
    host_server.routes[FEED_PATH] = Route(
        body=host_feed(
            "5a7b1c1e-0000-5000-8000-000000000099",
            **{
                "itunes:owner": "<itunes:name>Jane Host</itunes:name><itunes:email>jane@example.org</itunes:email>"
            },
        )
    )
    write_host_show(tmp_path, EPISODES)
    (tmp_path / "config" / "podcast.yaml").unlink()
    monkeypatch.chdir(tmp_path)
    code, stdout, err = run_cli(
        "init", "--host-feed", host_server.url(FEED_PATH), "--public-url", "https://feeds.example.org/show/"
    )
    assert code == 0, err
    assert "3 of 3 episode file(s) in episodes match host items (anchor-id 3)" in stdout
    config = yaml.safe_load((tmp_path / "config" / "podcast.yaml").read_text())
    assert config["title"] == "The Show" and config["author"] == "Host"
    assert config["owner"] == {"name": "Jane Host", "email": "jane@example.org"}
    assert config["image"] == "https://show.example.org/cover.jpg" and config["category"] == "Technology"
    assert config["language"] == "en" and config["link"] == "https://show.example.org/"
    assert config["explicit"] is False and config["host_feed"] == host_server.url(FEED_PATH)
    assert config["podcast_guid"] == "5a7b1c1e-0000-5000-8000-000000000099"

    code, _, err = run_cli("build")
    assert code == 0, err
    assert {i["guid"] for i in feed_items(tmp_path / "public" / "feed.xml").values()} == {
        "host-1",
        "host-2",
        "host-3",
    }

    # never overwrites a config
    code, _, err = run_cli("init", "--host-feed", host_server.url(FEED_PATH))
    assert code == 2 and "init never overwrites one" in err


def test_init_says_what_a_starting_config_still_needs(tmp_path, host_server, run_cli):
    host_server.routes[FEED_PATH] = Route(body=host_feed())
    target = tmp_path / "cfg" / "podcast.yaml"
    code, stdout, err = run_cli("init", "--host-feed", host_server.url(FEED_PATH), "--config", target)
    assert code == 0
    assert "note: public_url is a placeholder" in err
    assert "next: feedtool build --config" in stdout
    assert yaml.safe_load(target.read_text())["public_url"] == "https://podcast.example.org/"


def test_new_feed_url_tells_apps_the_feed_moved(tmp_path, run_cli):
    config, episodes, out = write_host_show(
        tmp_path, {"ep-1": EPISODES["ep-1"]}, new_feed_url="https://new.example.org/feed.xml"
    )
    assert _build(run_cli, config, episodes, out)[0] == 0
    root = etree.fromstring((out / "feed.xml").read_bytes())
    assert root.findtext(f"channel/{{{ITUNES}}}new-feed-url") == "https://new.example.org/feed.xml"
    code, _, _ = run_cli("validate", out / "feed.xml")
    assert code == 0
    set_config(config, new_feed_url="https://feeds.example.org/show/feed.xml")
    code, _, err = _build(run_cli, config, episodes, out)
    assert code == 2 and "new_feed_url: is this feed's own URL" in err
