"""Chart geometry: where each bar of a page's SVG chart stands, computed here, drawn by the templates.

Pure functions of the values and their text; the templates escape the labels as they output them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    x: float
    y: float
    width: float
    height: float
    kind: str  # baseline | target | actual | amount | yes | no | empty
    text_x: float  # where the value (and under a column, the label) stands
    value_y: float
    label_y: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline_y: float
    bars: list[Bar]
    summary: str  # the text alternative: every value in words


# A column chart: its size, the room above and below the bars (for the values and labels), and the gap between bars.
COLUMN_CHART = (320, 160, 20, 28, 10)


@lru_cache(maxsize=4096)  # the same values recur: both languages of an indicator, and every yes-or-no indicator
def _columns(values: tuple[Decimal | None, ...]) -> tuple[tuple[float, ...], ...]:
    """Where each column of bar_chart stands: (x, y, width, height, text x, value y) for each value."""
    width, height, top, bottom, gap = COLUMN_CHART
    plot = height - top - bottom
    largest = max((abs(v) for v in values if v is not None), default=Decimal(0)) or Decimal(1)
    slot = (width - gap) / max(1, len(values))
    columns = []
    for index, value in enumerate(values):
        bar_height = 0.0 if value is None else float(abs(value) / largest) * plot
        x, y, bar_width = round(gap + index * slot, 1), round(top + plot - bar_height, 1), round(slot - gap, 1)
        # Rounded again after adding: 124.8 - 4 is 124.80000000000001 in floating point.
        columns.append((x, y, bar_width, round(bar_height, 1), round(x + bar_width / 2, 2), round(y - 4, 1)))
    return tuple(columns)


def bar_chart(points: list[tuple[str, Decimal | None, str, str]], summary: str) -> Chart:
    """points: (label, value or None, value as text, kind). Bars scale to the largest value."""
    width, height, _, bottom, _ = COLUMN_CHART
    label_y = height - bottom + 16
    columns = _columns(tuple(value for _, value, _, _ in points))
    bars = [Bar(label, text, *column[:4], kind, column[4], column[5], label_y)
            for (label, _, text, kind), column in zip(points, columns)]
    return Chart(width, height, height - bottom, bars, summary)


def hbar_chart(points: list[tuple[str, Decimal, str]], summary: str) -> Chart:
    """Horizontal bars with the label above each: for long names such as priority directions."""
    width, row, label_height, bar_height = 320, 40, 16, 16
    largest = max((v for _, v, _ in points), default=Decimal(0)) or Decimal(1)
    bars = []
    for index, (label, value, text) in enumerate(points):
        length = round(float(value / largest) * (width - 70), 1)
        top = float(index * row + label_height)
        bars.append(Bar(label, text, 0.0, top, length, float(bar_height), "amount", round(length + 4, 1), top + 12,
                        top - 4))
    return Chart(width, len(points) * row + 4, 0.0, bars, summary)
