"""Keep text inside the XML 1.0 character set.

feedgen only notices a bad character when it serialises the whole feed, and
then cannot say which field held it; cleaning at read time lets us name it.
"""

from __future__ import annotations

import re

# Everything outside  #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_INVALID = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def has_invalid(text: str) -> bool:
    return _INVALID.search(text) is not None


def clean(text: str) -> tuple[str, int]:
    """Return the text without XML-invalid characters and how many were removed."""
    cleaned, count = _INVALID.subn("", text)
    return cleaned, count


def describe_invalid(text: str) -> str:
    """A short human description of the offending characters, e.g. ``U+000B``."""
    found = sorted({f"U+{ord(c):04X}" for c in _INVALID.findall(text)})
    return ", ".join(found[:5]) + (" ..." if len(found) > 5 else "")
