"""The build's sequence: plan, check and render every program, write what lists them all, put the outputs in place.

Programs are checked, assembled and rendered one at a time, each in a worker process
(``parallel.py``); only those whose sources changed since the last build (``incremental.py``). The
pages that list every program are joined from what each program's worker made of it
(``sitewide.py``). Nothing is put in place unless every program passed its checks (``write.py``).
"""

from __future__ import annotations

import os
import subprocess
import time
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterator

from . import export
from .compare import program_uses
from .assemble import ProgramView, SiteView, assemble
from .datapackage import package_files, program_package, source_of
from .dcat import dataset_turtle
from .incremental import (MANIFEST, ManifestDamaged, Plan, ProgramPart, Unit, committing_file, plan_build, sealed, unpacked,
                          write_manifest, write_stamps)
from .layout import ROOT_ROUTE
from .model import LANGS, CatalogueEntry, SiteSettings
from .parallel import default_workers, fewer_collections, new_event, worker_pool
from .problems import Problem
from .render import SEARCH_INDEX, Renderer, shown
from .search import program_search_index
from .sitewide import CommonFiles
from .validate import (Corpus, check, check_catalogue, check_program, check_settings, problem_order,
                       program_folders)
from .write import OutputBusy, OutputFolder

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


class Stopwatch:
    """``with lap("pages"): ...`` adds the time the block took to the stage's total in ``into``."""

    def __init__(self, into: dict[str, float]) -> None:
        self.into = into

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.into[stage] = self.into.get(stage, 0.0) + time.perf_counter() - start


def own_peak_mib() -> float:
    """The most memory this process has held, MiB: the kernel's high-water mark where it keeps one
    (on Linux, ru_maxrss also counts what the process that started it held before ``exec``)."""
    with suppress(OSError, StopIteration, ValueError), open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    try:
        import resource  # POSIX only
    except ImportError:
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def peak_rss_mib() -> float:
    """The most memory this process, or any child it has waited for (a worker), has held: MiB."""
    try:
        import resource  # POSIX only
    except ImportError:
        return own_peak_mib()
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


class _SourceErrors(Exception):
    """A source has an error: the build stops before it writes, having checked every program."""


@dataclass
class Job:
    """What checking and rendering any program needs, handed to each worker as it starts.

    Not the programs: each worker reads, checks and assembles its own, so that no process holds
    them all (a national corpus held whole took 1.7 GiB). A forked worker shares the parent's
    renderer; a spawned one (Windows, macOS) makes its own from the same settings.
    """
    templates: Path
    catalogue: list[CatalogueEntry]
    settings: SiteSettings
    base_url: str
    search: bool
    offline: bool
    folders: list[Path]  # the programs to check and render
    outputs: dict[str, OutputFolder]
    date: str | None
    failed: Any  # an Event, set once a source has an error: from then on, programs are only checked

    @cached_property
    def renderer(self) -> Renderer:
        return Renderer(self.templates, SiteView([], self.catalogue), self.base_url, self.search, self.offline,
                        self.settings)

    @cached_property
    def codes(self) -> set[str]:
        return {entry.code for entry in self.catalogue}

    def __getstate__(self) -> dict[str, Any]:
        """Pickled for a spawned worker: without what it makes again (Jinja's environments cannot be pickled)."""
        return {name: value for name, value in self.__dict__.items() if name not in ("renderer", "codes")}


@dataclass
class Checked:
    """What a worker made of one program folder."""
    problems: list[Problem]
    unit: Unit | None  # None: not rendered (an error here or elsewhere)
    seconds: dict[str, float]
    memory: tuple[int, float]  # the worker's pid and its peak RSS so far, MiB


_JOB: Job | None = None  # the job of this process: the build's own, or the one its worker was started with


def use_job(job: Job | None) -> None:
    global _JOB
    _JOB = job


def program_unit(index: int) -> Checked:
    """Check one program; unless a source has an error, assemble it and write its pages, downloads and package."""
    job = _JOB
    assert job is not None
    seconds: dict[str, float] = {}
    lap = Stopwatch(seconds)
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
    return Checked(problems, unit, seconds, (os.getpid(), own_peak_mib()))


def _common_part(renderer: Renderer, program: ProgramView, package: Any, dcat: str) -> dict[str, Any]:  # noqa: ANN401
    """What the pages that list every program need of this one (see incremental.ProgramPart)."""
    hromada = program.program.hromada
    return {"rows": {name: len(rows) for name, rows in package.tables.items()}, "dcat": dcat,
            "source": source_of(program), "home": [renderer.home_entry(program, lang) for lang in LANGS],
            "root_home": renderer.home_entry(program, LANGS[0], ROOT_ROUTE),
            "oblast": hromada.oblast.model_dump(exclude_none=True) if hromada.oblast else None,
            "hromada": hromada.name.model_dump(exclude_none=True) if hromada.name else None,
            "names": [shown(hromada.name, lang) for lang in LANGS],
            "uses": program_uses(renderer, program),
            "problems": [p.plain(str(program.source.folder)) for p in program.problems]}


