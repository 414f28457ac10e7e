"""The built site, walked as a whole: every page, link, asset and download; figures; safety; determinism."""

from __future__ import annotations

import csv
import filecmp
import io
import json
import posixpath
import re
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from markupsafe import escape
import yaml

from generator.model import LANGS
from generator.build import build
from generator.render import format_number, sort_key
from generator.validate import validate

from .conftest import CONTENT, MINIMAL, ROOT

BASE_URLS = ["/", "/some/repo/"]
TEMPLATES = ROOT / "templates"


@dataclass
class ParsedPage:
    lang: str | None = None
    title: str = ""
    h1_count: int = 0
    canonical: list[str] = field(default_factory=list)
    alternates: dict[str, str] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)  # href and src values
    scripts: list[dict[str, str | None]] = field(default_factory=list)
    inline_script: list[str] = field(default_factory=list)  # executable inline scripts
    jsonld: list[str] = field(default_factory=list)  # schema.org data blocks
    handlers: list[str] = field(default_factory=list)
    text: str = ""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self._in_title = False
        self._in_script = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.page.handlers.append(f"{tag} {name}={value}")
        if tag == "html":
            self.page.lang = values.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag == "h1":
            self.page.h1_count += 1
        elif tag == "script":
            self.page.scripts.append(values)
            self._in_script = "jsonld" if values.get("type") == "application/ld+json" else "code"
        elif tag == "link" and values.get("rel") == "canonical":
            self.page.canonical.append(values.get("href") or "")
        elif tag == "link" and values.get("rel") == "alternate" and values.get("hreflang"):
            self.page.alternates[values["hreflang"]] = values.get("href") or ""
        if tag == "link" and values.get("rel") == "icon" and values.get("href") == "data:,":
            return  # the template's empty favicon, which stops the browser asking for /favicon.ico
        for name in ("href", "src"):
            if values.get(name) and not (tag == "link" and values.get("rel") in ("canonical", "alternate")):
                self.page.links.append(values[name])

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.page.title += data
        if self._in_script == "jsonld":
            self.page.jsonld.append(data)
        elif self._in_script and data.strip():
            self.page.inline_script.append(data)
        self._text.append(data)

    def close(self) -> None:
        super().close()
        self.page.text = " ".join(" ".join(self._text).split())


def parse(path: Path) -> ParsedPage:
    parser = _Parser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.page


