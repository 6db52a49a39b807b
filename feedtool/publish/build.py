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
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from feedtool.config import Config, state_dir
from feedtool.errors import BuildFailed, PublishBlocked
from feedtool.media.probe import DEFAULT_TIMEOUT as PROBE_TIMEOUT
from feedtool.media.probe import OFFLINE_REASON, PROBE_FILE, MediaProber
from feedtool.media.resolve import HostFacts, facts_from_entry, facts_from_item, resolve_media
from feedtool.model import Audio, Episode, Problem, Severity, Skipped
from feedtool.output import OutputFile, PublishResult, check_folder, is_full, pending_changes, publish
from feedtool.publish.filerecord import load_record, save_record
from feedtool.publish.guards import (
    RECORD_FILE,
    GuardPolicy,
    PublishedEpisode,
    check_publish,
    commit_record,
    guard_policy,
    read_record,
    record_date,
    record_from_items,
    stage_record,
)
from feedtool.publish.notify import Notice, notify_published
from feedtool.publish.summary import accepted_text, file_names
from feedtool.read.anchor import anchor_id_from_episode_field
from feedtool.read.cache import CacheStats, EpisodeCache
from feedtool.read.media_manifest import MANIFEST_NAME, ManifestFile, load_entries
from feedtool.read.show import open_cache as open_cache  # (re-exported: where they were defined)
from feedtool.read.show import people_folder as people_folder
from feedtool.read.show import read_show as read_show
from feedtool.read.show import require_episodes_folder as require_episodes_folder
from feedtool.read.shownotes import absolute_links, html_to_text
from feedtool.render import chapters as chapters_mod
from feedtool.render import transcripts as transcripts_mod
from feedtool.render.feed import ARCHIVE_PAGE, FeedItem, TranscriptLink, render_pages
from feedtool.render.site import site_pages, transcript_section
from feedtool.render.speakers import with_display_names
from feedtool.render.urls import episode_image_url, episode_page_url
from feedtool.rss.validate import Issue, validate_feed
from feedtool.warning_codes import BY_CODE, LEFT_OUT, accept

if TYPE_CHECKING:  # (loaded when the config names a host_feed: most builds read none)
    from feedtool.media.hostfeed import HostFeed

FEED_FILE = "feed.xml"

# ``progress(stage, done, total)``: "read" and "render" per episode, "validate" once
Progress = Callable[[str, int, int], None]


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
    # slug -> its media file as resolved (media.yaml, host feed, local copy, server), for the link check
    manifest: Mapping[str, Audio] = field(default_factory=dict)
    held_back: tuple[Skipped, ...] = ()  # readable episodes left out of the feed, and why (no date)
    guid_sources: Mapping[str, str] = field(default_factory=dict)  # slug -> what gave its guid
    host_unmatched: int = 0  # host feed items no episode file matched
    unknown_sizes: tuple[str, ...] = ()  # slugs whose enclosure size nothing could tell
    offline_unknown: tuple[str, ...] = ()  # ... of which --offline kept the server from being asked
    # warnings the show accepts (warnings.ignore, an episode's ignore_warnings): counted, not reported
    accepted: tuple[Problem, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    def notes(self) -> list[str]:
        """Summary parts beyond the counts: ``2 held back: no date``, host items without a file,
        enclosure sizes ``--offline`` left unknown."""
        parts = []
        if self.held_back:
            reasons = Counter(h.reason for h in self.held_back)
            if len(reasons) == 1:
                parts.append(f"{len(self.held_back)} held back: {self.held_back[0].reason}")
            else:
                detail = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
                parts.append(f"{len(self.held_back)} held back: {detail}")
        if self.host_unmatched:
            parts.append(f"{self.host_unmatched} host item(s) without an episode file")
        if self.offline_unknown:
            parts.append(f"--offline: {len(self.offline_unknown)} enclosure size(s) not asked, left unknown")
        return parts

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)


