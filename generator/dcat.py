"""A DCAT catalogue of every data package, for CKAN's DCAT harvester (data.gov.ua).

Every node has a URI (no blank nodes), so the Turtle output is the same for
the same packages.
"""

from __future__ import annotations

from itertools import chain
from typing import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, XSD

from .datapackage import LICENSE, TABLES, Package



def dataset_turtle(package: Package, base_url: str, data_date: str | None) -> str:
    """One package's dataset and its distributions, as Turtle.

    Made beside the package, by the worker that renders the program, and kept with it for the
    next build: rdflib takes about 10 ms a package, 15 s for a national catalogue in one process.
    """
    return _dataset(package, base_url, data_date).serialize(format="turtle")


def catalog_turtle(names: list[str], base_url: str) -> str:
    """The catalogue's own node, listing the datasets ``names``, as Turtle (a national one takes rdflib 0.3 s)."""
    return _catalog(names, base_url).serialize(format="turtle")


def catalogue_turtle(catalog: str, datasets: Iterable[str]) -> bytes:
    """The catalogue: its node (catalog_turtle), then its datasets' ``dataset_turtle`` in catalogue_order.

    The triples are those of one graph, each dataset followed by its distributions. One graph
    of a national catalogue (about 160,000 triples) took some 300 MB.
    """
    prefixes: set[str] = set()
    bodies: list[str] = []
    for turtle in chain([catalog], datasets):
        head, _, body = turtle.partition("\n\n")
        lines = head.splitlines()
        if not all(line.startswith("@prefix ") for line in lines):
            raise ValueError("unexpected Turtle header")  # rdflib changed its output: say so, not mis-join
        prefixes.update(lines)
        bodies.append(body)
    return ("\n".join(sorted(prefixes)) + "\n\n" + "".join(bodies)).encode("utf-8")


def catalogue_order(names: list[str], base_url: str) -> list[str]:
    """Datasets in the order of their URIs, as rdflib writes subjects."""
    return sorted(names, key=lambda name: _folder(base_url, name))


def _folder(base_url: str, name: str) -> str:
    return f"{base_url}datapackages/{name}/"


def _graph() -> Graph:
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("dct", DCTERMS)
    graph.bind("foaf", FOAF)
    return graph


def _catalog(names: list[str], base_url: str) -> Graph:
    graph = _graph()
    catalog = URIRef(f"{base_url}catalog.ttl#catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal("Програми інформатизації громад", lang="uk")))
    graph.add((catalog, DCTERMS.title, Literal("Hromada informatization programs", lang="en")))
    graph.add((catalog, DCTERMS.description, Literal(
        "Програми інформатизації територіальних громад як відкриті дані (Frictionless Data Packages).", lang="uk")))
    graph.add((catalog, DCTERMS.description, Literal(
        "Programs of Informatization of Ukraine's hromadas as open data (Frictionless Data Packages).", lang="en")))
    graph.add((catalog, FOAF.homepage, URIRef(base_url)))
    for name in names:
        graph.add((catalog, DCAT.dataset, URIRef(f"{_folder(base_url, name)}#dataset")))
    return graph


def _dataset(package: Package, base_url: str, data_date: str | None) -> Graph:
    """One package: its dataset and its distributions."""
    graph = _graph()
    license_uri = URIRef(LICENSE["path"])
    descriptor = package.descriptor
    folder = _folder(base_url, package.name)
    dataset = URIRef(f"{folder}#dataset")
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.identifier, Literal(package.name)))
    graph.add((dataset, DCTERMS.title, Literal(descriptor["uk:title"], lang="uk")))
    graph.add((dataset, DCTERMS.title, Literal(descriptor["title"], lang="en")))
    graph.add((dataset, DCTERMS.description, Literal(descriptor["uk:description"], lang="uk")))
    graph.add((dataset, DCTERMS.description, Literal(descriptor["description"], lang="en")))
    graph.add((dataset, DCTERMS.license, license_uri))
    graph.add((dataset, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/UKR")))
    graph.add((dataset, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/ENG")))
    graph.add((dataset, OWL.versionInfo, Literal(descriptor["version"])))
    if data_date:
        graph.add((dataset, DCTERMS.modified, Literal(data_date, datatype=XSD.date)))
    for keyword in descriptor["keywords"]:
        graph.add((dataset, DCAT.keyword, Literal(keyword)))
    landing = descriptor.get("homepage")
    if landing:
        graph.add((dataset, DCAT.landingPage, URIRef(landing)))
    for source in descriptor["sources"]:
        graph.add((dataset, DCTERMS.source, Literal(source["title"], lang="uk")))
    distributions = [
        ("zip", f"{base_url}datapackages/{package.name}.zip", "application/zip", "ZIP",
         "Пакет даних повністю (ZIP)", "The whole data package (ZIP)"),
        ("datapackage", f"{folder}datapackage.json", "application/json", "JSON",
         "Опис пакета даних (datapackage.json)", "Data package descriptor (datapackage.json)"),
    ] + [
        (table.name, f"{folder}{table.name}.csv", "text/csv", "CSV", table.title_uk, table.title)
        for table in TABLES
    ]
    for key, url, media_type, file_format, title_uk, title_en in distributions:
        distribution = URIRef(f"{folder}#{key}")
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(title_uk, lang="uk")))
        graph.add((distribution, DCTERMS.title, Literal(title_en, lang="en")))
        graph.add((distribution, DCAT.downloadURL, URIRef(url)))
        graph.add((distribution, DCAT.accessURL, URIRef(url)))
        graph.add((distribution, DCAT.mediaType, Literal(media_type)))
        graph.add((distribution, DCTERMS["format"], Literal(file_format)))
        graph.add((distribution, DCTERMS.license, license_uri))
    return graph
