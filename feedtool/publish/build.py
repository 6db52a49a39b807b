"""The build: episodes folder in, feed + chapters + transcripts out.

``prepare_build`` is pure (reads inputs, returns bytes and problems);
``build`` validates that result and only then hands it to the writer, so a
failed build never touches previously published files.
"""

from __future__ import annotations

import gc
import html
import multiprocessing
import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache, partial
from pathlib import Path

from feedtool.config import Config, state_dir
from feedtool.errors import BuildFailed, PublishBlocked, UsageError
from feedtool.model import Audio, Episode, Problem, ReadResult, Severity, Skipped
from feedtool.output import OutputFile, PublishResult, check_folder, is_full, pending_changes, publish
from feedtool.publish.guards import (
    RECORD_FILE,
    check_publish,
    commit_record,
    guard_policy,
    read_record,
    record_from_items,
    stage_record,
)
from feedtool.read.anchor import anchor_id_from_episode_field
from feedtool.read.cache import CACHE_DIR, CacheStats, EpisodeCache
from feedtool.read.episodes import read_episodes
from feedtool.read.media_manifest import load_manifest
from feedtool.read.people import PeopleDirectory
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

    def counts(self) -> str:
        """What the feed holds: ``4 episodes, 4 with chapters, 4 with transcripts, 4 parsed, 0 from cache``
        (drafts skipped and files left out with errors only when there are some)."""
        out = self.output
        parts = [
            f"{len(out.items)} episodes",
            f"{sum(1 for i in out.items if i.chapters)} with chapters",
            f"{sum(1 for i in out.items if i.transcripts)} with transcripts",
        ]
        if out.skipped:
            parts.append(f"{len(out.skipped)} drafts skipped")
        if out.left_out:
            parts.append(f"{len(out.left_out)} left out with errors")
        if self.cache is not None and self.cache.path_used:
            parts.append(f"{self.cache.misses} parsed, {self.cache.hits} from cache")
        return ", ".join(parts)

    def summary(self) -> str:
        """The one-line report of a publish: ``counts()``, then files written and warnings."""
        return (
            f"{self.counts()}; {len(self.published.written)} file(s) written, "
            f"{len(self.published.unchanged)} unchanged; {len(self.output.warnings)} warning(s)"
        )


def people_folder(config: Config, episodes_dir: Path) -> Path:
    """``people:`` from the config, else a ``people/`` folder beside the episodes folder."""
    return config.people_dir or episodes_dir.resolve().parent / "people"


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


def _render_transcript(cues: Callable[[], tuple[transcripts_mod.Cue, ...]], fmt: str) -> bytes:
    return transcripts_mod.FORMATTERS[fmt](cues()).encode("utf-8")


# Transcripts are most of a cold build's time: with more than this many to render, a pool of
# two forked processes renders them (below that, starting the pool costs more than it saves).
POOL_MIN_EPISODES = 50
POOL_WORKERS = 2
_POOL_EPISODES: list[Episode] = []  # what the forked workers render, by index (no pickling in)


def _render_in_worker(job: tuple[int, tuple[str, ...]]) -> dict[str, bytes]:
    index, formats = job
    rendered = transcripts_mod.render_transcripts(_POOL_EPISODES[index], formats)
    return {fmt: text.encode("utf-8") for fmt, text in rendered.items()}


