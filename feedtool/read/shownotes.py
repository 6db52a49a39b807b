"""Markdown show notes to HTML, and the outbound links they contain.

markdown-it-py is used rather than hand-written regexes: it is CommonMark
compliant (autolinks ``<https://...>``, reference links, nested emphasis) and
gives a token stream from which links can be taken without re-parsing HTML.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

if TYPE_CHECKING:  # imported on first use: a run whose episodes are all cached never needs it
    from markdown_it import MarkdownIt

# kramdown inline attribute lists such as {:target="_blank"} or {: .class}
_KRAMDOWN_IAL = re.compile(r"\{:[^}\n]*\}")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True, "linkify": False})


def strip_kramdown(markdown: str) -> str:
    return _KRAMDOWN_IAL.sub("", markdown)


def _links(tokens: list) -> tuple[str, ...]:
    """The outbound links of a token stream, in document order, no duplicates."""
    links: list[str] = []
    for token in tokens:
        for child in token.children or ():
            if child.type == "link_open":
                href = child.attrGet("href")
                if isinstance(href, str) and href not in links:
                    links.append(href)
        if token.type == "html_block" or token.type == "html_inline":
            for href in re.findall(r"""href=["']([^"']+)["']""", token.content):
                if href not in links:
                    links.append(href)
    return tuple(links)


def render(markdown: str) -> tuple[str, tuple[str, ...]]:
    """Return (html, links) for a Markdown body. Links keep document order, no duplicates."""
    text = strip_kramdown(markdown).strip()
    if not text:
        return "", ()
    md = _parser()
    tokens = md.parse(text)
    html = md.renderer.render(tokens, md.options, {})
    return html.strip(), _links(tokens)


def links(markdown: str) -> tuple[str, ...]:
    """The links ``render`` finds, from the tokens alone: no HTML is rendered (``feedtool
    links`` needs only these)."""
    text = strip_kramdown(markdown).strip()
    return _links(_parser().parse(text)) if text else ()


_TAG = re.compile(r"<[^>]+>")
_BR = re.compile(r"<br\s*/?>", re.I)


def html_to_text(html: str) -> str:
    """Plain text for ``<description>``: tags dropped, breaks become newlines."""
    import html as htmllib

    text = _BR.sub("\n", html)
    text = re.sub(r"</(p|li|h[1-6])>", "\n", text, flags=re.I)
    text = _TAG.sub("", text)
    text = htmllib.unescape(text)
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    out = "\n".join(line for line in lines if line)
    return out


def truncate_utf8(text: str, limit: int) -> str:
    """Cut text to at most ``limit`` UTF-8 bytes at a word boundary, with an ellipsis."""
    if len(text.encode("utf-8")) <= limit:
        return text
    budget = limit - len("…".encode())
    cut = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    space = cut.rfind(" ")
    if space > budget * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "…"


# href/src attributes in the rendered show notes (markdown-it quotes them with "; raw HTML may use ')
_LINK_ATTRIBUTE = re.compile(
    r"""(<(?:a|img|source|audio|video)\b[^>]*?\s(?:href|src)\s*=\s*)(["'])(.*?)\2""", re.I
)
_HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def absolute_links(html: str, page_url: str) -> str:
    """Relative links and images made absolute against the episode's page.

    In a podcast app ``/people/eugeneyan`` or ``#what-is-mentoring`` lead
    nowhere: the notes are shown outside the website. A fragment-only link
    points at the episode page with that fragment; links with a scheme
    (``https:``, ``mailto:``) are left alone. Attribute values stay HTML-escaped.
    """
    parts = urlsplit(page_url)
    page = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))

    def rewrite(match: re.Match[str]) -> str:
        prefix, quote, value = match.group(1), match.group(2), match.group(3)
        target = value.strip()
        if not target or _HAS_SCHEME.match(target):
            return match.group(0)
        absolute = page + target if target.startswith("#") else urljoin(page, target)
        return f"{prefix}{quote}{absolute}{quote}"

    return _LINK_ATTRIBUTE.sub(rewrite, html)
