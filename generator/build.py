"""The build: validate, assemble, render and export, then swap the new site in."""

from __future__ import annotations

import errno
import hashlib
import json
import re
import signal
import subprocess
from contextlib import ExitStack
from itertools import islice
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from xml.sax.saxutils import escape as xml_escape

import os
import time
import zlib

from pagefind.service import get_executable

from . import export
from .assemble import LANGS, ProgramView, SiteView, assemble
from .datapackage import (TABLES, Package, all_descriptor, concatenated_csv, csv_preview, descriptor_bytes,
                          program_package, package_files, write_zip)
from .dcat import catalogue_order, catalogue_turtle, dataset_turtle
from .parallel import default_workers, die_with_parent, fewer_collections, worker_pool
from .render import Page, Renderer
from .validate import Corpus, validate
from .write import OutputFolder, UnsafeOutputPath

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass
class BuildResult:
    corpus: Corpus
    pages: int = 0
    files: int = 0
    bytes: int = 0
    built: bool = False
    seconds: dict[str, float] = field(default_factory=dict)  # time by stage (summed over workers)
    programs_reused: int = 0  # linked unchanged from the previous build


class _Stopwatch:
    def __init__(self, into: dict[str, float]) -> None:
        self.into = into

    def __call__(self, stage: str):  # noqa: ANN204 - a context manager
        return _Lap(self.into, stage)


class _Lap:
    def __init__(self, into: dict[str, float], stage: str) -> None:
        self.into, self.stage = into, stage

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *_: object) -> None:
        self.into[self.stage] = self.into.get(self.stage, 0.0) + time.perf_counter() - self.start


def data_date(content: Path) -> str | None:
    """The date of the data: SOURCE_DATE_EPOCH if set, else the last commit that touched content/.

    Never the clock, so the same sources give the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return time.strftime("%Y-%m-%d", time.gmtime(int(epoch)))
    try:
        result = subprocess.run(["git", "log", "-1", "--format=%cs", "--", "."], cwd=content,
                                capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    found = result.stdout.strip()
    return found if result.returncode == 0 and len(found) == 10 else None


MANIFEST = ".build-manifest.jsonl"  # a line of {"version": N}, then one line per program, by id
MANIFEST_VERSION = 4
GENERATOR = Path(__file__).resolve().parent


def _digest(*parts: bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return hasher.hexdigest()


def _folder_bytes(folder: Path, pattern: str = "**/*") -> Iterator[bytes]:
    for path in sorted(p for p in folder.glob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        yield path.relative_to(folder).as_posix().encode()
        yield path.read_bytes()


def shared_key(content: Path, templates: Path, base_url: str, date: str | None, search: bool) -> str:
    """What every program's pages depend on besides the program itself (with search, a program's
    page has a search form and the program an index)."""
    catalogue = content / "catalogue.yaml"
    return _digest(
        *_folder_bytes(GENERATOR, "*.py"), *_folder_bytes(templates),
        catalogue.read_bytes() if catalogue.is_file() else b"", base_url.encode(), (date or "").encode(),
        b"search" if search else b"",
    )


def program_key(folder: Path, shared: str) -> str:
    """A program's pages, downloads and package change only when this changes."""
    return _digest(shared.encode(), *_folder_bytes(folder))


@dataclass
class Unit:
    """What one program put in the outputs: enough to reuse it in the next build unchanged."""
    key: str
    routes: dict[str, list[str]]  # by language, in page order (for the sitemap)
    files: list[tuple[str, str, int]]  # (output "site" or "data", path, size)
    rows: dict[str, int]  # rows in each table of its data package
    dcat: str = ""  # its dataset in the DCAT catalogue, as Turtle
    reused: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    pages: int = 0  # its HTML pages, files in the site and bytes in both outputs (see tally)
    site_files: int = 0
    size: int = 0
    entry: bytes = b""  # its line of the manifest, packed (see sealed)
    packed_routes: bytes = b""

    def tally(self) -> None:
        self.pages = sum(path.endswith(".html") for _, path, _ in self.files)
        self.site_files = sum(tree == "site" for tree, _, _ in self.files)
        self.size = sum(size for _, _, size in self.files)


