"""The build: validate, assemble, render and export, then swap the new site in."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
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
    built: bool = False


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


def site_files(site: SiteView, renderer: Renderer, templates: Path, built_packages: list[Package],
               date: str | None) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """Every file of the site as (path, how to make its bytes), in a fixed order."""
    routes = []
    for page in renderer.pages():
        routes.append(page.route)
        yield page.path, (lambda page=page: renderer.render(page))
    yield "404.html", renderer.not_found
    for program in site.programs:
        for path, data in export.downloads(program):
            yield path, (lambda data=data: data)
    for asset in sorted((templates / "assets").iterdir()):
        yield f"assets/{asset.name}", asset.read_bytes
    for path, data in package_files(built_packages):
        yield f"datapackages/{path}", (lambda data=data: data)
    base = renderer.base_url
    yield "catalog.ttl", lambda: catalogue_turtle(built_packages, base, date)
    sitemap = "".join(f"<url><loc>{xml_escape(base + r)}</loc></url>\n" for r in routes)
    yield "sitemap.xml", lambda: (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + sitemap + "</urlset>\n"
    ).encode()
    yield "robots.txt", lambda: f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n".encode()


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
    corpus = validate(content)
    result = BuildResult(corpus)
    if corpus.has_errors:
        return result
    templates = templates or (Path("templates") if Path("templates/base.html").is_file() else PACKAGE_TEMPLATES)
    site = assemble(corpus)
    date = data_date(content)
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    built_packages = packages(site, date, base_url)
    renderer = Renderer(templates, site, base_url, built_packages)
    files = list(site_files(site, renderer, templates, built_packages, date))
    with OutputFolder(output) as out, OutputFolder(packages_out or output.with_name("datapackages")) as data_out:
        for done, (path, make) in enumerate(files, 1):
            out.write(path, make())
            if progress:
                progress(done, len(files))
        for path, data in package_files(built_packages):
            data_out.write(path, data)
        if search:
            run_pagefind(out.staging)
        data_out.commit()
        out.commit()
    result.pages = sum(1 for path, _ in files if path.endswith(".html"))
    result.files = len(files)
    result.built = True
    return result
