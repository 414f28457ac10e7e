"""Comparisons: a standard indicator's targets across the programs that use it, and the list of standard indicators.

Each program's worker makes its rows (``program_uses``): their cells rendered in both languages and
their figures for the downloads, language-free. The main process only joins and sorts them
(``Comparison``): a rebuild after one program changed renders no other program's rows.

A program whose unit or kind of value is not the catalogue's, or that states yearly increments
where the catalogue means levels, is set apart, never drawn on the same axis as the others: its
numbers measure something else.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from markupsafe import Markup

from .assemble import IndicatorView, ProgramView, route
from .charts import Chart, Group, Point, bar_chart
from .export import compact_json, json_value, to_csv, to_json
from .figures import CellStatus, Figure
from .formats import format_number, plural_form
from .model import LANGS, CatalogueEntry, IndicatorKind, Text, ValueMode
from .render import Page, Renderer, sort_key

# Where a row's year cells start and end in what its macro renders (comparison_row in _entries.html):
# escaped text never holds "<", so only the template can write it.
YEARS_MARK = "<!--years-->"
# The chart draws the first this many rows, in the table's order: at national size a comparison
# has a thousand rows, which no chart on a phone can show. The table below it has them all.
CHART_BARS = 20


def comparison_route(lang: str, code: str) -> str:
    return route(lang, "indicators", code)


def download_path(code: str, extension: str) -> str:
    """A comparison's download, from the site root: beside every program's own, in ``data/``."""
    return f"data/indicators/{code}.{extension}"


def same_unit(unit: Text, other: Text) -> bool:
    """Units as the documents write them: «%» and «% », «од.» and «од» are one unit; «осіб» and «%» are not."""
    def bare(text: str) -> str:
        return " ".join(text.split()).casefold().rstrip(".")
    return bare(unit.uk) == bare(other.uk)


def differences(indicator: IndicatorView, entry: CatalogueEntry) -> list[str]:
    """What keeps a program's figures off the catalogue's axis: its unit, its kind of value, or yearly
    increments where the catalogue means the level reached (a last increment of 0 may mean a level of 99,8 %)."""
    ind = indicator.indicator
    return [name for name, same in (("unit", same_unit(ind.unit, entry.unit)), ("kind", ind.kind is entry.kind),
                                    ("mode", ind.mode is ValueMode.level)) if not same]


def final_target(indicator: IndicatorView) -> tuple[int, Figure] | None:
    """The target of the last year that has one: what the program means to reach."""
    return next(((year, figure) for year, figure in reversed(indicator.targets)
                 if figure.status is not CellStatus.empty), None)


NO_TARGET = Figure(CellStatus.empty)


def _cell(figure: Figure) -> list[Any]:
    """[status, number as text or None, the cell as stated]: how a row keeps a figure in the manifest."""
    return [figure.status.value, None if figure.amount is None else format(figure.amount, "f"), figure.text]


def program_uses(renderer: Renderer, program: ProgramView) -> list[list[str]]:
    """[code, row as JSON text] for each of a program's indicators that names a catalogue code (see Row)."""
    uses = []
    for indicator in program.indicators.values():
        entry = indicator.catalogue
        if entry is None:
            continue
        differs, final = differences(indicator, entry), final_target(indicator)
        html = []
        for lang in LANGS:
            macro = renderer.envs[lang].get_template("_entries.html").module.comparison_row
            href = renderer.page_url(comparison_route(lang, entry.code))(indicator.route(lang))
            html.append(str(macro(program, indicator, final[1] if final else NO_TARGET, differs, href)).split(YEARS_MARK))
        ind = indicator.indicator
        # As JSON text: a rebuild reads every program's rows from the manifest but decodes only those of the
        # comparisons a change touches (decoded whole, a national manifest's rows were 0.4 s of a rebuild).
        uses.append([entry.code, compact_json({
            "indicator": indicator.id, "unit": ind.unit.model_dump(exclude_none=True), "kind": ind.kind.value,
            "years": [program.years[0], program.years[-1]], "baseline": _cell(indicator.baseline),
            "targets": [_cell(figure) for _, figure in indicator.targets],
            "final": [final[0], _cell(final[1])] if final else None,
            "change": None if ind.change is None else str(ind.change), "differs": differs, "html": html},
            sort_keys=True).decode()])
    return uses


Names = dict[str, str]  # a Text as the manifest keeps it: {"uk": ..., "en": ...}


