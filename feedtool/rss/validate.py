"""Check a podcast RSS feed against Apple's rules, PSP-1 and the Podcasting 2.0 namespace.

``validate_feed(xml)`` never raises for a bad feed: every finding is an
``Issue`` with a stable ``code`` (listed in docs/render.md), a severity and
the item it concerns (the item's guid, else its title, else ``item N``;
``channel`` for channel tags, ``feed`` for the document itself).
Sources: Apple Podcasts' RSS requirements, the Podcasting 2.0 namespace, Podlove Simple
Chapters, the W3C feed validator and PSP-1.
Remote resources (JSON chapters, transcripts, images, media) are not fetched.
"""

from __future__ import annotations

import email.utils
import itertools
import re
from dataclasses import dataclass
from typing import TypeGuard
from urllib.parse import urlsplit

from lxml import etree

from feedtool.config.categories import check_category
from feedtool.model import Problem, Severity
from feedtool.rss.namespaces import (
    ATOM_NS,
    CONTENT_NS,
    ITUNES_NS,
    JSON_CHAPTERS_TYPE,
    PODCAST_NS,
    PODCAST_NS_GITHUB,
    PREFIXES,
    PSC_NS,
)
from feedtool.rss.parse import element_text
from feedtool.weburls import MEDIA_TYPES, url_suffix

CONVENTIONAL_PREFIXES = {uri: prefix for prefix, uri in PREFIXES.items()}

MAX_BYTES = 4000  # Apple: description and itunes:summary
MAX_CHARS = 255  # Apple: any value unless the tag says otherwise; W3C: author, keywords, subtitle

ISO_639_1 = frozenset(
    [
        "aa",
        "ab",
        "ae",
        "af",
        "ak",
        "am",
        "an",
        "ar",
        "as",
        "av",
        "ay",
        "az",
        "ba",
        "be",
        "bg",
        "bh",
        "bi",
        "bm",
        "bn",
        "bo",
        "br",
        "bs",
        "ca",
        "ce",
        "ch",
        "co",
        "cr",
        "cs",
        "cu",
        "cv",
        "cy",
        "da",
        "de",
        "dv",
        "dz",
        "ee",
        "el",
        "en",
        "eo",
        "es",
        "et",
        "eu",
        "fa",
        "ff",
        "fi",
        "fj",
        "fo",
        "fr",
        "fy",
        "ga",
        "gd",
        "gl",
        "gn",
        "gu",
        "gv",
        "ha",
        "he",
        "hi",
        "ho",
        "hr",
        "ht",
        "hu",
        "hy",
        "hz",
        "ia",
        "id",
        "ie",
        "ig",
        "ii",
        "ik",
        "io",
        "is",
        "it",
        "iu",
        "ja",
        "jv",
        "ka",
        "kg",
        "ki",
        "kj",
        "kk",
        "kl",
        "km",
        "kn",
        "ko",
        "kr",
        "ks",
        "ku",
        "kv",
        "kw",
        "ky",
        "la",
        "lb",
        "lg",
        "li",
        "ln",
        "lo",
        "lt",
        "lu",
        "lv",
        "mg",
        "mh",
        "mi",
        "mk",
        "ml",
        "mn",
        "mr",
        "ms",
        "mt",
        "my",
        "na",
        "nb",
        "nd",
        "ne",
        "ng",
        "nl",
        "nn",
        "no",
        "nr",
        "nv",
        "ny",
        "oc",
        "oj",
        "om",
        "or",
        "os",
        "pa",
        "pi",
        "pl",
        "ps",
        "pt",
        "qu",
        "rm",
        "rn",
        "ro",
        "ru",
        "rw",
        "sa",
        "sc",
        "sd",
        "se",
        "sg",
        "si",
        "sk",
        "sl",
        "sm",
        "sn",
        "so",
        "sq",
        "sr",
        "ss",
        "st",
        "su",
        "sv",
        "sw",
        "ta",
        "te",
        "tg",
        "th",
        "ti",
        "tk",
        "tl",
        "tn",
        "to",
        "tr",
        "ts",
        "tt",
        "tw",
        "ty",
        "ug",
        "uk",
        "ur",
        "uz",
        "ve",
        "vi",
        "vo",
        "wa",
        "wo",
        "xh",
        "yi",
        "yo",
        "za",
        "zh",
        "zu",
    ]
)

# Types that fit each file extension; Apple decides by the extension.
ENCLOSURE_TYPES = {suffix: media.accepted for suffix, media in MEDIA_TYPES.items()}
APPLE_EXTENSIONS = tuple(suffix for suffix, media in MEDIA_TYPES.items() if media.apple)
TRANSCRIPT_TYPES = {
    "text/vtt",
    "application/x-subrip",
    "application/srt",
    "application/json",
    "text/html",
    "text/plain",
}

