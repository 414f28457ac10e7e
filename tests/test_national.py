"""The national corpus path, at a size CI can afford: generator, validation, build, packages."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import weakref
from pathlib import Path
from typing import Callable

import pytest
from frictionless import validate as frictionless_validate

from generator.build import build
from generator.synthetic import write_corpus
from generator.validate import Corpus, ProgramSource, check, validate

from .conftest import CONTENT, ROOT


def test_a_small_synthetic_corpus_builds_through_the_national_path(tmp_path: Path) -> None:
    ids = write_corpus(CONTENT, tmp_path / "content", 20, seed=7)
    assert len(ids) == len(set(ids)) == 20
    corpus = validate(tmp_path / "content")
    assert not corpus.has_errors, [p.as_text("en") for p in corpus.problems if p.severity == "error"][:5]
    for program in corpus.programs:
        assert 30 <= len(program.indicators) <= 60 and 15 <= len(program.tasks) <= 40
        narrative = sum(len(text.encode("utf-8")) for texts in program.sections.values() for lang, text in texts.items()
                        if lang == "uk")
        assert 4_000 <= narrative <= 40_000
        assert all("en" in texts for texts in program.sections.values())
    kinds = {i.kind.value for p in corpus.programs for i in p.indicators}
    assert {"percent", "count", "boolean"} <= kinds
    result = build(tmp_path / "content", tmp_path / "site", search=False, packages_out=tmp_path / "datapackages")
    assert result.built and result.pages > 20 * 100
    report = frictionless_validate(str(tmp_path / "datapackages" / "all" / "datapackage.json"))
    assert report.valid, [e.note for t in report.tasks for e in t.errors][:5]
    programs = json.loads((tmp_path / "datapackages" / "all" / "datapackage.json").read_text(encoding="utf-8"))
    assert len(programs["sources"]) == 20


def test_the_synthetic_corpus_is_deterministic(tmp_path: Path) -> None:
    write_corpus(CONTENT, tmp_path / "a", 5, seed=3)
    write_corpus(CONTENT, tmp_path / "b", 5, seed=3)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)


def test_the_national_benchmark_runs_and_judges_every_target(tmp_path: Path) -> None:
    """The performance guard itself works: on a small corpus it builds, rebuilds after a change, and gives
    each target a verdict; the rebuild renders only the program that changed."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "national.py"), "--programs", "12", "--runs", "1",
         "--keep", str(tmp_path / "bench")],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stderr
    verdicts = [line for line in result.stdout.splitlines() if "meets target" in line or "MISSES target" in line]
    assert len(verdicts) >= 6 and all(re.search(r"\d", line) for line in verdicts), result.stdout
    assert "(11 programs reused;" in result.stdout, result.stdout


def test_there_are_names_and_ids_for_every_hromada_of_ukraine() -> None:
    from generator.synthetic import hromada_names, program_id

    names = hromada_names(1469)
    assert len(set(names)) >= 1469
    ids = {program_id(name, 2026, 2028) for name in names}
    assert len(ids) == len(names)  # no two hromadas' folders would collide


def test_a_program_checked_in_a_worker_arrives_with_every_value_as_stated(tmp_path: Path) -> None:
    """Workers hand programs over as plain data validated again: nothing may change on the way, not even "5.0"."""
    write_corpus(CONTENT, tmp_path / "content", 6, seed=3)
    stated = []
    for content in (CONTENT, tmp_path / "content"):
        alone = validate(content, workers=1)
        shared = validate(content, workers=2)
        assert [p.id for p in alone.programs] == [p.id for p in shared.programs]
        assert alone.problems == shared.problems
        for program, received in zip(alone.programs, shared.programs):
            for sent in (received, ProgramSource.from_plain(program.plain())):
                # repr: Decimal("5.0") == Decimal("5") and "5.0" dumps to JSON as the Decimal does
                assert repr(sent.program.model_dump()) == repr(program.program.model_dump())
                assert [repr(t.model_dump()) for t in sent.tasks] == [repr(t.model_dump()) for t in program.tasks]
                assert ([repr(i.model_dump()) for i in sent.indicators]
                        == [repr(i.model_dump()) for i in program.indicators])
                assert (sent.id, sent.folder, sent.sections, sent.files) == (
                    program.id, program.folder, program.sections, program.files)
        stated += [row.total for p in alone.programs for t in p.tasks for row in t.funding]
    assert any(str(total).endswith(".0") for total in stated)  # the case a careless round trip would lose


def _while_assembling(monkeypatch: pytest.MonkeyPatch, look: Callable[[Corpus], object]) -> list[object]:
    """What ``look`` sees of the corpus in the middle of each build (when it assembles the site), in a list."""
    from generator import build as build_module
    seen: list[object] = []
    real = build_module.assemble

    def assemble(corpus):  # noqa: ANN001, ANN202 - a probe around the real stage
        seen.append(look(corpus))
        return real(corpus)

    monkeypatch.setattr(build_module, "assemble", assemble)
    return seen


