"""Hostile and broken input, interrupted builds: the generator never lies, leaks or loses.

Bounds stated and tested here: a source file is refused unread above 5 MiB; a
file that size validates in bounded time; a Markdown section of any pathological
shape up to 128 KiB renders in under 10 s (larger sections are refused); nesting deeper than 64 levels is refused.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import html
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable, Iterator

import pytest

from generator.build import build
from generator.write import OutputFolder
from generator.load import MAX_FILE_BYTES, MAX_SECTION_BYTES
from generator.render import render_markdown
from generator.validate import validate

from .conftest import CONTENT, MINIMAL, ROOT
from .test_site import INDEX_SCRIPT

PAYLOADS = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<script/src=data:,alert(1)>",
    "</script><script>alert(1)</script>", "</title><script>alert(1)</script>", "</textarea><script>alert(1)</script>",
    '"><script>alert(1)</script>', "'><script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">', "<body onload=alert(1)>", "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>", "<svg><a xlink:href=\"javascript:alert(1)\">x</a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>", "<math><mtext><script>alert(1)</script>",
    "<iframe src=javascript:alert(1)>", "<iframe srcdoc='<script>alert(1)</script>'>", "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>", "<a href=javascript:alert(1)>x</a>", "<a href=' javascript:alert(1)'>x</a>",
    "<a href=JaVaScRiPt:alert(1)>x</a>", "<a href=&#106;avascript:alert(1)>x</a>", "<a href=data:text/html,<script>alert(1)</script>>x</a>",
    "<a href=vbscript:msgbox(1)>x</a>", "<form action=javascript:alert(1)><button>x</button></form>",
    "<input autofocus onfocus=alert(1)>", "<details open ontoggle=alert(1)>", "<marquee onstart=alert(1)>",
    "<video><source onerror=alert(1)>", "<audio src=x onerror=alert(1)>", "<style>@import 'javascript:alert(1)'</style>",
    "<link rel=stylesheet href=javascript:alert(1)>", "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<base href=javascript:alert(1)//>", "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "JaVaScRiPt:alert(1)",
    "{{ 7*7 }}", "{% raw %}{{ config }}{% endraw %}", "${7*7}", "<!--", "-->", "<![CDATA[<script>alert(1)</script>]]>",
    "\u202egnp.exe", "\u200b<script>alert(1)</script>", "ѕсrірt", "＜script＞alert(1)＜/script＞",
    "=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+9)*cmd|' /C calc'!A0",
    "</script><!--", "<x onclick=alert(1)>click", "\"onmouseover=\"alert(1)", "' onmouseover='alert(1)",
    '"]]});alert(1);//', "\\\"});alert(1)//", "\u2028alert(1)\u2029",  # out of a search index's data into its script
]


def test_the_injection_corpus_is_large_enough() -> None:
    assert len(PAYLOADS) >= 50 and len(set(PAYLOADS)) == len(PAYLOADS)


class _Audit(HTMLParser):
    """Collects everything in a page that could run script or load from elsewhere."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []
        self.in_script: str | None = None
        self.jsonld: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.bad.append(f"<{tag} {name}>")
            if name in ("href", "src", "xlink:href", "action", "formaction", "srcdoc", "data") and value:
                target = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if target.startswith(("javascript:", "vbscript:", "data:")) and not (tag == "link" and value == "data:,"):
                    self.bad.append(f"<{tag} {name}={value}>")
        if tag in ("iframe", "object", "embed", "foreignobject", "base", "form", "style", "input", "video", "audio"):
            if not (tag == "form" and "search" in (values.get("class") or "")) and not (tag == "input" and values.get("id") == "q"):
                self.bad.append(f"<{tag}>")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.bad.append("<meta refresh>")
        if tag == "script":
            if values.get("type") == "application/ld+json":
                self.in_script = "jsonld"
            elif (values.get("src") or "").endswith(("assets/search.js", "assets/site.js")) and len(attrs) <= 2:
                self.in_script = "ours"
            else:
                self.bad.append(f"<script {attrs}>")
                self.in_script = "bad"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = None

    def handle_data(self, data: str) -> None:
        if self.in_script == "jsonld":
            self.jsonld.append(data)
        elif self.in_script and data.strip():
            self.bad.append(f"script text {data[:40]!r}")