DURATION_RE = re.compile(r"^\d+(:[0-5][0-9](:[0-5][0-9])?)?$")  # W3C feedvalidator
NPT_CLOCK_RE = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d)(?:\.(\d+))?$")
NPT_SECONDS_RE = re.compile(r"^(\d+)(?:\.(\d+))?$")
LANGUAGE_RE = re.compile(r"^([a-zA-Z]{2,3})(-[a-zA-Z0-9]{1,8})*$")
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
RFC2822_RE = re.compile(
    r"^(?:(?P<dow>Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT)$"
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_SPACE_RE = re.compile(r"\s")
HTML_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")

CHANNEL_SINGLE = (
    "title",
    "link",
    "description",
    "language",
    "copyright",
    "lastBuildDate",
    "pubDate",
    f"{{{ITUNES_NS}}}explicit",
    f"{{{ITUNES_NS}}}image",
    f"{{{ITUNES_NS}}}type",
    f"{{{ITUNES_NS}}}author",
    f"{{{ITUNES_NS}}}title",
    f"{{{PODCAST_NS}}}guid",
    f"{{{PODCAST_NS}}}locked",
)
ITEM_SINGLE = (
    "title",
    "link",
    "description",
    "guid",
    "pubDate",
    "enclosure",
    f"{{{ITUNES_NS}}}duration",
    f"{{{ITUNES_NS}}}season",
    f"{{{ITUNES_NS}}}episode",
    f"{{{ITUNES_NS}}}episodeType",
    f"{{{ITUNES_NS}}}explicit",
    f"{{{ITUNES_NS}}}image",
    f"{{{ITUNES_NS}}}title",
    f"{{{PSC_NS}}}chapters",
    f"{{{PODCAST_NS}}}chapters",
    f"{{{PODCAST_NS}}}season",
    f"{{{PODCAST_NS}}}episode",
)


@dataclass(frozen=True)
class Issue:
    """One finding of the validator."""

    severity: Severity
    code: str
    message: str
    item: str = "channel"
    line: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line is not None else ""
        return f"{self.severity.value}  {self.item}  {self.code}: {self.message}{where}"

    def as_problem(self, path: str) -> Problem:
        """The same finding as the pipeline's ``Problem`` (field = item/code)."""
        return Problem(path, f"{self.item}: {self.code}", self.message, self.line, self.severity)

    def to_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "item": self.item,
            "line": self.line,
        }


@dataclass(frozen=True)
class ValidationReport:
    issues: tuple[Issue, ...]
    name: str = "feed.xml"

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.is_error)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if not i.is_error)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.issues)

    def summary(self) -> str:
        e, w = len(self.errors), len(self.warnings)
        verdict = "valid" if self.ok else "INVALID"
        return f"{self.name}: {verdict}, {e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"

    def to_dict(self) -> dict[str, object]:
        return {
            "feed": self.name,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "issues": [i.to_dict() for i in self.issues],
        }


# ------------------------------------------------------------------ helpers


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _text(el: etree._Element | None) -> str | None:
    return None if el is None else element_text(el)


def _line(el: etree._Element | None) -> int | None:
    if el is None:
        return None
    line: object = el.sourceline  # an int or None (lxml-stubs declare no type for it)
    return line if isinstance(line, int) else None


