"""Data-quality notes in readers' words: what the document states and what its own figures give, in the
page's language and number format, once per defect; never what a clerk should edit."""

from __future__ import annotations

import string

import pytest

from generator.assemble import _notes_by_subject
from generator.problems import MESSAGES, NOT_FOR_READERS, NOTES, Problem
from generator.render import format_number

NBSP = "\u00a0"
# A typical problem of each code that readers see, and its note in Ukrainian and in English.
CASES = {
    "total-mismatch": (
        dict(what="підсумок рядка «бюджет громади»", what_en="the total of the row 'hromada budget'",
             stated="8632.5", computed="8633", difference="-0.5"),
        f"Підсумок рядка «бюджет громади»: у документі — 8{NBSP}632,5{NBSP}тис. грн, "
        f"а сума складових — 8{NBSP}633{NBSP}тис. грн.",
        f"The total of the row 'hromada budget': the document states 8,632.5{NBSP}thousand UAH, "
        f"but its parts add up to 8,633{NBSP}thousand UAH.",
    ),
    "change-mismatch": (
        dict(stated="+1 500,5%", computed="12500.25", rule="останнє значення мінус базове",
             rule_en="the last target minus the baseline"),
        f"Динаміка: у документі — +1{NBSP}500,5%, а цільові значення (останнє значення мінус базове) "
        f"дають 12{NBSP}500,25.",
        "Change: the document states +1,500.5%, but the targets (the last target minus the baseline) give 12,500.25.",
    ),
    "values-missing": (
        dict(years="2024, 2025"),
        "Цільових значень на 2024, 2025 у документі немає.",
        "The document gives no targets for 2024, 2025.",
    ),
    "percent-out-of-range": (
        dict(value="1250.5"),
        f"У документі значення 1{NBSP}250,5%, а відсоток може бути лише від 0 до 100.",
        "The document gives 1,250.5%, but a percentage can only be from 0 to 100.",
    ),
    "unit-kind-mismatch": (
        dict(unit="%", kind="boolean"),
        "Одиниця виміру в документі — «%», а значення записано як «Так» або «Ні».",
        "The document's unit is '%', but the values are written as Yes or No.",
    ),
    "task-no-responsible": (
        {},
        "У документі не зазначено відповідальних за виконання цього завдання.",
        "The document does not name who is responsible for this task.",
    ),
    "task-no-timeframe": (
        {},
        "У документі не зазначено строків виконання цього завдання.",
        "The document gives no timeframe for this task.",
    ),
}
WARNINGS = {code for code, (severity, _, _) in MESSAGES.items() if severity == "warning"}


def _problem(code: str, subject: str = "indicator:x", line: int = 1, **params: object) -> Problem:
    return Problem.make("content/x-2025-2027/indicators.yaml", line, 1, code, subject=subject, **params)


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_note_says_in_plain_words_what_the_document_states(code: str) -> None:
    params, uk, en = CASES[code]
    problem = _problem(code, **params)
    assert problem.note("uk", format_number) == uk
    assert problem.note("en", format_number) == en
    # An incremental build reports a program's problems again from their plain form: the notes do not change.
    again = Problem.from_plain(problem.plain("content/x-2025-2027"), "content/x-2025-2027")
    assert [again.note(lang, format_number) for lang in ("uk", "en")] == [uk, en]


def test_every_warning_has_a_readers_wording_or_is_shown_to_no_reader() -> None:
    assert set(CASES) == set(NOTES), "each reader's wording has a test above"
    assert set(NOTES) | NOT_FOR_READERS == WARNINGS
    assert not set(NOTES) & NOT_FOR_READERS
    for code in WARNINGS:
        assert _problem(code).for_readers is (code in NOTES), code


@pytest.mark.parametrize("code", sorted(NOTES))
def test_both_languages_of_a_note_take_the_same_placeholders(code: str) -> None:
    uk, en = NOTES[code]
    fields = [{name for _, name, _, _ in string.Formatter().parse(text) if name} for text in (uk, en)]
    assert fields[0] == fields[1], code
    # Each placeholder is one the check gives (for either language).
    _, clerk_uk, clerk_en = MESSAGES[code]
    given = {name for text in (clerk_uk, clerk_en) for _, name, _, _ in string.Formatter().parse(text) if name}
    assert fields[0] <= {name.removesuffix("_en") for name in given}, code


@pytest.mark.parametrize("code", sorted(NOTES))
def test_no_note_tells_the_reader_what_to_edit(code: str) -> None:
    for text in NOTES[code]:
        for word in ("Додайте", "Запишіть", "Add ", "Write ", "поле", "field", ".yaml", ".md", "«timeframe", "'responsible"):
            assert word not in text, (code, word)


def _notes(problems: list[Problem]) -> list[str]:
    return [f"{p.subject} {p.code} {p.line}" for found in _notes_by_subject(problems).values()
            for p in found]


def test_a_slip_the_document_carries_from_row_to_row_is_one_note() -> None:
    """As in Kremenchuk's program: a task's 14 + 18 + 18 stated as 49 makes «усі джерела» and «бюджет громади»
    of the program's totals each 1 short of their years; one note says it. Another slip on the page, or the
    same slip on another page, keeps its own note."""
    def total(subject: str, line: int, row: str, stated: str, computed: str, difference: str) -> Problem:
        return _problem("total-mismatch", subject, line, what=f"підсумок рядка «{row}»", what_en=f"the total of the row '{row}'",
                        stated=stated, computed=computed, difference=difference)

    problems = [
        total("program", 97, "усі джерела", "69682", "69683", "-1"),
        total("program", 100, "бюджет громади", "62863", "62864", "-1"),
        total("program", 104, "інші джерела", "6819", "6821", "-2"),
        total("priority:a", 92, "бюджет громади", "349", "350", "-1"),
    ]
    assert _notes(problems) == ["program total-mismatch 97", "program total-mismatch 104", "priority:a total-mismatch 92"]


def test_what_readers_are_not_shown_is_no_note() -> None:
    problems = [_problem("hromada-name-missing", "program"), _problem("section-file-orphan", "program", name="sections/x.md"),
                _problem("english-missing", "program", missing=1, total=2, coverage=50),
                _problem("task-no-timeframe", "task:a")]
    assert _notes(problems) == ["task:a task-no-timeframe 1"]
