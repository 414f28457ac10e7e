"""Frictionless Data Packages (v2): one per program and one for all programs.

The resources, their Table Schemas and their rows are defined here once. A
program's package is made from that program alone, so programs can be packaged
in parallel and an unchanged one not at all; the all-programs package is the
programs' CSVs concatenated (their rows, program after program), streamed from
the files already written, so the two cannot disagree and no build holds every
row of the country in memory.
"""

from __future__ import annotations

import csv
import io
import zlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Iterator

from pathlib import Path

from pydantic import BaseModel

from .assemble import FundingLine, ProgramView, funding_lines
from .export import csv_text, spreadsheet_safe, to_json
from .zips import ZipMember, deflated, write_zip
from .figures import CellStatus
from .formats import format_number
from .model import FundingSource, IndicatorKind, Text, ValueMode
from .problems import MESSAGES

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}
STATUSES = [s.value for s in CellStatus]
SOURCES = [s.value for s in FundingSource]


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str  # English
    description_uk: str
    unit: str | None = None
    enum: tuple[str, ...] | None = None
    required: bool = False
    unique: bool = False

    def descriptor(self) -> dict[str, Any]:
        field: dict[str, Any] = {"name": self.name, "type": self.type, "description": self.description,
                                 "uk:description": self.description_uk}
        if self.unit:
            field["unit"] = self.unit
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            field["constraints"] = constraints
        return field


def _bilingual(name: str, en: str, uk: str) -> list[Field]:
    return [Field(f"{name}_uk", "string", f"{en}, in Ukrainian (authoritative)", f"{uk}, українською (автентичний текст)"),
            Field(f"{name}_en", "string", f"{en}, in English (unofficial translation)", f"{uk}, англійською (неофіційний переклад)")]


def _short_name(en: str, uk: str) -> list[Field]:
    """A short form of a long name for titles and lists: not in the approved document, so not authoritative."""
    return [Field(f"short_name_{lang}", "string",
                  f"Short {en} for titles and lists, in {language} (not in the approved document; empty where none is given)",
                  f"Коротка назва {uk} для заголовків і списків, {language_uk} (її немає в затвердженому документі; "
                  "порожньо, якщо її не задано)")
            for lang, language, language_uk in (("uk", "Ukrainian", "українською"), ("en", "English", "англійською"))]


PROGRAM_ID = Field("program_id", "string", "Program id: hromada name and period", "Ідентифікатор програми: назва громади та період", required=True)


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    title_uk: str
    description: str
    description_uk: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"fields": [f.descriptor() for f in self.fields], "missingValues": [""]}
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": list(local), "reference": {"resource": resource, "fields": list(remote)}}
                for local, resource, remote in self.foreign_keys
            ]
        return schema