@dataclass(frozen=True)
class BuildResult:
    output: BuildOutput
    published: PublishResult
    pending: tuple[str, ...] = ()  # with check=True: the files that are out of date
    cache: CacheStats | None = None
    notices: tuple[Notice, ...] = ()  # WebSub / Podping, after a publish that changed feed.xml

    def counts(self) -> str:
        """What the feed holds, for a summary line: ``4 episodes, 4 with chapters, 4 with
        transcripts, 4 parsed, 0 from cache`` (drafts skipped, by name, and files left out with
        errors only when there are some). The one writer of it: ``build``, ``--dry-run`` and
        ``run`` all print this."""
        out = self.output
        parts = [
            f"{len(out.items)} episodes",
            f"{sum(1 for i in out.items if i.chapters)} with chapters",
            f"{sum(1 for i in out.items if i.transcripts)} with transcripts",
        ]
        if out.skipped:
            drafts = "draft" if len(out.skipped) == 1 else "drafts"
            parts.append(f"{len(out.skipped)} {drafts} skipped ({file_names(s.path for s in out.skipped)})")
        if out.left_out:
            parts.append(f"{len(out.left_out)} left out with errors")
        parts += out.notes()
        if self.cache is not None and self.cache.path_used:
            parts.append(f"{self.cache.parsed} parsed, {self.cache.hits} from cache")
        return ", ".join(parts)

    def warning_count(self) -> str:
        """``8 warning(s)``, then what the show accepts: ``, 27 accepted (psc-chapters-first 25, ...)``."""
        return f"{len(self.output.warnings)} warning(s){accepted_text(self.output.accepted)}"

    def summary(self) -> str:
        """The one-line report of a publish: ``counts()``, files written, ``warning_count()``."""
        return (
            f"{self.counts()}; {len(self.published.written)} file(s) written, "
            f"{len(self.published.unchanged)} unchanged; {self.warning_count()}"
        )


