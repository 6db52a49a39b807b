"""``feedtool links --fix``: suggestions the run proved, written into real episode files,
changing only those values and keeping every other byte.

The fixtures are copies of three files of the real show (and two guest profiles):
``crisp-dm.md`` and ``data-team-roles.md`` have ``links.apple: TODO`` and the same date,
``ab-testing-and-product-experimentation.md`` carries the show's Apple link. Only hosts
on 127.0.0.1 and the platforms' APIs (on the simulator) are asked; every other real URL
in the files is excluded, so nothing leaves the machine.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from feedtool import cli
from feedtool.links import Verdict
from feedtool.links.fix import fix_file
from feedtool.links.model import Place, Result

from .conftest import fast_links

FIXTURES = Path(__file__).parent / "fixtures" / "corpus"
SHOW = "1541710331"
CRISP_URL = (
    "https://podcasts.apple.com/us/podcast/processes-in-a-data-science-project-alexey-grigorev/"
    f"id{SHOW}?i=1000510000001"
)
ROLES_URL = (
    f"https://podcasts.apple.com/us/podcast/roles-in-a-data-team-alexey-grigorev/id{SHOW}?i=1000510000002"
)
ANCHOR = "https://anchor.fm/datatalksclub/episodes/AB-Testing---Jakob-Graff-e1eq73v"
# everything but the platforms (probed through the simulator's APIs) and the simulator itself
ONLY_LOCAL = r"^https?://(?!(www\.)?youtube\.com/|youtu\.be/|open\.spotify\.com/|podcasts\.apple\.com/|127\.0\.0\.1[:/])"


@pytest.fixture(autouse=True)
def only_links_command(monkeypatch):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("links",))


def _listing(sim) -> None:
    """What the iTunes lookup lists for the show: the A/B testing episode (its file has the
    link) and the two 2021-02-23 episodes whose files say TODO, under Apple's own titles."""
    sim.apple_extra = [
        {
            "wrapperType": "podcastEpisode",
            "trackId": 1000552243668,
            "trackName": "A/B Testing - Jakob Graff",
            "releaseDate": "2022-02-27T10:00:00Z",
            "collectionId": int(SHOW),
        },
        {
            "wrapperType": "podcastEpisode",
            "trackId": 1000510000001,
            "trackName": "Processes in a Data Science Project - Alexey Grigorev",
            "releaseDate": "2021-02-23T06:00:00Z",
            "trackViewUrl": CRISP_URL + "&uo=4",
            "collectionId": int(SHOW),
        },
        {
            "wrapperType": "podcastEpisode",
            "trackId": 1000510000002,
            "trackName": "Roles in a Data Team - Alexey Grigorev",
            "releaseDate": "2021-02-22T23:30:00Z",  # the evening before, in UTC
            "trackViewUrl": ROLES_URL + "&uo=4",
            "collectionId": int(SHOW),
        },
    ]


def _show(tmp_path: Path, sim) -> tuple[Path, Path, dict[str, bytes]]:
    """The fixture files in tmp_path, the A/B episode's Anchor link moved onto the simulator."""
    root = tmp_path / "show"
    shutil.copytree(FIXTURES, root)
    episodes = root / "episodes"
    ab = episodes / "ab-testing-and-product-experimentation.md"
    moved = sim.url("/anchor/datatalksclub/episodes/AB-Testing---Jakob-Graff-e1eq73v")
    ab.write_bytes(ab.read_bytes().replace(ANCHOR.encode(), moved.encode()))
    config = {
        "title": "DataTalks.Club Podcast",
        "description": "A show",
        "link": "https://datatalks.club/podcast.html",
        "public_url": "https://podcast.example.org/",
        "author": "DataTalks.Club",
        "language": "en",
        "image": "https://datatalks.club/images/podcast/cover-3000.jpg",
        "category": "Technology",
        "image_base_url": "https://datatalks.club/",
        "media_url": "https://media.example.org/{slug}.mp3",
        "timezone": "Europe/Berlin",
        "state_dir": "state",
        "links": fast_links(sim, root / "history.sqlite", exclude=[ONLY_LOCAL]),
    }
    path = root / "podcast.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path, episodes, {p.name: p.read_bytes() for p in episodes.iterdir()}


def test_fix_writes_the_apple_links_and_the_redirect_byte_for_byte(tmp_path, sim, capsys):
    _listing(sim)
    config, episodes, before = _show(tmp_path, sim)
    moved = sim.url("/anchor/datatalksclub/episodes/AB-Testing---Jakob-Graff-e1eq73v")
    new_home = sim.url("/creators/pod/show/datatalksclub/episodes/AB-Testing---Jakob-Graff-e1eq73v")

    code = cli.main(
        ["links", "--config", str(config), "--episodes", str(episodes), "--fix", "--format", "json"]
    )
    assert code == 0  # the simulator does not know the videos: suspects only on a first run
    err = capsys.readouterr().err

    crisp = episodes / "crisp-dm.md"
    roles = episodes / "data-team-roles.md"
    ab = episodes / "ab-testing-and-product-experimentation.md"
    assert crisp.read_bytes() == before["crisp-dm.md"].replace(
        b"  apple: TODO\n", f"  apple: {CRISP_URL}\n".encode(), 1
    )
    assert roles.read_bytes() == before["data-team-roles.md"].replace(
        b"  apple: TODO\n", f"  apple: {ROLES_URL}\n".encode(), 1
    )
    assert ab.read_bytes() == before[ab.name].replace(moved.encode(), new_home.encode())
    assert b"spotify: TODO" in crisp.read_bytes()  # nothing to suggest there: left as it was

    assert f"fixed {crisp}:16: links.apple: TODO -> {CRISP_URL}" in err
    assert f"fixed {roles}:16: links.apple: TODO -> {ROLES_URL}" in err
    assert f"fixed {ab}:13: links.anchor: {moved} -> {new_home}" in err
    assert "--fix: 3 value(s) changed in 3 file(s)" in err

    # the next run finds nothing left to fix, and the files parse with the new values
    assert cli.main(["links", "--config", str(config), "--episodes", str(episodes), "--fix"]) in (0, 1)
    second = capsys.readouterr()
    assert "--fix: 0 value(s) changed" in second.err
    assert "links.apple" not in second.out.split("MISSING", 1)[-1].split("\n\n", 1)[0]


