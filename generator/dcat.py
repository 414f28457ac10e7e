"""A DCAT catalogue of every data package, for CKAN's DCAT harvester (data.gov.ua).

Every node has a URI (no blank nodes), so the Turtle output is the same for
the same packages.
"""

from __future__ import annotations

import re
from itertools import chain
from typing import Iterable

from .datapackage import LICENSE, TABLES, Package



def dataset_turtle(package: Package, base_url: str, data_date: str | None) -> str:
    """One package's dataset and its distributions, as Turtle.

    Made beside the package, by the worker that renders the program, and kept with it for the
    next build. Written straight from the package, whose shape never changes: rdflib would cost a
    fifth of a national build (benchmarks/libraries.py, December 2026). A test parses it with rdflib
    and compares it with the graph rdflib builds.
    """
    descriptor = package.descriptor
    folder = _folder(base_url, package.name)
    license_uri = _iri(LICENSE["path"])
    dataset: list[tuple[str, list[str]]] = [
        ("a", ["dcat:Dataset"]),
        ("dct:identifier", [_text(package.name)]),
        ("dct:title", [_text(descriptor["uk:title"], "uk"), _text(descriptor["title"], "en")]),
        ("dct:description", [_text(descriptor["uk:description"], "uk"), _text(descriptor["description"], "en")]),
        ("dct:license", [license_uri]),
        ("dct:language", [f"<{LANGUAGES}UKR>", f"<{LANGUAGES}ENG>"]),
        ("owl:versionInfo", [_text(descriptor["version"])]),
    ]
    if data_date:
        dataset.append(("dct:modified", [_text(data_date) + "^^xsd:date"]))
    dataset.append(("dcat:keyword", [_text(keyword) for keyword in descriptor["keywords"]]))
    if descriptor.get("homepage"):
        dataset.append(("dcat:landingPage", [_iri(descriptor["homepage"])]))
    dataset.append(("dct:source", [_text(source["title"], "uk") for source in descriptor["sources"]]))
    distributions = [
        ("zip", f"{base_url}datapackages/{package.name}.zip", "application/zip", "ZIP",
         "Пакет даних повністю (ZIP)", "The whole data package (ZIP)"),
        ("datapackage", f"{folder}datapackage.json", "application/json", "JSON",
         "Опис пакета даних (datapackage.json)", "Data package descriptor (datapackage.json)"),
    ] + [
        (table.name, f"{folder}{table.name}.csv", "text/csv", "CSV", table.title_uk, table.title)
        for table in TABLES
    ]
    dataset.append(("dcat:distribution", [_iri(f"{folder}#{key}") for key, *_ in distributions]))
    subjects = [_subject(_iri(f"{folder}#dataset"), dataset)]
    for key, url, media_type, file_format, title_uk, title_en in distributions:
        subjects.append(_subject(_iri(f"{folder}#{key}"), [
            ("a", ["dcat:Distribution"]),
            ("dct:title", [_text(title_uk, "uk"), _text(title_en, "en")]),
            ("dcat:downloadURL", [_iri(url)]),
            ("dcat:accessURL", [_iri(url)]),
            ("dcat:mediaType", [_text(media_type)]),
            ("dct:format", [_text(file_format)]),
            ("dct:license", [license_uri]),
        ]))
    prefixes = ["dcat", "dct", "owl", *(["xsd"] if data_date else [])]
    head = "".join(f"@prefix {prefix}: <{PREFIXES[prefix]}> .\n" for prefix in prefixes)
    return head + "\n" + "".join(subjects)


LANGUAGES = "http://publications.europa.eu/resource/authority/language/"
PREFIXES = {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
            "owl": "http://www.w3.org/2002/07/owl#", "xsd": "http://www.w3.org/2001/XMLSchema#"}
# What Turtle allows in neither an IRI (IRIREF) nor, unescaped, a string (STRING_LITERAL_QUOTE).
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_STRING_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _iri(text: str) -> str:
    """An IRI: what Turtle does not allow in one (a space, a quote...) percent-encoded, as URIs have it."""
    return "<" + _NOT_IN_IRI.sub(lambda m: "".join(f"%{byte:02X}" for byte in m[0].encode()), text) + ">"


def _text(text: str, lang: str | None = None) -> str:
    return f'"{text.translate(_STRING_ESCAPES)}"' + (f"@{lang}" if lang else "")


def _subject(subject: str, pairs: list[tuple[str, list[str]]]) -> str:
    """A subject and its predicates, the objects of each on lines of their own, as rdflib lays them out."""
    lines = ",\n        ".join
    return subject + " " + " ;\n    ".join(f"{predicate} {lines(objects)}" for predicate, objects in pairs) + " .\n\n"


def catalog_turtle(names: list[str], base_url: str) -> str:
    """The catalogue's own node, listing the datasets ``names``, as Turtle: written as dataset_turtle is,
    predicates and objects in the order rdflib gives them."""
    node = [
        ("a", ["dcat:Catalog"]),
        ("dct:description", [
            _text("Programs of Informatization of Ukraine's hromadas as open data (Frictionless Data Packages).", "en"),
            _text("Програми інформатизації територіальних громад як відкриті дані (Frictionless Data Packages).", "uk"),
        ]),
        ("dct:title", [_text("Hromada informatization programs", "en"), _text("Програми інформатизації громад", "uk")]),
        ("dcat:dataset", [_iri(uri) for uri in sorted(f"{_folder(base_url, name)}#dataset" for name in names)]),
        ("foaf:homepage", [_iri(base_url)]),
    ]
    head = "".join(f"@prefix {prefix}: <{PREFIXES[prefix]}> .\n" for prefix in ("dcat", "dct", "foaf"))
    return head + "\n" + _subject(_iri(f"{base_url}catalog.ttl#catalog"), node)


def catalogue_turtle(catalog: str, datasets: Iterable[str]) -> bytes:
    """The catalogue: its node (catalog_turtle), then its datasets' ``dataset_turtle`` in catalogue_order.

    The triples are those of one graph, each dataset followed by its distributions, joined as text:
    a national catalogue has about 160,000 triples, too many to hold as one graph.
    """
    prefixes: set[str] = set()
    bodies: list[str] = []
    for turtle in chain([catalog], datasets):
        head, _, body = turtle.partition("\n\n")
        lines = head.splitlines()
        if not all(line.startswith("@prefix ") for line in lines):
            raise ValueError("unexpected Turtle header")  # a change to the writers above: say so, not mis-join
        prefixes.update(lines)
        bodies.append(body)
    return ("\n".join(sorted(prefixes)) + "\n\n" + "".join(bodies)).encode("utf-8")


def catalogue_order(names: list[str], base_url: str) -> list[str]:
    """Datasets in the order of their URIs, as rdflib would write their subjects."""
    return sorted(names, key=lambda name: _folder(base_url, name))


def _folder(base_url: str, name: str) -> str:
    return f"{base_url}datapackages/{name}/"
