"""The files that list every program: home pages, comparisons, the all-programs package, the DCAT
catalogue, the sitemap, and the site's own files (assets, 404, robots.txt).

Joined from what each program's worker made of it (see incremental.ProgramPart), so that a rebuild
after one program changed renders only that program's entries. In an update, what did not change
stays as the previous build made it.
"""

from __future__ import annotations

import json
import zlib
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Container, ContextManager, Iterable, Iterator
from xml.sax.saxutils import escape as xml_escape

from .assemble import route
from .datapackage import TABLES, Package, all_descriptor, concatenated_csv, csv_header, csv_preview, descriptor_bytes
from .compare import Comparison, Row, download_path, index_page, use_counts
from .dcat import catalog_turtle, catalogue_order, catalogue_turtle, dataset_turtle
from .incremental import ManifestDamaged, Previous, PreviousProgram, ProgramPart, digest, unpacked
from .layout import PROJECT_PAGES, ROOT_ROUTE
from .model import LANGS, CatalogueEntry, Text
from .render import SEARCH_INDEX, Listed, Page, Renderer
from .search import site_search_index
from .write import OutputFolder
from .zips import ZipMember, deflated, write_zip


SITEMAP_URLS = 50_000  # the most one sitemap may list (sitemaps.org); a national site has about 250,000 pages
XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemaps(base: str, routes: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    """``sitemap.xml``; past SITEMAP_URLS, an index of ``sitemap-1.xml``, ``sitemap-2.xml``, ... instead."""
    routes = iter(routes)

    def urlset(chunk: list[str]) -> bytes:
        urls = "".join(f"<url><loc>{xml_escape(base + r)}</loc></url>\n" for r in chunk)
        return f'{XML_HEAD}<urlset xmlns="{SITEMAP_NS}">\n{urls}</urlset>\n'.encode()

    first = list(islice(routes, SITEMAP_URLS))
    chunk = list(islice(routes, SITEMAP_URLS))
    if not chunk:
        yield "sitemap.xml", urlset(first)
        return
    names = []
    while first:
        names.append(f"sitemap-{len(names) + 1}.xml")
        yield names[-1], urlset(first)
        first, chunk = chunk, list(islice(routes, SITEMAP_URLS))
    index = "".join(f"<sitemap><loc>{xml_escape(base + name)}</loc></sitemap>\n" for name in names)
    yield "sitemap.xml", f'{XML_HEAD}<sitemapindex xmlns="{SITEMAP_NS}">\n{index}</sitemapindex>\n'.encode()


def write_all_package(program_ids: list[str], parts: list[ProgramPart], date: str | None, base_url: str,
                      data_out: OutputFolder, out: OutputFolder,
                      unchanged: Container[str] = ()) -> tuple[Package, list[tuple[str, str, int]]]:
    """The all-programs package, made from the programs' own files and streamed: never all rows in memory at once.

    Its CSVs join the programs' CSVs; its zip joins the rows the programs' zips hold compressed.
    In an update, the files of the ``unchanged`` programs are those of the previous output.
    """

    def current(program_id: str, name: str) -> str:
        if program_id in unchanged:  # not staged: no need to look
            return f"{data_out.target}/{name}"
        return data_out.current(name)

    descriptor = descriptor_bytes(all_descriptor([part.source for part in parts], date, base_url))
    members = {"all/datapackage.json": Path(data_out.write("all/datapackage.json", descriptor))}
    zipped = [ZipMember("all/datapackage.json", len(descriptor), zlib.crc32(descriptor), [deflated(descriptor)])]
    rows = _compressed_rows(program_ids, parts, [current(i, f"{i}.zip") for i in program_ids])
    for table in TABLES:
        name = f"all/{table.name}.csv"
        sources = [current(program_id, f"{program_id}/{table.name}.csv") for program_id in program_ids]
        crc = size = 0
        with data_out.open(name) as handle:
            try:
                for chunk in concatenated_csv(table, sources):
                    handle.write(chunk)
                    crc, size = zlib.crc32(chunk, crc), size + len(chunk)
            except (FileNotFoundError, IsADirectoryError) as error:  # an update's previous output changed by hand
                raise ManifestDamaged(f"{name}: a program's CSV is missing") from error
            except ValueError as error:  # not the CSV the manifest says
                raise ManifestDamaged(str(error)) from error
        members[name] = Path(handle.name)
        zipped.append(ZipMember(name, size, crc, [deflated(csv_header(table)), *rows[table.name]]))
    with data_out.open("all.zip") as handle:
        write_zip(handle, sorted(zipped, key=lambda member: member.name))
    members["all.zip"] = Path(handle.name)
    files = []
    for name, path in sorted(members.items()):
        out.link(f"datapackages/{name}", path)
        size = path.stat().st_size
        files += [("data", name, size), ("site", f"datapackages/{name}", size)]
    counts = {table.name: sum(part.rows[table.name] for part in parts) for table in TABLES}
    preview = {table.name: csv_preview(members[f"all/{table.name}.csv"]) for table in TABLES}
    return Package("all", json.loads(descriptor), preview, counts), files


def _compressed_rows(program_ids: list[str], parts: list[ProgramPart], zips: list[str]) -> dict[str, list[bytes]]:
    """Each table's rows as every program's zip holds them, compressed (at national size, 13 MB)."""
    rows: dict[str, list[bytes]] = {table.name: [] for table in TABLES}
    for program_id, part, path in zip(program_ids, parts, zips):
        try:
            archive = open(path, "rb")
        except FileNotFoundError as error:  # an update's previous output changed by hand
            raise ManifestDamaged(f"{program_id}.zip") from error
        with archive:
            for table in TABLES:
                start, length = part.zip[table.name]
                archive.seek(start)
                piece = archive.read(length)
                if len(piece) != length:
                    raise ManifestDamaged(f"{program_id}.zip")
                rows[table.name].append(piece)
    return rows


class CommonFiles:
    """The files that draw on every program, written into the build's outputs; ``files`` lists them as
    (output, path, size) for the manifest.

    In an update (``previous``: a build with the same templates, catalogue and base URL), a comparison
    page none of whose programs changed, and a sitemap whose routes did not, stay as they are, and
    the files no longer made are removed.
    """

    def __init__(self, renderer: Renderer, outputs: dict[str, OutputFolder], previous: Previous | None,
                 unchanged: dict[str, PreviousProgram], lap: Callable[[str], ContextManager[None]]) -> None:
        self.renderer, self.outputs, self.previous, self.unchanged, self.lap = renderer, outputs, previous, unchanged, lap
        self.files: list[tuple[str, str, int]] = []

    def put(self, path: str, make: Callable[[], bytes], stage: str = "pages") -> None:
        with self.lap(stage):
            data = make()
        with self.lap("write"):
            self.outputs["site"].write(path, data)
        self.files.append(("site", path, len(data)))

    def keep(self, *paths: str) -> bool:
        """In an update, leave files of the previous output as they are: all of them, or none."""
        if self.previous is None or not all(("site", path) in self.previous.common_files for path in paths):
            return False
        self.files += [("site", path, self.previous.common_files[("site", path)]) for path in paths]
        return True

    def page(self, page: Page) -> None:
        self.put(page.path, lambda: self.renderer.render(page))

    def write(self, templates: Path, program_ids: list[str], parts: list[ProgramPart], routes: dict[str, bytes],
              date: str | None) -> tuple[str, tuple[str, str]]:
        """Every common file; the DCAT catalogue's own node and the all-programs dataset (see Previous)."""
        renderer = self.renderer
        self.home_pages(program_ids, parts)
        for lang in LANGS:
            for name in PROJECT_PAGES:
                self.page(renderer.project_page(name, lang))
        entries, comparisons, same_comparisons = self.comparisons(program_ids, parts)
        if renderer.search:  # the comparisons, by what each indicator is: the same while the same ones are made
            for lang in LANGS:
                if not (same_comparisons and self.keep(route(lang) + SEARCH_INDEX)):
                    self.put(route(lang) + SEARCH_INDEX, lambda lang=lang: site_search_index(entries, lang),
                             "search index")
        all_package, catalog, all_dataset = self.packages_and_catalogue(program_ids, parts, date)
        for lang in LANGS:
            self.page(renderer.dataset_page(all_package, None, lang))
        self.put("404.html", renderer.not_found)
        for asset in sorted((templates / "assets").iterdir()):
            self.put(f"assets/{asset.name}", asset.read_bytes)
        self.sitemaps(program_ids, routes, comparisons, same_comparisons)
        base = renderer.base_url
        self.put("robots.txt", lambda: f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n".encode())
        if self.previous is not None:
            now = {(tree, path) for tree, path, _ in self.files}
            for tree, path in self.previous.common_files:
                if (tree, path) not in now:
                    self.outputs[tree].remove(path)
        return catalog, all_dataset

    def home_pages(self, program_ids: list[str], parts: list[ProgramPart]) -> None:
        """Each language's home page; and the Ukrainian one again at the site's root (see layout.ROOT_ROUTE)."""
        oblasts = [Text(**part.oblast) if part.oblast else None for part in parts]
        for index, lang in enumerate(LANGS):
            on_home = [Listed(program_id, part.home[index], oblast, part.names[index])
                       for program_id, part, oblast in zip(program_ids, parts, oblasts)]
            self.page(self.renderer.home_page(lang, on_home))
        at_root = [Listed(program_id, part.root_home, oblast, part.names[0])
                   for program_id, part, oblast in zip(program_ids, parts, oblasts)]
        self.page(self.renderer.home_page(LANGS[0], at_root, ROOT_ROUTE))

    def comparisons(self, program_ids: list[str],
                    parts: list[ProgramPart]) -> tuple[list[CatalogueEntry], list[str], bool]:
        """A page and downloads for each standard indicator any program uses, and the list of them all; the
        entries compared, the pages' routes, and whether they are the pages the previous build made."""
        uses: dict[str, list[tuple[str, ProgramPart, dict]]] = {}
        for program_id, part in zip(program_ids, parts):
            for code, row in part.uses:
                uses.setdefault(code, []).append((program_id, part, row))
        affected = self.changed_comparisons(program_ids, parts)
        entries = [entry for entry in self.renderer.site.catalogue if entry.code in uses]
        comparisons = [route(lang, "indicators", entry.code) for lang in LANGS for entry in entries]
        same = self.previous is not None and set(comparisons) == {
            path[:-len("index.html")] for tree, path in self.previous.common_files
            if tree == "site" and path.endswith("/index.html") and path.count("/") == 3
            and path.split("/")[1] == "indicators"}
        for entry in entries:
            code = entry.code
            files = [*(route(lang, "indicators", code) + "index.html" for lang in LANGS),
                     *(download_path(code, extension) for extension in ("csv", "json"))]
            # Kept pages are not even sorted: at national size, sorting every comparison is a tenth of a rebuild.
            if code not in affected and self.keep(*files):
                continue
            try:
                comparison = Comparison(entry, [Row.of(program_id, part.names, part.hromada, part.oblast, row)
                                                for program_id, part, row in uses[code]])
            except (TypeError, ValueError, KeyError, IndexError, ArithmeticError) as error:
                raise ManifestDamaged(f"the rows of the comparison {code}") from error
            for lang in LANGS:
                self.page(comparison.page(self.renderer, lang))
            self.put(files[-2], comparison.csv, "downloads")
            self.put(files[-1], comparison.json, "downloads")
        self.index_pages(parts)
        return entries, comparisons, same

    def changed_comparisons(self, program_ids: list[str], parts: list[ProgramPart]) -> set[str]:
        """The codes whose comparison a program made anew changes: where its rows differ from the previous
        build's, or all of its codes where its names differ (a change to a task changes no comparison)."""
        made = {program_id: part for program_id, part in zip(program_ids, parts) if program_id not in self.unchanged}
        before = {program_id: old.common for program_id, old in self.previous.programs.items()
                  if program_id not in self.unchanged} if self.previous is not None else {}
        affected: set[str] = set()
        for program_id in made.keys() | before.keys():
            new, old = made.get(program_id), before.get(program_id)
            new_rows, old_rows = rows_by_code(new), rows_by_code(old)
            renamed = (new is None or old is None
                       or (new.names, new.hromada, new.oblast) != (old.names, old.hromada, old.oblast))
            affected |= {code for code in new_rows.keys() | old_rows.keys()
                         if renamed or new_rows.get(code) != old_rows.get(code)}
        return affected

    def index_pages(self, parts: list[ProgramPart]) -> None:
        """The list of every standard indicator, with how many programs use each: made again when a count changes."""
        counts = use_counts([part.uses for part in parts])
        previous = self.previous
        if previous is not None and counts == use_counts([old.common.uses for old in previous.programs.values()]) \
                and self.keep(*(route(lang, "indicators") + "index.html" for lang in LANGS)):
            return
        for lang in LANGS:
            self.page(index_page(self.renderer, lang, counts))

    def packages_and_catalogue(self, program_ids: list[str], parts: list[ProgramPart],
                               date: str | None) -> tuple[Package, str, tuple[str, str]]:
        """The all-programs package and the DCAT catalogue of every package."""
        base_url, previous = self.renderer.base_url, self.previous
        with self.lap("packages"):
            all_package, files = write_all_package(program_ids, parts, date, base_url, self.outputs["data"],
                                                   self.outputs["site"], self.unchanged)
            self.files += files
            turtle = {program_id: part.dcat for program_id, part in zip(program_ids, parts)}
            # The all-programs dataset changes only with the programs' documents.
            made_of = digest(json.dumps(all_package.descriptor, sort_keys=True).encode(), base_url.encode(),
                             (date or "").encode())
            if previous is not None and previous.all_dataset[0] == made_of:
                all_dataset = previous.all_dataset
            else:
                all_dataset = (made_of, dataset_turtle(all_package, base_url, date))
            turtle["all"] = all_dataset[1]
            names = catalogue_order(list(turtle), base_url)
            same = previous is not None and set(program_ids) == set(previous.programs)
            catalog = previous.catalog if same and previous is not None else catalog_turtle(names, base_url)
            catalogue = catalogue_turtle(catalog, (turtle[name] for name in names))
        self.put("catalog.ttl", lambda: catalogue, "packages")
        return all_package, catalog, all_dataset

    def sitemaps(self, program_ids: list[str], routes: dict[str, bytes], comparisons: list[str],
                 same_comparisons: bool) -> None:
        """The sitemap lists every page: made again only if some page came or went."""
        previous, unchanged = self.previous, self.unchanged
        old_sitemaps = sorted(path for tree, path in (previous.common_files if previous else ())
                              if path.startswith("sitemap"))
        read: dict[str, dict[str, list[str]]] = {}

        def program_routes(program_id: str) -> dict[str, list[str]]:
            if program_id not in unchanged:
                return unpacked(routes[program_id])
            if program_id not in read:
                read[program_id] = unchanged[program_id].routes()
            return read[program_id]

        if (previous is not None and old_sitemaps and set(program_ids) == set(previous.programs) and same_comparisons
                and all(previous.programs[i].routes() == program_routes(i) for i in program_ids if i not in unchanged)):
            for path in old_sitemaps:
                self.keep(path)
            return
        every = site_routes(lambda lang: (r for i in program_ids for r in program_routes(i)[lang]), comparisons)
        for path, data in sitemaps(self.renderer.base_url, every):
            self.put(path, lambda data=data: data)


def rows_by_code(part: ProgramPart | None) -> dict[str, list[Any]]:
    """A program's rows on the comparison pages, by code (a program may give one code to two indicators)."""
    rows: dict[str, list[Any]] = {}
    for code, row in part.uses if part is not None else ():
        rows.setdefault(code, []).append(row)
    return rows


def site_routes(program_routes: Callable[[str], Iterator[str]], comparisons: list[str]) -> Iterator[str]:
    """Every page's canonical route in the site's order, per language: home, programs, all data, the list of
    standard indicators, comparisons, the project's pages. Not the root page, whose canonical address is the
    Ukrainian home page's."""
    for lang in LANGS:
        yield route(lang)
        yield from program_routes(lang)
        yield route(lang, "data")
        yield route(lang, "indicators")
        yield from (r for r in comparisons if r.startswith(f"{lang}/"))
        yield from (route(lang, name) for name in PROJECT_PAGES)
