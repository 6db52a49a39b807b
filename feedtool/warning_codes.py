"""A stable code for every warning, and what to do about it: the one table.

A code names a kind of warning (``audio-length-unknown``) independently of its
wording, so a maintainer can accept the ones a show lives with (config
``warnings.ignore: [CODE, ...]``, an episode's ``ignore_warnings: [CODE]``) and
a summary can count them. The table also holds, per code, the one-line advice
the grouped summary prints and the README's "Warning codes" section documents
(a test keeps the two equal).

Two kinds of rows:
- the pipeline's own warnings (reader, chapters, build), matched on the
  problem's field and message: their wording lives beside the code that finds
  them, and this table names them without every reader knowing about codes;
- the feed validator's warnings (``feedtool.rss.validate``), which carry their
  code already (``Issue.code``); the row says which episode field to look at.

Errors get no code from here: they cannot be accepted, only fixed. This
module imports nothing but ``feedtool.model``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from feedtool.problems import Problem, Severity

if TYPE_CHECKING:
    from feedtool.model import Episode

LEFT_OUT = "left-out"  # an episode with errors that --skip-invalid left out: listed, never accepted
HELD_BACK = "held-back"  # an episode without a date, left out of the feed: listed, never accepted
# episodes listeners do not get: every one is named, one line each, even with --quiet
ALWAYS_NAMED = frozenset({LEFT_OUT, HELD_BACK})
CACHE_DISCARDED = "cache-discarded"
UNCODED = "uncoded"  # a warning no row matches: a new message without a row (a test keeps it unused)


@dataclass(frozen=True)
class WarningCode:
    code: str
    action: str  # what to do, one line
    field: str | None = None  # pipeline rows: regular expression the problem's field must match whole
    message: str | None = None  # pipeline rows: regular expression searched in the message
    validator: bool = False  # a ``feedtool validate`` check: the problem carries the code already
    episode_field: str = "feed"  # validator rows: the field a finding about an episode names
    ignorable: bool = True

    def matches(self, problem: Problem) -> bool:
        if self.validator or (self.field is None and self.message is None):
            return False
        if self.field is not None and not re.fullmatch(self.field, problem.field):
            return False
        return self.message is None or re.search(self.message, problem.message) is not None


# Order matters for the pipeline rows: the first that matches names the warning.
CODES: tuple[WarningCode, ...] = (
    # --- episode files (feedtool.read) ---
    WarningCode(
        "unknown-field",
        "fix the key's spelling (the hint says the closest known one) or remove it",
        message=r"^unknown (field, ignored|key \(audio takes)",
    ),
    WarningCode(
        "xml-invalid-chars",
        "remove the control characters from the file; the feed already leaves them out",
        message=r"XML-invalid character",
    ),
    WarningCode(
        "clip-end-ignored",
        "make endOffset a number of seconds not before startOffset, or remove it",
        field=r"quotableClips\[\d+\]\.endOffset",
    ),
    WarningCode(
        "guest-profile-missing",
        "add the profile people/ID.md, or fix the guest id",
        field=r"guests",
        message=r"^no profile ",
    ),
    WarningCode(
        "guest-profile-invalid",
        "fix the profile's front matter (it needs title: with the guest's name)",
        field=r"front matter|title",
        message=r"^(?!.*XML-invalid)",
    ),
    WarningCode(
        "file-name-md-md",
        "rename the file to end in one .md (its slug and URLs change: pin guid: first if it derives "
        "from the file name)",
        field=r"file",
        message=r"\.md\.md",
    ),
    WarningCode(
        "unknown-warning-code",
        "use a code from the README's list of warning codes",
        field=r"ignore_warnings\[\d+\]",
    ),
    # --- chapters (feedtool.render.chapters) ---
    WarningCode(
        "chapter-no-start",
        "add a quotableClips entry named like the header (or a timed line under it) to keep the chapter",
        field=r"chapters",
        message=r"no explicit time and no timed line",
    ),
    WarningCode(
        "chapter-overridden",
        "give the header a quotableClips time of its own, or remove it",
        field=r"chapters",
        message=r"derived start .* is not before the explicit start",
    ),
    WarningCode(
        "chapter-out-of-order",
        "give the header a quotableClips time of its own, or merge it with the header before",
        field=r"chapters",
        message=r"would start at .*, not after",
    ),
    WarningCode(
        "chapter-repeated",
        "delete the repeated header rows from the transcript",
        field=r"chapters",
        message=r"repeat an earlier header",
    ),
    WarningCode(
        "duration-before-chapters",
        "check duration: it should be the whole episode's length; chapters after it are never reached",
        field=r"duration",
        message=r"ends before \d+ chapter",
    ),
    # --- the build (feedtool.publish.build) ---
    WarningCode(
        "audio-length-unknown",
        "add audio.length (the file size in bytes), or run feedtool import-media to take it from the host",
        field=r"audio\.length",
        message=r"unknown",
    ),
    # --- input files that need a look (feedtool.read) ---
    WarningCode(
        "speaker-not-a-name",
        "put the speaker's name in who: (the words belong in line:); speakers: maps names to display names",
        field=r"transcript\[\d+\]\.who",
        message=r"does not look like a name",
    ),
    WarningCode(
        "key-given-twice",
        "delete one of the two lines: YAML keeps only the last value",
        message=r"given twice, on lines",
    ),
    WarningCode(
        "not-a-file",
        "remove it, or rename it so it does not end in .md (folders, pipes and broken links are not read)",
        field=r"file",
        message=r"^skipped: ",
    ),
    WarningCode(
        "file-unreadable",
        "save the file as UTF-8 text (a guest profile that cannot be read is left out)",
        field=r"file",
        message=r"not valid UTF-8|cannot read",
    ),
    WarningCode(
        "episode-number-repeated",
        "renumber one of the two episodes (season: and episode:)",
        field=r"episode",
        message=r"is also the number of",
    ),
    WarningCode(
        "people-folder-missing",
        "create the people folder (one profile per guest) or set people: in the config",
        field=r"people",
        message=r"people folder does not exist",
    ),
    # --- the host's feed and media files (feedtool.media) ---
    WarningCode(
        HELD_BACK,
        "add dateadded: YYYY-MM-DD to the episode file (or publish it at the host, whose pubDate is then used)",
        field=r"dateadded",
        message=r"^held back",
        ignorable=False,  # an episode listeners do not get: always said
    ),
    WarningCode(
        "host-feed-copy-used",
        "check host_feed: the host did not answer or answered garbage; the last good copy was used",
        field=r"host_feed",
        message=r"using the last good copy",
    ),
    WarningCode(
        "host-item-without-file",
        "add an episode file for it (with its ids.anchor or guid:): subscribers have this episode",
        field=r"host_feed",
        message=r"has no episode file",
    ),
    WarningCode(
        "host-item-ambiguous",
        "give the episode file its ids.anchor or guid: so one host item matches it",
        field=r"host_feed",
        message=r"^ambiguous",
    ),
    WarningCode(
        "local-media-unreadable",
        "put the media file at the path audio: names (inside the episodes folder or media_dir)",
        field=r"audio\.file|duration",
        message=r"no such file|add duration: to the episode",
    ),
    # --- state (feedtool.publish) ---
    WarningCode(
        "publish-record-repaired",
        "nothing to do: the publish record was damaged or incomplete and the published feed was used",
        field=r"publish record",
    ),
    WarningCode(
        "cache-not-saved",
        "free space in the state folder (state_dir); the next run parses those episodes again",
        field=r"cache",
        message=r"could not save",
    ),
    WarningCode(
        "guid-from-file-name",
        "add guid: (the value the published feed has) so renaming the file never re-publishes the episode",
        field=r"guid",
        message=r"derives from the file name",
    ),
    WarningCode(
        LEFT_OUT,
        "fix the errors listed, or the episode stays out of the feed",
        ignorable=False,
    ),
    WarningCode(
        CACHE_DISCARDED,
        "nothing: the entries were parsed again; if it recurs, look for what else writes to the state folder",
    ),
    # --- the feed validator (feedtool.rss.validate; docs/render.md has the rule of each) ---
    WarningCode("encoding", "write the feed as UTF-8", validator=True),
    WarningCode("after-root", "remove what follows the closing rss tag", validator=True),
    WarningCode(
        "podcast-namespace",
        "bind podcast to https://podcastindex.org/namespace/1.0",
        validator=True,
    ),
    WarningCode(
        "namespace-prefix",
        "use the conventional prefixes itunes, podcast, psc, atom, content",
        validator=True,
    ),
    WarningCode("image-type", "use a .jpg or .png artwork URL", validator=True, episode_field="image"),
    WarningCode("url-not-ascii", "percent-encode the URL's non-ASCII characters", validator=True),
    WarningCode("itunes-explicit", "write itunes:explicit as true or false", validator=True),
    WarningCode(
        "atom-self",
        "give atom:link rel=self the type application/rss+xml",
        validator=True,
    ),
    WarningCode("itunes-owner", "set owner.email in the config", validator=True),
    WarningCode("itunes-block", "write Yes, or leave the tag out", validator=True),
    WarningCode("itunes-complete", "write Yes, or leave the tag out", validator=True),
    WarningCode(
        "date-weekday",
        "fix the day name or the date",
        validator=True,
        episode_field="dateadded",
    ),
    WarningCode(
        "html-in-text",
        "keep itunes:subtitle, keywords and summary plain text",
        validator=True,
        episode_field="keywords",
    ),
    WarningCode("whitespace", "trim the value", validator=True),
    WarningCode("no-items", "publish at least one episode", validator=True),
    WarningCode(
        "guid-permalink",
        'mark the guid isPermaLink="false", or make it the episode\'s URL',
        validator=True,
        episode_field="guid",
    ),
    WarningCode(
        "enclosure-length-unknown",
        "give the enclosure its size in bytes (audio.length)",
        validator=True,
        episode_field="audio.length",
    ),
    WarningCode(
        "enclosure-extension",
        "publish a file type Apple lists (.mp3, .m4a, .mp4, .m4v, .mov, .pdf, .epub)",
        validator=True,
        episode_field="audio",
    ),
    WarningCode(
        "missing-pubdate",
        "give the item a pubDate",
        validator=True,
        episode_field="dateadded",
    ),
    WarningCode(
        "missing-description",
        "give the episode a description, short or show notes",
        validator=True,
        episode_field="description",
    ),
    WarningCode(
        "psc-chapter-start",
        "write chapter starts as HH:MM:SS.mmm",
        validator=True,
        episode_field="chapters",
    ),
    WarningCode(
        "psc-chapters-first",
        "start the first chapter at 0 (a header before the first timed line, or a quotableClips entry "
        "at 0): apps show no chapter for the opening",
        validator=True,
        episode_field="chapters",
    ),
    WarningCode(
        "podcast-chapters",
        "give podcast:chapters the type application/json+chapters",
        validator=True,
        episode_field="chapters",
    ),
    WarningCode(
        "podcast-transcript",
        "use a transcript type apps know (text/vtt, application/x-subrip, application/json)",
        validator=True,
        episode_field="transcript",
    ),
    WarningCode(
        "podcast-season",
        "shorten the season name to 128 characters",
        validator=True,
        episode_field="season",
    ),
    WarningCode(
        "podcast-episode",
        "shorten the episode display to 32 characters",
        validator=True,
        episode_field="episode",
    ),
    WarningCode(
        "podcast-person",
        "shorten the person's name to 128 characters",
        validator=True,
        episode_field="guests",
    ),
    WarningCode(
        "paged-feed",
        "give every archive page first and last links (feedtool writes them; check a hand-made page)",
        validator=True,
    ),
    WarningCode(
        "podcast-license",
        "shorten the license name to 128 characters",
        validator=True,
        episode_field="license",
    ),
    WarningCode(
        "podcast-txt",
        "shorten the txt value to 4000 characters",
        validator=True,
        episode_field="txt",
    ),
)

BY_CODE: Mapping[str, WarningCode] = {row.code: row for row in CODES}
IGNORABLE: frozenset[str] = frozenset(row.code for row in CODES if row.ignorable)


def unknown_code_hint(code: str) -> str:
    """Why ``code`` cannot be accepted, with a "did you mean"; empty when it can."""
    if code in IGNORABLE:
        return ""
    if code in BY_CODE:
        return f"{code!r} cannot be accepted: {BY_CODE[code].action}"
    import difflib  # only for a code nobody knows

    close = difflib.get_close_matches(code, sorted(IGNORABLE), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown warning code {code!r}{hint}; the README lists the codes"


def code_of(problem: Problem) -> str | None:
    """The problem's code: its own, else the first matching row's; None for an error without one."""
    if problem.code:
        return problem.code
    if problem.is_error:
        return None
    for row in CODES:
        if row.matches(problem):
            return row.code
    return UNCODED


def with_code(problem: Problem) -> Problem:
    """The problem with its code set (an uncoded warning stays without one)."""
    code = code_of(problem)
    return problem if code in (problem.code, UNCODED) else replace(problem, code=code)


def classify(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """Every warning with its code (errors keep theirs, if any)."""
    return tuple(with_code(p) for p in problems)


def accept(
    problems: Iterable[Problem], ignore: Iterable[str], episodes: Iterable[Episode] = ()
) -> tuple[tuple[Problem, ...], tuple[Problem, ...]]:
    """Split ``problems`` into (reported, accepted).

    A warning is accepted when its code is in ``ignore`` (the config's
    ``warnings.ignore``) or in the ``ignore_warnings`` of the episode whose file
    it is about. Errors, and warnings that cannot be accepted, are always reported.
    """
    show_wide = frozenset(ignore) & IGNORABLE
    per_file = {str(e.path): frozenset(e.ignore_warnings) & IGNORABLE for e in episodes}
    reported: list[Problem] = []
    accepted: list[Problem] = []
    for problem in classify(problems):
        code = problem.code
        if (
            problem.severity is Severity.WARNING
            and code is not None
            and (code in show_wide or code in per_file.get(problem.path, ()))
        ):
            accepted.append(problem)
        else:
            reported.append(problem)
    return tuple(reported), tuple(accepted)
