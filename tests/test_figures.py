"""Reading cells and computing the figures readers see."""

from __future__ import annotations

from decimal import Decimal

import pytest

from generator.figures import CellStatus, computed_change, parse_amount, parse_cell, parse_change, parse_number, parse_value
from generator.model import IndicatorKind, ValueMode


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8 632", (Decimal("8632"), False)),
        ("8\u00a0632,5", (Decimal("8632.5"), False)),
        ("5,0", (Decimal("5.0"), False)),
        ("+0,90", (Decimal("0.90"), False)),
        ("−3", (Decimal("-3"), False)),
        ("30%", (Decimal("30"), True)),
        ("+20 %", (Decimal("20"), True)),
        ("12 34", None),
        ("1.2.3", None),
        ("NaN", None),
        ("Infinity", None),
        ("", None),
    ],
)
def test_parse_number(text: str, expected: object) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (None, CellStatus.empty),
        ("", CellStatus.empty),
        ("+", CellStatus.planned),
        ("-", CellStatus.not_planned),
        ("—", CellStatus.not_planned),
        ("В межах кошторисних призначень", CellStatus.within_allocations),
        ("в межах  кошторисних\nпризначень", CellStatus.within_allocations),
        ("Так", CellStatus.yes),
        ("ні", CellStatus.no),
        (Decimal("5.0"), CellStatus.amount),
        (12, CellStatus.amount),
    ],
)
def test_parse_cell(value: object, status: CellStatus) -> None:
    figure = parse_cell(value)
    assert figure is not None and figure.status is status


def test_a_cell_keeps_how_its_own_source_wrote_it() -> None:
    """Cells are read once per text: two ways of writing one number, or yes, are never confused."""
    cells = ["5,0", "5.0", "5", " 5 ", "Так", "так", "8 632", "8\u00a0632", "+", "+ "]
    for _ in range(2):  # the second time, from what was read the first
        figures = [parse_cell(cell) for cell in cells]
        assert [figure.text for figure in figures] == cells
        assert [str(figure.amount) for figure in figures[:4]] == ["5.0", "5.0", "5", "5"]
    assert parse_cell(Decimal("5.0")).text == "5.0" and parse_cell(Decimal("5")).text == "5"
    assert parse_cell(True).status is CellStatus.yes and parse_cell(1).status is CellStatus.amount


def test_amounts_refuse_yes_no_percent_and_nan() -> None:
    assert parse_amount("Так") is None
    assert parse_amount("30%") is None
    assert parse_amount(Decimal("NaN")) is None
    assert parse_amount("сто") is None
    assert parse_amount("8 632").amount == Decimal("8632")


def test_values_must_fit_their_kind() -> None:
    assert parse_value("Так", IndicatorKind.boolean)[0].status is CellStatus.yes
    assert parse_value("Так", IndicatorKind.count) == (None, "number")
    assert parse_value("20,5", IndicatorKind.count) == (None, "whole")
    assert parse_value("30%", IndicatorKind.percent)[0].amount == 30
    assert parse_value("30%", IndicatorKind.count) == (None, "number")
    assert parse_value("+", IndicatorKind.percent) == (None, "number")
    assert parse_value(3, IndicatorKind.boolean) == (None, "boolean")


def test_parse_change() -> None:
    assert parse_change("+53").amount == 53
    assert parse_change("+100%").percent
    assert parse_change("+").amount is None
    assert parse_change("зросте") is None


def _figures(*values: object):
    return [parse_cell(v) for v in values]


def test_computed_change_for_increments_is_the_sum() -> None:
    assert computed_change(ValueMode.increment, parse_cell(3), _figures(20, 30, 30)) == 80


def test_computed_change_for_levels_is_last_minus_baseline_or_first() -> None:
    assert computed_change(ValueMode.level, parse_cell(19), _figures(25, 30, 40)) == 21
    assert computed_change(ValueMode.level, parse_cell(None), _figures(100, 100, 100)) == 0
    assert computed_change(ValueMode.level, None, _figures(None, None)) is None