def sealed(unit: Unit, program_id: str) -> Unit:
    """A program's unit checked and packed by the worker that made it, for the main process to keep.

    Its files must lie in its own folders, else one program could overwrite another's. Then the
    main process gets bytes: sent as lists, a national site's 475,000 paths and 247,000 routes
    crossed to it to be packed there one program at a time, and on a rebuild, whose workers
    make units faster than that, waited in its queue (180 MB at the peak).
    """
    own = own_paths(program_id)
    if not all(path.startswith(own[tree]) for tree, path, _ in unit.files):
        raise UnsafeOutputPath(f"{program_id}: a file outside its own folders")
    unit.tally()
    unit.entry = packed({"id": program_id, "key": unit.key, "routes": unit.routes, "files": unit.files,
                         "rows": unit.rows, "dcat": unit.dcat})
    unit.packed_routes = packed(unit.routes)
    unit.files, unit.routes = [], {}
    return unit


@dataclass
class _Job:
    """Handed to the worker processes by fork, so the site is assembled once, not once per worker."""
    renderer: Renderer
    site: SiteView
    outputs: dict[str, OutputFolder]
    keys: list[str]
    previous: dict[str, tuple[str, bytes]]  # program id -> its key and its line of the previous manifest, packed
    previous_roots: dict[str, Path]
    date: str | None
    progress: Callable[[int, int], None] | None


_JOB: _Job | None = None
SHARED = -1  # the unit of the pages that draw on every program, rendered by a worker beside the programs


def own_paths(program_id: str) -> dict[str, tuple[str, ...]]:
    """Where a program's files may lie, by output: no other program's, nor the shared pages' (an id ends in years)."""
    return {"site": (f"uk/{program_id}/", f"en/{program_id}/", f"data/{program_id}/", f"datapackages/{program_id}/",
                     f"datapackages/{program_id}.zip"),
            "data": (f"{program_id}/", f"{program_id}.zip")}


def _reuse(job: _Job, index: int) -> Unit | None:
    """Link a program's files from the previous output, if its inputs have not changed."""
    program = job.site.programs[index]
    key, line = job.previous.get(program.id, ("", b""))
    if key != job.keys[index]:
        return None
    # The previous output is trusted no further than it can be checked: each file must lie in this
    # program's own folders, be a plain file (not a link to elsewhere) and have the size recorded.
    own = own_paths(program.id)
    carried: list[tuple[str, str]] = []
    try:
        old = unpacked(line)
        files = [(str(tree), str(path), int(size)) for tree, path, size in old["files"]]
        routes = {lang: [str(r) for r in old["routes"][lang]] for lang in LANGS}
        rows = {table.name: int(old["rows"][table.name]) for table in TABLES}
        dcat = old["dcat"]
        if not isinstance(dcat, str):
            raise ValueError(program.id)
        previous = {tree: str(root) for tree, root in job.previous_roots.items()}
        for tree, path, size in files:
            if not path.startswith(own[tree]):
                raise ValueError(path)
            job.outputs[tree].carry(path, previous[tree], size)  # refuses a path that escapes or repeats
            carried.append((tree, path))
    except (OSError, ValueError, KeyError, TypeError):  # changed by hand, or on another disk: render it again
        for tree, path in carried:
            job.outputs[tree].drop(path)
        return None
    return Unit(job.keys[index], routes, files, rows, dcat, reused=True)


def program_unit(index: int) -> Unit:
    """Render and write one program's pages, downloads and data package (or, for SHARED, the shared unit)."""
    job = _JOB
    assert job is not None
    if index == SHARED:
        unit = shared_unit()
        unit.tally()
        return unit
    program = job.site.programs[index]
    return sealed(_reuse(job, index) or _render(job, program, job.keys[index]), program.id)


def _render(job: _Job, program: ProgramView, key: str) -> Unit:
    seconds: dict[str, float] = {}
    lap = _Stopwatch(seconds)
    with lap("packages"):
        package = program_package(program, job.date, job.renderer.base_url)
        dcat = dataset_turtle(package, job.renderer.base_url, job.date)
    unit = Unit(key, {}, [], {name: len(rows) for name, rows in package.tables.items()}, dcat, seconds=seconds)

    def put(path: str, make: Callable[[], bytes], stage: str) -> Path:
        with lap(stage):
            data = make()
        with lap("write"):
            written = job.outputs["site"].write(path, data)
        unit.files.append(("site", path, len(data)))
        return written

    for lang in LANGS:
        unit.routes[lang] = []
        for page in job.renderer.program_pages(program, lang, package):
            unit.routes[lang].append(page.route)
            put(page.path, lambda page=page: job.renderer.render(page), "pages")
        if job.renderer.search:
            root = program.route(lang)
            with lap("search index"):
                bundle = index_for_search(job.outputs["site"].staging / root)
            for path, size in bundle:
                job.outputs["site"].claim(root + path)
                unit.files.append(("site", root + path, size))
    for path, make in export.downloads(program):
        put(path, make, "downloads")
    for path, data in package_files([package]):
        written = put(f"datapackages/{path}", lambda data=data: data, "packages")
        with lap("write"):
            job.outputs["data"].link(path, written)  # site/datapackages/ and datapackages/ hold the same bytes
        unit.files.append(("data", path, len(data)))
    return unit