def test_a_build_holds_one_program_at_a_time_and_nothing_of_an_earlier_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A national corpus is never in memory whole: each program is read, checked, rendered and let
    go before the next (held whole in the main process and shared with the workers, 1,469 programs
    took 1.7 GiB in all). And the preview server builds again and again in one process: what a
    build left in reference cycles must be gone before the next one grows its heap."""
    count = 16
    write_corpus(CONTENT, tmp_path / "content", count, seed=5)
    options = {"packages_out": tmp_path / "datapackages", "search": False, "workers": 1, "incremental": False}
    earlier: list[weakref.ref] = []

    def look(corpus: Corpus) -> tuple[int, int]:
        """How many programs are assembled at once, and how many assembled before are still alive."""
        alive = sum(ref() is not None for ref in earlier)
        earlier.extend(weakref.ref(program.program) for program in corpus.programs)
        return len(corpus.programs), alive

    seen = _while_assembling(monkeypatch, look)
    first = build(tmp_path / "content", tmp_path / "site", **options)
    assert first.built and not first.corpus.programs
    del first
    assert build(tmp_path / "content", tmp_path / "site", **options).built
    assert [assembled for assembled, _ in seen] == [1] * 2 * count
    assert all(alive == 0 for _, alive in seen), seen  # each program let go before the next


# A build in a process of its own, which reports its peak of memory as the kernel keeps it (VmHWM: ru_maxrss
# would count what the process that started it held before exec, here the test run's).
_MEASURED_BUILD = """
import sys
from pathlib import Path
from generator.build import build
result = build(Path(sys.argv[1]), Path(sys.argv[2]), workers=1, search=False, incremental=False)
assert result.built
with open("/proc/self/status", encoding="ascii") as status:
    print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024)
"""


def test_a_builds_memory_does_not_grow_with_the_number_of_programs(tmp_path: Path) -> None:
    """A national corpus is never in memory whole: one process building 36 programs peaks within 25 MiB of
    one building 4 (seen: 10 MiB more). Held whole, programs take over a MiB each (1.7 GiB for 1,469)."""
    peaks = {}
    for count in (4, 36):
        write_corpus(CONTENT, tmp_path / f"content-{count}", count, seed=5)
        result = subprocess.run([sys.executable, "-c", _MEASURED_BUILD, str(tmp_path / f"content-{count}"),
                                 str(tmp_path / f"out-{count}" / "site")], cwd=ROOT, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stderr
        peaks[count] = float(result.stdout)
    assert peaks[36] - peaks[4] < 25, peaks
    assert peaks[36] < 256, peaks


def test_checking_a_corpus_holds_one_program_at_a_time_and_finds_all_that_validate_finds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`generator validate` needs the problems, not the programs: kept, a national corpus's 1,469
    programs took 621 MiB at once. Each must be let go as soon as it is checked, and what is reported,
    in one process or two, must be exactly what ``validate`` finds."""
    from generator import validate as validate_module

    content = tmp_path / "content"
    ids = write_corpus(CONTENT, content, 12, seed=4)
    broken = content / ids[5] / "indicators.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("unit:", "unit: [", 1), encoding="utf-8")
    found = validate(content, workers=1).problems
    assert any(p.severity == "error" and p.path.endswith(f"{ids[5]}/indicators.yaml") for p in found)
    expected = [p.as_text("en") for p in found]
    checked: list[weakref.ref] = []
    alive: list[int] = []  # as each program's check begins, how many checked before it are still in memory
    real = validate_module.check_program

    def check_program(folder, codes):  # noqa: ANN001, ANN202 - a probe around the real check
        alive.append(sum(ref() is not None for ref in checked))
        source, problems = real(folder, codes)
        if source is not None:
            checked.append(weakref.ref(source))
        return source, problems

    monkeypatch.setattr(validate_module, "check_program", check_program)
    assert [p.as_text("en") for p in check(content, workers=1)] == expected
    assert len(checked) > 0 and alive == [0] * 12, alive
    monkeypatch.undo()
    assert [p.as_text("en") for p in check(content, workers=2)] == expected


def test_a_source_error_in_one_program_of_many_stops_the_build_with_every_problem_reported(tmp_path: Path) -> None:
    """Programs are checked where they are rendered, in the workers: an error in one must still
    leave the previous output whole, and the problems of every program must still be reported,
    exactly those the validator finds."""
    content = tmp_path / "content"
    ids = write_corpus(CONTENT, content, 8, seed=3)
    options = {"packages_out": tmp_path / "datapackages", "search": False, "workers": 2}
    first = build(content, tmp_path / "site", **options)
    assert first.built
    # The build's processes together: each worker's peak and the main process's, not the largest alone.
    assert first.memory > max(first.peaks.values())
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*")
              if p.is_file() and content not in p.parents}
    broken = content / ids[3] / "tasks.yaml"
    # The biggest program by far, so that a worker takes it first and the rest are checked after its error.
    broken.write_text(broken.read_text(encoding="utf-8").replace("priority:", "priority: [", 1)
                      + "# " + "x" * 500_000 + "\n", encoding="utf-8")
    for incremental in (True, False):
        result = build(content, tmp_path / "site", incremental=incremental, **options)
        assert not result.built
        expected = validate(content, workers=1).problems
        assert any(p.severity == "error" for p in expected)
        assert [(p.path, p.line, p.column, p.code, p.severity) for p in result.corpus.problems] == \
            [(p.path, p.line, p.column, p.code, p.severity) for p in expected]
        after = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*")
                 if p.is_file() and content not in p.parents}
        assert after == before