def _url_problem(value: str | None, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
    """None for an absolute URL with one of ``schemes``, else what is wrong with it."""
    if not value:
        return "the URL is missing"
    if value != value.strip():
        return f"{value!r} has leading or trailing whitespace"
    if _SPACE_RE.search(value):
        return f"{value!r} contains a space: percent-encode it (%20)"
    parts = urlsplit(value)
    if not parts.scheme or not parts.netloc:
        return f"{value!r} is not an absolute URL"
    if parts.scheme not in schemes:
        return f"{value!r} must use {' or '.join(schemes)}"
    return None


def _is_url(value: str | None, schemes: tuple[str, ...] = ("http", "https")) -> TypeGuard[str]:
    return _url_problem(value, schemes) is None


def _prefixed(tag: str) -> str:
    """``{uri}name`` as ``prefix:name`` for messages."""
    q = etree.QName(tag)
    if not tag.startswith("{"):  # no namespace
        return q.localname
    prefix = CONVENTIONAL_PREFIXES.get(q.namespace)
    if q.namespace == PODCAST_NS_GITHUB:
        prefix = "podcast"
    return f"{prefix or q.namespace}:{q.localname}"


def _npt_seconds(value: str) -> float | None:
    m = NPT_CLOCK_RE.match(value)
    if m:
        h, mi, s, frac = m.groups()
        return int(h or 0) * 3600 + int(mi) * 60 + int(s) + float(f"0.{frac}" if frac else 0)
    m = NPT_SECONDS_RE.match(value)
    if m:
        return float(value)
    return None


class _Checker:
    def __init__(self, podcast_uris: tuple[str, ...]):
        self.issues: list[Issue] = []
        self.podcast_uris = podcast_uris

    def error(self, code: str, message: str, item: str = "channel", el: etree._Element | None = None) -> None:
        self.issues.append(Issue(Severity.ERROR, code, message, item, _line(el)))

    def warn(self, code: str, message: str, item: str = "channel", el: etree._Element | None = None) -> None:
        self.issues.append(Issue(Severity.WARNING, code, message, item, _line(el)))

    def p(self, name: str) -> list[str]:
        """Clark names of a podcast: tag under every accepted namespace URI."""
        return [f"{{{uri}}}{name}" for uri in self.podcast_uris]

    def find_p(self, parent: etree._Element, name: str) -> list[etree._Element]:
        return [el for tag in self.p(name) for el in parent.findall(tag)]


# ------------------------------------------------------------------ document


def _parse(xml: bytes, ck: _Checker) -> etree._Element | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        seen = set()
        for entry in parser.error_log:  # exc.error_log also holds earlier parses (lxml global log)
            key = (entry.line, entry.message.strip())
            if key not in seen:
                seen.add(key)
                ck.issues.append(
                    Issue(
                        Severity.ERROR,
                        "xml-syntax",
                        f"not well-formed XML: {entry.message.strip()} (column {entry.column})",
                        "feed",
                        entry.line,
                    )
                )
        if not seen:
            ck.issues.append(
                Issue(Severity.ERROR, "xml-syntax", f"not well-formed XML: {exc}", "feed", exc.lineno)
            )
        return None
    except ValueError as exc:  # e.g. an encoding declaration lxml cannot honour
        ck.issues.append(Issue(Severity.ERROR, "xml-syntax", f"cannot parse: {exc}", "feed"))
        return None
    encoding = root.getroottree().docinfo.encoding
    if encoding and encoding.upper().replace("_", "-") not in ("UTF-8", "UTF8"):
        ck.warn("encoding", f"the feed is encoded as {encoding}; Apple requires UTF-8", "feed")
    for sibling in root.itersiblings():
        ck.warn(
            "after-root",
            "content after </rss> (a comment or processing instruction) upsets some directories; remove it",
            "feed",
            sibling,
        )
    return root


def _check_namespaces(root: etree._Element, ck: _Checker) -> None:
    declared: set[tuple[str | None, str]] = set()
    for el in root.iter(tag=etree.Element):
        declared.update(el.nsmap.items())
    uris = {uri for _, uri in declared}
    for prefix, uri in sorted(declared, key=lambda pu: (pu[0] or "", pu[1])):
        if uri != ITUNES_NS and uri.lower() == ITUNES_NS.lower():
            ck.error(
                "itunes-namespace",
                f"the itunes namespace must be exactly {ITUNES_NS} (it is "
                f"case-sensitive), not {uri}; Apple ignores every itunes tag otherwise",
                "feed",
            )
        elif prefix == "itunes" and uri != ITUNES_NS:
            ck.error("itunes-namespace", f"prefix itunes is bound to {uri}, not {ITUNES_NS}", "feed")
        if prefix == "podcast" and uri not in (PODCAST_NS, PODCAST_NS_GITHUB):
            ck.error("podcast-namespace", f"prefix podcast is bound to {uri}, not {PODCAST_NS}", "feed")
        elif uri == PODCAST_NS_GITHUB:
            ck.warn(
                "podcast-namespace",
                f"declare the podcast namespace as {PODCAST_NS} (the GitHub URI is only an accepted alias)",
                "feed",
            )
        elif uri != PODCAST_NS and "podcastindex.org/namespace" in uri:
            ck.error(
                "podcast-namespace", f"{uri} is not the podcast namespace; use exactly {PODCAST_NS}", "feed"
            )
        want = CONVENTIONAL_PREFIXES.get(uri)
        if want and prefix != want and (want, uri) not in declared:
            ck.warn(
                "namespace-prefix",
                f"{uri} is bound to prefix {prefix or '(default)'}; several apps "
                f"match the literal prefix {want}:",
                "feed",
            )
    if ITUNES_NS not in uris and not any(u.lower() == ITUNES_NS.lower() for u in uris):
        ck.error("itunes-namespace", f"the itunes namespace {ITUNES_NS} is not declared", "feed")


# ------------------------------------------------------------------ shared field checks


def _check_duplicates(parent: etree._Element, tags: tuple[str, ...], item: str, ck: _Checker) -> None:
    for tag in tags:
        found = parent.findall(tag)
        if len(found) > 1:
            ck.error(
                "duplicate-element",
                f"{_prefixed(tag)} appears {len(found)} times; it must appear once",
                item,
                found[1],
            )


def _check_whitespace(parent: etree._Element, item: str, ck: _Checker) -> None:
    for el in parent:
        if not isinstance(el.tag, str) or len(el):
            continue
        text = el.text or ""
        if text.strip() and text != text.strip():
            ck.warn(
                "whitespace",
                f"{_prefixed(el.tag)} has leading or trailing whitespace; Apple wants values without it",
                item,
                el,
            )


def _check_lengths(parent: etree._Element, item: str, ck: _Checker) -> None:
    for tag in ("description", f"{{{ITUNES_NS}}}summary"):
        for el in parent.findall(tag):
            size = len((_text(el) or "").encode("utf-8"))
            if size > MAX_BYTES:
                ck.error(
                    "too-long",
                    f"{_prefixed(tag)} is {size} bytes; Apple's limit is {MAX_BYTES}",
                    item,
                    el,
                )
    for tag in (
        "title",
        f"{{{ITUNES_NS}}}title",
        f"{{{ITUNES_NS}}}author",
        f"{{{ITUNES_NS}}}subtitle",
        f"{{{ITUNES_NS}}}keywords",
    ):
        for el in parent.findall(tag):
            length = len((_text(el) or "").strip())
            if length > MAX_CHARS:
                ck.error(
                    "too-long",
                    f"{_prefixed(tag)} is {length} characters; the limit is {MAX_CHARS}",
                    item,
                    el,
                )
    for tag in (f"{{{ITUNES_NS}}}subtitle", f"{{{ITUNES_NS}}}keywords", f"{{{ITUNES_NS}}}summary"):
        for el in parent.findall(tag):
            if HTML_RE.search(_text(el) or ""):
                ck.warn("html-in-text", f"{_prefixed(tag)} contains HTML; it is plain text", item, el)


def _check_required_text(
    parent: etree._Element, tag: str, code: str, item: str, ck: _Checker, warning: bool = False
) -> etree._Element | None:
    el = parent.find(tag)
    if el is None or not (_text(el) or "").strip():
        report = ck.warn if warning else ck.error
        what = "missing" if el is None else "empty"
        report(code, f"<{_prefixed(tag)}> is {what}", item, parent if el is None else el)
        return None
    return el


def _check_explicit(parent: etree._Element, item: str, ck: _Checker, required: bool) -> None:
    el = parent.find(f"{{{ITUNES_NS}}}explicit")
    if el is None:
        if required:
            ck.error(
                "itunes-explicit", "<itunes:explicit> is missing; Apple requires true or false", item, parent
            )
        return
    value = (_text(el) or "").strip()
    if value in ("true", "false"):
        return
    if value.lower() in ("true", "false"):
        ck.warn(
            "itunes-explicit",
            f"write itunes:explicit in lower case ({value.lower()}), not {value!r}",
            item,
            el,
        )
    else:
        hint = " (yes/no/clean are the old values)" if value.lower() in ("yes", "no", "clean") else ""
        ck.error("itunes-explicit", f"itunes:explicit must be true or false, not {value!r}{hint}", item, el)


def _check_image(parent: etree._Element, item: str, ck: _Checker, required: bool) -> None:
    el = parent.find(f"{{{ITUNES_NS}}}image")
    if el is None:
        if required:
            ck.error(
                "itunes-image",
                "<itunes:image href=...> is missing; Apple requires show artwork",
                item,
                parent,
            )
        return
    href = el.get("href", "")
    problem = _url_problem(href)
    if problem:
        ck.error(
            "itunes-image", f"itunes:image needs an href with an absolute http(s) URL: {problem}", item, el
        )
        return
    suffix = url_suffix(href)
    if suffix not in (".jpg", ".jpeg", ".png"):
        ck.warn("image-type", f"artwork should be a .jpg or .png file, got {href}", item, el)
    if not href.isascii():
        ck.warn("url-not-ascii", f"Apple wants ASCII-only URLs: {href}", item, el)


def _check_date(parent: etree._Element, tag: str, item: str, ck: _Checker) -> None:
    for el in parent.findall(tag):
        value = (_text(el) or "").strip()
        m = RFC2822_RE.match(value)
        try:
            parsed = email.utils.parsedate_to_datetime(value) if m else None
        except (TypeError, ValueError):
            parsed = None
        if parsed is None or m is None:
            ck.error(
                "date-format",
                f"<{tag}> {value!r} is not an RFC 2822 date such as 'Wed, 15 Jun 2019 19:00:00 +0000'",
                item,
                el,
            )
        elif m.group("dow") and m.group("dow") != _DAYS[parsed.weekday()][:3]:  # not strftime: locale-free
            ck.warn("date-weekday", f"<{tag}> {value!r}: that day is a {_DAYS[parsed.weekday()]}", item, el)


def _check_positive_int(parent: etree._Element, tag: str, item: str, ck: _Checker) -> None:
    for el in parent.findall(tag):
        value = (_text(el) or "").strip()
        if not value.isdigit() or not value.isascii() or int(value) == 0:
            ck.error(
                f"{_local(tag).lower()}-number",
                f"{_prefixed(tag)} must be a whole number greater than 0, got {value!r}",
                item,
                el,
            )


def _check_podcast_urls(scope: etree._Element, item: str, ck: _Checker, skip_items: bool) -> None:
    """Every URL on a podcast:* tag must be https (Podcasting 2.0 namespace rules)."""
    tags = ck.p("*")
    subtrees = [child for child in scope if child.tag != "item"] if skip_items else [scope]
    for el in (el for tree in subtrees for el in tree.iter(*tags)):
        name = _prefixed(el.tag)
        values = [(a, el.get(a)) for a in ("url", "href", "img", "uri") if el.get(a) is not None]
        srcset = el.get("srcset")
        if srcset:
            values += [("srcset", part.split()[0]) for part in srcset.split(",") if part.split()]
        for attr, value in values:
            if _is_url(value, ("https",)):
                continue
            if _is_url(value, ("http",)):
                ck.error("podcast-https", f"{name} {attr}={value!r}: podcast:* URLs must use https", item, el)
            else:
                ck.error("podcast-url", f"{name} {attr}: {_url_problem(value, ('https',))}", item, el)
        if _local(el.tag) == "person":
            person = (_text(el) or "").strip()
            if not person:
                ck.error("podcast-person", "podcast:person needs a name", item, el)
            elif len(person) > 128:
                ck.warn(
                    "podcast-person",
                    f"podcast:person name is {len(person)} characters; keep it to 128",
                    item,
                    el,
                )


# ------------------------------------------------------------------ channel


def _check_channel(channel: etree._Element, ck: _Checker) -> None:
    _check_channel_basics(channel, ck)
    _check_channel_categories(channel, ck)
    _check_channel_self_link(channel, ck)
    _check_channel_atom_links(channel, ck)
    _check_show_tags(channel, ck)
    _check_channel_itunes(channel, ck)
    _check_channel_podcast(channel, ck)
    for tag in ("pubDate", "lastBuildDate"):
        _check_date(channel, tag, "channel", ck)
    _check_lengths(channel, "channel", ck)
    _check_whitespace(channel, "channel", ck)
    _check_podcast_urls(channel, "channel", ck, skip_items=True)


def _check_channel_basics(channel: etree._Element, ck: _Checker) -> None:
    """Single tags, the required texts, link, language, artwork and explicit."""
    _check_duplicates(channel, CHANNEL_SINGLE, "channel", ck)
    _check_required_text(channel, "title", "missing-title", "channel", ck)
    _check_required_text(channel, "description", "missing-description", "channel", ck)
    link = _check_required_text(channel, "link", "missing-link", "channel", ck)
    if link is not None and not _is_url((_text(link) or "").strip()):
        ck.error(
            "link",
            f"<link> must be an absolute http(s) URL: {_url_problem((_text(link) or '').strip())}",
            "channel",
            link,
        )
    language = _check_required_text(channel, "language", "language", "channel", ck)
    if language is not None:
        value = (_text(language) or "").strip()
        m = LANGUAGE_RE.match(value)
        if not m or (len(m.group(1)) == 2 and m.group(1).lower() not in ISO_639_1):
            ck.error(
                "language",
                f"<language> {value!r} is not an ISO 639 code such as en or en-us",
                "channel",
                language,
            )
    _check_image(channel, "channel", ck, required=True)
    _check_explicit(channel, "channel", ck, required=True)


def _check_channel_categories(channel: etree._Element, ck: _Checker) -> None:
    """At least one category, each from Apple's list."""
    categories = channel.findall(f"{{{ITUNES_NS}}}category")
    if not categories:
        ck.error(
            "itunes-category",
            "<itunes:category> is missing; Apple requires one from its list",
            "channel",
            channel,
        )
    for cat in categories:
        name = cat.get("text")
        if not name:
            ck.error("itunes-category", "itunes:category needs a text attribute", "channel", cat)
            continue
        subs = [sub.get("text") for sub in cat.findall(f"{{{ITUNES_NS}}}category")]
        for sub in subs or [None]:
            problem = check_category(name, sub)
            if problem:
                ck.error("itunes-category", problem, "channel", cat)


def _check_channel_self_link(channel: etree._Element, ck: _Checker) -> None:
    """PSP-1's ``atom:link rel="self"``."""
    selfs = [el for el in channel.findall(f"{{{ATOM_NS}}}link") if el.get("rel") == "self"]
    if not selfs:
        ck.error(
            "atom-self",
            '<atom:link rel="self" type="application/rss+xml" href="FEED URL"/> is missing '
            "(required by PSP-1)",
            "channel",
            channel,
        )
    for el in selfs:
        if not _is_url(el.get("href")):
            ck.error(
                "atom-self",
                f"atom:link rel=self needs the feed's absolute URL: {_url_problem(el.get('href'))}",
                "channel",
                el,
            )
        if el.get("type") not in (None, "application/rss+xml"):
            ck.warn(
                "atom-self",
                f"atom:link rel=self type should be application/rss+xml, not {el.get('type')}",
                "channel",
                el,
            )


PAGE_RELS = ("first", "last", "next", "prev", "previous")


def _check_channel_atom_links(channel: etree._Element, ck: _Checker) -> None:
    """RFC 5005 paged-feed links (``first``/``last``/``next``/``prev``) and the WebSub ``hub``:
    absolute URLs, one of each, and a page that links a neighbour also names the ``first`` page."""
    links = [el for el in channel.findall(f"{{{ATOM_NS}}}link") if el.get("rel") in (*PAGE_RELS, "hub")]
    rels = [el.get("rel") for el in links]
    for el in links:
        rel = el.get("rel")
        code = "websub-hub" if rel == "hub" else "paged-feed"
        if not _is_url(el.get("href")):
            ck.error(
                code,
                f"atom:link rel={rel} needs an absolute URL: {_url_problem(el.get('href'))}",
                "channel",
                el,
            )
        elif rel != "hub" and rels.count(rel) > 1:
            ck.error(
                code, f"atom:link rel={rel} appears {rels.count(rel)} times; a page has one", "channel", el
            )
    selfs = {el.get("href") for el in channel.findall(f"{{{ATOM_NS}}}link") if el.get("rel") == "self"}
    for el in links:
        if el.get("rel") in ("next", "prev", "previous") and el.get("href") in selfs:
            ck.error("paged-feed", f"atom:link rel={el.get('rel')} points at the page itself", "channel", el)
    if any(r in ("next", "prev", "previous") for r in rels) and "first" not in rels:
        ck.warn(
            "paged-feed",
            'a paged feed page should link the newest page with atom:link rel="first"',
            "channel",
        )


def _check_channel_itunes(channel: etree._Element, ck: _Checker) -> None:
    """The optional itunes tags: type, block, complete, new-feed-url, owner."""
    kind = channel.find(f"{{{ITUNES_NS}}}type")
    if kind is not None and (_text(kind) or "").strip() not in ("episodic", "serial"):
        ck.error(
            "itunes-type", f"itunes:type must be episodic or serial, got {_text(kind)!r}", "channel", kind
        )
    for tag in ("block", "complete"):
        for el in channel.findall(f"{{{ITUNES_NS}}}{tag}"):
            if (_text(el) or "").strip() not in ("Yes", "No"):
                ck.warn(
                    f"itunes-{tag}",
                    f"itunes:{tag} has an effect only with the value Yes, got {_text(el)!r}",
                    "channel",
                    el,
                )
    for el in channel.findall(f"{{{ITUNES_NS}}}new-feed-url"):
        if not _is_url((_text(el) or "").strip()):
            ck.error(
                "itunes-new-feed-url",
                f"itunes:new-feed-url: {_url_problem((_text(el) or '').strip())}",
                "channel",
                el,
            )
    owner = channel.find(f"{{{ITUNES_NS}}}owner")
    if owner is not None and not (_text(owner.find(f"{{{ITUNES_NS}}}email")) or "").strip():
        ck.warn("itunes-owner", "itunes:owner has no itunes:email", "channel", owner)


def _check_channel_podcast(channel: etree._Element, ck: _Checker) -> None:
    """``podcast:guid`` and ``podcast:locked``."""
    for el in ck.find_p(channel, "guid"):
        value = (_text(el) or "").strip()
        if not UUID_RE.match(value):
            ck.error(
                "podcast-guid",
                f"podcast:guid must be a UUID (UUIDv5 of the feed URL), got {value!r}",
                "channel",
                el,
            )
    for el in ck.find_p(channel, "locked"):
        if (_text(el) or "").strip().lower() not in ("yes", "no"):
            ck.error("podcast-locked", f"podcast:locked must be yes or no, got {_text(el)!r}", "channel", el)


# ------------------------------------------------------------------ items


def _item_label(item: etree._Element, index: int) -> str:
    for tag in ("guid", "title"):
        value = (_text(item.find(tag)) or "").strip()
        if value:
            return value
    return f"item {index}"


def _check_enclosure(item: etree._Element, label: str, ck: _Checker) -> str | None:
    enclosure = item.find("enclosure")
    if enclosure is None:
        ck.error(
            "missing-enclosure", "<enclosure url length type> is missing; Apple requires it", label, item
        )
        return None
    url = enclosure.get("url")
    if not _is_url(url):
        ck.error(
            "enclosure-url",
            f"enclosure url must be an absolute http(s) URL: {_url_problem(url)}",
            label,
            enclosure,
        )
        url = None
    elif not url.isascii():
        ck.warn("url-not-ascii", f"Apple wants ASCII-only URLs: {url}", label, enclosure)
    length = enclosure.get("length")
    if length is None:
        ck.error(
            "enclosure-length",
            "enclosure has no length (file size in bytes); Spotify rejects it",
            label,
            enclosure,
        )
    elif not (length.isascii() and length.isdigit()):
        ck.error(
            "enclosure-length",
            f"enclosure length must be the file size in bytes, got {length!r}",
            label,
            enclosure,
        )
    elif int(length) == 0:
        ck.warn(
            "enclosure-length-unknown",
            "enclosure length is 0; give the real file size in bytes",
            label,
            enclosure,
        )
    mime = enclosure.get("type")
    if not mime:
        ck.error("enclosure-type", "enclosure has no type (e.g. audio/mpeg)", label, enclosure)
    if url:
        suffix = url_suffix(url)
        if suffix not in APPLE_EXTENSIONS:
            ck.warn(
                "enclosure-extension",
                f"Apple lists an episode only for {' '.join(APPLE_EXTENSIONS)} "
                f"files; the URL ends in {suffix or 'no extension'!r}",
                label,
                enclosure,
            )
        allowed = ENCLOSURE_TYPES.get(suffix)
        if mime and allowed and mime.strip().lower() not in allowed:
            ck.error(
                "enclosure-type-mismatch",
                f"enclosure type {mime} does not fit a {suffix} file "
                f"(expected {' or '.join(sorted(allowed))})",
                label,
                enclosure,
            )
    return url


def _check_psc(item: etree._Element, label: str, ck: _Checker) -> None:
    block = item.find(f"{{{PSC_NS}}}chapters")
    if block is None:
        return
    chapters = block.findall(f"{{{PSC_NS}}}chapter")
    if not chapters:
        ck.error("psc-chapters", "psc:chapters has no psc:chapter", label, block)
        return
    starts: list[tuple[float, etree._Element]] = []
    for chapter in chapters:
        start = chapter.get("start")
        if not (chapter.get("title") or "").strip():
            ck.error("psc-chapter-title", "psc:chapter needs a title", label, chapter)
        if start is None:
            ck.error("psc-chapter-start", "psc:chapter needs a start", label, chapter)
            continue
        seconds = _npt_seconds(start.strip())
        if seconds is None:
            ck.error(
                "psc-chapter-start",
                f"psc:chapter start {start!r} is not a time such as 00:01:02.500",
                label,
                chapter,
            )
            continue
        if NPT_SECONDS_RE.match(start.strip()):
            ck.warn(
                "psc-chapter-start",
                f"psc:chapter start {start!r} is bare seconds; AntennaPod reads that "
                "as 0: write HH:MM:SS.mmm",
                label,
                chapter,
            )
        starts.append((seconds, chapter))
    for (a, _), (b, el) in itertools.pairwise(starts):
        if b <= a:
            ck.error(
                "psc-chapters-order",
                f"psc:chapter start {el.get('start')!r} is not after the one "
                "before it; chapters must be strictly ascending",
                label,
                el,
            )
    if starts and starts[0][0] != 0:
        ck.warn(
            "psc-chapters-first",
            f"the first chapter starts at {starts[0][1].get('start')!r}, not 0",
            label,
            starts[0][1],
        )


MEDIUMS = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "publisher", "course")


