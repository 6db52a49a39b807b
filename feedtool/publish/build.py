"""The build: episodes folder in, feed + chapters + transcripts out.

``prepare_build`` is pure (reads inputs, returns bytes and problems);
``build`` validates that result and only then hands it to the writer, so a
failed build never touches previously published files.
"""

from __future__ import annotations

import html
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from feedtool.config import Config, state_dir
from feedtool.errors import BuildFailed, PublishBlocked
from feedtool.model import Audio, Episode, Problem, Severity, Skipped
from feedtool.output import OutputFile, PublishResult, pending_changes, publish
from feedtool.publish.guards import (
    check_publish,
    guard_policy,
    load_record,
    record_from_items,
    save_record,
)
from feedtool.read.anchor import anchor_id_from_episode_field
from feedtool.read.cache import CacheStats, EpisodeCache
from feedtool.read.media_manifest import load_manifest
from feedtool.read.show import open_cache as open_cache  # (re-exported: where they were defined)
from feedtool.read.show import people_folder as people_folder
from feedtool.read.show import read_show as read_show
from feedtool.read.shownotes import html_to_text
from feedtool.render import chapters as chapters_mod
from feedtool.render import transcripts as transcripts_mod
from feedtool.render.feed import FeedItem, TranscriptLink, render_feed
from feedtool.render.urls import episode_image_url, episode_page_url, resolve_audio
from feedtool.rss.validate import validate_feed

FEED_FILE = "feed.xml"


@dataclass(frozen=True)
class BuildOutput:
    """What a build would publish, and everything it noticed on the way."""

    feed_xml: bytes
    files: tuple[OutputFile, ...]  # the feed included
    items: tuple[FeedItem, ...]
    problems: tuple[Problem, ...]
    skipped: tuple[Skipped, ...]
    left_out: tuple[Path, ...]  # episode files with errors, left out of the feed
    episodes: tuple[Episode, ...] = ()  # as read, for later stages (the link check) to reuse
    manifest: Mapping[str, Audio] = field(default_factory=dict)  # media.yaml as read

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)


@dataclass(frozen=True)
class BuildResult:
    output: BuildOutput
    published: PublishResult
    pending: tuple[str, ...] = ()  # with check=True: the files that are out of date
    cache: CacheStats | None = None


