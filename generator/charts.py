"""Charts: where each bar, gridline and word of a page's SVG chart stands, and the SVG that draws it.

Pure functions of the values and their text. The SVG is written here, not in a template: an
indicator page's chart is half its markup, and a template outputs each coordinate through an
escape, so drawing it in Jinja made indicator pages a third slower (benchmarks/national.py, 2026-12-07).
Every text is escaped here; the numbers are the module's own.

A chart is laid out for a phone: its viewBox is WIDTH units wide and its words FONT units high,
so that on a 360 px phone, where the column is 328 px wide, they render at 28 × 328 / 640 = 14.35 px.
Wider screens draw the same layout with smaller words (site.css), which then fit with room to spare.
Text widths are estimated generously (CHAR per character), since the generator has no fonts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import cached_property, lru_cache
from typing import Callable, NamedTuple

from markupsafe import Markup, escape

WIDTH = 640
FONT = 28
CHAR = 0.6 * FONT  # system-ui averages about 0.55 em a character, digits and spaces less
LINE = 35  # 1.25 em
PLOT = 260  # a column chart's height from its lowest to its highest gridline
BAR = 30  # a horizontal bar's thickness
BAR_MOST = 120  # a column's greatest width
SWATCH = 26  # a legend's sample of a bar
MAX_LINES = 3
STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))  # gridlines fall on these times a power of ten
Numbers = Callable[[Decimal], str] | None  # how a page writes a number; None: yes-or-no values, no gridlines
Marks = tuple[tuple[Decimal, str], ...] | None  # the gridlines' values and words; None: no gridlines
Names = tuple[tuple[str, str], ...]  # each kind of bar and what the legend calls it
HATCH = "<hatch>"  # in a drawing, the pattern's id: escaped text never holds a "<"


class Point(NamedTuple):
    value: Decimal | None
    text: str  # the value as the page shows it
    kind: str  # baseline | target | actual | amount: what the legend calls it


class Group(NamedTuple):
    label: str  # what the group's bars are: a year, "baseline", a priority direction
    points: tuple[Point, ...]


class Bar(NamedTuple):
    kind: str
    x: float
    y: float
    width: float
    height: float
    value_text: str
    value_x: float
    value_y: float
    value_anchor: str  # middle | start | end


class Label(NamedTuple):
    lines: tuple[str, ...]
    x: float
    y: float  # the first line's baseline; with ``up``, the last line's
    anchor: str
    up: bool = False


class Tick(NamedTuple):
    at: float  # y of a column chart's gridline, x of a horizontal one's
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: float
    horizontal: bool  # bars across, each label above its bars
    bars: list[Bar]
    labels: list[Label]
    ticks: list[Tick]
    zero: float  # where the value 0 is: the axis
    spans: list[tuple[float, float]]  # where the gridlines and the axis run, across them: one span a group across
    legend: list[tuple[str, str, float, float]]  # kind, name, x, y of each sample
    summary: str  # the text alternative: every value in words

    def svg(self, title: str, id: str) -> Markup:  # noqa: A002 - the element's id, as HTML names it
        """The chart as an SVG image named by ``title`` and described by its summary; ``id`` is unique on its page."""
        return Markup(f'<svg role="img" aria-labelledby="{id}-t {id}-d" viewBox="0 0 {WIDTH} {self.height:.1f}">\n'
                      f'<title id="{id}-t">{escape(title)}</title>\n<desc id="{id}-d">{escape(self.summary)}</desc>\n'
                      + self._drawing.replace(HATCH, f"{id}-hatch") + "\n</svg>")

    @cached_property
    def _drawing(self) -> str:
        """What the SVG draws, made once for a chart that recurs; HATCH stands for the pattern's id. Every
        coordinate is written with one decimal (.1f), never with float noise such as 124.80000000000001."""
        lines = []
        if any(kind == "actual" for kind, *_ in self.legend):
            # Actual values are hatched, so that they differ from targets without colour.
            lines.append(f'<defs><pattern id="{HATCH}" width="10" height="10" patternUnits="userSpaceOnUse" '
                         'patternTransform="rotate(45)"><rect width="10" height="10" class="hatch-ground"/>'
                         '<rect width="5" height="10" class="hatch-stripe"/></pattern></defs>')
        fill = f' fill="url(#{HATCH})"'
        for kind, name, x, y in self.legend:
            lines += [f'<rect x="{x:.1f}" y="{y:.1f}" width="{SWATCH}" height="{SWATCH}" class="bar bar-{kind}"'
                      f'{fill if kind == "actual" else ""}/>',
                      f'<text x="{x + SWATCH + 10:.1f}" y="{y + SWATCH / 2:.1f}" dy=".35em" class="legend start">'
                      f'{escape(name)}</text>']
        lines += self._grid()
        for bar in self.bars:
            if bar.width and bar.height:
                lines.append(f'<rect x="{bar.x:.1f}" y="{bar.y:.1f}" width="{bar.width:.1f}" '
                             f'height="{bar.height:.1f}" class="bar bar-{bar.kind}"'
                             f'{fill if bar.kind == "actual" else ""}/>')
        lines.append(self._axis())
        middle = ' dy=".35em"' if self.horizontal else ""  # a horizontal bar's value stands at its middle
        for bar in self.bars:
            if bar.value_text:
                lines.append(f'<text x="{bar.value_x:.1f}" y="{bar.value_y:.1f}"{middle} '
                             f'class="value {bar.value_anchor}">{escape(bar.value_text)}</text>')
        for label in self.labels:
            lines.append(f'<text x="{label.x:.1f}" y="{label.y:.1f}" class="label {label.anchor}">'
                         f'{tspans(label.lines, label.x, label.up)}</text>')
        return "\n".join(lines)

    def _grid(self) -> list[str]:
        lines = [self._line(tick.at, "grid") for tick in self.ticks]
        for tick in self.ticks:
            if self.horizontal and tick.text:
                lines.append(f'<text x="{tick.at:.1f}" y="{self.spans[-1][1] + FONT + 4:.1f}" class="tick middle">'
                             f'{escape(tick.text)}</text>')
            elif tick.text:
                lines.append(f'<text x="{self.spans[0][0] - 10:.1f}" y="{tick.at:.1f}" dy=".35em" class="tick end">'
                             f'{escape(tick.text)}</text>')
        return lines

    def _axis(self) -> str:
        return self._line(self.zero, "axis")

    def _line(self, at: float, kind: str) -> str:
        """A gridline or the axis at ``at``, as a path of one segment a span."""
        if self.horizontal:
            segments = "".join(f"M{at:.1f} {start:.1f}V{end:.1f}" for start, end in self.spans)
        else:
            segments = "".join(f"M{start:.1f} {at:.1f}H{end:.1f}" for start, end in self.spans)
        return f'<path d="{segments}" class="{kind}"/>'


def tspans(lines: tuple[str, ...], x: float, up: bool = False) -> str:
    """Lines 1.25 em apart, from the text's baseline down, or ``up`` to it."""
    if len(lines) == 1:
        return str(escape(lines[0]))
    first = f' dy="-{1.25 * (len(lines) - 1):.1f}em"' if up else ""
    return "".join(f'<tspan x="{x:.1f}"{first if index == 0 else NEXT_LINE}>{escape(line)}</tspan>'
                   for index, line in enumerate(lines))


