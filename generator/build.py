"""The build: validate, assemble, render and export, then swap the new site in."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from xml.sax.saxutils import escape as xml_escape

import os
import time

from . import export
from .assemble import SiteView, assemble
from .datapackage import Package, package_files, packages
from .dcat import catalogue_turtle
from .render import Renderer
from .validate import Corpus, validate
from .write import OutputFolder

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass
class BuildResult:
    corpus: Corpus
    pages: int = 0
    files: int = 0
    bytes: int = 0
    built: bool = False
    seconds: dict[str, float] = field(default_factory=dict)  # wall time by stage


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


def site_files(site: SiteView, renderer: Renderer, templates: Path, package_data: list[tuple[str, bytes]],
               built_packages: list[Package], date: str | None) -> Iterator[tuple[str, str, Callable[[], bytes]]]:
    """Every file of the site as (stage, path, how to make its bytes), in a fixed order."""
    routes = []
    for page in renderer.pages():
        routes.append(page.route)
        yield "pages", page.path, (lambda page=page: renderer.render(page))
    yield "pages", "404.html", renderer.not_found
    for program in site.programs:
        for path, make in export.downloads(program):
            yield "downloads", path, make
    for asset in sorted((templates / "assets").iterdir()):
        yield "pages", f"assets/{asset.name}", asset.read_bytes
    for path, data in package_data:
        yield "packages", f"datapackages/{path}", (lambda data=data: data)
    base = renderer.base_url
    yield "packages", "catalog.ttl", lambda: catalogue_turtle(built_packages, base, date)
    sitemap = "".join(f"<url><loc>{xml_escape(base + r)}</loc></url>\n" for r in routes)
    yield "pages", "sitemap.xml", lambda: (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + sitemap + "</urlset>\n"
    ).encode()
    yield "pages", "robots.txt", lambda: f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n".encode()


def run_pagefind(folder: Path) -> None:
    """Index the built pages for search; the index lands in <folder>/pagefind/."""
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(folder), "--silent"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"pagefind failed: {result.stderr.strip() or result.stdout.strip()}")
    # Pagefind writes its language map in hash order, which varies from run to run;
    # sorted, the same pages give the same bytes.
    entry = folder / "pagefind" / "pagefind-entry.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["languages"] = dict(sorted(data["languages"].items()))
    entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def build(
    content: Path,
    output: Path,
    *,
    templates: Path | None = None,
    base_url: str = "/",
    search: bool = True,
    packages_out: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    seconds: dict[str, float] = {}
    lap = _Stopwatch(seconds)
    with lap("validate"):
        corpus = validate(content)
    result = BuildResult(corpus, seconds=seconds)
    if corpus.has_errors:
        return result
    templates = templates or (Path("templates") if Path("templates/base.html").is_file() else PACKAGE_TEMPLATES)
    with lap("assemble"):
        site = assemble(corpus)
        date = data_date(content)
        base_url = base_url if base_url.endswith("/") else base_url + "/"
        renderer = Renderer(templates, site, base_url, None)
    with lap("packages"):
        built_packages = packages(site, date, base_url)
        package_data = list(package_files(built_packages))
    renderer.packages = {p.name: p for p in built_packages}
    files = list(site_files(site, renderer, templates, package_data, built_packages, date))
    written = 0
    with OutputFolder(output) as out, OutputFolder(packages_out or output.with_name("datapackages")) as data_out:
        for done, (stage, path, make) in enumerate(files, 1):
            with lap(stage):
                data = make()
            with lap("write"):
                out.write(path, data)
            written += len(data)
            if progress:
                progress(done, len(files))
        with lap("write"):
            for path, data in package_data:
                data_out.write(path, data)
        if search:
            with lap("search index"):
                run_pagefind(out.staging)
        with lap("write"):
            data_out.commit()
            out.commit()
    result.bytes = written
    result.pages = sum(1 for _, path, _ in files if path.endswith(".html"))
    result.files = len(files)
    result.built = True
    return result
