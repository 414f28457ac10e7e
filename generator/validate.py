"""Validate everything under ``content/`` into the model, collecting every problem.

Nothing here writes a file or stops at the first problem: each check adds
``Problem`` values and goes on, so a clerk sees all of them in one run.
"""

from __future__ import annotations

import os
import typing
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from decimal import Decimal
from pathlib import Path
from typing import Any, Collection, Iterable, Iterator

from pydantic import BaseModel, TypeAdapter, ValidationError

from .checks import ProgramChecks, check_unique
from .load import YamlSource, load_yaml
from .model import (EMAIL_PATTERN, LANGS, PROGRAM_ID, SHORT_NAME_MAX, SLUG_PATTERN, WEB_ADDRESS_PATTERN, Catalogue,
                    CatalogueEntry, Indicator, Indicators, Program, SiteSettings, Task, Tasks, Text)
from .parallel import default_workers, fewer_collections, worker_pool
from .problems import Problem, type_name



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
        """Models made again from the plain data a worker sent: pydantic validates plain data in Rust, where
        unpickling models goes object by object in Python. The same data through the same models gives the
        same models: a test compares every value."""
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
    settings: SiteSettings = field(default_factory=SiteSettings)

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
    EMAIL_PATTERN: ("адреса електронної пошти, наприклад programs@example.org",
                    "an e-mail address, e.g. programs@example.org"),
    WEB_ADDRESS_PATTERN: ("адреса сторінки, що починається з https:// або http://",
                          "a web address beginning with https:// or http://"),
}


def _is_text(model: type[BaseModel] | None) -> bool:
    return model is not None and issubclass(model, Text)  # a Text, or a ShortText


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
                if _is_text(_model_at(root, loc)) or (_is_text(model) and not exists):
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
        check_unique(source, ("indicators",), [e.code for e in catalogue], "code", problems)
        problems.extend(_english_coverage([source]))
    _, outside = program_folders(content_dir)
    problems.extend(Problem.make(folder, 1, 1, "unsafe-path", name=folder.name) for folder in outside)
    return catalogue, problems


def check_settings(content_dir: Path) -> tuple[SiteSettings, list[Problem]]:
    """``content/site.yaml``, what the site says about itself; the defaults when there is none, or it has an error
    (which stops the build, as any source's does)."""
    problems: list[Problem] = []
    path = content_dir / "site.yaml"
    if not (path.is_file() or path.is_symlink()):
        return SiteSettings(), problems
    source = load_yaml(path, problems, content_dir)
    settings, _ = _validate_file(source, SiteSettings, problems)
    problems.extend(_english_coverage([source]))
    return settings if isinstance(settings, SiteSettings) else SiteSettings(), problems


def _validate(content_dir: Path, workers: int | None, skip: Collection[str], keep: bool) -> Corpus:
    catalogue, problems = check_catalogue(content_dir)
    settings, settings_problems = check_settings(content_dir)
    problems.extend(settings_problems)
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
    return Corpus(catalogue, programs, problems, settings)


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
    for list_source, list_field in ((tasks_source, "tasks"), (indicators_source, "indicators")):
        if list_source is not None:
            _check_short_names(list_source, list_field, problems)
    if program is None:
        problems.extend(_english_coverage(list(sources.values())))
        return None
    checks = ProgramChecks(folder, program, tasks, indicators, sources, catalogue_codes, problems)
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


def _check_short_names(source: YamlSource, list_field: str, problems: list[Problem]) -> None:
    """A short name must say something and be no longer than the name it stands for, in each language.

    Read from the raw list, so that an item the model refused is checked too, at its own place; what is
    not text, empty or past SHORT_NAME_MAX, the model reports.
    """
    items = source.data.get(list_field) if source.ok and isinstance(source.data, dict) else None
    for index, item in enumerate(items if isinstance(items, list) else []):
        short = item.get("short_name") if isinstance(item, dict) else None
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(short, dict):
            continue
        for lang in LANGS:
            text, full = short.get(lang), name.get(lang) if isinstance(name, dict) else None
            if not isinstance(text, str) or not text:
                continue
            line, column = source.where((list_field, index, "short_name", lang))
            if not text.strip():
                problems.append(Problem.make(source.path, line, column, "empty-text"))
            elif isinstance(full, str) and len(full.strip()) < len(text.strip()) <= SHORT_NAME_MAX:
                problems.append(Problem.make(source.path, line, column, "short-name-too-long",
                                             length=len(text.strip()), name_length=len(full.strip())))


def _texts(data: Any) -> Iterator[dict[str, Any]]:
    """Every bilingual text in raw data, in the order written: a mapping whose `uk` is a string.

    Walked with a stack, without paths: the one text a warning points at gets its path from _path_to.
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