NEXT_LINE = ' dy="1.25em"'


def describe(groups: tuple[Group, ...], names: Names, unit: str) -> str:
    """The text alternative: each group's label and values, a value named by its kind where a group has several."""
    name = dict(names)
    return "; ".join(f"{g.label}: {g.points[0].text}" if len(g.points) == 1 else f"{g.label}: " + ", ".join(
        f"{name[p.kind]} {p.text}" for p in g.points if p.text) for g in groups) + f" ({unit})"


def text_width(text: str) -> float:
    return len(text) * CHAR


def wrap(text: str, width: float, most: int = MAX_LINES) -> tuple[str, ...]:
    """``text`` broken at spaces into lines that fit ``width`` units, at most ``most`` of them (the last then
    ends with "…"); a word longer than a line stays whole on its own."""
    fit = max(1, int(width / CHAR + 1e-9))  # 30 * CHAR / CHAR may come out as 29.999...
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= fit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > most:
        rest = " ".join(lines[most - 1:])[:fit - 1]
        last = rest.rsplit(" ", 1)[0] if " " in rest else rest
        lines = lines[:most - 1] + [last.rstrip(",;:") + "…"]
    return tuple(lines) or ("",)


@lru_cache(maxsize=4096)  # the same values recur: both languages of an indicator, every yes-or-no indicator
def ticks(low: Decimal, high: Decimal) -> tuple[Decimal, ...]:
    """Gridlines from at or below ``low`` to at or above ``high``, zero among them: 3 to 5 round values,
    a step of 1, 2, 2.5 or 5 times a power of ten."""
    low, high = min(low, Decimal(0)), max(high, Decimal(0))
    if low == high:
        high = Decimal(1)
    power = ((high - low) / 4).adjusted()
    for step in (mantissa.scaleb(power + up) for up in (0, 1) for mantissa in STEPS):
        first = int((low / step).to_integral_value(ROUND_FLOOR))
        last = int((high / step).to_integral_value(ROUND_CEILING))
        if last - first <= 4:
            places = Decimal(1).scaleb(min(0, step.normalize().as_tuple().exponent))
            return tuple((step * index).quantize(places) for index in range(first, last + 1))
    raise AssertionError("ten times a step of 1 to 5 leaves at most four")  # pragma: no cover


