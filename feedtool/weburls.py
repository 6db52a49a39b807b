"""Absolute, safely encoded URLs from what episode and profile files contain."""

from __future__ import annotations

from urllib.parse import quote

# everything URL syntax needs stays; spaces and non-ASCII get percent-encoded
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def encode_url(url: str) -> str:
    """Percent-encode what may not stand in a URL (``a b.jpg`` -> ``a%20b.jpg``).

    Apple asks for ASCII-only URLs, and a space breaks many clients; existing
    ``%XX`` escapes are left alone.
    """
    return quote(url.strip(), safe=_URL_SAFE)


def absolute_url(value: str | None, base_url: str | None) -> str | None:
    """An absolute, encoded URL from a path relative to the website (``images/x.jpg``), or None."""
    if not value:
        return None
    if value.startswith(("http://", "https://")):
        return encode_url(value)
    if value.startswith("//"):
        return encode_url("https:" + value)
    if not base_url:
        return None
    return encode_url(base_url.rstrip("/") + "/" + value.lstrip("/"))