def _replace_every_text(content: Path, bilingual: Callable[[], dict[str, str]]) -> None:
    """Every {uk, en} text in the YAML sources under ``content`` replaced by what ``bilingual()`` gives."""
    import yaml

    def replaced(value: object) -> object:
        if isinstance(value, dict):
            if isinstance(value.get("uk"), str):
                return bilingual()
            return {k: replaced(v) for k, v in value.items()}
        if isinstance(value, list):
            return [replaced(v) for v in value]
        return value

    for path in sorted(content.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        path.write_text(yaml.safe_dump(replaced(data), allow_unicode=True, width=10_000), encoding="utf-8")


def _hostile_content(tmp_path: Path) -> Path:
    """The minimal program with a payload in every text, and every payload in its Markdown."""
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    counter = iter(range(10**6))

    def three() -> str:
        return " ".join(PAYLOADS[next(counter) % len(PAYLOADS)] for _ in range(3))

    _replace_every_text(content, lambda: {"uk": f"Текст {three()}", "en": f"Text {three()}"})
    markdown = "\n\n".join(PAYLOADS) + "\n\n" + "\n".join(f"[link {i}]({p})" for i, p in enumerate(PAYLOADS)) + "\n"
    markdown += "\n".join(f"![image {i}]({p})" for i, p in enumerate(PAYLOADS)) + "\n"
    for section in (content / "testova-2025-2027" / "sections").glob("*.md"):
        section.write_text(markdown, encoding="utf-8")
    assert next(counter) > len(PAYLOADS), "not every payload went into a text field"
    return content


def test_no_payload_in_any_text_field_or_markdown_can_run(tmp_path: Path) -> None:
    content = _hostile_content(tmp_path)
    result = build(content, tmp_path / "site", packages_out=tmp_path / "datapackages")
    assert result.built, [p.as_text("en") for p in result.corpus.problems if p.severity == "error"]
    # A search index is one call with one JSON argument, whatever its texts hold: data, never code.
    indexes = sorted((tmp_path / "site").rglob("search-index.js"))
    assert len(indexes) == 4  # the program's and the comparisons', in each language
    for index in indexes:
        text = index.read_text(encoding="utf-8")
        assert text.startswith(INDEX_SCRIPT) and text.endswith(");\n") and text.count("\n") == 1, index
        assert "\u2028" not in text and "\u2029" not in text, index
        json.loads(text[len(INDEX_SCRIPT):-3])
    assert "});alert(1)" in (tmp_path / "site" / "uk" / "testova-2025-2027" / "search-index.js").read_text(encoding="utf-8")
    pages = sorted((tmp_path / "site").rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        text = page.read_text(encoding="utf-8")
        audit = _Audit()
        audit.feed(text)
        assert audit.bad == [], (page, audit.bad[:5])
        for block in audit.jsonld:
            assert "<" not in block and ">" not in block
            json.loads(block)
        for svg in re.findall(r"<svg.*?</svg>", text, re.S):
            assert "<script" not in svg.lower() and "foreignobject" not in svg.lower()
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text)
        policy = html.unescape(csp[1]) if csp else ""
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, page
    for download in (tmp_path / "site" / "data").rglob("*.json"):
        json.loads(download.read_text(encoding="utf-8"))


# Formulas as a spreadsheet would run them, and what it may pass over before one: nothing, spaces,
# a tab, line breaks, a no-break space, a control character.
FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+9)*cmd|' /C calc'!A0", "−1+cmd|' /C calc'!A0", "＝1+1", "＋1+1", "－1+1", "＠SUM(1)"]
FORMULA_LEADS = ["", " ", "   ", "\t", "\r\n", "\n", "\u00a0", "\x01", " \t "]
_BLANKS = re.compile(r"[\s\x00-\x1f\x7f]*")


