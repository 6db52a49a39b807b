"""``feedtool --version``: the version, and with ``-v`` what a bug report needs (Python, the
platform, each dependency's installed version, read from the installed metadata)."""

from __future__ import annotations

import platform
import re
import sys
from importlib import metadata

from feedtool import __version__


def _requirement_name(requirement: str) -> str | None:
    """``pyyaml>=6`` -> ``pyyaml``; None for an extra's requirement (``pytest>=8; extra == "test"``)."""
    if "extra ==" in requirement.replace('"', "").replace("'", ""):
        return None
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    return match.group(0) if match else None


def dependency_versions() -> list[tuple[str, str]]:
    """(name, installed version) of each runtime dependency of the installed feedtool."""
    try:
        requirements = metadata.requires("feedtool") or []
    except metadata.PackageNotFoundError:
        return []
    out = []
    for requirement in requirements:
        name = _requirement_name(requirement)
        if name is None:
            continue
        try:
            out.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            out.append((name, "not installed"))
    return sorted(out, key=lambda nv: nv[0].lower())


def version_lines(verbose: bool = False) -> list[str]:
    lines = [f"feedtool {__version__}"]
    if not verbose:
        return lines
    lines.append(
        f"Python {platform.python_version()} ({platform.python_implementation()}, {sys.executable}) "
        f"on {platform.platform(terse=True)}"
    )
    deps = dependency_versions()
    if deps:
        lines += [f"  {name} {version}" for name, version in deps]
    else:
        lines.append("  dependencies: unknown (feedtool is not installed, only on the path)")
    try:
        import yaml

        lines.append(
            f"  libyaml: {'yes' if getattr(yaml, '__with_libyaml__', False) else 'no (slower reads)'}"
        )
    except ImportError:  # pragma: no cover - a dependency
        pass
    return lines
