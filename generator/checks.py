"""The checks of one program's content, once its files have the model's shape: ids and references,
years, funding rows and their totals, indicator values and stated changes, reserved names.

Each check adds ``Problem`` values and goes on, so that a clerk sees every problem in one run.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from . import figures
from .figures import CellStatus
from .load import YamlSource, read_text
from .model import (LANGS, PROGRAM_ID, FundingRow, FundingSource, Indicator, IndicatorKind, Program, Task,
                    ValueMode, slug)
from .problems import Problem

WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$")
# Section ids share the program's URL space with these fixed parts.
RESERVED_SECTION_IDS = ("priorities", "indicators", "tasks", "data")


def check_unique(
    source: YamlSource, list_path: tuple[Any, ...], ids: Iterable[str], key: str, problems: list[Problem]
) -> None:
    """Ids must be unique; report each repeat where it stands, naming the first."""
    first: dict[str, int] = {}  # an id -> the index of the item it first stands in
    items = source.data.get(list_path[0]) if isinstance(source.data, dict) else None
    if not isinstance(items, list):
        return
    # Walk the raw list so positions are right even when some items were invalid; a position is
    # looked up only for a repeat.
    for index, item in enumerate(items):
        value = item.get(key) if isinstance(item, dict) else None
        if not isinstance(value, str):
            continue
        if value in first:
            line, column = source.where(list_path + (index, key))
            first_line = source.where(list_path + (first[value], key))[0]
            problems.append(Problem.make(source.path, line, column, "duplicate-id", value=value, first_line=first_line))
        else:
            first[value] = index
    del ids  # the raw walk above is authoritative



def _years_text(years: list[int]) -> str:
    return ", ".join(str(y) for y in years)


_SOURCE_NAMES = {
    FundingSource.all: ("усі джерела", "all sources"),
    FundingSource.state: ("державний бюджет", "state budget"),
    FundingSource.oblast: ("обласний бюджет", "oblast budget"),
    FundingSource.raion: ("районний бюджет", "raion budget"),
    FundingSource.local: ("бюджет громади", "hromada budget"),
    FundingSource.other: ("інші джерела", "other sources"),
}


class ProgramChecks:
    """Cross-references, figures and data-quality checks of one program."""

    def __init__(
        self,
        folder: Path,
        program: Program,
        tasks: list[Task],
        indicators: list[Indicator],
        sources: dict[str, YamlSource],
        catalogue_codes: set[str],
        problems: list[Problem],
    ) -> None:
        self.folder = folder
        self.program = program
        self.tasks = tasks
        self.indicators = indicators
        self.sources = sources
        self.catalogue_codes = catalogue_codes
        self.problems = problems
        self.years = list(range(program.period.start, program.period.end + 1))
        self.sections: dict[str, dict[str, str]] = {}
        self._indexes: dict[tuple[str, str], dict[str, int]] = {}

    # -- helpers -----------------------------------------------------------
    def report(self, file: str, path: tuple[Any, ...], code: str, *, key: bool = False, **params: Any) -> None:
        source = self.sources[file]
        line, column = source.where(path, key=key)
        self.problems.append(Problem.make(source.path, line, column, code, subject=self.subject(source, path), **params))

    @staticmethod
    def subject(source: YamlSource, path: tuple[Any, ...]) -> str:
        """The task, indicator or priority a source path lies in; else the program."""
        kinds = {"tasks": "task", "indicators": "indicator", "priorities": "priority"}
        if len(path) >= 2 and path[0] in kinds and isinstance(path[1], int) and isinstance(source.data, dict):
            items = source.data.get(path[0])
            item = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                return f"{kinds[path[0]]}:{item['id']}"
        return "program"

    def _item_path(self, file: str, list_field: str, item_id: str) -> tuple[Any, ...]:
        """The raw path of the item with this id (items may have been salvaged from an invalid file)."""
        key = (file, list_field)
        if key not in self._indexes:  # built once per file: a scan per item is quadratic on a huge file
            data = self.sources[file].data
            items = data.get(list_field, []) if isinstance(data, dict) else []
            index: dict[str, int] = {}
            for position, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    index.setdefault(item["id"], position)
            self._indexes[key] = index
        position = self._indexes[key].get(item_id)
        return (list_field,) if position is None else (list_field, position)

    def check_reserved_names(self) -> None:
        """Ids become file names of downloads: refuse the names Windows reserves."""
        for file, list_field in (("tasks.yaml", "tasks"), ("indicators.yaml", "indicators"), ("program.yaml", "sections")):
            data = self.sources.get(file).data if file in self.sources else None
            items = data.get(list_field) if isinstance(data, dict) else None
            for position, item in enumerate(items if isinstance(items, list) else []):
                value = item.get("id") if isinstance(item, dict) else None
                if isinstance(value, str) and WINDOWS_RESERVED.match(value):
                    self.report(file, (list_field, position, "id"), "windows-reserved-id", value=value)

    # -- checks ------------------------------------------------------------
    def run(self) -> None:
        self.check_identity()
        self.check_reserved_names()
        self.check_sections()
        priority_ids = self.check_priorities()
        task_ids = self.check_tasks(priority_ids)
        self.check_indicators(priority_ids, task_ids)
        self.check_totals()

    def check_identity(self) -> None:
        period = self.program.period
        if period.start > period.end:
            self.report("program.yaml", ("period",), "period-reversed", start=period.start, end=period.end)
            self.years = []
            return  # the id checks below would only repeat the same mistake
        match = PROGRAM_ID.match(self.folder.name)
        if match and (int(match[1]), int(match[2])) != (period.start, period.end):
            self.report("program.yaml", ("period",), "program-id-period", value=self.folder.name, start=period.start, end=period.end)
        hromada = self.program.hromada
        if hromada.name is None:
            self.report("program.yaml", ("hromada",), "hromada-name-missing")
        if hromada.short_name is not None and match:
            stem = slug(hromada.short_name.uk)
            expected = f"{stem}-{match[1]}-{match[2]}"  # the years are checked above
            if expected != self.folder.name:
                self.report("program.yaml", ("hromada", "short_name"), "program-id-transliteration", value=self.folder.name, expected=expected)

    def check_sections(self) -> None:
        source = self.sources["program.yaml"]
        check_unique(source, ("sections",), [], "id", self.problems)
        listed: set[str] = set()
        for index, section in enumerate(self.program.sections):
            if section.id in RESERVED_SECTION_IDS:
                self.report("program.yaml", ("sections", index, "id"), "reserved-id", value=section.id,
                            reserved=", ".join(RESERVED_SECTION_IDS))
            texts: dict[str, str] = {}
            for lang in LANGS:
                name = f"{section.id}.{lang}.md"
                listed.add(name)
                path = self.folder / "sections" / name
                if path.is_file() or path.is_symlink():
                    text = read_text(path, self.problems, self.folder.parent, section=True)
                    if text is not None:
                        texts[lang] = text
                elif lang == "uk":
                    self.report("program.yaml", ("sections", index, "id"), "section-file-missing", name=f"sections/{name}")
            self.sections[section.id] = texts
        section_dir = self.folder / "sections"
        if section_dir.is_dir():
            for path in sorted(section_dir.iterdir()):
                if path.name not in listed:
                    self.problems.append(Problem.make(path, 1, 1, "section-file-orphan", name=f"sections/{path.name}"))

    def check_priorities(self) -> set[str]:
        source = self.sources["program.yaml"]
        seen: dict[str, tuple[Any, ...]] = {}  # an id -> where it first stands
        for p_index, priority in enumerate(self.program.priorities):
            entries = [(("priorities", p_index, "id"), priority.id)] + [
                (("priorities", p_index, "subdirections", s_index, "id"), sub.id)
                for s_index, sub in enumerate(priority.subdirections)
            ]
            for path, item_id in entries:
                if item_id in seen:
                    self.report("program.yaml", path, "duplicate-id", value=item_id,
                                first_line=source.where(seen[item_id])[0])
                else:
                    seen[item_id] = path
            for r_index, row in enumerate(priority.stated_totals):
                self.check_funding_row("program.yaml", ("priorities", p_index, "stated_totals", r_index), row)
        for r_index, row in enumerate(self.program.stated_totals):
            self.check_funding_row("program.yaml", ("stated_totals", r_index), row)
        if self.program.passport.funding:
            for r_index, row in enumerate(self.program.passport.funding.rows):
                self.check_funding_row("program.yaml", ("passport", "funding", "rows", r_index), row)
        return set(seen)

    def check_tasks(self, priority_ids: set[str]) -> set[str] | None:
        if "tasks.yaml" not in self.sources:
            return set()
        source = self.sources["tasks.yaml"]
        check_unique(source, ("tasks",), [], "id", self.problems)
        for task in self.tasks:
            base = self._item_path("tasks.yaml", "tasks", task.id)
            if task.priority not in priority_ids:
                self.report("tasks.yaml", base + ("priority",), "unknown-priority", value=task.priority, allowed=", ".join(sorted(priority_ids)))
            if task.responsible is None:
                self.report("tasks.yaml", base, "task-no-responsible")
            if task.timeframe is not None:
                self.check_timeframe(base + ("timeframe",), task.timeframe)
            elif not self.planned_years(task):
                self.report("tasks.yaml", base, "task-no-timeframe")
            for field_name in ("funding", "actual_spending"):
                for r_index, row in enumerate(getattr(task, field_name)):
                    self.check_funding_row("tasks.yaml", base + (field_name, r_index), row)
            self.check_task_rows(base, task)
        return self.declared_ids("tasks.yaml", "tasks")

    def declared_ids(self, file: str, list_field: str) -> set[str] | None:
        """Every id a file declares, valid item or not; None when the file could not be read.

        References are judged against this, so one broken task does not make
        every indicator that points at it an error too.
        """
        source = self.sources[file]
        if not source.ok:
            return None
        items = source.data.get(list_field) if isinstance(source.data, dict) else None
        if not isinstance(items, list):
            return None
        return {item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)}

    @staticmethod
    def planned_years(task: Task) -> list[int]:
        """Years the funding cells mark as planned: some documents give the timeframe only this way."""
        marked = (CellStatus.amount, CellStatus.planned, CellStatus.within_allocations)
        years = {
            year
            for row in task.funding
            for year, value in row.years.items()
            if (figure := figures.parse_amount(value)) is not None and figure.status in marked
        }
        return sorted(years)

    def check_timeframe(self, path: tuple[Any, ...], timeframe: str) -> None:
        found = re.fullmatch(r"\s*(\d{4})(?:\s*[-–—]\s*(\d{4}))?\s*(?:рр?\.?|роки|рік|років)?\s*", timeframe)
        if not found:
            self.report("tasks.yaml", path, "bad-timeframe", value=timeframe)
            return
        for year in filter(None, found.groups()):
            if self.years and int(year) not in self.years:
                self.report("tasks.yaml", path, "year-outside-period", year=year, start=self.years[0], end=self.years[-1])

    def check_year_keys(self, file: str, path: tuple[Any, ...], years: dict[int, Any]) -> None:
        for year in years:
            if self.years and year not in self.years:
                self.report(file, path + (year,), "year-outside-period", key=True, year=year, start=self.years[0], end=self.years[-1])

    def check_funding_row(self, file: str, path: tuple[Any, ...], row: FundingRow) -> None:
        self.check_year_keys(file, path + ("years",), row.years)
        cells = [(path + ("years", year), value) for year, value in row.years.items()] + [(path + ("total",), row.total)]
        bad = False
        for cell_path, value in cells:
            if figures.parse_amount(value) is None:
                self.report(file, cell_path, "bad-amount", value=value)
                bad = True
        if bad:
            return
        stated = figures.parse_amount(row.total)
        computed = figures.sum_amounts(figures.parse_amount(v) for v in row.years.values())
        if stated is not None and stated.amount is not None and computed is not None and stated.amount != computed:
            name_uk, name_en = _SOURCE_NAMES[row.source]
            self.mismatch(file, path + ("total",), f"підсумок рядка «{name_uk}»", f"the total of the row '{name_en}'", stated.amount, computed)

    def mismatch(self, file: str, path: tuple[Any, ...], what: str, what_en: str, stated: Decimal, computed: Decimal) -> None:
        self.report(
            file, path, "total-mismatch", what=what, what_en=what_en,
            stated=figures.plain(stated), computed=figures.plain(computed), difference=figures.plain(stated - computed),
        )

    def check_task_rows(self, base: tuple[Any, ...], task: Task) -> None:
        """A task's «Загальний обсяг» row against the sum of its source rows."""
        rows = [r for r in task.funding if r.source is not FundingSource.all]
        for r_index, total_row in enumerate(task.funding):
            if total_row.source is not FundingSource.all or not rows:
                continue
            for year in list(total_row.years) + ["total"]:
                stated_value = total_row.total if year == "total" else total_row.years[year]
                stated = figures.parse_amount(stated_value)
                parts = [figures.parse_amount(r.total if year == "total" else r.years.get(year)) for r in rows]
                computed = figures.sum_amounts(parts)
                if stated and stated.amount is not None and computed is not None and stated.amount != computed:
                    where = ("total",) if year == "total" else ("years", year)
                    label = "усього" if year == "total" else str(year)
                    label_en = "all years" if year == "total" else str(year)
                    self.mismatch("tasks.yaml", base + ("funding", r_index) + where,
                                  f"загальний обсяг завдання ({label})", f"the task's total funding ({label_en})", stated.amount, computed)

    def check_indicators(self, priority_ids: set[str], task_ids: set[str] | None) -> None:
        if "indicators.yaml" not in self.sources:
            return
        check_unique(self.sources["indicators.yaml"], ("indicators",), [], "id", self.problems)
        for indicator in self.indicators:
            base = self._item_path("indicators.yaml", "indicators", indicator.id)
            if indicator.priority not in priority_ids:
                self.report("indicators.yaml", base + ("priority",), "unknown-priority", value=indicator.priority, allowed=", ".join(sorted(priority_ids)))
            if indicator.task is not None and task_ids is not None and indicator.task not in task_ids:
                self.report("indicators.yaml", base + ("task",), "unknown-task", value=indicator.task)
            if indicator.catalogue is not None and indicator.catalogue not in self.catalogue_codes:
                self.report("indicators.yaml", base + ("catalogue",), "unknown-catalogue-code", value=indicator.catalogue)
            self.check_indicator_values(base, indicator)

    def check_indicator_values(self, base: tuple[Any, ...], indicator: Indicator) -> None:
        kind = indicator.kind
        unit = indicator.unit.uk
        if (kind is IndicatorKind.percent) != ("%" in unit) or (kind is IndicatorKind.boolean and "так" not in unit.lower()):
            self.report("indicators.yaml", base + ("unit",), "unit-kind-mismatch", unit=unit, kind=kind.value)
        self.check_year_keys("indicators.yaml", base + ("targets",), indicator.targets)
        self.check_year_keys("indicators.yaml", base + ("actual",), indicator.actual)
        cells = [(("baseline",), indicator.baseline)]
        cells += [(("targets", y), v) for y, v in indicator.targets.items()]
        cells += [(("actual", y), v) for y, v in indicator.actual.items()]
        parsed: dict[tuple[Any, ...], figures.Figure] = {}
        hints = {
            "boolean": ("лише «Так» або «Ні»", "only 'Так' (yes) or 'Ні' (no)"),
            "number": ("потрібне число, наприклад 5,0", "a number is needed, e.g. 5,0"),
            "whole": ("кількість має бути цілим числом", "a count must be a whole number"),
        }
        invalid = False
        for path, value in cells:
            figure, hint = figures.parse_value(value, kind)
            if figure is None:
                self.report("indicators.yaml", base + path, "bad-value", value=value, kind=kind.value, hint=hints[hint][0], hint_en=hints[hint][1])
                invalid = True
                continue
            parsed[path] = figure
            if kind is IndicatorKind.percent and figure.amount is not None and not (0 <= figure.amount <= 100):
                self.report("indicators.yaml", base + path, "percent-out-of-range", value=figures.plain(figure.amount))
        missing = [
            y for y in self.years
            if ("targets", y) not in parsed and y not in indicator.targets
            or ("targets", y) in parsed and parsed[("targets", y)].status is CellStatus.empty
        ]
        if missing:
            self.report("indicators.yaml", base + ("targets",), "values-missing", years=_years_text(missing))
        change = figures.parse_change(indicator.change) if indicator.change is not None else None
        if indicator.change is not None and change is None:
            self.report("indicators.yaml", base + ("change",), "bad-change", value=indicator.change)
            return
        if invalid or change is None or change.amount is None or kind is IndicatorKind.boolean:
            return  # a change computed from figures that are wrong would only mislead
        targets = [parsed[("targets", y)] for y in self.years if ("targets", y) in parsed]
        baseline = parsed.get(("baseline",))
        computed = figures.computed_change(indicator.mode, baseline, targets)
        if computed is None or computed == change.amount:
            return
        if indicator.mode is ValueMode.increment:
            rule, rule_en = "сума річних значень", "the sum of the yearly figures"
        elif baseline is not None and baseline.amount is not None:
            rule, rule_en = "останнє значення мінус базове", "the last target minus the baseline"
        else:
            rule, rule_en = "останнє значення мінус перше", "the last target minus the first"
        self.report("indicators.yaml", base + ("change",), "change-mismatch",
                    stated=str(indicator.change), computed=figures.plain(computed), rule=rule, rule_en=rule_en)

    # -- totals --------------------------------------------------------------
    def task_parts(self, tasks: list[Task], source: FundingSource) -> dict[Any, Decimal | None]:
        """Per year (and 'total'), the sum over tasks of their rows for one source."""
        result: dict[Any, Decimal | None] = {}
        for key in self.years + ["total"]:
            parts: list[figures.Figure | None] = []
            for task in tasks:
                if source is FundingSource.all:
                    rows = [r for r in task.funding if r.source is FundingSource.all] or [
                        r for r in task.funding if r.source is not FundingSource.all
                    ]
                else:
                    rows = [r for r in task.funding if r.source is source]
                for row in rows:
                    value = row.total if key == "total" else row.years.get(key)
                    parts.append(figures.parse_amount(value))
            result[key] = figures.sum_amounts(parts)
        return result

    def compare_stated(self, path: tuple[Any, ...], rows: list[FundingRow], tasks: list[Task], what: str, what_en: str) -> None:
        for r_index, row in enumerate(rows):
            if any(figures.parse_amount(v) is None for v in [row.total, *row.years.values()]):
                continue  # already reported as a bad amount
            computed = self.task_parts(tasks, row.source)
            name_uk, name_en = ("", "") if row.source is FundingSource.all else _SOURCE_NAMES[row.source]
            for key, value in [*row.years.items(), ("total", row.total)]:
                stated = figures.parse_amount(value)
                parts = computed.get(key)
                if stated is None or stated.amount is None or parts is None or stated.amount == parts:
                    continue
                where = ("total",) if key == "total" else ("years", key)
                label, label_en = ("усього", "all years") if key == "total" else (str(key), str(key))
                self.mismatch("program.yaml", path + (r_index,) + where,
                              ", ".join(filter(None, (what, name_uk, label))),
                              ", ".join(filter(None, (what_en, name_en, label_en))), stated.amount, parts)

    def check_totals(self) -> None:
        for p_index, priority in enumerate(self.program.priorities):
            ids = {priority.id} | {s.id for s in priority.subdirections}
            tasks = [t for t in self.tasks if t.priority in ids]
            self.compare_stated(("priorities", p_index, "stated_totals"), priority.stated_totals, tasks,
                                "всього за напрямом", "total for the direction")
        self.compare_stated(("stated_totals",), self.program.stated_totals, self.tasks,
                            "всього за програмою", "total for the program")
        if self.program.passport.funding and self.tasks:
            self.compare_stated(("passport", "funding", "rows"), self.program.passport.funding.rows, self.tasks,
                                "фінансування в паспорті", "funding in the passport")
