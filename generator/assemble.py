"""Assemble the validated corpus into what pages show: routes, computed sums, notes.

No I/O. Every figure a reader sees that the document does not state is
computed here (through ``figures``), once, and compared with what is stated.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from . import figures
from .figures import CellStatus, Figure
from .model import (CatalogueEntry, FundingRow, FundingSource, Indicator, IndicatorKind, Priority, SubDirection, Task,
                    Text, ValueMode)
from .problems import Problem
from .validate import Corpus, ProgramSource



def route(lang: str, *parts: str) -> str:
    """A page's path from the site root, always ending in '/': ``uk/khmilnytska-2023-2025/tasks/audit/``."""
    return "/".join((lang, *parts)) + "/"


def data_path(program_id: str, kind: str, item_id: str, extension: str) -> str:
    """A download's path from the site root: ``data/<program>/<kind>/<id>.<ext>``."""
    return f"data/{program_id}/{kind}/{item_id}.{extension}"


# The CSV a language's pages offer, by its ending (export.py writes both): Excel splits a CSV by its
# locale's list separator and reads numbers by its decimal mark, which in Ukrainian are ";" and ",".
SPREADSHEET_CSV = {"uk": "excel-uk.csv", "en": "csv"}


@dataclass
class FundingLine:
    """One row of a funding table: cells per year, the stated total and what the cells add up to."""

    source: FundingSource
    name: Text | None
    cells: list[Figure]  # one per program year
    stated_total: Figure
    computed_total: Decimal | None

    @property
    def total_differs(self) -> bool:
        return (
            self.stated_total.amount is not None
            and self.computed_total is not None
            and self.stated_total.amount != self.computed_total
        )


def funding_lines(rows: list[FundingRow], years: list[int]) -> list[FundingLine]:
    lines = []
    for row in rows:
        cells = [figures.parse_amount(row.years.get(year)) or Figure(CellStatus.empty) for year in years]
        lines.append(
            FundingLine(
                row.source,
                row.name,
                cells,
                figures.parse_amount(row.total) or Figure(CellStatus.empty),
                figures.sum_amounts(cells),
            )
        )
    return lines


def task_amounts(task: Task, years: list[int]) -> dict[int, Decimal]:
    """A task's amount per year over all sources: its «Загальний обсяг» row, else the sum of its sources."""
    rows = [r for r in task.funding if r.source is FundingSource.all] or [
        r for r in task.funding if r.source is not FundingSource.all
    ]
    result: dict[int, Decimal] = {}
    for year in years:
        total = figures.sum_amounts(figures.parse_amount(r.years.get(year)) for r in rows)
        if total is not None:
            result[year] = total
    return result


def task_amounts_by_source(task: Task) -> dict[FundingSource, Decimal]:
    """A task's amount per source: the sum of its year cells, like every computed figure.

    Only a row with no yearly amounts falls back to its stated total, so that
    by-source and by-year figures on one page add up to the same sum.
    """
    result: dict[FundingSource, Decimal] = {}
    for row in task.funding:
        if row.source is FundingSource.all:
            continue
        amount = figures.sum_amounts(figures.parse_amount(v) for v in row.years.values())
        if amount is None:
            stated = figures.parse_amount(row.total)
            amount = stated.amount if stated is not None else None
        if amount is not None:
            result[row.source] = result.get(row.source, Decimal(0)) + amount
    return result


@dataclass
class TaskView:
    task: Task
    program_id: str
    priority_id: str  # the top-level priority
    funding: list[FundingLine]
    amounts: dict[int, Decimal]  # computed per year, all sources
    planned_years: list[int]
    indicator_ids: list[str] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    subdirection: SubDirection | None = None  # the sub-direction it is listed under (Khmilnyk's 1.1, 1.2...)

    @property
    def id(self) -> str:
        return self.task.id

    @property
    def total(self) -> Decimal | None:
        return sum(self.amounts.values(), Decimal(0)) if self.amounts else None

    @property
    def years_text(self) -> str:
        """The years with planned work: «2023–2025» when they run on, «2023, 2025» when not."""
        years = self.planned_years
        if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
            return f"{years[0]}–{years[-1]}"
        return ", ".join(map(str, years))

    @property
    def marker(self) -> Figure | None:
        """When a task has no amounts, what its cells say instead («в межах кошторисних призначень», «+»)."""
        for line in self.funding:
            for figure in [line.stated_total, *line.cells]:
                if figure.status in (CellStatus.within_allocations, CellStatus.planned):
                    return figure
        return None

    def route(self, lang: str) -> str:
        return route(lang, self.program_id, "tasks", self.id)

    def download(self, extension: str) -> str:
        return data_path(self.program_id, "tasks", self.id, extension)

    def spreadsheet(self, lang: str) -> str:
        """The CSV download that ``lang``'s pages link."""
        return self.download(SPREADSHEET_CSV[lang])


