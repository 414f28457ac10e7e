"""Figures: what a cell means, and the sums and changes readers are shown.

This is the only place that interprets a cell or computes a figure. Amounts
are Decimals: thousand UAH as approved, never rounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Iterable

from .model import IndicatorKind, ValueMode


class CellStatus(str, Enum):
    amount = "amount"  # a number
    within_allocations = "within_allocations"  # «В межах кошторисних призначень»
    planned = "planned"  # «+»: planned that year, no amount given
    not_planned = "not_planned"  # «-»
    empty = "empty"  # nothing in the cell
    yes = "yes"
    no = "no"


@dataclass(frozen=True)
class Figure:
    status: CellStatus
    amount: Decimal | None = None
    text: str = ""  # the cell as the source wrote it

    @property
    def is_number(self) -> bool:
        return self.amount is not None


# Councils type «8 632», «8 632,5», «5,0», «-3», «30%»; some paste a no-break space.
_NUMBER = re.compile(r"^([-+−–]?)\s*(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,](\d+))?\s*(%?)$")
_WITHIN = re.compile(r"^в\s+межах\s+(?:кошторисних\s+призначень|кошторису|бюджетних\s+призначень)\.?$", re.I)
_DASHES = {"-", "—", "–", "−"}
_YES = {"так", "yes", "true"}
_NO = {"ні", "no", "false"}


def parse_number(text: str) -> tuple[Decimal, bool] | None:
    """``"8 632,5"`` → (Decimal('8632.5'), False); ``"30%"`` → (30, True). None if it is not a number."""
    match = _NUMBER.match(text.strip())
    if not match:
        return None
    sign, whole, fraction, percent = match.groups()
    digits = re.sub(r"[ \u00a0\u202f]", "", whole) + (f".{fraction}" if fraction else "")
    value = Decimal(digits)
    if sign and sign != "+":
        value = -value
    return value, bool(percent)


def parse_cell(value: object) -> Figure | None:
    """Read one cell. None when the cell is not any kind of figure we know."""
    if isinstance(value, str):
        return _parse_text(value)
    if value is None:
        return Figure(CellStatus.empty)
    if isinstance(value, bool):
        return Figure(CellStatus.yes if value else CellStatus.no, text=str(value).lower())
    if isinstance(value, (int, Decimal)):
        if isinstance(value, Decimal) and not value.is_finite():
            return None
        return Figure(CellStatus.amount, Decimal(value), str(value))
    return None


@lru_cache(maxsize=4096)
def _parse_text(value: str) -> Figure | None:
    """A cell written as text: by the text alone, so read once (a Figure cannot change). Cells
    repeat («+», «так», «100»), and each is read when checked and again when the pages are made."""
    text = " ".join(value.split())
    lowered = text.lower()
    if text == "":
        return Figure(CellStatus.empty, text=value)
    if text == "+":
        return Figure(CellStatus.planned, text=value)
    if text in _DASHES:
        return Figure(CellStatus.not_planned, text=value)
    if _WITHIN.match(text):
        return Figure(CellStatus.within_allocations, text=value)
    if lowered in _YES:
        return Figure(CellStatus.yes, text=value)
    if lowered in _NO:
        return Figure(CellStatus.no, text=value)
    number = parse_number(text)
    if number is not None:
        return Figure(CellStatus.amount, number[0], value)
    return None


def parse_amount(value: object) -> Figure | None:
    """A funding cell: an amount, «+», «-», empty or within allocations; never yes/no."""
    figure = parse_cell(value)
    if figure is None or figure.status in (CellStatus.yes, CellStatus.no):
        return None
    if figure.is_number and isinstance(value, str) and value.strip().endswith("%"):
        return None
    return figure


def parse_value(value: object, kind: IndicatorKind) -> tuple[Figure | None, str]:
    """An indicator value of the given kind. Returns the figure, or None and a hint (uk, en) key."""
    figure = parse_cell(value)
    if figure is None or figure.status in (CellStatus.planned, CellStatus.not_planned, CellStatus.within_allocations):
        return None, "boolean" if kind is IndicatorKind.boolean else "number"
    if figure.status is CellStatus.empty:
        return figure, ""
    if kind is IndicatorKind.boolean:
        return (figure, "") if figure.status in (CellStatus.yes, CellStatus.no) else (None, "boolean")
    if not figure.is_number:
        return None, "number"
    if kind is IndicatorKind.count and figure.amount != figure.amount.to_integral_value():
        return None, "whole"
    if kind is not IndicatorKind.percent and isinstance(value, str) and value.strip().endswith("%"):
        return None, "number"
    return figure, ""


@dataclass(frozen=True)
class Change:
    """A stated change: numeric when the document gives a number, else qualitative («+»)."""

    amount: Decimal | None
    percent: bool
    text: str


def parse_change(value: object) -> Change | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        if isinstance(value, Decimal) and not value.is_finite():
            return None
        return Change(Decimal(value), False, str(value))
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if text in ("+", "-", "—", "–", "−"):
        return Change(None, False, value)
    number = parse_number(text)
    if number is None:
        return None
    return Change(number[0], number[1], value)


def sum_amounts(figures: Iterable[Figure | None]) -> Decimal | None:
    """The sum of the cells that hold amounts; None when none does."""
    amounts = [f.amount for f in figures if f is not None and f.amount is not None]
    return sum(amounts, Decimal(0)) if amounts else None


def computed_change(mode: ValueMode, baseline: Figure | None, targets: list[Figure]) -> Decimal | None:
    """The change the yearly figures give.

    increment: the sum of the yearly figures;
    level: the last target minus the baseline, or minus the first target when there is no baseline.
    """
    numbers = [t.amount for t in targets if t.amount is not None]
    if not numbers:
        return None
    if mode is ValueMode.increment:
        return sum(numbers, Decimal(0))
    start = baseline.amount if baseline is not None and baseline.amount is not None else numbers[0]
    return numbers[-1] - start


def plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros after the point: for messages and comparisons."""
    text = format(value.normalize(), "f")
    return text
