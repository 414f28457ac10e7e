"""Read source files: YAML with the position of every value, and Markdown.

PyYAML's own constructors are not used. They silently keep the last of two
duplicate keys, expand alias bombs, and read YAML 1.1 surprises (``no`` is
false, ``2025-02-20`` is a date, ``0x1F`` is a number). We compose the node
tree and convert it ourselves: only ``true``/``false``, ``null``, plain
decimal integers and decimal fractions are typed; everything else stays text.
Fractions become ``Decimal`` so that approved figures are never rounded.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem

# Bounds that keep a hostile file from exhausting memory or time.
MAX_FILE_BYTES = 5 * 1024 * 1024
# A Markdown section: three times the longest real one (44 KB). markdown-it's cost per
# character is linear but large on bracket-heavy text, so this bounds rendering.
MAX_SECTION_BYTES = 128 * 1024
MAX_DEPTH = 64

Location = tuple[int, int]  # 1-based line and column
KeyPath = tuple[Any, ...]


class SourceResolver(yaml.resolver.BaseResolver):
    """YAML 1.2's core types only, registered as PyYAML documents: true/false, whole numbers, fractions
    and null. Nothing of YAML 1.1 (yes/no, dates, hex, 1_000), which reads a clerk's «no» as False."""


_STR = "tag:yaml.org,2002:str"


SourceResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
SourceResolver.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
SourceResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)
SourceResolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])

