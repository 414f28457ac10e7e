"""The JSON Schemas are generated from the model and agree with the validator on the real sources."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from generator.load import load_yaml
from generator.schemas import schema_documents

from .conftest import CONTENT, MINIMAL, ROOT

SCHEMAS = ROOT / "schemas"
YAML_FILES = sorted(CONTENT.rglob("*.yaml")) + sorted(MINIMAL.rglob("*.yaml"))


def test_committed_schemas_are_generated_from_the_model() -> None:
    committed = {p.name: p.read_text(encoding="utf-8") for p in SCHEMAS.glob("*.schema.json")}
    assert committed == schema_documents(), "run: python -m generator schema"


def _jsonable(value: object) -> object:
    """What an editor's YAML parser would see: string keys, plain numbers."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (int, str, bool)) or value is None:
        return value
    return float(value)  # Decimal


@pytest.mark.parametrize("path", YAML_FILES, ids=[str(p.relative_to(ROOT)) for p in YAML_FILES])
def test_every_source_names_its_schema_and_passes_it(path: Path) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first_line)
    assert match, f"{path} must start with the yaml-language-server schema line"
    schema_path = (path.parent / match[1]).resolve()
    assert schema_path.parent == SCHEMAS and schema_path.name == f"{path.stem}.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    source = load_yaml(path, [])
    assert source.ok
    jsonschema.validate(_jsonable(source.data), schema, cls=jsonschema.Draft202012Validator)


def test_schema_rejects_what_the_validator_rejects() -> None:
    schema = json.loads((SCHEMAS / "tasks.schema.json").read_text(encoding="utf-8"))
    bad = {"tasks": [{"id": "Bad Id", "priority": "p", "name": {"uk": "x"}, "colour": "red"}]}
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(bad))
    messages = " ".join(e.message for e in errors)
    assert "colour" in messages and "Bad Id" in messages