def _check_show_tags(channel: etree._Element, ck: _Checker) -> None:
    """``podcast:medium``, ``updateFrequency``, ``podroll``, ``trailer`` (channel only), and the
    channel's ``license`` and ``txt`` (Podcasting 2.0 namespace, 1.0.md)."""
    for name in ("medium", "updateFrequency", "podroll", "license"):
        found = ck.find_p(channel, name)
        if len(found) > 1:
            ck.error(
                "podcast-" + name.lower(),
                f"podcast:{name} appears {len(found)} times; the channel has one",
                "channel",
                found[1],
            )
    for el in ck.find_p(channel, "medium"):
        value = _text(el) or ""
        if value.removesuffix("L") not in MEDIUMS and value != "mixed":
            ck.error(
                "podcast-medium",
                f"podcast:medium {value!r} is not one of {', '.join(MEDIUMS)} (or a list medium)",
                "channel",
                el,
            )
    for el in ck.find_p(channel, "updateFrequency"):
        if not _text(el):
            ck.error(
                "podcast-updatefrequency",
                "podcast:updateFrequency needs a text such as Weekly",
                "channel",
                el,
            )
        if el.get("complete") not in (None, "true", "false"):
            ck.error(
                "podcast-updatefrequency",
                f"complete must be true or false, got {el.get('complete')!r}",
                "channel",
                el,
            )
        if el.get("rrule") is not None and not el.get("rrule", "").startswith("FREQ="):
            ck.error(
                "podcast-updatefrequency",
                f"rrule must be an iCalendar RRULE (FREQ=...), got {el.get('rrule')!r}",
                "channel",
                el,
            )
    for el in ck.find_p(channel, "podroll"):
        items = ck.find_p(el, "remoteItem")
        if not items:
            ck.error(
                "podcast-podroll", "podcast:podroll needs at least one podcast:remoteItem", "channel", el
            )
        for remote in items:
            if not remote.get("feedGuid"):
                ck.error(
                    "podcast-podroll",
                    "podcast:remoteItem needs feedGuid (the show's podcast:guid)",
                    "channel",
                    remote,
                )
    for el in ck.find_p(channel, "trailer"):
        if not _text(el):
            ck.error("podcast-trailer", "podcast:trailer needs a title", "channel", el)
        if not _is_url(el.get("url")):
            ck.error("podcast-trailer", f"podcast:trailer url: {_url_problem(el.get('url'))}", "channel", el)
        if not _rfc2822(el.get("pubdate")):
            ck.error(
                "podcast-trailer",
                f"podcast:trailer pubdate must be an RFC 2822 date, got {el.get('pubdate')!r}",
                "channel",
                el,
            )
        for attr in ("length", "season"):
            if el.get(attr) is not None and not (el.get(attr) or "").isdigit():
                ck.error(
                    "podcast-trailer",
                    f"podcast:trailer {attr} must be a whole number, got {el.get(attr)!r}",
                    "channel",
                    el,
                )
    _check_license_and_txt(channel, "channel", ck)


