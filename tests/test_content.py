"""The five real programs: they validate, their warnings are the known defects, no figure is lost or invented."""

from __future__ import annotations

import os
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest

from generator import figures
from generator.load import load_yaml
from generator.validate import Corpus, validate

from .conftest import CONTENT

DATA = Path(__file__).with_name("data")
GOLDEN_WARNINGS = DATA / "expected_warnings.txt"
SEED_NUMBERS = DATA / "seed_numbers"
PROGRAM_IDS = [
    "balakliiska-2025-2027",
    "khmilnytska-2023-2025",
    "kremenchutska-2026-2028",
    "nevidoma-hromada-2026-2028",
    "slobozhanska-2025-2027",
]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return validate(CONTENT)


def test_all_five_programs_validate_without_errors(corpus: Corpus) -> None:
    assert [p.id for p in corpus.programs] == PROGRAM_IDS
    errors = [p.as_text("en") for p in corpus.problems if p.severity == "error"]
    assert errors == []


def test_warnings_are_exactly_the_defects_checked_against_the_seeds(corpus: Corpus) -> None:
    """Each line of the golden file was checked by hand against the seed document.

    Set UPDATE_GOLDEN=1 to rewrite it after a deliberate change: that run fails on purpose (a file
    compared with itself proves nothing), so review the diff and run the tests again without it.
    """
    lines = [p.as_text("en").replace(str(CONTENT.parent) + "/", "") for p in corpus.problems]
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN_WARNINGS.write_text("\n".join(lines) + "\n", encoding="utf-8")
        pytest.fail(f"rewrote {GOLDEN_WARNINGS.name}: review `git diff`, then run the tests without UPDATE_GOLDEN")
    assert lines == GOLDEN_WARNINGS.read_text(encoding="utf-8").splitlines()


def _seed_figures(program_id: str) -> Counter[Decimal]:
    values: Counter[Decimal] = Counter()
    for line in (SEED_NUMBERS / f"{program_id}.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parsed = figures.parse_number(line)
        assert parsed is not None, f"{program_id}: cannot read {line!r} in the seed list"
        values[abs(parsed[0])] += 1  # the sign of a change is checked by the change-mismatch warnings
    return values


def _cells(data: Any) -> Iterator[object]:
    """Every figure cell in a program's sources, by field name."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("baseline", "change", "total"):
                yield value
            elif key in ("years", "targets", "actual") and isinstance(value, dict):
                yield from value.values()
            else:
                yield from _cells(value)
    elif isinstance(data, list):
        for item in data:
            yield from _cells(item)


def _content_figures(corpus: Corpus, program_id: str) -> Counter[Decimal]:
    program = next(p for p in corpus.programs if p.id == program_id)
    values: Counter[Decimal] = Counter()
    for path in program.files.values():
        for cell in _cells(load_yaml(path, []).data):
            change = figures.parse_change(cell)
            if change is not None and change.amount is not None:
                values[abs(change.amount)] += 1
    return values


@pytest.mark.parametrize("program_id", PROGRAM_IDS)
def test_every_figure_of_the_seed_appendices_is_in_content_and_none_is_invented(corpus: Corpus, program_id: str) -> None:
    seed = _seed_figures(program_id)
    content = _content_figures(corpus, program_id)
    assert seed - content == Counter(), "figures in the document but not in content/"
    assert content - seed == Counter(), "figures in content/ that the document does not state"
