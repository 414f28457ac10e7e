"""A problem in a source is a value: where, what (a stable code), how bad, and what to do.

Every message the validator can say is in ``MESSAGES`` below, in Ukrainian and
English, so the handbook can list them all and a test can check both
languages have the same placeholders. What readers of the site see of a warning is
its note, in ``NOTES``: plain words about the document, none about its sources.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Literal

from . import figures

Severity = Literal["error", "warning"]

# code: (severity, Ukrainian, English). Placeholders are str.format fields.
MESSAGES: dict[str, tuple[Severity, str, str]] = {
    # Reading files
    "file-unreadable": ("error", "не вдається прочитати файл ({detail}).", "the file cannot be read ({detail})."),
    "file-too-large": (
        "error",
        "файл завеликий ({size_mb} МБ; найбільше {limit_mb} МБ). Розділіть його або приберіть зайве.",
        "the file is too large ({size_mb} MB; at most {limit_mb} MB). Split it or remove what does not belong.",
    ),
    "section-too-large": (
        "error",
        "розділ завеликий ({size_kb} КБ; найбільше {limit_kb} КБ). Розділіть його на кілька розділів у program.yaml.",
        "the section is too large ({size_kb} KB; at most {limit_kb} KB). Split it into several sections in program.yaml.",
    ),
    "file-not-utf8": (
        "error",
        "файл не в кодуванні UTF-8. Збережіть його як UTF-8 (у VS Code: «Save with Encoding» → UTF-8).",
        "the file is not UTF-8. Save it as UTF-8 (in VS Code: 'Save with Encoding' → UTF-8).",
    ),
    "unsafe-path": (
        "error",
        "«{name}» — посилання (symlink) або шлях поза текою content/; такий файл не читається. Покладіть сюди звичайний файл.",
        "'{name}' is a link (symlink) or leads outside the content folder, so it is not read. Put a plain file here.",
    ),
    "yaml-syntax": (
        "error",
        "помилка синтаксису YAML: {detail}. Перевірте відступи (лише пробіли, не табуляція) і лапки в цьому рядку та вище.",
        "YAML syntax error: {detail}. Check the indentation (spaces, not tabs) and the quotes on this line and above.",
    ),
    "yaml-empty": ("error", "файл порожній.", "the file is empty."),
    "yaml-duplicate-key": (
        "error",
        "ключ «{key}» повторюється (уперше — у рядку {first_line}). Залиште один, інакше одне значення загубиться.",
        "the key '{key}' appears twice (first on line {first_line}). Keep one, or one value would be lost.",
    ),
    "yaml-alias": (
        "error",
        "посилання YAML (& і *) не дозволені. Запишіть значення повністю.",
        "YAML anchors and aliases (& and *) are not allowed. Write the value out in full.",
    ),
    "yaml-too-deep": (
        "error",
        "занадто глибока вкладеність (понад {limit} рівнів).",
        "nesting is too deep (more than {limit} levels).",
    ),
    "yaml-complex-key": (
        "error",
        "ключем може бути лише простий текст.",
        "a key must be plain text.",
    ),
    "yaml-tag": (
        "error",
        "теги YAML ({tag}) не дозволені. Приберіть «!…» перед значенням.",
        "YAML tags ({tag}) are not allowed. Remove the '!…' before the value.",
    ),
    # Shape
    "missing-field": (
        "error",
        "бракує обов'язкового поля «{field}». Додайте його.",
        "the required field '{field}' is missing. Add it.",
    ),
    "unknown-field": (
        "error",
        "невідоме поле «{field}». Перевірте написання; дозволені поля: {allowed}.",
        "unknown field '{field}'. Check the spelling; allowed fields: {allowed}.",
    ),
    "wrong-type": (
        "error",
        "тут очікується {expected}, а записано {got}.",
        "{expected_en} is expected here, but {got_en} is written.",
    ),
    "not-a-slug": (
        "error",
        "«{value}» не підходить як ідентифікатор: лише малі латинські літери, цифри та дефіси, наприклад «e-petitions».",
        "'{value}' is not a valid id: use only lower-case Latin letters, digits and hyphens, e.g. 'e-petitions'.",
    ),
    "bad-choice": (
        "error",
        "«{value}» — не з переліку. Можливі значення: {allowed}.",
        "'{value}' is not one of the allowed values: {allowed}.",
    ),
    "bad-format": (
        "error",
        "«{value}» має неправильний формат: {hint}.",
        "'{value}' has the wrong format: {hint_en}.",
    ),
    "empty-text": ("error", "текст порожній. Впишіть текст або приберіть поле.", "the text is empty. Write it or remove the field."),
    "out-of-bounds": ("error", "значення {value} поза межами: має бути {hint}.", "the value {value} is out of bounds: it must be {hint_en}."),
    # Programs and references
    "program-file-missing": (
        "error",
        "у теці програми немає файлу program.yaml.",
        "the program folder has no program.yaml.",
    ),
    "program-id-unsafe": (
        "error",
        "назва теки «{value}» не підходить як ідентифікатор програми: лише малі латинські літери, цифри, дефіси, і в кінці — роки, наприклад «khmilnytska-2023-2025».",
        "the folder name '{value}' is not a valid program id: lower-case Latin letters, digits and hyphens, ending with the years, e.g. 'khmilnytska-2023-2025'.",
    ),
    "program-id-period": (
        "error",
        "роки в назві теки «{value}» не збігаються з періодом програми {start}–{end}. Перейменуйте теку на «…-{start}-{end}».",
        "the years in the folder name '{value}' differ from the program period {start}–{end}. Rename the folder to '…-{start}-{end}'.",
    ),
    "program-id-transliteration": (
        "warning",
        "ідентифікатор програми «{value}» не відповідає офіційній транслітерації назви громади; очікується «{expected}».",
        "the program id '{value}' does not follow the official transliteration of the hromada's name; expected '{expected}'.",
    ),
    "period-reversed": (
        "error",
        "рік початку {start} пізніше за рік завершення {end}.",
        "the start year {start} is after the end year {end}.",
    ),
    "duplicate-id": (
        "error",
        "ідентифікатор «{value}» уже вжито (рядок {first_line}). Ідентифікатори мають бути різними.",
        "the id '{value}' is already used (line {first_line}). Ids must be unique.",
    ),
    "windows-reserved-id": (
        "error",
        "ідентифікатор «{value}» — зарезервоване ім'я файлу у Windows (CON, NUL, COM1…); з ним не відкриються завантаження. Оберіть інший.",
        "the id '{value}' is a reserved file name on Windows (CON, NUL, COM1…), so its downloads would not open there. Choose another.",
    ),
    "reserved-id": (
        "error",
        "ідентифікатор розділу «{value}» зайнятий адресами сайту ({reserved}). Оберіть інший.",
        "the section id '{value}' is taken by the site's addresses ({reserved}). Choose another.",
    ),
    "unknown-priority": (
        "error",
        "пріоритетного напряму «{value}» немає в program.yaml. Наявні: {allowed}.",
        "there is no priority direction '{value}' in program.yaml. Known: {allowed}.",
    ),
    "unknown-task": (
        "error",
        "завдання «{value}» немає в tasks.yaml.",
        "there is no task '{value}' in tasks.yaml.",
    ),
    "unknown-catalogue-code": (
        "error",
        "індикатора з кодом «{value}» немає в каталозі catalogue.yaml.",
        "there is no indicator with the code '{value}' in catalogue.yaml.",
    ),
    "year-outside-period": (
        "error",
        "рік {year} поза періодом програми {start}–{end}. Виправте рік або період у program.yaml.",
        "the year {year} is outside the program period {start}–{end}. Correct the year, or the period in program.yaml.",
    ),
    "section-file-missing": (
        "error",
        "немає файлу розділу «{name}». Створіть його або приберіть розділ зі списку.",
        "the section file '{name}' is missing. Create it or remove the section from the list.",
    ),
    "section-file-orphan": (
        "warning",
        "файл «{name}» не належить жодному розділу з program.yaml і не буде опублікований.",
        "the file '{name}' belongs to no section in program.yaml and will not be published.",
    ),
    # Figures
    "bad-amount": (
        "error",
        "«{value}» — не сума. Запишіть число в тис. грн (наприклад 8632 або «8 632,5»), «+», «-» або «В межах кошторисних призначень».",
        "'{value}' is not an amount. Write a number in thousand UAH (e.g. 8632 or '8 632,5'), '+', '-' or 'В межах кошторисних призначень'.",
    ),
    "bad-value": (
        "error",
        "«{value}» не підходить для індикатора типу «{kind}»: {hint}.",
        "'{value}' does not fit an indicator of kind '{kind}': {hint_en}.",
    ),
    "bad-change": (
        "error",
        "«{value}» — не динаміка. Запишіть так, як у документі: число зі знаком (наприклад «+53», «0,5», «+20%») або «+».",
        "'{value}' is not a change. Write it as the document does: a signed number (e.g. '+53', '0,5', '+20%') or '+'.",
    ),
    # Warnings readers see as data-quality notes
    "total-mismatch": (
        "warning",
        "{what}: у документі {stated}, а сума складових — {computed} (різниця {difference}).",
        "{what_en}: the document states {stated}, but its parts add up to {computed} (difference {difference}).",
    ),
    "change-mismatch": (
        "warning",
        "динаміка в документі {stated}, а за значеннями ({rule}) виходить {computed}.",
        "the document states a change of {stated}, but the yearly figures ({rule_en}) give {computed}.",
    ),
    "values-missing": (
        "warning",
        "немає значень за {years}.",
        "no values for {years}.",
    ),
    "percent-out-of-range": (
        "warning",
        "відсоток {value} поза межами 0–100.",
        "the percentage {value} is outside 0–100.",
    ),
    "unit-kind-mismatch": (
        "warning",
        "одиниця виміру «{unit}» не відповідає значенням типу «{kind}».",
        "the unit '{unit}' does not match values of kind '{kind}'.",
    ),
    "task-no-responsible": (
        "warning",
        "не вказано відповідальних за виконання. Додайте поле «responsible:»; якщо в документі їх немає, залиште як є.",
        "no body is named as responsible for implementation. Add a 'responsible:' field; if the document names none, leave it.",
    ),
    "task-no-timeframe": ("warning", "не вказано строки виконання. Додайте поле «timeframe:» (наприклад 2025-2027); якщо в документі їх немає, залиште як є.", "no timeframe is given. Add a 'timeframe:' field (e.g. 2025-2027); if the document gives none, leave it."),
    "bad-timeframe": (
        "warning",
        "не вдається прочитати строки «{value}». Запишіть рік або роки, наприклад «2025» чи «2025-2027».",
        "the timeframe '{value}' cannot be read. Write a year or a range, e.g. '2025' or '2025-2027'.",
    ),
    "hromada-name-missing": (
        "warning",
        "не вказано назву громади. Додайте «hromada: name:»; якщо документ її не називає, залиште як є.",
        "the hromada's name is not given. Add 'hromada: name:'; if the document does not name it, leave it.",
    ),
    "english-missing": (
        "warning",
        "англійського перекладу бракує для {missing} з {total} текстів і розділів (перекладено {coverage}%); перший такий — тут. Додайте поле «en:» або файл розділу .en.md.",
        "English is missing for {missing} of {total} texts and sections ({coverage}% translated); the first one is here. Add an 'en:' field or the section's .en.md file.",
    ),
    # Short names
    "short-name-too-long": (
        "error",
        "коротка назва довша за повну (символів: {length} проти {name_length}). Скоротіть її або приберіть поле «short_name:».",
        "the short name is longer than the full name ({length} characters against {name_length}). Shorten it or remove the 'short_name:' field.",
    ),
}

# What a clerk should do about a warning on the document's own figures. Shown
# to clerks after the message; readers of the site see the message alone.
_KEEP = (
    "Якщо так у затвердженому документі, залиште як є: читачі побачать цю примітку.",
    "If the approved document says so, leave it: readers will see this note.",
)
ADVICE: dict[str, tuple[str, str]] = {
    "total-mismatch": _KEEP,
    "change-mismatch": (
        "Перевірте, чи правильно вказано mode (level або increment). " + _KEEP[0],
        "Check that mode (level or increment) is right. " + _KEEP[1],
    ),
    "values-missing": _KEEP,
    "percent-out-of-range": _KEEP,
    "unit-kind-mismatch": _KEEP,
}

# What readers of the site see for a warning: what the document states and what its own figures give,
# never which field or file to edit (that is the clerk's message above). Both languages take the same
# placeholders; note() gives each the language's value (``what_en`` for ``what`` in English) and shows
# numbers in the page's format. A note starts with a capital letter whatever its first placeholder holds.
#
# Not shown to readers (NOT_FOR_READERS), because the page already says it or it is not about the
# document: hromada-name-missing (every heading already reads «Громада не названа в документі»),
# bad-timeframe (the page shows the timeframe exactly as the document writes it), program-id-transliteration
# (the site's address, not the document), section-file-orphan (a file in the sources, not the document),
# english-missing (each untranslated text is marked where it stands). task-no-responsible and
# task-no-timeframe are shown: the page's «значення немає» alone does not say that the document is silent.
NOTES: dict[str, tuple[str, str]] = {
    "total-mismatch": (
        "{what}: у документі — {stated}\u00a0тис. грн, а сума складових — {computed}\u00a0тис. грн.",
        "{what}: the document states {stated}\u00a0thousand UAH, but its parts add up to {computed}\u00a0thousand UAH.",
    ),
    "change-mismatch": (
        "Динаміка: у документі — {stated}, а цільові значення ({rule}) дають {computed}.",
        "Change: the document states {stated}, but the targets ({rule}) give {computed}.",
    ),
    "values-missing": (
        "Цільових значень на {years} у документі немає.",
        "The document gives no targets for {years}.",
    ),
    "percent-out-of-range": (
        "У документі значення {value}%, а відсоток може бути лише від 0 до 100.",
        "The document gives {value}%, but a percentage can only be from 0 to 100.",
    ),
    "unit-kind-mismatch": (
        "Одиниця виміру в документі — «{unit}», а значення записано як {kind}.",
        "The document's unit is '{unit}', but the values are written as {kind}.",
    ),
    "task-no-responsible": (
        "У документі не зазначено відповідальних за виконання цього завдання.",
        "The document does not name who is responsible for this task.",
    ),
    "task-no-timeframe": (
        "У документі не зазначено строків виконання цього завдання.",
        "The document gives no timeframe for this task.",
    ),
}
NOT_FOR_READERS = frozenset({
    "hromada-name-missing", "bad-timeframe", "program-id-transliteration", "section-file-orphan", "english-missing",
})
# Placeholders that hold a number, shown in the page language's format; a stated change keeps its sign and «%».
_NUMBERS = {"total-mismatch": {"stated", "computed", "difference"}, "change-mismatch": {"computed"},
            "percent-out-of-range": {"value"}}
_CHANGES = {"change-mismatch": {"stated"}}
# How the values of an indicator's kind are written, for unit-kind-mismatch.
_KIND_WORDS = {
    "percent": ("відсотки", "percentages"),
    "count": ("кількість", "counts"),
    "boolean": ("«Так» або «Ні»", "Yes or No"),
    "ratio": ("співвідношення", "ratios"),
    "number": ("числа", "numbers"),
}

_TYPE_NAMES = {
    "text": ("текст", "text"),
    "quoted text": (
        "текст (число чи дату, що є текстом, беруть у лапки: \"2025-02-20\")",
        "text (put a number or date meant as text in quotes: \"2025-02-20\")",
    ),
    "number": ("число", "a number"),
    "whole number": ("ціле число", "a whole number"),
    "yes/no": ("true або false", "true or false"),
    "list": ("список (рядки з «- »)", "a list (lines starting with '- ')"),
    "mapping": ("набір полів «назва: значення»", "a set of 'name: value' fields"),
    "bilingual text": ("текст з полями «uk:» та «en:»", "a text with 'uk:' and 'en:' fields"),
    "figure": ("число або текст", "a number or text"),
    "nothing": ("порожнє значення", "an empty value"),
}


def type_name(kind: str, lang: str) -> str:
    uk, en = _TYPE_NAMES.get(kind, (kind, kind))
    return uk if lang == "uk" else en


class _Shown(str):
    """A parameter that was neither text nor a whole number, as the messages showed it."""

    def __format__(self, spec: str) -> str:
        return str(self)


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    code: str
    params: tuple[tuple[str, Any], ...] = field(default=(), compare=False)
    # What the problem is about, for readers' notes: "program", "task:<id>", "indicator:<id>", "priority:<id>".
    subject: str = field(default="", compare=False)

    @classmethod
    def make(cls, path: Path | str, line: int, column: int, code: str, *, subject: str = "", **params: Any) -> "Problem":
        if code not in MESSAGES:
            raise KeyError(f"unknown problem code {code!r}")
        return cls(str(path), line, column, code, tuple(sorted(params.items())), subject)

    @property
    def severity(self) -> Severity:
        return MESSAGES[self.code][0]

    def message(self, lang: str = "uk") -> str:
        """The message for whoever edits the source: what is wrong and what to do."""
        advice = ADVICE.get(self.code)
        statement = self.statement(lang)
        return f"{statement} {advice[0 if lang == 'uk' else 1]}" if advice else statement

    @property
    def for_readers(self) -> bool:
        """Whether the site shows this problem to readers, as a data-quality note."""
        return self.code in NOTES

    def note(self, lang: str, number: Callable[[Decimal, str], str]) -> str:
        """The data-quality note readers see, its numbers written by ``number`` (the pages' format_number)."""
        params = dict(self.params)
        shown: dict[str, Any] = {}
        for name, value in params.items():
            if name.endswith("_en") and name[:-3] in params:
                continue
            if lang != "uk" and f"{name}_en" in params:
                value = params[f"{name}_en"]
            if name in _CHANGES.get(self.code, ()):
                value = _change_text(value, lang, number)
            elif name in _NUMBERS.get(self.code, ()):
                value = _number_text(value, lang, number)
            elif name == "kind" and self.code == "unit-kind-mismatch":
                words = _KIND_WORDS.get(str(value))
                value = words[0 if lang == "uk" else 1] if words else value
            shown[name] = value
        text = NOTES[self.code][0 if lang == "uk" else 1].format(**shown)
        return text[:1].upper() + text[1:]

    def statement(self, lang: str = "uk") -> str:
        """What is wrong, without advice: what the validator says before its advice."""
        _, uk, en = MESSAGES[self.code]
        params = dict(self.params)
        # Some messages take a separately translated phrase: `what` / `what_en`.
        for name in list(params):
            if not name.endswith("_en") and f"{name}_en" not in params:
                params[f"{name}_en"] = params[name]
        return (uk if lang == "uk" else en).format(**params)

    def as_text(self, lang: str = "uk") -> str:
        label = {"uk": {"error": "помилка", "warning": "попередження"}, "en": {"error": "error", "warning": "warning"}}
        return f"{self.path}:{self.line}:{self.column}: {label[lang][self.severity]}: {self.message(lang)} [{self.code}]"

    def as_github(self, lang: str = "uk") -> str:
        # Workflow commands: the message must have %, CR and LF escaped.
        message = self.message(lang).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        path = self.path.replace("%", "%25").replace(",", "%2C").replace(":", "%3A")
        return f"::{self.severity} file={path},line={self.line},col={self.column},title={self.code}::{message}"

    def plain(self, folder: str) -> list[Any]:
        """As JSON, its path relative to ``folder`` (a program's, whose problems an incremental build
        reports again without checking it again): see from_plain."""
        path = self.path[len(folder) + 1:] if self.path.startswith(folder + os.sep) else self.path
        params = [[name, value] if isinstance(value, (str, int)) and not isinstance(value, bool) else [name, [format(value, "")]]
                  for name, value in self.params]
        return [path, self.line, self.column, self.code, params, self.subject]

    @classmethod
    def from_plain(cls, plain: list[Any], folder: str) -> "Problem":
        """What ``plain`` gave; a value of another type than str or int comes back as the text it showed as."""
        path, line, column, code, params, subject = plain
        if not (isinstance(path, str) and isinstance(line, int) and isinstance(column, int) and code in MESSAGES
                and isinstance(subject, str) and all(isinstance(name, str) for name, _ in params)):
            raise ValueError(f"not a problem: {plain!r}"[:200])
        values = tuple((name, value if isinstance(value, (str, int)) else _Shown(value[0])) for name, value in params)
        return cls(path if os.path.isabs(path) else os.path.join(folder, path), line, column, code, values, subject)

    def as_dict(self, lang: str = "uk") -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message(lang),
        }