def _check_license_and_txt(parent: etree._Element, label: str, ck: _Checker) -> None:
    for el in ck.find_p(parent, "license"):
        if not _text(el):
            ck.error(
                "podcast-license", "podcast:license needs a license identifier such as cc-by-4.0", label, el
            )
        elif len(_text(el) or "") > 128:
            ck.warn("podcast-license", "podcast:license is longer than 128 characters", label, el)
    for el in ck.find_p(parent, "txt"):
        if not _text(el):
            ck.error("podcast-txt", "podcast:txt is empty", label, el)
        elif len(_text(el) or "") > 4000:
            ck.warn("podcast-txt", "podcast:txt is longer than 4000 characters", label, el)
        if len(el.get("purpose") or "") > 128:
            ck.warn("podcast-txt", "podcast:txt purpose is longer than 128 characters", label, el)


def _rfc2822(value: str | None) -> bool:
    from email.utils import parsedate_to_datetime

    try:
        return bool(value) and parsedate_to_datetime(value or "") is not None
    except (TypeError, ValueError):
        return False


def _check_item_podcast_tags(item: etree._Element, label: str, ck: _Checker) -> None:
    _check_license_and_txt(item, label, ck)
    if len(ck.find_p(item, "license")) > 1:
        ck.error("podcast-license", "podcast:license appears more than once in the item", label)
    for el in ck.find_p(item, "chapters"):
        if not el.get("url") or not el.get("type"):
            ck.error("podcast-chapters", "podcast:chapters needs url and type", label, el)
        elif el.get("type") != JSON_CHAPTERS_TYPE:
            ck.warn(
                "podcast-chapters",
                f"podcast:chapters type should be application/json+chapters, not {el.get('type')}",
                label,
                el,
            )
    for el in ck.find_p(item, "transcript"):
        if not el.get("url") or not el.get("type"):
            ck.error("podcast-transcript", "podcast:transcript needs url and type", label, el)
        elif el.get("type") not in TRANSCRIPT_TYPES:
            ck.warn(
                "podcast-transcript",
                f"podcast:transcript type {el.get('type')} is not one apps know "
                f"({', '.join(sorted(TRANSCRIPT_TYPES))})",
                label,
                el,
            )
    for el in ck.find_p(item, "season"):
        if not re.fullmatch(r"\d+", (_text(el) or "").strip()):
            ck.error("podcast-season", f"podcast:season must be an integer, got {_text(el)!r}", label, el)
        if len(el.get("name") or "") > 128:
            ck.warn("podcast-season", "podcast:season name is longer than 128 characters", label, el)
    for el in ck.find_p(item, "episode"):
        if not re.fullmatch(r"\d+(\.\d+)?", (_text(el) or "").strip()):
            ck.error("podcast-episode", f"podcast:episode must be a number, got {_text(el)!r}", label, el)
        if len(el.get("display") or "") > 32:
            ck.warn("podcast-episode", "podcast:episode display is longer than 32 characters", label, el)


