"""Property-based: random YAML and mutations of the real sources never crash the validator.

Every input ends in a model or in problems that have a real location. The
normal profile (tests/conftest.py) runs 200 examples a test; HYPOTHESIS_PROFILE=thorough runs 10,000.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from hypothesis import given, strategies as st

from generator.validate import validate

from .conftest import CONTENT, MINIMAL

SOURCE_NAMES = ["program.yaml", "tasks.yaml", "indicators.yaml"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.sampled_from(["Так", "Ні", "+", "-", "8 632,5", "В межах кошторисних призначень", "2025-2027"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(st.text(max_size=12), st.integers(2020, 2030)), children, max_size=5),
    ),
    max_leaves=30,
)


def _check(content: Path) -> None:
    corpus = validate(content)
    for problem in corpus.problems:
        path = Path(problem.path)
        assert path.is_relative_to(content), problem
        assert problem.line >= 1 and problem.column >= 1, problem
        if path.is_file() and path.suffix == ".yaml":
            text = path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")
            breaks = sum(text.count(c) for c in ("\n", "\r", "\x85", "\u2028", "\u2029"))  # YAML's line breaks
            assert problem.line <= breaks + 1, problem
        for lang in ("uk", "en"):
            problem.message(lang)


@given(target=st.sampled_from(SOURCE_NAMES), document=documents)
def test_random_yaml_documents(tmp_path_factory, target: str, document: object) -> None:
    content = tmp_path_factory.mktemp("c") / "content"
    shutil.copytree(MINIMAL, content)
    (content / "testova-2025-2027" / target).write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    _check(content)


@given(target=st.sampled_from(SOURCE_NAMES), text=st.text(max_size=300))
def test_random_text(tmp_path_factory, target: str, text: str) -> None:
    content = tmp_path_factory.mktemp("c") / "content"
    shutil.copytree(MINIMAL, content)
    (content / "testova-2025-2027" / target).write_text(text, encoding="utf-8", errors="surrogatepass")
    _check(content)


REAL_FILES = sorted(CONTENT.glob("*/*.yaml"))
MUTATIONS = ["delete-line", "duplicate-line", "swap-lines", "replace-value", "tab-indent", "crlf", "bom", "truncate",
             "swap-ids", "empty-string", "huge-number", "deep-nesting", "mixed-line-endings"]


@given(
    path=st.sampled_from(REAL_FILES),
    mutation=st.sampled_from(MUTATIONS),
    position=st.integers(min_value=0),
    value=scalars.map(lambda v: yaml.safe_dump(v, allow_unicode=True).splitlines()[0] if v is not None else "~"),
)
def test_mutations_of_the_real_sources(tmp_path_factory, path: Path, mutation: str, position: int, value: str) -> None:
    content = tmp_path_factory.mktemp("c") / "content"
    program = path.parent.name
    shutil.copytree(path.parent, content / program)
    shutil.copy(CONTENT / "catalogue.yaml", content / "catalogue.yaml")
    target = content / program / path.name
    lines = target.read_text(encoding="utf-8").splitlines()
    i = position % len(lines)
    if mutation == "delete-line":
        del lines[i]
    elif mutation == "duplicate-line":
        lines.insert(i, lines[i])
    elif mutation == "swap-lines":
        j = (i + 1) % len(lines)
        lines[i], lines[j] = lines[j], lines[i]
    elif mutation == "replace-value" and ":" in lines[i]:
        key = lines[i].split(":", 1)[0]
        lines[i] = f"{key}: {value}"
    elif mutation == "tab-indent":
        lines[i] = "\t" + lines[i].lstrip(" ")
    elif mutation == "swap-ids":
        ids = [n for n, line in enumerate(lines) if line.lstrip().startswith(("- id:", "id:"))]
        if len(ids) >= 2:
            a, b = ids[position % len(ids)], ids[(position // 7) % len(ids)]
            key_a, key_b = lines[a].split(":", 1), lines[b].split(":", 1)
            lines[a], lines[b] = key_a[0] + ":" + key_b[1], key_b[0] + ":" + key_a[1]
    elif mutation in ("empty-string", "huge-number", "deep-nesting") and ":" in lines[i]:
        key = lines[i].split(":", 1)[0]
        lines[i] = key + ": " + {"empty-string": '""', "huge-number": "9" * 400 + ".5e999",
                                 "deep-nesting": "[" * 200 + "]" * 200}[mutation]
    text = "\n".join(lines) + "\n"
    if mutation == "crlf":
        text = text.replace("\n", "\r\n")
    elif mutation == "mixed-line-endings":
        text = "".join(line + ("\r\n", "\r", "\n")[n % 3] for n, line in enumerate(text.split("\n")))
    elif mutation == "bom":
        text = "\ufeff" + text
    elif mutation == "truncate":
        text = text[: position % max(1, len(text))]
    target.write_text(text, encoding="utf-8")
    _check(content)
