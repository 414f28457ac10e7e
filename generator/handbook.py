"""Handbook pages generated from the code, so they cannot drift from it.

Used as an mkdocs hook (see mkdocs.yml), which loads this file by path, hence the
absolute imports. A page that contains one of the
markers below gets it replaced with Markdown generated from the model, the
validator's messages or the data packages' Table Schemas.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from generator.datapackage import TABLES
from generator.model import SOURCE_FILES
from generator.problems import ADVICE, MESSAGES

CONTENT = Path(__file__).resolve().parent.parent / "content"
MARKERS = ("<!-- generated: fields -->", "<!-- generated: messages -->", "<!-- generated: data-dictionary -->")

_HEAD = {
    "uk": {"field": "Поле", "type": "Тип", "required": "Обов'язкове", "description": "Опис", "yes": "так",
           "code": "Код", "severity": "Вага", "message": "Повідомлення", "fix": "Що робити",
           "error": "помилка", "warning": "попередження", "unit": "Одиниця", "key": "Первинний ключ",
           "foreign": "Зовнішні ключі", "values": "Можливі значення", "file": "Файл", "example": "Приклад"},
    "en": {"field": "Field", "type": "Type", "required": "Required", "description": "Description", "yes": "yes",
           "code": "Code", "severity": "Severity", "message": "Message", "fix": "What to do",
           "error": "error", "warning": "warning", "unit": "Unit", "key": "Primary key",
           "foreign": "Foreign keys", "values": "Allowed values", "file": "File", "example": "Example"},
}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        names = [_type_name(a) for a in typing.get_args(annotation) if a is not type(None)]
        return " | ".join(dict.fromkeys(names))
    if origin is list:
        return f"list of {_type_name(typing.get_args(annotation)[0])}"
    if origin is dict:
        return "year → figure"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    if isinstance(annotation, type) and hasattr(annotation, "__members__"):
        return " / ".join(f"`{m.value}`" for m in annotation)  # an Enum
    return {"str": "text", "int": "number", "Decimal": "number", "bool": "true/false", "NoneType": "empty"}.get(
        getattr(annotation, "__name__", str(annotation)), getattr(annotation, "__name__", str(annotation)))


def _examples(content: Path) -> dict[tuple[str, str], str]:
    """An example for every field, taken from the real programs: (model, field) → YAML text."""
    examples: dict[tuple[str, str], str] = {}

    def walk(model: type[BaseModel], data: Any) -> None:
        if not isinstance(data, dict):
            return
        for name, value in data.items():
            info = model.model_fields.get(name)
            if info is None:
                continue
            if (model.__name__, name) not in examples and value not in (None, [], {}):
                example = value[0] if isinstance(value, list) and not _models_in(info.annotation) else value
                text = yaml.safe_dump({name: example}, allow_unicode=True, default_flow_style=True, width=10_000)
                examples[(model.__name__, name)] = text.strip()[1:-1] if len(text) < 160 else text.strip()[1:150] + " …"
            for inner in _models_in(info.annotation):
                for item in value if isinstance(value, list) else [value]:
                    walk(inner, item)

    for path in sorted(content.rglob("*.yaml")):
        model = SOURCE_FILES.get(path.name)
        if model is not None:
            walk(model, yaml.safe_load(path.read_text(encoding="utf-8")))
    return examples


def fields_reference(lang: str, content: Path = CONTENT) -> str:
    """Every field of every source file, model by model, with an example from the real programs."""
    head = _HEAD[lang]
    examples = _examples(content)
    seen: list[type[BaseModel]] = []

    def collect(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.append(model)
        for info in model.model_fields.values():
            for candidate in _models_in(info.annotation):
                collect(candidate)

    for model in SOURCE_FILES.values():
        collect(model)
    files = {model: name for name, model in SOURCE_FILES.items()}
    parts = []
    for model in seen:
        title = f"### {model.__name__}"
        if model in files:
            title += f" ({head['file']}: `{files[model]}`)"
        lines = [title, "", (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else "", "",
                 f"| {head['field']} | {head['type']} | {head['required']} | {head['description']} | {head['example']} |",
                 "|---|---|---|---|---|"]
        for name, info in model.model_fields.items():
            example = examples.get((model.__name__, name))
            lines.append(f"| `{name}` | {_cell(_type_name(info.annotation))} | "
                         f"{head['yes'] if info.is_required() else ''} | {_cell(info.description or '')} | "
                         f"{'`' + _cell(example).replace('`', '') + '`' if example else ''} |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found


def messages_reference(lang: str) -> str:
    """Every message the validator can give, with what to do about it."""
    head = _HEAD[lang]
    index = 0 if lang == "uk" else 1
    lines = [f"| {head['code']} | {head['severity']} | {head['message']} | {head['fix']} |", "|---|---|---|---|"]
    for code in sorted(MESSAGES, key=lambda c: (MESSAGES[c][0], c)):
        severity, uk, en = MESSAGES[code]
        text = uk if lang == "uk" else en
        advice = ADVICE.get(code, ("", ""))[index]
        lines.append(f"| `{code}` | {head[severity]} | {_cell(text)} | {_cell(advice)} |")
    return "\n".join(lines)


def data_dictionary(lang: str) -> str:
    """Every resource of the data packages with its fields, from the Table Schemas."""
    head = _HEAD[lang]
    parts = []
    for table in TABLES:
        title = table.title_uk if lang == "uk" else table.title
        description = table.description_uk if lang == "uk" else table.description
        lines = [f"### `{table.name}.csv` — {title}", "", description, ""]
        if table.primary_key:
            lines += [f"{head['key']}: " + ", ".join(f"`{k}`" for k in table.primary_key) + ".", ""]
        if table.foreign_keys:
            links = "; ".join(f"{', '.join(local)} → `{resource}` ({', '.join(remote)})"
                              for local, resource, remote in table.foreign_keys)
            lines += [f"{head['foreign']}: {links}.", ""]
        lines += [f"| {head['field']} | {head['type']} | {head['unit']} | {head['description']} |", "|---|---|---|---|"]
        for field in table.fields:
            description = field.description_uk if lang == "uk" else field.description
            if field.enum:
                description += f" ({head['values']}: " + ", ".join(f"`{v}`" for v in field.enum) + ")"
            lines.append(f"| `{field.name}` | {field.type} | {field.unit or ''} | {_cell(description)} |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:  # noqa: ARG001 - mkdocs hook
    lang = "en" if page.file.src_uri.startswith("en/") else "uk"
    return (markdown.replace(MARKERS[0], fields_reference(lang))
            .replace(MARKERS[1], messages_reference(lang))
            .replace(MARKERS[2], data_dictionary(lang)))
