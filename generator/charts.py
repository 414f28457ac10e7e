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
from functools import lru_cache
from typing import Callable

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


@dataclass(frozen=True)
class Point:
    value: Decimal | None
    text: str  # the value as the page shows it
    kind: str  # baseline | target | actual | amount: what the legend calls it


@dataclass(frozen=True)
class Group:
    label: str  # what the group's bars are: a year, "baseline", a priority direction
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Bar:
    kind: str
    x: float
    y: float
    width: float
    height: float
    value_text: str
    value_x: float
    value_y: float
    value_anchor: str  # middle | start | end


@dataclass(frozen=True)
class Label:
    lines: tuple[str, ...]
    x: float
    y: float  # the first line's baseline; with ``up``, the last line's
    anchor: str
    up: bool = False


@dataclass(frozen=True)
class Tick:
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
        hatch = f"{id}-hatch"
        lines = [f'<svg role="img" aria-labelledby="{id}-t {id}-d" viewBox="0 0 {WIDTH} {num(self.height)}">',
                 f'<title id="{id}-t">{escape(title)}</title>',
                 f'<desc id="{id}-d">{escape(self.summary)}</desc>']
        if any(kind == "actual" for kind, *_ in self.legend):
            # Actual values are hatched, so that they differ from targets without colour.
            lines.append(f'<defs><pattern id="{hatch}" width="10" height="10" patternUnits="userSpaceOnUse" '
                         'patternTransform="rotate(45)"><rect width="10" height="10" class="hatch-ground"/>'
                         '<rect width="5" height="10" class="hatch-stripe"/></pattern></defs>')
        fill = f' fill="url(#{hatch})"'
        for kind, name, x, y in self.legend:
            lines += [f'<rect x="{num(x)}" y="{num(y)}" width="{SWATCH}" height="{SWATCH}" class="bar bar-{kind}"'
                      f'{fill if kind == "actual" else ""}/>',
                      f'<text x="{num(x + SWATCH + 10)}" y="{num(y + SWATCH / 2)}" dy=".35em" class="legend start">'
                      f'{escape(name)}</text>']
        lines += self._grid()
        for bar in self.bars:
            if bar.width and bar.height:
                lines.append(f'<rect x="{num(bar.x)}" y="{num(bar.y)}" width="{num(bar.width)}" '
                             f'height="{num(bar.height)}" class="bar bar-{bar.kind}"'
                             f'{fill if bar.kind == "actual" else ""}/>')
        lines.append(self._axis())
        middle = ' dy=".35em"' if self.horizontal else ""  # a horizontal bar's value stands at its middle
        for bar in self.bars:
            if bar.value_text:
                lines.append(f'<text x="{num(bar.value_x)}" y="{num(bar.value_y)}"{middle} '
                             f'class="value {bar.value_anchor}">{escape(bar.value_text)}</text>')
        for label in self.labels:
            lines.append(f'<text x="{num(label.x)}" y="{num(label.y)}" class="label {label.anchor}">'
                         f'{tspans(label.lines, label.x, label.up)}</text>')
        lines.append("</svg>")
        return Markup("\n".join(lines))

    def _grid(self) -> list[str]:
        lines = [self._line(tick.at, "grid") for tick in self.ticks]
        for tick in self.ticks:
            if self.horizontal and tick.text:
                lines.append(f'<text x="{num(tick.at)}" y="{num(self.spans[-1][1] + FONT + 4)}" class="tick middle">'
                             f'{escape(tick.text)}</text>')
            elif tick.text:
                lines.append(f'<text x="{num(self.spans[0][0] - 10)}" y="{num(tick.at)}" dy=".35em" class="tick end">'
                             f'{escape(tick.text)}</text>')
        return lines

    def _axis(self) -> str:
        return self._line(self.zero, "axis")

    def _line(self, at: float, kind: str) -> str:
        """A gridline or the axis at ``at``, as a path of one segment a span."""
        if self.horizontal:
            segments = "".join(f"M{num(at)} {num(start)}V{num(end)}" for start, end in self.spans)
        else:
            segments = "".join(f"M{num(start)} {num(at)}H{num(end)}" for start, end in self.spans)
        return f'<path d="{segments}" class="{kind}"/>'


def num(value: float) -> str:
    """A coordinate as the SVG writes it: at most one decimal, and no float noise (124.80000000000001)."""
    return f"{round(value, 1) + 0.0:g}"  # + 0.0 turns -0.0 into 0


def tspans(lines: tuple[str, ...], x: float, up: bool = False) -> str:
    """Lines 1.25 em apart, from the text's baseline down, or ``up`` to it."""
    if len(lines) == 1:
        return str(escape(lines[0]))
    first = f' dy="-{num(1.25 * (len(lines) - 1))}em"' if up else ""
    return "".join(f'<tspan x="{num(x)}"{first if index == 0 else NEXT_LINE}>{escape(line)}</tspan>'
                   for index, line in enumerate(lines))


NEXT_LINE = ' dy="1.25em"'