@dataclass
class IndicatorView:
    indicator: Indicator
    program_id: str
    priority_id: str
    baseline: Figure
    targets: list[tuple[int, Figure]]
    actual: list[tuple[int, Figure]]
    stated_change: figures.Change | None
    computed_change: Decimal | None
    catalogue: CatalogueEntry | None
    notes: list[Problem] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.indicator.id

    @property
    def is_boolean(self) -> bool:
        return self.indicator.kind is IndicatorKind.boolean

    @property
    def final_target(self) -> tuple[int, Figure] | None:
        """The last year's target the document states, with its year: where the program means to arrive."""
        return next(((year, figure) for year, figure in reversed(self.targets) if figure.status is not CellStatus.empty),
                    None)

    @property
    def change_rule(self) -> str:
        """Which rule gave the computed change: increment, level-baseline or level-first."""
        if self.indicator.mode is ValueMode.increment:
            return "increment"
        return "level-baseline" if self.baseline.amount is not None else "level-first"

    def catalogue_route(self, lang: str) -> str:
        return route(lang, "indicators", self.catalogue.code) if self.catalogue else ""

    def route(self, lang: str) -> str:
        return route(lang, self.program_id, "indicators", self.id)

    def download(self, extension: str) -> str:
        return data_path(self.program_id, "indicators", self.id, extension)

    def spreadsheet(self, lang: str) -> str:
        """The CSV download that ``lang``'s pages link."""
        return self.download(SPREADSHEET_CSV[lang])


@dataclass
class PriorityView:
    priority: Priority
    program_id: str
    task_ids: list[str]
    indicator_ids: list[str]
    amounts: dict[int, Decimal]
    stated_totals: list[FundingLine]
    notes: list[Problem] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.priority.id

    def route(self, lang: str) -> str:
        return route(lang, self.program_id, "priorities", self.id)


@dataclass
class ProgramView:
    source: ProgramSource
    years: list[int]
    priorities: list[PriorityView]
    tasks: dict[str, TaskView]
    indicators: dict[str, IndicatorView]
    amounts_by_year: dict[int, Decimal]
    amounts_by_source: dict[FundingSource, Decimal]
    stated_totals: list[FundingLine]
    passport_funding: list[FundingLine]
    notes: list[Problem]  # program-level notes
    all_notes: list[Problem]
    subdirection_parent: dict[str, str]
    problems: list[Problem] = field(default_factory=list)  # every problem found in its folder

    @property
    def id(self) -> str:
        return self.source.id

    @cached_property  # asked on every page of the program; the tasks do not change
    def amount_places(self) -> int:
        """Decimal places the program's own amounts use: computed sums are shown with as many."""
        places = 0
        for line in [*self.stated_totals, *self.passport_funding,
                     *(l for t in self.tasks.values() for l in t.funding)]:
            for cell in [*line.cells, line.stated_total]:
                if cell.amount is not None:
                    exponent = cell.amount.as_tuple().exponent
                    if isinstance(exponent, int):
                        places = max(places, -exponent)
        return places

    @property
    def program(self):  # noqa: ANN201 - the model's Program
        return self.source.program

    @cached_property  # an indicator's and a task's page name their priority
    def priority_by_id(self) -> dict[str, PriorityView]:
        return {priority.id: priority for priority in self.priorities}

    @property
    def total(self) -> Decimal | None:
        return sum(self.amounts_by_year.values(), Decimal(0)) if self.amounts_by_year else None

    @cached_property
    def task_groups(self) -> list[tuple[PriorityView, list[tuple[SubDirection | None, list[TaskView]]]]]:
        """Each direction with a task, its tasks by sub-direction in the document's order (those under the
        direction itself first): how the program page lists every task."""
        groups = []
        for priority in self.priorities:
            by_sub: dict[str | None, list[TaskView]] = {}
            for task_id in priority.task_ids:
                task = self.tasks[task_id]
                by_sub.setdefault(task.subdirection.id if task.subdirection else None, []).append(task)
            subs = [None, *priority.priority.subdirections]
            listed = [(sub, by_sub[sub.id if sub else None]) for sub in subs if (sub.id if sub else None) in by_sub]
            if listed:
                groups.append((priority, listed))
        return groups

    @cached_property
    def indicator_groups(self) -> list[tuple[PriorityView, list[IndicatorView]]]:
        """Each direction with an indicator, and its indicators in the document's order."""
        return [(priority, [self.indicators[i] for i in priority.indicator_ids])
                for priority in self.priorities if priority.indicator_ids]

    def route(self, lang: str) -> str:
        return route(lang, self.id)

    def section_route(self, lang: str, section_id: str) -> str:
        return route(lang, self.id, section_id)


@dataclass
class SiteView:
    programs: list[ProgramView]
    catalogue: list[CatalogueEntry]  # the pages comparing programs are joined from each program's entries


def _notes_by_subject(problems: list[Problem]) -> dict[str, list[Problem]]:
    """The notes readers see, by the page they concern: the warnings with a reader's wording, once per defect."""
    notes: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        if problem.severity == "warning" and problem.for_readers:
            notes[problem.subject or "program"].append(problem)
    return defaultdict(list, {subject: _once_per_defect(found) for subject, found in notes.items()})


