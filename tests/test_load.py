"""The YAML loader: what PyYAML would get wrong, we report or read as a clerk means it."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import yaml
from hypothesis import given, strategies as st

from generator.load import MAX_FILE_BYTES, load_yaml
from generator.problems import Problem


def _load(tmp_path: Path, text: str | bytes):
    path = tmp_path / "f.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    source = load_yaml(path, problems)
    return source, [(p.line, p.column, p.code) for p in problems]


def test_yaml_11_booleans_dates_and_hex_stay_text(tmp_path: Path) -> None:
    source, problems = _load(tmp_path, "a: no\nb: Yes\nc: 2025-02-20\nd: 0x1F\ne: 1_000\nf: .inf\ng: true\n")
    assert problems == []
    assert source.data == {"a": "no", "b": "Yes", "c": "2025-02-20", "d": "0x1F", "e": "1_000", "f": ".inf", "g": True}


def test_fractions_are_exact_decimals(tmp_path: Path) -> None:
    source, _ = _load(tmp_path, "a: 0.1\nb: 5.0\nc: 8632\nd: '8 632'\n")
    assert source.data == {"a": Decimal("0.1"), "b": Decimal("5.0"), "c": 8632, "d": "8 632"}
    assert str(source.data["b"]) == "5.0"  # the decimals the document shows are kept


def test_positions_of_values_and_keys(tmp_path: Path) -> None:
    source, _ = _load(tmp_path, "tasks:\n  - id: a\n    years: {2025: 1}\n")
    assert source.where(("tasks", 0, "id")) == (2, 9)
    assert source.where(("tasks", 0, "years"), key=True) == (3, 5)
    assert source.where(("tasks", 0, "years", 2025)) == (3, 19)
    assert source.where(("tasks", 0, "missing", "deeper")) == (2, 5)  # nearest parent


# Keys and values that read alike in different ways: years as numbers, quoted numbers, null, true, a duplicate.
_LOCATED = """\
tasks:
  - id: a
    years: {2025: 1, '2026': 2, 2027: [x, {y: 3}]}
    null: first
    true: yes
  - id: b
    id: repeated
    "2025": quoted
    ~: tilde
nested:
  - - deep
    - {k: v}
"""


def _recorded(node: yaml.Node, path: tuple = (), values: dict | None = None, keys: dict | None = None):
    """Where each value and key stands, recorded walking the whole tree PyYAML composes: what where() finds on
    demand. A key is a whole number where it is written as one (a year), else its text as written."""
    values = {} if values is None else values
    keys = {} if keys is None else keys
    values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _recorded(item, path + (index,), values, keys)
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            plain_number = key_node.style is None and re.fullmatch(r"[-+]?[0-9]+", key_node.value)
            key = int(key_node.value) if plain_number else key_node.value
            if path + (key,) not in keys:  # the first of duplicates is the one the data holds
                keys[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                _recorded(value_node, path + (key,), values, keys)
    return values, keys


def test_positions_are_found_for_every_value_and_key(tmp_path: Path) -> None:
    """where() finds each value and key, by the path the data has (a year as a number, "2026" as text), the
    first of duplicate keys, and for a path the data lacks, the nearest parent (its key, if asked for keys)."""
    source, problems = _load(tmp_path, _LOCATED)
    assert [code for _, _, code in problems] == ["yaml-duplicate-key"]
    values, keys = _recorded(yaml.compose(_LOCATED))
    assert source.data["tasks"][0]["years"] == {2025: 1, "2026": 2, 2027: ["x", {"y": 3}]}
    assert ("tasks", 1, "id") in values and ("tasks", 0, "null") in keys and ("tasks", 1, "~") in keys
    for path, location in values.items():
        assert source.where(path) == location, path
        assert source.where(path + ("missing",)) == location, path
        assert source.where(path + (99, "x")) == location, path
    for path, location in keys.items():
        assert source.where(path, key=True) == location, path
        assert source.where(path + ("missing",), key=True) == location, path
    assert source.where(("tasks", 1, "id")) == (6, 9)  # "b", not "repeated"
    assert source.where(("tasks", 0, "years", 2026)) == (3, 12)  # no number 2026: the years
    assert source.where(("nope",)) == (1, 1)


def test_duplicate_key_is_an_error_at_the_second_key(tmp_path: Path) -> None:
    source, problems = _load(tmp_path, "a: 1\nb: 2\na: 3\n")
    assert problems == [(3, 1, "yaml-duplicate-key")]
    assert not source.ok


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    source, problems = _load(tmp_path, "\n".join(lines) + "\n")
    assert not source.ok
    assert {code for _, _, code in problems} == {"yaml-alias"}
    assert len(problems) == 81  # each alias reported where it stands, nothing expanded


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    source, problems = _load(tmp_path, "a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert not source.ok
    assert [code for _, _, code in problems] == ["yaml-too-deep"]


@given(st.text(alphabet="[]{} \na:-", max_size=400)
       | st.lists(st.sampled_from([0, 3, 256, 257, 400]), max_size=6).map(lambda ns: "\n".join(" " * n + "a" for n in ns))
       | st.tuples(st.integers(0, 300), st.integers(0, 300)).map(lambda n: "a: " + "[" * n[0] + "{" * n[1] + "}]" * 9))
def test_any_nesting_is_read_or_reported_never_a_crash(text: str) -> None:
    """libyaml's composer recurses in C, where a hostile file could overflow the stack and kill the process:
    whatever brackets and indents a file has, loading it gives data or a located problem."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.yaml"
        path.write_text(text, encoding="utf-8")
        problems: list[Problem] = []
        source = load_yaml(path, problems)
    assert source.ok == (problems == []) and all(p.line >= 1 and p.column >= 1 for p in problems)


