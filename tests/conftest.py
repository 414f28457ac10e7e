from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal"


@pytest.fixture
def minimal_content(tmp_path: Path) -> Path:
    """A writable copy of the small valid program."""
    target = tmp_path / "content"
    shutil.copytree(MINIMAL, target)
    return target
