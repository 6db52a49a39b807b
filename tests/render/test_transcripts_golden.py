"""The transcript writer is byte-identical to the one before the speed-up.

tests/fixtures/golden holds four real episode files and the VTT, SRT and JSON
that the per-word implementation wrote for them (and the sha256 of every
corpus episode's outputs, checked when the corpus is at hand). The SRT files and
digests were made again when SRT cues began to open with their speaker (issue 12),
by the per-word implementation with that rule (bench/transcripts.py holds it and
checks the two writers give the same bytes). Picked for what
they exercise: out-of-order times and untimed lines, many untimed turns, no
duration (the last cue's length is estimated), a short plain one.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from feedsupport import old_transcript_writer

from feedtool.model import Episode
from feedtool.read import episodes as reader
from feedtool.render import transcripts
from feedtool.render.transcripts import Cue, build_cues, has_transcript, render_transcripts

GOLDEN = Path(__file__).parent.parent / "fixtures" / "golden"
CORPUS = Path(os.environ.get("FEEDTOOL_CORPUS", Path(__file__).parents[3] / "shared" / "corpus")) / "episodes"
FORMATS = ("vtt", "srt", "json")


def read(path: Path) -> Episode:
    episode, problems = reader.read_episode(path)
    assert episode is not None, problems
    return episode


@pytest.mark.parametrize("source", sorted(GOLDEN.glob("*.md")), ids=lambda p: p.stem)
def test_every_format_is_byte_identical_to_the_golden_file(source: Path):
    rendered = render_transcripts(read(source), FORMATS)
    for fmt in FORMATS:
        golden = (GOLDEN / f"{source.stem}.{fmt}").read_bytes()
        assert rendered[fmt].encode("utf-8") == golden, f"{source.stem}.{fmt} differs"


def test_the_golden_set_is_all_there():
    assert len(sorted(GOLDEN.glob("*.md"))) == 4
    for source in GOLDEN.glob("*.md"):
        assert all((GOLDEN / f"{source.stem}.{fmt}").is_file() for fmt in FORMATS)


def test_one_cue_pass_gives_what_each_formatter_gives():
    episode = read(GOLDEN / "dataops-for-data-engineering.md")
    cues = build_cues(episode)
    rendered = render_transcripts(episode, ["json", "vtt"])
    assert list(rendered) == ["json", "vtt"]
    assert rendered["vtt"] == transcripts.to_vtt(cues) and rendered["json"] == transcripts.to_json(cues)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the real corpus is not here (FEEDTOOL_CORPUS)")
def test_every_corpus_transcript_matches_the_recorded_digest():
    expected = json.loads((GOLDEN / "corpus-sha256.json").read_text(encoding="utf-8"))
    seen = {}
    for path in sorted(CORPUS.glob("*.md")):
        episode, _ = reader.read_episode(path)
        if episode is None or not has_transcript(episode):
            continue
        rendered = render_transcripts(episode, FORMATS)
        seen[path.name] = {f: hashlib.sha256(rendered[f].encode("utf-8")).hexdigest() for f in FORMATS}
    assert seen.keys() == expected.keys()
    different = [name for name in seen if seen[name] != expected[name]]
    assert not different


# the cases real files rarely have: long words, sentence ends at every place, odd whitespace,
# sub-millisecond cues, markup that must be escaped, an empty transcript
EDGE_TEXTS = [
    "word",
    "a" * 200,
    "short " + "https://example.com/" + "x" * 90 + " tail.",
    "One. Two! Three? Four… Five.” Six.) Seven.] end " * 6,
    " ".join(f"w{i}." if i % 7 == 0 else f"w{i}" for i in range(300)),
    "x" * 65 + " " + "y" * 65 + " z.",
    "tabs\tand\nnew lines  and\u00a0odd   spacing. " * 5,
    "<b>& markup</b> > here. " * 10,
]


@pytest.mark.parametrize("text", EDGE_TEXTS, ids=range(len(EDGE_TEXTS)))
@pytest.mark.parametrize("span", [(0.0, 0.001), (0.0, 0.003), (1.5, 3725.25), (359999.0, 360100.0)])
def test_edge_cases_match_the_reference_splitter(text: str, span: tuple[float, float]):
    old = old_transcript_writer()
    cues = (Cue(span[0], span[1], "Ann & <Bo>", text), Cue(span[1], span[1] + 5, None, text))
    assert transcripts.to_vtt(cues) == old.to_vtt(cues)
    assert transcripts.to_srt(cues) == old.to_srt(cues)
    assert transcripts.to_json(cues) == old.to_json(cues)
    assert transcripts.to_json(()) == old.to_json(())


@pytest.mark.parametrize("text", EDGE_TEXTS, ids=range(len(EDGE_TEXTS)))
@pytest.mark.parametrize("lines", [1, 2, 3])
@pytest.mark.parametrize("width", [1, 5, 32, 65])
def test_screens_of_any_shape_match_the_reference_splitter(text: str, lines: int, width: int):
    assert transcripts._chunks(text, width, lines) == old_transcript_writer()._chunks(text, width, lines)