def test_without_fix_nothing_is_written_and_the_report_suggests(tmp_path, sim, capsys):
    _listing(sim)
    config, episodes, before = _show(tmp_path, sim)
    cli.main(["links", "--config", str(config), "--episodes", str(episodes)])
    out = capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in episodes.iterdir()} == before
    assert f"links.apple -> use {CRISP_URL}" in out
    assert (
        "Apple lists this episode as 'Processes in a Data Science Project - Alexey Grigorev' (2021-02-23)"
        in out
    )


def test_no_suggestion_when_the_date_or_the_title_does_not_match(tmp_path, sim, capsys):
    _listing(sim)
    sim.apple_extra[1]["releaseDate"] = "2021-03-09T06:00:00Z"  # two weeks off
    sim.apple_extra[2]["trackName"] = "Something Else Entirely"
    config, episodes, before = _show(tmp_path, sim)
    cli.main(["links", "--config", str(config), "--episodes", str(episodes), "--fix"])
    err = capsys.readouterr().err
    assert (episodes / "crisp-dm.md").read_bytes() == before["crisp-dm.md"]
    assert (episodes / "data-team-roles.md").read_bytes() == before["data-team-roles.md"]
    assert "--fix: 1 value(s) changed" in err  # only the redirect


def _redirected(url: str, new: str, *places: Place) -> Result:
    return Result(url, Verdict.REDIRECTED, places, "moved permanently (301)", suggestion=new)


def test_fix_file_keeps_crlf_quotes_and_comments_and_skips_what_changed(tmp_path):
    path = tmp_path / "ep.md"
    text = (
        "---\r\n"
        "title: 'A # title'  # a comment\r\n"
        "links:\r\n"
        '  youtube: "https://youtu.be/abcdefghijk"   # quoted\r\n'
        "  anchor: https://anchor.fm/x/episodes/a-e1\r\n"
        "quotableClips:\r\n"
        "- name: one\r\n"
        "  url: https://old.example/chapter?t=1\r\n"
        "---\r\n"
        "\r\n"
        "See [the post](https://old.example/post), <https://old.example/post>.\r\n"
        "Also https://old.example/post-two and ![img](https://other.example/x.png)\r\n"
    )
    path.write_bytes(text.encode())
    results = [
        (
            _redirected(
                "https://youtu.be/abcdefghijk",
                "https://www.youtube.com/watch?v=abcdefghijk",
                Place("ep", "links.youtube"),
            ),
            None,
        ),
        (
            _redirected(
                "https://old.example/chapter?t=1",
                "https://new.example/chapter?t=1",
                Place("ep", "chapters[0]"),
            ),
            None,
        ),
        (_redirected("https://old.example/post", "https://new.example/post", Place("ep", "body")), None),
        (_redirected("https://changed.example/", "https://new.example/", Place("ep", "links.anchor")), None),
        (_redirected("https://x.example/", "https://y.example/", Place("ep", "guests.jane.linkedin")), None),
        (
            Result(
                None,
                Verdict.MISSING,
                (Place("ep", "links.apple"),),
                "no apple link",
                suggestion="https://podcasts.apple.com/podcast/id1?i=2",
            ),
            None,
        ),
    ]
    changes, not_fixed = fix_file(path, [(r, r.places[0]) for r, _ in results])
    expected = (
        text.replace('"https://youtu.be/abcdefghijk"', "https://www.youtube.com/watch?v=abcdefghijk")
        .replace("https://old.example/chapter?t=1", "https://new.example/chapter?t=1")
        .replace("https://old.example/post)", "https://new.example/post)")
        .replace("<https://old.example/post>", "<https://new.example/post>")
        .replace(
            "  anchor: https://anchor.fm/x/episodes/a-e1\r\n",
            "  anchor: https://anchor.fm/x/episodes/a-e1\r\n  apple: https://podcasts.apple.com/podcast/id1?i=2\r\n",
        )
    )
    assert path.read_bytes() == expected.encode()
    assert "post-two" in path.read_text()  # another URL that merely starts the same is left alone
    assert sorted((c.field, c.line) for c in changes) == [
        ("body", 11),
        ("body", 11),
        ("chapters[0]", 8),
        ("links.apple", 6),
        ("links.youtube", 4),
    ]
    why = {n.place.field: n.why for n in not_fixed}
    assert "changed since it was checked" in why["links.anchor"]
    assert "guest profile" in why["guests.jane.linkedin"]
    assert yaml.safe_load(path.read_text().split("---")[1])["links"]["apple"].endswith("?i=2")


def test_a_file_with_nothing_to_fix_is_not_rewritten(tmp_path):
    path = tmp_path / "ep.md"
    path.write_bytes(b"---\ntitle: x\n---\nbody\n")
    mtime = path.stat().st_mtime_ns
    changes, not_fixed = fix_file(
        path,
        [(_redirected("https://a.example/", "https://b.example/", Place("ep", "body")), Place("ep", "body"))],
    )
    assert changes == [] and len(not_fixed) == 1 and path.stat().st_mtime_ns == mtime
