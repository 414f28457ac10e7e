"""Each broken source gives exactly the expected problems at the expected places."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.problems import MESSAGES
from generator.validate import validate

from .conftest import MINIMAL

CASES_FILE = Path(__file__).with_name("broken_sources.txt")


@dataclass
class Case:
    name: str
    actions: list[tuple[str, str, str, str]] = field(default_factory=list)  # (verb, file, a, b)
    expected: list[str] = field(default_factory=list)


def _unescape(text: str) -> str:
    return text.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r")


def _cases() -> list[Case]:
    cases: list[Case] = []
    current_file = ""
    pending_replace: str | None = None
    for raw in CASES_FILE.read_text(encoding="utf-8").splitlines():
        if raw.startswith("#") or not raw.strip():
            continue
        if raw.startswith("== "):
            cases.append(Case(raw[3:].strip()))
            continue
        verb, _, rest = raw.partition(":")
        rest = rest[1:] if rest.startswith(" ") else rest
        case = cases[-1]
        if verb == "file":
            current_file = rest
        elif verb == "replace":
            pending_replace = _unescape(rest)
        elif verb == "with":
            assert pending_replace is not None, case.name
            case.actions.append(("replace", current_file, pending_replace, _unescape(rest)))
            pending_replace = None
        elif verb in ("write", "write-bytes", "delete", "symlink"):
            case.actions.append((verb, current_file, rest, ""))
        elif verb == "expect":
            case.expected.append(rest)
        else:
            raise AssertionError(f"unknown line in {CASES_FILE.name}: {raw}")
    return cases


CASES = _cases()


def _apply(content: Path, case: Case) -> None:
    for verb, file, a, b in case.actions:
        path = content / file
        if verb == "replace":
            text = path.read_text(encoding="utf-8")
            assert a in text, f"{case.name}: {a!r} not found in {file}"
            path.write_text(text.replace(a, b, 1), encoding="utf-8")
        elif verb == "write":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_unescape(a), encoding="utf-8")
        elif verb == "write-bytes":
            path.parent.mkdir(parents=True, exist_ok=True)
            raw = re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m[1], 16)]), a.encode())
            path.write_bytes(_unescape(raw.decode("latin-1")).encode("latin-1"))
        elif verb == "delete":
            path.unlink()
        elif verb == "symlink":
            path.unlink(missing_ok=True)
            path.symlink_to(a)


def test_the_corpus_is_large_and_covers_every_code() -> None:
    assert len(CASES) >= 30
    expected_codes = {line.split(": ", 1)[0].split()[-1] for case in CASES for line in case.expected}
    # Codes that need a file no repository should hold are tested in test_load.py and test_hostile.py.
    elsewhere = {"file-too-large", "file-unreadable", "yaml-too-deep", "section-too-large"}
    assert set(MESSAGES) - elsewhere <= expected_codes


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_source(case: Case, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    _apply(content, case)
    problems = validate(content).problems
    found = sorted(
        f"{Path(p.path).relative_to(content).as_posix()}:{p.line}:{p.column} {p.code}: {p.message('en')}"
        for p in problems
    )
    assert found == sorted(case.expected)
    for problem in problems:
        for lang in ("uk", "en"):
            text = problem.as_text(lang)
            assert "{" not in text and "}" not in text, text