def _program_units(job: _Job, workers: int) -> Iterator[tuple[int, Unit]]:
    """The shared unit and every program's unit, as each is done.

    Workers take the shared unit and then the biggest programs first, so that none is left
    rendering a big one alone at the end (on a council's site of five programs, that was a
    third of the build).
    """
    global _JOB
    _JOB = job
    programs = job.site.programs
    try:
        with ExitStack() as stack:
            if workers <= 1:
                order = [SHARED, *range(len(programs))]
                made: Iterator[Unit] = map(program_unit, order)
            else:
                order = [SHARED, *sorted(range(len(programs)), key=lambda i: -_pages(programs[i]))]
                made = stack.enter_context(worker_pool(workers)).imap(program_unit, order, chunksize=1)
            for done, (index, unit) in enumerate(zip(order, made), 1):
                yield index, unit
                if job.progress:
                    job.progress(done, len(order))
    finally:
        _JOB = None


def _pages(program: ProgramView) -> int:
    return len(program.indicators) + len(program.tasks) + len(program.program.sections) + len(program.priorities)


def shared_unit() -> Unit:
    """The chooser, the home pages, the comparisons and the site's search index.

    They need every program's data but none of its files, so a worker makes them while the
    others render programs; what needs the programs' files or units (the all-programs package
    and its page, the DCAT catalogue, the sitemap) is left to the end.
    """
    job = _JOB
    assert job is not None
    renderer, out = job.renderer, job.outputs["site"]
    seconds: dict[str, float] = {}
    lap = _Stopwatch(seconds)
    unit = Unit("", {}, [], {}, seconds=seconds)
    for page in [renderer.chooser_page(), *(page for lang in LANGS for page in shared_pages(renderer, lang))]:
        with lap("pages"):
            data = renderer.render(page)
        with lap("write"):
            out.write(page.path, data)
        unit.files.append(("site", page.path, len(data)))
    if renderer.search:
        with lap("search index"):
            for path, size in index_for_search(out.staging, SHARED_SEARCH_GLOB, runtime=True):
                out.claim(path)
                unit.files.append(("site", path, size))
    return unit


def shared_pages(renderer: Renderer, lang: str) -> list[Page]:
    """The home page and the comparisons, in one language (the sitemap's order)."""
    return [renderer.home_page(lang), *renderer.comparison_pages(lang)]


def site_routes(renderer: Renderer, program_routes: list[bytes], all_data: dict[str, Page]) -> Iterator[str]:
    """Every page's route in the site's order: chooser, then per language home, programs, all data, comparisons.

    ``program_routes``: each program's routes by language, ``packed``.
    """
    yield renderer.chooser_page().route
    for lang in LANGS:
        home, *comparisons = shared_pages(renderer, lang)
        yield home.route
        for packed in program_routes:
            yield from unpacked(packed)[lang]
        yield all_data[lang].route
        yield from (page.route for page in comparisons)


def packed(value: object) -> bytes:
    """JSON, compressed: how the main process keeps what each program's worker reports until the end.

    Held as lists of strings, the paths and routes of a national site were the build's peak of memory.
    """
    return zlib.compress(json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(), 1)


def unpacked(data: bytes) -> Any:  # noqa: ANN401 - what was packed
    return json.loads(zlib.decompress(data))


def closing_files(renderer: Renderer, templates: Path, pages: list[Page],
                  routes: Iterable[str]) -> Iterator[tuple[str, str, Callable[[], bytes]]]:
    """The files made last, as (stage, path, how to make its bytes)."""
    for page in pages:
        yield "pages", page.path, (lambda page=page: renderer.render(page))
    yield "pages", "404.html", renderer.not_found
    for asset in sorted((templates / "assets").iterdir()):
        yield "pages", f"assets/{asset.name}", asset.read_bytes
    base = renderer.base_url
    for path, data in sitemaps(base, routes):
        yield "pages", path, (lambda data=data: data)
    yield "pages", "robots.txt", lambda: f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n".encode()


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


