"""Charts: where each bar of a page's SVG chart stands, and the SVG that draws it.

Pure functions of the values and their text. The SVG is written here, not in a template: an
indicator page's chart is half its markup, and a template outputs each coordinate through an
escape, so drawing it in Jinja made indicator pages a third slower (benchmarks/national.py, 2026-12-07).
Every text is escaped here; the numbers are the module's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from markupsafe import Markup, escape


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
    horizontal: bool = False  # bars across, each label above its bar (hbar_chart)

    def svg(self, title: str, id: str) -> Markup:  # noqa: A002 - the element's id, as HTML names it
        """The chart as an SVG image named by ``title`` and described by its summary; ``id`` is unique on its page."""
        lines = [f'<svg role="img" aria-labelledby="{id}-t {id}-d" viewBox="0 0 {self.width} {self.height}" '
                 f'width="{self.width}" height="{self.height}">',
                 f'<title id="{id}-t">{escape(title)}</title>',
                 f'<desc id="{id}-d">{escape(self.summary)}</desc>']
        if self.horizontal:
            for bar in self.bars:
                lines += [f'<text x="0" y="{bar.label_y}" class="label start">{escape(truncate(bar.label, 48))}</text>',
                          f'<rect x="0" y="{bar.y}" width="{bar.width}" height="{bar.height}" class="bar"/>',
                          f'<text x="{bar.text_x}" y="{bar.value_y}" class="value start">{escape(bar.value_text)}</text>']
        else:
            lines.append(f'<line x1="0" y1="{self.baseline_y}" x2="{self.width}" y2="{self.baseline_y}" class="axis"/>')
            for bar in self.bars:
                lines += [f'<rect x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}" '
                          f'class="bar bar-{bar.kind}"/>',
                          f'<text x="{bar.text_x}" y="{bar.value_y}" class="value">{escape(bar.value_text)}</text>',
                          f'<text x="{bar.text_x}" y="{bar.label_y}" class="label">{escape(bar.label)}</text>']
        lines.append("</svg>")
        return Markup("\n".join(lines))


def truncate(text: str, length: int, leeway: int = 5) -> str:
    """``text`` cut at a word to fit ``length`` with its "...", as Jinja's truncate filter does (same leeway)."""
    if len(text) <= length + leeway:
        return text
    return text[:length - 3].rsplit(" ", 1)[0] + "..."


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
    return Chart(width, len(points) * row + 4, 0.0, bars, summary, horizontal=True)
