"""What residents see, checked in a real browser (headless Chromium driven by Playwright).

Every page type in both languages: no console errors or failed requests, no
axe-core violations at WCAG 2.1 A and AA, readable without JavaScript and on a
360 px phone, usable by keyboard, and a language switch to the same page. Also
search, downloads, the chart against its table, and page weight.

Screenshots of every page type at 360 px and 1280 px in both languages are
written to ``test-screenshots/`` (or $SCREENSHOT_DIR) for people to look at.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import shutil
import threading
from contextlib import contextmanager
from decimal import Decimal
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from generator.build import build

from .conftest import CONTENT, ROOT

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "test-screenshots"))
WEIGHT_REPORT = SCREENSHOTS / "page-weight.json"
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"]}

PAGE_TYPES = {
    "root": "",  # the Ukrainian home page, at the site's root
    "home": "{lang}/",
    "program": "{lang}/kremenchutska-2026-2028/",
    "section": "{lang}/khmilnytska-2023-2025/informatization-analysis/",
    "priority": "{lang}/khmilnytska-2023-2025/priorities/infrastructure/",
    "indicator": "{lang}/kremenchutska-2026-2028/indicators/modern-pcs-share/",
    "task": "{lang}/kremenchutska-2026-2028/tasks/computer-equipment/",
    "standard-indicator": "{lang}/indicators/cybersecurity-trained-officials-share/",
    "indicators-index": "{lang}/indicators/",
    "dataset": "{lang}/kremenchutska-2026-2028/data/",
    "about": "{lang}/about/",
    "accessibility": "{lang}/accessibility/",
    "404": "{lang}/no-such-page/",
}
CASES = [(kind, lang) for kind in PAGE_TYPES for lang in (("uk",) if kind == "root" else ("uk", "en"))]
IDS = [f"{kind}-{lang}" for kind, lang in CASES]


class _PagesHandler(SimpleHTTPRequestHandler):
    """Serves the site as GitHub Pages does: index.html for folders, 404.html with status 404."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            data = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        super().send_error(code, message, explain)


@contextmanager
def _served(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_PagesHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    assert build(CONTENT, out).built
    return out


@pytest.fixture(scope="session")
def site_url(site_folder: Path) -> str:
    with _served(site_folder) as url:
        yield url


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                      "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None  # Playwright's own build, if `python -m playwright install chromium` was run


@pytest.fixture(scope="session")
def browser() -> Browser:
    with sync_playwright() as playwright:
        try:
            instance = playwright.chromium.launch(
                executable_path=_chromium(),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                      "--disable-sync", "--no-first-run", "--disable-quic"],
            )
        except Exception as error:  # noqa: BLE001 - say how to get a browser
            pytest.fail(f"no Chromium to test with ({error}); install Debian's chromium package "
                        "or run `python -m playwright install chromium`")
        yield instance
        instance.close()


def _open(browser: Browser, url: str, *, width: int = 1280, javascript: bool = True) -> tuple[Page, list[str], list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=javascript)
    page = context.new_page()
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: failed.append(f"{request.url} {request.failure}"))
    page.on("response", lambda response: failed.append(f"{response.url} {response.status}")
            if response.status >= 400 and not response.url.rstrip("/").endswith("no-such-page") else None)
    page.goto(url, wait_until="networkidle")
    return page, errors, failed


def _search(page: Page, query: str) -> list[str]:
    """Search from the page's form (fresh, with no results shown yet); the addresses of the results, once some show."""
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.locator("#search-results a").first.wait_for(timeout=15000)
    links = page.locator("#search-results a").evaluate_all("links => links.map(a => a.href)")
    # The status line, which a screen reader announces, says how many: all of them, or the first 20 of more.
    status = page.locator("#search-status").inner_text()
    count = int(re.search(r"\d+", status).group())
    first = page.locator("form.search").get_attribute("data-shown-first")
    assert (count == len(links) <= 20 and first not in status) or (count > len(links) == 20 and first in status), status
    return links


def _url(site_url: str, kind: str, lang: str) -> str:
    return site_url + PAGE_TYPES[kind].format(lang=lang)


@pytest.mark.parametrize(("kind", "lang"), CASES, ids=IDS)
def test_no_console_errors_or_failed_requests(browser: Browser, site_url: str, kind: str, lang: str) -> None:
    page, errors, failed = _open(browser, _url(site_url, kind, lang))
    if kind == "404":  # the page's own status is reported as a console error; nothing else may be
        errors = [e for e in errors if "404 (File not found)" not in e and "status of 404" not in e]
    assert errors == [] and failed == []
    page.context.close()


@pytest.mark.parametrize(("kind", "lang"), CASES, ids=IDS)
def test_no_accessibility_violations(browser: Browser, site_url: str, kind: str, lang: str) -> None:
    page, _, _ = _open(browser, _url(site_url, kind, lang))
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")  # check hidden tables too
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()
    page.context.close()


@pytest.mark.parametrize(("kind", "lang"), CASES, ids=IDS)
def test_content_tables_and_chart_show_without_javascript(browser: Browser, site_url: str, kind: str, lang: str) -> None:
    page, _, _ = _open(browser, _url(site_url, kind, lang), javascript=False)
    assert page.locator("h1").is_visible()
    assert page.locator("main").inner_text().strip()
    for table in page.locator("main table:not(details table)").all():
        assert table.is_visible()
    for chart in page.locator("figure.chart svg").all():
        assert chart.is_visible() and chart.bounding_box()["height"] > 50
    if kind in ("indicator", "program"):
        assert page.locator("figure.chart svg").count() >= 1
    if kind in ("program", "task", "indicator", "section"):
        assert page.locator("main table").count() >= 1
    page.context.close()


