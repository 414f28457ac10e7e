from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal"

# Every property test's budget: 200 examples in the normal run (the three that validate whole programs
# take about a minute together), 10,000 with HYPOTHESIS_PROFILE=thorough. No deadline: a loaded CI
# machine is slow, not wrong.
_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("thorough", max_examples=10_000, deadline=None, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def minimal_content(tmp_path: Path) -> Path:
    """A writable copy of the small valid program."""
    target = tmp_path / "content"
    shutil.copytree(MINIMAL, target)
    return target