def test_a_text_that_starts_like_a_formula_never_runs_in_any_csv(tmp_path: Path) -> None:
    """Every text field of a program begins with a formula (after nothing, spaces, a tab, a line break, a
    no-break space or a control character): read back with the csv module, no cell of any CSV the build
    writes (the package tables and every per-item download) starts, after what a spreadsheet passes over,
    with a character that makes it a formula; each planted text is there, behind an apostrophe."""
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    # Each formula after two of the leads, each lead before two formulas: 18 texts for the fixture's 24 fields.
    planted = [lead + formula for place, formula in enumerate(FORMULAS)
               for lead in (FORMULA_LEADS[place], FORMULA_LEADS[(place + 4) % len(FORMULA_LEADS)])]
    counter = iter(range(10**6))

    _replace_every_text(content, lambda: {"uk": planted[next(counter) % len(planted)],
                                          "en": planted[next(counter) % len(planted)]})
    assert next(counter) > len(planted), "not every planted formula went into a text field"
    result = build(content, tmp_path / "site", packages_out=tmp_path / "datapackages")
    assert result.built, [p.as_text("en") for p in result.corpus.problems if p.severity == "error"]

    package_tables = sorted((tmp_path / "datapackages").rglob("*.csv"))
    downloads = sorted((tmp_path / "site" / "data").rglob("*.csv"))
    # The comparisons' downloads (data/indicators/), and each item's CSV for English pages (commas) and for
    # Ukrainian ones (semicolons, decimal commas).
    comparisons = [path for path in downloads if path.parent == tmp_path / "site" / "data" / "indicators"]
    uk_downloads = [path for path in downloads if path.name.endswith(".excel-uk.csv")]
    en_downloads = [path for path in downloads if path not in uk_downloads and path not in comparisons]
    assert len(package_tables) >= 8 and len(en_downloads) >= 6 and len(uk_downloads) == len(en_downloads)
    assert comparisons
    quoted: dict[str, set[str]] = {"package": set(), "download": set(), "download-uk": set(), "comparison": set()}
    for kind, tables in (("package", package_tables), ("download", en_downloads), ("download-uk", uk_downloads),
                         ("comparison", comparisons)):
        for table in tables:
            data = table.read_bytes()
            assert data.startswith(b"\xef\xbb\xbf") == (kind != "package"), table
            separator = ";" if kind == "download-uk" else ","
            for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=separator):
                for cell in row:
                    start = cell[_BLANKS.match(cell).end():][:1]
                    if start and start in "=+-−@＝＋－＠" or cell[:1] in "\t\r\n" and cell:
                        # A plain signed number or a lone mark cannot run; anything else must be quoted.
                        assert cell in ("+", "-", "−") or re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?%?", cell), (table, cell)
                    if cell.startswith("'") and cell[1:] in planted:
                        quoted[kind].add(cell[1:])
    # The texts reached the cells whole, each behind its apostrophe, in every kind of CSV.
    assert quoted["package"] == set(planted), set(planted) - quoted["package"]
    assert len(quoted["download"]) >= len(planted) // 2, len(quoted["download"])
    assert quoted["download-uk"] == quoted["download"]
    assert quoted["comparison"], "no planted hromada name reached a comparison's CSV"


@pytest.mark.parametrize("payload", PAYLOADS[:20] + ["../../etc/passwd", "/etc/passwd", "CON", "nul", "Edms", "еdms"])
def test_a_payload_as_an_id_is_refused(tmp_path: Path, payload: str) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    tasks = content / "testova-2025-2027" / "tasks.yaml"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace("  - id: audit", f"  - id: {json.dumps(payload)}"),
                     encoding="utf-8")
    codes = {p.code for p in validate(content).problems if p.severity == "error"}
    assert codes & {"not-a-slug", "windows-reserved-id"}, codes


def test_symlinks_and_paths_outside_content_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    program = content / "testova-2025-2027"
    (program / "sections" / "general-provisions.uk.md").unlink()
    (program / "sections" / "general-provisions.uk.md").symlink_to(secret)
    (program / "indicators.yaml").rename(tmp_path / "indicators.yaml")
    (program / "indicators.yaml").symlink_to(tmp_path / "indicators.yaml")
    shutil.copytree(program, tmp_path / "elsewhere")
    (content / "linked-2025-2027").symlink_to(tmp_path / "elsewhere")
    problems = validate(content).problems
    unsafe = sorted(Path(p.path).name for p in problems if p.code == "unsafe-path")
    assert unsafe == ["general-provisions.uk.md", "indicators.yaml", "linked-2025-2027"]
    out = tmp_path / "site"
    assert not build(content, out, search=False).built
    assert not out.exists()


