"""The built site, walked as a whole: every page, link, asset and download; figures; safety; determinism."""

from __future__ import annotations

import filecmp
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
    text = path.read_text(encoding="utf-8")
    assert text.startswith(INDEX_SCRIPT) and text.endswith(");\n"), path
    index = json.loads(text[len(INDEX_SCRIPT):-3])
    return index["program"], {address: (title, words) for address, title, words in index["pages"]}


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
                                           "downloads", "download_csv", "measure", "responsible", "timeframe",
                                           "funding", "measured_by", "tasks", "indicators", "passport",
                                           "key_figures", "data_quality", "search_button", "no_value")]
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
                    passport = html[html.index('id="passport-h"'):html.index("</dl>")]
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
            assert shown == [unescape(re.sub(r"<[^>]+>", "", str(p.statement(lang)))) for p in item.notes], item.route(lang)
            with_notes += 1
    assert with_notes > 20 and without > 20, (with_notes, without)


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
            if target.relative_to(site).parts[1:] == ("indicators",) and not (target / "index.html").exists():
                continue  # the list of indicators, built by its own change: until it is merged, the header links ahead
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


def test_a_comparison_lists_the_hromadas_by_name_as_the_home_page_does(built) -> None:
    """Each standard indicator's comparison lists the hromadas that use it in the order of the home page,
    the unnamed last, not in the order of the program ids."""
    site, _ = built
    differs = 0
    for lang in LANGS:
        home = (site / lang / "index.html").read_text(encoding="utf-8")
        order = re.findall(r'<h3><a href="([^"/]+)/">', home)
        assert len(order) == 5
        for page in sorted((site / lang / "indicators").glob("*/index.html")):
            listed = re.findall(r'<li><a href="\.\./\.\./([^/]+)/indicators/', page.read_text(encoding="utf-8"))
            assert listed == sorted(listed, key=order.index), page
            differs += listed != sorted(listed)
    assert differs > 0  # some page where the ids' order would be wrong


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
            assert script.get("src", "").endswith("assets/search.js") or script.get("type") == "application/ld+json", path
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
        assert all(s.get("src", "").endswith("assets/search.js") or s.get("type") == "application/ld+json"
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
            if target.relative_to(offline / "site").parts[1:] == ("indicators", "index.html") and not target.exists():
                continue  # the list of indicators, built by its own change: until it is merged, the header links ahead
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


def test_column_chart_scales_bars_and_keeps_each_charts_labels() -> None:
    """Bars stand for their values (the largest fills the plot; no value, no bar) whatever the labels; two
    charts of the same values, as an indicator's two languages are, share where the bars stand, not their words."""
    from generator.charts import COLUMN_CHART, bar_chart

    _, height, top, bottom, _ = COLUMN_CHART
    plot = height - top - bottom
    values = [Decimal("40"), None, Decimal("-10"), Decimal("80.0"), Decimal("0")]
    uk = bar_chart([(f"<{i}>", v, f"{v} од.", "target") for i, v in enumerate(values)], "опис")
    en = bar_chart([(f"y{i}", v, f"{v} u.", "target") for i, v in enumerate(values)], "summary")
    heights = [float(bar.height) for bar in uk.bars]
    assert heights == [plot / 2, 0.0, plot / 8, plot, 0.0]
    assert [float(bar.y) + float(bar.height) for bar in uk.bars] == [top + plot] * len(values)  # on the axis
    xs = [float(bar.x) for bar in uk.bars]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert [(b.x, b.y, b.width, b.height) for b in uk.bars] == [(b.x, b.y, b.width, b.height) for b in en.bars]
    assert [bar.label for bar in uk.bars] == [f"<{i}>" for i in range(5)]  # escaped where a page shows it
    assert [bar.label for bar in en.bars] == [f"y{i}" for i in range(5)] and en.summary == "summary"
    assert uk.bars[3].value_text == "80.0 од." and en.bars[3].value_text == "80.0 u."


def test_charts_draw_numbers_without_floating_point_noise() -> None:
    """Where a bar and its texts stand is written with at most two decimals (not 124.80000000000001)."""
    from generator.charts import bar_chart, hbar_chart

    for count in range(1, 9):
        for step in ("0.7", "3.3", "13", "99.9"):
            values = [Decimal(step) * (i + 1) for i in range(count)]
            charts = [bar_chart([(str(i), v, str(v), "target") for i, v in enumerate(values)], ""),
                      hbar_chart([(str(i), v, str(v)) for i, v in enumerate(values)], "")]
            for chart in charts:
                for bar in chart.bars:
                    for name in ("x", "y", "width", "height", "text_x", "value_y", "label_y"):
                        assert re.fullmatch(r"-?\d+(\.\d{1,2})?", str(getattr(bar, name))), (name, getattr(bar, name))


def test_a_chart_escapes_its_words_and_cuts_long_labels_at_a_word() -> None:
    """The SVG a chart draws: its title, summary and labels escaped, a horizontal bar's long label cut at a
    word with "...", each bar's value beside it."""
    from generator.charts import bar_chart, hbar_chart

    long_name = "Цифрова трансформація управління <громадою> та публічних послуг для мешканців"
    svg = str(hbar_chart([(long_name, Decimal("10"), "10,0"), ("Безпека & захист", Decimal("5"), "5,0")],
                         "<summary>").svg("Title <b>", "p"))
    assert "<b>" not in svg and "<summary>" not in svg and "&lt;summary&gt;" in svg and "Title &lt;b&gt;" in svg
    assert ">Цифрова трансформація управління &lt;громадою&gt;...</text>" in svg
    assert ">Безпека &amp; захист</text>" in svg and svg.count('class="value start">') == 2
    column = str(bar_chart([("2025", Decimal("3"), "3 <од.>", "target")], "s").svg("t", "c"))
    assert 'aria-labelledby="c-t c-d"' in column and ">3 &lt;од.&gt;</text>" in column and 'class="axis"' in column


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