def _render_program(job: Job, program: ProgramView, lap: Stopwatch) -> Unit:
    """A program's pages, search indexes, downloads and data package, written; its unit for the manifest."""
    renderer, site, data = job.renderer, job.outputs["site"], job.outputs["data"]
    with lap("packages"):
        package = program_package(program, job.date, renderer.base_url)
        dcat = dataset_turtle(package, renderer.base_url, job.date)
    with lap("pages"):
        common = _common_part(renderer, program, package, dcat)
    routes: dict[str, list[str]] = {lang: [] for lang in LANGS}
    files: list[tuple[str, str, int]] = []

    def put(path: str, make: Callable[[], bytes], stage: str) -> str:
        with lap(stage):
            made = make()
        with lap("write"):
            written = site.write(path, made)
        files.append(("site", path, len(made)))
        return written

    for lang in LANGS:
        with lap("pages"):
            pages = list(renderer.program_pages(program, lang, package))
        for page in pages:
            routes[lang].append(page.route)
            put(page.path, lambda page=page: renderer.render(page), "pages")
        if renderer.search:
            put(program.route(lang) + SEARCH_INDEX, lambda lang=lang: program_search_index(program, lang, renderer.strings[lang]),
                "search index")
    for path, make in export.downloads(program):
        put(path, make, "downloads")
    with lap("packages"):
        package_paths, common["zip"] = package_files(package)
    for path, made in package_paths:
        written = put(f"datapackages/{path}", lambda made=made: made, "packages")
        with lap("write"):
            data.link(path, written)  # site/datapackages/ and datapackages/ hold the same bytes
        files.append(("data", path, len(made)))
    return sealed(program.id, common, routes, files)


def _program_units(job: Job, workers: int, progress: Callable[[int, int], None] | None) -> Iterator[Checked]:
    """Every program folder's Checked, as each is done.

    Workers take the biggest sources first, so that none is left rendering a big one alone
    at the end (on a council's site of five programs, that was a third of the build).
    """
    folders = job.folders
    use_job(job)
    try:
        with ExitStack() as stack:
            if workers <= 1:
                made: Iterator[Checked] = map(program_unit, range(len(folders)))
            else:
                job.renderer  # noqa: B018 - made before the workers start, so that forked ones share it
                order = sorted(range(len(folders)), key=lambda i: -_source_size(folders[i]))
                made = stack.enter_context(worker_pool(workers, use_job, job)).map(program_unit, order)
            for done, checked in enumerate(made, 1):
                yield checked
                if progress:
                    progress(done, len(folders))
    finally:
        use_job(None)


def _source_size(folder: Path) -> int:
    """The bytes of a program's sources: how much work it is, before it is read."""
    size = 0
    for place in (folder, folder / "sections"):
        with suppress(OSError), os.scandir(place) as entries:
            size += sum(entry.stat().st_size for entry in entries if entry.is_file())
    return size


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
    settings = Settings(content, output, templates or _default_templates(), base_url if base_url.endswith("/")
                        else base_url + "/", search, packages_out or output.with_name("datapackages"), workers,
                        offline, progress)
    with fewer_collections():
        if incremental:
            try:
                return _build(settings, incremental=True)
            except ManifestDamaged:  # found before the outputs were changed: start again from scratch
                pass
        return _build(settings, incremental=False)


def _default_templates() -> Path:
    return Path("templates") if Path("templates/base.html").is_file() else PACKAGE_TEMPLATES


@dataclass(frozen=True)
class Settings:
    content: Path
    output: Path
    templates: Path
    base_url: str  # ends in "/"
    search: bool
    packages_out: Path
    workers: int | None
    offline: bool
    progress: Callable[[int, int], None] | None


@dataclass
class Made:
    """What the workers made of the programs they rendered, by program id, packed (see incremental.sealed)."""
    lines: dict[str, bytes] = field(default_factory=dict)  # its manifest line but for the head
    common: dict[str, bytes] = field(default_factory=dict)  # its ProgramPart
    routes: dict[str, bytes] = field(default_factory=dict)  # its pages' routes
    memory: dict[int, float] = field(default_factory=dict)  # each worker's peak RSS, MiB