@pytest.fixture(scope="module", params=BASE_URLS)
def built(request, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("site") / "site"
    result = build(CONTENT, out, base_url=request.param)
    assert result.built, [p.as_text("en") for p in result.corpus.problems if p.severity == "error"]
    return out, request.param


@pytest.fixture(scope="module")
def corpus():
    return validate(CONTENT)


def _html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


INDEX_SCRIPT = "(self.searchIndexes = self.searchIndexes || []).push("


def search_index(path: Path) -> tuple[str | None, dict[str, tuple[str, str]]]:
    """What a search index holds: its program's name, and each page's title and words by its address."""
    program, pages = search_entries(path)
    return program, {address: (title, words) for address, (_, title, words) in pages.items()}


def search_entries(path: Path) -> tuple[str | None, dict[str, tuple[str, str, str]]]:
    """What a search index holds: its program's name, and each page's kind, title and words by its address."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith(INDEX_SCRIPT) and text.endswith(");\n"), path
    index = json.loads(text[len(INDEX_SCRIPT):-3])
    return index["program"], {address: (kind, title, words) for kind, address, title, words in index["pages"]}


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w{4,}", text))


def test_the_sites_own_index_finds_a_comparison_by_its_indicator_not_by_the_hromadas_listed(built, corpus) -> None:
    """Any hromada's name would otherwise find every comparison that lists it."""
    site, _ = built
    names = [program.program.hromada.name.uk for program in corpus.programs if program.program.hromada.name]
    assert len(names) >= 4
    entries = {entry.code: entry for entry in corpus.catalogue}
    used = {i.catalogue for p in corpus.programs for i in p.indicators if i.catalogue}
    for lang in ("uk", "en"):
        program, pages = search_index(site / lang / "search-index.js")
        assert program is None and set(pages) == {f"{lang}/indicators/{code}/" for code in used}
        for address, (title, words) in pages.items():
            entry = entries[address.rstrip("/").rsplit("/", 1)[1]]
            assert title == (entry.name.uk if lang == "uk" else entry.name.en), address
            html = (site / address / "index.html").read_text(encoding="utf-8")
            assert unescape(re.search(r"<h1>(.*?)</h1>", html).group(1)) == title, address
            assert words == (entry.unit.uk if lang == "uk" else entry.unit.en), address
            assert not [hromada for hromada in names if hromada in title + words], address


def test_a_programs_index_holds_each_pages_own_words_not_what_every_page_repeats(built) -> None:
    """Labels, figures, links to other pages and downloads are on every page like it: indexed, a search for
    "Завантажити" or "Values by year" would find every page, and every search would download them. A page is
    found by its own words instead, the narrative sections' prose included, and says whose program it is;
    and every word indexed is on the page it finds."""
    site, _ = built
    for lang in ("uk", "en"):
        strings = yaml.safe_load((TEMPLATES / f"strings.{lang}.yaml").read_text(encoding="utf-8"))
        labels = [strings[key] for key in ("unit", "kind", "mode", "priority", "measures_task", "standard_indicator",
                                           "values", "baseline", "change", "change_stated", "other_hromadas",
                                           "downloads", "download_spreadsheet_csv", "measure", "responsible", "timeframe",
                                           "funding", "measured_by", "tasks", "indicators", "passport",
                                           "at_a_glance", "data_quality", "search_button", "no_value")]
        programs = [folder for folder in sorted((site / lang).iterdir()) if (folder / "search-index.js").is_file()]
        assert len(programs) == 5
        for folder in programs:
            program, records = search_index(folder / "search-index.js")
            pages = {(path.parent.relative_to(site).as_posix() + "/"): path for path in folder.rglob("index.html")}
            assert set(records) == set(pages) - {f"{lang}/{folder.name}/data/"}, folder.name  # all but the dataset's
            for address, (title, words) in records.items():
                html = pages[address].read_text(encoding="utf-8")
                page = unescape(re.sub(r"<[^>]+>", " ", html[html.index("<main"):html.index("</main>")]))
                h1 = unescape(re.sub(r"<small.*?</small>|<[^>]+>", "", re.search(r"<h1>(.*?)</h1>", html).group(1)))
                assert title == h1.strip() and program in page, address
                assert _words(words) <= _words(page), (address, sorted(_words(words) - _words(page))[:10])
                if address == f"{lang}/{folder.name}/":  # the passport's details, each word of them
                    start = html.index('id="passport-h"')
                    passport = html[start:html.index("</dl>", start)]
                    details = unescape(" ".join(re.findall(r"<dd[^>]*>(.*?)</dd>", passport)))
                    expected = _words(re.sub(r"<[^>]+>", " ", details))
                    assert expected and not expected - _words(words), (address, sorted(expected - _words(words))[:10])
                if address.split("/")[2] in ("", "indicators", "tasks", "priorities"):
                    assert not [label for label in labels if re.search(rf"(?<!\w){re.escape(label)}(?!\w)",
                                                                        title + "\n" + words)], address
                else:  # a narrative section: every word of its prose is found
                    prose = html[html.index('<div class="prose"'):html.index("</main>")]
                    expected = _words(unescape(re.sub(r"<[^>]+>", " ", prose)))
                    assert len(expected) > 20 and not expected - _words(words), (address, sorted(expected - _words(words))[:10])


def test_each_search_entry_says_in_a_letter_what_kind_of_page_it_finds_and_the_form_names_it(built, corpus) -> None:
    """A result is labelled program, section, priority direction, indicator, task or comparison across
    hromadas. The index says which in one letter (it is loaded over weak connections), here checked against
    the address; the search form of every page that loads an index names each letter in its language, as
    the strings files say it. The words stay as the sources write them, apostrophes and all: the browser
    leaves apostrophes out as it indexes, and quotes the words as written."""
    from generator.search import KINDS

    site, _ = built
    assert sorted(KINDS) == ["comparison", "indicator", "priority", "program", "section", "task"]
    assert all(len(code) == 1 for code in KINDS.values()) and len(set(KINDS.values())) == len(KINDS)
    sections = {program.id: {section.id for section in program.program.sections} for program in corpus.programs}
    for lang in LANGS:
        strings = yaml.safe_load((TEMPLATES / f"strings.{lang}.yaml").read_text(encoding="utf-8"))
        labels = {code: strings[f"search_kind_{name}"] for name, code in KINDS.items()}
        assert all(labels.values()) and len(set(labels.values())) == len(labels)
        seen = set()
        indexes = [site / lang / "search-index.js", *(site / lang / program / "search-index.js" for program in sections)]
        for index in indexes:
            _, entries = search_entries(index)
            for address, (kind, _, _) in entries.items():
                parts = address.rstrip("/").split("/")[1:]
                expected = ("c" if parts[0] == "indicators" else "p" if len(parts) == 1
                            else "s" if len(parts) == 2 and parts[1] in sections[parts[0]]
                            else {"priorities": "d", "indicators": "i", "tasks": "t"}[parts[1]])
                assert kind == expected, (address, kind)
                seen.add(kind)
            html = (index.parent / "index.html").read_text(encoding="utf-8")  # the page whose form loads it
            form = re.search(r'<form class="search"[^>]*>', html).group()
            assert {code: unescape(label) for code, label in re.findall(r'data-kind-(\w)="([^"]*)"', form)} == labels
        assert seen == set(KINDS.values()), lang
    _, entries = search_entries(site / "uk" / "khmilnytska-2023-2025" / "search-index.js")
    assert any("комп'ютерного" in title + words for _, title, words in entries.values())


def test_each_item_page_shows_its_own_data_quality_notes_and_only_those(built) -> None:
    """Every note the generator made on an indicator, task or priority of the real programs is on that item's
    page, in the page's language, under the data-quality heading; a page with no notes has no such section."""
    from generator.assemble import assemble

    site, _ = built
    programs = assemble(validate(CONTENT)).programs
    with_notes = without = 0
    for program in programs:
        items = [*program.indicators.values(), *program.tasks.values(), *program.priorities]
        for item, lang in ((item, lang) for item in items for lang in LANGS):
            html = (site / item.route(lang) / "index.html").read_text(encoding="utf-8")
            if not item.notes:
                assert 'class="notes"' not in html, item.route(lang)
                without += 1
                continue
            section = html[html.index('<section class="notes"'):]
            section = section[:section.index("</section>")]
            shown = [unescape(re.sub(r"<[^>]+>", "", li)) for li in re.findall(r"<li>(.*?)</li>", section, re.S)]
            assert shown == [unescape(re.sub(r"<[^>]+>", "", p.note(lang, format_number))) for p in item.notes], item.route(lang)
            with_notes += 1
    assert with_notes > 20 and without > 20, (with_notes, without)


def test_a_slip_the_document_carries_into_two_totals_is_one_note_on_their_page(built) -> None:
    """Kremenchuk's document states a task's 14 + 18 + 18 as 49 and carries that into the program's totals:
    «усі джерела» (69 682) and «бюджет громади» (62 863) are each 1 short of their years. The validator reports
    both rows; the program's page says it once, in the page's number format."""
    from generator.assemble import assemble

    site, _ = built
    program = next(p for p in assemble(validate(CONTENT)).programs if p.id == "kremenchutska-2026-2028")
    assert len([p for p in program.problems if p.code == "total-mismatch" and p.subject == "program"]) == 2
    assert [p.code for p in program.notes] == ["total-mismatch"]
    for lang in LANGS:
        html = (site / program.route(lang) / "index.html").read_text(encoding="utf-8")
        listed = html[html.index('<details class="notes">'):]
        text = unescape(re.sub(r"<[^>]+>", "", listed[:listed.index("</ul>")]))
        assert text.count(f"{format_number(Decimal(69682), lang)}\u00a0") == 1, lang
        assert format_number(Decimal(62863), lang) not in text, lang


def _source_fields() -> set[str]:
    """Every field name a source file can hold: those of the model's classes."""
    from pydantic import BaseModel

    import generator.model as model

    return {name for value in vars(model).values() if isinstance(value, type) and issubclass(value, BaseModel)
            for name in value.model_fields}


def _text_readers_get(html: str) -> str:
    """A page's words, as a reader (or a screen reader) gets them: no scripts, styles or tags."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _as_source_field() -> re.Pattern[str]:
    """A source field written as one, as a clerk's message writes it: «timeframe:», 'responsible:', `en:`,
    hromada: name:, stated_totals: (not a word of prose before a colon, as in "Total funding: 14 469")."""
    names = sorted(_source_fields(), key=len, reverse=True)
    field = "|".join(map(re.escape, names))
    joined = "|".join(re.escape(name) for name in names if "_" in name)
    return re.compile(rf"[«'\"‘“`]\s*(?:{field}):|(?<![\w-])(?:{field}):\s*(?:{field}):|(?<![\w-])(?:{joined}):(?![\w/])")


def test_no_page_tells_readers_what_to_edit_in_the_sources(built) -> None:
    """What to add to which file is for clerks, in `validate`: no page of the five real programs, in either
    language, names a source field as a field («timeframe:», 'responsible:', hromada: name:) or says
    «Додайте», «Add a», «.yaml»."""
    site, _ = built
    as_field = _as_source_field()
    found: dict[str, list[str]] = {}
    programs: set[str] = set()
    for path in _html_files(site):
        # A data package's preview shows each note's source file as its rows hold it: provenance, not advice.
        html = re.sub(r"<td>[\w.-]+/[\w./-]+\.yaml</td>", "<td></td>", path.read_text(encoding="utf-8"))
        text = _text_readers_get(html)
        hits = as_field.findall(text) + [word for word in ("Додайте", "Add a", ".yaml") if word in text]
        if hits:
            found[path.relative_to(site).as_posix()] = hits
        parts = path.relative_to(site).parts
        if len(parts) > 2 and parts[0] in LANGS:
            programs.add(f"{parts[0]}/{parts[1]}")
    assert not found, found
    real = {folder.name for folder in CONTENT.iterdir() if (folder / "program.yaml").is_file()}
    assert len(real) == 5 and {f"{lang}/{program}" for lang in LANGS for program in real} <= programs
    # What the clerks' messages say is what this looks for.
    for clerks in ("Додайте поле «timeframe:»", "Add a 'responsible:' field", "Add 'hromada: name:'", "an `en:` field"):
        assert as_field.search(clerks), clerks
    assert not as_field.search("Total funding: 14 469. Area of the hromada: 635.9 km2")


def test_the_search_libraries_are_as_published_in_the_versions_locked() -> None:
    """The site's copies of MiniSearch and of Orama's stemmers are the files npm publishes for the versions
    tools/search locks (`make vendor` copies them): not edited by hand, and an upgrade is a change of the
    lock file, reviewed. Each stemmer, a CommonJS module, is wrapped unchanged to run as a plain script."""
    modules = ROOT / "tools" / "search" / "node_modules"
    if not (modules / "minisearch").is_dir() or not (modules / "@orama" / "stemmers").is_dir():
        pytest.fail("the search libraries are not installed: run `npm ci --prefix tools/search` (make test does)")
    lock = json.loads((ROOT / "tools" / "search" / "package-lock.json").read_text(encoding="utf-8"))
    for name in ("minisearch", "@orama/stemmers"):
        version = lock["packages"][f"node_modules/{name}"]["version"]
        assert json.loads((modules / name / "package.json").read_text(encoding="utf-8"))["version"] == version, name
    assets = TEMPLATES / "assets"
    assert (assets / "minisearch.js").read_bytes() == (modules / "minisearch" / "dist" / "umd" / "index.js").read_bytes()
    assert (assets / "minisearch.LICENSE.txt").read_bytes() == (modules / "minisearch" / "LICENSE.txt").read_bytes()
    stemmers = modules / "@orama" / "stemmers"
    assert (assets / "stemmers.LICENSE.md").read_bytes() == (stemmers / "LICENSE.md").read_bytes()
    for lang in LANGS:
        header, opening, rest = (assets / f"stemmer.{lang}.js").read_text(encoding="utf-8").split("\n", 2)
        assert header.startswith("// @orama/stemmers") and opening == "(function (exports) {", lang
        assert rest == (stemmers / "dist" / f"{lang}.cjs").read_text(encoding="utf-8") + "\n})(self.searchStemmer = {});\n"


def test_every_page_type_exists_in_both_languages(built, corpus) -> None:
    site, _ = built
    assert (site / "index.html").is_file() and (site / "404.html").is_file()
    assert (site / "sitemap.xml").is_file() and (site / "robots.txt").is_file()
    # Search: the library once; the site's own index (the comparisons) and each program's, per language.
    assert (site / "assets" / "minisearch.js").is_file() and (site / "assets" / "minisearch.LICENSE.txt").is_file()
    for lang in ("uk", "en"):
        assert (site / lang / "index.html").is_file() and (site / lang / "search-index.js").is_file()
        assert (site / lang / "about" / "index.html").is_file() and (site / lang / "accessibility" / "index.html").is_file()
        for program in corpus.programs:
            base = site / lang / program.id
            assert (base / "index.html").is_file()
            assert all(address.startswith(f"{lang}/{program.id}/")  # its pages in this language, only those
                       for address in search_index(base / "search-index.js")[1])
            for section in program.program.sections:
                assert (base / section.id / "index.html").is_file()
            for priority in program.program.priorities:
                assert (base / "priorities" / priority.id / "index.html").is_file()
        used_codes = {i.catalogue for p in corpus.programs for i in p.indicators if i.catalogue}
        for code in used_codes:
            assert (site / lang / "indicators" / code / "index.html").is_file()


def test_one_indicator_and_task_page_per_item_and_language(built, corpus) -> None:
    site, _ = built
    indicators = sum(len(p.indicators) for p in corpus.programs)
    tasks = sum(len(p.tasks) for p in corpus.programs)
    pages = {kind: len([p for p in site.glob(f"*/*/{kind}/*/index.html")]) for kind in ("indicators", "tasks")}
    assert pages == {"indicators": indicators * 2, "tasks": tasks * 2}
    assert indicators == 51 + 32 + 26 + 31 + 40 and tasks == 32 + 35 + 18


def test_every_page_has_lang_title_one_h1_canonical_and_alternates(built) -> None:
    site, base_url = built
    for path in _html_files(site):
        page = parse(path)
        where = path.relative_to(site)
        assert page.lang in ("uk", "en"), where
        assert page.title.strip(), where
        assert page.h1_count == 1, where
        if path.name == "404.html":
            continue
        assert len(page.canonical) == 1 and page.canonical[0].startswith(base_url), where
        route = where.parent.as_posix()
        route = "uk" if route == "." else route  # the root page is the Ukrainian home page, its canonical /uk/
        assert page.canonical[0] == base_url + route + "/", where
        assert set(page.alternates) >= {"uk", "en"}, where
        other = "en" if page.lang == "uk" else "uk"
        assert page.alternates[other] == base_url + other + route[2:] + "/", where


def test_every_internal_link_asset_and_download_resolves(built) -> None:
    site, base_url = built
    checked = 0
    for path in _html_files(site):
        page = parse(path)
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("#"):
                continue
            if path.name == "404.html":
                assert link.startswith(base_url), link
                target = site / unquote(parts.path)[len(base_url):]
            else:
                target = path.parent / unquote(parts.path)
            target = Path(posixpath.normpath(str(target)))
            if target.relative_to(site).parts[:1] == ("docs",):
                continue  # the handbook, which the publishing workflow builds into site/docs (test_publishing.py)
            if link.endswith("/") or target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{path.relative_to(site)} links to missing {link}"
            assert site in target.parents, f"{path.relative_to(site)} links outside the site: {link}"
            checked += 1
    assert checked > 5000


def test_language_switch_leads_to_the_same_page(built) -> None:
    site, _ = built
    for path in _html_files(site):
        where = path.relative_to(site).as_posix()
        if not re.match(r"^(uk|en)/", where):
            continue
        page = parse(path)
        switch = [link for link in page.links if link.endswith("/") and "../" in link and (
            (path.parent / link).resolve().relative_to(site.resolve()).as_posix().split("/")[0] != where[:2])]
        assert switch, where
        target = (path.parent / switch[0] / "index.html").resolve().relative_to(site.resolve()).as_posix()
        assert target[3:] == where[3:] and target[:2] != where[:2], where


class _Crumbs(HTMLParser):
    """The breadcrumb trail of a page: (href or None, text, is the current page) for each item."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[list] = []
        self.eyebrow = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "nav" and "breadcrumbs" in (values.get("class") or ""):
            self._in = "nav"
        elif tag == "p" and values.get("class") == "eyebrow":
            self._in = "eyebrow"
        elif self._in == "nav" and tag == "li":
            self.items.append([None, "", False])
        elif self._in == "nav" and tag == "a":
            self.items[-1][0] = values["href"]
        elif self._in == "nav" and tag == "span" and values.get("aria-current") == "page":
            self.items[-1][2] = True

    def handle_endtag(self, tag: str) -> None:
        if (self._in == "nav" and tag == "nav") or (self._in == "eyebrow" and tag == "p"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "nav" and self.items:
            self.items[-1][1] += data
        elif self._in == "eyebrow":
            self.eyebrow += data


def test_ukrainian_names_sort_in_the_ukrainian_alphabet() -> None:
    """Unicode puts Є, І, Ї and Ґ before А; Ukrainian order has Ґ after Г, Є after Е, І and Ї after И,
    and passes over the apostrophe (Кам'янець before Камінь would be wrong: я comes after і)."""
    ordered = ["Авангард", "Біла Церква", "Гадяч", "Ґалаґаївка", "Дубно", "Енергодар", "Єланець", "Житомир",
               "Зіньків", "Иршавка", "Іванків", "Їжакевичі", "Йосипівка", "Камінь-Каширський", "Кам'янець-Подільський",
               "Кам’янка", "Славута", "Шаргород", "Щасливе", "Ювілейне", "Яготин"]
    for shuffled in (ordered[::-1], sorted(ordered)):
        assert sorted(shuffled, key=lambda name: sort_key(name, "uk")) == ordered
    assert sorted(["Zhytomyr", "avanhard", "Kamianets"], key=lambda name: sort_key(name, "en")) == \
        ["avanhard", "Kamianets", "Zhytomyr"]


def test_oblasts_alike_in_their_address_get_anchors_of_their_own_the_same_in_both_languages() -> None:
    """A source may spell an oblast two ways (here with two spaces): two groups then, whose anchors
    differ, and each oblast's anchor is the same on the Ukrainian and the English page."""
    from generator.assemble import SiteView
    from generator.model import Text
    from generator.render import HOME_GROUPED_ABOVE, Listed, Renderer

    renderer = Renderer(TEMPLATES, SiteView([], []), "/")
    # The hromadas' names put the first spelling's first in English and last in Ukrainian.
    spellings = [("Київська область", {"uk": "Ярмолинці", "en": "Avanhard"}),
                 ("Київська  область", {"uk": "Авангард", "en": "Yarmolyntsi"})]
    anchors = {}
    for lang in LANGS:
        listed = [Listed(f"p{i}", f"<li>{i}</li>", Text(uk=oblast, en="Kyiv oblast"), names[lang])
                  for i, (oblast, names) in enumerate(spellings * HOME_GROUPED_ABOVE)]
        groups = renderer.home_page(lang, listed).context["groups"]
        anchors[lang] = {group["anchor"]: group["entries"] for group in groups}
        assert len(anchors[lang]) == 2 and all(anchor.startswith("in-kyivska-oblast") for anchor in anchors[lang])
    assert anchors["uk"] == anchors["en"]


def test_a_home_page_of_a_few_programs_lists_them_by_name_the_unnamed_last(built) -> None:
    """Up to HOME_GROUPED_ABOVE programs, one list under «Громади» / «Hromadas», by the hromada's name
    in the page's language, not by the program's id (a transliteration, which sorts Х as Kh)."""
    site, _ = built
    expected = {
        "uk": ["Громади (5)", "Балаклійська міська територіальна громада", "Кременчуцька міська територіальна громада",
               "Слобожанська селищна територіальна громада", "Хмільницька міська територіальна громада",
               "Громада не названа в документі"],
        "en": ["Hromadas (5)", "Balakliia city hromada", "Khmilnyk city hromada", "Kremenchuk city hromada",
               "Slobozhanske settlement hromada", "The document does not name the hromada"],
    }
    for lang, headings in expected.items():
        page = (site / lang / "index.html").read_text(encoding="utf-8")
        main = page[page.index("<main"):page.index("</main>")]
        shown = [unescape(re.sub(r"<[^>]+>", "", heading)) for heading in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", main)]
        assert shown == headings, lang
        assert 'class="oblast-index"' not in page


class _Tables(HTMLParser):
    """A page's comparison tables: for each, its class and its rows, each as (linked program id, cells' text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[str, list[tuple[str, list[str]]]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "table" and "comparison" in (values.get("class") or ""):
            self.tables.append((values["class"], []))
        elif self.tables and tag == "tr":
            self.tables[-1][1].append(("", []))
        elif self.tables and tag in ("td", "th"):
            self._cell = []
        elif self._cell is not None and tag == "a":
            row = self.tables[-1][1][-1]
            self.tables[-1][1][-1] = (values["href"].split("/")[2], row[1])

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._cell = None
        elif self._cell is not None and tag in ("td", "th"):
            self.tables[-1][1][-1][1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def comparison_tables(path: Path) -> dict[str, list[tuple[str, list[str]]]]:
    """The body rows of a comparison page's tables, by "comparable" and "apart" (the header row left out)."""
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return {("apart" if "apart" in kind else "comparable"): rows[1:] for kind, rows in parser.tables}


def _uses(corpus) -> dict[str, list[tuple[str, object]]]:
    """(program id, indicator) for each use of each catalogue code, by code."""
    uses: dict[str, list[tuple[str, object]]] = {}
    for program in corpus.programs:
        for indicator in program.indicators:
            if indicator.catalogue:
                uses.setdefault(indicator.catalogue, []).append((program.id, indicator))
    return uses


def test_both_lists_of_standard_indicators_link_every_comparison_and_count_its_programs(built, corpus) -> None:
    """/uk/indicators/ and /en/indicators/ list every standard indicator under its priority direction, link
    each that some program uses, and say how many programs use it; the header of every page links the list."""
    site, _ = built
    uses = _uses(corpus)
    words = {"uk": {1: "1 програма", 2: "2 програми", 3: "3 програми", 4: "4 програми"},
             "en": {1: "1 program", 2: "2 programs", 3: "3 programs", 4: "4 programs"}}
    for lang in LANGS:
        path = site / lang / "indicators" / "index.html"
        page = path.read_text(encoding="utf-8")
        main = page[page.index("<main"):page.index("</main>")]
        items = re.findall(r"<li>(.*?)</li>", main, re.S)
        assert len(items) == len(corpus.catalogue)
        linked = {}
        for item, entry in zip(items, corpus.catalogue):  # in the catalogue's order, its directions in turn
            assert escape(entry.name.uk if lang == "uk" else entry.name.en) in item
            link = re.match(r'<a href="([^"]+)/">', item)
            programs = len({program_id for program_id, _ in uses.get(entry.code, [])})
            assert bool(link) == bool(programs), entry.code
            if link:
                linked[entry.code] = link[1]
                assert f"· {words[lang][programs]}</span>" in item, (entry.code, item)
        assert linked == {code: code for code in uses}  # each comparison, from its folder's parent
        directions = [unescape(h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", main)]
        expected = list(dict.fromkeys((e.direction.uk if lang == "uk" else e.direction.en) for e in corpus.catalogue))
        assert directions == expected
        for other in (site / lang / "indicators").glob("*/index.html"):
            assert '<a href="../">' in other.read_text(encoding="utf-8")  # the header's link and the trail's
        assert 'href="indicators/"' in (site / lang / "index.html").read_text(encoding="utf-8")
        assert '<a href="./" aria-current="page">' in page


def _decimal_shown(text: str, lang: str) -> Decimal | None:
    """A final target as a page shows it: yes is 1, no is 0, no value is None."""
    if text in ("Так", "Yes", "Ні", "No"):
        return Decimal(text in ("Так", "Yes"))
    if text == "…":
        return None
    cleaned = text.replace("\u00a0", "").replace(" ", "")
    return Decimal(cleaned.replace(",", ".") if lang == "uk" else cleaned.replace(",", ""))


def test_a_comparison_has_a_row_per_program_using_it_best_final_target_first(built, corpus) -> None:
    """One table row for each program's indicator that names the code (those whose unit or kind is not the
    catalogue's in the table set apart); the comparable ordered by the final target, the best first, ties
    by the hromadas' names in the page's language."""
    site, _ = built
    uses = _uses(corpus)
    catalogue = {entry.code: entry for entry in corpus.catalogue}
    names = {p.id: p.program.hromada.name for p in corpus.programs}
    compared = 0
    for code, used in uses.items():
        for lang in LANGS:
            tables = comparison_tables(site / lang / "indicators" / code / "index.html")
            rows = tables.get("comparable", []) + tables.get("apart", [])
            assert sorted(program_id for program_id, _ in rows) == sorted(program_id for program_id, _ in used), code
            # A comparable row's cells: hromada, oblast, unit, baseline, the years, final target, stated change.
            finals = [(_decimal_shown(cells[-2], lang), program_id) for program_id, cells in tables.get("comparable", [])]
            sign = -1 if catalogue[code].higher_is_better else 1

            def key(item: tuple[Decimal | None, str]) -> tuple:
                name = names[item[1]]
                shown_name = "" if name is None else (name.en or name.uk) if lang == "en" else name.uk
                return item[0] is None, sign * (item[0] or 0), not shown_name, sort_key(shown_name, lang)

            assert finals == sorted(finals, key=key), (code, lang, finals)
            compared += len(finals) > 1
    assert compared > 10


def test_a_comparisons_downloads_hold_a_row_per_use_with_the_sources_figures(built, corpus) -> None:
    """Each comparison links its CSV and JSON: one row per program's use of the code, its baseline, each
    year's target, the final target and the stated change as the sources give them, numbers with a point."""
    import csv
    import io

    from generator import figures

    site, _ = built
    checked = 0
    for code, used in _uses(corpus).items():
        for lang in LANGS:
            page = (site / lang / "indicators" / code / "index.html").read_text(encoding="utf-8")
            for extension in ("csv", "json"):
                assert f'<a href="../../../data/indicators/{code}.{extension}" download>' in page
        raw = (site / "data" / "indicators" / f"{code}.csv").read_bytes()
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        data = json.loads((site / "data" / "indicators" / f"{code}.json").read_text(encoding="utf-8"))
        assert data["code"] == code and len(data["programs"]) == len(rows) == len(used)
        assert [(r["program_id"], r["indicator_id"]) for r in rows] == \
            [(r["program_id"], r["indicator_id"]) for r in data["programs"]]
        by_use = {(r["program_id"], r["indicator_id"]): (r, j) for r, j in zip(rows, data["programs"])}
        for program_id, indicator in used:
            row, item = by_use[(program_id, indicator.id)]

            def expected(cell: object) -> str:
                figure = figures.parse_value(cell, indicator.kind)[0]
                return "" if figure is None or figure.status.value == "empty" else (
                    format(figure.amount, "f") if figure.amount is not None else figure.status.value)

            assert row["baseline"] == expected(indicator.baseline)
            for year, cell in indicator.targets.items():
                assert row[f"target_{year}"] == expected(cell), (code, program_id, year)
            stated = [(year, expected(cell)) for year, cell in sorted(indicator.targets.items()) if expected(cell)]
            assert (row["final_target_year"], row["final_target"]) == \
                ((str(stated[-1][0]), stated[-1][1]) if stated else ("", ""))
            assert row["change_as_stated"] == ("" if indicator.change is None else str(indicator.change))
            assert row["unit_uk"] == item["unit"]["uk"] == indicator.unit.uk
            numbers = [t["value"] for t in item["targets"] if t["value"] is not None]
            assert [Decimal(str(n)) for n in numbers] == [Decimal(row[f"target_{t['year']}"])
                                                          for t in item["targets"] if t["value"] is not None]
            checked += 1
    assert checked > 100


def test_a_program_measuring_in_another_unit_is_set_apart_marked_and_not_drawn(tmp_path: Path, corpus) -> None:
    """A program that counts what the catalogue gives as a percentage is listed in the table below, with what
    differs, never in the ordered table or on the chart; its download row says it is not comparable."""
    import csv
    import io

    uses = _uses(corpus)
    catalogue = {entry.code: entry for entry in corpus.catalogue}

    def comparable(indicator, code: str) -> bool:
        entry = catalogue[code]
        return (indicator.unit.uk, indicator.kind, indicator.mode.value) == (entry.unit.uk, entry.kind, "level")

    code = next(code for code, used in sorted(uses.items()) if sum(comparable(i, code) for _, i in used) >= 3
                and catalogue[code].unit.uk == "%")
    program_id, indicator = next((p, i) for p, i in uses[code] if comparable(i, code))
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / program_id / "indicators.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    changed = next(i for i in data["indicators"] if i["id"] == indicator.id)
    changed["unit"] = {"uk": "осіб", "en": "persons"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert build(content, tmp_path / "site", packages_out=tmp_path / "data", search=False).built
    hromada = next(p for p in corpus.programs if p.id == program_id).program.hromada.name
    for lang, note in (("uk", "інша одиниця"), ("en", "another unit")):
        page = tmp_path / "site" / lang / "indicators" / code / "index.html"
        tables = comparison_tables(page)
        cells = dict(tables["apart"])[program_id]
        assert program_id not in dict(tables["comparable"]) and len(tables["comparable"]) >= 2
        assert cells[2] == ("осіб" if lang == "uk" else "persons") and cells[-1] == note
        text = page.read_text(encoding="utf-8")
        chart = text[text.index("<svg"):text.index("</svg>")]
        labels = re.findall(r'class="label start">([^<]*)<', chart)
        assert 0 < len(labels) <= len(tables["comparable"])
        assert str(escape(hromada.uk if lang == "uk" else hromada.en)) not in labels
    rows = list(csv.DictReader(io.StringIO((tmp_path / "site" / "data" / "indicators" / f"{code}.csv")
                                           .read_text(encoding="utf-8-sig"))))
    changed_row = next(r for r in rows if (r["program_id"], r["indicator_id"]) == (program_id, indicator.id))
    assert (changed_row["comparable"], changed_row["unit_uk"]) == ("false", "осіб")
    assert [r["comparable"] for r in rows] == sorted((r["comparable"] for r in rows), reverse=True)  # apart last


def test_every_program_page_shows_its_trail_home_program_then_itself(built, corpus) -> None:
    """Each page of a program leads back to its language's home and to its program, named by the
    hromada and the years, and marks itself as the current page; the eyebrow of its sections, priorities,
    indicators and tasks names the program too."""
    site, _ = built
    checked = 0
    for program in corpus.programs:
        for lang in ("uk", "en"):
            hromada = program.program.hromada.name
            unnamed = yaml.safe_load((TEMPLATES / f"strings.{lang}.yaml").read_text(encoding="utf-8"))["unnamed_hromada"]
            shown = unnamed if hromada is None else hromada.en if lang == "en" and hromada.en else hromada.uk
            name = f"{shown}, {program.program.period.start}–{program.program.period.end}"
            folder = site / lang / program.id
            for path in sorted(folder.rglob("index.html")):
                parser = _Crumbs()
                parser.feed(path.read_text(encoding="utf-8"))
                items, where = parser.items, path.relative_to(site)
                home = (path.parent / items[0][0]).resolve()
                assert home == (site / lang).resolve(), where
                *links, last = items
                assert all(href for href, _, _ in links) and not any(current for _, _, current in links), where
                assert last[0] is None and last[2] and last[1].strip(), where
                if path.parent == folder:  # the program's own page ends the trail with its name
                    assert len(items) == 2 and last[1] == name, where
                    continue
                assert (path.parent / items[1][0]).resolve() == folder.resolve() and items[1][1] == name, where
                if path.parent.parent.name in ("tasks", "indicators"):  # then through its priority direction
                    assert len(items) == 4, where
                    direction = (path.parent / items[2][0]).resolve()
                    assert direction.parent == (folder / "priorities").resolve(), where
                    assert parse(direction / "index.html").title.startswith(items[2][1].removesuffix("...")), where
                else:
                    assert len(items) == 3, where
                if path.parent.name != "data":  # the dataset page's eyebrow says what it is: data
                    assert parser.eyebrow.endswith(name), where
                    checked += 1
    assert checked > 500


def _page_text(site: Path, route: str) -> str:
    return parse(site / route / "index.html").text


def _independent_format(value: object, lang: str) -> str:
    """The source's figure as a reader should see it, written without Babel or the generator's code."""
    text = str(value).replace("\u00a0", "").replace(" ", "").replace(",", ".")
    whole, _, fraction = text.lstrip("+-").partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    sign = "-" if text.startswith("-") else ""
    separator, point = ("\u00a0", ",") if lang == "uk" else (",", ".")
    return sign + separator.join(groups) + (point + fraction if fraction else "")


def _folded(text: str) -> str:
    """Whitespace folded as the page text is (a no-break space included)."""
    return " ".join(text.split())


def test_figures_on_pages_equal_the_sources_in_each_language(built, corpus) -> None:
    site, _ = built
    from generator import figures

    for program in corpus.programs:
        for lang in ("uk", "en"):
            indicator = next((i for i in program.indicators if any(
                (f := figures.parse_cell(v)) is not None and f.amount is not None for v in i.targets.values())), None)
            if indicator is not None:  # Slobozhanske approved its indicators with no figures
                text = _page_text(site, f"{lang}/{program.id}/indicators/{indicator.id}")
                for year, value in indicator.targets.items():
                    figure = figures.parse_cell(value)
                    if figure is not None and figure.amount is not None:
                        expected = _folded(f"{year} {_independent_format(value, lang)}")
                        assert expected in text, (program.id, lang, indicator.id, expected)
            if program.tasks:
                task = next((t for t in program.tasks for r in t.funding for v in r.years.values()
                             if (f := figures.parse_amount(v)) is not None and f.amount is not None), program.tasks[0])
                text = _page_text(site, f"{lang}/{program.id}/tasks/{task.id}")
                for row in task.funding:
                    for year, value in row.years.items():
                        figure = figures.parse_amount(value)
                        if figure is not None and figure.amount is not None:
                            assert _folded(_independent_format(value, lang)) in text, (program.id, lang, task.id)
                        if figure is not None and figure.status is figures.CellStatus.within_allocations:
                            marker = {"uk": "в межах кошторисних призначень", "en": "within existing budget allocations"}
                            assert marker[lang] in text


def test_ukrainian_and_english_number_formats() -> None:
    from decimal import Decimal

    assert format_number(Decimal("8632.5"), "uk") == "8\u00a0632,5"
    assert format_number(Decimal("8632.5"), "en") == "8,632.5"
    assert format_number(Decimal("5.0"), "uk") == "5,0"  # the decimals the document shows are kept
    # Equal Decimals with different decimals must not share a cached result.
    assert format_number(Decimal("19.0"), "uk") == "19,0" and format_number(Decimal("19"), "uk") == "19"


def test_numbers_keep_their_decimals_and_group_in_threes_in_each_language() -> None:
    from decimal import Decimal

    for text, uk, en in (("-1000.10", "-1\u00a0000,10", "-1,000.10"), ("0.000001", "0,000001", "0.000001"),
                         ("1E+3", "1\u00a0000", "1,000"), ("-0.05", "-0,05", "-0.05"), ("999", "999", "999"),
                         ("100000000000000000000.5", "100\u00a0000\u00a0000\u00a0000\u00a0000\u00a0000\u00a0000,5",
                          "100,000,000,000,000,000,000.5")):
        assert (format_number(Decimal(text), "uk"), format_number(Decimal(text), "en")) == (uk, en), text


def test_downloads_parse_and_hold_the_figures(built, corpus) -> None:
    site, _ = built
    program = next(p for p in corpus.programs if p.id == "kremenchutska-2026-2028")
    task = program.tasks[1]
    raw = (site / f"data/{program.id}/tasks/{task.id}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads the Cyrillic
    text = raw.decode("utf-8-sig")
    assert task.name.uk in text
    data = json.loads((site / f"data/{program.id}/tasks/{task.id}.json").read_text(encoding="utf-8"))
    amounts = [c["value"] for line in data["funding"] for c in line["years"] if c["value"] is not None]
    assert amounts == [8632, 5235, 4500]


def test_no_script_or_handler_comes_from_content(built) -> None:
    site, _ = built
    for path in _html_files(site):
        page = parse(path)
        assert page.handlers == [], path
        assert page.inline_script == [], path
        for script in page.scripts:
            assert script.get("src", "").endswith(("assets/search.js", "assets/site.js")) or script.get("type") == "application/ld+json", path
        for block in page.jsonld:
            assert "<" not in block and json.loads(block)["@type"] == "Dataset", path
        assert not any(link.lower().startswith(("javascript:", "data:", "vbscript:")) for link in page.links), path


PAYLOADS = [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    '</script><script>alert(1)</script>',
    "<svg onload=alert(1)>",
]


def test_hostile_text_is_escaped_everywhere(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    program = content / "testova-2025-2027"
    tasks = (program / "tasks.yaml").read_text(encoding="utf-8")
    for index, payload in enumerate(PAYLOADS):
        quoted = json.dumps(payload, ensure_ascii=False)
        tasks = tasks.replace("en: Annual information audit", f"en: {quoted}", 1) if index == 0 else tasks
    tasks = tasks.replace("name: {uk: Переведення послуг онлайн, en: Moving services online}",
                          "name: {uk: " + json.dumps(" ".join(PAYLOADS), ensure_ascii=False) + ", en: x}")
    (program / "tasks.yaml").write_text(tasks, encoding="utf-8")
    (program / "sections" / "general-provisions.uk.md").write_text(
        "\n\n".join(PAYLOADS) + "\n\n[click](javascript:alert(1)) [data](data:text/html,x) <b onclick=x>b</b>\n",
        encoding="utf-8",
    )
    out = tmp_path / "site"
    assert build(content, out, search=False).built
    for path in _html_files(out):
        page = parse(path)
        assert page.handlers == [] and page.inline_script == [], path
        assert all(s.get("src", "").endswith(("assets/search.js", "assets/site.js")) or s.get("type") == "application/ld+json"
                   for s in page.scripts), path
        for block in page.jsonld:
            assert "<" not in block, path
            json.loads(block)
        assert not any(link.lower().startswith(("javascript:", "data:")) for link in page.links), path
    section = (out / "uk/testova-2025-2027/general-provisions/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section


def test_an_offline_copy_links_every_page_by_its_file(tmp_path: Path) -> None:
    """Opened from a folder, a link to a folder shows its listing: an offline copy links every page's file,
    and differs from the published site in nothing but its links."""
    published, offline = tmp_path / "published", tmp_path / "offline"
    assert build(CONTENT, published / "site", search=False).built
    assert build(CONTENT, offline / "site", search=False, offline=True).built
    checked = 0
    for path in _html_files(offline / "site"):
        if path.name == "404.html":  # served by a server at whatever address was missing: its links are absolute
            continue
        for link in parse(path).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("#"):
                continue
            target = Path(posixpath.normpath(str(path.parent / unquote(parts.path))))
            assert target.is_file(), f"{path.relative_to(offline)} links to {link}, not a file"
            checked += 1
        twin = published / path.relative_to(offline)
        # Nor does it link the handbook, which is published beside the site, not in it.
        handbook = re.compile(r'<li><a href="[^"]*docs/(en/)?">[^<]*</a></li>\n')
        assert re.sub(r'href="([^"]*/)?index\.html"', lambda m: f'href="{m.group(1) or "./"}"', path.read_text(
            encoding="utf-8")) == handbook.sub("", twin.read_text(encoding="utf-8")), path.relative_to(offline)
    assert checked > 5000


def test_a_second_build_is_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert build(CONTENT, first).built and build(CONTENT, second).built
    files_a = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert files_a == files_b
    _, mismatch, errors = filecmp.cmpfiles(first, second, [str(p) for p in files_a], shallow=False)
    assert mismatch == [] and errors == []


def test_a_failed_build_leaves_the_previous_site_whole(tmp_path: Path, minimal_content: Path) -> None:
    out = tmp_path / "site"
    assert build(minimal_content, out, search=False).built
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (minimal_content / "testova-2025-2027" / "tasks.yaml").write_text("tasks: [\n", encoding="utf-8")
    result = build(minimal_content, out, search=False)
    assert not result.built
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not (tmp_path / ".site.staging").exists()


def test_the_build_never_writes_into_content(tmp_path: Path, minimal_content: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in minimal_content.rglob("*")}
    assert build(minimal_content, tmp_path / "site", search=False).built
    assert {p: p.stat().st_mtime_ns for p in minimal_content.rglob("*")} == before


def test_untranslated_text_shows_in_ukrainian_marked_on_english_pages(tmp_path: Path, minimal_content: Path) -> None:
    tasks = minimal_content / "testova-2025-2027" / "tasks.yaml"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace(
        "name: {uk: Щорічний інформаційний аудит, en: Annual information audit}",
        "name: {uk: Щорічний інформаційний аудит}"), encoding="utf-8")
    (minimal_content / "testova-2025-2027" / "sections" / "general-provisions.en.md").unlink()
    out = tmp_path / "site"
    assert build(minimal_content, out, search=False).built
    task_page = (out / "en/testova-2025-2027/tasks/audit/index.html").read_text(encoding="utf-8")
    assert '<h1><span lang="uk">Щорічний інформаційний аудит</span> <small class="untranslated">(not yet translated)</small></h1>' in task_page
    # In the title and the breadcrumb trail, as plain text.
    assert "<title>Щорічний інформаційний аудит (not yet translated) · " in task_page
    assert '<span aria-current="page">Щорічний інформаційний аудит (not yet translated)</span>' in task_page
    section = (out / "en/testova-2025-2027/general-provisions/index.html").read_text(encoding="utf-8")
    assert '<div class="prose" lang="uk">' in section and "not yet translated" in section
    translated = (out / "en/testova-2025-2027/tasks/edms/index.html").read_text(encoding="utf-8")
    assert "not yet translated" not in translated


def test_program_page_figures_agree(built, corpus) -> None:
    """Funding by year, by priority and by source are computed alike, so their totals agree."""
    site, _ = built
    from generator.assemble import assemble

    for program in assemble(corpus).programs:
        if not program.tasks:
            continue
        by_year = sum(program.amounts_by_year.values())
        by_priority = sum(sum(p.amounts.values()) for p in program.priorities)
        assert by_year == by_priority, program.id
        if all(r.source.value != "all" for t in program.tasks.values() for r in t.task.funding):
            assert sum(program.amounts_by_source.values()) == by_year, program.id


def test_macros_link_from_the_page_they_are_on(built, corpus) -> None:
    """The macros (breadcrumbs, downloads) link relative to the page that shows them, at every depth."""
    site, _ = built
    program = max(corpus.programs, key=lambda p: len(p.tasks))
    task = program.tasks[0]
    page = (site / "en" / program.id / "tasks" / task.id / "index.html").read_text(encoding="utf-8")
    assert f'<a href="../../../../data/{program.id}/tasks/{task.id}.csv" download>' in page
    assert '<li><a href="../../">' in page  # the program, up from en/<program>/tasks/<task>/


def test_an_indicators_targets_read_as_the_templates_loop_wrote_them() -> None:
    """targets() joins an indicator's targets in Python: the line Jinja's loop wrote, for every indicator of
    the real programs in both languages, escaped as a page escapes it."""
    from generator.assemble import SiteView, assemble
    from generator.render import Renderer
    from generator.validate import Corpus, check_catalogue, check_program

    catalogue, _ = check_catalogue(CONTENT)
    renderer = Renderer(TEMPLATES, SiteView([], catalogue), "/")
    loop = ("{% for year, value in ind.targets %}{{ year }}: {{ value | fig }}{% if not loop.last %}; {% endif %}"
            "{% endfor %}")
    compared = 0
    for folder in sorted(p for p in CONTENT.iterdir() if (p / "program.yaml").is_file()):
        source, problems = check_program(folder, {entry.code for entry in catalogue})
        program = assemble(Corpus(catalogue, [source], problems)).programs[0]
        for lang in LANGS:
            env = renderer.envs[lang]
            written = env.from_string(loop)
            for indicator in program.indicators.values():
                assert env.filters["targets"](indicator) == written.render(ind=indicator), indicator.id
                compared += 1
    assert compared > 200


def test_relative_links_match_posixpath_relpath() -> None:
    """A page's url() gives what posixpath.relpath gives, for every pair of places, online and in a copy to
    browse from a folder (where a link to a folder names its index.html)."""
    import posixpath

    from generator.assemble import SiteView
    from generator.render import Renderer

    online, offline = (Renderer(TEMPLATES, SiteView([], []), "https://example.org/x", offline=o) for o in (False, True))

    # Names that begin like another ("uk/ab/" beside "uk/a/") must not pass for it.
    routes = ["", "uk/", "uk/a/", "uk/a/tasks/x/", "en/a/data/", "uk/b/indicators/y/", "uk/a/tasks/", "uk/ab/",
              "uk/a/tasks/xy/", "ukr/a/"]
    targets = [*routes[1:], "assets/site.css", "data/a/tasks/x.csv", "datapackages/a.zip", "uk/a/search-index.js",
               "uk/a/tasks/x/data.csv", "uk/abc", "u"]
    for page in routes:
        for target in targets:
            expected = posixpath.relpath("/" + target, "/" + page)
            expected = "./" if expected == "." else expected + ("/" if target.endswith("/") else "")
            assert online.page_url(page)(target) == expected, (page, target)
            assert offline.page_url(page)(target) == expected + ("index.html" if expected.endswith("/") else "")
    assert online.page_url(None)("uk/a/") == "https://example.org/x/uk/a/"  # the 404 page's links are absolute


def _sitemap_urls(path: Path) -> tuple[str, list[str]]:
    """The root element's name and the <loc> URLs of a sitemap or a sitemap index."""
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    return root.tag.removeprefix(namespace), [loc.text or "" for loc in root.iter(f"{namespace}loc")]


def test_sitemap_lists_every_page_and_splits_past_the_protocol_limit(
        built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One sitemap may list 50,000 URLs: a national site (about 250,000 pages) needs an index of several."""
    import generator.sitewide

    site, base_url = built
    kind, urls = _sitemap_urls(site / "sitemap.xml")
    assert kind == "urlset"
    # Every page but the root's, whose canonical address is the Ukrainian home page's.
    pages = {base_url + p.relative_to(site).as_posix().removesuffix("index.html")
             for p in _html_files(site) if p.name != "404.html" and p != site / "index.html"}
    assert set(urls) == pages and len(urls) == len(pages)

    monkeypatch.setattr(generator.sitewide, "SITEMAP_URLS", 100)
    out = tmp_path / "site"
    assert build(CONTENT, out, base_url=base_url, search=False, packages_out=tmp_path / "data").built
    kind, parts = _sitemap_urls(out / "sitemap.xml")
    assert kind == "sitemapindex"
    assert parts == [f"{base_url}sitemap-{n}.xml" for n in range(1, -(-len(urls) // 100) + 1)]
    split = []
    for part in parts:
        kind, listed = _sitemap_urls(out / part.removeprefix(base_url))
        assert kind == "urlset" and 0 < len(listed) <= 100
        split.extend(listed)
    assert split == urls  # the same URLs in the same order
    assert f"Sitemap: {base_url}sitemap.xml" in (out / "robots.txt").read_text(encoding="utf-8")


def _groups(values: list[Decimal | None], kind: str = "target") -> list:
    from generator.charts import Group, Point

    return [Group(str(2025 + i), (Point(v, "" if v is None else str(v), kind),)) for i, v in enumerate(values)]


@pytest.mark.parametrize(("low", "high"), [
    ("0", "1"), ("0", "7"), ("0", "80.0"), ("0", "8632.5"), ("-10", "40"), ("-3", "0"), ("0", "0"), ("0", "0.3"),
    ("2", "2"), ("0", "99999"), ("-0.5", "12345.67"), ("0", "1E+9"), ("0", "101"), ("-7", "-2"), ("0.001", "0.004"),
] + [("0", str(Decimal(i) * Decimal("0.37"))) for i in range(1, 300, 7)])
def test_gridlines_are_round_and_cover_the_values_from_zero(low: str, high: str) -> None:
    """3 to 5 gridlines a round step apart (1, 2, 2.5 or 5 times a power of ten), zero among them, the
    lowest at or below the smallest value and the highest at or above the largest."""
    from generator.charts import ticks

    marks = ticks(Decimal(low), Decimal(high))
    assert 3 <= len(marks) <= 5 and Decimal(0) in marks
    assert marks[0] <= Decimal(low) and marks[-1] >= Decimal(high)
    steps = {b - a for a, b in zip(marks, marks[1:])}
    assert len(steps) == 1
    step = steps.pop()
    assert step.scaleb(-step.adjusted()) in {Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)}
    places = {mark.as_tuple().exponent for mark in marks}
    assert len(places) == 1  # written alike: 0.0, 2.5, 5.0, not 0, 2.5, 5


def test_column_chart_bars_stand_on_zero_and_scale_with_their_values() -> None:
    """Each column starts at the axis at zero, up for a positive value and down for a negative one; its
    length is proportional to its value; no value, no column; the gridlines are labelled by the page's
    number format and the highest covers the largest value."""
    from generator.charts import PLOT, column_chart, ticks

    values = [Decimal("40"), None, Decimal("-10"), Decimal("80.0"), Decimal("0")]
    chart = column_chart(_groups(values), {"target": "Target"}, "units", lambda v: f"n{v}")
    assert not chart.horizontal
    assert [t.text for t in chart.ticks] == [f"n{m}" for m in ticks(Decimal(-10), Decimal(80))]
    zero_tick = next(t for t in chart.ticks if t.text == "n0")
    assert zero_tick.at == pytest.approx(chart.zero)
    assert max(t.at for t in chart.ticks) - min(t.at for t in chart.ticks) == pytest.approx(PLOT)
    top = min(t.at for t in chart.ticks)
    per_unit = {round(bar.height / abs(float(v)), 6) for bar, v in zip(chart.bars, values) if v}
    assert len(per_unit) == 1  # lengths proportional to the values
    for bar, value in zip(chart.bars, values):
        assert bar.y >= top - 1e-9
        if value is None or value == 0:
            assert bar.height == 0 and bar.y == pytest.approx(chart.zero)
        elif value > 0:
            assert bar.y + bar.height == pytest.approx(chart.zero) and bar.value_y < bar.y
        else:
            assert bar.y == pytest.approx(chart.zero) and bar.value_y > bar.y + bar.height
    assert [bar.value_text for bar in chart.bars] == ["40", "", "-10", "80.0", "0"]
    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert chart.summary == "2025: 40; 2026: ; 2027: -10; 2028: 80.0; 2029: 0 (units)"


def test_a_yes_or_no_chart_has_no_gridlines_and_its_bars_say_yes_or_no() -> None:
    from generator.charts import PLOT, Group, Point, column_chart

    groups = [Group("Базове", (Point(Decimal(0), "Ні", "baseline"),)),
              Group("2026", (Point(Decimal(1), "Так", "target"),))]
    chart = column_chart(groups, {"baseline": "Базове значення", "target": "Цільове значення", "actual": "Ф"},
                         "Так/Ні", None)
    assert chart.ticks == [] and [b.value_text for b in chart.bars] == ["Ні", "Так"]
    assert [b.height for b in chart.bars] == [0, pytest.approx(PLOT)]
    assert [name for _, name, _, _ in chart.legend] == ["Базове значення", "Цільове значення"]  # only kinds shown
    svg = str(chart.svg("t", "c"))
    assert 'class="grid"' not in svg and 'class="tick' not in svg and ">Так</text>" in svg


def test_labels_wrap_at_words_onto_at_most_three_lines() -> None:
    from generator.charts import CHAR, wrap

    name = "Цифрова трансформація управління громадою та публічних послуг для мешканців"
    lines = wrap(name, 30 * CHAR)
    assert len(lines) == 3 and " ".join(lines) == name and all(len(line) <= 30 for line in lines)
    assert wrap("2026", 100) == ("2026",)
    assert wrap("Надзвичайнодовгеслово і ще", 5 * CHAR) == ("Надзвичайнодовгеслово", "і ще")  # a long word whole
    many = wrap(" ".join(["слово"] * 30), 22 * CHAR)
    assert len(many) == 3 and many[-1].endswith("…") and all(len(line) <= 22 for line in many)
    assert set(" ".join(many).removesuffix("…").split()) == {"слово"}  # cut at a word


def test_columns_that_would_not_fit_a_phone_are_drawn_across_and_every_text_stays_inside() -> None:
    """Eight years of five-digit amounts do not fit side by side in a phone's column: the chart becomes
    horizontal bars, each value beside its bar, and no text reaches past the viewBox (by a generous
    estimate of its width)."""
    from generator.charts import WIDTH, column_chart, text_width

    few = column_chart(_groups([Decimal("12345.6"), Decimal("2345.6"), Decimal("345.6")]), {"target": "T"}, "u",
                       str)
    many = column_chart(_groups([Decimal("12345.6") * (i + 1) for i in range(8)]), {"target": "T"}, "u", str)
    negative = column_chart(_groups([Decimal("-12345.6"), Decimal("2.5")] * 4), {"target": "T"}, "u", str)
    assert not few.horizontal and many.horizontal and negative.horizontal
    for chart in (few, many, negative):
        for bar in chart.bars:
            width = text_width(bar.value_text)
            left = {"start": bar.value_x, "end": bar.value_x - width, "middle": bar.value_x - width / 2}
            assert 0 <= left[bar.value_anchor] and left[bar.value_anchor] + width <= WIDTH, bar
        for label in chart.labels:
            assert all(text_width(line) <= WIDTH for line in label.lines)
    for a, b in zip(few.bars, few.bars[1:]):  # columns' values do not run into each other
        assert b.value_x - a.value_x >= (text_width(a.value_text) + text_width(b.value_text)) / 2
    assert negative.bars[0].value_anchor == "end"
    assert negative.bars[0].x + negative.bars[0].width == pytest.approx(negative.zero)  # from zero, leftwards


def test_a_chart_escapes_every_text_it_draws() -> None:
    from generator.charts import Group, Point, bar_chart, column_chart

    hostile = "<script>alert(1)</script>"
    names = {"amount": "Сума <тис.>"}
    across = bar_chart([Group(hostile + " напрям & ще", (Point(Decimal("10"), "10 <од.>", "amount"),)),
                        Group("Безпека", (Point(Decimal(5), "5", "amount"),))], names, "тис. & грн", lambda v: f"<{v}>")
    columns = column_chart([Group("<i>", (Point(Decimal(3), "3 <од.>", "amount"),))], names, "<u>",
                           lambda v: f"<{v}>")
    for chart, value in ((across, "10 &lt;од.&gt;"), (columns, "3 &lt;од.&gt;")):
        svg = str(chart.svg("Назва <b>", "c"))
        assert not re.search(r"<(script|b|i|u|тис|од|\d)", svg), svg
        assert "Назва &lt;b&gt;" in svg and "Сума &lt;тис.&gt;</text>" in svg and f">{value}</text>" in svg
        assert 'aria-labelledby="c-t c-d"' in svg and "&lt;0" in svg and 'class="axis"' in svg
    svg = str(across.svg("t", "p"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; напрям &amp; ще" in svg and "(тис. &amp; грн)</desc>" in svg
    assert "&lt;i&gt;" in str(columns.svg("t", "c")) and "(&lt;u&gt;)</desc>" in str(columns.svg("t", "c"))


def test_charts_draw_numbers_without_floating_point_noise() -> None:
    """Every coordinate the SVG writes has at most one decimal (not 124.80000000000001)."""
    from generator.charts import bar_chart, column_chart

    for count in range(1, 9):
        for step in ("0.7", "3.3", "13", "99.9", "-4.1"):
            groups = _groups([Decimal(step) * (i + 1) for i in range(count)])
            for chart in (column_chart(groups, {"target": "T"}, "u", str), bar_chart(groups, {"target": "T"}, "u", str)):
                svg = str(chart.svg("t", "c"))
                values = re.findall(r'\s(?:x|y|width|height)="([^"]*)"', svg)
                values += [n for d in re.findall(r'\sd="([^"]*)"', svg) for n in re.split(r"[MVH ]", d) if n]
                assert values
                for value in values:
                    assert re.fullmatch(r"-?\d+(\.\d)?", value), value
                assert re.fullmatch(r"0 0 640 \d+(\.\d)?", re.search(r'viewBox="([^"]*)"', svg).group(1))


def test_built_charts_name_their_bars_and_show_actual_values_hatched(tmp_path: Path, minimal_content: Path) -> None:
    """Built pages: an indicator's chart with reported actual values has a legend naming baseline, target and
    actual, the actual bars hatched, and says each year's values in its description; a yes-or-no indicator's
    bars say yes or no; a priority direction's name is escaped in the program's chart."""
    program = minimal_content / "testova-2025-2027"
    indicators = program / "indicators.yaml"
    indicators.write_text(indicators.read_text(encoding="utf-8").replace(
        "    targets: {2025: 10, 2026: 20, 2027: 30}\n",
        "    targets: {2025: 10, 2026: 20, 2027: 30}\n    actual: {2025: 8}\n"), encoding="utf-8")
    source = program / "program.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace(
        "Цифрова трансформація органу", "<script>alert(1)</script> Цифрова трансформація органу"), encoding="utf-8")
    out = tmp_path / "site"
    assert build(minimal_content, out, search=False).built
    strings = {lang: yaml.safe_load((TEMPLATES / f"strings.{lang}.yaml").read_text(encoding="utf-8")) for lang in LANGS}
    for lang in LANGS:
        s = strings[lang]
        page = (out / f"{lang}/testova-2025-2027/indicators/edms-officials/index.html").read_text(encoding="utf-8")
        svg = page[page.index("<svg"):page.index("</svg>")]
        assert re.findall(r'class="legend start">([^<]*)<', svg) == [s["baseline"], s["target"], s["actual"]]
        assert svg.count('fill="url(#values-chart-hatch)"') == 2  # the legend's sample and 2025's bar
        assert f"2025: {s['target']} 10, {s['actual']} 8; 2026: {s['target']} 20" in svg
        boolean = (out / f"{lang}/testova-2025-2027/indicators/online-services-available/index.html").read_text(
            encoding="utf-8")
        values = re.findall(r'class="value middle">([^<]*)<', boolean)
        assert values == [s["no"], s["no"], s["yes"], s["yes"]] and 'class="tick' not in boolean
        home = (out / f"{lang}/testova-2025-2027/index.html").read_text(encoding="utf-8")
        assert re.findall(r'class="legend start">([^<]*)<', home)[0] == s["amount"]
    home = (out / "uk/testova-2025-2027/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in home and "&lt;script&gt;alert(1)&lt;/script&gt; Цифрова" in home


def test_interface_strings_are_written_into_the_templates_and_a_missing_one_is_named(tmp_path: Path) -> None:
    """Each language's templates have their words written in as they compile; a template naming a string
    the catalogue lacks fails its build with Jinja's message naming it, as a lookup would."""
    import jinja2

    from generator.assemble import SiteView
    from generator.render import Renderer

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "probe.html").write_text("{{ S.home }}|{{ S.no_such_string }}", encoding="utf-8")
    renderer = Renderer(templates, SiteView([], []), "/")
    source = renderer.envs["en"].loader.get_source(renderer.envs["en"], "probe.html")[0]
    assert source.startswith(str(escape(renderer.strings["en"]["home"])) + "|{{ S.no_such_string }}")
    with pytest.raises(jinja2.UndefinedError, match="no_such_string"):
        renderer.envs["en"].get_template("probe.html").render()


class _Links(HTMLParser):
    """Each link's target and text, and the text of a page, for the program page's lists."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def test_every_program_page_links_every_task_and_indicator_in_its_tables(built, corpus) -> None:
    """The program at a glance: every task and every indicator of the program is linked from its page, by
    name, under its direction (and a task under its sub-direction); no reader has to open each direction."""
    site, _ = built
    for program in corpus.programs:
        for lang in LANGS:
            page = site / lang / program.id / "index.html"
            parser = _Links()
            parser.feed(page.read_text(encoding="utf-8"))
            targets = {(page.parent / href).resolve() for href, _ in parser.links if not href.startswith("#")}
            for kind, items in (("tasks", program.tasks), ("indicators", program.indicators)):
                for item in items:
                    assert (site / lang / program.id / kind / item.id).resolve() in targets, (lang, program.id, item.id)
    khmilnyk = (site / "uk" / "khmilnytska-2023-2025" / "index.html").read_text(encoding="utf-8")
    body = khmilnyk[khmilnyk.index('id="tasks-h"'):khmilnyk.index('id="indicators-h"')]
    # Khmilnyk's sub-directions head their tasks, in the document's order.
    assert body.index("1.1 Розвиток електронної комунікаційної") < body.index("1.2 Розширення електронних сервісів")


def test_a_program_page_headlines_its_money_in_millions_and_counts_in_words(built, corpus) -> None:
    """The total and each year in the words a reader uses (Babel's compact form); the exact thousands stay in
    the tables; the counts read as Ukrainian plurals; a program whose document states no amounts says exactly that."""
    from generator.assemble import assemble
    from generator.formats import money_short

    site, _ = built
    for program in assemble(corpus).programs:
        for lang in LANGS:
            text = _page_text(site, f"{lang}/{program.id}/")
            glance = text[:text.index({"uk": "Фінансування", "en": "Funding"}[lang], text.index(
                {"uk": "Коротко про програму", "en": "The program at a glance"}[lang]))]
            glance = " ".join(glance.split())
            if program.total is not None:
                assert " ".join(money_short(program.total, lang).split()) in glance, (program.id, lang)
                for year, amount in program.amounts_by_year.items():
                    assert str(year) in glance and " ".join(money_short(amount, lang).split()) in glance
            elif program.tasks:
                assert {"uk": "У документі суми не зазначено.", "en": "The document states no amounts."}[lang] in glance
            assert "немає Додатка 1" not in text and "no Appendix 1" not in text
    assert money_short(Decimal("14469.0"), "uk") == "14,5\u00a0млн грн"
    assert money_short(Decimal("14469.0"), "en") == "UAH 14.5 million"
    assert money_short(Decimal("465.0"), "uk") == "465\u00a0тис. грн"


def test_counts_read_in_each_languages_plural_and_dates_in_words() -> None:
    from generator.formats import date_text, plural_form

    assert [plural_form(n, "uk") for n in (1, 2, 5, 11, 21, 22, 25, 102, 112)] == [
        "one", "few", "many", "many", "one", "few", "many", "few", "many"]
    assert [plural_form(n, "en") for n in (1, 2, 0)] == ["one", "other", "other"]
    assert date_text("2024-12-19", "uk").startswith("19 грудня 2024")
    assert date_text("2024-12-19", "en") == "19 December 2024"


def test_a_task_page_names_its_sub_direction(built) -> None:
    site, _ = built
    text = _page_text(site, "uk/khmilnytska-2023-2025/tasks/" + next(
        p.name for p in sorted((site / "uk" / "khmilnytska-2023-2025" / "tasks").iterdir())))
    assert "Піднапрям" in text and re.search(r"Піднапрям\s*\d\.\d ", text)


def test_the_approved_documents_address_is_linked_when_the_source_gives_one(tmp_path: Path, minimal_content: Path) -> None:
    program_yaml = minimal_content / "testova-2025-2027" / "program.yaml"
    text = program_yaml.read_text(encoding="utf-8")
    program_yaml.write_text(text.replace("period: {start: 2025, end: 2027}\n",
                                         "period: {start: 2025, end: 2027}\nsource_url: https://rada.example/doc?id=1&x=2\n", 1),
                            encoding="utf-8")
    assert build(minimal_content, tmp_path / "site").built
    page = (tmp_path / "site" / "uk" / "testova-2025-2027" / "index.html").read_text(encoding="utf-8")
    assert '<a href="https://rada.example/doc?id=1&amp;x=2" rel="external">Затверджений документ</a>' in page


LONG_AUDIT = ("Щорічний інформаційний аудит усіх інформаційно-комунікаційних систем виконавчого комітету, "
              "його структурних підрозділів і комунальних підприємств громади")


def _with_short_names(content: Path) -> None:
    """Short names on two items of the minimal program (one without English), and a long name without one."""
    folder = content / "testova-2025-2027"
    indicators = folder / "indicators.yaml"
    indicators.write_text(indicators.read_text(encoding="utf-8").replace(
        '    name: {uk: "Кількість посадових осіб, підключених до СЕД", en: Number of officials connected to the EDMS}\n',
        '    name: {uk: "Кількість посадових осіб, підключених до СЕД", en: Number of officials connected to the EDMS}\n'
        '    short_name: {uk: "Посадовці в СЕД & <i>", en: Officials in the EDMS}\n'), encoding="utf-8")
    tasks = folder / "tasks.yaml"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace(
        "en: Rollout of an electronic document management system}\n",
        "en: Rollout of an electronic document management system}\n    short_name: {uk: СЕД}\n").replace(
        "name: {uk: Щорічний інформаційний аудит,", f"name: {{uk: \"{LONG_AUDIT}\","), encoding="utf-8")


def _title_h1_crumb(page: str) -> tuple[str, str, str]:
    title = unescape(re.search(r"<title>(.*?) · ", page).group(1))
    h1 = unescape(re.search(r"<h1>(.*?)</h1>", page).group(1))
    crumb = unescape(re.search(r'<span aria-current="page">(.*?)</span>', page).group(1))
    return title, h1, crumb


def test_a_short_name_titles_lists_and_trails_the_item_and_its_page_heading_keeps_the_name(
        tmp_path: Path, minimal_content: Path) -> None:
    _with_short_names(minimal_content)
    result = build(minimal_content, tmp_path / "site", search=False, packages_out=tmp_path / "datapackages")
    assert result.built, [p.as_text("en") for p in result.corpus.problems if p.severity == "error"]
    site = tmp_path / "site"

    def page(lang: str, route: str) -> str:
        return (site / lang / "testova-2025-2027" / route / "index.html").read_text(encoding="utf-8")

    indicator = {lang: page(lang, "indicators/edms-officials") for lang in LANGS}
    assert _title_h1_crumb(indicator["uk"]) == ("Посадовці в СЕД & <i>", "Кількість посадових осіб, підключених до СЕД",
                                                "Посадовці в СЕД & <i>")
    assert "Посадовці в СЕД &amp; &lt;i&gt;" in indicator["uk"] and "<i>" not in indicator["uk"]  # escaped
    assert _title_h1_crumb(indicator["en"]) == ("Officials in the EDMS", "Number of officials connected to the EDMS",
                                                "Officials in the EDMS")
    # No English short name: English pages show the English name, not the Ukrainian short one.
    task = {lang: page(lang, "tasks/edms") for lang in LANGS}
    assert _title_h1_crumb(task["uk"]) == ("СЕД", "Запровадження системи електронного документообігу", "СЕД")
    english = "Rollout of an electronic document management system"
    assert _title_h1_crumb(task["en"]) == (english, english, english)
    assert "not yet translated" not in task["en"]
    # Each links the other by its short name; the priority lists both so.
    assert '>Посадовці в СЕД &amp; &lt;i&gt;</a></li>' in task["uk"] and '>СЕД</a></dd>' in indicator["uk"]
    priority = page("uk", "priorities/digital-governance")
    assert '>СЕД</a>' in priority and '>Посадовці в СЕД &amp; &lt;i&gt;</a>' in priority
    assert ">Запровадження системи електронного документообігу</a>" not in priority
    # Without a short name, the trail cuts the name at a word, and the title too when it is longer still.
    title, h1, crumb = _title_h1_crumb(page("uk", "tasks/audit"))
    assert h1 == LONG_AUDIT
    for cut, limit in ((crumb, 60), (title, 90)):
        kept = cut.removesuffix("...")
        assert cut.endswith("...") and len(kept) <= limit and LONG_AUDIT.startswith(kept + " "), cut
    # The package names the short names beside the names; the downloads too.
    tasks = {row["task_id"]: row for row in csv.DictReader(io.StringIO(
        (tmp_path / "datapackages/testova-2025-2027/tasks.csv").read_text(encoding="utf-8"), newline=""))}
    assert (tasks["edms"]["short_name_uk"], tasks["edms"]["short_name_en"], tasks["audit"]["short_name_uk"]) == ("СЕД", "", "")
    indicators = {row["indicator_id"]: row for row in csv.DictReader(io.StringIO(
        (tmp_path / "datapackages/testova-2025-2027/indicators.csv").read_text(encoding="utf-8"), newline=""))}
    assert indicators["edms-officials"]["short_name_en"] == "Officials in the EDMS"
    data = json.loads((site / "data/testova-2025-2027/indicators/edms-officials.json").read_text(encoding="utf-8"))
    assert data["short_name"] == {"uk": "Посадовці в СЕД & <i>", "en": "Officials in the EDMS"}