@pytest.mark.parametrize(("kind", "lang"), CASES, ids=IDS)
def test_phone_width_has_no_sideways_scroll_and_readable_text(browser: Browser, site_url: str, kind: str, lang: str) -> None:
    page, _, _ = _open(browser, _url(site_url, kind, lang), width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll('body *')]
        .filter(e => e.childNodes.length && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
                     && e.getClientRects().length && !e.closest('.visually-hidden, svg'))
        .map(e => parseFloat(getComputedStyle(e).fontSize)))""")
    assert smallest >= 12, f"text at {smallest}px"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{kind}-{lang}-360.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(SCREENSHOTS / f"{kind}-{lang}-1280.png"), full_page=True)
    page.context.close()


@pytest.mark.parametrize(("kind", "lang"), CASES, ids=IDS)
def test_keyboard_skip_link_reach_and_focus(browser: Browser, site_url: str, kind: str, lang: str) -> None:
    page, _, _ = _open(browser, _url(site_url, kind, lang))
    # Number every element a keyboard user should reach, so identical links count separately.
    focusable = page.evaluate("""() => [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex="0"], summary')]
        .filter(e => e.checkVisibility({checkVisibilityCSS: true}))
        .map((e, i) => e.setAttribute('data-kb', i)).length""")
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.className + '|' + document.activeElement.getAttribute('href')")
    assert first == "skip-link|#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Shift+Tab")  # back to the skip link, then walk the whole page
    reached = set()
    for _ in range(focusable + 5):
        info = page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
            return {key: e.getAttribute('data-kb') || e.outerHTML.slice(0, 80), tag: e.tagName,
                    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }""")
        if info["tag"] != "BODY":
            reached.add(info["key"])
            assert info["outline"], f"no visible focus on {info['key']}"
        page.keyboard.press("Tab")
    expected = {str(i) for i in range(focusable)}
    assert expected <= reached, f"not reachable by Tab: {sorted(expected - reached, key=int)[:10]}"
    page.context.close()


@pytest.mark.parametrize(("kind", "lang"), [c for c in CASES if c[0] not in ("root", "404")],
                         ids=[i for i, c in zip(IDS, CASES) if c[0] not in ("root", "404")])
def test_language_switch_leads_to_the_same_page(browser: Browser, site_url: str, kind: str, lang: str) -> None:
    page, _, _ = _open(browser, _url(site_url, kind, lang))
    page.locator("a.lang-switch").click()
    page.wait_for_load_state()
    other = "en" if lang == "uk" else "uk"
    assert page.url == _url(site_url, kind, other)
    assert page.evaluate("document.documentElement.lang") == other
    page.context.close()


def test_the_root_is_the_ukrainian_home_page_and_switches_to_the_english_one(browser: Browser, site_url: str) -> None:
    page, _, _ = _open(browser, site_url, javascript=False)
    assert page.evaluate("document.documentElement.lang") == "uk"
    assert page.locator("main h3 a").count() == 5  # every program, with no language to choose first
    page.locator("main h3 a").first.click()
    page.wait_for_load_state()
    assert page.url.startswith(site_url + "uk/") and page.locator("nav.breadcrumbs").count() == 1
    page.go_back()
    page.locator("a.lang-switch").click()
    page.wait_for_load_state()
    assert page.url == site_url + "en/"
    page.context.close()


@pytest.mark.parametrize(("lang", "labels"), [("uk", ["Програми", "Показники", "Відкриті дані", "Про проєкт"]),
                                              ("en", ["Programs", "Indicators", "Open data", "About"])])
def test_the_header_leads_to_each_part_of_the_site_and_marks_where_you_are(browser: Browser, site_url: str, lang: str,
                                                                             labels: list[str]) -> None:
    """At a phone's width, without JavaScript: the four links wrap, each can be tapped, and the page says which is current."""
    page, _, _ = _open(browser, _url(site_url, "task", lang), width=360, javascript=False)
    nav = page.locator("nav.site-nav a")
    assert nav.all_inner_texts() == labels
    assert page.locator("nav.site-nav a[aria-current]").all_inner_texts() == [labels[0]]  # a task is in the programs
    for link in nav.all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["height"] >= 24
    page.locator("nav.site-nav a", has_text=labels[3]).click()
    page.wait_for_load_state()
    assert page.url == site_url + f"{lang}/about/"
    assert page.locator("nav.site-nav a[aria-current='page']").all_inner_texts() == [labels[3]]
    page.locator("nav.site-nav a", has_text=labels[2]).click()
    page.wait_for_load_state()
    assert page.url == site_url + f"{lang}/data/"
    page.context.close()


@pytest.mark.parametrize(("lang", "word", "expected"), [
    ("uk", "кібергігієни", "/indicators/"),
    ("en", "cyber hygiene", "/indicators/"),
])
def test_search_finds_an_indicator_and_the_result_opens(browser: Browser, site_url: str, lang: str, word: str,
                                                        expected: str) -> None:
    page, errors, failed = _open(browser, f"{site_url}{lang}/")
    links = _search(page, word)
    assert any(expected in link and f"/{lang}/" in link for link in links), links
    # Many programs share an indicator's name: each result says whose it is.
    programs = page.locator("#search-results .result-program").all_inner_texts()
    assert programs and all("20" in text for text in programs), programs
    target = next(link for link in links if expected in link)
    response = page.goto(target)
    assert response.status == 200 and page.locator("h1").inner_text()
    assert errors == [] and failed == []
    page.context.close()


