"""A show's episodes as the commands read them: the configured people folder and the
episode cache. Here, not in ``publish.build``, so that a command that only reads (``feedtool
links``) does not import the feed renderer and validator to do it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from feedtool.config import Config, state_dir
from feedtool.errors import UsageError
from feedtool.model import ReadResult
from feedtool.read.cache import CACHE_DIR, EpisodeCache
from feedtool.read.episodes import read_episodes
from feedtool.read.people import PeopleDirectory


def people_folder(config: Config, episodes_dir: Path) -> Path:
    """``people:`` from the config, else a ``people/`` folder beside the episodes folder."""
    return config.people_dir or episodes_dir.resolve().parent / "people"


def open_cache(config: Config, episodes_dir: Path, enabled: bool = True) -> EpisodeCache:
    """The episode cache for this config and folder (a disabled one for ``--no-cache``)."""
    context = (
        f"{config.timezone}|{people_folder(config, episodes_dir)}|{Path(episodes_dir).resolve()}|"
        f"{config.image_base_url or config.link}"
    ) + (f"|speakers={sorted(config.speakers)}" if config.speakers else "")  # they shape the transcripts
    return EpisodeCache.open(state_dir(config) / CACHE_DIR if enabled else None, context)


def require_episodes_folder(episodes_dir: Path) -> Path:
    """``episodes_dir``, or UsageError (exit 2 in every command) when it is not a folder."""
    folder = Path(episodes_dir)
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "episodes folder not found"
        raise UsageError(f"{folder}: {what} (pass --episodes DIR)")
    return folder


def read_show(
    config: Config,
    episodes_dir: Path,
    cache: EpisodeCache | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    render_html: bool = True,
) -> ReadResult:
    """Every episode of the show, with guest profiles from the configured people folder
    (``render_html``: see ``read_episodes``)."""
    require_episodes_folder(episodes_dir)
    people = PeopleDirectory(people_folder(config, episodes_dir), config.image_base_url or config.link)
    return read_episodes(Path(episodes_dir), people, config.tz, cache, progress, render_html=render_html)