TABLES: tuple[Table, ...] = (
    Table(
        "programs", "Programs and their passports", "Програми та їхні паспорти",
        "One row per program: the passport as the approved document states it.",
        "Один рядок на програму: паспорт, як його подано в затвердженому документі.",
        (
            PROGRAM_ID,
            *_bilingual("title", "Program title", "Назва програми"),
            *_bilingual("hromada", "Hromada name", "Назва громади"),
            Field("hromada_type", "string", "Type of hromada", "Тип громади", enum=("city", "settlement", "village")),
            *_bilingual("oblast", "Oblast", "Область"),
            *_bilingual("raion", "Raion", "Район"),
            Field("katottg", "string", "Code in the Codifier of administrative-territorial units (KATOTTG)", "Код за КАТОТТГ"),
            Field("period_start", "integer", "First year of the program", "Перший рік програми", required=True),
            Field("period_end", "integer", "Last year of the program", "Останній рік програми", required=True),
            *_bilingual("approved_by", "Body that approved the program", "Орган, що затвердив програму"),
            Field("approval_date", "date", "Date of the approving decision", "Дата рішення про затвердження"),
            Field("approval_number", "string", "Number of the approving decision", "Номер рішення про затвердження"),
            *_bilingual("head", "Program head", "Керівник програми"),
            *_bilingual("developer", "Program developer", "Розробник програми"),
            *_bilingual("responsible", "Responsible for implementation", "Відповідальні за виконання"),
            *_bilingual("purpose", "Purpose of the program", "Мета програми"),
            *_bilingual("funding_text", "Funding sources and amounts as the passport states them", "Джерела та обсяги фінансування, як у паспорті"),
            Field("english_coverage_percent", "integer", "Share of texts translated into English", "Частка текстів, перекладених англійською", unit="%"),
        ),
        ("program_id",),
    ),
    Table(
        "priorities", "Priority directions", "Пріоритетні напрями",
        "Priority directions and their sub-directions.", "Пріоритетні напрями та їхні піднапрями.",
        (
            PROGRAM_ID,
            Field("priority_id", "string", "Id of the direction or sub-direction", "Ідентифікатор напряму чи піднапряму", required=True),
            Field("parent_id", "string", "For a sub-direction, its direction", "Для піднапряму — його напрям"),
            Field("number", "string", "Number as in the document", "Номер, як у документі"),
            *_bilingual("name", "Name", "Назва"),
        ),
        ("program_id", "priority_id"),
        ((("program_id",), "programs", ("program_id",)),),
    ),
    Table(
        "tasks", "Tasks, projects and works (Appendix 1)", "Завдання, проєкти та роботи (Додаток 1)",
        "One row per task, project or works.", "Один рядок на завдання, проєкт чи роботи.",
        (
            PROGRAM_ID,
            Field("task_id", "string", "Task id", "Ідентифікатор завдання", required=True),
            Field("task_key", "string", "program_id/task_id: one column to link to from other tables",
                  "program_id/task_id: один стовпець для посилань з інших таблиць", required=True, unique=True),
            Field("priority_id", "string", "Priority direction or sub-direction", "Пріоритетний напрям чи піднапрям", required=True),
            Field("number", "string", "Number as in the document", "Номер, як у документі"),
            *_bilingual("measure", "Measure", "Захід"),
            *_bilingual("name", "Project or works", "Проєкт, роботи"),
            *_short_name("name of the project or works", "проєкту, робіт"),
            *_bilingual("responsible", "Responsible for implementation", "Відповідальні за виконання"),
            Field("timeframe", "string", "Timeframe as stated", "Строки виконання, як у документі"),
            *_bilingual("expected_results", "Expected results", "Очікувані результати"),
        ),
        ("program_id", "task_id"),
        ((("program_id",), "programs", ("program_id",)), (("program_id", "priority_id"), "priorities", ("program_id", "priority_id"))),
    ),
    Table(
        "task_funding", "Task funding by year and source", "Фінансування завдань за роками та джерелами",
        "One row per task, funding row and year: the planned funding (record 'plan') and, from monitoring reports, actual spending (record 'actual').",
        "Один рядок на завдання, рядок фінансування та рік: заплановане фінансування (record 'plan') і, зі звітів моніторингу, фактичні видатки (record 'actual').",
        (
            PROGRAM_ID,
            Field("task_id", "string", "Task id", "Ідентифікатор завдання", required=True),
            Field("record", "string", "plan, or actual spending", "план або фактичні видатки", enum=("plan", "actual"), required=True),
            Field("row", "integer", "Position of the funding row within the task", "Порядковий номер рядка фінансування в завданні", required=True),
            Field("source", "string", "Budget source; 'all' is the row «Загальний обсяг»", "Джерело; 'all' — рядок «Загальний обсяг»", enum=tuple(SOURCES), required=True),
            *_bilingual("source_name", "Source as the document names it", "Джерело, як його названо в документі"),
            Field("year", "integer", "Year", "Рік", required=True),
            Field("status", "string", "amount; within_allocations (within existing budget allocations); planned (planned, no amount); not_planned; empty",
                  "amount — сума; within_allocations — в межах кошторисних призначень; planned — заплановано без суми; not_planned — не заплановано; empty — порожньо",
                  enum=tuple(s for s in STATUSES if s not in ("yes", "no")), required=True),
            Field("amount", "number", "Amount when status is amount", "Сума, якщо status = amount", unit="thousand UAH"),
            Field("as_stated", "string", "The cell as the document states it", "Клітинка, як у документі"),
        ),
        ("program_id", "task_id", "record", "row", "year"),
        ((("program_id", "task_id"), "tasks", ("program_id", "task_id")),),
    ),
    Table(
        "indicators", "Indicators (Appendix 2)", "Індикатори (Додаток 2)",
        "One row per indicator, with the change the document states and the change its figures give.",
        "Один рядок на індикатор, з динамікою, зазначеною в документі, і динамікою за значеннями.",
        (
            PROGRAM_ID,
            Field("indicator_id", "string", "Indicator id", "Ідентифікатор індикатора", required=True),
            Field("priority_id", "string", "Priority direction", "Пріоритетний напрям", required=True),
            Field("task_id", "string", "The task it measures, where the document pairs them", "Завдання, яке вимірює індикатор"),
            Field("task_key", "string", "program_id/task_id of that task (empty when there is none)",
                  "program_id/task_id цього завдання (порожньо, якщо його немає)"),
            Field("catalogue_code", "string", "Code of the standard indicator", "Код стандартного індикатора"),
            *_bilingual("name", "Indicator", "Індикатор"),
            *_short_name("name of the indicator", "індикатора"),
            *_bilingual("unit", "Unit of measurement as stated", "Одиниця виміру, як у документі"),
            Field("kind", "string", "Kind of value", "Тип значення", enum=tuple(k.value for k in IndicatorKind), required=True),
            Field("mode", "string", "level: each year is the value reached; increment: each year adds to the last",
                  "level — значення, досягнуте в році; increment — щорічний приріст", enum=tuple(m.value for m in ValueMode), required=True),
            Field("change_as_stated", "string", "«Динаміка» as the document states it", "«Динаміка», як у документі"),
            Field("change_stated", "number", "The stated change as a number, where it is one", "Зазначена динаміка як число"),
            Field("change_computed", "number", "The change the yearly figures give under the mode's rule", "Динаміка за річними значеннями"),
        ),
        ("program_id", "indicator_id"),
        # An indicator need not measure a task: a one-column key, since an empty one is not checked.
        ((("program_id", "priority_id"), "priorities", ("program_id", "priority_id")),
         (("task_key",), "tasks", ("task_key",))),
    ),
    Table(
        "indicator_values", "Indicator values by year", "Значення індикаторів за роками",
        "One row per indicator, role and year: the baseline (for the year before the program), targets and actual values.",
        "Один рядок на індикатор, роль і рік: базове значення (за рік до початку програми), цільові та фактичні значення.",
        (
            PROGRAM_ID,
            Field("indicator_id", "string", "Indicator id", "Ідентифікатор індикатора", required=True),
            Field("role", "string", "baseline, target or actual", "базове, цільове чи фактичне", enum=("baseline", "target", "actual"), required=True),
            Field("year", "integer", "Year (the baseline's is the year before the program)", "Рік (для базового — рік до початку програми)", required=True),
            Field("status", "string", "amount, yes, no or empty", "amount — число; yes — так; no — ні; empty — порожньо", enum=("amount", "yes", "no", "empty"), required=True),
            Field("value", "number", "The value when it is a number, in the indicator's unit", "Значення, якщо це число, в одиниці індикатора"),
            Field("as_stated", "string", "The cell as the document states it", "Клітинка, як у документі"),
        ),
        ("program_id", "indicator_id", "role", "year"),
        ((("program_id", "indicator_id"), "indicators", ("program_id", "indicator_id")),),
    ),
    Table(
        "stated_totals", "Totals as the documents state them", "Підсумки, як у документах",
        "Totals the documents state — for a task's funding row, a direction, the program and the passport — beside the sum of their parts.",
        "Підсумки, зазначені в документах (рядок фінансування завдання, напрям, програма, паспорт), поряд із сумою складових.",
        (
            PROGRAM_ID,
            Field("level", "string", "What the total is of", "Чого стосується підсумок", enum=("task", "priority", "program", "passport"), required=True),
            Field("subject_id", "string", "Task or priority id; empty for the program and passport", "Ідентифікатор завдання чи напряму"),
            Field("row", "integer", "Position of the row", "Порядковий номер рядка", required=True),
            Field("source", "string", "Budget source", "Джерело фінансування", enum=tuple(SOURCES), required=True),
            Field("year", "integer", "Year; empty for the total over all years", "Рік; порожньо — разом за всі роки"),
            Field("status", "string", "What the cell holds", "Що в клітинці", enum=tuple(s for s in STATUSES if s not in ("yes", "no")), required=True),
            Field("stated", "number", "The total as stated", "Підсумок, як у документі", unit="thousand UAH"),
            Field("computed", "number", "The sum of its parts", "Сума складових", unit="thousand UAH"),
            Field("as_stated", "string", "The cell as the document states it", "Клітинка, як у документі"),
        ),
        (),
        ((("program_id",), "programs", ("program_id",)),),
    ),
    Table(
        "quality_notes", "Data-quality notes", "Примітки щодо якості даних",
        "Differences between what a document states and what its own figures give, and other gaps the validator found. Figures are never corrected.",
        "Розбіжності між зазначеним у документі та тим, що дають його власні значення, та інші прогалини. Значення не виправляються.",
        (
            PROGRAM_ID,
            Field("subject_type", "string", "What the note is about", "Чого стосується примітка", enum=("program", "priority", "task", "indicator"), required=True),
            Field("subject_id", "string", "Its id", "Ідентифікатор"),
            Field("code", "string", "Stable code of the check", "Стабільний код перевірки", enum=tuple(sorted(MESSAGES)), required=True),
            *_bilingual("message", "The note", "Примітка"),
            Field("source_file", "string", "Source file", "Файл джерела"),
            Field("source_line", "integer", "Line in the source file", "Рядок у файлі джерела"),
        ),
        (),
        ((("program_id",), "programs", ("program_id",)),),
    ),
)


