"""Every URL an episode carries, with the places that use it.

Platform links, show-note links, the enclosure, the episode image, chapter
links and guest links. URLs are normalised and de-duplicated across episodes
so each is requested once per run; TODO/empty platform links become MISSING
and non-http(s) values INVALID (neither is requested).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from feedtool.config import Config
from feedtool.links.model import Place, Target, Unchecked
from feedtool.links.normalize import InvalidURL, normalize, platform_of
from feedtool.links.verdict import Verdict
from feedtool.model import Audio, Episode
from feedtool.render.urls import episode_image_url, resolve_audio
from feedtool.weburls import absolute_url

_NOT_WEB = ("mailto:", "tel:", "sms:", "javascript:", "data:")


@dataclass(frozen=True)
class Extracted:
    targets: tuple[Target, ...]
    unchecked: tuple[Unchecked, ...]


def episode_urls(
    episode: Episode, config: Config | None, manifest: Mapping[str, Audio] | None = None
) -> list[tuple[str, str]]:
    """(field, raw URL) pairs for one episode, in a stable order."""
    out: list[tuple[str, str]] = [(f"links.{name}", url) for name, url in episode.links]
    base = config.link if config else None
    for href in episode.body_links:
        href = href.strip()
        if not href or href.startswith("#"):
            continue  # in-page anchors are not outbound links
        if href.lower().startswith(_NOT_WEB):
            continue  # mail and phone links are not web links; nothing to request
        resolved = href if ":" in href.split("/")[0] or href.startswith("//") else absolute_url(href, base)
        out.append(("body", resolved or href))
    if config is not None:
        image = episode_image_url(episode, config)
        audio = resolve_audio(episode, config, manifest)
    else:
        image = episode.image if episode.image and "://" in episode.image else None
        audio = episode.audio
    if image:
        out.append(("image", image))
    elif episode.image:
        out.append(("image", episode.image))
    if audio is not None:
        out.append(("enclosure", audio.url))
    for i, marker in enumerate(episode.markers):
        if marker.url:
            out.append((f"chapters[{i}]", marker.url))
    for guest in episode.guests:
        seen: set[str] = set()
        if guest.href:
            out.append((f"guests.{guest.id}", guest.href))
            seen.add(guest.href)
        for kind, url in guest.links:
            if url not in seen:
                out.append((f"guests.{guest.id}.{kind}", url))
                seen.add(url)
    return out


def extract(
    episodes: Iterable[Episode],
    config: Config | None = None,
    manifest: Mapping[str, Audio] | None = None,
    *,
    platforms: Collection[str] | None = None,
) -> Extracted:
    """Targets (one per normalised URL, with all places) and unchecked places.

    ``platforms`` (``links.platforms``) are the ones the show publishes on: a TODO or
    absent link is MISSING only for those (None: every platform). A link that is there
    is checked whatever its platform."""
    places: dict[str, list[Place]] = {}
    fields_platform: dict[str, str] = {}
    unchecked: list[Unchecked] = []
    for episode in episodes:
        for name in episode.missing_links:
            if platforms is not None and name not in platforms:
                continue
            unchecked.append(
                Unchecked(
                    Verdict.MISSING,
                    Place(episode.slug, f"links.{name}"),
                    None,
                    f"no {name} link yet (TODO or empty)",
                )
            )
        for field_name, raw in episode_urls(episode, config, manifest):
            place = Place(episode.slug, field_name)
            try:
                url = normalize(raw)
            except InvalidURL as exc:
                unchecked.append(Unchecked(Verdict.INVALID, place, raw, str(exc)))
                continue
            bucket = places.setdefault(url, [])
            if place not in bucket:
                bucket.append(place)
            if field_name.startswith("links.") and url not in fields_platform:
                fields_platform[url] = field_name.split(".", 1)[1]
    targets = tuple(
        Target(url, tuple(ps), platform_of(url) or fields_platform.get(url)) for url, ps in places.items()
    )
    return Extracted(targets, tuple(unchecked))
