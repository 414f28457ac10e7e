"""The build: validate, assemble, render and export, then swap the new site in."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator
from xml.sax.saxutils import escape as xml_escape

from . import export
from .assemble import SiteView, assemble
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


def site_files(site: SiteView, renderer: Renderer, templates: Path) -> Iterator[tuple[str, Callable[[], bytes]]]:
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
    base = renderer.base_url
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
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    corpus = validate(content)
    result = BuildResult(corpus)
    if corpus.has_errors:
        return result
    templates = templates or (Path("templates") if Path("templates/base.html").is_file() else PACKAGE_TEMPLATES)
    site = assemble(corpus)
    renderer = Renderer(templates, site, base_url)
    files = list(site_files(site, renderer, templates))
    with OutputFolder(output) as out:
        for done, (path, make) in enumerate(files, 1):
            out.write(path, make())
            if progress:
                progress(done, len(files))
        if search:
            run_pagefind(out.staging)
        out.commit()
    result.pages = sum(1 for path, _ in files if path.endswith(".html"))
    result.files = len(files)
    result.built = True
    return result
