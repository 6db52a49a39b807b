import json
from datetime import UTC, datetime
from pathlib import Path

from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from feedtool.model import ChapterMarker, Episode, TranscriptLine
from feedtool.model import TranscriptHeader as H
from feedtool.read.episodes import read_episode
from feedtool.render import chapters as ch


def L(sec, text="words", who="A"):
    return TranscriptLine(text, sec, who)


def episode(rows=(), markers=(), duration=None):
    return Episode(
        path=Path("ep.md"),
        slug="ep",
        title="Ep",
        pub_date=datetime(2024, 1, 1, tzinfo=UTC),
        transcript=tuple(rows),
        markers=tuple(markers),
        duration=duration,
    )


def starts(e):
    chapters, _ = ch.derive_chapters(e)
    return [(c.title, c.start) for c in chapters]


def test_rule_order_explicit_then_opening_then_next_line():
    e = episode(
        [H("Intro"), L(5), H("Middle"), L(60), L(None), H("Clip"), L(310)], [ChapterMarker("Clip", 300)]
    )
    assert starts(e) == [("Intro", 0), ("Middle", 60), ("Clip", 300)]


def test_explicit_time_wins_even_for_the_opening_header():
    e = episode([H("Intro"), L(63)], [ChapterMarker("Intro", 12)])
    assert starts(e) == [("Intro", 12)]


def test_header_after_timed_lines_is_not_an_opening_header():
    e = episode([L(117), L(138), H("Background"), L(140)])
    assert starts(e) == [("Background", 140)]


def test_untimed_lines_do_not_count_as_timed():
    e = episode([L(None), H("First"), L(None), L(20)])
    assert starts(e) == [("First", 0)]


def test_explicit_match_ignores_surrounding_whitespace():
    e = episode([L(1), H('Scoping with "Why" '), L(2000)], [ChapterMarker('Scoping with "Why"', 1864)])
    assert starts(e) == [('Scoping with "Why"', 1864)]


def test_two_headers_without_timed_line_between_drop_the_first_with_warning():
    e = episode([H("Intro"), L(5), H("Wrap-up"), H("Links"), L(540)])
    chapters, problems = ch.derive_chapters(e)
    assert [(c.title, c.start) for c in chapters] == [("Intro", 0), ("Links", 540)]
    assert len(problems) == 1 and "'Wrap-up'" in problems[0].message and not problems[0].is_error


def test_header_with_no_timed_line_after_is_dropped():
    e = episode([H("Intro"), L(5), H("The end")])
    chapters, problems = ch.derive_chapters(e)
    assert [c.title for c in chapters] == ["Intro"]
    assert "'The end'" in problems[0].message


def test_repeated_header_is_not_a_duplicate_chapter():
    e = episode(
        [H("Intro"), H("Overview"), H("Intro"), H("Overview"), L(100)],
        [ChapterMarker("Intro", 0), ChapterMarker("Overview", 94)],
    )
    chapters, problems = ch.derive_chapters(e)
    assert [(c.title, c.start) for c in chapters] == [("Intro", 0), ("Overview", 94)]
    (p,) = problems
    assert p.message.startswith("2 header(s) repeat an earlier header") and "'Intro'" in p.message


def test_explicit_times_out_of_order_keep_strictly_increasing():
    e = episode(
        [H("A"), L(10), H("B"), L(800), H("C"), L(900)], [ChapterMarker("B", 838), ChapterMarker("C", 838)]
    )
    chapters, problems = ch.derive_chapters(e)
    assert [(c.title, c.start) for c in chapters] == [("A", 0), ("B", 838)]
    assert "'C'" in problems[0].message


def test_explicit_time_replaces_an_earlier_derived_start_it_precedes():
    e = episode([H("A"), L(10), H("B"), L(500), H("C"), L(520)], [ChapterMarker("C", 400)])
    chapters, problems = ch.derive_chapters(e)
    assert [(c.title, c.start) for c in chapters] == [("A", 0), ("C", 400)]
    assert "'B'" in problems[0].message


def test_markers_give_chapters_when_there_are_no_headers():
    e = episode([L(0), L(10)], [ChapterMarker("Second", 600, 1200), ChapterMarker("First", 0, 600)], 1500)
    chapters, _ = ch.derive_chapters(e)
    assert [(c.title, c.start, c.end) for c in chapters] == [("First", 0, 600), ("Second", 600, 1500)]


