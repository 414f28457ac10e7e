"""The handbook builds in strict mode, and its generated pages cover everything in the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.datapackage import TABLES
from generator.model import SOURCE_FILES
from generator.problems import MESSAGES

from .conftest import ROOT


@pytest.fixture(scope="module")
def handbook(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def _text(path: Path) -> str:
    return re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_every_validator_message_is_documented(handbook: Path, lang: str) -> None:
    page = _text(handbook / ("messages" if lang == "uk" else "en/messages") / "index.html")
    for code in MESSAGES:
        assert code in page, code


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_data_dictionary_lists_every_field_of_every_table(handbook: Path, lang: str) -> None:
    page = _text(handbook / ("data" if lang == "uk" else "en/data") / "index.html")
    for table in TABLES:
        assert f"{table.name}.csv" in page
        for field in table.fields:
            assert field.name in page, (table.name, field.name)


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_every_source_field_is_documented(handbook: Path, lang: str) -> None:
    page = _text(handbook / ("writing" if lang == "uk" else "en/writing") / "index.html")
    for model in SOURCE_FILES.values():
        for name in model.model_fields:
            assert name in page, (model.__name__, name)


def test_no_page_loads_from_a_third_party_host(handbook: Path) -> None:
    for page in handbook.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for url in re.findall(r'(?:src|href)="(https?://[^"]+)"', text):
            assert not re.search(r"\.(js|css|woff2?)(\?|$)", url), (page, url)


def test_fields_have_examples_from_the_real_programs() -> None:
    from generator.handbook import fields_reference

    table = fields_reference("en")
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    with_example = [line for line in rows if not line.rstrip().endswith("|  |")]
    assert len(with_example) >= 0.8 * len(rows)  # the rest are fields no real program uses yet (e.g. actual values)
    assert "`katottg: UA63140110000087562`" in table