def test_case_and_lookalike_names_cannot_collide(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    for lookalike in ("Testova-2025-2027", "tеstova-2025-2027"):  # a capital; a Cyrillic е
        (content / lookalike).mkdir()
        (content / lookalike / "program.yaml").write_text("title: x\n", encoding="utf-8")
    refused = {Path(p.path).parent.name for p in validate(content).problems if p.code == "program-id-unsafe"}
    assert refused == {"Testova-2025-2027", "tеstova-2025-2027"}


# ---------------------------------------------------------------------------
# Resource bombs, with the bounds they are held to


def test_a_50_mb_source_is_refused_unread_in_bounded_time(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    big = content / "testova-2025-2027" / "tasks.yaml"
    with big.open("wb") as handle:
        handle.truncate(50 * 2**20)
    start = time.perf_counter()
    problems = validate(content).problems
    assert time.perf_counter() - start < 2.0
    assert [p.code for p in problems if p.path == str(big)] == ["file-too-large"]


def test_100_000_tasks_are_refused_and_the_largest_allowed_file_validates_in_bounded_time(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    tasks = content / "testova-2025-2027" / "tasks.yaml"
    line = "- {{id: t{0}, priority: digital-governance, name: {{uk: Завдання {0}}}, timeframe: 2025, " \
           "funding: [{{source: local, years: {{2025: {0}}}}}]}}\n"
    tasks.write_text("tasks:\n" + "".join(line.format(i) for i in range(100_000)), encoding="utf-8")
    assert tasks.stat().st_size > MAX_FILE_BYTES
    assert "file-too-large" in {p.code for p in validate(content).problems}
    lines, size = ["tasks:\n"], 7
    while size < MAX_FILE_BYTES - 2000:
        lines.append(line.format(len(lines) - 1))
        size += len(lines[-1].encode("utf-8"))
    count = len(lines) - 1
    tasks.write_text("".join(lines), encoding="utf-8")
    start = time.perf_counter()
    corpus = validate(content)
    seconds = time.perf_counter() - start
    errors = {p.code for p in corpus.problems if p.severity == "error"}
    assert errors <= {"unknown-task"}  # the fixture's indicators point at tasks this file replaced
    assert len(corpus.programs[0].tasks) == count > 30_000
    assert seconds < 60, f"{count} tasks took {seconds:.1f} s"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 4 * 2**20  # KiB: under 4 GiB for the whole run


def _fill(unit: str, end: str = "") -> str:
    """The unit repeated up to the largest section allowed."""
    return unit * ((MAX_SECTION_BYTES - len(end)) // len(unit.encode())) + end


@pytest.mark.parametrize("shape", [
    _fill("["), _fill("*a"), _fill("_"), _fill(">", " x"), _fill("- ", "x"), _fill("`"), _fill("[a]("), _fill("<"),
    _fill("!["), _fill("|a", "\n" + "|-" * 20_000), _fill("1. "), _fill("\\"), _fill("&#"), _fill("**", "a"),
    _fill("[ж"), _fill("<a href='javascript:alert(1)'>"),
])
def test_pathological_markdown_at_the_size_limit_renders_in_bounded_time(shape: str) -> None:
    # Bound: 10 s for the worst shape at the limit (measured: 4.0 s, "![" repeated).
    assert len(shape.encode()) <= MAX_SECTION_BYTES
    start = time.perf_counter()
    html = render_markdown(shape, "Table")
    assert time.perf_counter() - start < 10.0
    assert "<script" not in html and "<a href" not in html


def test_a_section_over_the_limit_is_refused_with_its_size(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    section = sorted(content.glob("*/sections/*.uk.md"))[0]
    section.write_text("[" * (MAX_SECTION_BYTES + 1), encoding="utf-8")
    corpus = validate(content)
    found = [p for p in corpus.problems if p.code == "section-too-large"]
    assert len(found) == 1 and found[0].path == str(section)
    assert f"({MAX_SECTION_BYTES // 1024 + 1} KB; at most {MAX_SECTION_BYTES // 1024} KB)" in found[0].as_text("en")


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    bomb = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    bomb += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    (content / "testova-2025-2027" / "tasks.yaml").write_text("\n".join(bomb) + "\n", encoding="utf-8")
    start = time.perf_counter()
    codes = {p.code for p in validate(content).problems}
    assert time.perf_counter() - start < 2.0 and "yaml-alias" in codes


# ---------------------------------------------------------------------------
# Interrupted and concurrent builds, reproducibility, a broken environment


@pytest.mark.parametrize("obstacle", ["read-only folder", "another build at work"])
def test_a_source_error_is_reported_even_where_the_output_cannot_be_written(
        tmp_path: Path, minimal_content: Path, obstacle: str) -> None:
    """Programs are checked where they are rendered, after the output is opened: where it cannot
    be, the clerk still learns what is wrong in the sources, not only that the folder is shut."""
    parent = tmp_path / "public"
    out = parent / "site"
    assert _run_build(minimal_content, out).returncode == 0
    before = _tree_hash(out)
    tasks = minimal_content / "testova-2025-2027" / "tasks.yaml"
    tasks.write_text("tasks: [\n", encoding="utf-8")
    if obstacle == "read-only folder":
        with _read_only(parent):
            result = _run_build(minimal_content, out)
    else:
        with open(out.with_name(".site.lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            result = _run_build(minimal_content, out)
    assert result.returncode == 1
    assert re.search(r"tasks\.yaml:2:1: (error|помилка)", result.stdout), result.stdout
    assert "Traceback" not in result.stderr
    assert _tree_hash(out) == before


@contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    """No file may be made in ``folder`` while this lasts, not even by root (then with chattr)."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.fail("cannot make the folder read-only for root here (chattr +i failed)")
        undo = ["chattr", "-i", str(folder)]
    else:
        folder.chmod(0o555)
        undo = ["chmod", "755", str(folder)]
    try:
        yield
    finally:
        subprocess.run(undo, check=True)


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _build_command(content: Path, out: Path, packages: Path) -> list[str]:
    return [sys.executable, "-m", "generator", "build", str(content), "--out", str(out), "--quiet"]


def _run_build(content: Path, out: Path, **kwargs) -> subprocess.CompletedProcess[str]:  # noqa: ANN003
    return subprocess.run(_build_command(content, out, out.with_name("datapackages")), cwd=ROOT, capture_output=True,
                          text=True, timeout=300, **kwargs)


def _lock_is_free(lock: Path, seconds: float = 3.0) -> bool:
    """No process (a worker of a killed build, say) holds the build lock, within a moment for it to die."""
    deadline = time.monotonic() + seconds
    with open(lock, "a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.05)
                continue
            fcntl.flock(handle, fcntl.LOCK_UN)
            return True


def _two_states(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a" / "content", tmp_path / "b" / "content"
    shutil.copytree(CONTENT, a)
    shutil.copytree(CONTENT, b)
    tasks = b / "kremenchutska-2026-2028" / "tasks.yaml"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace("Проведення щорічного інформаційного аудиту",
                                                               "Проведення щорічного аудиту", 1), encoding="utf-8")
    return a, b


# A child of a build, forked, whose parent is killed before the child can ask to die with it.
_ORPHAN = """
import os, sys, time
from generator.parallel import die_with_parent
parent, report = os.getpid(), int(sys.argv[1])
if os.fork() == 0:
    deadline = time.monotonic() + 10
    while os.getppid() == parent and time.monotonic() < deadline:  # until the parent is gone
        time.sleep(0.01)
    die_with_parent(parent)
    os.write(report, b"a worker outlived its build")
    os._exit(0)  # a forked child ends here, without the parent's clean-up (os._exit is documented for that)
os._exit(0)
"""


def test_a_worker_whose_build_died_before_it_started_does_not_outlive_it() -> None:
    """The kernel kills a worker when its build dies only once the worker has asked it to. A build
    killed between the fork and that request (as a national build's pools fork four times) would
    leave the worker waiting forever on its pool's lock: the worker sees that its parent is gone."""
    read, write = os.pipe()
    try:
        subprocess.run([sys.executable, "-c", _ORPHAN, str(write)], cwd=ROOT, pass_fds=(write,), timeout=30, check=True)
        os.close(write)
        write = -1
        with os.fdopen(read, "rb") as report:  # read to the end: until the orphan has exited, one way or the other
            read = -1
            assert report.read() == b""
    finally:
        for fd in (read, write):
            if fd >= 0:
                os.close(fd)


def test_killed_builds_leave_the_previous_or_the_new_output_never_a_mix(tmp_path: Path) -> None:
    state_a, state_b = _two_states(tmp_path)
    hashes = {}
    for name, content in (("a", state_a), ("b", state_b)):
        reference = tmp_path / f"reference-{name}" / "site"
        assert _run_build(content, reference).returncode == 0
        hashes[name] = (_tree_hash(reference), _tree_hash(reference.with_name("datapackages")))
    assert hashes["a"] != hashes["b"]
    out = tmp_path / "live" / "site"
    # Half the trials are full builds in one process, half incremental ones whose worker processes
    # must die with the build, not write on. Each is killed at a random moment within its usual run.
    modes = [["--workers", "1", "--full"], ["--workers", "2"]]
    durations = []
    for mode, content in zip(modes, (state_a, state_b)):
        start = time.monotonic()
        assert subprocess.run(_build_command(content, out, out.with_name("datapackages")) + mode, cwd=ROOT,
                              capture_output=True, timeout=300).returncode == 0
        durations.append(time.monotonic() - start)
    assert _run_build(state_a, out).returncode == 0
    rng = random.Random(20261123)
    current, killed, finished = "a", 0, 0
    for _trial in range(20):
        target = "b" if current == "a" else "a"
        process = subprocess.Popen(
            _build_command(state_a if target == "a" else state_b, out, out.with_name("datapackages")) + modes[_trial % 2],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.02, 0.95 * durations[_trial % 2]))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        else:
            finished += 1
        process.wait()
        assert _lock_is_free(out.with_name(".site.lock")), "a worker outlived its build"
        # An update killed while it moved its files in left its journal: the next build, before
        # anything else, completes the moves. (Killed before, the update leaves no journal.)
        for folder in (out, out.with_name("datapackages")):
            if folder.with_name(f".{folder.name}.journal").exists():
                with OutputFolder(folder):
                    pass
        site, packages = _tree_hash(out), _tree_hash(out.with_name("datapackages"))
        assert site in (hashes["a"][0], hashes["b"][0]), "site/ is a mix"
        assert packages in (hashes["a"][1], hashes["b"][1]), "datapackages/ is a mix"
        current = "a" if site == hashes["a"][0] else "b"
    assert killed >= 10  # most trials really interrupted a build
    assert _run_build(state_a, out).returncode == 0  # and a build after all that still works
    assert _tree_hash(out) == hashes["a"][0]


def _files(folder: Path) -> dict[str, bytes] | None:
    """What a reader of the folder finds: every file and its bytes, or None where there is no folder."""
    if not folder.is_dir():
        return None
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


OLD_OUTPUT = {"index.html": b"old home", "uk/index.html": b"old uk", "uk/gone/index.html": b"removed by the new"}
NEW_OUTPUT = {"index.html": b"new home", "uk/index.html": b"new uk", "en/index.html": b"added by the new"}


def _watch_every_step(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[tuple[str, dict[str, bytes] | None]]:
    """After each call that renames, replaces or deletes (as the output's commit makes them), what a reader
    of ``folder`` would find at that moment."""
    import generator.write

    seen: list[tuple[str, dict[str, bytes] | None]] = []

    def watched(name: str, real):  # noqa: ANN001, ANN202 - any of the calls below
        def call(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            result = real(*args, **kwargs)
            seen.append((name, _files(folder)))
            return result
        return call

    for module, name in ((shutil, "rmtree"), (shutil, "move"), (os, "rename"), (os, "replace"), (os, "unlink"),
                         (os, "rmdir"), (os, "renames"), (Path, "rename"), (Path, "replace"), (Path, "unlink"),
                         (Path, "rmdir"), (generator.write, "exchange")):
        monkeypatch.setattr(module, name, watched(f"{getattr(module, '__name__', module)}.{name}", getattr(module, name)))
    return seen


def _commit(folder: Path, files: dict[str, bytes]) -> None:
    with OutputFolder(folder) as out:
        for relative, data in files.items():
            out.write(relative, data)
        out.commit()


def test_at_every_step_of_a_commit_readers_see_the_previous_output_or_the_new_never_neither_or_a_mix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    _commit(site, OLD_OUTPUT)
    assert _files(site) == OLD_OUTPUT
    seen = _watch_every_step(monkeypatch, site)
    _commit(site, NEW_OUTPUT)
    steps = [name for name, _ in seen]
    assert "generator.write.exchange" in steps, steps  # the commit was watched, and swapped the two at once
    for name, found in seen:
        assert found in (OLD_OUTPUT, NEW_OUTPUT), (name, found and sorted(found))
    assert _files(site) == NEW_OUTPUT and not any(p.name.startswith(".site.") and p.is_dir() for p in tmp_path.iterdir())


def test_where_no_atomic_exchange_exists_a_commit_stopped_halfway_is_undone_by_the_next_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an exchange (macOS, Windows) the new output goes in by two renames. Readers never see a mix;
    a build that dies between the renames leaves the previous output aside, and the next one puts it back."""
    import generator.write

    site = tmp_path / "site"
    _commit(site, OLD_OUTPUT)
    monkeypatch.setattr(generator.write, "exchange", lambda a, b: False)
    seen = _watch_every_step(monkeypatch, site)
    _commit(site, NEW_OUTPUT)
    assert _files(site) == NEW_OUTPUT
    assert all(found in (OLD_OUTPUT, NEW_OUTPUT, None) for _, found in seen)
    _commit(site, OLD_OUTPUT)
    assert _files(site) == OLD_OUTPUT

    real_rename = Path.rename

    def dies_on_the_second_half(self: Path, target: Path) -> Path:
        if Path(target) == site:  # the staged output about to go in: the build dies here
            raise KeyboardInterrupt
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", dies_on_the_second_half)
    with pytest.raises(KeyboardInterrupt):
        _commit(site, NEW_OUTPUT)
    monkeypatch.setattr(Path, "rename", real_rename)
    assert _files(site) is None  # halfway: the previous output is aside
    with OutputFolder(site):  # the next build, before anything else
        assert _files(site) == OLD_OUTPUT


# A build or validation whose worker processes are killed (as the out-of-memory killer would) as each
# starts on a program: the command, run as a clerk runs it; its exit code is the process's.
_KILLED_WORKER = """
import os, signal, sys
import generator.build, generator.validate
from generator.cli import main
parent = os.getpid()
real = generator.validate.check_program

def check_program(*args, **kwargs):
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)

generator.build.check_program = generator.validate.check_program = check_program
generator.validate.default_workers = lambda programs: 2  # a pool even on a machine of one core
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("command", ["build", "validate"])
def test_a_killed_worker_ends_the_command_with_a_clear_message_and_the_previous_site_intact(
        tmp_path: Path, command: str) -> None:
    """A worker killed mid-build (out of memory, most often) stops the command at once with a message,
    not a traceback, and not a hang: multiprocessing.Pool waited for ever for the lost program."""
    out = tmp_path / "site"
    assert _run_build(CONTENT, out).returncode == 0
    before = _tree_hash(out), _tree_hash(out.with_name("datapackages"))
    arguments = {"build": ["build", str(CONTENT), "--out", str(out), "--full", "--workers", "2", "--lang", "en"],
                 "validate": ["validate", str(CONTENT), "--lang", "en"]}[command]
    result = subprocess.run([sys.executable, "-c", _KILLED_WORKER, *arguments], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert f"python -m generator {command}: a worker process stopped before it finished" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert (_tree_hash(out), _tree_hash(out.with_name("datapackages"))) == before
    assert _lock_is_free(out.with_name(".site.lock")), "a worker outlived its build"


# A build that, once it holds its output (checking its programs), waits until it is told to go on.
_HELD_BUILD = """
import sys, time
from pathlib import Path
import generator.build
from generator.cli import main
holding, release = Path(sys.argv[1]), Path(sys.argv[2])
real = generator.build.check_program

def check_program(*args, **kwargs):
    holding.touch()
    deadline = time.monotonic() + 120
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return real(*args, **kwargs)

generator.build.check_program = check_program
sys.exit(main(sys.argv[3:]))
"""


def test_a_second_build_at_the_same_time_refuses_and_corrupts_nothing(tmp_path: Path) -> None:
    state_a, _ = _two_states(tmp_path)
    out = tmp_path / "live" / "site"
    holding, release = tmp_path / "holding", tmp_path / "release"
    # The first build is held in the middle, so the second surely comes while it works: timed
    # instead, a build of five programs (0.3 s) could finish before the second had started.
    first = subprocess.Popen([sys.executable, "-c", _HELD_BUILD, str(holding), str(release),
                              *_build_command(state_a, out, out.with_name("datapackages"))[3:]],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not holding.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert holding.exists(), "the first build never reached its programs"
    second = _run_build(state_a, out)
    release.touch()
    first.communicate(timeout=300)
    assert first.returncode == 0
    assert second.returncode == 1 and "зараз збирає інший процес" in second.stderr
    reference = tmp_path / "reference" / "site"
    assert _run_build(state_a, reference).returncode == 0
    assert _tree_hash(out) == _tree_hash(reference)


def test_builds_in_other_folders_at_other_times_with_other_hash_seeds_are_identical(tmp_path: Path) -> None:
    trees = []
    for index, seed in enumerate(("1", "4242")):
        folder = tmp_path / (f"elsewhere-{index}" + "/deeper" * index)
        content = folder / "content"
        shutil.copytree(CONTENT, content)
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        environment.pop("SOURCE_DATE_EPOCH", None)
        result = _run_build(content, folder / "site", env=environment)
        assert result.returncode == 0, result.stderr
        trees.append((_tree_hash(folder / "site"), _tree_hash(folder / "datapackages")))
        time.sleep(1.1)  # a different second on the clock
    assert trees[0] == trees[1]


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # so a write past the limit fails with EFBIG instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_a_full_disk_gives_a_clear_message_and_keeps_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert _run_build(CONTENT, out).returncode == 0
    before = _tree_hash(out)
    result = subprocess.run(_build_command(CONTENT, out, out.with_name("datapackages")), cwd=ROOT, capture_output=True,
                            text=True, timeout=300, preexec_fn=_limit_file_size)
    assert result.returncode == 1, result.stderr
    assert "could not write" in result.stderr or "не вдалося записати" in result.stderr
    assert "Traceback" not in result.stderr
    assert _tree_hash(out) == before
    assert not out.with_name(".site.staging").exists()


def test_a_read_only_output_folder_gives_a_clear_message_and_keeps_the_previous_output(tmp_path: Path) -> None:
    parent = tmp_path / "public"
    out = parent / "site"
    assert _run_build(CONTENT, out).returncode == 0
    before = _tree_hash(out)
    with _read_only(parent):
        result = _run_build(CONTENT, out)
    assert result.returncode == 1
    assert "could not write" in result.stderr or "не вдалося записати" in result.stderr
    assert "Traceback" not in result.stderr
    assert _tree_hash(out) == before


@pytest.mark.parametrize("relative", ["../escaped.html", "/tmp/escaped.html", "uk/../../escaped.html", "uk/..",
                                      "uk//index.html", "./uk/index.html", "uk/./index.html", "uk/", "", ".",
                                      "uk\\..\\escaped.html"])
def test_the_output_folder_refuses_a_path_that_leaves_it_or_is_not_plain(tmp_path: Path, relative: str) -> None:
    from generator.write import UnsafeOutputPath

    site = tmp_path / "out" / "site"
    with OutputFolder(site) as out:
        with pytest.raises(UnsafeOutputPath):
            out.write(relative, b"x")
        with pytest.raises(UnsafeOutputPath):
            out.open(relative)
        out.write("uk/plain/index.html", b"plain")
        with pytest.raises(UnsafeOutputPath):  # the same path twice
            out.write("uk/plain/index.html", b"again")
        out.commit()
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert files == ["out/.site.lock", "out/site/uk/plain/index.html"]
    assert (site / "uk/plain/index.html").read_bytes() == b"plain"