@dataclass(frozen=True)
class Scale:
    """Values to lengths: the lowest gridline's value (0 without gridlines) to the highest (1) onto ``length``."""
    low: float
    high: float
    length: float

    @classmethod
    def of(cls, gridlines: Marks, length: float) -> "Scale":
        return cls(0.0, 1.0, length) if gridlines is None else cls(float(gridlines[0][0]), float(gridlines[-1][0]),
                                                                    length)

    def at(self, value: Decimal | float) -> float:
        return (float(value) - self.low) / (self.high - self.low) * self.length


def legend(groups: tuple[Group, ...], names: Names) -> tuple[list[tuple[str, str, float, float]], float]:
    """The sample and name of each kind of bar shown, in a row, onto a next row when the row is full; and the
    rows' height."""
    kinds = {p.kind for g in groups for p in g.points}
    items, x, y = [], 0.0, 0.0
    for kind, name in names:
        if kind in kinds:
            width = SWATCH + 10 + text_width(name)
            if x and x + width > WIDTH:
                x, y = 0.0, y + LINE + 6
            items.append((kind, name, x, y + 2))
            x += width + 30
    return items, (y + LINE + 12 if items else 0.0)


def column_chart(groups: list[Group], names: dict[str, str], unit: str, number: Numbers) -> Chart:
    """Columns from the axis at zero, each group's label under them. ``names``: what the legend calls each kind
    of bar (those shown are listed); ``unit`` ends the text alternative; ``number`` writes a gridline's value
    (None for yes-or-no values, which have no gridlines). Groups whose values or labels would not fit beside
    one another on a phone are drawn as horizontal bars instead."""
    return _columns(tuple(groups), tuple(names.items()), unit, gridlines(groups, number))


def bar_chart(groups: list[Group], names: dict[str, str], unit: str, number: Numbers) -> Chart:
    """Horizontal bars from the axis at zero, each group's label above its bars, wrapped onto up to three
    lines: for long names such as priority directions, and for more columns than a phone holds."""
    return _across(tuple(groups), tuple(names.items()), unit, gridlines(groups, number))


def gridlines(groups: list[Group], number: Numbers) -> Marks:
    if number is None:
        return None
    values = [p.value for g in groups for p in g.points if p.value is not None]
    return tuple((mark, number(mark)) for mark in ticks(min(values, default=Decimal(0)), max(values, default=Decimal(0))))