# ---------------------------------------------------------------------------
# Rows


def _t(text: Text | None) -> list[str | None]:
    return [text.uk, text.en] if text is not None else [None, None]


def _funding_rows(program: ProgramView) -> Iterable[list[Any]]:
    for task in program.tasks.values():
        for record, rows in (("plan", task.task.funding), ("actual", task.task.actual_spending)):
            lines = task.funding if record == "plan" else funding_lines(rows, program.years)
            for index, line in enumerate(lines, 1):
                for year, cell in zip(program.years, line.cells):
                    yield [program.id, task.id, record, index, line.source.value, *_t(line.name), year,
                           cell.status.value, cell.amount, cell.text or None]


def _total_rows(program: ProgramView, level: str, subject: str | None, lines: list[FundingLine],
                computed_by_year: dict[int, Decimal] | None = None) -> Iterable[list[Any]]:
    """Stated totals; a task's are its row totals (its cells are in task_funding)."""
    for index, line in enumerate(lines, 1):
        by_year = computed_by_year if line.source is FundingSource.all and computed_by_year is not None else {}
        cells = [(year, cell, by_year.get(year)) for year, cell in zip(program.years, line.cells)] if level != "task" else []
        for year, cell, computed in cells:
            if cell.status is CellStatus.empty:
                continue
            yield [program.id, level, subject, index, line.source.value, year, cell.status.value, cell.amount,
                   computed, cell.text or None]
        total = line.stated_total
        if total.status is not CellStatus.empty or level == "task" and line.computed_total is not None:
            yield [program.id, level, subject, index, line.source.value, None, total.status.value, total.amount,
                   line.computed_total, total.text or None]


