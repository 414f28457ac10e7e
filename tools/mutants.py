"""A small mutation check: does the test suite catch a deliberate one-line bug where users would be hurt?

Each mutant replaces one line of the generator (found by its text, exactly once) in a throw-away copy of
the repository, runs the tests that guard that behaviour, and counts the mutant as killed when they fail.
The working tree is never touched. Run by hand, from the repository's root, after `make test` set up .venv:

    .venv/bin/python tools/mutants.py            # every mutant
    .venv/bin/python tools/mutants.py formula    # those whose name contains "formula"

It prints a line per mutant and the score; the exit code is 1 when a mutant survived or a mutant no longer
applies (the line it changes was edited: update its text here). See docs/testing.md.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    line: str  # the text to replace: must occur exactly once in the file
    mutated: str
    tests: tuple[str, ...]  # pytest node ids or files that must catch it


MUTANTS = (
    # Sums: a total the reader sees, one amount short.
    Mutant("sums: one amount left out of a total", "generator/figures.py",
           "return sum(amounts, Decimal(0)) if amounts else None",
           "return sum(amounts[1:], Decimal(0)) if amounts else None",
           ("tests/test_broken_sources.py", "tests/test_figures.py")),
    # The change check: a stated fall where the figures rise is a defect.
    Mutant("change check: the sign ignored", "generator/checks.py",
           "if computed is None or computed == change.amount:",
           "if computed is None or abs(computed) == abs(change.amount):",
           ("tests/test_broken_sources.py",)),
    Mutant("change check: increments taken as levels", "generator/figures.py",
           "if mode is ValueMode.increment:",
           "if mode is not ValueMode.increment:",
           ("tests/test_broken_sources.py",)),
    # Spreadsheet safety: a text cell must never run as a formula.
    Mutant("formula: no apostrophe before a formula", "generator/export.py",
           """        return "'" + value""",
           "        return value",
           ("tests/test_hostile.py::test_a_text_that_starts_like_a_formula_never_runs_in_any_csv",)),
    Mutant("formula: spaces and control characters before = not passed over", "generator/export.py",
           "value[_LEADING_BLANKS.match(value).end():][:1] in _FORMULA_STARTS",
           "value.lstrip(' ')[:0] in _FORMULA_STARTS[:0]",
           ("tests/test_hostile.py::test_a_text_that_starts_like_a_formula_never_runs_in_any_csv",)),
    Mutant("formula: @ not a formula's start", "generator/export.py",
           '_FORMULA_STARTS = ("=", "+", "-", "−", "@",',
           '_FORMULA_STARTS = ("=", "+", "-", "−",',
           ("tests/test_hostile.py::test_a_text_that_starts_like_a_formula_never_runs_in_any_csv",)),
    # Escaping: content is untrusted.
    Mutant("escaping: pages not escaped", "generator/render.py",
           "autoescape=True",
           "autoescape=False",
           ("tests/test_hostile.py::test_no_payload_in_any_text_field_or_markdown_can_run",)),
    Mutant("escaping: raw HTML in Markdown", "generator/render.py",
           '"html": False',
           '"html": True',
           ("tests/test_hostile.py::test_no_payload_in_any_text_field_or_markdown_can_run",)),
    # The output's commit: readers see the old output or the new, never neither.
    Mutant("atomic commit: delete, then rename", "generator/write.py",
           "if self.target.exists() and exchange(self.staging, self.target):",
           "if self.target.exists() and (shutil.rmtree(self.target) or self.staging.rename(self.target) or True):",
           ("tests/test_hostile.py::test_at_every_step_of_a_commit_readers_see_the_previous_output_or_the_new_never_neither_or_a_mix",)),
    Mutant("atomic commit: a half-done commit not undone", "generator/write.py",
           "            self.previous.rename(self.target)",
           "            pass",
           ("tests/test_hostile.py::test_where_no_atomic_exchange_exists_a_commit_stopped_halfway_is_undone_by_the_next_build",)),
    # Foreign keys: a package's tables must say how they join.
    Mutant("foreign keys: not declared", "generator/datapackage.py",
           "        if self.foreign_keys:",
           "        if False:",
           ("tests/test_datapackages.py",)),
)


def _copy_of_the_repository(into: Path) -> Path:
    """The files git tracks (and untracked ones it does not ignore), as they are in the working tree."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    copy = into / "repository"
    for relative in filter(None, listed):
        source = ROOT / relative
        if source.is_file():
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / relative)
    return copy


def _tests_pass(copy: Path, tests: tuple[str, ...]) -> tuple[bool, float]:
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                            cwd=copy, capture_output=True, text=True, env=_environment(copy))
    if result.returncode not in (0, 1):  # 5: no test ran; 2-4: pytest could not run them
        raise SystemExit(f"pytest could not run {tests}: exit {result.returncode}\n{result.stdout[-2000:]}")
    return result.returncode == 0, time.monotonic() - start


def _environment(copy: Path) -> dict[str, str]:
    import os

    # The copy's generator, not the one the virtual environment has installed from the working tree.
    return {**os.environ, "PYTHONPATH": str(copy), "HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "ci")}


def main(arguments: list[str]) -> int:
    chosen = [m for m in MUTANTS if not arguments or any(word in m.name for word in arguments)]
    with tempfile.TemporaryDirectory(prefix="mutants-") as folder:
        copy = _copy_of_the_repository(Path(folder))
        imported = subprocess.run([sys.executable, "-c", "import generator; print(generator.__file__)"], cwd=copy,
                                  capture_output=True, text=True, env=_environment(copy), check=True).stdout.strip()
        assert Path(imported).is_relative_to(copy), f"the tests would import {imported}, not the copy"
        killed, broken = 0, 0
        for mutant in chosen:
            path = copy / mutant.file
            original = path.read_text(encoding="utf-8")
            if original.count(mutant.line) != 1:
                print(f"STALE     {mutant.name}: {mutant.line!r} is in {mutant.file} {original.count(mutant.line)} times")
                broken += 1
                continue
            passed, _ = _tests_pass(copy, mutant.tests)
            if not passed:
                print(f"BROKEN    {mutant.name}: its tests fail without the mutation")
                broken += 1
                continue
            path.write_text(original.replace(mutant.line, mutant.mutated), encoding="utf-8")
            try:
                survived, seconds = _tests_pass(copy, mutant.tests)
            finally:
                path.write_text(original, encoding="utf-8")
            killed += not survived
            print(f"{'SURVIVED' if survived else 'killed  '}  {mutant.name} ({seconds:.0f} s: {' '.join(mutant.tests)})")
    print(f"score: {killed} of {len(chosen)} mutants killed" + (f"; {broken} could not be run" if broken else ""))
    return 0 if killed == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