def _prerender_transcripts(
    episodes: list[Episode], config: Config, renderer: EpisodeCache
) -> dict[str, dict[str, bytes]]:
    """The transcripts the cache does not hold yet, rendered in a process pool when there are
    enough of them; {} otherwise (they are rendered one by one as before). The bytes are
    those of the same function in one process: the pool only changes who computes them."""
    global _POOL_EPISODES
    formats = tuple(config.transcript_formats)
    if not formats or (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return {}
    todo = [e for e in episodes if _transcripts_to_render(e, formats, renderer)]
    if len(todo) <= POOL_MIN_EPISODES:
        return {}
    _POOL_EPISODES = todo
    try:
        with multiprocessing.get_context("fork").Pool(POOL_WORKERS) as pool:
            results = pool.map(_render_in_worker, [(i, formats) for i in range(len(todo))], chunksize=4)
    finally:
        _POOL_EPISODES = []
    return {e.path.name: r for e, r in zip(todo, results, strict=True)}


def _transcripts_to_render(episode: Episode, formats: tuple[str, ...], renderer: EpisodeCache) -> bool:
    name = episode.path.name
    if renderer.path is not None and name in renderer.entries:
        held = renderer.rendered.get(name, {})
        if all(f"transcript.{fmt}" in held for fmt in formats):
            return False
    return transcripts_mod.has_transcript(episode)


def sort_key(episode: Episode) -> tuple:
    """Newest first; ties broken by season/episode number, then slug, for a stable order."""
    return (-episode.pub_date.timestamp(), -(episode.season or 0), -(episode.episode or 0), episode.slug)


def open_cache(config: Config, episodes_dir: Path, enabled: bool = True) -> EpisodeCache:
    """The episode cache for this config and folder (a disabled one for ``--no-cache``)."""
    context = (
        f"{config.timezone}|{people_folder(config, episodes_dir)}|{Path(episodes_dir).resolve()}|"
        f"{config.image_base_url or config.link}"
    )
    return EpisodeCache.open(state_dir(config) / CACHE_DIR if enabled else None, context)


def require_episodes_folder(episodes_dir: Path) -> Path:
    """``episodes_dir``, or UsageError (exit 2 in every command) when it is not a folder."""
    folder = Path(episodes_dir)
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "episodes folder not found"
        raise UsageError(f"{folder}: {what} (pass --episodes DIR)")
    return folder


def read_show(config: Config, episodes_dir: Path, cache: EpisodeCache | None = None) -> ReadResult:
    """Every episode of the show, with guest profiles from the configured people folder."""
    require_episodes_folder(episodes_dir)
    people = PeopleDirectory(people_folder(config, episodes_dir), config.image_base_url or config.link)
    return read_episodes(Path(episodes_dir), people, config.tz, cache)


def prepare_build(
    config: Config, episodes_dir: Path, *, skip_invalid: bool = False, cache: EpisodeCache | None = None
) -> BuildOutput:
    """Read, derive and render everything; write nothing (but the cache, when given)."""
    episodes_dir = require_episodes_folder(episodes_dir)
    read = read_show(config, episodes_dir, cache)
    manifest = load_manifest(episodes_dir)
    problems: list[Problem] = list(read.problems)
    left_out = list(read.failed)
    renderer = cache if cache is not None else EpisodeCache(None, "")
    files: list[OutputFile] = []
    items: list[FeedItem] = []
    prerendered = _prerender_transcripts(list(read.episodes), config, renderer)
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
        item, item_files, item_problems = _episode_item(
            episode, audio, config, renderer, prerendered.get(episode.path.name, {})
        )
        items.append(item)
        files += item_files
        problems += item_problems
    problems.extend(_duplicates(items, episodes_dir))
    if config.max_items is not None:
        items = items[: config.max_items]
    rendered = render_feed(config, items)
    problems.extend(rendered.problems)
    files.append(OutputFile(FEED_FILE, rendered.xml))
    if skip_invalid:
        # the files were left out of the feed: their errors no longer stop the publish
        left_out_set = set(left_out)
        problems = [
            p
            if not p.is_error or Path(p.path) not in left_out_set
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


def _episode_item(
    episode: Episode,
    audio: Audio,
    config: Config,
    renderer: EpisodeCache,
    prerendered: Mapping[str, bytes] | None = None,
) -> tuple[FeedItem, list[OutputFile], list[Problem]]:
    """One episode's feed item, its chapters and transcript files, and what was noticed on the way."""
    problems: list[Problem] = []
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
    files: list[OutputFile] = []
    chapters_url = None
    if chapters:
        rel = f"chapters/{episode.slug}.json"
        json_chapters = chapters_mod.to_json(chapters, title=episode.title, podcast_name=config.title)
        files.append(OutputFile(rel, json_chapters.encode("utf-8")))
        chapters_url = config.output_url(rel)
    transcript_links: list[TranscriptLink] = []
    for fmt, file in _transcript_files(episode, config, renderer, prerendered or {}):
        files.append(file)
        transcript_links.append(TranscriptLink(config.output_url(file.relpath), fmt))
    item = FeedItem(
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
    return item, files, problems


def _transcript_files(
    episode: Episode, config: Config, renderer: EpisodeCache, prerendered: Mapping[str, bytes]
) -> list[tuple[str, OutputFile]]:
    """(format, file) for each configured transcript format; none for an episode without a transcript."""
    if not transcripts_mod.has_transcript(episode):
        return []
    cues = cache(partial(transcripts_mod.build_cues, episode))  # one cue pass for every format
    return [
        (
            fmt,
            OutputFile(
                f"transcripts/{episode.slug}.{fmt}",
                renderer.rendered_output(
                    episode.path.name,
                    f"transcript.{fmt}",
                    partial(prerendered.__getitem__, fmt)
                    if fmt in prerendered
                    else partial(_render_transcript, cues, fmt),
                ),
            ),
        )
        for fmt in config.transcript_formats
    ]


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
            issue.severity,
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
    check_folder(out_dir, "the output folder", _OUT_HINT, writable=not (check or dry_run))
    policy = guard_policy(config.publish, allow_removal=allow_removal, allow_guid_change=allow_guid_change)
    cache = open_cache(config, episodes_dir, enabled=use_cache)  # --check reads it, never saves it
    with _load_phase_gc():
        output = prepare_build(config, episodes_dir, skip_invalid=skip_invalid, cache=cache)
    if not check:
        cache.save()
    validation = check_feed(output)
    output = replace(output, problems=output.problems + validation + _cache_warnings(cache))
    if output.errors:
        raise BuildFailed(f"{len(output.errors)} error(s); nothing was published", output.problems)
    if check:
        return BuildResult(output, PublishResult((), ()), pending_changes(out_dir, output.files), cache.stats)
    state = state_dir(config)
    loaded = read_record(state, out_dir / FEED_FILE)
    output = replace(output, problems=output.problems + _record_warnings(loaded.path, loaded.notes))
    violations = check_publish(loaded.episodes, output.items, policy)
    if violations:
        problems = output.problems + tuple(
            Problem(str(out_dir / FEED_FILE), v.kind, v.message) for v in violations
        )
        raise PublishBlocked(
            f"{len(violations)} change(s) would hurt subscribers; nothing was published", problems
        )
    if dry_run:
        return BuildResult(output, PublishResult((), ()), pending_changes(out_dir, output.files), cache.stats)
    # the record first: a state folder too full for it stops the run before the feed changes
    try:
        staged = stage_record(state, record_from_items(output.items))
    except OSError as exc:
        raise _write_failed(output, exc, state / RECORD_FILE, "state_dir") from None
    try:
        published = publish(out_dir, output.files, last=FEED_FILE)
    except OSError as exc:
        staged.discard()
        raise _write_failed(output, exc, out_dir / FEED_FILE, "out") from None
    note = commit_record(staged)
    if note:
        output = replace(output, problems=output.problems + _record_warnings(staged.target, (note,)))
    return BuildResult(output, published, (), cache.stats)


@contextmanager
def _load_phase_gc() -> Iterator[None]:
    """Fewer garbage collections while episodes are read and rendered.

    The load builds millions of small objects that all stay alive (transcript rows), so
    each young-generation collection finds nothing to free, and the full collections it
    triggers walk the whole growing heap: at thousands of episodes that is most of the
    parse time. The objects alive before the build (modules, the config) are frozen out of
    the collector's view and the first threshold is raised; both are put back afterwards.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 50_000), threshold[1], max(threshold[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


_OUT_HINT = "pass --out DIR, a folder feedtool can write (it is created when missing)"


def _write_failed(output: BuildOutput, exc: OSError, fallback: Path, field_name: str) -> BuildFailed:
    """A write that failed before anything was published: the old feed is intact."""
    where = exc.filename or fallback
    if is_full(exc):
        advice = "free some space on its disk and run again"
    else:
        advice = "make the folder writable (or choose another) and run again"
    problem = Problem(
        str(where),
        field_name,
        f"cannot write it: {exc.strerror or exc}; {advice}; the published feed is unchanged",
    )
    return BuildFailed(f"cannot write {where}; nothing was published", (*output.problems, problem))


def _record_warnings(path: Path, notes: tuple[str, ...]) -> tuple[Problem, ...]:
    return tuple(Problem(str(path), "publish record", note, None, Severity.WARNING) for note in notes)


def _cache_warnings(cache: EpisodeCache) -> tuple[Problem, ...]:
    """The cache only saves time: an entry it could not save is a warning, never a failed build."""
    failed = cache.stats.write_failures
    if not failed or cache.path is None:
        return ()
    more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
    return (
        Problem(
            str(cache.path),
            "cache",
            f"could not save the episode cache: {failed[0]}{more}; the next run parses those episodes again",
            None,
            Severity.WARNING,
        ),
    )