def program_rows(program: ProgramView) -> dict[str, list[list[Any]]]:
    """Every row of every resource for one program, in a stable order.

    The all-programs package is these rows, program after program.
    """
    rows: dict[str, list[list[Any]]] = {table.name: [] for table in TABLES}
    p = program.program
    passport = p.passport
    approval = passport.approval
    texts, translated = _translation_counts(program)
    rows["programs"].append([
        program.id, *_t(p.title), *_t(p.hromada.name), p.hromada.type.value if p.hromada.type else None,
        *_t(p.hromada.oblast), *_t(p.hromada.raion), p.hromada.katottg, p.period.start, p.period.end,
        *_t(approval.body if approval else None), approval.date if approval else None,
        approval.number if approval else None, *_t(passport.head), *_t(passport.developer),
        *_t(passport.responsible), *_t(passport.purpose), *_t(passport.funding.text if passport.funding else None),
        translated * 100 // texts if texts else None,
    ])
    for priority in p.priorities:
        rows["priorities"].append([program.id, priority.id, None, priority.number, *_t(priority.name)])
        for sub in priority.subdirections:
            rows["priorities"].append([program.id, sub.id, priority.id, sub.number, *_t(sub.name)])
    for task in program.tasks.values():
        tk = task.task
        rows["tasks"].append([program.id, tk.id, f"{program.id}/{tk.id}", tk.priority, tk.number, *_t(tk.measure), *_t(tk.name),
                              *_t(tk.short_name), *_t(tk.responsible), tk.timeframe, *_t(tk.expected_results)])
    rows["task_funding"].extend(_funding_rows(program))
    for indicator in program.indicators.values():
        ind = indicator.indicator
        stated = indicator.stated_change
        rows["indicators"].append([
            program.id, ind.id, ind.priority, ind.task, f"{program.id}/{ind.task}" if ind.task else None, ind.catalogue,
            *_t(ind.name), *_t(ind.short_name), *_t(ind.unit),
            ind.kind.value, ind.mode.value, None if ind.change is None else str(ind.change),
            stated.amount if stated is not None else None, indicator.computed_change,
        ])
        values = [("baseline", p.period.start - 1, indicator.baseline)]
        values += [("target", year, figure) for year, figure in indicator.targets]
        values += [("actual", year, figure) for year, figure in indicator.actual]
        for role, year, figure in values:
            rows["indicator_values"].append([program.id, ind.id, role, year, figure.status.value, figure.amount,
                                             figure.text or None])
    for task in program.tasks.values():
        rows["stated_totals"].extend(_total_rows(program, "task", task.id, task.funding))
    for priority in program.priorities:
        rows["stated_totals"].extend(
            _total_rows(program, "priority", priority.id, priority.stated_totals, priority.amounts))
    rows["stated_totals"].extend(_total_rows(program, "program", None, program.stated_totals, program.amounts_by_year))
    rows["stated_totals"].extend(
        _total_rows(program, "passport", None, program.passport_funding, program.amounts_by_year))
    for problem in program.all_notes:
        kind, _, subject_id = problem.subject.partition(":")
        rows["quality_notes"].append([
            program.id, kind or "program", subject_id or None, problem.code, problem.note("uk", format_number),
            problem.note("en", format_number), _relative_source(program, problem.path), problem.line,
        ])
    return rows


