"""Navigation and trust: the root page, the header and footer, About and the accessibility statement,
content/site.yaml, each page's own description and title, and the picture a shared link shows."""

from __future__ import annotations

import posixpath
import shutil
import struct
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.assemble import SiteView
from generator.build import build
from generator.describe import DESCRIPTION_LIMIT, cut, differs_at, joined
from generator.model import Contact, SiteSettings, Text
from generator.render import Renderer
from generator.validate import validate

from .conftest import CONTENT, ROOT

BASE_URL = "https://example.org/repo/"
TEMPLATES = ROOT / "templates"
# A council's settings, made up for the tests (example.org is reserved for examples).
SETTINGS = """\
# yaml-language-server: $schema=../schemas/site.schema.json
title:
  uk: Програми інформатизації громад
  en: Hromada informatization programs
publisher:
  uk: Тестова рада & партнери
  en: Test council & partners
contact:
  email: programs@example.org
  url: https://example.org/feedback?from=site&lang=uk
"""


class _Head(HTMLParser):
    """What a page says of itself and how it links: its head's meta tags, its header's and footer's links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.links: dict[str, list[str]] = {}  # rel -> hrefs (canonical; alternate as hreflang=href)
        self.title = ""
        self.nav: list[tuple[str, str, str | None]] = []  # (href, text, aria-current) of the header's sections
        self.footer: list[tuple[str, str]] = []
        self.main_links: list[str] = []
        self.lang = ""
        self._in: list[str] = []
        self._in_link = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.lang = values.get("lang", "")
        elif tag == "meta" and ("name" in values or "property" in values):
            self.meta.setdefault(values.get("name") or values["property"], []).append(values.get("content", ""))
        elif tag == "link" and values.get("rel") == "alternate":
            self.links.setdefault("alternate", []).append(f"{values['hreflang']}={values['href']}")
        elif tag == "link":
            self.links.setdefault(values.get("rel", ""), []).append(values.get("href", ""))
        elif tag == "nav" and "site-nav" in values.get("class", ""):
            self._in.append("nav")
        elif tag == "footer":
            self._in.append("footer")
        elif tag == "main":
            self._in.append("main")
        elif tag == "title":
            self._in.append("title")
        elif tag == "a" and self._in:
            self._in_link = True
            where = self._in[-1]
            if where == "nav":
                self.nav.append((values["href"], "", values.get("aria-current")))
            elif where == "footer":
                self.footer.append((values["href"], ""))
            elif where == "main":
                self.main_links.append(values["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_link = False
        if self._in and tag == {"nav": "nav", "footer": "footer", "main": "main", "title": "title"}[self._in[-1]]:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        where = self._in[-1] if self._in else None
        if where == "title":
            self.title += data
        elif where == "nav" and self.nav and self._in_link:
            self.nav[-1] = (self.nav[-1][0], self.nav[-1][1] + data, self.nav[-1][2])
        elif where == "footer" and self.footer and self._in_link:
            self.footer[-1] = (self.footer[-1][0], self.footer[-1][1] + data)


def head(path: Path) -> _Head:
    parser = _Head()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The five real programs, with a council's settings, published at an address with a host."""
    folder = tmp_path_factory.mktemp("navigation")
    content = folder / "content"
    shutil.copytree(CONTENT, content)
    (content / "site.yaml").write_text(SETTINGS, encoding="utf-8")
    out = folder / "site"
    result = build(content, out, base_url=BASE_URL, search=False)
    assert result.built, [p.as_text("en") for p in result.corpus.problems if p.severity == "error"]
    return out


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, _Head]:
    return {path.relative_to(site).as_posix(): head(path) for path in sorted(site.rglob("*.html"))}