@pytest.mark.parametrize(("lang", "word"), [("uk", "обладнання"), ("en", "equipment")])
def test_program_search_finds_only_that_programs_pages(browser: Browser, site_url: str, lang: str, word: str) -> None:
    """A program page searches that program's own index; every result opens and belongs to it."""
    program = "kremenchutska-2026-2028"
    page, errors, failed = _open(browser, f"{site_url}{lang}/{program}/")
    links = _search(page, word)
    assert links and all(f"/{lang}/{program}/" in link for link in links), links
    response = page.goto(links[0])
    assert response.status == 200 and page.locator("h1").inner_text()
    assert errors == [] and failed == []
    page.context.close()


@pytest.mark.parametrize(("lang", "word"), [("uk", "безперешкодний"), ("en", "unhindered")])
def test_program_search_finds_the_narrative_but_not_the_labels_every_page_has(browser: Browser, site_url: str,
                                                                            lang: str, word: str) -> None:
    """A word of a narrative section finds that section; "CSV", a download link on every indicator and task
    page, finds nothing, where it would otherwise find every one of them."""
    program = "kremenchutska-2026-2028"
    page, errors, failed = _open(browser, f"{site_url}{lang}/{program}/")
    links = _search(page, word)
    assert links == [f"{site_url}{lang}/{program}/analysis/"], links
    # A screen reader hears how many were found; the result quotes the words around the first match, marked.
    assert page.locator("#search-status[role=status]").inner_text() == {"uk": "Знайдено 1 сторінку.",
                                                                         "en": "1 page found."}[lang]
    assert page.locator("#search-results .result-excerpt mark").all_inner_texts() == [word]
    assert word in page.locator("#search-results .result-excerpt").inner_text()
    page.fill("#q", "CSV")
    page.press("#q", "Enter")
    page.locator("#search-status", has_text=page.locator("form.search").get_attribute("data-no-results")).wait_for(
        timeout=15000)
    assert page.locator("#search-results a").count() == 0
    assert errors == [] and failed == []
    page.context.close()


# Kremenchuk's "Analysis" section has "відеозаписів" and "published"; no page of the program has the forms searched
# for. A letter in five may differ ("відеозаписи", "publishes"); the stemmer finds what differs more ("publishing").
OTHER_FORMS = [("uk", "відеозаписи", "відеозаписів"), ("en", "publishes", "published"), ("en", "publishing", "published")]


@pytest.mark.parametrize(("lang", "word", "shown"), OTHER_FORMS)
def test_program_search_finds_a_word_in_another_form_than_the_page_has(browser: Browser, site_url: str,
                                                                      lang: str, word: str, shown: str) -> None:
    """The result quotes the section with the word as it stands there marked, whole."""
    program = "kremenchutska-2026-2028"
    page, errors, failed = _open(browser, f"{site_url}{lang}/{program}/")
    assert _search(page, word) == [f"{site_url}{lang}/{program}/analysis/"]
    assert page.locator("#search-results .result-excerpt mark").all_inner_texts() == [shown]
    assert errors == [] and failed == []
    page.context.close()


@pytest.mark.parametrize(("lang", "exact", "stemmed"), [("uk", "безперешкодний", "мережею"),
                                                        ("en", "unhindered", "publishing")])
def test_search_works_without_its_stemmer_taking_words_as_they_are(browser: Browser, site_url: str, lang: str,
                                                                   exact: str, stemmed: str) -> None:
    """Where the stemmer cannot load (or an old browser cannot run it), search finds the words as written.
    The Analysis has "мережах" and "published": only the stemmer finds them by "мережею" and "publishing"."""
    program = "kremenchutska-2026-2028"
    analysis = f"{site_url}{lang}/{program}/analysis/"
    page, errors, failed = _open(browser, f"{site_url}{lang}/{program}/")
    assert analysis in _search(page, stemmed)
    page.context.close()
    page, errors, failed = _open(browser, f"{site_url}{lang}/{program}/")
    page.route("**/stemmer.*.js", lambda route: route.abort())
    assert _search(page, exact) == [analysis]
    page.fill("#q", stemmed)
    page.press("#q", "Enter")
    page.locator("#search-status", has_text=page.locator("form.search").get_attribute("data-no-results")).wait_for(
        timeout=15000)
    assert page.locator("#search-results a").count() == 0
    # The blocked stemmer is the one request that failed, and nothing else went wrong.
    assert [e for e in errors if "Failed to load resource" not in e] == [] and len(failed) == 1, (errors, failed)
    page.context.close()


@pytest.mark.parametrize(("lang", "word"), [("uk", "цифров"), ("en", "digital")])
def test_a_search_with_many_results_lists_the_first_20_and_says_how_many_there_are(browser: Browser, site_url: str,
                                                                                   lang: str, word: str) -> None:
    """More than 20 of Kremenchuk's pages are about the digital: a list of 20, and the count of all of them."""
    page, errors, failed = _open(browser, f"{site_url}{lang}/kremenchutska-2026-2028/")
    assert len(_search(page, word)) == 20  # _search checks that the status says how many more there are
    assert errors == [] and failed == []
    page.context.close()


INDEX_SCRIPT = "(self.searchIndexes = self.searchIndexes || []).push("
KIND_NAMES = {"p": "program", "s": "section", "d": "priority", "i": "indicator", "t": "task", "c": "comparison"}


