"""What every report format does to values it did not write itself.

Report values come from episode files (titles, slugs, guest ids, URLs) and from
servers (status lines, Location headers, evidence text): both are untrusted. A
terminal obeys escape sequences (ESC[2J clears it, OSC sets its title), a
Markdown or HTML viewer runs markup and follows ``javascript:`` links, and bidi
overrides make a URL read differently from what it is. So: control and bidi
characters are shown as escapes, only http(s) URLs become links, and link
targets are percent-encoded so that no character can end the link early.
Each format then escapes for its own syntax.
"""

from __future__ import annotations

import re
from urllib.parse import quote

# C0 controls, DEL, C1 controls, the bidi embeddings/overrides/isolates, and the
# Unicode line and paragraph separators (line breaks that are not "\n")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
_WEB_URL = re.compile(r"https?://[^\s/?#\\]", re.IGNORECASE)
# what RFC 3986 allows in a URI besides letters and digits ("%" too: existing escapes stay)
_URI_CHARS = ":/?#[]@!$&'()*+,;=-._~%"


def show_controls(text: str, keep: str = "") -> str:
    r"""``text`` with control and bidi characters as visible escapes (``\x1b``, ``\u202e``, ``\n``).

    Characters in ``keep`` (say ``"\n"`` where a line break means one) stay as they are.
    """

    def visible(match: re.Match[str]) -> str:
        char = match.group()
        if char in keep:
            return char
        code = ord(char)
        return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")

    return _CONTROLS.sub(visible, text)


def is_web_url(url: str | None) -> bool:
    """True for an http(s) URL with a host, written plainly: nothing before the scheme, no
    tab or newline inside it (browsers drop those, so ``java\tscript:`` would pass a looser test)."""
    return bool(url) and _WEB_URL.match(url or "") is not None and not _CONTROLS.search(url or "")


def link_target(url: str) -> str:
    """``url`` as a link target: every character a URI may not hold percent-encoded
    (spaces, quotes, angle brackets, pipes, backslashes, controls, non-ASCII)."""
    return quote(url, safe=_URI_CHARS)