def _translation_counts(program: ProgramView) -> tuple[int, int]:
    """How many bilingual texts a program's sources hold (but for its sections), and how many have their English."""
    texts = translated = 0
    stack: list[Any] = [program.program, *(task.task for task in program.tasks.values()),
                        *(indicator.indicator for indicator in program.indicators.values())]
    while stack:
        value = stack.pop()
        if isinstance(value, Text):
            texts += 1
            translated += bool(value.en)
        elif isinstance(value, BaseModel):
            stack.extend(getattr(value, name) for name in type(value).model_fields)
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return texts, translated


def _relative_source(program: ProgramView, path: str) -> str:
    try:
        return (Path(program.id) / Path(path).resolve().relative_to(program.source.folder.resolve())).as_posix()
    except ValueError:
        return Path(path).name


# ---------------------------------------------------------------------------
# Files


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return str(value)


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    """Plain UTF-8 CSV (no byte-order mark, so it stays valid for frictionless), CRLF as RFC 4180 says."""
    return csv_text([header, *([csv_cell(v) for v in row] for row in rows)]).encode("utf-8")


def _resources() -> list[dict[str, Any]]:
    return [
        {
            "name": table.name,
            "type": "table",
            "path": f"{table.name}.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "title": table.title,
            "uk:title": table.title_uk,
            "description": table.description,
            "uk:description": table.description_uk,
            "schema": table.schema(),
        }
        for table in TABLES
    ]


RESOURCES = _resources()  # the same in every package: made once, not once per program


def package_descriptor(name: str, title: str, title_uk: str, description: str, description_uk: str,
                       sources: list[dict[str, str]], keywords: list[str], data_date: str | None,
                       homepage: str | None) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "$schema": PROFILE,
        "name": name,
        "title": title,
        "uk:title": title_uk,
        "description": description,
        "uk:description": description_uk,
        "licenses": [LICENSE],
        "sources": sources,
        "keywords": keywords,
        "version": data_date.replace("-", ".") if data_date else "0",
    }
    if data_date:
        descriptor["created"] = f"{data_date}T00:00:00Z"
    if homepage:
        descriptor["homepage"] = homepage
    descriptor["resources"] = RESOURCES
    return descriptor


def package_zip(package: "Package", files: dict[str, bytes]) -> tuple[bytes, dict[str, list[int]]]:
    """A package's zip of its ``files``, and where each table's rows lie in it, compressed: [start, length] by table."""
    members = []
    for name in sorted(files):
        data = files[name]
        table = TABLE_BY_FILE.get(name)
        head = len(csv_header(table)) if table else len(data)
        pieces = [deflated(data[:head])] + ([deflated(data[head:])] if table else [])
        members.append(ZipMember(f"{package.name}/{name}", len(data), zlib.crc32(data), pieces))
    buffer = io.BytesIO()
    starts = write_zip(buffer, members)
    rows = {member.name.rpartition("/")[2]: [starts[member.name] + len(member.pieces[0]), len(member.pieces[1])]
            for member in members if len(member.pieces) == 2}
    return buffer.getvalue(), {TABLE_BY_FILE[name].name: place for name, place in rows.items()}


TABLE_BY_FILE = {f"{table.name}.csv": table for table in TABLES}


def csv_header(table: Table) -> bytes:
    return csv_bytes([f.name for f in table.fields], [])