def _number_text(value: Any, lang: str, number: Callable[[Decimal, str], str]) -> str:
    """A number a check wrote as plain text («-1», «0.55»), in the page language's format."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return number(amount, lang) if amount.is_finite() else str(value)


def _change_text(value: Any, lang: str, number: Callable[[Decimal, str], str]) -> str:
    """A change as the document states it («+1,5%»), in the page language's format, its sign and «%» kept."""
    change = figures.parse_change(value if isinstance(value, (int, Decimal)) else str(value))
    if change is None or change.amount is None:
        return str(value)
    sign = "+" if change.amount > 0 and str(value).lstrip().startswith("+") else ""
    return f"{sign}{number(change.amount, lang)}{'%' if change.percent else ''}"


def summary(problems: list[Problem], lang: str = "uk") -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    files = len({p.path for p in problems})
    if lang == "uk":
        return (
            f"{errors} {_uk_plural(errors, 'помилка', 'помилки', 'помилок')}, "
            f"{warnings} {_uk_plural(warnings, 'попередження', 'попередження', 'попереджень')} "
            f"у {files} {_uk_plural(files, 'файлі', 'файлах', 'файлах')}"
        )
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} in {files} file{'s' * (files != 1)}"


def _uk_plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def to_json(problems: list[Problem], lang: str = "uk") -> str:
    return json.dumps([p.as_dict(lang) for p in problems], ensure_ascii=False, indent=2)
