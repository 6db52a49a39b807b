"""Guest profiles: one Markdown file per person with YAML front matter
(``title`` is the full name, ``picture`` an image path, ``linkedin``/``twitter``/
``github``/``web`` links).

A guest id is the name of a profile file without ``.md``, never a path: episode
files are untrusted input, and ``guests: [../../elsewhere/person]`` must not read
(and publish the name and links of) a file outside the people folder.
"""

from __future__ import annotations

from pathlib import Path

from feedtool.model import Person, Problem, Severity
from feedtool.read import frontmatter
from feedtool.read.inputfile import UnreadableFile, read_input
from feedtool.weburls import absolute_url

LINK_KEYS = ("web", "website", "linkedin", "twitter", "github", "mastodon", "youtube")


def guest_id_problem(person_id: str) -> str | None:
    """Why ``person_id`` is not a guest id (a file name without ``.md``), or None when it is one."""
    if "\x00" in person_id:
        return "it holds a NUL character"
    if "/" in person_id or "\\" in person_id:  # POSIX and Windows separators, wherever this runs
        return "it holds a path separator"
    if ".." in person_id:
        return "it holds '..'"
    if person_id.startswith("~"):
        return "it starts with '~'"
    return None


class PeopleDirectory:
    """Profiles read on demand and memoised: the corpus has about 1,000 of them
    and a build names a few hundred."""

    def __init__(self, folder: Path | None, base_url: str | None = None):
        self.requested = folder  # as given: ``folder`` is None when nothing is there
        self.folder = folder if folder is not None and folder.is_dir() else None
        self.base_url = base_url
        self._cache: dict[str, tuple[Person | None, list[Problem]]] = {}
        self.consulted: list[Path] = []  # profile files looked at, for the episode cache's dependencies

    def id_problem(self, person_id: str) -> str | None:
        """Why ``person_id`` cannot name a profile in this folder: not a name, or a file
        (a symlink, say) that resolves outside the folder. None when it can."""
        problem = guest_id_problem(person_id)
        if problem or self.folder is None:
            return problem
        folder = self.folder.resolve()
        if not (folder / f"{person_id}.md").resolve().is_relative_to(folder):
            return "its profile file resolves outside the people folder"
        return None

    def get(self, person_id: str) -> tuple[Person | None, list[Problem]]:
        """The profile for ``person_id``; (None, []) when there is none, or the id is not
        one (``id_problem``): such a file is never opened."""
        if self.folder is None or self.id_problem(person_id):
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
        text = read_input(path).decode("utf-8")
    except FileNotFoundError:
        return None, []
    except UnreadableFile as exc:
        return None, [Problem(str(path), "file", f"cannot read: {exc.reason}")]
    except UnicodeDecodeError as exc:
        why = f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8"
        return None, [Problem(str(path), "file", why, None, Severity.WARNING)]
    try:
        doc = frontmatter.load(text)
    except frontmatter.FrontMatterError as exc:
        return None, [Problem(str(path), "front matter", str(exc), exc.line, Severity.WARNING)]
    notes = [Problem(str(path), d.field, d.message(), d.line, Severity.WARNING) for d in doc.duplicates]
    data = doc.data
    raw_name = data.get("title") or data.get("name")
    is_text = isinstance(raw_name, (str, int, float)) and not isinstance(raw_name, bool)
    name = str(raw_name).strip() if is_text else ""
    if not name:
        why = (
            "profile has no name (title:)"
            if is_text or not raw_name
            else f"must be text, not {type(raw_name).__name__}"
        )
        line = doc.key_lines.get("title", doc.key_lines.get("name"))
        return None, [*notes, Problem(str(path), "title", why, line, Severity.WARNING)]
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
        notes,
    )