try:  # libyaml's parser is many times faster; fall back to pure Python where PyYAML was built without it.
    from yaml.cyaml import CParser

    class _FastComposer(CParser, SourceResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            SourceResolver.__init__(self)

except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _FastComposer = None  # type: ignore[assignment,misc]


class _Composer(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, SourceResolver):
    """Pure Python: slower, but deep nesting ends in a RecursionError rather than a C stack overflow."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        SourceResolver.__init__(self)


_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
# A line indented deeper than MAX_DEPTH levels of four spaces could nest that deep.
_DEEP_INDENT = " " * (4 * MAX_DEPTH + 1)


def _could_nest_deeply(text: str) -> bool:
    """A cheap over-estimate of nesting depth: libyaml's composer recurses in C and would crash on a hostile file."""
    if text.startswith(_DEEP_INDENT) or "\n" + _DEEP_INDENT in text:
        return True
    if text.count("[") + text.count("{") <= MAX_DEPTH:  # too few to open deeper (most sources: none at all)
        return False
    depth = deepest = 0
    for bracket in _NOT_BRACKETS.sub("", text):
        depth = depth + 1 if bracket in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest > MAX_DEPTH


def _composer(text: str) -> yaml.composer.Composer:
    if _FastComposer is not None and not _could_nest_deeply(text):
        return _FastComposer(text)
    return _Composer(text)


@dataclass
class YamlSource:
    """A parsed YAML file: its data, and the tree it was read from, which says where each value and key stands."""

    path: Path
    data: Any = None
    tree: yaml.Node | None = None
    ok: bool = False

    def where(self, key_path: KeyPath, *, key: bool = False) -> Location:
        """The location of a value (or of its key), else of its nearest parent.

        Looked up in the tree when asked, for the few values a check names: recorded for every
        value as it was read, the locations were a third of reading a source.
        """
        node = self.tree
        if node is None:
            return (1, 1)
        found = _mark(node)
        for step in key_path:
            key_node = child = None
            if type(node) is yaml.MappingNode:
                for key_node, child in node.value:  # the first of duplicate keys, as the data holds
                    if _is_key(key_node, step):
                        break
                else:
                    key_node = child = None
            elif type(node) is yaml.SequenceNode and type(step) is int and 0 <= step < len(node.value):
                child = node.value[step]
            if child is None:
                break
            found = _mark(key_node) if key and key_node is not None else _mark(child)
            node = child
        return found


def _mark(node: yaml.Node) -> Location:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


_NULL, _BOOL, _INT, _FLOAT = (f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float"))


def _scalar(node: yaml.ScalarNode) -> Any:
    """A scalar's value, typed by its tag (see SourceResolver); _UNKNOWN_TAG for a tag these sources never use."""
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value.lower() == "true"
    if tag == _INT:
        return value if len(value) > 30 else int(value)  # absurdly long: kept as text, the validator says why
    if tag == _FLOAT:
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return _UNKNOWN_TAG


_UNKNOWN_TAG = object()


def _as_key(node: yaml.ScalarNode, value: Any) -> Any:
    """A mapping's key in the data, from its node and its scalar value: text or a whole number (a
    year); a key that reads as null, true, a fraction or an unknown tag is kept as written."""
    return node.value if value is _UNKNOWN_TAG or value is None or isinstance(value, (Decimal, bool)) else value


def _is_key(node: yaml.Node, step: Any) -> bool:
    """Whether a mapping's key node is the key ``step`` in the data (as _Converter.convert reads keys)."""
    if type(node) is not yaml.ScalarNode or (type(step) is str and node.value != step):
        return False  # a key that reads as text is written as it reads: most are told apart without typing them
    return _as_key(node, _scalar(node)) == step


class _Converter:
    def __init__(self, source: YamlSource, problems: list[Problem], aliases: bool) -> None:
        self.source = source
        self.problems = problems
        self.aliases = aliases  # whether the text may hold one: then each node is checked for being seen before
        self.seen: set[int] = set()
        self.found_alias = False

    def problem(self, node: yaml.Node, code: str, **params: Any) -> None:
        line, column = _mark(node)
        self.problems.append(Problem.make(self.source.path, line, column, code, **params))

    def convert(self, node: yaml.Node, depth: int = 0) -> Any:
        if self.aliases:
            # An alias makes the composer hand out the same node object twice.
            # Councils never need anchors, and refusing them stops alias bombs.
            if id(node) in self.seen:
                self.found_alias = True  # reported where each alias stands, see load_yaml
                return None
            self.seen.add(id(node))
        if depth > MAX_DEPTH:
            self.problem(node, "yaml-too-deep", limit=MAX_DEPTH)
            return None
        kind = type(node)
        if kind is yaml.ScalarNode:
            return self.scalar(node)
        depth += 1
        if kind is yaml.SequenceNode:
            return [self.convert(item, depth) for item in node.value]
        result: dict[Any, Any] = {}
        first_seen: dict[Any, yaml.Node] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode:
                self.problem(key_node, "yaml-complex-key")
                continue
            key = _as_key(key_node, self.scalar(key_node))
            if key in first_seen:
                self.problem(key_node, "yaml-duplicate-key", key=key, first_line=_mark(first_seen[key])[0])
                continue
            first_seen[key] = key_node
            result[key] = self.convert(value_node, depth)
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        value = _scalar(node)
        if value is _UNKNOWN_TAG:
            self.problem(node, "yaml-tag", tag=node.tag)
            return node.value
        return value


def load_yaml(path: Path, problems: list[Problem], root: Path | None = None) -> YamlSource:
    """Parse one YAML file. Problems are appended; ``source.ok`` says if data is usable."""
    source = YamlSource(path)
    text = read_text(path, problems, root)
    if text is None:
        return source
    try:
        loader = _composer(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        lines = re.split("\n|\x85|\u2028|\u2029", text)  # the line breaks YAML counts
        if line > len(lines):  # libyaml places end-of-file errors past the last line
            line, column = len(lines), len(lines[-1]) + 1
        detail = (error.problem or error.context or "").strip()
        if error.context and error.context_mark and error.problem_mark and error.context_mark.line != mark.line:
            # An unclosed quote or bracket is found far below where it opened: say where that was.
            detail += f" ({error.context} from line {error.context_mark.line + 1})"
        problems.append(Problem.make(path, line, column, "yaml-syntax", detail=detail))
        return source
    except yaml.YAMLError as error:  # ReaderError and the like: no mark
        problems.append(Problem.make(path, 1, 1, "yaml-syntax", detail=str(error).splitlines()[0]))
        return source
    except RecursionError:
        problems.append(Problem.make(path, 1, 1, "yaml-too-deep", limit=MAX_DEPTH))
        return source
    if node is None:
        problems.append(Problem.make(path, 1, 1, "yaml-empty"))
        return source
    before = len(problems)
    converter = _Converter(source, problems, aliases="*" in text)  # an alias is written *name
    source.tree = node
    try:
        source.data = converter.convert(node)
    except RecursionError:
        problems.append(Problem.make(path, 1, 1, "yaml-too-deep", limit=MAX_DEPTH))
        return source
    if converter.found_alias:
        # The composed tree no longer says where an alias stood; the events do.
        for event in yaml.parse(text, Loader=_composer):
            if isinstance(event, yaml.AliasEvent):
                line, column = event.start_mark.line + 1, event.start_mark.column + 1
                problems.append(Problem.make(path, line, column, "yaml-alias"))
    source.ok = not any(p.severity == "error" for p in problems[before:])
    return source


def inside(path: Path, root: Path) -> bool:
    """True when path is a plain file or folder under root, reached without any symlink.

    Each part below root is looked at (lstat), none may be a link, "." or "..": then the path is
    where it reads.
    """
    root_text = os.path.join(root.absolute(), "")  # ending in a separator, once ("/" stays "/")
    text = os.fspath(path.absolute())
    if not text.startswith(root_text):
        return False
    parts = text[len(root_text):].split(os.sep)
    if any(part in ("", ".", "..") for part in parts):
        return False
    current = root_text
    for part in parts:
        current += part
        if os.path.islink(current):
            return False
        current += os.sep
    return True


def read_text(path: Path, problems: list[Problem], root: Path | None = None, *, section: bool = False) -> str | None:
    """Read a UTF-8 source file (a BOM is allowed), or report why it cannot be read.

    With a root, a file that is a symlink or lies outside the root is refused
    unread: content comes from many contributors, and a link could publish
    any file on the machine that builds the site.
    """
    if root is not None and not inside(path, root):
        problems.append(Problem.make(path, 1, 1, "unsafe-path", name=path.name))
        return None
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(Problem.make(path, 1, 1, "file-too-large", size_mb=round(size / 2**20, 1), limit_mb=5))
            return None
        if section and size > MAX_SECTION_BYTES:
            problems.append(Problem.make(path, 1, 1, "section-too-large", size_kb=-(-size // 1024),
                                         limit_kb=MAX_SECTION_BYTES // 1024))
            return None
        raw = path.read_bytes()
    except OSError as error:
        problems.append(Problem.make(path, 1, 1, "file-unreadable", detail=error.strerror or str(error)))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        problems.append(Problem.make(path, line, column, "file-not-utf8"))
        return None
    if "\x00" in text:
        index = text.index("\x00")
        line = text.count("\n", 0, index) + 1
        problems.append(Problem.make(path, line, index - text.rfind("\n", 0, index), "file-not-utf8"))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")
