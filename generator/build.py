"""The build: validate, assemble, render and export, then swap the new site in.

An incremental build (the default when the previous output and its manifest are there) checks,
assembles and renders only the programs whose sources changed, and updates the outputs in place:
the pages that list every program are joined from what each program's worker rendered of it,
kept in the manifest.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import resource
import stat
import subprocess
import threading
import time
import zlib
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Container, Iterable, Iterator
from xml.sax.saxutils import escape as xml_escape

from . import export
from .assemble import LANGS, ProgramView, SiteView, assemble, route
from .datapackage import (TABLES, Package, ZipMember, all_descriptor, concatenated_csv, csv_header, csv_preview, deflated,
                          descriptor_bytes, package_files, program_package, source_of, write_zip)
from .dcat import catalog_turtle, catalogue_order, catalogue_turtle, dataset_turtle
from .model import CatalogueEntry, Text
from .parallel import default_workers, fewer_collections, worker_pool
from .problems import Problem
from .render import SEARCH_INDEX, Listed, Renderer, shown, sort_key
from .validate import PROGRAM_ID, Corpus, check, check_catalogue, check_program, problem_order, program_folders
from .write import OutputBusy, OutputFolder, UnsafeOutputPath, safe_relative

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass
class BuildResult:
    corpus: Corpus  # its catalogue and problems; its programs are let go once rendered
    pages: int = 0
    files: int = 0
    bytes: int = 0
    built: bool = False
    seconds: dict[str, float] = field(default_factory=dict)  # time by stage (summed over workers)
    peaks: dict[str, float] = field(default_factory=dict)  # peak RSS by the end of each step of the build, MiB
    # The most the build's processes together could have held at once: the sum of each one's
    # peak RSS (an upper bound: pages they share are counted in each), MiB.
    memory: float = 0.0
    programs_reused: int = 0  # left as the previous build made them


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


def own_peak_mib() -> float:
    """The most memory this process has held: MiB.

    From the kernel's high-water mark where there is one: on Linux, ru_maxrss also counts
    what the process that started it held before ``exec``.
    """
    with suppress(OSError, StopIteration, ValueError), open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB (Linux)


def peak_rss_mib() -> float:
    """The most memory this process, or any child it has waited for (a worker), has held: MiB."""
    return max(own_peak_mib(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


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


# A line of {"version", "shared", "catalog", "all", "common"}, then one per program, by id.
MANIFEST = ".build-manifest.jsonl"
MANIFEST_VERSION = 8
GENERATOR = Path(__file__).resolve().parent


def _digest(*parts: bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return hasher.hexdigest()


def _tree(folder: str, prefix: str = "") -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every file (or link, or other non-folder) under ``folder``, as (path relative to it, entry); links not followed."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    yield from _tree(entry.path, f"{prefix}{entry.name}/")
            else:
                yield f"{prefix}{entry.name}", entry


Listing = list[tuple[str, str, os.stat_result]]  # (path relative to the folder, path, its lstat), in order


def _listing(folder: Path) -> Listing:
    """Every file (or link, or other non-folder) under ``folder``, sorted; links not followed."""
    return [(relative, entry.path, entry.stat(follow_symlinks=False)) for relative, entry in sorted(_tree(str(folder)))]


def _tree_digest(listing: Listing, hasher: Any) -> None:  # noqa: ANN401 - a hashlib object
    """Feed ``hasher`` each listed file in order: its path and bytes; a link: where it points.

    Files are read in blocks, never whole, and nothing but plain files is opened (a key is made
    before the content is checked, and content is untrusted).
    """
    for relative, path, info in listing:
        hasher.update(b"\0" + relative.encode("utf-8", "surrogateescape") + b"\0")
        if stat.S_ISLNK(info.st_mode):
            hasher.update(b"link " + os.fsencode(os.readlink(path)))
        elif stat.S_ISREG(info.st_mode):
            hasher.update(info.st_size.to_bytes(8, "big"))
            descriptor = os.open(path, os.O_RDONLY)  # unbuffered: a fifth quicker over 17,000 small files
            try:
                while block := os.read(descriptor, 1 << 20):
                    hasher.update(block)
            finally:
                os.close(descriptor)
        else:
            hasher.update(b"other")


def shared_key(content: Path, templates: Path, base_url: str, date: str | None, search: bool,
               offline: bool = False) -> str:
    """What every program's pages depend on besides the program itself (with search, a program's
    page has a search form and the program an index; in an offline copy, links name files)."""
    hasher = hashlib.sha256()
    for path in sorted(GENERATOR.glob("*.py")):
        hasher.update(path.name.encode() + b"\0" + path.read_bytes())
    _tree_digest(_listing(templates), hasher)
    catalogue = content / "catalogue.yaml"
    hasher.update(_digest(catalogue.read_bytes() if catalogue.is_file() and not catalogue.is_symlink() else b"",
                          base_url.encode(), (date or "").encode(), b"search" if search else b"",
                          b"offline" if offline else b"").encode())
    return hasher.hexdigest()


def program_key(folder: Path, shared: str, listing: Listing | None = None) -> str:
    """A program's pages, downloads and package change only when this changes."""
    hasher = hashlib.sha256(shared.encode())
    _tree_digest(_listing(folder) if listing is None else listing, hasher)
    return hasher.hexdigest()