def _resolves(site: Path, page: str, href: str) -> str:
    """A relative link from ``page`` (a path in the site) as a route from the site's root."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), href)) + "/"


def test_the_root_is_the_ukrainian_home_page_listing_every_program(site: Path, pages: dict[str, _Head]) -> None:
    root, corpus = pages["index.html"], validate(CONTENT)
    assert root.lang == "uk" and root.links["canonical"] == [BASE_URL + "uk/"]
    assert sorted(root.links["alternate"]) == sorted([f"uk={BASE_URL}uk/", f"en={BASE_URL}en/",
                                                      f"x-default={BASE_URL}uk/"])
    listed = {_resolves(site, "index.html", href) for href in root.main_links}
    assert {f"uk/{program.id}/" for program in corpus.programs} <= listed and len(corpus.programs) == 5
    # The same page as /uk/, linked from where it is.
    uk = (site / "uk" / "index.html").read_text(encoding="utf-8")
    assert (site / "index.html").read_text(encoding="utf-8").count("<h3>") == uk.count("<h3>") == 5
    assert root.meta["description"] == pages["uk/index.html"].meta["description"]


def test_every_page_has_its_own_description_of_at_most_160_characters(pages: dict[str, _Head]) -> None:
    by_description: dict[str, str] = {}
    for where, page in pages.items():
        if where == "404.html":
            continue
        [description] = page.meta["description"]
        assert 30 <= len(description) <= DESCRIPTION_LIMIT, (where, description)
        assert page.meta["og:description"] == [description], where
        [canonical] = page.links["canonical"]
        # The root page is the Ukrainian home page (its canonical): every other page says something of its own.
        assert by_description.setdefault(description, canonical) == canonical, (where, description)
    assert len(by_description) == len(pages) - 2  # all but the 404 page and the root, which is /uk/ again


def test_descriptions_say_what_each_page_holds(pages: dict[str, _Head]) -> None:
    program = pages["uk/kremenchutska-2026-2028/index.html"].meta["description"][0]
    assert program.startswith("Кременчуцька") and "2026–2028" in program and "тис. грн" in program
    assert "Завдань: " in program and "індикаторів: " in program
    indicator = pages["en/kremenchutska-2026-2028/indicators/modern-pcs-share/index.html"].meta["description"][0]
    assert "%" in indicator and "→" in indicator and "2028: " in indicator
    task = pages["uk/kremenchutska-2026-2028/tasks/computer-equipment/index.html"].meta["description"][0]
    assert "Фінансування: " in task and "Кременчуцька" in task


def test_descriptions_are_cut_at_a_word() -> None:
    words = "слово " * 60
    assert cut(words) == ("слово " * 26).strip() + "…" and len(cut(words)) <= DESCRIPTION_LIMIT
    assert cut("коротко  і\nясно") == "коротко і ясно"
    # A long name loses its middle, and keeps where it differs from the most alike name beside it.
    platform = ("% посадових осіб, які пройшли навчання (підвищення кваліфікації) на платформі {}, від загальної "
                "кількості посадових осіб органу місцевого самоврядування")
    education, community = platform.format("Дія.Освіта"), platform.format("Дія.Цифрова громада")
    tail = ". %: 2027: 5. Слобожанська, 2025–2027"
    made = joined(education, tail, distinct=differs_at([education, community])[education])
    other = joined(community, tail, distinct=differs_at([community, education])[community])
    assert made != other and "Дія.Освіта" in made and made.endswith(" … " + "самоврядування" + tail)
    assert len(made) <= DESCRIPTION_LIMIT and len(other) <= DESCRIPTION_LIMIT
    assert joined("Коротка назва", tail) == "Коротка назва" + tail


def test_no_title_names_the_same_thing_twice(pages: dict[str, _Head]) -> None:
    for where, page in pages.items():
        parts = page.title.split(" · ")
        assert all(a != b for a, b in zip(parts, parts[1:])), (where, page.title)
    assert pages["uk/index.html"].title == "Програми інформатизації громад"
    assert pages["en/about/index.html"].title == "About · Hromada informatization programs"


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_every_page_has_the_header_sections_and_marks_the_current_one(site: Path, pages: dict[str, _Head],
                                                                       lang: str) -> None:
    labels = {"uk": ["Програми", "Показники", "Відкриті дані", "Про проєкт"],
              "en": ["Programs", "Indicators", "Open data", "About"]}[lang]
    targets = [f"{lang}/", f"{lang}/indicators/", f"{lang}/data/", f"{lang}/about/"]
    checked = 0
    for where, page in pages.items():
        if page.lang != lang or where == "404.html":
            continue
        assert [text for _, text, _ in page.nav] == labels, where
        assert [_resolves(site, where, href.removesuffix("index.html")) for href, _, _ in page.nav] == \
            [posixpath.normpath(t) + "/" for t in targets], where
        current = [(text, state) for _, text, state in page.nav if state]
        route = where.removesuffix("index.html") or "uk/"  # the root page is the Ukrainian home page
        if route in targets:
            assert current == [(labels[targets.index(route)], "page")], where
        elif route.startswith(f"{lang}/indicators/"):
            assert current == [(labels[1], "true")], where
        elif route == f"{lang}/accessibility/":
            assert current == [], where
        else:  # a program's pages, the dataset pages
            assert current == [(labels[0], "true")], where
        checked += 1
    assert checked > 300


def test_every_footer_links_the_licence_about_accessibility_handbook_and_contact(site: Path,
                                                                                 pages: dict[str, _Head]) -> None:
    for where, page in pages.items():
        hrefs = dict((text, href) for href, text in page.footer)
        lang = "en" if where.startswith("en/") else "uk"
        about, statement, handbook = ("About", "Accessibility", "Handbook for hromadas") if lang == "en" else (
            "Про проєкт", "Доступність", "Посібник для громад")
        assert hrefs["CC BY 4.0"] == "https://creativecommons.org/licenses/by/4.0/", where
        assert hrefs["programs@example.org"] == "mailto:programs@example.org", where
        assert hrefs["https://example.org/feedback?from=site&lang=uk"] == \
            "https://example.org/feedback?from=site&lang=uk", where
        if where == "404.html":  # served at any address: its links are absolute
            assert hrefs[about] == BASE_URL + "uk/about/" and hrefs[handbook] == BASE_URL + "docs/"
            continue
        assert _resolves(site, where, hrefs[about]) == f"{lang}/about/", where
        assert _resolves(site, where, hrefs[statement]) == f"{lang}/accessibility/", where
        assert _resolves(site, where, hrefs[handbook]) == ("docs/en/" if lang == "en" else "docs/"), where
    footer = (site / "uk" / "index.html").read_text(encoding="utf-8").split("<footer", 1)[1]
    assert "Публікує: Тестова рада &amp; партнери.\nЗв’язок: <a href=\"mailto:" in footer  # escaped, as all content


def test_the_handbook_is_published_where_the_footer_links_it() -> None:
    workflow = (ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8")
    assert "mkdocs build --strict --site-dir site/docs" in workflow
    assert (ROOT / "docs" / "en" / "index.md").is_file()


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_about_and_the_accessibility_statement_say_what_they_must(site: Path, pages: dict[str, _Head],
                                                                  lang: str) -> None:
    about = (site / lang / "about" / "index.html").read_text(encoding="utf-8")
    for words in ({"uk": ["№ 119", "2 лютого 2024", "паспорта", "п'яти розділів", "Додатка 1", "Додатка 2",
                          "ніколи не\nвиправляються", "CC BY 4.0", "Frictionless"],
                   "en": ["No. 119", "2 February 2024", "program passport", "five sections", "Appendix 1",
                          "Appendix 2", "never corrected", "CC BY 4.0", "Frictionless"]}[lang]):
        assert words in about, words
    data = [href for href in pages[f"{lang}/about/index.html"].main_links if not urlsplit(href).scheme]
    assert [_resolves(site, f"{lang}/about/index.html", href) for href in data] == [f"{lang}/data/"]
    statement = (site / lang / "accessibility" / "index.html").read_text(encoding="utf-8")
    for words in ("WCAG 2.1", "axe-core", "360", "JavaScript", "mailto:programs@example.org"):
        assert words in statement, words


def test_without_a_site_file_the_site_names_itself_and_says_there_is_no_contact_yet() -> None:
    renderer = Renderer(TEMPLATES, SiteView([], []), "/")
    page = renderer.render(renderer.project_page("accessibility", "en")).decode()
    assert "<title>Accessibility · Hromada informatization programs</title>" in page
    assert "No contact address for this site has been given yet" in page and "mailto:" not in page
    assert 'property="og:image"' not in page  # no host to make its address absolute with


def test_the_shared_link_picture_has_an_absolute_address_and_is_a_1200_by_630_png(site: Path,
                                                                                   pages: dict[str, _Head]) -> None:
    for where, page in pages.items():
        assert page.meta["og:image"] == [BASE_URL + "assets/og-image.png"], where
        assert page.meta["og:image:alt"][0].strip(), where
    picture = (site / "assets" / "og-image.png").read_bytes()
    assert picture[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", picture[16:24]) == (1200, 630)
    assert picture == (TEMPLATES / "assets" / "og-image.png").read_bytes()


def test_settings_show_in_each_language_and_content_is_escaped() -> None:
    settings = SiteSettings(title=Text(uk="Програми <громади>", en="Programs <of the hromada>"),
                            contact=Contact(url="https://example.org/write"))
    renderer = Renderer(TEMPLATES, SiteView([], []), "https://example.org/", settings=settings)
    for lang, title in (("uk", "Програми &lt;громади&gt;"), ("en", "Programs &lt;of the hromada&gt;")):
        page = renderer.render(renderer.project_page("about", lang)).decode()
        assert f'<a class="brand" href="../">{title}</a>' in page
        assert '<a href="https://example.org/write">https://example.org/write</a>' in page


def test_the_site_file_is_checked_with_messages_in_both_languages(minimal_content: Path) -> None:
    (minimal_content / "site.yaml").write_text("title:\n  uk: Назва\n  en: Name\ncontact:\n  email: not an address\n",
                                               encoding="utf-8")
    [problem] = validate(minimal_content).problems
    path = str(minimal_content / "site.yaml")
    assert problem.as_text("uk") == (f"{path}:5:10: помилка: «not an address» має неправильний формат: адреса "
                                     f"електронної пошти, наприклад programs@example.org. [bad-format]")
    assert problem.as_text("en") == (f"{path}:5:10: error: 'not an address' has the wrong format: an e-mail "
                                     f"address, e.g. programs@example.org. [bad-format]")
    result = build(minimal_content, minimal_content.parent / "site")
    assert not result.built and not (minimal_content.parent / "site").exists()  # an error in it stops the build


def test_a_change_to_the_site_file_shows_on_every_page_of_the_next_build(minimal_content: Path) -> None:
    """Every page's footer shows the settings: an incremental build renders every program again when they change."""
    out = minimal_content.parent / "site"
    assert build(minimal_content, out, search=False).built
    assert not any("mailto:" in path.read_text(encoding="utf-8") for path in out.rglob("*.html"))
    (minimal_content / "site.yaml").write_text("contact:\n  email: programs@example.org\n", encoding="utf-8")
    result = build(minimal_content, out, search=False)
    assert result.built and result.programs_reused == 0
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 20 and all("mailto:programs@example.org" in path.read_text(encoding="utf-8") for path in pages)


def test_both_languages_have_the_same_interface_strings() -> None:
    from generator.render import load_strings

    strings = load_strings(TEMPLATES)
    assert strings["uk"].keys() == strings["en"].keys()
    assert all(text.strip() or key == "translation_note" for table in strings.values() for key, text in table.items())