def item_guid(
    episode: Episode, host_guid: str | None, config: Config, host_source: str = MANIFEST_NAME
) -> tuple[str, str, Problem | None]:
    """A guid that never changes once published, and the field it came from.

    Explicit ``guid:`` first, then the host's guid (``media.yaml``, then the host
    feed: moving a feed duplicates nothing), then a UUIDv5 of a platform id that
    survives title and file-name changes (``ids.anchor``'s episode id, then
    ``ids.youtube``). Only as a last resort the slug, with a warning: renaming
    the file would then change the guid.
    """
    if episode.guid:
        return episode.guid, "guid", None
    if host_guid:
        return host_guid, f"{host_source} guid", None
    namespace = uuid.UUID(config.podcast_guid) if _is_uuid(config.podcast_guid) else uuid.NAMESPACE_URL
    # "datatalksclub/episodes/Title---Guest-e26d01c" and "Title---Guest-e26d01c" name the
    # same episode: its id is the last "-e..." token, which survives title edits.
    anchor = anchor_id_from_episode_field(episode.id("anchor"))
    if anchor:
        return str(uuid.uuid5(namespace, f"anchor:{anchor}")), "ids.anchor", None
    youtube = episode.id("youtube")
    if youtube:
        return str(uuid.uuid5(namespace, f"youtube:{youtube}")), "ids.youtube", None
    return (
        str(uuid.uuid5(namespace, f"slug:{episode.slug}")),
        "file name",
        Problem(
            str(episode.path),
            "guid",
            "no guid:, ids.anchor or ids.youtube: the guid derives from the "
            "file name, so renaming the file would re-publish the episode; add a guid: that never changes",
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
POOL_AHEAD = 16  # episodes the workers render ahead of the loop that writes them
_POOL_EPISODES: list[Episode] = []  # what the forked workers render, by index (no pickling in)


SITE_TRANSCRIPT = "site.transcript"  # the show page's transcript section, kept like the transcripts


def _render_in_worker(job: tuple[int, tuple[str, ...], bool]) -> dict[str, bytes]:
    """Rendered outputs by what the cache calls them: ``transcript.FMT``, and the show page's
    transcript section when ``site``; from one cue pass."""
    index, formats, site = job
    cues = transcripts_mod.build_cues(_POOL_EPISODES[index])
    rendered = {f"transcript.{fmt}": transcripts_mod.FORMATTERS[fmt](cues) for fmt in formats}
    if site:
        rendered[SITE_TRANSCRIPT] = transcript_section(cues)
    return {what: text.encode("utf-8") for what, text in rendered.items()}


@contextmanager
def _prerendered(
    episodes: list[Episode], config: Config, renderer: EpisodeCache
) -> Iterator[Callable[[str], dict[str, bytes]]]:
    """A lookup, episode file name -> the transcripts (and show-page transcript section) the
    cache does not hold yet, by ``transcript.FMT`` / ``SITE_TRANSCRIPT``, rendered in a process
    pool when there are enough of them ({} for the others: they are rendered one by one). The
    bytes are those of the same functions in one process: the pool only changes who computes
    them. Asked in the order of ``episodes``, the render loop's: the workers stay a few episodes
    ahead, so at most that many episodes' outputs wait in memory."""
    global _POOL_EPISODES
    wanted = tuple(f"transcript.{fmt}" for fmt in config.transcript_formats)
    wanted += (SITE_TRANSCRIPT,) if config.site else ()
    todo: list[Episode] = []
    if wanted and (os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods():
        todo = [e for e in episodes if _transcripts_to_render(e, wanted, renderer)]
    if len(todo) <= POOL_MIN_EPISODES:
        yield lambda name: {}
        return
    _POOL_EPISODES = todo
    formats = tuple(config.transcript_formats)
    index = {e.path.name: i for i, e in enumerate(todo)}
    try:
        with multiprocessing.get_context("fork").Pool(POOL_WORKERS) as pool:
            pending: deque[tuple[int, Any]] = deque()
            submitted = 0

            def lookup(name: str) -> dict[str, bytes]:
                nonlocal submitted
                i = index.get(name)
                if i is None:
                    return {}
                while submitted < min(len(todo), i + POOL_AHEAD):
                    pending.append(
                        (submitted, pool.apply_async(_render_in_worker, ((submitted, formats, config.site),)))
                    )
                    submitted += 1
                j, result = pending.popleft()
                assert j == i, "the pool's episodes are asked for in the order they were given"
                return result.get()

            yield lookup
    finally:
        _POOL_EPISODES = []


def _site_section(episode: Episode, config: Config, pooled: Mapping[str, bytes]) -> bytes:
    """The show page's transcript section of ``episode`` (``render.site``), from the pool when it
    rendered it."""
    if SITE_TRANSCRIPT in pooled:
        return pooled[SITE_TRANSCRIPT]
    if not transcripts_mod.has_transcript(episode):
        return b""
    cues = transcripts_mod.build_cues(with_display_names(episode, dict(config.speakers)))
    return transcript_section(cues).encode("utf-8")


def _transcripts_to_render(episode: Episode, wanted: tuple[str, ...], renderer: EpisodeCache) -> bool:
    name = episode.path.name
    if all(renderer.holds(name, what) for what in wanted):
        return False
    return transcripts_mod.has_transcript(episode)


def sort_key(episode: Episode, pub_date: datetime | None = None) -> tuple:
    """Newest first; ties broken by season/episode number, then slug, for a stable order.
    ``pub_date`` is the date the build settled on (the file's, the host's or the record's)."""
    when = pub_date or episode.pub_date
    assert when is not None, "episodes without a date are held back before they are sorted"
    return (-when.timestamp(), -(episode.season or 0), -(episode.episode or 0), episode.slug)


@dataclass(frozen=True)
class _Planned:
    """An episode headed for the feed: its media, guid and date settled."""

    episode: Episode
    audio: Audio
    guid: str
    guid_field: str  # what gave the guid: "guid", "media.yaml guid", "host feed guid", "ids.anchor"...
    pub_date: datetime


def prepare_build(
    config: Config,
    episodes_dir: Path,
    *,
    skip_invalid: bool = False,
    cache: EpisodeCache | None = None,
    progress: Progress | None = None,
    host: HostFeed | None = None,
    record: Mapping[str, PublishedEpisode] | None = None,
    prober: MediaProber | None = None,
) -> BuildOutput:
    """Read, derive and render everything; write nothing (but the cache, when given).

    ``host`` is the host feed to take guids, dates and enclosures from, ``record``
    what was published before (dates of episodes whose file has none, and who keeps
    a guid two files claim), ``prober`` what asks media servers for unknown sizes
    (None: nobody is asked).
    """
    episodes_dir = require_episodes_folder(episodes_dir)
    read = read_show(config, episodes_dir, cache, partial(progress, "read") if progress else None)
    entries = load_entries(episodes_dir)
    problems: list[Problem] = [*read.problems, *config.problems, *entries.problems]
    left_out = list(read.failed)
    facts, host_problems, host_unmatched = _host_facts(host, entries, read.episodes)
    problems += host_problems
    planned, held_back, resolved, plan_problems, no_media = _plan_items(
        read.episodes, config, episodes_dir, facts, record, host is not None or bool(entries.entries)
    )
    problems += plan_problems
    left_out += no_media
    planned, unknown = _ask_sizes(planned, prober)
    resolved.update({p.episode.slug: p.audio for p in planned})
    planned, collisions = _settle_guid_claims(planned, record, episodes_dir)
    problems += collisions
    left_out += [Path(p.path) for p in collisions if p.path != str(episodes_dir)]
    renderer = cache if cache is not None else EpisodeCache(None, "")
    files: list[OutputFile] = []
    items: list[FeedItem] = []
    speakers = dict(config.speakers)
    ordered = sorted(planned, key=lambda p: sort_key(p.episode, p.pub_date))
    sections: dict[str, str] = {}  # show-page transcript sections, without a cache to keep them
    shown = [with_display_names(p.episode, speakers) for p in ordered]
    with _prerendered(shown, config, renderer) as pooled:
        for done, plan in enumerate(ordered, 1):
            if progress is not None:
                progress("render", done, len(planned))
            name = plan.episode.path.name
            outputs = pooled(name)
            item, item_files, item_problems = _episode_item(
                plan, config, renderer, unknown.get(plan.episode.slug), outputs
            )
            items.append(item)
            problems += item_problems
            if config.site and not renderer.holds(name, SITE_TRANSCRIPT):  # (the page reads it)
                section = renderer.rendered_output(
                    name, SITE_TRANSCRIPT, partial(_site_section, plan.episode, config, outputs)
                )
                if renderer.path is None:
                    sections[name] = section.decode("utf-8")
            del outputs
            renderer.flush(name)  # the entry is whole: written now, its bytes let go of
            files += _with_digests(item_files, renderer, name)
    problems.extend(_duplicates(items, episodes_dir, {p.episode.slug: p.guid_field for p in planned}))
    if config.max_items is not None:
        problems.extend(_max_items_warning(config, len(items)))
        items = items[: config.max_items]
    feed_xml, page_files, page_problems = _feed_and_pages(config, items, read.episodes, renderer, sections)
    files += page_files
    problems += [p for p in page_problems if p not in problems]
    if skip_invalid:
        problems = _demote_left_out(problems, left_out)
    return BuildOutput(
        feed_xml,
        tuple(files),
        tuple(items),
        tuple(problems),
        read.skipped,
        tuple(left_out),
        read.episodes,
        MappingProxyType(resolved),
        tuple(held_back),
        MappingProxyType({p.episode.slug: p.guid_field for p in planned}),
        host_unmatched,
        tuple(sorted(unknown)),
        tuple(sorted(slug for slug, why in unknown.items() if why.endswith(OFFLINE_REASON))),
    )


def _plan_items(
    episodes: tuple[Episode, ...],
    config: Config,
    episodes_dir: Path,
    facts: Mapping[str, list[HostFacts]],
    record: Mapping[str, PublishedEpisode] | None,
    has_host_source: bool,
) -> tuple[list[_Planned], list[Skipped], dict[str, Audio], list[Problem], list[Path]]:
    """Each episode's media file, guid and date: (planned items, held back (no date), slug ->
    media file, problems, files left out for having no media file)."""
    planned: list[_Planned] = []
    held_back: list[Skipped] = []
    resolved: dict[str, Audio] = {}
    problems: list[Problem] = []
    no_media: list[Path] = []
    for episode in episodes:
        media = resolve_media(episode, config, episodes_dir, facts.get(episode.slug, ()))
        problems += media.problems
        if media.audio is None:
            problems.append(
                Problem(
                    str(episode.path),
                    "audio",
                    "no media file: add audio: {url, length, type} "
                    "to the episode, run feedtool import-media, or set media_url in the config",
                )
            )
            no_media.append(episode.path)
            continue
        resolved[episode.slug] = media.audio
        guid, guid_field, guid_problem = item_guid(
            episode, media.host_guid, config, media.guid_source or MANIFEST_NAME
        )
        if guid_problem:
            problems.append(guid_problem)
        pub_date = episode.pub_date or media.host_date or record_date(record, guid)
        if pub_date is None:
            held_back.append(Skipped(episode.path, "no date"))
            problems.append(_held_back_problem(episode, has_host_source))
            continue
        planned.append(_Planned(episode, media.audio, guid, guid_field, pub_date))
    return planned, held_back, resolved, problems, no_media


def _feed_and_pages(
    config: Config,
    items: list[FeedItem],
    episodes: tuple[Episode, ...],
    renderer: EpisodeCache,
    sections: Mapping[str, str],
) -> tuple[bytes, list[OutputFile], list[Problem]]:
    """feed.xml's bytes, then its files: the feed, its archive pages (``feed.page_size``) and the
    show page (``site``); the renderer's problems, each once, naming the episode file."""
    pages = render_pages(config, items, FEED_FILE)  # feed.xml, then archive/page-K.xml
    files_by_slug = {e.slug: str(e.path) for e in episodes}
    files: list[OutputFile] = []
    problems: list[Problem] = []
    for relpath, page in pages:
        for p in page.problems:  # each page repeats the channel: its problems once
            named = replace(p, path=files_by_slug.get(p.path, p.path))
            if named not in problems:
                problems.append(named)
        files.append(OutputFile(relpath, page.xml))
    if config.site:  # the show page: index.html and episodes/SLUG.html

        def reuse(episode: Episode, render: Callable[[], str]) -> str:
            name = episode.path.name
            if name in sections:
                return sections[name]
            return renderer.rendered_output(name, SITE_TRANSCRIPT, lambda: render().encode("utf-8")).decode(
                "utf-8"
            )

        files.extend(
            OutputFile(relpath, page) for relpath, page in site_pages(config, items, episodes, reuse)
        )
    return pages[0][1].xml, files, problems


def _demote_left_out(problems: list[Problem], left_out: list[Path]) -> list[Problem]:
    """``--skip-invalid``: the files were left out of the feed, so their errors no longer stop
    the publish; each stays listed, as a ``left-out`` warning."""
    left_out_set = set(left_out)
    return [
        p
        if not p.is_error or Path(p.path) not in left_out_set
        else Problem(
            p.path, p.field, p.message + " (left out: --skip-invalid)", p.line, Severity.WARNING, LEFT_OUT
        )
        for p in problems
    ]


def _max_items_warning(config: Config, count: int) -> list[Problem]:
    if config.max_items is None or count <= config.max_items:
        return []
    return [
        Problem(
            str(config.path),
            "max_items",
            f"the feed keeps the newest {config.max_items} of {count} episodes: subscribers lose the "
            f"{count - config.max_items} older ones; feed.page_size keeps them in archive pages",
            None,
            Severity.WARNING,
        )
    ]


def _host_facts(
    host: HostFeed | None, entries: ManifestFile, episodes: tuple[Episode, ...]
) -> tuple[dict[str, list[HostFacts]], list[Problem], int]:
    """Per slug, what the host says about it (media.yaml first, then the host feed); the
    host feed's own problems (a last good copy used, items no file matches)."""
    facts: dict[str, list[HostFacts]] = {e.slug: [facts_from_entry(e)] for e in entries.entries}
    if host is None:
        return facts, [], 0
    problems = list(host.problems)
    from feedtool.media.hostfeed import match_host, match_problems

    result = match_host(host, episodes)
    if result is None:
        return facts, problems, 0
    for match in result.matches:
        facts.setdefault(match.slug, []).append(facts_from_item(match.item))
    problems += match_problems(host, result)
    return facts, problems, len(result.unmatched_items)


def _held_back_problem(episode: Episode, has_host: bool) -> Problem:
    where = "no host item gives a pubDate, " if has_host else "no host_feed or media.yaml entry gives one, "
    return Problem(
        str(episode.path),
        "dateadded",
        f"held back, not in the feed: no publication date (no dateadded/date in the file, {where}"
        "and the publish record has none for its guid); add dateadded: YYYY-MM-DD to publish it",
        None,
        Severity.WARNING,
    )


def _ask_sizes(planned: list[_Planned], prober: MediaProber | None) -> tuple[list[_Planned], dict[str, str]]:
    """Sizes (and types) nothing else told, from the media servers; slug -> why for what stays unknown."""
    wanted = [p for p in planned if p.audio.length is None or not p.audio.mime_type]
    if not wanted:
        return planned, {}
    if prober is None:
        return planned, {p.episode.slug: "no server was asked" for p in wanted if p.audio.length is None}
    outcome = prober.lookup(p.audio.url for p in wanted)
    unknown: dict[str, str] = {}
    out = []
    for plan in planned:
        answer = outcome.answers.get(plan.audio.url)
        if answer is not None:
            audio = replace(
                plan.audio,
                length=plan.audio.length if plan.audio.length is not None else answer.length,
                mime_type=plan.audio.mime_type or answer.mime_type,
            )
            plan = replace(plan, audio=audio)
        elif plan.audio.url in outcome.failures and plan.audio.length is None:
            unknown[plan.episode.slug] = outcome.failures[plan.audio.url]
        out.append(plan)
    return out, unknown


def _settle_guid_claims(
    planned: list[_Planned], record: Mapping[str, PublishedEpisode] | None, episodes_dir: Path
) -> tuple[list[_Planned], list[Problem]]:
    """A guid two files claim stays with the file the publish record gave it to; each other
    claimant is refused (an error on its own file, so ``--skip-invalid`` can leave it out).
    Without a record that decides, nothing is settled here: ``_duplicates`` names them all."""
    by_guid: dict[str, list[_Planned]] = {}
    for plan in planned:
        by_guid.setdefault(plan.guid, []).append(plan)
    refused: list[Problem] = []
    out = list(planned)
    for guid, claimants in sorted(by_guid.items()):
        published = (record or {}).get(guid)
        if len(claimants) < 2 or published is None:
            continue
        keeper = next((c for c in claimants if c.episode.slug == published.slug), None)
        if keeper is None:
            continue
        for other in claimants:
            if other is keeper:
                continue
            out.remove(other)
            refused.append(
                Problem(
                    str(other.episode.path),
                    other.guid_field,
                    f"claims guid {guid}, published for {keeper.episode.path} (its {keeper.guid_field}); "
                    f"{keeper.episode.path.name} keeps it, this file is refused: its {other.guid_field} "
                    f"gives the same guid (a copy-paste slip?); fix {other.guid_field} here, or give "
                    "this episode its own guid:",
                )
            )
    return out, refused


def _episode_item(
    plan: _Planned,
    config: Config,
    renderer: EpisodeCache,
    size_unknown: str | None = None,
    prerendered: Mapping[str, bytes] | None = None,
) -> tuple[FeedItem, list[OutputFile], list[Problem]]:
    """One episode's feed item, its chapters and transcript files, and what was noticed on the way."""
    episode, audio, guid = plan.episode, plan.audio, plan.guid
    problems: list[Problem] = []
    if audio.length is None:
        why = f" ({size_unknown})" if size_unknown else ""
        problems.append(
            Problem(
                str(episode.path),
                "audio.length",
                f'size of {audio.url} unknown: the enclosure says length="0"{why}; add audio.length (bytes)',
                None,
                Severity.WARNING,
            )
        )
    chapters, chapter_problems = chapters_mod.derive_chapters(episode, config.chapters_source)
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
    page = episode_page_url(episode, config)
    item = FeedItem(
        slug=episode.slug,
        guid=guid,
        title=episode.title,
        link=page,
        pub_date=plan.pub_date,
        description=_plain_description(episode),
        # in an app, /people/x and #part lead nowhere: links are made absolute against the page
        content_html=absolute_links(_intro_html(episode.intro) + episode.body_html, page),
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
        license=episode.license,
        txt=episode.txt,
    )
    return item, files, problems


def _with_digests(files: list[OutputFile], renderer: EpisodeCache, name: str) -> list[OutputFile]:
    """``files`` with the sha256 the entry now records for each transcript (the publish's
    record of it lets the next build leave the file unread)."""
    out = []
    for f in files:
        if f.digest is None and f.relpath.startswith("transcripts/"):
            f = replace(f, digest=renderer.stored_digest(name, "transcript." + f.relpath.rsplit(".", 1)[1]))
        out.append(f)
    return out


def _transcript_files(
    episode: Episode, config: Config, renderer: EpisodeCache, prerendered: Mapping[str, bytes]
) -> list[tuple[str, OutputFile]]:
    """(format, file) for each configured transcript format; none for an episode without a transcript."""
    if not transcripts_mod.has_transcript(episode):
        return []
    shown = with_display_names(episode, dict(config.speakers))
    cues = cache(partial(transcripts_mod.build_cues, shown))  # one cue pass for every format
    files = []
    for fmt in config.transcript_formats:
        what = f"transcript.{fmt}"
        first = (
            partial(prerendered.__getitem__, what)
            if what in prerendered
            else partial(_render_transcript, cues, fmt)
        )
        name = episode.path.name
        rel = f"transcripts/{episode.slug}.{fmt}"
        if renderer.path is None:
            files.append((fmt, OutputFile(rel, renderer.rendered_output(name, what, first))))
            continue
        if not renderer.holds(name, what):
            renderer.rendered_output(name, what, first)  # into the entry, once
        # the file's bytes are asked for when they are written (and not at all when the file
        # on disk is known to hold them: ``digest``): by then they are in the entry's file, not
        # in memory (rendered again, from the episode, if that fails)
        again = partial(_render_transcript, partial(transcripts_mod.build_cues, shown), fmt)
        source = partial(renderer.rendered_output, name, what, again)
        files.append((fmt, OutputFile(rel, source, renderer.stored_digest(name, what))))
    return files


def _duplicates(
    items: list[FeedItem], episodes_dir: Path, guid_fields: Mapping[str, str] | None = None
) -> list[Problem]:
    """Guids and enclosure URLs several items share that no publish record settled: all named,
    with the field each guid came from (``ids.anchor``: a copy-paste slip, usually)."""
    problems = []
    for field_name, what, key in (
        ("guid", "guid", lambda i: i.guid),
        ("enclosure", "enclosure URL", lambda i: i.audio.url),
    ):
        for value, count in sorted(Counter(key(i) for i in items).items()):
            if count > 1:
                slugs = [i.slug for i in items if key(i) == value]
                if field_name == "guid" and guid_fields:
                    slugs = [f"{slug}.md ({guid_fields.get(slug, 'guid')})" for slug in slugs]
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

    A finding about an item names the episode file it came from and the field
    to look at there (``chapters`` for ``psc-chapters-first``), so the maintainer
    knows what to open; the feed's line goes in the message. Channel findings
    name the feed and its line. The check's code is the problem's code.
    """
    paths = {e.slug: str(e.path) for e in output.episodes}
    source = {item.guid: paths[item.slug] for item in output.items if item.slug in paths}
    # the archive pages of a paged feed (feed.page_size) are feeds too: every one must validate
    feeds = [(FEED_FILE, output.feed_xml)] + [(f.relpath, f.data) for f in output.files if is_archive_page(f)]
    problems = []
    for name, xml in feeds:
        for issue in validate_feed(xml, name=name).issues:
            if issue.code in _REPORTED_BY_THE_BUILD:
                continue
            problems.append(_finding(issue, name, source.get(issue.item)))
    return tuple(problems)


def _finding(issue: Issue, feed_name: str, episode_file: str | None) -> Problem:
    """A validator finding as a build problem: about an item, it names the episode file."""
    severity = Severity.ERROR if issue.severity is Severity.ERROR else Severity.WARNING
    row = BY_CODE.get(issue.code)
    if episode_file is None:
        return Problem(feed_name, issue.item, issue.message, issue.line, severity, issue.code)
    where = f" ({feed_name} line {issue.line})" if issue.line is not None else ""
    field_name = row.episode_field if row is not None else "feed"
    return Problem(episode_file, field_name, issue.message + where, None, severity, issue.code)


def is_archive_page(file: OutputFile) -> bool:
    return file.relpath.startswith(ARCHIVE_PAGE.split("{", 1)[0])


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
    progress: Progress | None = None,
    offline: bool = False,
) -> BuildResult:
    """Prepare, validate, guard, then publish atomically.

    Raises BuildFailed (nothing written) on input or feed errors, PublishBlocked when
    the new feed would hurt subscribers. ``check`` reports what is out of date and
    writes nothing at all; ``dry_run`` runs every check but writes no output.
    Warnings the config's ``warnings.ignore`` or an episode's ``ignore_warnings``
    accept move from ``problems`` to ``accepted``.

    The cache is saved whether the build succeeds or not (a failed build's parsing
    is not done twice), but only a build that succeeds settles its entries: the
    next build counts as "from cache" only what a successful build left.
    ``offline`` sends no request: the host feed's last good copy and the cached
    enclosure sizes are used, and what they do not tell stays unknown.
    """
    out_dir = Path(out_dir)
    check_folder(out_dir, "the output folder", _OUT_HINT, writable=not (check or dry_run))
    policy = guard_policy(config.publish, allow_removal=allow_removal, allow_guid_change=allow_guid_change)
    state = state_dir(config)
    cache = open_cache(config, episodes_dir, enabled=use_cache)  # --check reads it, never saves it
    cache.writable = not check
    loaded = read_record(state, out_dir / FEED_FILE)
    host = None
    if config.host_feed:
        from feedtool.media.hostfeed import load_host_feed

        host = load_host_feed(config.host_feed, state, offline=offline, save=not check)
    prober = MediaProber(
        state / PROBE_FILE,
        allow_private=config.links.allow_private,
        offline=offline,
        timeout=min(config.links.timeout, PROBE_TIMEOUT),
    )
    with _load_phase_gc():
        output = prepare_build(
            config,
            episodes_dir,
            skip_invalid=skip_invalid,
            cache=cache,
            progress=progress,
            host=host,
            record=loaded.episodes,
            prober=prober,
        )
    output = replace(output, problems=output.problems + _record_warnings(loaded.path, loaded.notes))
    if not check:
        prober.save()
    try:
        result = _check_and_publish(
            output,
            config,
            out_dir,
            cache,
            policy,
            loaded.episodes,
            check=check,
            dry_run=dry_run,
            progress=progress,
        )
    except BuildFailed as exc:
        # a failed build's parsing is kept (not settled); a cache it could not save is still said
        if not check:
            cache.save()
        exc.problems = exc.problems + _cache_warnings(cache)
        raise
    if not check:
        cache.settle()
        cache.save()
    # saved after the publish: an entry it could not write is a warning, never a failed build
    cache_warnings = _cache_warnings(cache)
    if cache_warnings:
        result = replace(
            result, output=replace(result.output, problems=result.output.problems + cache_warnings)
        )
    return result


def _check_and_publish(
    output: BuildOutput,
    config: Config,
    out_dir: Path,
    cache: EpisodeCache,
    policy: GuardPolicy,
    record: Mapping[str, PublishedEpisode] | None,
    *,
    check: bool,
    dry_run: bool,
    progress: Progress | None,
) -> BuildResult:
    """Validate, accept what the show accepts, guard, then publish (unless ``check``/``dry_run``)."""
    if progress is not None:
        progress("validate", 1, 1)
    problems, accepted = accept(output.problems + check_feed(output), config.warnings_ignore, output.episodes)
    output = replace(output, problems=problems, accepted=accepted)
    if output.errors:
        raise BuildFailed(
            f"{len(output.errors)} error(s); nothing was published", output.problems, output.accepted
        )
    if check:
        return BuildResult(output, PublishResult((), ()), pending_changes(out_dir, output.files), cache.stats)
    violations = check_publish(
        record, output.items, policy, guid_sources=output.guid_sources, feed_url=config.feed_url
    )
    if violations:
        problems = output.problems + tuple(
            Problem(str(out_dir / FEED_FILE), v.kind, v.message) for v in violations
        )
        raise PublishBlocked(
            f"{len(violations)} change(s) would hurt subscribers; nothing was published",
            problems,
            output.accepted,
        )
    if dry_run:
        return BuildResult(output, PublishResult((), ()), pending_changes(out_dir, output.files), cache.stats)
    return _publish(output, config, out_dir, state_dir(config), cache)


def _publish(
    output: BuildOutput, config: Config, out_dir: Path, state: Path, cache: EpisodeCache
) -> BuildResult:
    """The record staged first (a state folder too full for it stops the run before the feed
    changes), then the outputs with the feed last, then the record put in place."""
    try:
        staged = stage_record(state, record_from_items(output.items))
    except OSError as exc:
        raise _write_failed(output, exc, state / RECORD_FILE, "state_dir") from None
    try:
        published = publish(out_dir, output.files, last=FEED_FILE, known=load_record(state, out_dir))
    except OSError as exc:
        staged.discard()
        raise _write_failed(output, exc, out_dir / FEED_FILE, "out") from None
    save_record(state, out_dir, published.record)
    note = commit_record(staged)
    if note:
        output = replace(output, problems=output.problems + _record_warnings(staged.target, (note,)))
    notices = notify_published(config, published.written, FEED_FILE)  # after the publish, never undoing it
    return BuildResult(output, published, (), cache.stats, notices)


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