def concatenated_csv(table: Table, parts: Iterable[str | Path]) -> Iterator[bytes]:
    """One table of the all-programs package: the header, then each program's rows from its own CSV.

    The per-program CSVs hold the same rows in the same order, so the bytes are those of one big CSV.
    """
    header = csv_header(table)
    yield header
    for path in parts:
        with open(path, "rb") as handle:
            data = handle.read()
        if not data.startswith(header):
            raise ValueError(f"{path}: not this table's CSV")
        yield data[len(header):]


def csv_preview(path: Path, rows: int = 5) -> list[list[str]]:
    """The first rows of a CSV file, without reading the rest."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        return [row for _, row in zip(range(rows), reader)]


@dataclass
class Package:
    name: str  # "all" or a program id
    descriptor: dict[str, Any]
    tables: dict[str, list[list[Any]]]  # every row; for the all-programs package, only the first few
    counts: dict[str, int] | None = None  # rows per table, where `tables` holds only the first few

    def route(self, lang: str) -> str:
        """Its dataset page."""
        from .assemble import route

        return route(lang, "data") if self.name == "all" else route(lang, self.name, "data")

    def rows(self, table: str) -> int:
        return self.counts[table] if self.counts is not None else len(self.tables[table])

    def files(self) -> dict[str, bytes]:
        if self.counts is not None:
            raise ValueError("a package summary has no files")
        files = {"datapackage.json": descriptor_bytes(self.descriptor)}
        for table in TABLES:
            files[f"{table.name}.csv"] = csv_bytes([f.name for f in table.fields], self.tables[table.name])
        return files


def descriptor_bytes(descriptor: dict[str, Any]) -> bytes:
    return to_json(descriptor)


def source_of(program: ProgramView) -> dict[str, str]:
    """The approved document a program's package comes from."""
    p = program.program
    approval = p.passport.approval
    source = {"title": p.title.uk}
    if approval and (approval.date or approval.number):
        source["title"] += " — " + ", ".join(filter(None, [
            approval.body.uk if approval.body else None, approval.date, f"№ {approval.number}" if approval.number else None]))
    return source


def program_descriptor(program: ProgramView, data_date: str | None, base_url: str) -> dict[str, Any]:
    p = program.program
    name_uk = p.hromada.name.uk if p.hromada.name else "Громада не названа в документі"
    name_en = (p.hromada.name.en if p.hromada.name and p.hromada.name.en else None) or (
        "The document does not name the hromada" if not p.hromada.name else name_uk)
    period = f"{p.period.start}–{p.period.end}"
    return package_descriptor(
        program.id, f"Program of Informatization: {name_en}, {period}", f"Програма інформатизації: {name_uk}, {period}",
        f"Tasks, funding and indicators of the Program of Informatization of {name_en} for {period}, as approved. "
        "Totals and changes the document states are kept beside what its figures give; figures are never corrected.",
        f"Завдання, фінансування та індикатори Програми інформатизації: {name_uk}, {period}, як їх затверджено. "
        "Зазначені в документі підсумки й динаміка наведені поряд з обчисленими; значення не виправлено.",
        [source_of(program)], ["informatization", "digital transformation", "hromada", program.id], data_date,
        f"{base_url}uk/{program.id}/",
    )


def program_package(program: ProgramView, data_date: str | None = None, base_url: str = "/") -> Package:
    return Package(program.id, program_descriptor(program, data_date, base_url), program_rows(program))


def all_descriptor(sources: list[dict[str, str]], data_date: str | None = None, base_url: str = "/") -> dict[str, Any]:
    """``sources``: each program's source_of, in the programs' order."""
    return package_descriptor(
        "all", "Programs of Informatization of Ukraine's hromadas", "Програми інформатизації громад України",
        "Every program in one package: the same resources as the per-program packages, with a program column, "
        "so that analysis across hromadas is one load.",
        "Усі програми в одному пакеті: ті самі ресурси, що й у пакетах окремих програм, зі стовпцем програми.",
        sources, ["informatization", "digital transformation", "hromada"],
        data_date, f"{base_url}uk/",
    )


def package_files(package: Package) -> tuple[list[tuple[str, bytes]], dict[str, list[int]]]:
    """<name>/<file> and <name>.zip; and where each table's compressed rows lie in the zip (see package_zip)."""
    files = package.files()
    archive, rows = package_zip(package, files)
    return [*((f"{package.name}/{name}", files[name]) for name in sorted(files)), (f"{package.name}.zip", archive)], rows