def _check_items(channel: etree._Element, ck: _Checker) -> None:
    items = channel.findall("item")
    if not items:
        ck.warn(
            "no-items",
            "the feed has no items; directories reject a feed without an episode",
            "channel",
            channel,
        )
    serial = (_text(channel.find(f"{{{ITUNES_NS}}}type")) or "").strip() == "serial"
    guids: dict[str, str] = {}
    enclosures: dict[str, str] = {}
    for index, item in enumerate(items, start=1):
        label = _item_label(item, index)
        _check_duplicates(item, ITEM_SINGLE, label, ck)
        _check_required_text(item, "title", "missing-title", label, ck)
        _check_guid(item, label, index, guids, ck)
        _check_enclosure_unique(item, label, index, enclosures, ck)
        _check_item_tags(item, label, serial, ck)


def _check_guid(item: etree._Element, label: str, index: int, guids: dict[str, str], ck: _Checker) -> None:
    """A guid, used by no earlier item (``guids``: guid -> the item number that has it)."""
    guid_el = _check_required_text(item, "guid", "missing-guid", label, ck)
    if guid_el is not None:
        guid = (_text(guid_el) or "").strip()
        if guid in guids:
            ck.error(
                "duplicate-guid",
                f"guid {guid!r} is also used by item #{guids[guid]}; Apple "
                "does not process new episodes with a duplicate guid",
                label,
                guid_el,
            )
        else:
            guids[guid] = f"{index}"
        if guid_el.get("isPermaLink", "true") == "true" and not _is_url(guid):
            ck.warn("guid-permalink", f'guid {guid!r} is not a URL: add isPermaLink="false"', label, guid_el)


