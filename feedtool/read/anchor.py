"""Anchor (Spotify for Creators) episode ids: the ``e26d01c`` that ends an episode URL.

The id survives title edits and both of Anchor's domain moves, so it matches a
host feed's items to episode files and gives episodes a stable guid.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

# an episode URL may end in the audio's own id ("/a-abl5fth"): that one changes when the
# audio is replaced, the episode id before it does not
_AUDIO_SUFFIX = r"(?:/a-[0-9a-z]+)?"
ANCHOR_ID = re.compile(r"/episodes/(?:[^/?#]*-)?(e[0-9a-z]{4,12})" + _AUDIO_SUFFIX + r"/?$", re.IGNORECASE)
_BARE_ANCHOR_ID = re.compile(r"(?:^|-)(e[0-9a-z]{4,12})" + _AUDIO_SUFFIX + r"/?$", re.IGNORECASE)


def anchor_id_from_url(url: str | None) -> str | None:
    """``e26d01c`` from ``.../episodes/Title-Words-e26d01c`` (query, fragment and trailing / ignored)."""
    if not url:
        return None
    text = url.strip()
    path = urlsplit(text).path if "://" in text else text.split("?")[0].split("#")[0]
    match = ANCHOR_ID.search(unquote(path) if path.startswith("/") else "/" + unquote(path))
    return match.group(1).lower() if match else None


def anchor_id_from_episode_field(value: str | None) -> str | None:
    """An episode's ``ids.anchor`` may be a URL, a ``show/episodes/...`` path or the bare ``Title-e1abcd``."""
    if not value:
        return None
    found = anchor_id_from_url(value)
    if found:
        return found
    if "/" not in value.strip().split("/a-", 1)[0]:
        match = _BARE_ANCHOR_ID.search(value.strip())
        return match.group(1).lower() if match else None
    return None
