"""A DCAT catalogue of every data package, for CKAN's DCAT harvester (data.gov.ua).

Each package's dataset is a graph of its own, made by rdflib beside the package and kept with it for
the next build; the catalogue joins their Turtle (a national catalogue has about 160,000 triples, too
many to hold as one graph). Every node has a URI (no blank nodes), so the output is the same for the
same packages.
"""

from __future__ import annotations

import re
from itertools import chain
from typing import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, XSD

from .datapackage import LICENSE, TABLES, Package

LANGUAGES = "http://publications.europa.eu/resource/authority/language/"
PREFIXES = {"dcat": DCAT, "dct": DCTERMS, "foaf": FOAF, "owl": OWL, "xsd": XSD}
# What Turtle does not allow in an IRI (IRIREF): percent-encoded, as URIs have it.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _iri(text: str) -> URIRef:
    return URIRef(_NOT_IN_IRI.sub(lambda m: "".join(f"%{byte:02X}" for byte in m[0].encode()), text))


def _graph() -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def _distributions(package: Package, base_url: str) -> list[tuple[str, str, str, str, str, str]]:
    """(key, download URL, media type, format, title in Ukrainian, title in English) for each of a package's files."""
    folder = _folder(base_url, package.name)
    return [
        ("zip", f"{base_url}datapackages/{package.name}.zip", "application/zip", "ZIP",
         "Пакет даних повністю (ZIP)", "The whole data package (ZIP)"),
        ("datapackage", f"{folder}datapackage.json", "application/json", "JSON",
         "Опис пакета даних (datapackage.json)", "Data package descriptor (datapackage.json)"),
    ] + [(table.name, f"{folder}{table.name}.csv", "text/csv", "CSV", table.title_uk, table.title) for table in TABLES]


def dataset_turtle(package: Package, base_url: str, data_date: str | None) -> str:
    """One package's dataset and its distributions, as Turtle."""
    descriptor = package.descriptor
    folder = _folder(base_url, package.name)
    license_uri = _iri(LICENSE["path"])
    graph = _graph()
    dataset = _iri(f"{folder}#dataset")
    facts = [
        (RDF.type, DCAT.Dataset),
        (DCTERMS.identifier, Literal(package.name)),
        (DCTERMS.title, Literal(descriptor["uk:title"], lang="uk")),
        (DCTERMS.title, Literal(descriptor["title"], lang="en")),
        (DCTERMS.description, Literal(descriptor["uk:description"], lang="uk")),
        (DCTERMS.description, Literal(descriptor["description"], lang="en")),
        (DCTERMS.license, license_uri),
        (DCTERMS.language, URIRef(f"{LANGUAGES}UKR")),
        (DCTERMS.language, URIRef(f"{LANGUAGES}ENG")),
        (OWL.versionInfo, Literal(descriptor["version"])),
        *((DCAT.keyword, Literal(keyword)) for keyword in descriptor["keywords"]),
        *((DCTERMS.source, Literal(source["title"], lang="uk")) for source in descriptor["sources"]),
    ]
    if data_date:
        facts.append((DCTERMS.modified, Literal(data_date, datatype=XSD.date)))
    if descriptor.get("homepage"):
        facts.append((DCAT.landingPage, _iri(descriptor["homepage"])))
    for predicate, value in facts:
        graph.add((dataset, predicate, value))
    for key, url, media_type, file_format, title_uk, title_en in _distributions(package, base_url):
        node = _iri(f"{folder}#{key}")
        graph.add((dataset, DCAT.distribution, node))
        for predicate, value in ((RDF.type, DCAT.Distribution), (DCTERMS.title, Literal(title_uk, lang="uk")),
                                 (DCTERMS.title, Literal(title_en, lang="en")), (DCAT.downloadURL, _iri(url)),
                                 (DCAT.accessURL, _iri(url)), (DCAT.mediaType, Literal(media_type)),
                                 (DCTERMS["format"], Literal(file_format)), (DCTERMS.license, license_uri)):
            graph.add((node, predicate, value))
    return graph.serialize(format="turtle")


def catalog_turtle(names: list[str], base_url: str) -> str:
    """The catalogue's own node, listing the datasets ``names``, as Turtle."""
    graph = _graph()
    catalog = _iri(f"{base_url}catalog.ttl#catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal("Hromada informatization programs", lang="en")))
    graph.add((catalog, DCTERMS.title, Literal("Програми інформатизації громад", lang="uk")))
    graph.add((catalog, DCTERMS.description, Literal(
        "Programs of Informatization of Ukraine's hromadas as open data (Frictionless Data Packages).", lang="en")))
    graph.add((catalog, DCTERMS.description, Literal(
        "Програми інформатизації територіальних громад як відкриті дані (Frictionless Data Packages).", lang="uk")))
    for name in names:
        graph.add((catalog, DCAT.dataset, _iri(f"{_folder(base_url, name)}#dataset")))
    graph.add((catalog, FOAF.homepage, _iri(base_url)))
    return graph.serialize(format="turtle")


def catalogue_turtle(catalog: str, datasets: Iterable[str]) -> bytes:
    """The catalogue: its node (catalog_turtle), then its datasets' ``dataset_turtle`` in catalogue_order:
    the prefixes of them all, then each one's statements."""
    prefixes: set[str] = set()
    bodies: list[str] = []
    for turtle in chain([catalog], datasets):
        head, _, body = turtle.partition("\n\n")
        lines = head.splitlines()
        if not all(line.startswith("@prefix ") for line in lines):
            raise ValueError("unexpected Turtle header")  # rdflib writes its prefixes first: say so, not mis-join
        prefixes.update(lines)
        bodies.append(body.rstrip("\n") + "\n\n")
    return ("\n".join(sorted(prefixes)) + "\n\n" + "".join(bodies)).encode("utf-8")


def catalogue_order(names: list[str], base_url: str) -> list[str]:
    """Datasets in the order of their URIs."""
    return sorted(names, key=lambda name: _folder(base_url, name))


def _folder(base_url: str, name: str) -> str:
    return f"{base_url}datapackages/{name}/"
