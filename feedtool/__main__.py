"""``python -m feedtool ARGS``: the same as the ``feedtool ARGS`` console script."""

import sys

from feedtool.cli import main

if __name__ == "__main__":
    sys.exit(main())