# A file changed this recently may change again within one tick of the file system's clock
# (a few ms), and keep its times: its program gets no stamp, and is read again next time.
RECENT_NS = 2_000_000_000


def program_stamp(listing: Listing, now_ns: int) -> str | None:
    """What the file system says of a program's files: their names, types, sizes, times and inodes.

    As git trusts its index: while a program's stamp is the one recorded with its key, its files
    are those that were read for the key. A write changes a file's ctime, which no program can
    set back, so an edit that keeps the size and restores the mtime still shows. None while a
    file is newer than RECENT_NS.
    """
    hasher = hashlib.sha256()
    for relative, _, info in listing:
        if max(info.st_ctime_ns, info.st_mtime_ns) > now_ns - RECENT_NS:
            return None
        hasher.update(f"\0{relative}\0{info.st_mode} {info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} "
                      f"{info.st_ino} {info.st_dev}".encode("utf-8", "surrogateescape"))
    return hasher.hexdigest()


def program_keys(content: Path, shared: str,
                 known: dict[str, list[str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each program's key, and its [stamp, key] where it has a stamp, by id. A program whose stamp
    is ``known`` keeps the key known with it, its files unread (hashing them all took 0.26 s at
    national size)."""
    now = time.time_ns()  # before any file is looked at: a file written after this is never stamped
    keys: dict[str, str] = {}
    stamps: dict[str, list[str]] = {}
    for folder in program_folders(content)[0]:
        listing = _listing(folder)  # looked at once, for the stamp and, if need be, the key
        stamp = program_stamp(listing, now)
        old = known.get(folder.name)
        keys[folder.name] = (old[1] if stamp is not None and old and old[0] == stamp
                             else program_key(folder, shared, listing))
        if stamp is not None:
            stamps[folder.name] = [stamp, keys[folder.name]]
    return keys, stamps


def committing_file(output: Path) -> Path:
    """Beside the output, there while a build puts its two outputs in place, datapackages/ then site/.

    Each folder is swapped in whole (or moved in under its journal), but not both at once: a build
    killed between the two leaves new packages beside the old site and its manifest, each looking
    whole. Finding this file, the next build starts from scratch instead of taking the packages for
    what the manifest says they are (it would join the all-programs package from them).
    """
    return output.with_name(f".{output.name}.committing")


def stamps_file(output: Path) -> Path:
    """Beside the output, not in it, as its lock and journal are: a stamp holds inodes and times,
    which differ from machine to machine, and the output is the same bytes wherever it is built."""
    return output.with_name(f".{output.name}.stamps")


def read_stamps(output: Path, shared: str) -> dict[str, list[str]]:
    """The stamps the last build recorded with its keys (see program_keys); none if it was built
    with other templates, catalogue or base URL, or the file is not one a build wrote."""
    try:
        data = export.json_value(stamps_file(output).read_bytes())
        stamps = data["programs"]
        if data["shared"] != shared or not all(
                isinstance(pair, list) and len(pair) == 2 and all(isinstance(h, str) and HEX64.fullmatch(h) for h in pair)
                for pair in stamps.values()):
            return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
    return stamps


def write_stamps(output: Path, shared: str, stamps: dict[str, list[str]]) -> None:
    """After the output is in place. Only a cache: if it cannot be written, the next build reads every program."""
    path = stamps_file(output)
    pending = path.with_name(path.name + ".new")
    try:
        pending.write_text(json.dumps({"shared": shared, "programs": stamps}, sort_keys=True), encoding="utf-8")
        os.replace(pending, path)
    except OSError:  # the stamps of an earlier build, if any, are still true: each pairs files with their key
        with suppress(OSError):
            pending.unlink(missing_ok=True)


HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass
class Unit:
    """What a worker made of one program: its manifest line, and what the site's common pages need of it."""
    program_id: str
    line: bytes  # its manifest line but for the head (see manifest_line), packed
    common: bytes  # packed (see ProgramPart)
    routes: bytes  # its pages' routes by language, packed (for the sitemap)


def _json(value: object) -> bytes:
    return export.compact_json(value, sort_keys=True)


def manifest_line(program_id: str, key: str, common: dict[str, Any], routes: dict[str, list[str]]) -> bytes:
    """``{"id", "key", "common", "routes"}``, in that order, so that a build can read the head and
    the common part without reading the routes, most of the line (see Previous).

    Not the program's files: they are what lies in its own folders (see own_paths), which an update
    lists when it takes them out. Listed here, they were half the manifest (60 of 116 MB with search).
    """
    return manifest_head(program_id, key) + manifest_tail(common, routes)


def manifest_head(program_id: str, key: str) -> bytes:
    """What the main process knows of a program before it is rendered, or if it is not."""
    return b'{"id":' + _json(program_id) + b',"key":' + _json(key) + b","


def manifest_tail(common: dict[str, Any], routes: dict[str, list[str]]) -> bytes:
    """What its worker makes."""
    return b'"common":' + _json(common) + b',"routes":' + _json(routes) + b"}"


def sealed(program_id: str, common: dict[str, Any], routes: dict[str, list[str]],
           files: list[tuple[str, str, int]]) -> Unit:
    """A program's unit, checked and packed by the worker that made it.

    Its files must lie in its own folders, else one program could overwrite another's, and an
    update that takes a program's files out by its folders would miss some. Then the
    main process gets bytes: at national size, the lists of 475,000 paths and 247,000 routes
    were the build's peak of memory.
    """
    own = own_paths(program_id)
    if not all(path.startswith(own[tree]) for tree, path, _ in files):
        raise UnsafeOutputPath(f"{program_id}: a file outside its own folders")
    common["tally"] = [sum(path.endswith(".html") for _, path, _ in files), sum(tree == "site" for tree, _, _ in files),
                       sum(size for _, _, size in files)]
    return Unit(program_id, packed_bytes(manifest_tail(common, routes)), packed(common), packed(routes))


class _SourceErrors(Exception):
    """A source has an error: the build stops before it writes, having checked every program."""


class ManifestDamaged(ValueError):
    """The previous manifest cannot be trusted: the build starts from scratch."""


@dataclass
class ProgramPart:
    """What the site's common pages need of a program, as its worker made it (kept in the manifest)."""
    rows: dict[str, int]  # in each table of its data package
    dcat: str  # its dataset in the DCAT catalogue, as Turtle
    source: dict[str, str]  # its document, in the all-programs package's sources
    home: list[str]  # its entry on the home page, by language (LANGS order)
    oblast: dict[str, str] | None  # its hromada's oblast (a Text), by which a long home page groups it
    names: list[str]  # its hromada's name as shown, by language, by which the home page orders it
    uses: list[list[str]]  # [code, entry in uk, entry in en] for each indicator on a comparison page
    tally: list[int]  # its pages, its files in the site, the bytes of its files
    problems: list[list[Any]]  # Problem.plain, relative to its folder
    zip: dict[str, list[int]]  # where each table's rows lie compressed in its zip (see package_zip)

    @classmethod
    def check(cls, data: Any) -> "ProgramPart":  # noqa: ANN401 - read from the manifest
        """From the manifest, which the build trusts no further than it can check."""
        try:
            part = cls(**data)
            strings = [part.dcat, *part.source.values(), *part.home, *(text for use in part.uses for text in use),
                       *part.names]
            if part.oblast is not None:
                Text(**part.oblast)
            if not (all(isinstance(s, str) for s in strings) and len(part.home) == len(LANGS) == len(part.names)
                    and all(len(use) == 1 + len(LANGS) for use in part.uses)
                    and sorted(part.rows) == sorted(t.name for t in TABLES)
                    and all(isinstance(n, int) for n in [*part.rows.values(), *part.tally]) and len(part.tally) == 3
                    and sorted(part.zip) == sorted(part.rows)
                    and all(len(place) == 2 and all(isinstance(n, int) and n >= 0 for n in place)
                            for place in part.zip.values())
                    and isinstance(part.problems, list)):
                raise ValueError
        except (TypeError, ValueError, AttributeError) as error:
            raise ManifestDamaged("a program's common part") from error
        return part

    def restored_problems(self, folder: Path) -> list[Problem]:
        try:
            return [Problem.from_plain(plain, str(folder)) for plain in self.problems]
        except (TypeError, ValueError, KeyError, IndexError) as error:
            raise ManifestDamaged("a program's problems") from error


_LINE_START = re.compile(rb'\{"id":("(?:[^"\\]|\\.)*"),"key":"([0-9a-f]{64})",(?="common":)')


@dataclass
class PreviousProgram:
    key: str
    line: bytes
    common: ProgramPart
    routes_at: int  # where its routes start in the line (they end before the line's last brace)

    def routes(self) -> dict[str, list[str]]:
        try:
            routes = export.json_value(self.line[self.routes_at:-1])
            if not (isinstance(routes, dict) and sorted(routes) == sorted(LANGS)
                    and all(isinstance(r, str) for lang in LANGS for r in routes[lang])):
                raise ValueError
        except (ValueError, TypeError) as error:
            raise ManifestDamaged("a program's routes") from error
        return routes


@dataclass
class Previous:
    """The previous build's manifest: every program's key, line and common part; the site's common files."""
    shared: str  # the shared key it was built with
    catalog: str  # the DCAT catalogue's own node (see dcat.catalog_turtle)
    all_dataset: tuple[str, str]  # the all-programs package's dataset, as Turtle, with the digest of what it is made of
    common_files: dict[tuple[str, str], int]  # (output, path) -> size
    programs: dict[str, PreviousProgram]

    @classmethod
    def read(cls, output: Path) -> "Previous | None":
        """None when there is no manifest; ManifestDamaged when it cannot be trusted whole.

        Its lines are kept as bytes and decoded a part at a time: decoded whole, a national manifest
        (70 MB) was 350 MB of Python objects.
        """
        try:
            with open(output / MANIFEST, "rb") as manifest:
                data = manifest.read()
        except OSError:
            return None
        programs: dict[str, PreviousProgram] = {}
        if not data.endswith(b"\n"):  # empty, or cut short
            raise ManifestDamaged(str(output / MANIFEST))
        first, *lines = data.split(b"\n")
        lines.pop()  # what follows the last newline: nothing
        del data
        try:
            head = export.json_value(first)
            if head.get("version") != MANIFEST_VERSION:
                return None
            common = {}
            for tree, path, size in head["common"]:
                if tree not in ("site", "data") or not safe_relative(path) or not isinstance(size, int):
                    raise ValueError
                common[(tree, path)] = size
            for line in lines:
                # Only the part before the routes is read now (the routes, most of the line, are read
                # for the programs that need them). Inside JSON strings quotes are escaped,
                # so the first ',"routes":{' ends the common part, or the line is damaged.
                # Read from the bytes, not decoded whole: orjson checks the UTF-8 of what it reads.
                cut = line.find(b',"routes":{')
                start = _LINE_START.match(line, 0, max(cut, 0))
                if cut < 0 or not start or not line.endswith(b"]}}"):  # whole, to the end of its routes
                    raise ValueError
                program_id = export.json_value(start.group(1))
                part = export.json_value(line[start.end() + len(b'"common":'):cut])
                if not isinstance(program_id, str) or not PROGRAM_ID.match(program_id) or program_id in programs:
                    raise ValueError
                programs[program_id] = PreviousProgram(start.group(2).decode(), line,
                                                       ProgramPart.check(part), cut + len(b',"routes":'))
            all_dataset = tuple(head["all"])
            if not (isinstance(head["shared"], str) and isinstance(head["catalog"], str)
                    and isinstance(head["all"], list) and len(all_dataset) == 2
                    and all(isinstance(text, str) for text in all_dataset)):
                raise ValueError
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ManifestDamaged(str(output / MANIFEST)) from error
        return cls(head["shared"], head["catalog"], all_dataset, common, programs)


@dataclass
class _Job:
    """Handed to the worker processes by fork: what checking and rendering any program needs.

    Not the programs: each worker reads, checks and assembles its own, so that no process
    holds them all. Held in the main process and shared by fork, a national corpus was 830 MiB,
    and the workers copied it page by page as they touched it: 1.7 GiB in all.
    """
    renderer: Renderer
    catalogue: list[CatalogueEntry]
    codes: set[str]  # the catalogue's codes
    folders: list[Path]  # the programs to check and render
    outputs: dict[str, OutputFolder]
    date: str | None
    progress: Callable[[int, int], None] | None
    failed: Any  # an Event, set once a source has an error: from then on, programs are only checked


@dataclass
class Checked:
    """What a worker made of one program folder."""
    problems: list[Problem]
    unit: Unit | None  # None: not rendered (an error here or elsewhere)
    seconds: dict[str, float]
    memory: tuple[int, float]  # the worker's pid and its peak RSS so far, MiB


_JOB: _Job | None = None


def own_paths(program_id: str) -> dict[str, tuple[str, ...]]:
    """Where a program's files may lie, by output: no other program's, nor the common pages' (an id ends in years)."""
    return {"site": (f"uk/{program_id}/", f"en/{program_id}/", f"data/{program_id}/", f"datapackages/{program_id}/",
                     f"datapackages/{program_id}.zip"),
            "data": (f"{program_id}/", f"{program_id}.zip")}


def program_unit(index: int) -> Checked:
    """Check one program; unless a source has an error, assemble it and write its pages, downloads and package."""
    job = _JOB
    assert job is not None
    seconds: dict[str, float] = {}
    lap = _Stopwatch(seconds)
    with lap("validate"):
        source, problems = check_program(job.folders[index], job.codes)
        problems.sort(key=problem_order)  # the order the pages list them in
    if any(problem.severity == "error" for problem in problems):
        job.failed.set()
    if source is None or job.failed.is_set():
        return Checked(problems, None, seconds, (os.getpid(), own_peak_mib()))
    with lap("assemble"):
        program = assemble(Corpus(job.catalogue, [source], problems)).programs[0]
    unit = _render_program(job, program, lap)
    for output in job.outputs.values():
        output.forget()
    # Nothing else holds the program (render_page leaves no cycle through a page's values): it goes
    # now. Until December 2026 each page's context kept it in a reference cycle, and collecting those
    # after each program took 8% of a build's time.
    with lap("free"):
        del source, program
    return Checked(problems, unit, seconds, (os.getpid(), own_peak_mib()))


def _render_program(job: _Job, program: ProgramView, lap: _Stopwatch) -> Unit:
    renderer = job.renderer
    with lap("packages"):
        package = program_package(program, job.date, renderer.base_url)
        dcat = dataset_turtle(package, renderer.base_url, job.date)
    with lap("pages"):
        by_lang = [renderer.comparison_entries(program, lang) for lang in LANGS]
        uses = [[items[0][0], *(entry for _, entry in items)] for items in zip(*by_lang)]
        common = {"rows": {name: len(rows) for name, rows in package.tables.items()}, "dcat": dcat,
                  "source": source_of(program), "home": [renderer.home_entry(program, lang) for lang in LANGS],
                  "oblast": hromada.oblast.model_dump(exclude_none=True) if (hromada := program.program.hromada).oblast
                  else None, "names": [shown(hromada.name, lang) for lang in LANGS],
                  "uses": uses, "problems": [p.plain(str(program.source.folder)) for p in program.problems]}
    routes: dict[str, list[str]] = {}
    files: list[tuple[str, str, int]] = []

    write, seconds, clock = job.outputs["site"].write, lap.into, time.perf_counter

    def put(path: str, make: Callable[[], bytes], stage: str) -> str:
        # Timed by hand, not by two laps: this runs for each of the half a million files of a national build.
        start = clock()
        data = make()
        made = clock()
        written = write(path, data)
        seconds[stage] = seconds.get(stage, 0.0) + made - start
        seconds["write"] = seconds.get("write", 0.0) + clock() - made
        files.append(("site", path, len(data)))
        return written

    for lang in LANGS:
        routes[lang] = []
        with lap("pages"):  # what the pages show beyond the model: each section's Markdown, the charts...
            pages = list(renderer.program_pages(program, lang, package))
        for page in pages:
            routes[lang].append(page.route)
            put(page.path, lambda page=page: renderer.render(page), "pages")
    if renderer.search:
        for lang in LANGS:
            put(program.route(lang) + SEARCH_INDEX, lambda lang=lang: renderer.program_search_index(program, lang),
                "search index")
    for path, make in export.downloads(program):
        put(path, make, "downloads")
    with lap("packages"):
        package_paths, common["zip"] = package_files(package)
    for path, data in package_paths:
        written = put(f"datapackages/{path}", lambda data=data: data, "packages")
        with lap("write"):
            job.outputs["data"].link(path, written)  # site/datapackages/ and datapackages/ hold the same bytes
        files.append(("data", path, len(data)))
    return sealed(program.id, common, routes, files)


def _program_units(job: _Job, workers: int) -> Iterator[Checked]:
    """Every program folder's Checked, as each is done.

    Workers take the biggest sources first, so that none is left rendering a big one alone
    at the end (on a council's site of five programs, that was a third of the build).
    """
    global _JOB
    _JOB = job
    folders = job.folders
    try:
        with ExitStack() as stack:
            if workers <= 1:
                made: Iterator[Checked] = map(program_unit, range(len(folders)))
            else:
                order = sorted(range(len(folders)), key=lambda i: -_source_size(folders[i]))
                made = stack.enter_context(worker_pool(workers)).map(program_unit, order)
            for done, checked in enumerate(made, 1):
                yield checked
                if job.progress:
                    job.progress(done, len(folders))
    finally:
        _JOB = None


def _source_size(folder: Path) -> int:
    """The bytes of a program's sources: how much work it is, before it is read."""
    size = 0
    for place in (folder, folder / "sections"):
        with suppress(OSError), os.scandir(place) as entries:
            size += sum(entry.stat().st_size for entry in entries if entry.is_file())
    return size


def packed(value: object) -> bytes:
    """JSON, compressed: how the main process keeps what each program's worker reports until the end."""
    return packed_bytes(_json(value))


def packed_bytes(data: bytes) -> bytes:
    return zlib.compress(data, 1)


def unpacked(data: bytes) -> Any:  # noqa: ANN401 - what was packed
    return export.json_value(zlib.decompress(data))


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
    offline: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    """Validate, then write site/ and datapackages/ whole, or not at all.

    With ``incremental`` and the previous output's manifest, only the programs whose inputs
    changed are checked and rendered, and the outputs are updated in place; the result is the
    bytes of a full build. Programs are rendered in ``workers`` processes (default: one per core).
    With ``offline``, links name each page's index.html, for a copy browsed from a folder.
    """
    with fewer_collections():
        options = {"templates": templates, "base_url": base_url, "search": search, "packages_out": packages_out,
                   "workers": workers, "offline": offline, "progress": progress}
        if incremental:
            try:
                return _build(content, output, incremental=True, **options)
            except ManifestDamaged:  # found before the outputs were changed: start again from scratch
                pass
        return _build(content, output, incremental=False, **options)


def _build(content: Path, output: Path, *, templates: Path | None, base_url: str, search: bool,
           packages_out: Path | None, workers: int | None, incremental: bool, offline: bool,
           progress: Callable[[int, int], None] | None) -> BuildResult:
    seconds: dict[str, float] = {}
    peaks: dict[str, float] = {}  # by step: keys, programs (checked, assembled and rendered), then common pages (the rest)
    lap = _Stopwatch(seconds)
    templates = templates or (Path("templates") if Path("templates/base.html").is_file() else PACKAGE_TEMPLATES)
    packages_out = packages_out or output.with_name("datapackages")
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    with lap("keys"):
        date = data_date(content)
        shared = shared_key(content, templates, base_url, date, search, offline)
        for folder in (output, packages_out):
            OutputFolder(folder).recover()
        previous = Previous.read(output) if incremental and packages_out.is_dir() else None
        # Built with other templates, catalogue or base URL, every program is made again: a full
        # build then, swapped in whole, not moved in file by file.
        if previous is not None and previous.shared != shared:
            previous = None
        if previous is not None and committing_file(output).exists():
            raise ManifestDamaged(str(committing_file(output)))  # a build killed between its two outputs
        keys, stamps = program_keys(content, shared, read_stamps(output, shared) if incremental else {})
        unchanged = {program_id: old for program_id, old in (previous.programs.items() if previous else ())
                     if keys.get(program_id) == old.key}
    peaks["keys"] = peak_rss_mib()
    with lap("validate"):
        catalogue, problems = check_catalogue(content)
    # What the unchanged programs' checks found last time is reported again, as a full build would.
    restored = [problem for program_id, old in unchanged.items()
                for problem in old.common.restored_problems(content / program_id)]
    problems += restored
    folders = [folder for folder in program_folders(content)[0] if folder.name not in unchanged]
    if workers is None:
        workers = default_workers(len(folders))
    result = BuildResult(Corpus(catalogue, [], problems), seconds=seconds, peaks=peaks, programs_reused=len(unchanged))
    renderer = Renderer(templates, SiteView([], catalogue), base_url, search, offline)
    update = previous is not None
    failed = multiprocessing.get_context("fork").Event() if workers > 1 else threading.Event()
    if any(problem.severity == "error" for problem in problems):
        failed.set()  # the programs are still checked, so that every problem is reported at once
    memory: dict[int, float] = {}  # each worker's peak RSS, MiB
    entered = False
    try:
        with OutputFolder(output, update) as out, OutputFolder(packages_out, update) as data_out:
            entered = True
            outputs = {"site": out, "data": data_out}
            job = _Job(renderer, catalogue, {entry.code for entry in catalogue}, folders, outputs, date, progress,
                       failed)
            lines: dict[str, bytes] = {}  # program id -> its manifest line but for the head, packed
            made: dict[str, bytes] = {}  # program id -> its common part, packed
            routes: dict[str, bytes] = {}  # program id -> its routes, packed
            with lap("programs"):
                for checked in _program_units(job, workers):
                    for stage, spent in checked.seconds.items():
                        seconds[stage] = seconds.get(stage, 0.0) + spent
                    problems += checked.problems
                    pid, peak = checked.memory
                    memory[pid] = max(memory.get(pid, 0.0), peak)
                    if (unit := checked.unit) is not None:
                        lines[unit.program_id], made[unit.program_id] = unit.line, unit.common
                        routes[unit.program_id] = unit.routes
            problems.sort(key=problem_order)
            if failed.is_set():
                raise _SourceErrors  # nothing is written: the outputs stay as they were
            peaks["programs"] = peak_rss_mib()
            program_ids = sorted([*unchanged, *made])
            parts = [unchanged[i].common if i in unchanged else ProgramPart(**unpacked(made.pop(i))) for i in program_ids]
            if previous is not None:
                _remove_stale(previous, unchanged, outputs)
            common_files, catalog, all_dataset = _write_common(renderer, templates, program_ids, parts, previous,
                                                               unchanged, routes, date, outputs, lap)
            with out.open(MANIFEST) as handle:  # streamed, a line per program (JSON escapes every newline in it)
                head = {"version": MANIFEST_VERSION, "shared": shared, "catalog": catalog, "all": all_dataset,
                        "common": sorted(common_files)}
                handle.write(json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
                for program_id in program_ids:
                    if program_id in unchanged:
                        handle.write(unchanged[program_id].line + b"\n")
                    else:
                        handle.write(manifest_head(program_id, keys[program_id]) + zlib.decompress(lines[program_id])
                                     + b"\n")
            with lap("write"):
                committing_file(output).touch()
                data_out.commit()
                out.commit()
                with suppress(OSError):  # left, it costs the next build a full one, nothing worse
                    committing_file(output).unlink()
                write_stamps(output, shared, stamps)
    except _SourceErrors:
        return result
    except (OSError, OutputBusy):
        if entered:
            raise
        # Nowhere to write (a read-only folder, another build at work): what is wrong in the sources comes first.
        problems[:] = sorted([*check(content, workers=workers, skip=unchanged), *restored], key=problem_order)
        if result.corpus.has_errors:
            return result
        raise
    result.memory = own_peak_mib() + sum(peak for pid, peak in memory.items() if pid != os.getpid())
    peaks["common pages"] = peak_rss_mib()
    result.pages = sum(part.tally[0] for part in parts) + sum(path.endswith(".html") for tree, path, _ in common_files
                                                              if tree == "site")
    result.files = sum(part.tally[1] for part in parts) + sum(tree == "site" for tree, _, _ in common_files) + 1
    result.bytes = sum(part.tally[2] for part in parts) + sum(size for _, _, size in common_files)
    result.built = True
    return result


def _remove_stale(previous: Previous, unchanged: Container[str], outputs: dict[str, OutputFolder]) -> None:
    """In an update: what the previous output holds of the programs gone or changed goes, unless made again.

    All of it lies in their own folders (see sealed), so that is where it is looked for: whatever
    else is there, a full build would not have made either.
    """
    for program_id in previous.programs:
        if program_id not in unchanged:
            for tree, places in own_paths(program_id).items():
                for path in held(str(outputs[tree].target), places):
                    outputs[tree].remove(path)  # made again: staged, and moved in instead (see OutputFolder)


def held(root: str, places: Iterable[str]) -> Iterator[str]:
    """Every file under ``root`` in these places (``folder/`` or a file), as a path relative to it.

    A link is a file here, even to a folder: taken out, not followed. A name no build makes (not
    UTF-8, or with a backslash) was put there by hand: ManifestDamaged, for a full build to drop it.
    """
    def checked(relative: str) -> str:
        try:
            relative.encode()
        except UnicodeEncodeError as error:
            raise ManifestDamaged(f"{root}: a file named {relative!r}") from error
        if not safe_relative(relative):
            raise ManifestDamaged(f"{root}: a file named {relative!r}")
        return relative

    for place in places:
        path = f"{root}/{place.rstrip('/')}"
        if not place.endswith("/") or os.path.islink(path):
            if os.path.lexists(path):
                yield place.rstrip("/")
            continue
        for folder, folders, names in os.walk(path):
            relative = folder[len(root) + 1:]
            yield from (checked(f"{relative}/{name}") for name in names)
            yield from (checked(f"{relative}/{name}") for name in folders if os.path.islink(f"{folder}/{name}"))


def _write_common(renderer: Renderer, templates: Path, program_ids: list[str], parts: list[ProgramPart],
                  previous: Previous | None, unchanged: dict[str, PreviousProgram], routes: dict[str, bytes],
                  date: str | None, outputs: dict[str, OutputFolder],
                  lap: _Stopwatch) -> tuple[list[tuple[str, str, int]], str, tuple[str, str]]:
    """The files that draw on every program: home pages, comparisons, the all-programs package, the
    DCAT catalogue, the sitemap and the rest; as (output, path, size), with the catalogue's node
    and the all-programs dataset (see Previous).

    In an update (``previous``: a build with the same templates, catalogue and base URL), a comparison
    page none of whose programs changed, and a sitemap whose routes did not, stay as they are, and
    the files no longer made are removed.
    """
    out, data_out = outputs["site"], outputs["data"]
    files: list[tuple[str, str, int]] = []

    def put(path: str, make: Callable[[], bytes], stage: str = "pages") -> None:
        with lap(stage):
            data = make()
        with lap("write"):
            out.write(path, data)
        files.append(("site", path, len(data)))

    def keep(path: str) -> bool:
        """In an update, leave a file of the previous output as it is."""
        if previous is None or ("site", path) not in previous.common_files:
            return False
        files.append(("site", path, previous.common_files[("site", path)]))
        return True

    put("index.html", lambda: renderer.render(renderer.chooser_page()))
    oblasts = [Text(**part.oblast) if part.oblast else None for part in parts]
    for index, lang in enumerate(LANGS):
        on_home = [Listed(program_id, part.home[index], oblast, part.names[index])
                   for program_id, part, oblast in zip(program_ids, parts, oblasts)]
        page = renderer.home_page(lang, on_home)
        put(page.path, lambda page=page: renderer.render(page))
    # The comparisons: every program's entries, by code, each language's by the hromadas' names there.
    uses: dict[str, list[tuple[list[str], list[str]]]] = {}
    for part in parts:
        for use in part.uses:
            uses.setdefault(use[0], []).append((part.names, use[1:]))
    changed = [part for program_id, part in zip(program_ids, parts) if program_id not in unchanged]
    if previous is not None:
        changed += [old.common for program_id, old in previous.programs.items() if program_id not in unchanged]
    affected = {use[0] for part in changed for use in part.uses}
    entries: list[CatalogueEntry] = [entry for entry in renderer.site.catalogue if entry.code in uses]
    comparisons = [route(lang, "indicators", entry.code) for lang in LANGS for entry in entries]
    same_comparisons = previous is not None and set(comparisons) == {
        path[:-len("index.html")] for tree, path in previous.common_files
        if tree == "site" and path.split("/")[1:2] == ["indicators"]}
    for entry in entries:
        for index, lang in enumerate(LANGS):
            # Kept pages are not even sorted: sorting every comparison took a tenth of a national rebuild.
            if entry.code not in affected and keep(route(lang, "indicators", entry.code) + "index.html"):
                continue
            by_name = sorted(uses[entry.code], key=lambda use: (not use[0][index], sort_key(use[0][index], lang)))
            page = renderer.comparison_page(entry, lang, [texts[index] for _, texts in by_name])
            put(page.path, lambda page=page: renderer.render(page))
    if renderer.search:  # the comparisons, by what each indicator is: the same while the same ones are made
        for lang in LANGS:
            if not (same_comparisons and keep(route(lang) + SEARCH_INDEX)):
                put(route(lang) + SEARCH_INDEX, lambda lang=lang: renderer.site_search_index(entries, lang),
                    "search index")
    with lap("packages"):
        all_package, package_files_ = write_all_package(program_ids, parts, date, renderer.base_url, data_out, out,
                                                        unchanged)
        files += package_files_
        turtle = {program_id: part.dcat for program_id, part in zip(program_ids, parts)}
        # The all-programs dataset changes only with the programs' documents (rdflib takes 0.1 s for it).
        made_of = _digest(json.dumps(all_package.descriptor, sort_keys=True).encode(), renderer.base_url.encode(),
                          (date or "").encode())
        if previous is not None and previous.all_dataset[0] == made_of:
            all_dataset = previous.all_dataset
        else:
            all_dataset = (made_of, dataset_turtle(all_package, renderer.base_url, date))
        turtle["all"] = all_dataset[1]
        names = catalogue_order(list(turtle), renderer.base_url)
        same = previous is not None and set(program_ids) == set(previous.programs)
        catalog = previous.catalog if same and previous is not None else catalog_turtle(names, renderer.base_url)
        catalogue = catalogue_turtle(catalog, (turtle[name] for name in names))
    put("catalog.ttl", lambda: catalogue, "packages")
    for lang in LANGS:
        page = renderer.dataset_page(all_package, None, lang)
        put(page.path, lambda page=page: renderer.render(page))
    put("404.html", renderer.not_found)
    for asset in sorted((templates / "assets").iterdir()):
        put(f"assets/{asset.name}", asset.read_bytes)
    # The sitemap lists every page: made again only if some page came or went.
    old_sitemaps = sorted(path for tree, path in (previous.common_files if previous else ()) if path.startswith("sitemap"))
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
            keep(path)
    else:
        every = site_routes(lambda lang: (r for i in program_ids for r in program_routes(i)[lang]), comparisons)
        for path, data in sitemaps(renderer.base_url, every):
            put(path, lambda data=data: data)
    base = renderer.base_url
    put("robots.txt", lambda: f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n".encode())
    if previous is not None:
        now = {(tree, path) for tree, path, _ in files}
        for tree, path in previous.common_files:
            if (tree, path) not in now:
                outputs[tree].remove(path)
    return files, catalog, all_dataset


def site_routes(program_routes: Callable[[str], Iterator[str]], comparisons: list[str]) -> Iterator[str]:
    """Every page's route in the site's order: chooser, then per language home, programs, all data, comparisons."""
    yield ""
    for lang in LANGS:
        yield route(lang)
        yield from program_routes(lang)
        yield route(lang, "data")
        yield from (r for r in comparisons if r.startswith(f"{lang}/"))