def _index(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(text[len(INDEX_SCRIPT):-3])


def _strings(lang: str) -> dict[str, str]:
    return yaml.safe_load((ROOT / "templates" / f"strings.{lang}.yaml").read_text(encoding="utf-8"))


def _search_anew(page: Page, query: str) -> list[str]:
    """_search, once the results of the search before are gone (an emptied field clears them at once)."""
    page.fill("#q", "")
    page.press("#q", "Enter")
    assert page.locator("#search-results li").count() == 0
    return _search(page, query)


def _listed(page: Page) -> list[dict[str, str | None]]:
    """Each result listed: its address, the kind it is labelled with and the program it is said to be of."""
    return page.locator("#search-results li").evaluate_all("""items => items.map(item => ({
        href: item.querySelector("a").href,
        kind: item.querySelector(".result-kind") ? item.querySelector(".result-kind").textContent : null,
        program: item.querySelector(".result-program") ? item.querySelector(".result-program").textContent : null}))""")


def _show_all(page: Page) -> list[dict[str, str | None]]:
    """Every result, by "show more" (pressed from the keyboard) until it goes."""
    more = page.locator("#search-results button.search-more")
    while more.is_visible():
        more.focus()
        page.keyboard.press("Enter")
    return _listed(page)


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_search_results_say_what_kind_of_page_each_is_and_whose(browser: Browser, site_url: str, site_folder: Path,
                                                                lang: str) -> None:
    """On the home page, which searches every program and the comparisons: a page of each kind, searched for
    by its title, is listed with its kind in words and, but for a comparison, its program's name."""
    strings = _strings(lang)
    program = _index(site_folder / lang / "kremenchutska-2026-2028" / "search-index.js")
    comparisons = _index(site_folder / lang / "search-index.js")
    page, errors, failed = _open(browser, f"{site_url}{lang}/")
    for code, name in KIND_NAMES.items():
        index = comparisons if code == "c" else program
        _, address, title, _ = next(entry for entry in index["pages"] if entry[0] == code)
        _search_anew(page, title)
        listed = {result["href"]: result for result in _show_all(page)}
        assert f"{site_url}{address}" in listed, (code, title)
        result = listed[f"{site_url}{address}"]
        assert result["kind"] == strings[f"search_kind_{name}"], (code, result)
        assert result["program"] == index["program"], (code, result)  # None for a comparison: it is of many
    assert errors == [] and failed == []
    page.context.close()


@pytest.mark.parametrize(("lang", "word"), [("uk", "цифров"), ("en", "digital")])
def test_show_more_lists_the_next_results_moves_the_focus_to_them_and_says_how_many(browser: Browser, site_url: str,
                                                                                   lang: str, word: str) -> None:
    """Past the first 20, "show more" adds the next 20 (or what is left) to the same list, the focus goes to the
    first of them, and the status, which a screen reader announces, says how many of all are listed."""
    page, errors, failed = _open(browser, f"{site_url}{lang}/")  # every program's pages: many results
    first = _search(page, word)
    form = page.locator("form.search")
    count = int(re.search(r"\d+", page.locator("#search-status").inner_text()).group())
    assert count > 40, count  # three batches at least: the button stays after the second
    more = page.locator("#search-results button.search-more")
    results = Axe().run(page, options=WCAG)  # the results, their labels and the button, as a reader meets them
    assert results.violations_count == 0, results.generate_report()
    listed = 20
    while listed < count:
        assert more.inner_text() == form.get_attribute("data-more").replace("{count}", str(min(20, count - listed)))
        more.focus()
        page.keyboard.press("Enter")
        links = page.locator("#search-results ol > li > a").evaluate_all("links => links.map(a => a.href)")
        assert links[:20] == first and len(links) == min(listed + 20, count), (listed, len(links))
        assert page.evaluate("document.activeElement.href") == links[listed]  # the first of those just added
        listed = len(links)
        status = page.locator("#search-status[role=status]").inner_text()
        assert status.endswith(form.get_attribute("data-shown").replace("{shown}", str(listed))
                               .replace("{count}", str(count))), status
        assert str(count) in status.split(".")[0], status  # and still how many there are in all
    assert not more.is_visible()  # all are listed: nothing more to show
    assert len(set(page.locator("#search-results a").evaluate_all("links => links.map(a => a.href)"))) == count
    assert errors == [] and failed == []
    page.context.close()


def _query(address: str) -> str | None:
    return (parse_qs(urlsplit(address).query).get("q") or [None])[0]


@pytest.mark.parametrize(("lang", "words"), [("uk", "безперешкодний мережах"), ("en", "unhindered published")])
def test_the_search_is_in_the_address_and_a_page_opened_with_it_searches(browser: Browser, site_url: str,
                                                                          lang: str, words: str) -> None:
    """After a search the address carries it (?q=), so it can be shared; opened again, with no typing, the
    page shows the same field and results; an emptied field takes it out of the address."""
    program = f"{site_url}{lang}/kremenchutska-2026-2028/"
    page, errors, failed = _open(browser, program)
    links = _search(page, words)
    assert links == [f"{program}analysis/"], links
    assert _query(page.url) == words and page.url.startswith(program + "?")
    shared = page.url
    page.context.close()
    page, errors, failed = _open(browser, shared)
    page.locator("#search-results a").first.wait_for(timeout=15000)
    assert page.input_value("#q") == words
    assert page.locator("#search-results a").evaluate_all("links => links.map(a => a.href)") == links
    page.fill("#q", "")
    page.press("#q", "Enter")
    assert page.url == program and page.locator("#search-results a").count() == 0
    assert errors == [] and failed == []
    page.context.close()


def test_a_search_in_the_address_works_under_a_sub_path(browser: Browser, site_folder: Path) -> None:
    """Served from a folder of a larger site (as GitHub Pages serves a repository's site)."""
    with _served(site_folder.parent) as url:
        program = f"{url}{site_folder.name}/uk/kremenchutska-2026-2028/"
        page, errors, failed = _open(browser, program + "?q=" + quote("безперешкодний"))
        page.locator("#search-results a").first.wait_for(timeout=15000)
        assert page.locator("#search-results a").evaluate_all("links => links.map(a => a.href)") == [
            program + "analysis/"]
        assert _search_anew(page, "відеозаписи") == [program + "analysis/"]
        assert page.url == program + "?q=" + quote("відеозаписи")
        assert errors == [] and failed == []
        page.context.close()


# Khmilnyk's sources write "комп'ютерного" with the typewriter apostrophe; Nevidoma's, "комп’ютер" with the
# right quotation mark; Kremenchuk's English, "hromada's". People type any of these, the modifier letter
# apostrophe or the grave accent too, or none.
APOSTROPHES = [
    ("uk", "khmilnytska-2023-2025", "комп'ютерного", ["компютерного", "компʼютерного", "комп’ютерного", "комп`ютерного"]),
    ("uk", "nevidoma-hromada-2026-2028", "комп’ютер", ["компютер", "комп'ютер", "компʼютер"]),
    ("en", "kremenchutska-2026-2028", "hromada's", ["hromadaʼs", "hromada’s", "hromada`s", "hromadas"]),
]


@pytest.mark.parametrize(("lang", "program", "written", "typed"), APOSTROPHES, ids=[a[2] for a in APOSTROPHES])
def test_search_finds_a_word_whatever_apostrophe_is_typed_or_none(browser: Browser, site_url: str, site_folder: Path,
                                                                  lang: str, program: str, written: str,
                                                                  typed: list[str]) -> None:
    """Every way of typing the word finds the same pages, among them each that holds it as the source writes
    it; where a page is found by its words, the word is marked whole, apostrophe and all."""
    pages = _index(site_folder / lang / program / "search-index.js")["pages"]
    holding = {f"{site_url}{address}" for _, address, title, words in pages if written in title + words}
    assert holding
    page, errors, failed = _open(browser, f"{site_url}{lang}/{program}/")
    _search(page, written)
    found = _show_all(page)
    assert holding <= {result["href"] for result in found}, sorted(holding - {result["href"] for result in found})
    marked = page.locator("#search-results .result-excerpt mark").all_inner_texts()
    for variant in typed:
        _search_anew(page, variant)
        assert _show_all(page) == found, variant
        assert page.locator("#search-results .result-excerpt mark").all_inner_texts() == marked, variant
    if program == "khmilnytska-2023-2025":  # its sections have the word in their prose
        assert marked and all(re.sub("['ʼ’`]", "'", mark).startswith("комп'ютер") for mark in marked), marked
    assert errors == [] and failed == []
    page.context.close()


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_search_works_on_the_site_opened_from_its_folder(browser: Browser, site_folder: Path, lang: str) -> None:
    """Opened as files, with no server: the search finds a section, and its result opens the section's page."""
    program = site_folder / lang / "kremenchutska-2026-2028"
    page, errors, failed = _open(browser, (program / "index.html").as_uri())
    links = _search(page, "безперешкодний" if lang == "uk" else "unhindered")
    assert links == [(program / "analysis" / "index.html").as_uri()], links
    page.click("#search-results a")
    page.wait_for_load_state()
    assert page.url == links[0] and page.locator("h1").inner_text()
    assert errors == [] and failed == []
    page.context.close()


@pytest.fixture(scope="session")
def offline_folder(tmp_path_factory) -> Path:
    """A copy built with --offline, to open as files."""
    out = tmp_path_factory.mktemp("offline") / "site"
    assert build(CONTENT, out, offline=True).built
    return out


def test_an_offline_copy_is_browsed_from_its_folder_page_to_page(browser: Browser, offline_folder: Path) -> None:
    """Built with --offline and opened as files: the home page leads to a program, the program to an indicator,
    and back by the breadcrumbs, each a page rather than a folder's listing."""
    out = offline_folder
    page, errors, failed = _open(browser, (out / "uk" / "index.html").as_uri())
    program = out / "uk" / "kremenchutska-2026-2028"
    page.click("a[href='kremenchutska-2026-2028/index.html']")
    page.wait_for_load_state()
    assert page.url == (program / "index.html").as_uri() and page.locator("h1").count() == 1
    page.locator("main a[href^='indicators/']").first.click()
    page.wait_for_load_state()
    assert page.url.startswith((program / "indicators").as_uri()) and page.url.endswith("/index.html")
    assert page.locator("article h1").count() == 1
    page.locator("nav.breadcrumbs a").first.click()  # home, from two folders down
    page.wait_for_load_state()
    assert page.url == (out / "uk" / "index.html").as_uri() and page.locator("main h3 a").count() == 5
    assert errors == [] and failed == []
    page.context.close()


def test_an_offline_copy_searches_with_the_query_in_its_address(browser: Browser, offline_folder: Path) -> None:
    """Opened as files: a program page opened with ?q= searches for it, apostrophe or not, each result
    labelled and naming its page's file; a new search puts itself in the address; a result opens."""
    program = offline_folder / "uk" / "khmilnytska-2023-2025"
    start = (program / "index.html").as_uri()
    page, errors, failed = _open(browser, start + "?q=" + quote("компютерного"))
    page.locator("#search-results a").first.wait_for(timeout=15000)
    assert page.input_value("#q") == "компютерного"
    results = _show_all(page)
    holding = [address for _, address, title, words in _index(program / "search-index.js")["pages"]
               if "комп'ютерного" in title + words]
    assert holding and {(offline_folder / address / "index.html").as_uri() for address in holding} <= {
        result["href"] for result in results}, results
    strings = _strings("uk")
    assert {strings["search_kind_task"], strings["search_kind_section"]} <= {result["kind"] for result in results}, results
    _search_anew(page, "обладнання")
    assert page.url == start + "?q=" + quote("обладнання")
    page.locator("#search-results a").first.click()
    page.wait_for_load_state()
    assert page.url.startswith(program.as_uri()) and page.url.endswith("/index.html") and page.locator("h1").count() == 1
    assert errors == [] and failed == []
    page.context.close()


def test_search_says_so_when_its_index_cannot_load_and_tries_again(browser: Browser, site_url: str) -> None:
    """Offline for a moment: the reader is told, not left with nothing, and the next search loads it."""
    page, errors, _ = _open(browser, f"{site_url}uk/kremenchutska-2026-2028/")
    page.route("**/search-index.js", lambda route: route.abort())
    page.fill("#q", "обладнання")
    page.press("#q", "Enter")
    message = page.locator("form.search").get_attribute("data-failed")
    page.locator("#search-status", has_text=message).wait_for(timeout=15000)
    page.unroute("**/search-index.js")
    assert _search(page, "обладнання")
    assert errors == ["Failed to load resource: net::ERR_FAILED"]  # the aborted request's, and nothing else
    page.context.close()


def test_a_national_home_page_finds_an_indicator_compared_across_hromadas(browser: Browser, tmp_path: Path) -> None:
    """Above MERGED_SEARCH_LIMIT programs, the home page searches the site's own index: by an indicator's
    name it finds the page that compares the indicator across hromadas, and that page opens."""
    from generator.render import MERGED_SEARCH_LIMIT
    from generator.synthetic import write_corpus
    from generator.validate import validate

    content = tmp_path / "content"
    write_corpus(CONTENT, content, MERGED_SEARCH_LIMIT + 1, seed=5)
    assert build(content, tmp_path / "site", packages_out=tmp_path / "datapackages").built
    compared = sorted(p.parent.name for p in (tmp_path / "site" / "uk" / "indicators").glob("*/index.html"))
    entry = next(e for e in validate(content).catalogue if e.code == compared[len(compared) // 2])
    with _served(tmp_path / "site") as url:
        page, errors, failed = _open(browser, f"{url}uk/")
        assert page.locator("form.search").get_attribute("data-indexes") == "search-index.js"  # the site's alone
        links = _search(page, entry.name.uk)
        assert links[0] == f"{url}uk/indicators/{entry.code}/", links
        assert all(link.startswith(f"{url}uk/indicators/") for link in links), links
        response = page.goto(links[0])
        assert response.status == 200 and page.locator("h1").inner_text() == entry.name.uk
        assert errors == [] and failed == []
        page.context.close()


def test_a_national_home_page_lists_hromadas_by_oblast_and_jumps_to_one(browser: Browser, tmp_path: Path) -> None:
    """Above HOME_GROUPED_ABOVE programs, each hromada is listed once, under its oblast's heading; the
    oblasts are in alphabetical order (on the Ukrainian page Ukrainian's, as the Constitution lists
    them, where І comes after И and not before А), and so are the hromadas in each. A link of the
    list of oblasts brings a phone's screen to that oblast, and the page passes the WCAG checks."""
    from generator.render import HOME_GROUPED_ABOVE, sort_key
    from generator.synthetic import OBLASTS, write_corpus

    content = tmp_path / "content"
    ids = write_corpus(CONTENT, content, HOME_GROUPED_ABOVE + 14, seed=9)
    assert build(content, tmp_path / "site", packages_out=tmp_path / "datapackages").built
    hromadas = {i: yaml.safe_load((content / i / "program.yaml").read_text(encoding="utf-8"))["hromada"] for i in ids}
    with _served(tmp_path / "site") as url:
        for lang in ("uk", "en"):
            page, errors, failed = _open(browser, f"{url}{lang}/", width=390)
            present = {hromada["oblast"][lang] for hromada in hromadas.values()}
            expected = [pair[0 if lang == "uk" else 1] for pair in OBLASTS]
            expected = [name for name in expected if name in present] if lang == "uk" else sorted(present)
            assert [" ".join(text.split()[:-1]) for text in page.locator("nav.oblast-index li").all_inner_texts()] \
                == expected
            groups = page.locator("section.oblast-group")
            assert groups.locator("h2").all_inner_texts() == expected
            listed = []
            for index, oblast in enumerate(expected):
                links = groups.nth(index).locator("h3 a")
                program_ids = [links.nth(i).get_attribute("href").strip("/") for i in range(links.count())]
                assert {hromadas[program_id]["oblast"][lang] for program_id in program_ids} == {oblast}
                names = links.all_inner_texts()
                assert names == sorted(names, key=lambda name: sort_key(name, lang)) and len(names) > 0
                listed += program_ids
            assert sorted(listed) == sorted(ids)  # every hromada, once
            middle = page.locator("nav.oblast-index a").nth(len(expected) // 2)  # the last may end the page
            target = middle.get_attribute("href")
            middle.click()
            heading = page.locator(f"h2{target}")
            page.wait_for_function("() => window.scrollY > 0")
            assert page.url.endswith(target) and heading.inner_text() == expected[len(expected) // 2]
            assert -1 < heading.bounding_box()["y"] < 50  # at the top of the screen
            results = Axe().run(page, options=WCAG)
            assert results.violations_count == 0, results.generate_report()
            assert errors == [] and failed == []
            page.context.close()


def _table_numbers(page: Page, selector: str) -> list[str]:
    return [" ".join(cell.split()) for cell in page.locator(selector).all_inner_texts()]


def _as_decimal(text: str, lang: str) -> Decimal:
    cleaned = text.replace("\u00a0", "").replace(" ", "")
    cleaned = cleaned.replace(",", ".") if lang == "uk" else cleaned.replace(",", "")
    return Decimal(cleaned)


def _spreadsheet_download(page: Page, lang: str) -> list[dict[str, str]]:
    """The CSV the page links, downloaded and read by its language's separator: semicolons and decimal
    commas for Excel in Ukrainian, commas and points in English."""
    with page.expect_download() as download:
        page.locator(".downloads a", has_text="CSV").click()
    ending, separator = {"uk": (".excel-uk.csv", ";"), "en": (".csv", ",")}[lang]
    name = download.value.suggested_filename
    assert name.endswith(ending) and (lang == "uk") == name.endswith(".excel-uk.csv"), name
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=separator))


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_indicator_downloads_hold_the_figures_shown(browser: Browser, site_url: str, lang: str) -> None:
    page, _, _ = _open(browser, _url(site_url, "indicator", lang))
    shown = [_as_decimal(t, lang) for t in _table_numbers(page, "table.values tbody td.num")]
    rows = _spreadsheet_download(page, lang)
    assert [Decimal(r["value"].replace(",", ".")) for r in rows if r["value"]] == shown
    with page.expect_download() as download:
        page.locator(".downloads a", has_text="JSON").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    values = [data["baseline"]["value"]] + [t["value"] for t in data["targets"]]
    assert [Decimal(str(v)) for v in values] == shown
    page.context.close()


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_task_downloads_hold_the_figures_shown(browser: Browser, site_url: str, lang: str) -> None:
    page, _, _ = _open(browser, _url(site_url, "task", lang))
    shown = [_as_decimal(t, lang) for t in _table_numbers(page, "table.funding tbody td.num")]
    rows = _spreadsheet_download(page, lang)
    assert [Decimal(r["amount_thousand_uah"].replace(",", ".")) for r in rows if r["year"] != "total"] == shown
    with page.expect_download() as download:
        page.locator(".downloads a", has_text="JSON").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [Decimal(str(c["value"])) for line in data["funding"] for c in line["years"]] == shown
    page.context.close()


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_comparison_downloads_hold_the_final_targets_shown_and_the_chart_draws_them(browser: Browser, site_url: str,
                                                                                     lang: str) -> None:
    """A comparison's table, its chart and its CSV and JSON agree on each program's final target."""
    page, _, _ = _open(browser, _url(site_url, "standard-indicator", lang), javascript=False)
    rows = page.locator("table.comparison:not(.apart) tbody tr")
    shown = {rows.nth(i).locator("th a").get_attribute("href").split("/")[2]:
             _as_decimal(" ".join(rows.nth(i).locator("td.final").inner_text().split()), lang)
             for i in range(rows.count())}
    assert len(shown) >= 2
    bars = [_as_decimal(" ".join(t.split()), lang)
            for t in page.locator("figure.chart svg text.value").all_text_contents()]
    assert bars == list(shown.values())  # the table's order, the best first
    with page.expect_download() as download:
        page.locator(".downloads a", has_text="CSV").click()
    listed = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_bytes().decode("utf-8-sig"))))
    assert {r["program_id"]: Decimal(r["final_target"]) for r in listed if r["comparable"] == "true"} == shown
    with page.expect_download() as download:
        page.locator(".downloads a", has_text="JSON").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert {r["program_id"]: Decimal(str(r["final_target"]["value"])) for r in data["programs"] if r["comparable"]} \
        == shown
    page.context.close()


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_chart_has_a_name_and_matches_its_table(browser: Browser, site_url: str, lang: str) -> None:
    page, _, _ = _open(browser, _url(site_url, "indicator", lang), javascript=False)
    chart = page.locator("figure.chart svg")
    assert chart.get_attribute("role") == "img"
    name = page.evaluate("""() => { const svg = document.querySelector('figure.chart svg');
        return svg.getAttribute('aria-labelledby').split(' ').map(id => document.getElementById(id).textContent).join(' '); }""")
    assert len(name) > 20
    bars = [" ".join(t.split()) for t in chart.locator("text.value").all_text_contents()]
    assert bars == _table_numbers(page, "table.values tbody td.num")
    page.context.close()


