from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
CORPUS = REPO.parent.parent / "shared" / "corpus" if (REPO.parent.parent / "shared").is_dir() else \
    REPO.parent / "shared" / "corpus"


@pytest.fixture
def show(tmp_path: Path) -> Path:
    """A writable copy of the small test show: config/, episodes/, people/."""
    dest = tmp_path / "show"
    shutil.copytree(FIXTURES / "show", dest)
    return dest
