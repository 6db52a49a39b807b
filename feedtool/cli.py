"""Command line: a thin layer over the library. Each command module registers itself."""
from __future__ import annotations

import argparse
import sys

from . import __version__


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="feedtool")
    parser.add_argument("--version", action="version", version=f"feedtool {__version__}")
    parser.parse_args(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
