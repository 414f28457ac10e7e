"""A synthetic national corpus, deterministic from a seed, for benchmarks and scale tests.

Programs are drawn from the five real ones: their indicators (and the
catalogue), their tasks and funding patterns, and their narrative sections in
both languages, recombined under made-up hromada names. Nothing here is
published; the benchmark writes the corpus to a temporary folder.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .new import program_id

PREFIXES = ["", "Ново", "Старо", "Велико", "Мало", "Верхньо", "Нижньо", "Біло", "Червоно", "Зелено", "Кам'янсько",
            "Лозово"]
ROOTS = [
    "Василів", "Петрів", "Іванів", "Михайлів", "Олександрів", "Степанів", "Миколаїв", "Григорів", "Андріїв",
    "Семенів", "Федорів", "Тарасів", "Богданів", "Ярославів", "Остапів", "Романів", "Дмитрів", "Сергіїв",
    "Костянтинів", "Павлів", "Борисів", "Вікторів", "Юріїв", "Левків", "Максимів", "Антонів", "Назарів",
    "Захарів", "Кирилів", "Леонів", "Марків", "Онуфріїв", "Прохорів", "Савів", "Тимофіїв", "Устимів",
    "Харитонів", "Яковів", "Гнатів", "Данилів", "Єгорів", "Зиновіїв", "Климів", "Лукашів", "Мартинів",
    "Нестерів", "Олексіїв", "Панасів", "Русанів", "Сидорів", "Трохимів", "Фомів", "Хомів", "Юхимів",
    "Берез", "Дубів", "Ясенів", "Вишнев", "Калинів", "Липів", "Соснів", "Яблунів", "Грушів", "Вербів",
    "Озерн", "Річн", "Ставків", "Криничан", "Джерелян", "Лугів", "Степов", "Польов", "Гаїв", "Лісов",
    "Горбів", "Долинів", "Ярів", "Балків", "Кручів", "Скелів", "Піщан", "Глинян", "Кам'ян", "Залізн",
    "Мідян", "Срібнян", "Золотонів", "Соколів", "Орлів", "Лебедів", "Журавлів", "Голубів", "Вовчан",
    "Лисян", "Ведмедів", "Бобрів", "Зайців", "Козлів", "Биків", "Коровів", "Конів", "Вівсян", "Житнян",
    "Пшеничан", "Гречан", "Просян", "Маків", "Льонів", "Коноплян", "Медів", "Воскрес", "Покров", "Святогір",
    "Троїц", "Успен", "Преображен", "Благовіщен", "Різдвян", "Хрестів", "Дзвонів", "Свічан", "Калинан",
    "Ожинів", "Чорничан", "Тернів", "Шипшинів",
]
OBLASTS = [
    ("Вінницька область", "Vinnytsia oblast"), ("Волинська область", "Volyn oblast"),
    ("Дніпропетровська область", "Dnipropetrovsk oblast"), ("Житомирська область", "Zhytomyr oblast"),
    ("Закарпатська область", "Zakarpattia oblast"), ("Запорізька область", "Zaporizhzhia oblast"),
    ("Івано-Франківська область", "Ivano-Frankivsk oblast"), ("Київська область", "Kyiv oblast"),
    ("Кіровоградська область", "Kirovohrad oblast"), ("Львівська область", "Lviv oblast"),
    ("Миколаївська область", "Mykolaiv oblast"), ("Одеська область", "Odesa oblast"),
    ("Полтавська область", "Poltava oblast"), ("Рівненська область", "Rivne oblast"),
    ("Сумська область", "Sumy oblast"), ("Тернопільська область", "Ternopil oblast"),
    ("Харківська область", "Kharkiv oblast"), ("Херсонська область", "Kherson oblast"),
    ("Хмельницька область", "Khmelnytskyi oblast"), ("Черкаська область", "Cherkasy oblast"),
    ("Чернівецька область", "Chernivtsi oblast"), ("Чернігівська область", "Chernihiv oblast"),
]
TYPES = {"city": ("міська", "city"), "settlement": ("селищна", "settlement"), "village": ("сільська", "village")}
DIRECTIONS = [
    ("digital-governance", "Цифрова трансформація органу місцевого самоврядування", "Digital transformation of local government"),
    ("public-services", "Цифровізація публічних послуг", "Digitalisation of public services"),
    ("infrastructure", "Розбудова інфраструктури інформатизації", "Development of informatization infrastructure"),
    ("digital-literacy", "Підвищення рівня цифрової грамотності різних категорій громадян",
     "Raising the digital literacy of all groups of citizens"),
    ("digital-economy", "Стимулювання розвитку цифрової економіки", "Stimulating the digital economy"),
    ("cybersecurity", "Кібербезпека, кіберзахист та інформаційний захист",
     "Cybersecurity, cyber defence and information protection"),
]
MARKERS = ["+", "В межах кошторисних призначень"]


@dataclass
class Pools:
    indicators: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    sections: list[tuple[str, dict[str, str], str, str]]  # (id, title, uk text, en text)
    catalogue: dict[str, Any]


def load_pools(content: Path) -> Pools:
    """What the synthetic programs are drawn from: the real programs and the catalogue."""
    indicators, tasks, sections = [], [], []
    for folder in sorted(p for p in content.iterdir() if (p / "program.yaml").is_file()):
        program = yaml.safe_load((folder / "program.yaml").read_text(encoding="utf-8"))
        for name, into in (("indicators.yaml", indicators), ("tasks.yaml", tasks)):
            path = folder / name
            if path.is_file():
                into.extend((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(name[:-5]) or [])
        for section in program.get("sections") or []:
            uk = folder / "sections" / f"{section['id']}.uk.md"
            en = folder / "sections" / f"{section['id']}.en.md"
            if uk.is_file() and en.is_file():
                sections.append((section["id"], section["title"], uk.read_text(encoding="utf-8"),
                                 en.read_text(encoding="utf-8")))
    catalogue = yaml.safe_load((content / "catalogue.yaml").read_text(encoding="utf-8"))
    return Pools(indicators, tasks, sections, catalogue)


def hromada_names(count: int) -> list[str]:
    names = [f"{prefix}{root.lower() if prefix else root}ська" for root in ROOTS for prefix in PREFIXES]
    if count > len(names):
        raise ValueError(f"at most {len(names)} synthetic hromadas")
    return names


def _amount(rng: random.Random) -> tuple[float | None, Any]:
    """A funding cell: (its amount, as written). Markers and empty cells have no amount."""
    roll = rng.random()
    if roll < 0.12:
        return None, "+"
    if roll < 0.2:
        return None, "В межах кошторисних призначень"
    if roll < 0.25:
        return None, None
    value = rng.choice([50, 100, 120, 150, 200, 250, 300, 400, 500, 750, 1000, 1500, 2500, 4000, 8632])
    written = f"{value:,}".replace(",", " ") if value >= 1000 and rng.random() < 0.5 else value
    return value, written


def _value(rng: random.Random, kind: str, index: int) -> tuple[float | None, Any]:
    """An indicator value: (its number, as written)."""
    if kind == "boolean":
        return None, ("Ні" if index == 0 and rng.random() < 0.6 else "Так")
    if kind == "percent":
        value = min(100, rng.randint(0, 40) + index * rng.randint(0, 20))
        return value, (f"{value},0" if rng.random() < 0.3 else value)
    if kind == "ratio":
        value = round(rng.random() * 2, 2)
        return value, value
    value = rng.randint(0, 50) + index * rng.randint(0, 30)
    return value, value


def _section_text(rng: random.Random, pools: Pools, target: int) -> tuple[str, str]:
    """Paragraphs from one real section pair, enough for about `target` bytes of Ukrainian."""
    _, _, uk, en = rng.choice(pools.sections)
    uk_paragraphs, en_paragraphs = uk.split("\n\n"), en.split("\n\n")
    count = min(len(uk_paragraphs), len(en_paragraphs))
    taken_uk, taken_en, size, start = [], [], 0, rng.randrange(count)
    i = start
    while size < target:
        taken_uk.append(uk_paragraphs[i % count])
        taken_en.append(en_paragraphs[i % count])
        size += len(uk_paragraphs[i % count].encode("utf-8"))
        i += 1
        if i - start > 4 * count:
            break
    return "\n\n".join(taken_uk) + "\n", "\n\n".join(taken_en) + "\n"


def _synthetic_tasks(rng: random.Random, pools: Pools, years: list[int], direction_ids: list[str]) -> list[dict]:
    tasks = []
    for n in range(rng.randint(15, 40)):
        base = rng.choice(pools.tasks)
        cells = {y: _amount(rng) for y in years}
        funding = [{"source": rng.choice(["local", "local", "local", "state", "other"]),
                    "years": {y: written for y, (_, written) in cells.items() if written is not None}}]
        amounts = [amount for amount, _ in cells.values() if amount is not None]
        if amounts and rng.random() < 0.9:
            funding[0]["total"] = sum(amounts) + (1 if rng.random() < 0.03 else 0)  # a few defects, as in life
        tasks.append({
            "id": f"{base['id']}-{n + 1}", "priority": rng.choice(direction_ids), "number": str(n + 1),
            **{k: base[k] for k in ("measure", "name", "responsible", "expected_results") if k in base},
            "timeframe": f"{years[0]}-{years[-1]}", "funding": funding,
        })
    return tasks


def _synthetic_indicators(rng: random.Random, pools: Pools, years: list[int], direction_ids: list[str],
                          tasks: list[dict]) -> list[dict]:
    indicators = []
    for n in range(rng.randint(30, 60)):
        base = rng.choice(pools.indicators)
        kind_of_value = base["kind"]
        values = {y: _value(rng, kind_of_value, i + 1) for i, y in enumerate(years)}
        indicator = {
            "id": f"{base['id']}-{n + 1}", "priority": rng.choice(direction_ids),
            **({"catalogue": base["catalogue"]} if base.get("catalogue") else {}),
            "name": base["name"], "unit": base["unit"], "kind": kind_of_value, "mode": base["mode"],
            "targets": {y: written for y, (_, written) in values.items()},
        }
        baseline = _value(rng, kind_of_value, 0) if rng.random() < 0.7 else (None, None)
        if baseline[1] is not None:
            indicator["baseline"] = baseline[1]
        if kind_of_value != "boolean" and rng.random() < 0.85:
            numbers = [number for number, _ in values.values()]
            start = baseline[0] if baseline[0] is not None else numbers[0]
            change = round(sum(numbers) if base["mode"] == "increment" else numbers[-1] - start, 2)
            change += 1 if rng.random() < 0.05 else 0  # a few defects, as in life
            indicator["change"] = f"{change:+}".replace(".", ",")
        if rng.random() < 0.3 and tasks:
            indicator["task"] = rng.choice(tasks)["id"]
        indicators.append(indicator)
    return indicators


def _synthetic_sections(rng: random.Random, pools: Pools) -> tuple[list[dict], dict[str, str]]:
    target_bytes = rng.randint(5_000, 30_000)
    section_count = rng.randint(3, 6)
    sections, files = [], {}
    used: set[str] = set()
    for index in range(section_count):
        section_id, title, _, _ = rng.choice(pools.sections)
        section_id = section_id if section_id not in used else f"{section_id}-{index}"
        used.add(section_id)
        uk, en = _section_text(rng, pools, target_bytes // section_count)
        sections.append({"id": section_id, "title": title})
        files[f"sections/{section_id}.uk.md"] = uk
        files[f"sections/{section_id}.en.md"] = en
    return sections, files


def synthetic_program(rng: random.Random, pools: Pools, short_name: str) -> tuple[str, dict[str, str]]:
    """One program: its id and its files (relative path → text)."""
    kind = rng.choice(list(TYPES))
    start = rng.choice([2023, 2024, 2025, 2026])
    years = list(range(start, start + 3))
    identifier = program_id(short_name, years[0], years[-1])
    type_uk, type_en = TYPES[kind]
    oblast_uk, oblast_en = rng.choice(OBLASTS)
    latin = identifier.rsplit("-", 2)[0].replace("-", " ").title()
    directions = sorted(rng.sample(DIRECTIONS, rng.randint(4, 6)), key=DIRECTIONS.index)
    direction_ids = [d[0] for d in directions]

    tasks = _synthetic_tasks(rng, pools, years, direction_ids)
    indicators = _synthetic_indicators(rng, pools, years, direction_ids, tasks)
    sections, files = _synthetic_sections(rng, pools)

    program = {
        "title": {"uk": f"Програма інформатизації {short_name[:-1]}ої {type_uk[:-1]}ої територіальної громади "
                        f"на {years[0]}-{years[-1]} роки",
                  "en": f"Program of Informatization of {latin} {type_en} hromada for {years[0]}-{years[-1]}"},
        "period": {"start": years[0], "end": years[-1]},
        "hromada": {"name": {"uk": f"{short_name} {type_uk} територіальна громада", "en": f"{latin} {type_en} hromada"},
                    "short_name": {"uk": short_name, "en": latin}, "type": kind,
                    "oblast": {"uk": oblast_uk, "en": oblast_en}},
        "passport": {"purpose": {"uk": "Цифрова трансформація громади", "en": "The hromada's digital transformation"}},
        "sections": sections,
        "priorities": [{"id": d[0], "number": str(i + 1), "name": {"uk": d[1], "en": d[2]}}
                       for i, d in enumerate(directions)],
    }
    for name, data, schema in (("program.yaml", program, "program"), ("tasks.yaml", {"tasks": tasks}, "tasks"),
                               ("indicators.yaml", {"indicators": indicators}, "indicators")):
        files[name] = (f"# yaml-language-server: $schema=../../schemas/{schema}.schema.json\n"
                       + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000))
    return identifier, files


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Never writes anchors: council files have none, and the loader refuses them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_corpus(real_content: Path, out: Path, count: int, seed: int = 1) -> list[str]:
    """Write `count` synthetic programs and the catalogue into `out`; returns their ids."""
    rng = random.Random(seed)
    pools = load_pools(real_content)
    names = hromada_names(count)
    rng.shuffle(names)
    out.mkdir(parents=True, exist_ok=True)
    (out / "catalogue.yaml").write_text((real_content / "catalogue.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    ids: list[str] = []
    seen: set[str] = set()
    for short_name in names[:count]:
        identifier, files = synthetic_program(rng, pools, short_name)
        for relative, text in files.items():
            path = out / identifier / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if identifier in seen:
            raise ValueError(f"two synthetic programs would share the id {identifier}")
        ids.append(identifier)
        seen.add(identifier)
    return ids

