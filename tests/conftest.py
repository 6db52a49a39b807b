from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
# the real corpus lives beside the clone (../shared/corpus); FEEDTOOL_CORPUS overrides
CORPUS = Path(os.environ.get("FEEDTOOL_CORPUS", REPO.parent / "shared" / "corpus"))


@pytest.fixture
def show(tmp_path: Path) -> Path:
    """A writable copy of the small test show: config/, episodes/, people/."""
    dest = tmp_path / "show"
    shutil.copytree(FIXTURES / "show", dest)
    return dest