def _check_enclosure_unique(
    item: etree._Element, label: str, index: int, enclosures: dict[str, str], ck: _Checker
) -> None:
    """The enclosure, its URL used by no earlier item (``enclosures``: URL -> that item)."""
    url = _check_enclosure(item, label, ck)
    if url:
        if url in enclosures:
            ck.error(
                "duplicate-enclosure-url",
                f"enclosure URL {url} is also used by item "
                f"{enclosures[url]}; Apple ignores duplicate enclosures",
                label,
                item.find("enclosure"),
            )
        else:
            enclosures[url] = f"#{index} ({label})"


def _check_item_tags(item: etree._Element, label: str, serial: bool, ck: _Checker) -> None:
    """Everything else an item says: link, date, description, duration, numbers, artwork, chapters..."""
    for el in item.findall("link"):
        if not _is_url((_text(el) or "").strip()):
            ck.error(
                "link",
                f"<link> must be an absolute http(s) URL: {_url_problem((_text(el) or '').strip())}",
                label,
                el,
            )
    if item.find("pubDate") is None:
        ck.warn("missing-pubdate", "<pubDate> is missing", label, item)
    _check_date(item, "pubDate", label, ck)
    if item.find("description") is None and item.find(f"{{{CONTENT_NS}}}encoded") is None:
        ck.warn("missing-description", "the item has no description", label, item)
    for el in item.findall(f"{{{ITUNES_NS}}}duration"):
        value = (_text(el) or "").strip()
        if not DURATION_RE.match(value):
            ck.error(
                "itunes-duration",
                f"itunes:duration {value!r} must be seconds (e.g. 3723) or [H:]MM:SS without fractions",
                label,
                el,
            )
    _check_positive_int(item, f"{{{ITUNES_NS}}}season", label, ck)
    _check_positive_int(item, f"{{{ITUNES_NS}}}episode", label, ck)
    if serial and item.find(f"{{{ITUNES_NS}}}episode") is None:
        ck.error("serial-episode", "a serial show needs itunes:episode on every item", label, item)
    for el in item.findall(f"{{{ITUNES_NS}}}episodeType"):
        if (_text(el) or "").strip() not in ("full", "trailer", "bonus"):
            ck.error(
                "itunes-episodetype",
                f"itunes:episodeType must be full, trailer or bonus, got {_text(el)!r}",
                label,
                el,
            )
    _check_explicit(item, label, ck, required=False)
    _check_image(item, label, ck, required=False)
    _check_psc(item, label, ck)
    _check_item_podcast_tags(item, label, ck)
    _check_podcast_urls(item, label, ck, skip_items=False)
    _check_lengths(item, label, ck)
    _check_whitespace(item, label, ck)


