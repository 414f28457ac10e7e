"""Scaffold a new program folder: every file commented, valid from the start."""

from __future__ import annotations

from pathlib import Path

from .model import slug

PROGRAM = """\
# yaml-language-server: $schema=../../schemas/program.schema.json
# Паспорт програми. Ukrainian (uk) is the approved text; English (en) is an unofficial translation.
# Повний опис полів: docs/ (посібник) або generator/model.py.
title:
  uk: Програма інформатизації {genitive} територіальної громади на {start}-{end} роки
  # en: Program of Informatization of ... hromada for {start}-{end}
period: {{start: {start}, end: {end}}}  # роки дії програми
hromada:
  name: {{uk: {name}}}  # повна назва громади
  short_name: {{uk: {short}}}  # з неї утворено ідентифікатор теки: {program_id}
  type: {type}  # city | settlement | village
  # oblast: {{uk: ... область, en: ... oblast}}
  # katottg: UA00000000000000000   # код за КАТОТТГ: «UA» і 17 цифр
passport:
  # approval: {{body: {{uk: ...}}, date: "2026-02-20", number: "..."}}   # рішення про затвердження
  # head: {{uk: ...}}            # керівник програми
  # developer: {{uk: ...}}       # розробник програми
  # responsible: {{uk: ...}}     # відповідальні за виконання
  # purpose: {{uk: ...}}         # мета програми
  # funding:                   # «Джерела та обсяги фінансування», як у паспорті
  #   rows:
  #     - source: all          # all | state | oblast | raion | local | other
  #       years: {{{start}: "1 000,0"}}
  #       total: "1 000,0"
sections:                      # розділи; текст — у sections/<id>.uk.md (і .en.md)
  - id: general-provisions
    title: {{uk: Загальні положення, en: General provisions}}
priorities:                    # пріоритетні напрями (і піднапрями, якщо є)
  - id: digital-governance
    number: "1"
    name:
      uk: Цифрова трансформація органу місцевого самоврядування
      en: Digital transformation of local government
    # subdirections:
    #   - {{id: e-services, number: "1.1", name: {{uk: ...}}}}
    # stated_totals:           # «Всього за напрямом», як у документі
    #   - {{source: all, years: {{{start}: 100}}, total: 100}}
# stated_totals:               # «Всього за програмою», як у документі
#   - {{source: all, years: {{{start}: 100}}, total: 100}}
"""

TASKS = """\
# yaml-language-server: $schema=../../schemas/tasks.schema.json
# Додаток 1: завдання, проєкти та роботи. Записуйте числа так, як їх затвердила рада.
tasks: []
# Приклад одного завдання (приберіть «#» і «tasks: []» вище):
# tasks:
#   - id: edms-rollout                    # латиницею, малими літерами, через дефіс
#     priority: digital-governance        # ідентифікатор напряму з program.yaml
#     number: "1"
#     measure: {{uk: Назва заходу}}
#     name: {{uk: "Назва проєкту, робіт з інформатизації"}}   # текст з комою — у лапках
#     responsible: {{uk: Виконавчий комітет}}
#     timeframe: {start}-{end}
#     expected_results: {{uk: "Очікувані результати"}}
#     funding:
#       - source: local                   # all | state | oblast | raion | local | other
#         years: {{{start}: "8 632,5", {next}: "+", {end}: "В межах кошторисних призначень"}}
#         total: "8 632,5"                # разом, як у документі
"""

INDICATORS = """\
# yaml-language-server: $schema=../../schemas/indicators.schema.json
# Додаток 2: індикатори.
indicators: []
# Приклад одного індикатора:
# indicators:
#   - id: e-petition-authors
#     priority: digital-governance
#     # task: edms-rollout                 # завдання, яке вимірює індикатор
#     # catalogue: e-petition-signers-share  # код стандартного індикатора з content/catalogue.yaml
#     name: {{uk: "Кількість жителів, які подавали електронні петиції"}}
#     unit: {{uk: осіб, en: persons}}
#     kind: count                         # percent | count | boolean | ratio | number
#     mode: increment                     # level (рівні) | increment (щорічні прирости)
#     baseline: 0                         # за рік до початку програми
#     targets: {{{start}: 2, {next}: 3, {end}: 4}}
#     change: "+9"                        # «Динаміка» — точно як у документі
"""

SECTION = """\
Текст розділу «Загальні положення». Пишіть звичайний текст; для списків
починайте рядок з «- », для підзаголовків — з «## ».
"""


def program_id(short_name: str, start: int, end: int) -> str:
    return f"{slug(short_name)}-{start}-{end}"


def scaffold(content: Path, short_name: str, name: str, kind: str, start: int, end: int) -> Path:
    """Write the new folder and return it. Refuses to overwrite anything."""
    identifier = program_id(short_name, start, end)
    folder = content / identifier
    if folder.exists():
        raise FileExistsError(folder)
    genitive = short_name[:-1] + "ої" if short_name.endswith("а") else short_name
    values = {"start": start, "end": end, "next": min(start + 1, end), "name": name, "short": short_name,
              "type": kind, "program_id": identifier, "genitive": genitive}
    (folder / "sections").mkdir(parents=True)
    (folder / "program.yaml").write_text(PROGRAM.format(**values), encoding="utf-8")
    (folder / "tasks.yaml").write_text(TASKS.format(**values), encoding="utf-8")
    (folder / "indicators.yaml").write_text(INDICATORS.format(**values), encoding="utf-8")
    (folder / "sections" / "general-provisions.uk.md").write_text(SECTION, encoding="utf-8")
    return folder
