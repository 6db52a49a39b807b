"""Where an episode's things live on the web: page, image, media file.

Shared by the feed builder and the link checker so both agree on every URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import quote

from feedtool.config import Config
from feedtool.model import Audio, Episode
from feedtool.weburls import DEFAULT_MEDIA_TYPE, absolute_url, encode_url, mime_type_for


def fill_template(template: str, episode: Episode) -> str:
    """Fill ``{slug}``, ``{season}``, ``{episode}``; the slug is URL-quoted."""
    return template.format(
        slug=quote(episode.slug, safe="-._~"),
        season=episode.season if episode.season is not None else "",
        episode=episode.episode if episode.episode is not None else "",
    )


def episode_page_url(episode: Episode, config: Config) -> str:
    if config.episode_url:
        return fill_template(config.episode_url, episode)
    return config.link


def episode_image_url(episode: Episode, config: Config) -> str | None:
    return absolute_url(episode.image, config.image_base_url or config.link)


def local_audio_url(episode: Episode, config: Config, file: str) -> str:
    """Where a local media file (``audio: media/x.mp3``) is served: the ``media_url`` template when
    the config has one (the files are uploaded there), else beside the feed (``public_url`` + path)."""
    if config.media_url:
        return fill_template(config.media_url, episode)
    return encode_url(config.output_url(file))


def resolve_audio(
    episode: Episode, config: Config, manifest: Mapping[str, Audio] | None = None
) -> Audio | None:
    """The media file for an episode, in order of precedence:

    1. the episode's own ``audio:`` (for a local file without a URL, ``local_audio_url``);
    2. the media manifest (``media.yaml`` written by ``feedtool import-media``);
    3. the config's ``media_url`` template (length unknown unless the manifest knows it).
    """
    if episode.audio is not None:
        if not episode.audio.url and episode.audio.file:
            return replace(episode.audio, url=local_audio_url(episode, config, episode.audio.file))
        return episode.audio
    if manifest and episode.slug in manifest:
        return manifest[episode.slug]
    if config.media_url:
        url = fill_template(config.media_url, episode)
        return Audio(
            url=url,
            length=None,
            mime_type=config.media_type or mime_type_for(url) or DEFAULT_MEDIA_TYPE,
            source="media_url",
        )
    return None