def _typed(value: str) -> object:
    """What a plain scalar means in the sources: YAML 1.2's core types, fractions exact, nothing of YAML 1.1
    (no yes/no, dates, hex, or 1_000), and a number too long to be one kept as text."""
    if re.fullmatch(r"true|True|TRUE|false|False|FALSE", value):
        return value.lower() == "true"
    if re.fullmatch(r"[-+]?[0-9]+", value):
        return int(value) if len(value) <= 30 else value
    if re.fullmatch(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", value):
        return Decimal(value)
    if re.fullmatch(r"~|null|Null|NULL|", value):
        return None
    return value


@given(st.text(alphabet="0123456789.+-eEtTfFnNrRuUlLsS~_ xТак", max_size=8)
       | st.sampled_from(["", "~", "null", "True", "FALSE", "yes", "1.5", ".5", "1e5", "1.5e5", "0x1F", "2025-02-20",
                          "+", "-", "1" * 31]))
def test_a_plain_value_is_read_as_the_sources_schema_says(value: str) -> None:
    from hypothesis import assume

    text = f"a: {value}\nb: [{value}]\n"
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        assume(False)
    children = [node.value[0][1], *node.value[1][1].value[:1]]
    assume(len(children) == 2 and all(isinstance(child, yaml.ScalarNode) and child.value == value
                                      and child.style is None for child in children))  # plain scalars, as written
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.yaml"
        path.write_text(text, encoding="utf-8")
        problems: list[Problem] = []
        source = load_yaml(path, problems)
    assert problems == []
    expected = _typed(value)
    assert source.data == {"a": expected, "b": [expected]}
    assert type(source.data["a"]) is type(expected) and str(source.data["a"]) == str(expected)


def test_bom_and_windows_line_endings(tmp_path: Path) -> None:
    source, problems = _load(tmp_path, b"\xef\xbb\xbfa: 1\r\nb: x\r\n")
    assert problems == [] and source.data == {"a": 1, "b": "x"}
    assert source.where(("b",)) == (2, 4)


def test_not_utf8_is_located(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, "a: 1\nb: ".encode() + "Київ".encode("cp1251") + b"\n")
    assert problems == [(2, 4, "file-not-utf8")]


def test_nul_byte_is_refused(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, b"a: 1\nb: \x00\n")
    assert problems == [(2, 4, "file-not-utf8")]


def test_file_too_large_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    problems: list[Problem] = []
    source = load_yaml(path, problems)
    assert not source.ok and [p.code for p in problems] == ["file-too-large"]


def test_unreadable_path(tmp_path: Path) -> None:
    problems: list[Problem] = []
    load_yaml(tmp_path, problems)  # a folder, not a file
    assert [p.code for p in problems] == ["file-unreadable"]


def test_inside_refuses_every_link_and_way_out(tmp_path: Path) -> None:
    """A source is read only from under the content folder, through no symlink at any depth below it, nor
    ".."; the content folder itself may lie behind a link (a checkout in a linked home folder)."""
    from generator.load import inside

    root = tmp_path / "content"
    (root / "p" / "sections").mkdir(parents=True)
    (root / "p" / "sections" / "a.md").write_text("x", encoding="utf-8")
    (tmp_path / "outside.md").write_text("secret", encoding="utf-8")
    (root / "p" / "sections" / "link.md").symlink_to(tmp_path / "outside.md")
    (root / "linked").symlink_to(root / "p")
    (root / "p" / "sections-link").symlink_to(root / "p" / "sections")
    (tmp_path / "content-twin").mkdir()
    (tmp_path / "via").symlink_to(root)
    assert inside(root / "p" / "sections" / "a.md", root)
    assert inside(tmp_path / "via" / "p" / "sections" / "a.md", tmp_path / "via")
    spelled = tmp_path / "content-twin" / ".." / "content"  # a root given as ../content: its paths begin alike
    assert inside(spelled / "p" / "sections" / "a.md", spelled)
    refused = [root / "p" / "sections" / "link.md", root / "linked" / "sections" / "a.md",
               root / "p" / "sections-link" / "a.md", root / "p" / ".." / ".." / "outside.md",
               root / "p" / ".." / "p" / "sections" / "a.md", tmp_path / "content-twin" / "a.md",
               tmp_path / "outside.md", root]
    assert [path for path in refused if inside(path, root)] == []