def write_all_package(site: SiteView, date: str | None, base_url: str, units: list[Unit],
                      data_out: OutputFolder, out: OutputFolder) -> tuple[Package, list[int]]:
    """The all-programs package, made from the programs' own CSVs and streamed: never all rows in memory at once."""
    descriptor = all_descriptor(site, date, base_url)
    members = {"all/datapackage.json": data_out.write("all/datapackage.json", descriptor_bytes(descriptor))}
    for table in TABLES:
        name = f"all/{table.name}.csv"
        parts = [data_out.staging / program.id / f"{table.name}.csv" for program in site.programs]
        with data_out.open(name) as handle:
            for chunk in concatenated_csv(table, parts):
                handle.write(chunk)
        members[name] = Path(handle.name)
    with data_out.open("all.zip") as handle:
        write_zip(handle, dict(members))
    members["all.zip"] = Path(handle.name)
    for name, path in sorted(members.items()):
        out.link(f"datapackages/{name}", path)
    counts = {table.name: sum(unit.rows[table.name] for unit in units) for table in TABLES}
    preview = {table.name: csv_preview(members[f"all/{table.name}.csv"]) for table in TABLES}
    return Package("all", descriptor, preview, counts), [path.stat().st_size for path in members.values()]


def _previous_manifest(output: Path) -> dict[str, tuple[str, bytes]]:
    """Each program's key and its line, packed; read a line at a time, as it was written.

    Read whole, a national manifest (70 MB of JSON) was 350 MB of Python objects, in the
    build and in each worker: the peak of a rebuild's memory. A line that cannot be read
    is left out, and that program rendered again.
    """
    found: dict[str, tuple[str, bytes]] = {}
    try:
        with open(output / MANIFEST, "rb") as lines:
            if json.loads(lines.readline()) != {"version": MANIFEST_VERSION}:
                return {}
            for line in lines:
                try:
                    entry = json.loads(line)
                    program_id, key = entry["id"], entry["key"]
                except (ValueError, KeyError, TypeError):
                    continue
                if isinstance(program_id, str) and isinstance(key, str):
                    found[program_id] = (key, zlib.compress(line, 1))
    except (OSError, ValueError):
        return {}
    return found



class SearchIndexError(RuntimeError):
    """Pagefind is missing or failed; the message says why."""


# What Pagefind writes that our pages do not use: its ready-made interfaces (search.js is ours).
SEARCH_UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
                 "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
# Pagefind's runtime: published once, with the site's own index; a program's index is merged into it.
SEARCH_RUNTIME = ("pagefind.js", "pagefind-worker.js", "wasm.*.pagefind")
# The pages the site's own index covers: the home pages and the comparisons across hromadas.
SHARED_SEARCH_GLOB = "{uk,en}/{index.html,indicators/**/*.html}"


def index_for_search(folder: Path, glob: str | None = None, runtime: bool = False) -> list[tuple[str, int]]:
    """Index pages under ``folder`` into ``folder/pagefind/``; returns its files, relative to folder.

    Each program has its own index per language, built beside its pages, and the site one
    more for its shared pages, which carries Pagefind's runtime. Not one index for the whole
    site: Pagefind's time and memory grow with what it indexes at once (a national index would
    need about 15 GB), and an unchanged program keeps its index from the previous build.
    """
    executable = get_executable()
    if executable is None:
        raise SearchIndexError("pagefind is not installed: pip install 'pagefind[extended]'")
    command = [str(executable), "--site", str(folder), "--silent"] + (["--glob", glob] if glob else [])
    # Dies with the build: an indexer outliving a killed build could write into the next one's staging.
    result = subprocess.run(command, capture_output=True, text=True, check=False, preexec_fn=die_with_parent)
    if result.returncode != 0:
        reason = result.stderr.strip() or result.stdout.strip()
        # A full disk or an unwritable folder is the writer's problem, not the indexer's: said as such.
        if result.returncode == -signal.SIGXFSZ:
            raise OSError(errno.EFBIG, os.strerror(errno.EFBIG), str(folder))
        if found := re.search(r"\(os error (\d+)\)", reason):
            code = int(found.group(1))
            raise OSError(code, os.strerror(code), str(folder))
        raise SearchIndexError(f"pagefind failed: {reason or f'exit status {result.returncode}'}")
    bundle = folder / "pagefind"
    for pattern in SEARCH_UNUSED + (() if runtime else SEARCH_RUNTIME):
        for path in bundle.glob(pattern):
            path.unlink()
    # Pagefind writes its language map in hash order, which varies from run to run;
    # sorted, the same pages give the same bytes.
    entry = bundle / "pagefind-entry.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["languages"] = dict(sorted(data["languages"].items()))
    entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return [(path.relative_to(folder).as_posix(), path.stat().st_size)
            for path in sorted(bundle.rglob("*")) if path.is_file()]