def item_guid(episode: Episode, audio: Audio, config: Config) -> tuple[str, Problem | None]:
    """A guid that never changes once published.

    Explicit ``guid:`` first, then the host's guid from the media manifest (so
    moving a feed duplicates nothing), then a UUIDv5 of a platform id that
    survives title and file-name changes (``ids.anchor``'s episode id, then
    ``ids.youtube``). Only as a last resort the slug, with a warning: renaming
    the file would then change the guid.
    """
    if episode.guid:
        return episode.guid, None
    if audio.guid:
        return audio.guid, None
    namespace = uuid.UUID(config.podcast_guid) if _is_uuid(config.podcast_guid) else uuid.NAMESPACE_URL
    # "datatalksclub/episodes/Title---Guest-e26d01c" and "Title---Guest-e26d01c" name the
    # same episode: its id is the last "-e..." token, which survives title edits.
    anchor = anchor_id_from_episode_field(episode.id("anchor"))
    if anchor:
        return str(uuid.uuid5(namespace, f"anchor:{anchor}")), None
    youtube = episode.id("youtube")
    if youtube:
        return str(uuid.uuid5(namespace, f"youtube:{youtube}")), None
    return (
        str(uuid.uuid5(namespace, f"slug:{episode.slug}")),
        Problem(
            str(episode.path),
            "guid",
            "no guid:, ids.anchor or ids.youtube: the guid derives from the "
            "file name, so renaming the file would re-publish the episode; add guid:",
            None,
            Severity.WARNING,
        ),
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _intro_html(text: str | None) -> str:
    if not text:
        return ""
    # intros are plain text with <br> line breaks; escape everything else
    parts = [
        html.escape(p.strip()) for p in text.replace("<br/>", "<br>").replace("<br />", "<br>").split("<br>")
    ]
    paragraphs = [p for p in parts if p]
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _plain_description(episode: Episode) -> str:
    for candidate in (episode.intro, episode.description, episode.short):
        if candidate:
            return html_to_text(candidate.replace("<br>", "\n"))
    return html_to_text(episode.body_html) or episode.title


_TRANSCRIPT_FORMATTERS = {
    "vtt": transcripts_mod.to_vtt,
    "srt": transcripts_mod.to_srt,
    "json": transcripts_mod.to_json,
}


def _render_transcript(episode: Episode, fmt: str) -> bytes:
    return _TRANSCRIPT_FORMATTERS[fmt](transcripts_mod.build_cues(episode)).encode("utf-8")


def sort_key(episode: Episode) -> tuple:
    """Newest first; ties broken by season/episode number, then slug, for a stable order."""
    return (-episode.pub_date.timestamp(), -(episode.season or 0), -(episode.episode or 0), episode.slug)


def prepare_build(
    config: Config, episodes_dir: Path, *, skip_invalid: bool = False, cache: EpisodeCache | None = None
) -> BuildOutput:
    """Read, derive and render everything; write nothing (but the cache, when given)."""
    episodes_dir = Path(episodes_dir)
    read = read_show(config, episodes_dir, cache)
    manifest = load_manifest(episodes_dir)
    problems: list[Problem] = list(read.problems)
    left_out = list(read.failed)
    renderer = cache if cache is not None else EpisodeCache(None, "")
    files: list[OutputFile] = []
    items: list[FeedItem] = []
    for episode in sorted(read.episodes, key=sort_key):
        audio = resolve_audio(episode, config, manifest)
        if audio is None:
            problems.append(
                Problem(
                    str(episode.path),
                    "audio",
                    "no media file: add audio: {url, length, type} "
                    "to the episode, run feedtool import-media, or set media_url in the config",
                )
            )
            left_out.append(episode.path)
            continue
        if audio.length is None:
            problems.append(
                Problem(
                    str(episode.path),
                    "audio.length",
                    f'size of {audio.url} unknown: the enclosure says length="0"; add audio.length (bytes)',
                    None,
                    Severity.WARNING,
                )
            )
        guid, guid_problem = item_guid(episode, audio, config)
        if guid_problem:
            problems.append(guid_problem)
        chapters, chapter_problems = chapters_mod.derive_chapters(episode)
        problems.extend(chapter_problems)
        chapters_url = None
        if chapters:
            rel = f"chapters/{episode.slug}.json"
            files.append(
                OutputFile(
                    rel,
                    chapters_mod.to_json(chapters, title=episode.title, podcast_name=config.title).encode(
                        "utf-8"
                    ),
                )
            )
            chapters_url = config.output_url(rel)
        transcript_links: list[TranscriptLink] = []
        if transcripts_mod.has_transcript(episode):
            for fmt in config.transcript_formats:
                rel = f"transcripts/{episode.slug}.{fmt}"
                files.append(
                    OutputFile(
                        rel,
                        renderer.rendered_output(
                            episode.path.name, f"transcript.{fmt}", partial(_render_transcript, episode, fmt)
                        ),
                    )
                )
                transcript_links.append(TranscriptLink(config.output_url(rel), fmt))
        items.append(
            FeedItem(
                slug=episode.slug,
                guid=guid,
                title=episode.title,
                link=episode_page_url(episode, config),
                pub_date=episode.pub_date,
                description=_plain_description(episode),
                content_html=_intro_html(episode.intro) + episode.body_html,
                audio=audio,
                duration=episode.duration if episode.duration is not None else audio.duration,
                season=episode.season,
                episode=episode.episode,
                episode_type=episode.episode_type,
                explicit=episode.explicit,
                image_url=episode_image_url(episode, config),
                chapters=chapters,
                chapters_url=chapters_url,
                transcripts=tuple(transcript_links),
                persons=episode.guests,
                keywords=episode.keywords or episode.topics,
            )
        )
    problems.extend(_duplicates(items, episodes_dir))
    if config.max_items is not None:
        items = items[: config.max_items]
    rendered = render_feed(config, items)
    problems.extend(rendered.problems)
    files.append(OutputFile(FEED_FILE, rendered.xml))
    if skip_invalid:
        # the files were left out of the feed: their errors no longer stop the publish
        problems = [
            p
            if not p.is_error or Path(p.path) not in set(left_out)
            else Problem(p.path, p.field, p.message + " (left out: --skip-invalid)", p.line, Severity.WARNING)
            for p in problems
        ]
    return BuildOutput(
        rendered.xml,
        tuple(files),
        tuple(items),
        tuple(problems),
        read.skipped,
        tuple(left_out),
        read.episodes,
        manifest,
    )


def _duplicates(items: list[FeedItem], episodes_dir: Path) -> list[Problem]:
    problems = []
    for field_name, what, key in (
        ("guid", "guid", lambda i: i.guid),
        ("enclosure", "enclosure URL", lambda i: i.audio.url),
    ):
        for value, count in sorted(Counter(key(i) for i in items).items()):
            if count > 1:
                slugs = [i.slug for i in items if key(i) == value]
                problems.append(
                    Problem(
                        str(episodes_dir),
                        field_name,
                        f"{count} episodes share the {what} "
                        f"{value!r}: {', '.join(slugs)}; apps keep only one of them",
                    )
                )
    return problems


def check_feed(output: BuildOutput) -> tuple[Problem, ...]:
    """Validate the rendered feed the way ``feedtool validate`` does.

    A finding about an item names the episode file it came from, so the
    maintainer knows which file to open; channel findings name the feed.
    """
    report = validate_feed(output.feed_xml, name=FEED_FILE)
    paths = {e.slug: str(e.path) for e in output.episodes}
    source = {item.guid: paths.get(item.slug, FEED_FILE) for item in output.items}
    return tuple(
        Problem(
            source.get(issue.item, FEED_FILE),
            f"{issue.item}",
            f"{issue.code}: {issue.message}",
            None,
            Severity.ERROR if issue.severity == "error" else Severity.WARNING,
        )
        for issue in report.issues
        if issue.code not in _REPORTED_BY_THE_BUILD
    )


# validator findings the build has already reported, naming the episode file
_REPORTED_BY_THE_BUILD = frozenset({"enclosure-length-unknown"})


def build(
    config: Config,
    episodes_dir: Path,
    out_dir: Path,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    check: bool = False,
    use_cache: bool = True,
    allow_removal: bool = False,
    allow_guid_change: bool = False,
) -> BuildResult:
    """Prepare, validate, guard, then publish atomically.

    Raises BuildFailed (nothing written) on input or feed errors, PublishBlocked when
    the new feed would hurt subscribers. ``check`` reports what is out of date and
    writes nothing at all; ``dry_run`` runs every check but writes no output.
    """
    out_dir = Path(out_dir)
    policy = guard_policy(config.publish, allow_removal=allow_removal, allow_guid_change=allow_guid_change)
    cache = open_cache(config, episodes_dir, enabled=use_cache and not check)
    output = prepare_build(config, episodes_dir, skip_invalid=skip_invalid, cache=cache)
    if not check:
        cache.save()
    validation = check_feed(output)
    output = replace(output, problems=output.problems + validation)
    if output.errors:
        raise BuildFailed(f"{len(output.errors)} error(s); nothing was published", output.problems)
    if check:
        return BuildResult(output, PublishResult((), ()), pending_changes(out_dir, output.files), cache.stats)
    state = state_dir(config)
    record = load_record(state, out_dir / FEED_FILE)
    violations = check_publish(record, output.items, policy)
    if violations:
        problems = output.problems + tuple(
            Problem(str(out_dir / FEED_FILE), v.kind, v.message) for v in violations
        )
        raise PublishBlocked(
            f"{len(violations)} change(s) would hurt subscribers; nothing was published", problems
        )
    if dry_run:
        return BuildResult(output, PublishResult((), ()), pending_changes(out_dir, output.files), cache.stats)
    published = publish(out_dir, output.files, last=FEED_FILE)
    save_record(state, record_from_items(output.items))
    return BuildResult(output, published, (), cache.stats)