@dataclass(frozen=True)
class Row:
    """A program's row in a comparison, as its worker made it (program_uses)."""
    program_id: str
    names: list[str]  # its hromada's name as shown, by language ("" if the document names none)
    hromada: Names | None
    oblast: Names | None
    indicator: str
    unit: Names
    kind: str
    years: tuple[int, int]  # its first and last year
    baseline: list[Any]
    targets: list[list[Any]]  # one a year, first to last
    final: tuple[int, list[Any]] | None
    change: str | None
    differs: list[str]
    html: list[list[str]]  # by language: the cells before its years, its years' cells, those after
    value: Decimal | None  # the final target on the catalogue's axis: yes is 1 and no is 0

    @classmethod
    def of(cls, program_id: str, names: list[str], hromada: Names | None, oblast: Names | None, text: str) -> "Row":
        """From what a worker made, or a manifest held: TypeError, ValueError or KeyError if it is not that."""
        row = json_value(text.encode())
        final = None if row["final"] is None else (int(row["final"][0]), _checked_cell(row["final"][1]))
        value = None
        if final is not None:
            status, number, _ = final[1]
            value = Decimal(number) if number is not None else {"yes": Decimal(1), "no": Decimal(0)}.get(status)
        made = cls(program_id, names, _names(hromada), _names(oblast), row["indicator"], _names(row["unit"]),
                   IndicatorKind(row["kind"]).value, (int(row["years"][0]), int(row["years"][1])),
                   _checked_cell(row["baseline"]), [_checked_cell(cell) for cell in row["targets"]], final,
                   row["change"], list(row["differs"]), row["html"], value)
        if not (isinstance(made.indicator, str) and made.unit is not None
                and made.years[1] - made.years[0] + 1 == len(made.targets)
                and (made.change is None or isinstance(made.change, str))
                and set(made.differs) <= {"unit", "kind", "mode"} and len(made.html) == len(LANGS)
                and all(len(parts) == 3 and all(isinstance(part, str) for part in parts) for parts in made.html)):
            raise ValueError("not a comparison's row")
        return made

    @property
    def comparable(self) -> bool:
        return not self.differs


def _names(text: Any) -> Names | None:  # noqa: ANN401 - read from the manifest
    if text is None:
        return None
    if not (isinstance(text, dict) and isinstance(text.get("uk"), str)
            and all(key in ("uk", "en") and isinstance(value, str) for key, value in text.items())):
        raise ValueError("not a text")
    return text


def _checked_cell(cell: Any) -> list[Any]:  # noqa: ANN401 - read from the manifest
    status, number, text = cell
    CellStatus(status)
    if not (isinstance(text, str) and (number is None or (isinstance(number, str) and Decimal(number).is_finite()))):
        raise ValueError("not a cell")
    return [status, number, text]


def _number(number: str | None) -> int | float | None:
    """A JSON number, as the per-item downloads write it."""
    if number is None:
        return None
    value = Decimal(number)
    return int(value) if value == value.to_integral_value() and "." not in number else float(value)


def _csv_cell(cell: list[Any]) -> Any:  # noqa: ANN401 - a Decimal or text
    status, number, _ = cell
    return Decimal(number) if number is not None else status if status in ("yes", "no") else None


def _json_cell(cell: list[Any]) -> dict[str, Any]:
    status, number, text = cell
    return {"value": _number(number), "status": status, "as_stated": text or None}