def _build(settings: Settings, incremental: bool) -> BuildResult:
    result = BuildResult(Corpus([], [], []))
    lap = Stopwatch(result.seconds)
    with lap("keys"):
        date = data_date(settings.content)
        plan = plan_build(settings.content, settings.output, settings.packages_out, settings.templates,
                          settings.base_url, date, settings.search, settings.offline, incremental)
    result.peaks["keys"] = peak_rss_mib()
    result.programs_reused = len(plan.unchanged)
    with lap("validate"):
        catalogue, problems = check_catalogue(settings.content)
        site_settings, settings_problems = check_settings(settings.content)
        problems += settings_problems
    # What the unchanged programs' checks found last time is reported again, as a full build would.
    restored = [problem for program_id, old in plan.unchanged.items()
                for problem in old.common.restored_problems(settings.content / program_id)]
    problems += restored
    result.corpus = Corpus(catalogue, [], problems, site_settings)
    folders = [folder for folder in program_folders(settings.content)[0] if folder.name not in plan.unchanged]
    workers = default_workers(len(folders)) if settings.workers is None else settings.workers
    failed = new_event(workers)
    if any(problem.severity == "error" for problem in problems):
        failed.set()  # the programs are still checked, so that every problem is reported at once
    entered = False
    try:
        with OutputFolder(settings.output, plan.update) as out, \
                OutputFolder(settings.packages_out, plan.update) as data_out:
            entered = True
            outputs = {"site": out, "data": data_out}
            job = Job(settings.templates, catalogue, site_settings, settings.base_url, settings.search,
                      settings.offline, folders, outputs, date, failed)
            with lap("programs"):
                made = _make_programs(job, workers, settings.progress, result)
            if failed.is_set():
                raise _SourceErrors  # nothing is written: the outputs stay as they were
            result.peaks["programs"] = peak_rss_mib()
            _finish(job, plan, made, result, lap)
    except _SourceErrors:
        return result
    except (OSError, OutputBusy):
        if entered:
            raise
        # Nowhere to write (a read-only folder, another build at work): what is wrong in the sources comes first.
        problems[:] = sorted([*check(settings.content, workers=workers, skip=plan.unchanged), *restored],
                             key=problem_order)
        if result.corpus.has_errors:
            return result
        raise
    result.memory = own_peak_mib() + sum(peak for pid, peak in made.memory.items() if pid != os.getpid())
    result.peaks["common pages"] = peak_rss_mib()
    result.built = True
    return result


def _make_programs(job: Job, workers: int, progress: Callable[[int, int], None] | None,
                   result: BuildResult) -> Made:
    """Each program checked and, while no source has an error, rendered; its problems added to the result's."""
    made = Made()
    for checked in _program_units(job, workers, progress):
        for stage, spent in checked.seconds.items():
            result.seconds[stage] = result.seconds.get(stage, 0.0) + spent
        result.corpus.problems.extend(checked.problems)
        pid, peak = checked.memory
        made.memory[pid] = max(made.memory.get(pid, 0.0), peak)
        if (unit := checked.unit) is not None:
            made.lines[unit.program_id], made.common[unit.program_id] = unit.line, unit.common
            made.routes[unit.program_id] = unit.routes
    result.corpus.problems.sort(key=problem_order)
    return made


def _finish(job: Job, plan: Plan, made: Made, result: BuildResult, lap: Stopwatch) -> None:
    """The files that list every program and the manifest, then both outputs put in place."""
    site, data = job.outputs["site"], job.outputs["data"]
    program_ids = sorted([*plan.unchanged, *made.common])
    parts = [plan.unchanged[i].common if i in plan.unchanged else ProgramPart(**unpacked(made.common.pop(i)))
             for i in program_ids]
    if plan.previous is not None:
        plan.previous.remove_stale(plan.unchanged, job.outputs)
    common = CommonFiles(job.renderer, job.outputs, plan.previous, plan.unchanged, lap)
    catalog, all_dataset = common.write(job.templates, program_ids, parts, made.routes, job.date)
    with site.open(MANIFEST) as handle:
        write_manifest(handle, plan, catalog, all_dataset, common.files, program_ids, made.lines)
    with lap("write"):
        committing_file(job.outputs["site"].target).touch()
        data.commit()
        site.commit()
        with suppress(OSError):  # left, it costs the next build a full one, nothing worse
            committing_file(site.target).unlink()
        write_stamps(site.target, plan.shared, plan.stamps)
    tallies = [part.tally for part in parts]
    result.pages = sum(t[0] for t in tallies) + sum(path.endswith(".html") for tree, path, _ in common.files
                                                    if tree == "site")
    result.files = sum(t[1] for t in tallies) + sum(tree == "site" for tree, _, _ in common.files) + 1
    result.bytes = sum(t[2] for t in tallies) + sum(size for _, _, size in common.files)