def build(
    content: Path,
    output: Path,
    *,
    templates: Path | None = None,
    base_url: str = "/",
    search: bool = True,
    packages_out: Path | None = None,
    workers: int | None = None,
    incremental: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    """Validate, then write site/ and datapackages/ whole, or not at all.

    A program whose inputs match the previous build's manifest is linked from
    the previous output instead of rendered again; the result is the same bytes.
    Programs are rendered in ``workers`` processes (default: one per core).
    """
    with fewer_collections():
        return _build(content, output, templates=templates, base_url=base_url, search=search,
                      packages_out=packages_out, workers=workers, incremental=incremental, progress=progress)


def _build(content: Path, output: Path, *, templates: Path | None, base_url: str, search: bool,
           packages_out: Path | None, workers: int | None, incremental: bool,
           progress: Callable[[int, int], None] | None) -> BuildResult:
    seconds: dict[str, float] = {}
    lap = _Stopwatch(seconds)
    with lap("validate"):
        corpus = validate(content, workers=workers)
    result = BuildResult(corpus, seconds=seconds)
    if corpus.has_errors:
        return result
    templates = templates or (Path("templates") if Path("templates/base.html").is_file() else PACKAGE_TEMPLATES)
    packages_out = packages_out or output.with_name("datapackages")
    with lap("assemble"):
        site = assemble(corpus)
        date = data_date(content)
        base_url = base_url if base_url.endswith("/") else base_url + "/"
        renderer = Renderer(templates, site, base_url, search)
    with lap("keys"):
        shared = shared_key(content, templates, base_url, date, search)
        keys = [program_key(program.source.folder, shared) for program in site.programs]
        previous = _previous_manifest(output) if incremental else {}
    if workers is None:
        workers = default_workers(len(site.programs))
    written = files = pages = 0
    with OutputFolder(output) as out, OutputFolder(packages_out) as data_out:
        outputs = {"site": out, "data": data_out}
        job = _Job(renderer, site, outputs, keys, previous, {"site": out.target, "data": data_out.target}, date,
                   progress)
        done: dict[int, Unit] = {}
        entries: dict[str, bytes] = {}  # program id -> its manifest entry, packed
        routes: dict[int, bytes] = {}  # program index -> its routes by language, packed
        with lap("programs"):
            for index, unit in _program_units(job, workers):
                for stage, spent in unit.seconds.items():
                    seconds[stage] = seconds.get(stage, 0.0) + spent
                written += unit.size
                files += unit.site_files
                pages += unit.pages
                if index == SHARED:
                    if workers > 1:
                        for tree, path, _ in unit.files:
                            outputs[tree].claim(path)  # written in a worker: check nothing else writes it
                    continue
                # Packed by the worker (see sealed): at national size, 475,000 paths and 247,000
                # routes held as strings until the end were the build's peak of memory.
                entries[site.programs[index].id] = unit.entry
                routes[index] = unit.packed_routes
                done[index] = unit
        units = [done[index] for index in range(len(site.programs))]
        result.programs_reused = sum(unit.reused for unit in units)
        with lap("packages"):
            all_package, sizes = write_all_package(site, date, base_url, units, data_out, out)
            turtle = {program.id: unit.dcat for program, unit in zip(site.programs, units)}
            turtle["all"] = dataset_turtle(all_package, base_url, date)
            names = catalogue_order(list(turtle), base_url)
            catalogue = catalogue_turtle(names, (turtle[name] for name in names), base_url)
        with lap("write"):
            out.write("catalog.ttl", catalogue)
        files += len(sizes) + 1
        written += sum(sizes) + len(catalogue)
        all_data = {lang: renderer.dataset_page(all_package, None, lang) for lang in LANGS}
        for stage, path, make in closing_files(renderer, templates, list(all_data.values()),
                                               site_routes(renderer, [routes[i] for i in range(len(units))], all_data)):
            with lap(stage):
                data = make()
            with lap("write"):
                out.write(path, data)
            written += len(data)
            files += 1
            pages += path.endswith(".html")
        with out.open(MANIFEST) as handle:  # streamed, a line per program (JSON escapes every newline in it)
            handle.write(json.dumps({"version": MANIFEST_VERSION}).encode() + b"\n")
            for program_id in sorted(entries):
                handle.write(zlib.decompress(entries[program_id]) + b"\n")
        with lap("write"):
            data_out.commit()
            out.commit()
    result.bytes = written
    result.pages = pages
    result.files = files
    result.built = True
    return result