# Each text of every chart on the page: its font size as rendered (the computed size in the viewBox's units
# times the SVG's scale), the height of its box per line, and whether it stays inside its SVG.
_CHART_TEXTS = """() => [...document.querySelectorAll('figure.chart svg')].flatMap(svg => {
    const box = svg.getBoundingClientRect(), scale = box.width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
        const own = t.getBoundingClientRect(), lines = Math.max(1, t.querySelectorAll('tspan').length);
        return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize) * scale,
                height: own.height / lines,
                inside: own.left >= box.left - 1 && own.right <= box.right + 1 && own.bottom <= box.bottom + 1};
    });
})"""


@pytest.mark.parametrize("lang", ["uk", "en"])
@pytest.mark.parametrize("kind", ["indicator", "program"])
def test_chart_text_is_readable_on_a_phone_and_its_legend_names_the_bars(browser: Browser, site_url: str,
                                                                        kind: str, lang: str) -> None:
    """At 360 px every word of every chart renders at 14 px or more and stays inside its chart (at 1280 px
    too); each chart's legend names the kinds of bars it draws, in the page's words."""
    strings = yaml.safe_load((ROOT / "templates" / f"strings.{lang}.yaml").read_text(encoding="utf-8"))
    page, errors, _ = _open(browser, _url(site_url, kind, lang), width=360, javascript=False)
    texts = page.evaluate(_CHART_TEXTS)
    assert texts and not errors
    small = [t for t in texts if t["size"] < 14 or t["height"] < 14]
    assert not small, small
    assert all(t["inside"] for t in texts), [t for t in texts if not t["inside"]]
    charts = page.evaluate("""() => [...document.querySelectorAll('figure.chart svg')].map(svg => ({
        legend: [...svg.querySelectorAll('text.legend')].map(t => t.textContent),
        kinds: [...new Set([...svg.querySelectorAll('rect.bar')].map(r => [...r.classList].find(c => c.startsWith('bar-')).slice(4)))],
        gridlines: svg.querySelectorAll('.grid').length}))""")
    assert len(charts) == (1 if kind == "indicator" else 3)
    for chart in charts:
        assert chart["legend"] == [strings[k] for k in chart["kinds"]] and chart["legend"]
        assert 3 <= chart["gridlines"] <= 5
    if kind == "indicator":
        assert charts[0]["legend"] == [strings["baseline"], strings["target"]]
    page.set_viewport_size({"width": 1280, "height": 800})
    wide = page.evaluate(_CHART_TEXTS)
    assert all(t["inside"] for t in wide) and min(t["size"] for t in wide) >= 14
    page.context.close()


