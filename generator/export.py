"""Per-item downloads: every indicator and task as CSV and JSON (pure: returns bytes).

Each item has two CSVs, the same rows in two spellings: ``<id>.csv`` with commas and decimal points
(English pages link it; the package CSVs are spelt so too), and ``<id>.excel-uk.csv`` with semicolons
and decimal commas, which Excel with a Ukrainian locale opens into columns and numbers (Ukrainian pages
link it). Both carry a UTF-8 byte-order mark: without it, Excel with a Ukrainian locale opens UTF-8 as
Windows-1251 and the Cyrillic is garbled. Text cells that a spreadsheet would read as a formula are
prefixed with an apostrophe; plain numbers such as "+53" are left as they are.
"""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any, Callable, Iterable

import orjson

from .assemble import SPREADSHEET_CSV, FundingLine, IndicatorView, ProgramView, TaskView
from .figures import Figure
from .formats import format_number
from .model import Text

_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?%?$")


_FORMULA_STARTS = ("=", "+", "-", "−", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# What a spreadsheet may pass over before the first character it reads as a formula's start.
_LEADING_BLANKS = re.compile(r"[\s\x00-\x1f\x7f]*")


@lru_cache(maxsize=4096)  # a download's rows repeat its names, ids and units: most cells were seen just before
def spreadsheet_safe(value: str) -> str:
    """Keep a text cell from being run as a formula in Excel or LibreOffice.

    A list bullet («- закупівля…») is formatting, not data: it becomes «• ».
    A plain number («+53», «-3,5») or a lone «+» / «-» mark cannot run and is kept.
    Anything else that starts like a formula gets a leading apostrophe.
    """
    if value.startswith(("- ", "– ", "− ")):
        return "• " + value[2:]
    if value in ("+", "-", "−", "—") or _PLAIN_NUMBER.match(value):
        return value
    if value[:1] in _FORMULA_STARTS or value[_LEADING_BLANKS.match(value).end():][:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return spreadsheet_safe(str(value))


def _csv_value_uk(value: Any) -> str:
    """A cell for Excel in Ukrainian: a number with a decimal comma (and no grouping, which it would read as text)."""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return _csv_value(value)


def csv_text(rows: Iterable[list[str]], delimiter: str = ",") -> str:
    """Rows of text as CSV (RFC 4180: CRLF after each row, quotes only where needed), by the csv module."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def to_csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """Commas and decimal points, as the standard and most programs read them."""
    return ("\ufeff" + csv_text([header, *([_csv_value(v) for v in row] for row in rows)])).encode("utf-8")


def to_csv_uk(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """Semicolons and decimal commas: the list separator and decimal mark of Windows' Ukrainian locale,
    which Excel reads a CSV by."""
    cells = [header, *([_csv_value_uk(v) for v in row] for row in rows)]
    return ("\ufeff" + csv_text(cells, delimiter=";")).encode("utf-8")


_CSV_WRITERS = {SPREADSHEET_CSV["en"]: to_csv, SPREADSHEET_CSV["uk"]: to_csv_uk}


def to_json(data: Any) -> bytes:
    """Indented UTF-8 JSON, a newline at the end: the bytes ``json.dumps(data, ensure_ascii=False,
    indent=2)`` gives, but for how some floats are spelt (``1e-07`` is ``1e-7``), by orjson."""
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:  # an integer past 64 bits (a source's figure can be any size)
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def compact_json(value: Any, *, sort_keys: bool = False) -> bytes:
    """UTF-8 JSON without spaces: the bytes ``json.dumps(value, ensure_ascii=False, separators=(",", ":"),
    sort_keys=sort_keys)`` gives, made by orjson."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
    except orjson.JSONEncodeError:  # an integer past 64 bits, or a key that is not text
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys).encode()


def json_value(data: bytes) -> Any:  # noqa: ANN401 - whatever the JSON holds
    """The value of UTF-8 JSON (as compact_json writes it): by orjson, straight from the bytes (a rebuild
    reads a 70 MB manifest); by json.loads what orjson refuses but json reads (an integer past 64 bits,
    NaN). ValueError if it is not JSON, or has anything after its value but spaces."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data.decode())  # UnicodeDecodeError and JSONDecodeError are ValueErrors


def _text(text: Text | None) -> dict[str, str | None] | None:
    return None if text is None else {"uk": text.uk, "en": text.en}


def _figure(figure: Figure) -> dict[str, Any]:
    return {"value": _number(figure.amount), "status": figure.status.value, "as_stated": figure.text or None}


# ---------------------------------------------------------------------------
# Indicators

INDICATOR_COLUMNS = [
    "program_id", "indicator_id", "name_uk", "name_en", "unit_uk", "unit_en", "kind", "mode",
    "role", "year", "value", "status", "as_stated",
]


def indicator_rows(program: ProgramView, view: IndicatorView) -> list[list[Any]]:
    ind = view.indicator
    head = [program.id, ind.id, ind.name.uk, ind.name.en, ind.unit.uk, ind.unit.en, ind.kind.value, ind.mode.value]
    observations = [("baseline", None, view.baseline)] + [("target", y, f) for y, f in view.targets] + [
        ("actual", y, f) for y, f in view.actual
    ]
    return [
        head + [role, year, figure.amount, figure.status.value, figure.text]
        for role, year, figure in observations
    ]


def indicator_json(program: ProgramView, view: IndicatorView) -> dict[str, Any]:
    ind = view.indicator
    return {
        "program_id": program.id,
        "id": ind.id,
        "name": _text(ind.name),
        "short_name": _text(ind.short_name),
        "unit": _text(ind.unit),
        "kind": ind.kind.value,
        "mode": ind.mode.value,
        "priority": ind.priority,
        "task": ind.task,
        "catalogue": ind.catalogue,
        "baseline": _figure(view.baseline),
        "targets": [{"year": y, **_figure(f)} for y, f in view.targets],
        "actual": [{"year": y, **_figure(f)} for y, f in view.actual],
        "change": {
            "as_stated": None if ind.change is None else str(ind.change),
            "computed": _number(view.computed_change),
        },
        "notes": [{"code": p.code, "uk": p.note("uk", format_number), "en": p.note("en", format_number)} for p in view.notes],
    }


# ---------------------------------------------------------------------------
# Tasks

TASK_COLUMNS = [
    "program_id", "task_id", "name_uk", "name_en", "source", "source_name_uk", "source_name_en",
    "year", "amount_thousand_uah", "status", "as_stated",
]


def _funding_rows(program: ProgramView, task: TaskView, line: FundingLine) -> list[list[Any]]:
    tk = task.task
    name = line.name
    head = [program.id, tk.id, tk.name.uk, tk.name.en, line.source.value, name.uk if name else None, name.en if name else None]
    rows = [head + [year, cell.amount, cell.status.value, cell.text] for year, cell in zip(program.years, line.cells)]
    stated = line.stated_total
    rows.append(head + ["total", stated.amount, stated.status.value, stated.text])
    return rows


def task_rows(program: ProgramView, task: TaskView) -> list[list[Any]]:
    return [row for line in task.funding for row in _funding_rows(program, task, line)]


def task_json(program: ProgramView, task: TaskView) -> dict[str, Any]:
    tk = task.task
    return {
        "program_id": program.id,
        "id": tk.id,
        "number": tk.number,
        "priority": tk.priority,
        "measure": _text(tk.measure),
        "name": _text(tk.name),
        "short_name": _text(tk.short_name),
        "responsible": _text(tk.responsible),
        "timeframe": tk.timeframe,
        "expected_results": _text(tk.expected_results),
        "funding": [
            {
                "source": line.source.value,
                "source_name": _text(line.name),
                "years": [{"year": y, **_figure(c)} for y, c in zip(program.years, line.cells)],
                "total_as_stated": _figure(line.stated_total),
                "total_computed": _number(line.computed_total),
            }
            for line in task.funding
        ],
        "indicators": task.indicator_ids,
        "notes": [{"code": p.code, "uk": p.note("uk", format_number), "en": p.note("en", format_number)} for p in task.notes],
    }


def downloads(program: ProgramView) -> Iterable[tuple[str, Callable[[], bytes]]]:
    """Every download of a program as (path, how to make its bytes): made when written, not held."""
    for indicator in program.indicators.values():
        for ending, writer in _CSV_WRITERS.items():
            yield indicator.download(ending), partial(lambda i, w: w(INDICATOR_COLUMNS, indicator_rows(program, i)),
                                                      indicator, writer)
        yield indicator.download("json"), partial(lambda i: to_json(indicator_json(program, i)), indicator)
    for task in program.tasks.values():
        for ending, writer in _CSV_WRITERS.items():
            yield task.download(ending), partial(lambda t, w: w(TASK_COLUMNS, task_rows(program, t)), task, writer)
        yield task.download("json"), partial(lambda t: to_json(task_json(program, t)), task)
