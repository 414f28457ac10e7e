"""Validate everything under ``content/`` into the model, collecting every problem.

Nothing here writes a file or stops at the first problem: each check adds
``Problem`` values and goes on, so a clerk sees all of them in one run.
"""

from __future__ import annotations

import os
import re
import typing
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from decimal import Decimal
from pathlib import Path
from typing import Any, Collection, Iterable, Iterator

from pydantic import BaseModel, TypeAdapter, ValidationError

from . import figures
from .figures import CellStatus
from .load import YamlSource, load_yaml, read_text
from .model import (
    SLUG_PATTERN,
    Catalogue,
    CatalogueEntry,
    FundingRow,
    FundingSource,
    Indicator,
    IndicatorKind,
    Indicators,
    Program,
    Task,
    Tasks,
    Text,
    ValueMode,
    slug,
)
from .parallel import default_workers, fewer_collections, worker_pool
from .problems import Problem, type_name

WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$")
PROGRAM_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*-([0-9]{4})-([0-9]{4})$")
SLUG = re.compile(SLUG_PATTERN)
LANGS = ("uk", "en")
# Section ids share the program's URL space with these fixed parts.
RESERVED_SECTION_IDS = ("priorities", "indicators", "tasks", "data")


@dataclass
class ProgramSource:
    """One program, validated: the model plus where each thing came from."""

    id: str
    folder: Path
    program: Program
    tasks: list[Task]
    indicators: list[Indicator]
    sections: dict[str, dict[str, str]]  # section id -> lang -> Markdown
    files: dict[str, Path] = field(default_factory=dict)  # file name -> where it was read

    def plain(self) -> tuple[Any, ...]:
        """How a worker hands a checked program to the main process: see from_plain."""
        return (self.id, self.folder, self.program.model_dump(), _TASKS.dump_python(self.tasks),
                _INDICATORS.dump_python(self.indicators), self.sections, self.files)

    @classmethod
    def from_plain(cls, plain: tuple[Any, ...]) -> "ProgramSource":
        """Pydantic models unpickle object by object in Python; their plain data, validated again by
        the same models, is made in Rust, 3x faster (at national size, 7 s of the main process alone).
        The same data through the same models gives the same models: a test compares every value."""
        id_, folder, program, tasks, indicators, sections, files = plain
        return cls(id_, folder, Program.model_validate(program), _TASKS.validate_python(tasks),
                   _INDICATORS.validate_python(indicators), sections, files)


_TASKS = TypeAdapter(list[Task])
_INDICATORS = TypeAdapter(list[Indicator])


@dataclass
class Corpus:
    catalogue: list[CatalogueEntry]
    programs: list[ProgramSource]
    problems: list[Problem]

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


# ---------------------------------------------------------------------------
# Shape: pydantic errors become problems at the right line and column


