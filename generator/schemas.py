"""JSON Schemas for the source files, generated from ``model.py`` (the one source of truth)."""

from __future__ import annotations

import json
from pathlib import Path

from .model import SOURCE_FILES


def schema_documents() -> dict[str, str]:
    """File name -> JSON text, deterministic."""
    documents = {}
    for file_name, model in SOURCE_FILES.items():
        schema = model.model_json_schema()
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{file_name.removesuffix('.yaml')}.schema.json",
            **schema,
        }
        documents[f"{file_name.removesuffix('.yaml')}.schema.json"] = (
            json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        )
    return documents


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_documents().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