def test_end_is_next_start_and_last_ends_at_duration():
    e = episode([H("A"), L(1), H("B"), L(50)], duration=100)
    chapters, _ = ch.derive_chapters(e)
    assert [(c.start, c.end) for c in chapters] == [(0, 50), (50, 100)]


def test_duration_shorter_than_chapters_keeps_them_and_warns():
    e = episode([H("A"), L(1), H("B"), L(150)], duration=100)
    chapters, problems = ch.derive_chapters(e)
    assert [(c.start, c.end) for c in chapters] == [(0, 150), (150, None)]
    assert problems[0].field == "duration"


def test_fixture_episode_chapters():
    e, problems = read_episode(FIXTURES / "show" / "episodes" / "s01e01-first-steps.md")
    assert e is not None, problems
    chapters, warnings = ch.derive_chapters(e)
    assert [(c.title, c.start) for c in chapters] == [
        ("Welcome", 0),
        ("Background", 60),
        ("Tools & habits", 300),
        ("Links", 540),
    ]
    assert [w.line for w in warnings] == [50]  # the "Wrap-up" header's line in the file


def test_json_format():
    import json

    doc = json.loads(ch.to_json((ch.Chapter(0, "A", 12.5), ch.Chapter(12.5, "B")), title="T"))
    assert doc == {
        "version": "1.2.0",
        "title": "T",
        "chapters": [{"startTime": 0, "title": "A", "endTime": 12.5}, {"startTime": 12.5, "title": "B"}],
    }


def test_psc_format_escapes_and_pads():
    out = ch.to_psc((ch.Chapter(0, 'Q&A "live"'), ch.Chapter(37, "B")))
    assert '<psc:chapter start="00:00:00.000" title="Q&amp;A &quot;live&quot;"/>' in out
    assert 'start="00:00:37.000"' in out


def chapters_at(*starts):
    return tuple(ch.Chapter(s, f"C{i}") for i, s in enumerate(starts))


def test_youtube_adds_intro_when_first_chapter_is_late():
    yt = ch.to_youtube(chapters_at(140, 260, 400), 600)
    assert yt.text == "0:00 Intro\n2:20 C0\n4:20 C1\n6:40 C2\n"
    assert any("Intro" in n for n in yt.notes)


def test_youtube_moves_first_chapter_when_intro_would_be_too_short():
    yt = ch.to_youtube(chapters_at(5, 100, 200), 300)
    assert yt.text.splitlines()[0] == "0:00 C0"


def test_youtube_drops_chapters_shorter_than_ten_seconds():
    yt = ch.to_youtube(chapters_at(0, 100, 105, 200), 300)
    assert yt.text == "0:00 C0\n1:45 C2\n3:20 C3\n"
    assert any("C1" in n for n in yt.notes)


def test_youtube_refuses_fewer_than_three_chapters_and_says_why():
    yt = ch.to_youtube(chapters_at(0, 100), 300)
    assert not yt.ok and "at least 3" in yt.notes[-1]


def test_youtube_hours_format():
    yt = ch.to_youtube(chapters_at(0, 1800, 3723), 4000)
    assert yt.text.splitlines()[-1] == "1:02:03 C2"


def test_youtube_keeps_the_last_chapter_when_the_duration_is_too_short():
    yt = ch.to_youtube(chapters_at(0, 100, 3839), duration=3817)
    assert yt.text.splitlines()[-1] == "1:03:59 C2"


_titles = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)  # any text but lone surrogates
_times = st.one_of(
    st.integers(min_value=0, max_value=10**7).map(float),
    st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(_times, _titles, st.one_of(st.none(), _times), st.sampled_from(["", "https://x.test/é"]))
    ),
    st.one_of(st.none(), _titles),
    st.one_of(st.none(), _titles),
)
def test_the_chapters_writer_gives_what_json_dumps_gives(rows, title, podcast_name):
    """The hand-written indenting writer is ``json.dumps(indent=2, ensure_ascii=False)``, byte for
    byte: quotes, backslashes, control characters, non-ASCII, integers, floats, empty lists."""
    chapters = tuple(ch.Chapter(start, text, end, url or None) for start, text, end, url in rows)
    written = ch.to_json(chapters, title=title, podcast_name=podcast_name)
    doc = json.loads(written)
    assert written == json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    assert [c["title"] for c in doc["chapters"]] == [c.title for c in chapters]


def test_the_chapters_writer_hands_other_shapes_to_json_dumps():
    doc = {"version": "1", "nested": {"a": [1, {"b": None}]}, "flag": True, "chapters": []}
    assert ch._dumps_indented(doc) == json.dumps(doc, ensure_ascii=False, indent=2)
