"""The open data: valid packages, figures that match the sources when read independently, a harvestable catalogue."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pandas
import pytest
import yaml
from hypothesis import given, strategies as st
from frictionless import validate as frictionless_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, XSD

from generator.build import build
from generator.datapackage import LICENSE, TABLES, Package
from generator.dcat import catalog_turtle, dataset_turtle
from generator.export import compact_json, csv_text, to_json

from .conftest import CONTENT

BASE_URL = "https://example.org/hromady/"
PROGRAMS = sorted(p.name for p in CONTENT.iterdir() if (p / "program.yaml").is_file())


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("out")
    result = build(CONTENT, root / "site", base_url=BASE_URL, search=False, packages_out=root / "datapackages")
    assert result.built
    return root / "site", root / "datapackages"


def _raw(program: str, name: str) -> dict:
    """The source read by plain PyYAML: a second, independent reading of what the council approved."""
    return yaml.safe_load((CONTENT / program / name).read_text(encoding="utf-8")) or {}


def _number(value: object) -> Decimal | None:
    """A deliberately separate reading of a figure cell: numbers only, as Ukrainian or plain text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, str):
        text = value.replace("\u00a0", "").replace(" ", "").replace(",", ".").rstrip("%")
        try:
            return Decimal(text)
        except Exception:
            return None
    return None