def _once_per_defect(problems: list[Problem]) -> list[Problem]:
    """One subject's notes, one per defect. Totals on one page that miss the sum of their parts by the same
    amount are one slip the document carried from row to row (a source's row into «усі джерела», a row's
    total into the task's total): the first says it, and the page's funding tables still show each such total."""
    kept: list[Problem] = []
    seen: set[tuple[object, ...]] = set()
    for problem in problems:
        params = dict(problem.params)
        key = ((problem.code, str(params.get("difference"))) if problem.code == "total-mismatch"
               else (problem.code, problem.params))
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept


def assemble(corpus: Corpus) -> SiteView:
    catalogue = {entry.code: entry for entry in corpus.catalogue}
    # Each problem to the program whose folder holds its file: one pass, not programs × problems.
    folders = {source.folder.resolve(): [] for source in corpus.programs}
    for problem in corpus.problems:
        for parent in Path(problem.path).resolve().parents:
            if parent in folders:
                folders[parent].append(problem)
                break
    programs = [_assemble_program(source, folders[source.folder.resolve()], catalogue) for source in corpus.programs]
    return SiteView(programs, corpus.catalogue)


def _task_view(task: Task, program_id: str, priority_id: str, years: list[int], notes: list[Problem],
               subdirection: SubDirection | None) -> TaskView:
    planned = sorted({
        year for row in task.funding for year, value in row.years.items()
        if (f := figures.parse_amount(value)) is not None
        and f.status in (CellStatus.amount, CellStatus.planned, CellStatus.within_allocations)
    })
    return TaskView(task, program_id, priority_id, funding_lines(task.funding, years), task_amounts(task, years),
                    planned, notes=notes, subdirection=subdirection)


def _indicator_view(indicator: Indicator, program_id: str, priority_id: str, years: list[int],
                    catalogue: dict[str, CatalogueEntry], notes: list[Problem]) -> IndicatorView:
    kind = indicator.kind
    baseline = figures.parse_value(indicator.baseline, kind)[0] or Figure(CellStatus.empty)
    targets = [(y, figures.parse_value(indicator.targets.get(y), kind)[0] or Figure(CellStatus.empty)) for y in years]
    actual = [(y, figures.parse_value(v, kind)[0] or Figure(CellStatus.empty)) for y, v in sorted(indicator.actual.items())]
    computed = None if kind is IndicatorKind.boolean else figures.computed_change(
        indicator.mode, baseline, [f for _, f in targets]
    )
    return IndicatorView(
        indicator, program_id, priority_id, baseline, targets, actual, figures.parse_change(indicator.change), computed,
        catalogue.get(indicator.catalogue) if indicator.catalogue else None, notes=notes,
    )


def _assemble_program(source: ProgramSource, problems: list[Problem], catalogue: dict[str, CatalogueEntry]) -> ProgramView:
    program = source.program
    years = list(range(program.period.start, program.period.end + 1))
    notes = _notes_by_subject(problems)
    shown = {id(note) for found in notes.values() for note in found}
    parent = {}
    subdirections = {}
    for priority in program.priorities:
        parent[priority.id] = priority.id
        for sub in priority.subdirections:
            parent[sub.id] = priority.id
            subdirections[sub.id] = sub
    tasks = {task.id: _task_view(task, source.id, parent.get(task.priority, task.priority), years,
                                 notes.get(f"task:{task.id}", []), subdirections.get(task.priority))
             for task in source.tasks}
    indicators: dict[str, IndicatorView] = {}
    for indicator in source.indicators:
        indicators[indicator.id] = _indicator_view(indicator, source.id, parent.get(indicator.priority, indicator.priority),
                                                   years, catalogue, notes.get(f"indicator:{indicator.id}", []))
        if indicator.task in tasks:
            tasks[indicator.task].indicator_ids.append(indicator.id)

    priorities = []
    for priority in program.priorities:
        task_ids = [t.id for t in tasks.values() if t.priority_id == priority.id]
        amounts: dict[int, Decimal] = {}
        for task_id in task_ids:
            for year, amount in tasks[task_id].amounts.items():
                amounts[year] = amounts.get(year, Decimal(0)) + amount
        priorities.append(PriorityView(
            priority, source.id, task_ids,
            [i.id for i in indicators.values() if i.priority_id == priority.id],
            dict(sorted(amounts.items())), funding_lines(priority.stated_totals, years),
            notes=notes.get(f"priority:{priority.id}", []),
        ))

    by_year: dict[int, Decimal] = {}
    by_source: dict[FundingSource, Decimal] = {}
    for task in tasks.values():
        for year, amount in task.amounts.items():
            by_year[year] = by_year.get(year, Decimal(0)) + amount
        for funding_source, amount in task_amounts_by_source(task.task).items():
            by_source[funding_source] = by_source.get(funding_source, Decimal(0)) + amount
    passport_rows = program.passport.funding.rows if program.passport.funding else []
    return ProgramView(
        source, years, priorities, tasks, indicators, dict(sorted(by_year.items())),
        {s: by_source[s] for s in FundingSource if s in by_source},
        funding_lines(program.stated_totals, years), funding_lines(passport_rows, years),
        notes.get("program", []), [p for p in problems if id(p) in shown],
        parent, problems,
    )

