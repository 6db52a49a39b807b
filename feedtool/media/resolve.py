"""One episode's media, guid and date from every source that knows them, the file first.

Sources, in order: the episode file; its ``media.yaml`` entry (a pinned
snapshot of the host, ``feedtool import-media``); the host feed item it
matched (config ``host_feed``); a local copy of the media file (``audio:
media/x.mp3``, or a file of the URL's name in ``media_dir``); the config's
``media_url`` template. Each value is taken from the first source that has it,
with one rule: a size and a type describe one file, so they are only taken
from a source that names the same URL (or from a local copy). What is still
unknown after this, the build asks the media server (``media.probe``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from feedtool.config import Config
from feedtool.media.local import LocalMedia, find_local_copy, read_local_media
from feedtool.model import Audio, Episode, Problem, Severity
from feedtool.read.media_manifest import MANIFEST_NAME, MediaEntry
from feedtool.render.urls import resolve_audio
from feedtool.rss.parse import ParsedItem
from feedtool.weburls import mime_type_for

HOST_FEED = "host feed"


@dataclass(frozen=True)
class HostFacts:
    """What a host says about one episode: a ``media.yaml`` entry or a matched host feed item."""

    source: str  # "media.yaml" or "host feed"
    url: str | None = None
    length: int | None = None
    mime_type: str | None = None
    duration: float | None = None
    guid: str | None = None
    pub_date: datetime | None = None


def facts_from_entry(entry: MediaEntry) -> HostFacts:
    return HostFacts(
        MANIFEST_NAME, entry.url, entry.length, entry.type, entry.duration, entry.guid, entry.date
    )


def facts_from_item(item: ParsedItem) -> HostFacts:
    return HostFacts(
        HOST_FEED,
        item.enclosure_url,
        item.enclosure_length or None,  # hosts write length="0" when they do not know it
        item.enclosure_type,
        item.duration,
        item.guid,
        item.pub_date,
    )


@dataclass(frozen=True)
class EpisodeMedia:
    """Everything known about an episode's media before any server is asked."""

    audio: Audio | None  # url, size, type, duration as far as known; None: no media file at all
    host_guid: str | None = None
    guid_source: str | None = None  # where host_guid came from
    host_date: datetime | None = None
    date_source: str | None = None
    local: LocalMedia | None = None
    problems: tuple[Problem, ...] = ()


def _first_audio(episode: Episode, config: Config, facts: Sequence[HostFacts]) -> Audio | None:
    """The media file: the episode's own, else the first host source with a URL, else ``media_url``."""
    if episode.audio is not None:
        return resolve_audio(episode, config)
    for fact in facts:
        if fact.url:
            return Audio(
                url=fact.url,
                length=fact.length,
                mime_type=fact.mime_type or mime_type_for(fact.url),
                duration=fact.duration,
                guid=fact.guid,
                source=fact.source,
            )
    return resolve_audio(episode, config)


def resolve_media(
    episode: Episode, config: Config, episodes_dir: Path, facts: Sequence[HostFacts] = ()
) -> EpisodeMedia:
    audio = _first_audio(episode, config, facts)
    problems: list[Problem] = []
    local: LocalMedia | None = None
    if audio is not None:
        for fact in facts:  # size and type only from a source naming the same file
            if fact.url == audio.url:
                audio = replace(
                    audio,
                    length=audio.length if audio.length is not None else fact.length,
                    mime_type=audio.mime_type or fact.mime_type,
                )
        if audio.duration is None:
            audio = replace(audio, duration=next((f.duration for f in facts if f.duration is not None), None))
        path = find_local_copy(episodes_dir, config.media_dir, audio.file, audio.url)
        if path is not None:
            local = read_local_media(path)
            if local is None:
                problems.append(
                    Problem(
                        str(episode.path),
                        "audio.file",
                        f"{path}: no such file (a regular file inside the episodes folder); "
                        "its size, duration and type stay unknown",
                        None,
                        Severity.WARNING,
                    )
                )
            else:
                audio = _with_local(audio, local)
                if local.problem and audio.duration is None and episode.duration is None:
                    problems.append(
                        Problem(
                            str(episode.path),
                            "duration",
                            f"{path}: {local.problem}; add duration: to the episode",
                            None,
                            Severity.WARNING,
                        )
                    )
    guid_fact = next((f for f in facts if f.guid), None)
    date_fact = next((f for f in facts if f.pub_date is not None), None)
    if audio is not None and guid_fact is not None and audio.guid is None:
        audio = replace(audio, guid=guid_fact.guid)
    return EpisodeMedia(
        audio,
        guid_fact.guid if guid_fact else None,
        guid_fact.source if guid_fact else None,
        date_fact.pub_date if date_fact else None,
        date_fact.source if date_fact else None,
        local,
        tuple(problems),
    )


def _with_local(audio: Audio, local: LocalMedia) -> Audio:
    """Size, type and duration from the local copy where nothing earlier gave them."""
    return replace(
        audio,
        length=audio.length if audio.length is not None else local.length,
        mime_type=audio.mime_type or local.mime_type,
        duration=audio.duration if audio.duration is not None else local.duration,
    )
