"""Guest profiles: one Markdown file per person with YAML front matter
(``title`` is the full name, ``picture`` an image path, ``linkedin``/``twitter``/
``github``/``web`` links)."""

from __future__ import annotations

from pathlib import Path

from feedtool.model import Person, Problem, Severity
from feedtool.read import frontmatter
from feedtool.weburls import absolute_url

LINK_KEYS = ("web", "website", "linkedin", "twitter", "github", "mastodon", "youtube")


class PeopleDirectory:
    """Profiles read on demand and memoised: the corpus has about 1,000 of them
    and a build names a few hundred."""

    def __init__(self, folder: Path | None, base_url: str | None = None):
        self.folder = folder if folder is not None and folder.is_dir() else None
        self.base_url = base_url
        self._cache: dict[str, tuple[Person | None, list[Problem]]] = {}
        self.consulted: list[Path] = []  # profile files looked at, for the episode cache's dependencies

    def get(self, person_id: str) -> tuple[Person | None, list[Problem]]:
        if self.folder is None:
            return None, []
        self.consulted.append(self.folder / f"{person_id}.md")
        if person_id not in self._cache:
            self._cache[person_id] = load_person(self.folder, person_id, self.base_url)
        return self._cache[person_id]


def _twitter(value: str) -> str:
    if value.startswith(("http://", "https://")):
        return value
    return "https://twitter.com/" + value.lstrip("@")


def _linkedin(value: str) -> str:
    return (
        value
        if value.startswith(("http://", "https://"))
        else "https://www.linkedin.com/in/" + value.strip("/")
    )


def _github(value: str) -> str:
    return value if value.startswith(("http://", "https://")) else "https://github.com/" + value


def load_person(
    folder: Path, person_id: str, base_url: str | None = None
) -> tuple[Person | None, list[Problem]]:
    path = folder / f"{person_id}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, []
    except OSError as exc:
        return None, [Problem(str(path), "file", f"cannot read: {exc.strerror}")]
    try:
        doc = frontmatter.load(text)
    except frontmatter.FrontMatterError as exc:
        return None, [Problem(str(path), "front matter", str(exc), exc.line, Severity.WARNING)]
    data = doc.data
    name = str(data.get("title") or data.get("name") or "").strip()
    if not name:
        return None, [
            Problem(
                str(path),
                "title",
                "profile has no name (title:)",
                doc.key_lines.get("title"),
                Severity.WARNING,
            )
        ]
    links = []
    for key in LINK_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            value = value.strip()
            url = {"twitter": _twitter, "github": _github, "linkedin": _linkedin}.get(key, str)(value)
            links.append(("web" if key == "website" else key, url))
    href = next((u for k, u in links if k == "web"), None) or next((u for _, u in links), None)
    picture = data.get("picture") if isinstance(data.get("picture"), str) else None
    return (
        Person(
            id=person_id,
            name=name,
            role="guest",
            img=absolute_url(picture, base_url),
            href=href,
            links=tuple(links),
        ),
        [],
    )