def describe(groups: list[Group], names: dict[str, str], unit: str) -> str:
    """The text alternative: each group's label and values, a value named by its kind where a group has several."""
    return "; ".join(f"{g.label}: {g.points[0].text}" if len(g.points) == 1 else f"{g.label}: " + ", ".join(
        f"{names[p.kind]} {p.text}" for p in g.points if p.text) for g in groups) + f" ({unit})"


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
    """Values to lengths: ``low`` to ``high`` onto ``length`` units."""
    low: float
    high: float
    length: float

    def at(self, value: Decimal | float) -> float:
        return (float(value) - self.low) / (self.high - self.low) * self.length


def scale(groups: list[Group], number: Numbers, length: float) -> tuple[Scale, list[Tick]]:
    """The value axis: its gridlines, labelled by ``number``; without it (yes or no), 0 to 1 and no gridlines."""
    values = [p.value for g in groups for p in g.points if p.value is not None]
    if number is None:
        return Scale(0.0, 1.0, length), []
    marks = ticks(min(values, default=Decimal(0)), max(values, default=Decimal(0)))
    axis = Scale(float(marks[0]), float(marks[-1]), length)
    return axis, [Tick(axis.at(mark), number(mark)) for mark in marks]


def legend(groups: list[Group], names: dict[str, str]) -> tuple[list[tuple[str, str, float, float]], float]:
    """The sample and name of each kind of bar shown, in a row, onto a next row when the row is full; and the
    rows' height."""
    shown = [(kind, name) for kind, name in names.items() if any(p.kind == kind for g in groups for p in g.points)]
    items, x, y = [], 0.0, 0.0
    for kind, name in shown:
        width = SWATCH + 10 + text_width(name)
        if x and x + width > WIDTH:
            x, y = 0.0, y + LINE + 6
        items.append((kind, name, x, y + 2))
        x += width + 30
    return items, (y + LINE + 12 if shown else 0.0)


def column_chart(groups: list[Group], names: dict[str, str], unit: str, number: Numbers) -> Chart:
    """Columns from the axis at zero, each group's label under them. ``names``: what the legend calls each kind
    of bar (those shown are listed); ``unit`` ends the text alternative; ``number`` writes a gridline's value
    (None for yes-or-no values, which have no gridlines). Groups whose values or labels would not fit beside
    one another on a phone are drawn as horizontal bars instead."""
    items, top = legend(groups, names)
    axis, marks = scale(groups, number, PLOT)
    left = max((text_width(t.text) for t in marks), default=0.0) + 14 if marks else 4.0
    slot = (WIDTH - left) / max(1, len(groups))
    most = max((len(g.points) for g in groups), default=1)
    per_bar, pad = slot / most, min(slot * 0.15, 24.0)
    if any(text_width(p.text) > per_bar - 6 for g in groups for p in g.points) or any(
            text_width(word) > slot - 6 for g in groups for word in g.label.split()):
        return bar_chart(groups, names, unit, number)
    plot_top = top + 10 + LINE
    zero = plot_top + PLOT - axis.at(0)
    below = LINE if any(p.value is not None and p.value < 0 for g in groups for p in g.points) else 0
    label_y = plot_top + PLOT + below + FONT + 8
    # Every column as wide as the fullest group allows (and no wider than BAR_MOST), each group centred in its slot.
    width = min((slot - 2 * pad) / most, BAR_MOST)
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
    return Chart(WIDTH, height, False, bars, labels, [Tick(plot_top + PLOT - t.at, t.text) for t in marks],
                 zero, [(left, float(WIDTH))], items, describe(groups, names, unit))


def bar_chart(groups: list[Group], names: dict[str, str], unit: str, number: Numbers) -> Chart:
    """Horizontal bars from the axis at zero, each group's label above its bars, wrapped onto up to three
    lines: for long names such as priority directions, and for more columns than a phone holds."""
    items, y = legend(groups, names)
    points = [p for g in groups for p in g.points]
    marks = scale(groups, number, 1.0)[1]
    half_tick = max((text_width(t.text) for t in marks), default=0.0) / 2
    right = max([half_tick] + [text_width(p.text) + 10 for p in points if p.value is None or p.value >= 0])
    left = max([half_tick] + [text_width(p.text) + 10 for p in points if p.value is not None and p.value < 0])
    axis, marks = scale(groups, number, WIDTH - left - right)
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
    ticks_shown = [Tick(left + t.at, t.text) for t in marks]
    if len(ticks_shown) > 1 and text_width(max((t.text for t in ticks_shown), key=len)) + 12 > (
            ticks_shown[1].at - ticks_shown[0].at):
        # Labels too wide for their gridlines' spacing: every other one, zero among them.
        keep = next(i for i, t in enumerate(ticks_shown) if abs(t.at - zero) < 0.01) % 2
        ticks_shown = [Tick(t.at, t.text if i % 2 == keep else "") for i, t in enumerate(ticks_shown)]
    height = y + (LINE + 4 if ticks_shown else 0)
    return Chart(WIDTH, height, True, bars, labels, ticks_shown, zero, spans, items,
                 describe(groups, names, unit))