# ------------------------------------------------------------------ entry point


def validate_feed(xml: bytes, *, name: str = "feed.xml") -> ValidationReport:
    """Every error and warning in a feed, in document order per check group."""
    ck = _Checker((PODCAST_NS, PODCAST_NS_GITHUB))
    root = _parse(xml, ck)
    if root is None:
        return ValidationReport(tuple(ck.issues), name)
    if root.tag != "rss":
        hint = " (Apple no longer supports Atom feeds)" if _local(root.tag) == "feed" else ""
        ck.error(
            "not-rss", f"the root element is <{_local(root.tag) or root.tag}>, not <rss>{hint}", "feed", root
        )
        return ValidationReport(tuple(ck.issues), name)
    if root.get("version") != "2.0":
        ck.error("rss-version", f'<rss> needs version="2.0", got {root.get("version")!r}', "feed", root)
    _check_namespaces(root, ck)
    channels = root.findall("channel")
    if len(channels) != 1:
        ck.error(
            "missing-channel", f"<rss> must contain exactly one <channel>, found {len(channels)}", "feed"
        )
        if not channels:
            return ValidationReport(tuple(ck.issues), name)
    _check_channel(channels[0], ck)
    _check_items(channels[0], ck)
    return ValidationReport(tuple(ck.issues), name)