class Comparison:
    """One standard indicator's comparison: its rows joined and sorted, its pages and downloads."""

    def __init__(self, entry: CatalogueEntry, rows: list[Row]) -> None:
        self.entry = entry
        self.rows = rows
        self.years = list(range(min(row.years[0] for row in rows), max(row.years[1] for row in rows) + 1))
        self.orders: dict[int, tuple[list[Row], list[Row]]] = {}  # by language, once each (the downloads' is uk's)

    def ordered(self, index: int) -> tuple[list[Row], list[Row]]:
        """The comparable rows by their final target, the best first (those without one last), ties by the
        hromadas' names in the language's order; then those set apart, by name."""
        if index in self.orders:
            return self.orders[index]
        lang, better = LANGS[index], -1 if self.entry.higher_is_better else 1

        def by_name(row: Row) -> tuple[bool, str, str, str]:
            return not row.names[index], sort_key(row.names[index], lang), row.program_id, row.indicator

        def by_target(row: Row) -> tuple[bool, Decimal, tuple[bool, str, str, str]]:
            value = row.value
            return value is None, Decimal(0) if value is None else better * value, by_name(row)

        self.orders[index] = (sorted((row for row in self.rows if row.comparable), key=by_target),
                              sorted((row for row in self.rows if not row.comparable), key=by_name))
        return self.orders[index]

    def chart(self, renderer: Renderer, lang: str, rows: list[Row]) -> Chart | None:
        """Bars across of the comparable final targets; not for yes-or-no indicators, whose table says it all."""
        index, strings = LANGS.index(lang), renderer.strings[lang]
        groups = [Group(row.names[index] or strings["unnamed_hromada"], (Point(value, format_number(value, lang), "target"),))
                  for row in rows[:CHART_BARS] if (value := row.value) is not None]
        if self.entry.kind is IndicatorKind.boolean or not groups:
            return None
        unit = self.entry.unit.en if lang == "en" and self.entry.unit.en else self.entry.unit.uk
        return bar_chart(groups, {"target": strings["target"]}, unit, partial(format_number, lang=lang))

    def page(self, renderer: Renderer, lang: str) -> Page:
        index = LANGS.index(lang)
        comparable, apart = self.ordered(index)
        with_value = [row for row in comparable if row.value is not None]

        def shown(rows: list[Row]) -> list[dict[str, Any]]:
            first, last = self.years[0], self.years[-1]
            return [{"head": Markup(head), "lead": row.years[0] - first, "years": Markup(years),
                     "trail": last - row.years[1], "tail": Markup(tail)}
                    for row in rows for head, years, tail in [row.html[index]]]

        return Page(comparison_route(lang, self.entry.code), "standard_indicator.html", lang, {
            "entry": self.entry, "years": self.years, "rows": shown(comparable), "apart": shown(apart),
            "chart": self.chart(renderer, lang, with_value),
            "chart_note": renderer.strings[lang]["chart_first"].format(shown=CHART_BARS, count=len(with_value))
            if len(with_value) > CHART_BARS else "",
            "programs": len({row.program_id for row in self.rows}),
            "csv": download_path(self.entry.code, "csv"), "json": download_path(self.entry.code, "json"),
        })

    def download_rows(self) -> list[Row]:
        """In the Ukrainian page's order: the authoritative names'."""
        comparable, apart = self.ordered(0)
        return comparable + apart

    def csv(self) -> bytes:
        header = ["program_id", "indicator_id", "hromada_uk", "hromada_en", "oblast_uk", "oblast_en", "unit_uk",
                  "unit_en", "kind", "comparable", "baseline", *(f"target_{year}" for year in self.years),
                  "final_target", "final_target_year", "change_as_stated"]
        rows = []
        for row in self.download_rows():
            targets = dict(zip(range(row.years[0], row.years[1] + 1), row.targets))
            rows.append([row.program_id, row.indicator, *_both(row.hromada), *_both(row.oblast), *_both(row.unit),
                         row.kind, "true" if row.comparable else "false", _csv_cell(row.baseline),
                         *(_csv_cell(targets[year]) if year in targets else None for year in self.years),
                         *((_csv_cell(row.final[1]), row.final[0]) if row.final else (None, None)), row.change])
        return to_csv(header, rows)

    def json(self) -> bytes:
        entry = self.entry
        return to_json({
            "code": entry.code, "name": entry.name.model_dump(), "unit": entry.unit.model_dump(),
            "kind": entry.kind.value, "higher_is_better": entry.higher_is_better,
            "direction": entry.direction.model_dump() if entry.direction else None, "years": self.years,
            "programs": [{
                "program_id": row.program_id, "indicator_id": row.indicator,
                "hromada": _json_text(row.hromada), "oblast": _json_text(row.oblast), "unit": _json_text(row.unit), "kind": row.kind, "comparable": row.comparable, "differs": row.differs,
                "baseline": _json_cell(row.baseline),
                "targets": [{"year": year, **_json_cell(cell)}
                            for year, cell in zip(range(row.years[0], row.years[1] + 1), row.targets)],
                "final_target": {"year": row.final[0], **_json_cell(row.final[1])} if row.final else None,
                "change_as_stated": row.change,
            } for row in self.download_rows()],
        })


def _json_text(text: Names | None) -> dict[str, str | None] | None:
    return None if text is None else {"uk": text["uk"], "en": text.get("en")}


def _both(text: Names | None) -> tuple[str | None, str | None]:
    return (None, None) if text is None else (text["uk"], text.get("en"))


def index_page(renderer: Renderer, lang: str, counts: dict[str, int]) -> Page:
    """Every standard indicator, by priority direction in the catalogue's order, with how many programs use
    it; those some program uses link their comparison."""
    strings = renderer.strings[lang]
    groups: dict[str, dict[str, Any]] = {}  # by the direction's Ukrainian name, the authoritative one
    for entry in renderer.site.catalogue:
        direction = entry.direction.uk if entry.direction else ""
        group = groups.setdefault(direction, {"direction": entry.direction, "anchor": f"direction-{len(groups) + 1}",
                                              "items": []})
        count = counts.get(entry.code, 0)
        group["items"].append({
            "entry": entry, "route": comparison_route(lang, entry.code) if count else None,
            "used_by": strings[f"used_by_{plural_form(count, lang)}"].format(count=count) if count else strings["used_by_none"]})
    # The entries with no direction last, under a heading of their own.
    ordered = sorted(groups.values(), key=lambda group: group["direction"] is None)
    return Page(route(lang, "indicators"), "indicators.html", lang, {"groups": ordered})


def use_counts(uses: list[list[list[Any]]]) -> dict[str, int]:
    """How many programs use each code, from each program's uses (a program that uses one twice counts once)."""
    counts: dict[str, int] = {}
    for part_uses in uses:
        for code in {use[0] for use in part_uses}:
            counts[code] = counts.get(code, 0) + 1
    return counts
