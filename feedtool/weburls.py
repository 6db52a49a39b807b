"""Absolute, safely encoded URLs from what episode and profile files contain, and what a
URL's file extension says about the media it points to."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote, urlsplit

# everything URL syntax needs stays; spaces and non-ASCII get percent-encoded
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"

_SCHEME_AND_HOST = r"https?://[^/\s]+"
# ``HTTP_URL.match(value)``: the value starts like a web URL (http or https, then a host)
HTTP_URL = re.compile(_SCHEME_AND_HOST)
_MEDIA_URL = re.compile(_SCHEME_AND_HOST + r"/\S*")


def is_media_url(value: object) -> bool:
    """True for an absolute http(s) URL with a path and no space inside (a media file's URL).

    Whitespace around the value is ignored: callers strip it when they keep the URL.
    """
    return isinstance(value, str) and _MEDIA_URL.fullmatch(value.strip()) is not None


@dataclass(frozen=True)
class MediaType:
    """The MIME type feedtool writes for a file extension, and the other types that fit it."""

    mime: str
    aliases: frozenset[str] = frozenset()
    apple: bool = False  # Apple Podcasts lists an episode whose enclosure has this extension

    @property
    def accepted(self) -> frozenset[str]:
        return self.aliases | {self.mime}


# Apple decides by the extension. Its extensions come first, in the order Apple's documentation
# lists them (the validator quotes this order).
MEDIA_TYPES: dict[str, MediaType] = {
    ".m4a": MediaType("audio/x-m4a", frozenset({"audio/m4a", "audio/mp4", "audio/aac"}), apple=True),
    ".mp3": MediaType("audio/mpeg", frozenset({"audio/mp3", "audio/mpeg3"}), apple=True),
    ".mov": MediaType("video/quicktime", apple=True),
    ".mp4": MediaType("video/mp4", frozenset({"audio/mp4"}), apple=True),
    ".m4v": MediaType("video/x-m4v", frozenset({"video/m4v", "video/mp4"}), apple=True),
    ".pdf": MediaType("application/pdf", apple=True),
    ".epub": MediaType("application/epub+zip", frozenset({"document/x-epub"}), apple=True),
    ".aac": MediaType("audio/aac", frozenset({"audio/x-aac"})),
    ".ogg": MediaType("audio/ogg", frozenset({"audio/vorbis", "application/ogg"})),
    ".oga": MediaType("audio/ogg"),
    ".opus": MediaType("audio/opus", frozenset({"audio/ogg"})),
    ".wav": MediaType("audio/wav", frozenset({"audio/x-wav", "audio/wave"})),
    ".flac": MediaType("audio/flac", frozenset({"audio/x-flac"})),
}
DEFAULT_MEDIA_TYPE = "audio/mpeg"  # for an enclosure whose type nothing tells


def url_suffix(url: str) -> str:
    """The lower-cased file extension of a URL's path (``.mp3``), or ``""``."""
    return PurePosixPath(urlsplit(url).path).suffix.lower()


def mime_type_for(url: str) -> str | None:
    """The MIME type of the file a URL points to, from its extension; None when unknown."""
    known = MEDIA_TYPES.get(url_suffix(url))
    return known.mime if known else mimetypes.guess_type(urlsplit(url).path)[0]


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
