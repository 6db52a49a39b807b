"""A local copy of an episode's media file: its size, and the duration and type its audio says.

Read with mutagen, the tag and stream-info library most Python podcast tools
use (MP3, M4A/AAC, Ogg/Opus, FLAC, WAV; no other dependency, no external
program). Only regular files are read: a path naming a FIFO or a device would
block or stream forever.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from feedtool.weburls import MEDIA_TYPES, mime_type_for


@dataclass(frozen=True)
class LocalMedia:
    path: Path
    length: int  # bytes
    mime_type: str | None
    duration: float | None  # seconds; None when the audio stream could not be read
    problem: str | None = None  # why duration or type could not be read


def _canonical_type(path: Path, mimes: list[str]) -> str | None:
    """The MIME type feedtool writes for this file: the extension's, when the audio agrees with it;
    else the first of mutagen's types that feedtool knows."""
    by_extension = mime_type_for(path.name)
    if by_extension:
        accepted = next((t.accepted for t in MEDIA_TYPES.values() if t.mime == by_extension), {by_extension})
        if not mimes or set(mimes) & accepted:
            return by_extension
    for mime in mimes:
        for media_type in MEDIA_TYPES.values():
            if mime in media_type.accepted:
                return media_type.mime
    return mimes[0] if mimes else by_extension


def read_local_media(path: Path) -> LocalMedia | None:
    """Size, type and duration of the file at ``path``; None when there is no regular file there."""
    try:
        info = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    import mutagen  # (a show whose media is not on this disk never loads it)

    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError, EOFError) as exc:
        return LocalMedia(
            path, info.st_size, mime_type_for(path.name), None, f"not readable as audio ({exc})"
        )
    if audio is None or getattr(audio, "info", None) is None:
        return LocalMedia(path, info.st_size, mime_type_for(path.name), None, "not a known audio format")
    length = getattr(audio.info, "length", None)
    duration = float(length) if isinstance(length, (int, float)) and length > 0 else None
    mimes = [m for m in getattr(audio, "mime", []) if isinstance(m, str) and m != "application/octet-stream"]
    return LocalMedia(
        path,
        info.st_size,
        _canonical_type(path, mimes),
        duration,
        None if duration is not None else "the audio stream gives no duration",
    )


def media_file_name(url: str) -> str | None:
    """The file name a media URL ends in (``ep.mp3``), looked for in ``media_dir``.

    Hosts' tracking URLs embed the real file's URL, percent-encoded
    (``.../play/123/https%3A%2F%2Fcdn...%2Fep.m4a``): decoded, its last part is the file.
    """
    name = PurePosixPath(unquote(urlsplit(url).path)).name
    return name if name and name not in (".", "..") else None


def find_local_copy(
    episodes_dir: Path, media_dir: Path | None, file: str | None, url: str | None
) -> Path | None:
    """The local copy of an episode's media: ``audio: media/x.mp3`` (inside the episodes folder),
    else a file of the URL's name in ``media_dir``. None when there is none."""
    if file:
        return episodes_dir / file
    if media_dir is not None and url:
        name = media_file_name(url)
        if name:
            candidate = media_dir / name
            if candidate.is_file():
                return candidate
    return None