def _csv(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("package", ["all", *PROGRAMS])
def test_frictionless_finds_no_error_foreign_keys_included(output, package: str) -> None:
    _, data = output
    report = frictionless_validate(str(data / package / "datapackage.json"))
    errors = [(task.name, e.type, e.note) for task in report.tasks for e in task.errors] + [
        (None, e.type, e.note) for e in report.errors
    ]
    assert report.valid, errors[:10]
    descriptor = json.loads((data / package / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["$schema"].endswith("/2.0/datapackage.json")
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert any(r["schema"].get("foreignKeys") for r in descriptor["resources"])


def test_foreign_keys_are_really_checked(output, tmp_path: Path) -> None:
    """A dangling reference in a copy of the package must make frictionless fail."""
    _, data = output
    copy = tmp_path / "pkg"
    copy.mkdir()
    for file in (data / "kremenchutska-2026-2028").iterdir():
        (copy / file.name).write_bytes(file.read_bytes())
    text = (copy / "task_funding.csv").read_text(encoding="utf-8").replace(",it-audit,", ",no-such-task,", 1)
    (copy / "task_funding.csv").write_text(text, encoding="utf-8")
    report = frictionless_validate(str(copy / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {e.type for task in report.tasks for e in task.errors}


@pytest.mark.parametrize("program", ["kremenchutska-2026-2028", "khmilnytska-2023-2025"])
def test_task_amounts_and_stated_totals_match_the_sources(output, program: str) -> None:
    _, data = output
    folder = data / program
    funding = _csv(folder, "task_funding.csv")
    frame = pandas.read_csv(folder / "task_funding.csv", dtype={"amount": "string"}, keep_default_na=False)
    totals = [r for r in _csv(folder, "stated_totals.csv") if r["level"] == "task"]
    tasks = _raw(program, "tasks.yaml")["tasks"]
    assert len(tasks) == len({r["task_id"] for r in funding})
    for task in tasks:
        for index, row in enumerate(task.get("funding", []), 1):
            for year, value in (row.get("years") or {}).items():
                expected = _number(value)
                found = [r for r in funding if r["task_id"] == task["id"] and r["row"] == str(index)
                         and r["year"] == str(year) and r["record"] == "plan"]
                assert len(found) == 1, (task["id"], index, year)
                assert (Decimal(found[0]["amount"]) if found[0]["amount"] else None) == expected, (task["id"], year)
                in_pandas = frame[(frame.task_id == task["id"]) & (frame.row == index) & (frame.year == year)
                                  & (frame.record == "plan")]
                assert len(in_pandas) == 1
                value_in_pandas = in_pandas.iloc[0]["amount"]
                assert (Decimal(value_in_pandas) if value_in_pandas else None) == expected
            stated = _number(row.get("total"))
            found_total = [r for r in totals if r["subject_id"] == task["id"] and r["row"] == str(index)]
            if stated is not None:
                assert len(found_total) == 1 and Decimal(found_total[0]["stated"]) == stated, (task["id"], index)


@pytest.mark.parametrize("program", PROGRAMS)
def test_every_indicator_value_matches_the_sources(output, program: str) -> None:
    _, data = output
    values = _csv(data / program, "indicator_values.csv")
    frame = pandas.read_csv(data / program / "indicator_values.csv", dtype={"value": "string"}, keep_default_na=False)
    by_key = {(r["indicator_id"], r["role"], r["year"]): r for r in values}
    period = _raw(program, "program.yaml")["period"]
    indicators = _raw(program, "indicators.yaml")["indicators"]
    assert len(frame) == len(values)
    for indicator in indicators:
        cells = [("baseline", period["start"] - 1, indicator.get("baseline"))]
        cells += [("target", year, indicator.get("targets", {}).get(year)) for year in range(period["start"], period["end"] + 1)]
        cells += [("actual", year, value) for year, value in (indicator.get("actual") or {}).items()]
        for role, year, value in cells:
            row = by_key[(indicator["id"], role, str(year))]
            expected = _number(value)
            if isinstance(value, str) and value.strip().lower() in ("так", "ні"):
                assert row["status"] == ("yes" if value.strip().lower() == "так" else "no")
                assert row["value"] == ""
            else:
                assert (Decimal(row["value"]) if row["value"] else None) == expected, (indicator["id"], role, year)


def test_the_all_programs_package_is_exactly_the_per_program_rows(output) -> None:
    _, data = output
    descriptor = json.loads((data / "all" / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        combined: Counter[tuple[str, ...]] = Counter()
        for program in PROGRAMS:
            combined.update(tuple(row.values()) for row in _csv(data / program, resource["path"]))
        everything = Counter(tuple(row.values()) for row in _csv(data / "all", resource["path"]))
        assert everything == combined, resource["name"]
        assert sum(everything.values()) > 0 or resource["name"] == "quality_notes"


def test_zips_hold_the_package(output) -> None:
    _, data = output
    for package in ["all", *PROGRAMS]:
        with zipfile.ZipFile(data / f"{package}.zip") as archive:
            names = sorted(archive.namelist())
            assert names == sorted(p.relative_to(data).as_posix() for p in (data / package).iterdir())
            assert archive.testzip() is None  # every member's CRC-32
            for name in names:
                assert archive.read(name) == (data / name).read_bytes()
                assert archive.getinfo(name).compress_size < archive.getinfo(name).file_size  # compressed, joined or not


def _items() -> int:
    return sum(len(_raw(p, "indicators.yaml").get("indicators") or []) + len(_raw(p, "tasks.yaml").get("tasks") or [])
               for p in PROGRAMS)


def test_no_cell_can_run_as_a_formula(output) -> None:
    site, data = output
    files = list(data.glob("*/*.csv")) + list((site / "data").glob("*/*/*.csv"))
    assert len(files) == 8 * (len(PROGRAMS) + 1) + 2 * _items()  # each item's two spreadsheet CSVs
    for path in files:
        text = path.read_bytes().decode("utf-8-sig")
        for row in csv.reader(io.StringIO(text), delimiter=";" if path.name.endswith(".excel-uk.csv") else ","):
            for cell in row:
                if cell[:1] in ("=", "+", "-", "@"):
                    assert cell in ("+", "-") or _number(cell) is not None, (path.name, cell)


def test_per_item_downloads_hold_the_figures_of_their_pages(output) -> None:
    site, _ = output
    from generator.render import format_number

    checked = 0
    for path in sorted((site / "data").glob("*/*/*.json")):
        program, kind = path.parent.parent.name, path.parent.name
        data = json.loads(path.read_text(encoding="utf-8"))
        csv_rows = list(csv.DictReader(io.StringIO(path.with_suffix(".csv").read_bytes().decode("utf-8-sig"))))
        for lang in ("uk", "en"):
            page = (site / lang / program / kind / data["id"] / "index.html").read_text(encoding="utf-8")
            page = " ".join(page.split())
            if kind == "indicators":
                cells = [data["baseline"], *data["targets"], *data["actual"]]
                assert len(csv_rows) == len(cells)
            else:
                cells = [c for line in data["funding"] for c in line["years"]]
                assert len(csv_rows) == len(cells) + len(data["funding"])
            for cell in cells:
                if cell["value"] is not None:
                    shown = format_number(Decimal(str(cell["as_stated"]).replace(" ", "").replace(",", ".")), lang)
                    assert " ".join(shown.split()) in page, (path.name, lang, cell)
                    checked += 1
    assert checked > 500


SPREADSHEETS = {"en": (".csv", ",", "."), "uk": (".excel-uk.csv", ";", ",")}  # lang: ending, separator, decimal mark


def _spreadsheet(path: Path, separator: str) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n"), path  # a BOM for Excel; RFC 4180's CRLF
    assert b"\n" not in raw.replace(b"\r\n", b""), path
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=separator))


def _spreadsheet_number(cell: str, mark: str) -> Decimal | None:
    """A number cell of one spelling: digits, a sign, and only that spelling's decimal mark."""
    if not cell:
        return None
    assert re.fullmatch(r"-?\d+(?:" + re.escape(mark) + r"\d+)?", cell), cell
    return Decimal(cell.replace(",", "."))


def _expected_cells(program: str, kind: str, item: dict) -> list[tuple[str, Decimal | None]]:
    """(year or role, the number the source states) for each row of an item's CSV, read from the YAML alone."""
    period = _raw(program, "program.yaml")["period"]
    years = range(period["start"], period["end"] + 1)
    if kind == "indicators":
        targets, actual = item.get("targets") or {}, item.get("actual") or {}
        cells = [("baseline", item.get("baseline"))] + [(str(y), targets.get(y)) for y in years]
        cells += [(str(y), actual[y]) for y in sorted(actual)]
    else:
        cells = []
        for line in item.get("funding") or []:
            cells += [(str(y), (line.get("years") or {}).get(y)) for y in years] + [("total", line.get("total"))]
    boolean = kind == "indicators" and item["kind"] == "boolean"
    return [(where, None if boolean else _number(value)) for where, value in cells]


def test_each_languages_spreadsheet_csv_holds_every_number_of_the_source(output) -> None:
    """Each item's two CSVs, read back with the csv module by their own separator, hold the same rows, and
    every number in them is the source's (read from the YAML by plain PyYAML), spelt with that CSV's
    decimal mark; every other cell is the same in both."""
    site, _ = output
    checked = items = 0
    for program in PROGRAMS:
        for kind in ("indicators", "tasks"):
            for item in _raw(program, f"{kind}.yaml").get(kind) or []:
                folder = site / "data" / program / kind
                tables = {lang: _spreadsheet(folder / (item["id"] + ending), separator)
                          for lang, (ending, separator, _) in SPREADSHEETS.items()}
                number_column = "value" if kind == "indicators" else "amount_thousand_uah"
                expected = _expected_cells(program, kind, item)
                for lang, rows in tables.items():
                    assert len(rows) == len(expected), (program, item["id"], lang)
                    for row, (where, number) in zip(rows, expected):
                        assert where in (row.get("role"), row["year"]), (program, item["id"], lang, row)
                        assert _spreadsheet_number(row[number_column], SPREADSHEETS[lang][2]) == number, (
                            program, item["id"], lang, where, row[number_column])
                        checked += number is not None
                # Only numbers differ between the two: every text and label is the same.
                for en_row, uk_row in zip(tables["en"], tables["uk"]):
                    assert {k: v for k, v in en_row.items() if k != number_column} == {
                        k: v for k, v in uk_row.items() if k != number_column}
                items += 1
    assert items == _items() and checked > 1000


def test_each_language_links_its_own_spreadsheet_csv(output) -> None:
    """Ukrainian pages link the semicolon CSV and English pages the comma one, each saying in its link
    what it is for; both link the JSON."""
    site, _ = output
    strings = {lang: yaml.safe_load((Path(__file__).parent.parent / "templates" / f"strings.{lang}.yaml")
                                    .read_text(encoding="utf-8")) for lang in SPREADSHEETS}
    checked = 0
    for program in PROGRAMS:
        for kind in ("indicators", "tasks"):
            for item in _raw(program, f"{kind}.yaml").get(kind) or []:
                for lang, (ending, _, _) in SPREADSHEETS.items():
                    page = (site / lang / program / kind / item["id"] / "index.html").read_text(encoding="utf-8")
                    section = page[page.index('<section class="downloads"'):]
                    links = re.findall(r'<a href="([^"]+)" download>([^<]+)</a>', section[:section.index("</section>")])
                    assert links == [(f"../../../../data/{program}/{kind}/{item['id']}{ending}",
                                      strings[lang]["download_spreadsheet_csv"]),
                                     (f"../../../../data/{program}/{kind}/{item['id']}.json", "JSON")], links
                    checked += 1
    assert checked == 2 * _items()
    assert "Excel" in strings["uk"]["download_spreadsheet_csv"] and "Excel" in strings["en"]["download_spreadsheet_csv"]


def _json_dumps(data: object) -> bytes:
    """What the JSON files were before orjson wrote them, and what any JSON reader expects of them."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def test_json_files_are_what_json_dumps_writes(output) -> None:
    site, data = output
    paths = sorted([*(site / "data").glob("*/*/*.json"), *data.glob("*/datapackage.json")])
    assert len(paths) > 250
    for path in paths:
        assert path.read_bytes() == _json_dumps(json.loads(path.read_bytes())), path


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
              st.text(), st.sampled_from(["Так", "\u2028", "\x7f", "\x00\x1f", '"\\/', "В межах"])),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=25,
)


@given(json_values)
def test_to_json_reads_back_as_what_was_written_and_spells_all_but_floats_as_json_dumps(value: object) -> None:
    written = to_json(value)
    assert json.loads(written) == value and written.endswith(b"\n")
    if not _has_float(value):
        assert written == _json_dumps(value)


def _has_float(value: object) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(item) for item in value.values())
    return isinstance(value, list) and any(_has_float(item) for item in value)


def test_to_json_writes_integers_past_64_bits() -> None:
    value = {"value": 10**30, "as_stated": "1000000000000000000000000000000", "years": [-(2**64), 2**63 - 1]}
    assert to_json(value) == _json_dumps(value)


@given(json_values, st.booleans())
def test_compact_json_spells_all_but_floats_as_json_dumps(value: object, sort_keys: bool) -> None:
    """The manifest, the packed parts and the search indexes: what json.dumps made of them before."""
    written = compact_json(value, sort_keys=sort_keys)
    assert json.loads(written) == value
    if not _has_float(value):
        assert written == json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys).encode()


def test_csv_text_quotes_what_needs_quoting() -> None:
    assert csv_text([["a", "b,c", 'd"e', "f\ng", "h\ri", ""], [""], [], ["j", ""]]) == (
        'a,"b,c","d""e","f\ng","h\ri",\r\n""\r\n\r\nj,\r\n')


def test_compact_json_writes_integers_past_64_bits_and_keys_that_are_not_text() -> None:
    for value in ({"b": 10**30, "a": [-(2**64)]}, {2: "two", 1: "one"}):
        assert compact_json(value, sort_keys=True) == json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                                                                 sort_keys=True).encode()


def test_dcat_catalogue_lists_every_package_with_its_downloads(output) -> None:
    site, data = output
    graph = Graph()
    graph.parse(site / "catalog.ttl", format="turtle")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    identifiers = {str(graph.value(d, DCTERMS.identifier)) for d in datasets}
    assert identifiers == {"all", *PROGRAMS}
    catalogs = set(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1 and set(graph.objects(catalogs.pop(), DCAT.dataset)) == datasets
    for dataset in datasets:
        urls = {str(graph.value(d, DCAT.downloadURL)) for d in graph.objects(dataset, DCAT.distribution)}
        name = str(graph.value(dataset, DCTERMS.identifier))
        assert f"{BASE_URL}datapackages/{name}.zip" in urls
        assert f"{BASE_URL}datapackages/{name}/datapackage.json" in urls
        assert f"{BASE_URL}datapackages/{name}/tasks.csv" in urls
        for url in urls:
            assert (site / url[len(BASE_URL):]).is_file(), url
        titles = {t.language for t in graph.objects(dataset, DCTERMS.title)}
        assert titles == {"uk", "en"}


def _dataset_graph(package: Package, base_url: str, data_date: str | None) -> Graph:
    """A package's dataset and distributions as rdflib builds them: what dataset_turtle must say."""
    graph, descriptor = Graph(), package.descriptor
    folder = f"{base_url}datapackages/{package.name}/"
    dataset, license_uri = URIRef(f"{folder}#dataset"), URIRef(LICENSE["path"])
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.identifier, Literal(package.name)))
    for key, lang in (("uk:title", "uk"), ("title", "en")):
        graph.add((dataset, DCTERMS.title, Literal(descriptor[key], lang=lang)))
    for key, lang in (("uk:description", "uk"), ("description", "en")):
        graph.add((dataset, DCTERMS.description, Literal(descriptor[key], lang=lang)))
    graph.add((dataset, DCTERMS.license, license_uri))
    for code in ("UKR", "ENG"):
        graph.add((dataset, DCTERMS.language, URIRef(f"http://publications.europa.eu/resource/authority/language/{code}")))
    graph.add((dataset, OWL.versionInfo, Literal(descriptor["version"])))
    if data_date:
        graph.add((dataset, DCTERMS.modified, Literal(data_date, datatype=XSD.date)))
    for keyword in descriptor["keywords"]:
        graph.add((dataset, DCAT.keyword, Literal(keyword)))
    if descriptor.get("homepage"):
        graph.add((dataset, DCAT.landingPage, URIRef(descriptor["homepage"])))
    for source in descriptor["sources"]:
        graph.add((dataset, DCTERMS.source, Literal(source["title"], lang="uk")))
    distributions = [("zip", f"{base_url}datapackages/{package.name}.zip", "application/zip", "ZIP"),
                     ("datapackage", f"{folder}datapackage.json", "application/json", "JSON")]
    distributions += [(table.name, f"{folder}{table.name}.csv", "text/csv", "CSV") for table in TABLES]
    for key, url, media_type, file_format in distributions:
        distribution = URIRef(f"{folder}#{key}")
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCAT.downloadURL, URIRef(url)))
        graph.add((distribution, DCAT.accessURL, URIRef(url)))
        graph.add((distribution, DCAT.mediaType, Literal(media_type)))
        graph.add((distribution, DCTERMS["format"], Literal(file_format)))
        graph.add((distribution, DCTERMS.license, license_uri))
        titles = {"zip": ("Пакет даних повністю (ZIP)", "The whole data package (ZIP)"),
                  "datapackage": ("Опис пакета даних (datapackage.json)", "Data package descriptor (datapackage.json)")}
        table = next((t for t in TABLES if t.name == key), None)
        uk, en = titles[key] if table is None else (table.title_uk, table.title)
        graph.add((distribution, DCTERMS.title, Literal(uk, lang="uk")))
        graph.add((distribution, DCTERMS.title, Literal(en, lang="en")))
    return graph


@pytest.mark.parametrize("date", ["2026-01-01", None])
def test_dataset_turtle_says_what_rdflib_builds_hostile_text_included(output, date: str | None) -> None:
    _, data = output
    packages = [Package(name, json.loads((data / name / "datapackage.json").read_text(encoding="utf-8")), {})
                for name in ["all", *PROGRAMS]]
    hostile = json.loads(json.dumps(packages[1].descriptor))
    hostile["uk:title"] = 'Лапки " і \\ бекслеш \\" та """ три'
    hostile["title"] = "Lines\nand\r\nreturns\tand a tab \\n not a newline"
    hostile["description"] = "ends with a backslash \\"
    hostile["keywords"] = ["@en", "a\"@uk", "<http://x/>", "'single'"]
    hostile["sources"] = [{"title": "\u2028 and \U0001F600 and \u0000 end"}]
    packages.append(Package("hostile-2025-2027", hostile, {}))
    for package in packages:
        text = dataset_turtle(package, BASE_URL, date)
        parsed = Graph().parse(data=text, format="turtle")
        expected = _dataset_graph(package, BASE_URL, date)
        assert len(parsed) == len(expected) > 90, package.name
        assert set(parsed) == set(expected), (package.name, set(expected) ^ set(parsed))


def test_catalog_turtle_says_what_rdflib_builds_and_encodes_any_base_url() -> None:
    """The catalogue's node, written as the datasets are: the triples rdflib builds for it. A base URL
    with a space or a quote, which rdflib refused to write (the build stopped), is percent-encoded."""
    names = ["b-2025-2027", "all", "a-2024-2026"]
    catalog = URIRef(f"{BASE_URL}catalog.ttl#catalog")
    expected = {(catalog, RDF.type, DCAT.Catalog), (catalog, FOAF.homepage, URIRef(BASE_URL)),
                (catalog, DCTERMS.title, Literal("Програми інформатизації громад", lang="uk")),
                (catalog, DCTERMS.title, Literal("Hromada informatization programs", lang="en")),
                (catalog, DCTERMS.description, Literal(
                    "Програми інформатизації територіальних громад як відкриті дані (Frictionless Data Packages).",
                    lang="uk")),
                (catalog, DCTERMS.description, Literal(
                    "Programs of Informatization of Ukraine's hromadas as open data (Frictionless Data Packages).",
                    lang="en"))}
    expected |= {(catalog, DCAT.dataset, URIRef(f"{BASE_URL}datapackages/{name}/#dataset")) for name in names}
    assert set(Graph().parse(data=catalog_turtle(names, BASE_URL), format="turtle")) == expected
    hostile = Graph().parse(data=catalog_turtle(names, 'https://example.org/a b"<c>/'), format="turtle")
    assert {str(s) for s in hostile.subjects(RDF.type, DCAT.Catalog)} == {"https://example.org/a%20b%22%3Cc%3E/catalog.ttl#catalog"}
    assert len(hostile) == len(expected)


def test_dataset_turtle_percent_encodes_what_an_iri_cannot_hold(output) -> None:
    _, data = output
    package = Package(PROGRAMS[0], json.loads((data / PROGRAMS[0] / "datapackage.json").read_text(encoding="utf-8")), {})
    graph = Graph().parse(data=dataset_turtle(package, 'https://example.org/a b"<c>/', None), format="turtle")
    subjects = {str(s) for s in graph.subjects(RDF.type, DCAT.Dataset)}
    assert subjects == {f"https://example.org/a%20b%22%3Cc%3E/datapackages/{PROGRAMS[0]}/#dataset"}


def test_dataset_pages_exist_with_json_ld(output) -> None:
    site, _ = output
    for lang in ("uk", "en"):
        pages = [site / lang / "data" / "index.html"] + [site / lang / p / "data" / "index.html" for p in PROGRAMS]
        for page in pages:
            text = page.read_text(encoding="utf-8")
            start = text.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
            block = json.loads(text[start:text.index("</script>", start)])
            assert block["@type"] == "Dataset" and block["license"].startswith("https://creativecommons.org/")
            assert "task_funding.csv" in text and "datapackage.json" in text


def test_dataset_pages_list_each_tables_fields_in_the_pages_language(output) -> None:
    """Each dataset page has every
    table's fields, described in its own language, with the allowed values."""
    from markupsafe import escape

    site, _ = output
    for lang in ("uk", "en"):
        for page in [site / lang / "data" / "index.html"] + [site / lang / p / "data" / "index.html" for p in PROGRAMS]:
            text = page.read_text(encoding="utf-8")
            for table in TABLES:
                start = text.index(f'aria-label="{"Поля" if lang == "uk" else "Fields"}: {table.name}"')
                rows = text[start:text.index("</table>", start)]
                for field in table.fields:
                    described = field.description_uk if lang == "uk" else field.description
                    other = field.description if lang == "uk" else field.description_uk
                    enum = f' <span class="muted">({escape(", ".join(field.enum))})</span>' if field.enum else ""
                    assert f"<code>{field.name}</code>" in rows and f"<td>{escape(described)}{enum}</td>" in rows, (page, field)
                    assert described == other or f"<td>{escape(other)}" not in rows, (page, field)


def test_package_csvs_are_byte_identical_across_builds(output, tmp_path: Path) -> None:
    _, data = output
    result = build(CONTENT, tmp_path / "site", base_url=BASE_URL, search=False, packages_out=tmp_path / "datapackages")
    assert result.built
    for path in sorted(data.rglob("*")):
        if path.is_file():
            assert (tmp_path / "datapackages" / path.relative_to(data)).read_bytes() == path.read_bytes(), path


def _bilingual_texts(data: object) -> list[dict]:
    """Every {uk, en} text in a YAML value, however deep."""
    if isinstance(data, dict):
        if isinstance(data.get("uk"), str):
            return [data]
        return [text for value in data.values() for text in _bilingual_texts(value)]
    if isinstance(data, list):
        return [text for value in data for text in _bilingual_texts(value)]
    return []


def test_english_coverage_is_the_share_of_the_sources_texts_with_their_english(
        minimal_content: Path, tmp_path: Path) -> None:
    """programs.csv's english_coverage_percent: of every {uk, en} text in program.yaml, tasks.yaml and
    indicators.yaml, the share (rounded down) that has its English; here, after three lose theirs."""
    import csv

    folder = minimal_content / "testova-2025-2027"
    tasks = folder / "tasks.yaml"
    text, removed = re.subn(r", en: [^}]*\}", "}", tasks.read_text(encoding="utf-8"), count=3)
    tasks.write_text(text, encoding="utf-8")
    texts = [text for name in ("program.yaml", "tasks.yaml", "indicators.yaml")
             for text in _bilingual_texts(yaml.safe_load((folder / name).read_text(encoding="utf-8")))]
    with_english = sum(1 for text in texts if text.get("en"))
    assert removed == 3 and with_english == len(texts) - 3
    assert build(minimal_content, tmp_path / "site", search=False, packages_out=tmp_path / "datapackages").built
    with (tmp_path / "datapackages" / "testova-2025-2027" / "programs.csv").open(encoding="utf-8", newline="") as table:
        (row,) = csv.DictReader(table)
    assert int(row["english_coverage_percent"]) == with_english * 100 // len(texts)
