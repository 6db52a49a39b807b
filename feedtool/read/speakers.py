"""Is a transcript's ``who:`` a speaker's name?

Some corpus files carry a sentence of the conversation in ``who:`` (a slip of the
transcription tool): "Quantifying the value changes the conversation drastically."
Such a value would reach VTT voice tags, SRT prefixes and the JSON ``speaker``, and
apps would show it as the speaker. The reader reports it and treats the line as the
previous speaker's.
"""

from __future__ import annotations

import re

MAX_NAME_WORDS = 6  # "Maria José García de la Cruz"
# sentence punctuation: a word of three or more lower-case letters ended by a full stop, after
# another word ("Dr. Jane Smith", "J. R. Tolkien" and a lone "Alexey." are names), or ! ? ; anywhere
_FULL_STOP = re.compile(r"\S\s+\S*[a-z]{3,}[.…](?:\s|$)")
_MARKS = re.compile(r"[!?;]")


def name_problem(who: str) -> str | None:
    """Why ``who`` does not look like a name, or None when it does."""
    words = who.split()
    if len(words) > MAX_NAME_WORDS:
        return f"{len(words)} words"
    if _FULL_STOP.search(who) or _MARKS.search(who):
        return "sentence punctuation"
    return None