def _transferred(browser: Browser, url: str) -> dict[str, int]:
    """Bytes a server sending gzip would transfer for each resource the page loads."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sizes: dict[str, int] = {}
    page.on("response", lambda response: sizes.__setitem__(response.url, len(gzip.compress(response.body(), 9))))
    page.goto(url, wait_until="networkidle")
    context.close()
    return sizes


def test_page_weight(browser: Browser, site_url: str) -> None:
    budgets = {"indicator": 50_000, "program": 100_000}
    report = {}
    for kind, budget in budgets.items():
        for lang in ("uk", "en"):
            sizes = _transferred(browser, _url(site_url, kind, lang))
            total = sum(sizes.values())
            report[f"{kind}-{lang}"] = {"total_gzip_bytes": total, "files": len(sizes)}
            assert total <= budget, (kind, lang, sizes)
    SCREENSHOTS.mkdir(exist_ok=True)
    WEIGHT_REPORT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report))


BROKEN_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Broken</title></head>
<body><main><h1>Broken on purpose</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#bbb;background:#fff">Low-contrast text that nobody can read.</p></main></body></html>"""


def test_accessibility_check_catches_a_broken_page(browser: Browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_content(BROKEN_PAGE)
    results = Axe().run(page, options=WCAG)
    rules = {violation["id"] for violation in results.response["violations"]}
    assert {"image-alt", "color-contrast"} <= rules
    context.close()


_WRAPPERS = """() => [...document.querySelectorAll('.table-scroll')].map(box => ({
    scrolls: box.scrollWidth > box.clientWidth + 1, focusable: box.hasAttribute('tabindex'),
    hinted: !!(box.previousElementSibling && box.previousElementSibling.classList.contains('scroll-hint')),
    stacked: !!box.querySelector('table.list') && getComputedStyle(box.querySelector('table.list tbody tr')).display === 'block'}))"""


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_wide_tables_on_a_phone_stack_or_say_they_scroll_and_only_those_that_scroll_take_focus(
        browser: Browser, site_url: str, lang: str) -> None:
    """At 360 px the program page's lists of tasks and indicators stack each row, so they do not scroll; a table
    that still scrolls (a comparison's years) is focusable, for the keyboard, and says that it scrolls. At 1280 px,
    where the same tables fit, no wrapper is focusable and none says so; turning the phone round is followed."""
    for kind in ("program", "standard-indicator"):
        page, _, _ = _open(browser, _url(site_url, kind, lang), width=360)
        boxes = page.evaluate(_WRAPPERS)
        assert boxes and all(box["focusable"] == box["scrolls"] == box["hinted"] for box in boxes), (kind, boxes)
        if kind == "program":
            lists = [box for box in boxes if box["stacked"]]
            assert lists and not any(box["scrolls"] for box in lists), boxes
        else:
            assert any(box["scrolls"] for box in boxes), boxes
            hint = page.locator(".scroll-hint").first.inner_text()
            assert hint == _strings(lang)["scroll_hint"]
        page.set_viewport_size({"width": 1280, "height": 800})
        page.wait_for_timeout(100)  # the resize is handled at the next frame
        wide = page.evaluate(_WRAPPERS)
        assert all(box["focusable"] == box["scrolls"] == box["hinted"] for box in wide), (kind, wide)
        assert not any(box["stacked"] for box in wide)
        page.context.close()
