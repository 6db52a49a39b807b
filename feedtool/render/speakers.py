"""Display names for transcript speakers (config ``speakers: {Alexey: Alexey Grigorev}``).

Transcripts name speakers as the transcription tool wrote them, often by first
name; the config maps those raw names to the names listeners should see. The
match ignores surrounding whitespace and a trailing colon (``Alexey:``), as the
transcript renderer does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from feedtool.model import Episode, TranscriptLine


def _raw(who: str) -> str:
    return " ".join(who.split()).rstrip(":").strip()


def with_display_names(episode: Episode, names: Mapping[str, str]) -> Episode:
    """``episode`` with every mapped speaker renamed (the same object when nothing maps)."""
    if not names:
        return episode
    rows = tuple(
        replace(row, speaker=names[_raw(row.speaker)])
        if isinstance(row, TranscriptLine) and row.speaker and _raw(row.speaker) in names
        else row
        for row in episode.transcript
    )
    return episode if rows == episode.transcript else replace(episode, transcript=rows)