def _unwrap_model(annotation: Any) -> type[BaseModel] | None:
    """The model class inside Optional[...], list[...], dict[..., ...] or Annotated[...]."""
    origin = typing.get_origin(annotation)
    if origin is None:
        return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    for arg in typing.get_args(annotation):
        found = _unwrap_model(arg)
        if found is not None:
            return found
    return None


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    current: type[BaseModel] | None = root
    for part in loc:
        if current is None:
            return None
        if isinstance(part, str) and part in current.model_fields:
            current = _unwrap_model(current.model_fields[part].annotation)
    return current


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The longest prefix of a pydantic loc that exists in the data (drops union-member tags)."""
    path: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            break
        path.append(part)
    return tuple(path)


def _got(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, (int, Decimal, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    return "mapping"


_EXPECTED = {
    "string_type": "quoted text",
    "int_type": "whole number",
    "int_parsing": "whole number",
    "int_from_float": "whole number",
    "bool_type": "yes/no",
    "bool_parsing": "yes/no",
    "list_type": "list",
    "dict_type": "mapping",
    "model_type": "mapping",
    "model_attributes_type": "mapping",
    "decimal_type": "figure",
    "decimal_parsing": "figure",
}
_FORMAT_HINTS = {
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": ("дата у вигляді РРРР-ММ-ДД, наприклад 2025-02-20", "a date as YYYY-MM-DD, e.g. 2025-02-20"),
    "^UA[0-9]{17}$": ("код КАТОТТГ: «UA» і 17 цифр", "a KATOTTG code: 'UA' and 17 digits"),
}


def _shape_problems(source: YamlSource, root: type[BaseModel], error: ValidationError) -> list[Problem]:
    problems: dict[tuple[Any, ...], Problem] = {}
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        kind = item["type"]
        path = _data_path(source.data, loc)
        exists = len(path) == len(loc)
        model = _model_at(root, loc[:-1]) if loc else root
        params: dict[str, Any] = {}
        if kind == "missing":
            code, params = "missing-field", {"field": loc[-1]}
            line, column = source.where(path)
            path = loc  # one problem per missing field
        elif kind == "extra_forbidden":
            allowed = ", ".join(model.model_fields) if model else ""
            code, params = "unknown-field", {"field": loc[-1], "allowed": allowed}
            line, column = source.where(path, key=True)
        else:
            line, column = source.where(path)
            value = item.get("input")
            if kind == "string_pattern_mismatch":
                pattern = item.get("ctx", {}).get("pattern", "")
                if pattern == SLUG_PATTERN:
                    code, params = "not-a-slug", {"value": value}
                else:
                    hint = _FORMAT_HINTS.get(pattern, (pattern, pattern))
                    code, params = "bad-format", {"value": value, "hint": hint[0], "hint_en": hint[1]}
            elif kind == "string_too_short":
                code = "empty-text"
            elif kind == "string_too_long":
                limit = item.get("ctx", {}).get("max_length")
                code, params = "bad-format", {
                    "value": str(value)[:40] + "…",
                    "hint": f"не довше за {limit} символів",
                    "hint_en": f"at most {limit} characters",
                }
            elif kind == "too_short":
                code, params = "missing-field", {"field": loc[-1]}
            elif kind == "enum" or kind == "literal_error":
                expected = item.get("ctx", {}).get("expected", "")
                code, params = "bad-choice", {"value": value, "allowed": expected.replace("'", "")}
            elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
                words = {"ge": ("не менше", "at least"), "le": ("не більше", "at most"),
                         "gt": ("більше за", "more than"), "lt": ("менше за", "less than")}
                bound = next(iter(item.get("ctx", {}).items()), ("", ""))
                uk, en = words.get(bound[0], (bound[0], bound[0]))
                code, params = "out-of-bounds", {"value": value, "hint": f"{uk} {bound[1]}", "hint_en": f"{en} {bound[1]}"}
            else:
                expected = _EXPECTED.get(kind, "figure" if not exists else "text")
                if _model_at(root, loc) is Text or (model is Text and not exists):
                    expected = "bilingual text"
                got = _got(value)
                code, params = "wrong-type", {
                    "expected": type_name(expected, "uk"),
                    "expected_en": type_name(expected, "en"),
                    "got": type_name(got, "uk"),
                    "got_en": type_name(got, "en"),
                }
        # Union members report one error each: keep the first per place.
        problems.setdefault(path, Problem.make(source.path, line, column, code, **params))
    return list(problems.values())


def _validate_file(
    source: YamlSource, root: type[BaseModel], problems: list[Problem], list_field: str | None = None
) -> tuple[BaseModel | None, list[Any]]:
    """Validate a file against its root model.

    For files that are a list of items, the items that are valid on their own
    are returned even when others are not, so that their references can
    still be checked in the same run.
    """
    if not source.ok:
        return None, []
    try:
        model = root.model_validate(source.data)
    except ValidationError as error:
        problems.extend(_shape_problems(source, root, error))
    else:
        return model, list(getattr(model, list_field)) if list_field else []
    salvaged: list[Any] = []
    if list_field and isinstance(source.data, dict) and isinstance(source.data.get(list_field), list):
        item_type = _unwrap_model(root.model_fields[list_field].annotation)
        adapter = TypeAdapter(item_type)
        for item in source.data[list_field]:
            try:
                salvaged.append(adapter.validate_python(item))
            except ValidationError:
                pass
    return None, salvaged


# ---------------------------------------------------------------------------
# The corpus


def validate(content_dir: Path, *, workers: int | None = None, skip: Collection[str] = ()) -> Corpus:
    """Every program under ``content_dir``, checked in ``workers`` processes (default: see parallel.default_workers).

    ``skip``: folders not to check, by name (an incremental build's unchanged programs).
    """
    with fewer_collections():
        return _validate(content_dir, workers, skip, keep=True)


def check(content_dir: Path, *, workers: int | None = None, skip: Collection[str] = ()) -> list[Problem]:
    """What ``validate`` finds, keeping no program: memory stays that of one program a process.

    For ``generator validate`` and a build that cannot write: a national corpus's programs
    held at once came to 621 MiB.
    """
    with fewer_collections():
        return _validate(content_dir, workers, skip, keep=False).problems


def program_folders(content_dir: Path) -> tuple[list[Path], list[Path]]:
    """The folders of ``content_dir`` that may hold a program, by name; and those that lie outside it."""
    folders, outside = [], []
    with os.scandir(content_dir) as entries:  # not pathlib: a national corpus has 1,469 folders
        for entry in sorted(entries, key=lambda entry: entry.name):
            if entry.name.startswith(".") or not entry.is_dir():
                continue
            # A folder right under content_dir lies inside it unless it is a link (see load.inside).
            (outside if entry.is_symlink() else folders).append(content_dir / entry.name)
    return folders, outside


def check_catalogue(content_dir: Path) -> tuple[list[CatalogueEntry], list[Problem]]:
    """The catalogue of standard indicators, and what is wrong in it or around the program folders."""
    problems: list[Problem] = []
    catalogue: list[CatalogueEntry] = []
    catalogue_path = content_dir / "catalogue.yaml"
    if catalogue_path.is_file() or catalogue_path.is_symlink():
        source = load_yaml(catalogue_path, problems, content_dir)
        _, catalogue = _validate_file(source, Catalogue, problems, "indicators")
        _check_unique(source, ("indicators",), [e.code for e in catalogue], "code", problems)
        problems.extend(_english_coverage([source]))
    _, outside = program_folders(content_dir)
    problems.extend(Problem.make(folder, 1, 1, "unsafe-path", name=folder.name) for folder in outside)
    return catalogue, problems


def _validate(content_dir: Path, workers: int | None, skip: Collection[str], keep: bool) -> Corpus:
    catalogue, problems = check_catalogue(content_dir)
    codes = {entry.code for entry in catalogue}
    folders = [folder for folder in program_folders(content_dir)[0] if folder.name not in skip]
    programs = []
    workers = default_workers(len(folders)) if workers is None else workers
    one = partial(_validate_one, catalogue_codes=codes, keep=keep)
    with ExitStack() as stack:
        if workers > 1:
            pool = stack.enter_context(worker_pool(workers))
            results: Iterable[tuple[ProgramSource | None, list[Problem]]] = (
                (ProgramSource.from_plain(plain) if plain else None, found)
                for plain, found in pool.map(partial(one, plain=True), folders, chunksize=4))
        else:
            results = map(one, folders)
        for program, found in results:  # each as it comes: without `keep`, none is held
            problems.extend(found)
            if program is not None:
                programs.append(program)
    problems.sort(key=problem_order)
    return Corpus(catalogue, programs, problems)


def problem_order(problem: Problem) -> tuple[str, int, int, str]:
    """How problems are listed: by file, line, column and code."""
    return problem.path, problem.line, problem.column, problem.code


def check_program(folder: Path, catalogue_codes: set[str]) -> tuple[ProgramSource | None, list[Problem]]:
    """One program folder on its own: the program, if it could be read, and every problem found in it."""
    problems: list[Problem] = []
    return _validate_program(folder, catalogue_codes, problems), problems


def _validate_one(folder: Path, catalogue_codes: set[str], keep: bool,
                  plain: bool = False) -> tuple[Any, list[Problem]]:
    """check_program, for ``validate`` (``plain`` in a worker: see ProgramSource.plain) or ``check`` (not ``keep``)."""
    program, problems = check_program(folder, catalogue_codes)
    if not keep or program is None:
        return None, problems
    return (program.plain() if plain else program), problems


def _validate_program(folder: Path, catalogue_codes: set[str], problems: list[Problem]) -> ProgramSource | None:
    program_file = folder / "program.yaml"
    if not program_file.is_file():
        if any(folder.glob("*.yaml")):
            problems.append(Problem.make(folder / "program.yaml", 1, 1, "program-file-missing"))
        return None
    if not PROGRAM_ID.match(folder.name):
        problems.append(Problem.make(program_file, 1, 1, "program-id-unsafe", value=folder.name))
    root = folder.parent
    sources = {"program.yaml": load_yaml(program_file, problems, root)}
    for name in ("tasks.yaml", "indicators.yaml"):
        if (folder / name).is_file() or (folder / name).is_symlink():
            sources[name] = load_yaml(folder / name, problems, root)
    program, _ = _validate_file(sources["program.yaml"], Program, problems)
    tasks_source, indicators_source = sources.get("tasks.yaml"), sources.get("indicators.yaml")
    tasks = _validate_file(tasks_source, Tasks, problems, "tasks")[1] if tasks_source else []
    indicators = _validate_file(indicators_source, Indicators, problems, "indicators")[1] if indicators_source else []
    if program is None:
        problems.extend(_english_coverage(list(sources.values())))
        return None
    checks = _ProgramChecks(folder, program, tasks, indicators, sources, catalogue_codes, problems)
    checks.run()
    untranslated_sections = [
        (sources["program.yaml"], ("sections", index, "id"))
        for index, section in enumerate(program.sections)
        if "uk" in checks.sections.get(section.id, {}) and "en" not in checks.sections[section.id]
    ]
    problems.extend(_english_coverage(list(sources.values()), untranslated_sections, len(program.sections)))
    # The parsed YAML and its positions serve only the checks and their messages, all made by now;
    # the models hold what the build needs. Kept, they were over half a national corpus's memory.
    files = {name: source.path for name, source in sources.items()}
    return ProgramSource(folder.name, folder, program, tasks, indicators, checks.sections, files)


def _check_unique(
    source: YamlSource, list_path: tuple[Any, ...], ids: Iterable[str], key: str, problems: list[Problem]
) -> None:
    """Ids must be unique; report each repeat where it stands, naming the first."""
    first: dict[str, int] = {}  # an id -> the index of the item it first stands in
    items = source.data.get(list_path[0]) if isinstance(source.data, dict) else None
    if not isinstance(items, list):
        return
    # Walk the raw list so positions are right even when some items were invalid. Looked up only
    # for a repeat: where each id stands was 3% of checking a program.
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


def _texts(data: Any) -> Iterator[dict[str, Any]]:
    """Every bilingual text in raw data, in the order written: a mapping whose `uk` is a string.

    Walked with a stack: recursive generators handed each value up through every level, and
    building each one's path on the way was 7% of checking a program (see _path_to).
    """
    stack = [data]
    while stack:
        data = stack.pop()
        if isinstance(data, dict):
            if isinstance(data.get("uk"), str):
                yield data
            else:
                stack.extend(reversed(data.values()))
        elif isinstance(data, list):
            stack.extend(reversed(data))


def _path_to(data: Any, target: object, path: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    """The key path of ``target`` (an object in data): only for the one text a warning points at."""
    if data is target:
        return path
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        if (found := _path_to(value, target, path + (key,))) is not None:
            return found
    return None


def _english_coverage(
    sources: list[YamlSource],
    untranslated_sections: list[tuple[YamlSource, tuple[Any, ...]]] = (),  # type: ignore[assignment]
    section_count: int = 0,
) -> list[Problem]:
    """One warning per program (or catalogue): how much English is missing, pointing at the first gap."""
    total, missing = section_count, len(untranslated_sections)
    first: tuple[YamlSource, tuple[Any, ...]] | None = None
    for source in sources:
        if not source.ok:
            continue
        for text in _texts(source.data):
            total += 1
            if not isinstance(text.get("en"), str) or not text["en"].strip():
                missing += 1
                if first is None:
                    first = (source, _path_to(source.data, text) or ())
    if not missing:
        return []
    first_source, first_path = first or untranslated_sections[0]
    line, column = first_source.where(first_path)
    coverage = (total - missing) * 100 // total
    return [
        Problem.make(first_source.path, line, column, "english-missing", missing=missing, total=total, coverage=coverage)
    ]


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


class _ProgramChecks:
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
        _check_unique(source, ("sections",), [], "id", self.problems)
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
        _check_unique(source, ("tasks",), [], "id", self.problems)
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
        _check_unique(self.sources["indicators.yaml"], ("indicators",), [], "id", self.problems)
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