# The same chart recurs (every yes-or-no indicator with the same answers, indicators with the same figures),
# so each is laid out once.
@lru_cache(maxsize=256)  # bounded: a national build must not hold a chart for each indicator
def _columns(groups: tuple[Group, ...], names: Names, unit: str, marks: Marks) -> Chart:
    items, top = legend(groups, names)
    left = max(text_width(text) for _, text in marks) + 14 if marks else 4.0
    slot = (WIDTH - left) / max(1, len(groups))
    most = max((len(g.points) for g in groups), default=1)
    if any(text_width(p.text) > slot / most - 6 for g in groups for p in g.points) or any(
            text_width(word) > slot - 6 for g in groups for word in g.label.split()):
        return _across(groups, names, unit, marks)
    axis, plot_top = Scale.of(marks, PLOT), top + 10 + LINE
    zero = plot_top + PLOT - axis.at(0)
    below = LINE if any(p.value is not None and p.value < 0 for g in groups for p in g.points) else 0
    label_y = plot_top + PLOT + below + FONT + 8
    # Every column as wide as the fullest group allows (and no wider than BAR_MOST), each group centred in its slot.
    width = min((slot - 2 * min(slot * 0.15, 24.0)) / most, BAR_MOST)
    bars, labels = [], []
    for index, group in enumerate(groups):
        for place, point in enumerate(group.points):
            x = left + index * slot + (slot - width * len(group.points)) / 2 + place * width
            end = zero if point.value is None else plot_top + PLOT - axis.at(point.value)
            value_y = end + FONT + 2 if end > zero else min(end, zero) - 8
            bars.append(Bar(point.kind, x + 2, min(end, zero), width - 4, abs(end - zero), point.text,
                            x + width / 2, value_y, "middle"))
        labels.append(Label(wrap(group.label, slot - 6), left + index * slot + slot / 2, label_y, "middle"))
    height = label_y + (max((len(label.lines) for label in labels), default=1) - 1) * LINE + 14
    ticks_at = [Tick(plot_top + PLOT - axis.at(mark), text) for mark, text in marks or ()]
    return Chart(WIDTH, height, False, bars, labels, ticks_at, zero, [(left, float(WIDTH))], items,
                 describe(groups, names, unit))


@lru_cache(maxsize=128)
def _across(groups: tuple[Group, ...], names: Names, unit: str, marks: Marks) -> Chart:
    items, y = legend(groups, names)
    points = [p for g in groups for p in g.points]
    half_tick = max((text_width(text) for _, text in marks or ()), default=0.0) / 2
    right = max([half_tick] + [text_width(p.text) + 10 for p in points if p.value is None or p.value >= 0])
    left = max([half_tick] + [text_width(p.text) + 10 for p in points if p.value is not None and p.value < 0])
    axis = Scale.of(marks, WIDTH - left - right)
    zero = left + axis.at(0)
    bars, labels, spans = [], [], []
    for group in groups:
        lines = wrap(group.label, WIDTH)
        y += len(lines) * LINE + 4
        # Set on its last line, just above its bars: where words come out smaller (wider screens), they
        # stay by their bars.
        labels.append(Label(lines, 0.0, y - 10, "start", up=True))
        spans.append((y - 4, y + len(group.points) * (BAR + 6) - 2))
        for point in group.points:
            end = zero if point.value is None else left + axis.at(point.value)
            negative = end < zero
            bars.append(Bar(point.kind, min(end, zero), y, abs(end - zero), float(BAR), point.text,
                            end - 8 if negative else end + 8, y + BAR / 2, "end" if negative else "start"))
            y += BAR + 6
        y += 14
    ticks_at = [Tick(left + axis.at(mark), text) for mark, text in marks or ()]
    if len(ticks_at) > 1 and max(text_width(t.text) for t in ticks_at) + 12 > ticks_at[1].at - ticks_at[0].at:
        # Words too wide for their gridlines' spacing: every other one, zero among them.
        keep = next(i for i, t in enumerate(ticks_at) if abs(t.at - zero) < 0.01) % 2
        ticks_at = [Tick(t.at, t.text if i % 2 == keep else "") for i, t in enumerate(ticks_at)]
    return Chart(WIDTH, y + (LINE + 4 if ticks_at else 0), True, bars, labels, ticks_at, zero, spans, items,
                 describe(groups, names, unit))
