"""feedtool: turn a folder of Markdown episodes into a podcast feed, chapters,
transcripts and a link health report.

The names in ``__all__`` are the library surface (README, "Use it as a
library"). They are loaded lazily (PEP 562): ``import feedtool`` itself only
defines ``__version__``, because the CLI imports this package first and must
start without lxml, feedgen, requests or urllib3 until a command needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    # config
    "Config": "feedtool.config",
    "load_config": "feedtool.config",
    # read
    "read_show": "feedtool.publish.build",
    "read_episode": "feedtool.read.episodes",
    "ReadResult": "feedtool.model",
    "Episode": "feedtool.model",
    "Problem": "feedtool.model",
    "Severity": "feedtool.model",
    # build
    "build": "feedtool.publish.build",
    "BuildResult": "feedtool.publish.build",
    "BuildOutput": "feedtool.publish.build",
    # validate
    "validate_feed": "feedtool.rss.validate",
    "ValidationReport": "feedtool.rss.validate",
    # links
    "check_links": "feedtool.links",
    # the scheduled run
    "scheduled_run": "feedtool.publish.scheduled",
    "RunOutcome": "feedtool.publish.scheduled",
    # exit codes and errors
    "ExitCode": "feedtool.errors",
    "FeedtoolError": "feedtool.errors",
    "ConfigError": "feedtool.errors",
    "UsageError": "feedtool.errors",
    "BuildFailed": "feedtool.errors",
    "PublishBlocked": "feedtool.errors",
    "LockBusy": "feedtool.errors",
    "SourceError": "feedtool.errors",
    "MediaManifestError": "feedtool.errors",
}

# written out (not built from _EXPORTS) so type checkers and linters read it; a test keeps the two equal
__all__ = [
    "BuildFailed",
    "BuildOutput",
    "BuildResult",
    "Config",
    "ConfigError",
    "Episode",
    "ExitCode",
    "FeedtoolError",
    "LockBusy",
    "MediaManifestError",
    "Problem",
    "PublishBlocked",
    "ReadResult",
    "RunOutcome",
    "Severity",
    "SourceError",
    "UsageError",
    "ValidationReport",
    "__version__",
    "build",
    "check_links",
    "load_config",
    "read_episode",
    "read_show",
    "scheduled_run",
    "validate_feed",
]

if TYPE_CHECKING:
    from feedtool.config import Config, load_config
    from feedtool.errors import (
        BuildFailed,
        ConfigError,
        ExitCode,
        FeedtoolError,
        LockBusy,
        MediaManifestError,
        PublishBlocked,
        SourceError,
        UsageError,
    )
    from feedtool.links import check_links
    from feedtool.model import Episode, Problem, ReadResult, Severity
    from feedtool.publish.build import BuildOutput, BuildResult, build, read_show
    from feedtool.publish.scheduled import RunOutcome, scheduled_run
    from feedtool.read.episodes import read_episode
    from feedtool.rss.validate import ValidationReport, validate_feed


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup does not come here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
