"""Render pages: pure functions from the assembled site to (path, bytes).

Templates display; this module computes what they display: relative links, the
language's filters (numbers, sums and counts through formats.py), the charts'
data (drawn by charts.py), and which language each string is in.
"""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, pass_context
from jinja2.bccache import Bucket
from markupsafe import Markup, escape

from .assemble import IndicatorView, ProgramView, SiteView, route
from .charts import Chart, Group, Point, bar_chart, column_chart
from .datapackage import TABLES, Package, csv_cell
from .describe import Describer
from .figures import CellStatus, Figure
from .formats import date_text, format_number, money_short, plural_form
from .layout import ROOT_ROUTE, navigation, site_facts
from .model import LANGS, FundingSource, SiteSettings, Text, slug
from .prose import markdown_tokens, render_markdown, render_site_markdown  # search.py takes the first two from here

OTHER = {"uk": "en", "en": "uk"}
# Static hosts cannot send headers, so pages carry their policy in a meta tag: scripts only
# from the site itself, nothing from any other host.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'")


def load_strings(templates: Path) -> dict[str, dict[str, str]]:
    """The interface strings, one catalogue per language."""
    # By libyaml where PyYAML has it: the pure Python loader was a fiftieth of a rebuild.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return {lang: yaml.load((templates / f"strings.{lang}.yaml").read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
            for lang in LANGS}


# The home page searches every program's index at once up to this many programs (each up to about
# 20 KB compressed): the first search stays near 200 KB on a weak connection. Above it, the home
# page searches the comparisons, and each program page its own program.
MERGED_SEARCH_LIMIT = 10
# Above this many programs, the home page lists them by oblast, under a list of links to each
# oblast: a resident looking for one hromada among 1,469 scrolls to it in two steps, and a screen
# reader moves from oblast to oblast by headings.
HOME_GROUPED_ABOVE = 10

UK_ALPHABET = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
# Unicode has Є, І, Ї and Ґ before А: each letter is taken to its place in the alphabet instead,
# and the apostrophe, which Ukrainian alphabetical order passes over, is left out.
_UK_ORDER = str.maketrans({**{letter: chr(0xE000 + place) for place, letter in enumerate(UK_ALPHABET)},
                           "'": None, "\u02bc": None, "\u2019": None})


def sort_key(text: str, lang: str) -> str:
    """``text`` as it sorts in the language's alphabetical order."""
    folded = text.casefold()
    return folded.translate(_UK_ORDER) if lang == "uk" else folded


@dataclass(frozen=True)
class Listed:
    """A program on the home page: its entry (Renderer.home_entry), its oblast, and its name as shown."""
    program_id: str
    entry: str
    oblast: Text | None
    name: str


# A search index's file name, in <lang>/ and in each <lang>/<program>/ (see search.py).
SEARCH_INDEX = "search-index.js"


class Strings:
    """The interface strings, escaped, as templates look up those they name at run time: ``{{ S['kind_' ~ kind] }}``
    (LanguageLoader writes ``{{ S.home }}`` into the templates)."""

    def __init__(self, table: dict[str, str]) -> None:
        self.__dict__.update({key: escape(text) for key, text in table.items()})

    def __getitem__(self, key: str) -> Markup:
        return self.__dict__[key]


class CompiledTemplates(FileSystemBytecodeCache):
    """Templates compiled once a machine, not once a build (compiling is a tenth of a rebuild).

    Jinja's documented file cache, in Jinja's own folder in the temporary directory, which Jinja
    makes the user's alone (0700) and checks: never in the project or beside the output, where a
    commit could plant code that loading runs. Keyed by the template's name, not its path
    (``get_cache_key``), so another checkout of the same templates shares their code; Jinja checks
    each file's source checksum and its own and Python's versions. A file that cannot be read or
    written means compiling, as without a cache.
    """

    # Jinja checks a file's source and its own version, not the environment's options (autoescape...) nor
    # how the loader writes the words in: both are in this module, whose digest each file name carries.
    CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]

    def __init__(self, lang: str) -> None:
        super().__init__(pattern=f"hromada-{self.CODE}-{lang}-%s.cache")  # each language has its words written in

    @classmethod
    def or_none(cls, lang: str) -> "CompiledTemplates | None":
        try:
            return cls(lang)
        except (OSError, RuntimeError):  # no temporary directory, or one that is not safe
            return None

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(name)

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - unreadable, or not what Jinja wrote (a damaged pickle raises anything)
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with suppress(OSError):  # a full or read-only disk
            super().dump_bytecode(bucket)


class LanguageLoader(FileSystemLoader):
    """One language's templates, with its interface strings written in: ``{{ S.home }}`` becomes the
    escaped words themselves as the template is compiled, instead of a lookup and an escape on every
    page (a page shows some forty). Keys made at run time (``S['kind_' ~ kind]``) are looked up then."""

    OUTPUT = re.compile(r"\{\{ S\.([a-z0-9_]+) \}\}")

    def __init__(self, folder: Path, strings: dict[str, str]) -> None:
        super().__init__(str(folder))
        self.strings = strings

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = super().get_source(environment, template)
        return self.OUTPUT.sub(self.written, source), filename, uptodate

    def written(self, match: re.Match[str]) -> str:
        text = str(escape(self.strings.get(match[1], "{")))
        # A missing string (Jinja names it as it renders) or one that could read as template syntax stays a lookup.
        return match[0] if "{" in text else text


# ---------------------------------------------------------------------------
# Pages


@dataclass(frozen=True)
class Page:
    route: str  # from the site root: "uk/khmilnytska-2023-2025/" ; "" for the root page (and the 404 page)
    template: str
    lang: str
    context: dict[str, Any]

    @property
    def path(self) -> str:
        return f"{self.route}index.html"


def shown(text: Text | None, lang: str) -> str:
    """The text a page shows, as plain text: the English where there is some (see t() in Renderer.helpers)."""
    return "" if text is None else text.en if lang == "en" and text.en else text.uk


def folders_up(page_route: str) -> list[tuple[str, str]]:
    """The folders the page at ``page_route`` is in, its own first, each with the way up to it from the page.

    A page works them out once for the dozen links it has (see Renderer.page_url).
    """
    folders, up = [], ""
    folder = page_route[:page_route.rfind("/") + 1]
    while folder:
        folders.append((folder, up))
        folder, up = folder[:folder.rfind("/", 0, -1) + 1], up + "../"
    folders.append(("", up))
    return folders


def cell_helper(lang: str, strings: dict[str, str]) -> Callable[[Figure], Markup]:
    """``fig(cell)``: a cell as pages show it, its number in the language's format or what its mark means."""
    shown_status = {
        CellStatus.within_allocations: Markup('<span class="status">{}</span>').format(strings["within_allocations"]),
        CellStatus.planned: Markup('+ <span class="status">({})</span>').format(strings["planned_no_amount"]),
        CellStatus.not_planned: Markup('<span aria-hidden="true">−</span><span class="visually-hidden">{}</span>')
        .format(strings["not_planned"]),
        CellStatus.yes: escape(strings["yes"]),
        CellStatus.no: escape(strings["no"]),
    }
    no_value = Markup('<span class="empty" aria-label="{0}" title="{0}">…</span>').format(strings["no_value"])

    def fig(figure: Figure) -> Markup:
        if figure.status is CellStatus.amount and figure.amount is not None:
            return escape(format_number(figure.amount, lang))
        return shown_status.get(figure.status, no_value)

    return fig


def number_filters(lang: str, strings: dict[str, str]) -> dict[str, Callable[..., Any]]:
    """The filters that write a language's numbers: ``{{ sum | amount(1) }}``, ``{{ cell | fig }}``,
    ``{{ total | money_short }}``, ``{{ 5 | count('tasks') }}``..."""

    def num(value: Decimal | int | None) -> str:
        return "" if value is None else format_number(Decimal(value), lang)

    def amount(value: Decimal | None, places: int) -> str:
        """A computed sum, with the decimal places its program uses, so columns line up."""
        if value is None:
            return ""
        return format_number(value.quantize(Decimal(1).scaleb(-places)), lang)

    def count(number: int, key: str) -> str:
        """``{{ 5 | count('tasks') }}`` → «5 завдань»: the string ``tasks_<plural form>`` with the number in."""
        return strings[f"{key}_{plural_form(number, lang)}"].format(n=format_number(Decimal(number), lang))

    def money(value: Decimal | None) -> str:
        return "" if value is None else f"{format_number(value, lang)}\u00a0{strings['thousand_uah']}"

    fig = cell_helper(lang, strings)

    def targets(indicator: IndicatorView) -> Markup:
        """An indicator's targets on one line, ``2025: 14; 2026: 65``, as lists of indicators show them."""
        return Markup("; ".join(f"{year}: {fig(value)}" for year, value in indicator.targets))  # fig() escapes

    return {"num": num, "amount": amount, "count": count, "money": money, "fig": fig, "targets": targets,
            "money_short": lambda value: money_short(value, lang), "date_text": lambda iso: date_text(iso, lang)}


class Renderer:
    def __init__(self, templates: Path, site: SiteView, base_url: str, search: bool = False,
                 offline: bool = False, settings: SiteSettings | None = None) -> None:
        self.site = site
        self.templates = templates
        self.settings = settings or SiteSettings()
        self.search = search  # each program has a search index (built beside its pages)
        # A copy to browse from a folder: browsers show a folder's listing, not its index.html, for file://
        # addresses, so links name the page's file (as Material for MkDocs' offline plugin does).
        self.offline = offline
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.strings = load_strings(templates)
        self.escaped = {lang: Strings(table) for lang, table in self.strings.items()}
        self._field_tables: dict[str, dict[str, Markup]] = {}
        # One environment a language, whose filters are that language's helpers (language_helpers): so the
        # macros of _macros.html, imported without the page's context, have them all the same. What changes
        # from page to page (url) each page passes to the macros that link.
        self.envs: dict[str, Environment] = {}
        self.describers: dict[str, Describer] = {}
        for lang in LANGS:
            self.envs[lang] = env = Environment(
                loader=LanguageLoader(templates, self.strings[lang]),
                autoescape=True,
                undefined=StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
                keep_trailing_newline=True,
                auto_reload=False,  # one build, one set of templates: no check of their files on every page
                cache_size=-1,  # keep every template: there are a dozen
                bytecode_cache=CompiledTemplates.or_none(lang),
            )
            helpers = self.language_helpers(lang)
            env.globals.update(S=helpers.pop("S"), lang=lang,
                               site=site_facts(self.settings, self.strings[lang], lang, self.base_url, offline))
            self.describers[lang] = Describer(lang, self.strings[lang], helpers["plain"],
                                              lambda value, lang=lang: format_number(value, lang))
            # As filters (``{{ name | t }}``), which a template calls directly, where a function in its
            # context goes through Jinja's Context.call on every call: a page makes some forty.
            env.filters.update(helpers)

    # -- helpers handed to templates: the language's (its environment's globals) and the page's url ----------
    def page_url(self, page_route: str | None) -> Callable[[str], str]:
        """``url(target)``: ``target`` relative to this page (both from the site root; folders end in '/'), so
        the site works under any sub-path and from a folder; in an offline copy, a page's own file.

        From the deepest of the page's folders that holds the target (worked out once a page).
        The 404 page is served at whatever address was missing, so its links are absolute.
        """
        if page_route is None:
            return self.base_url.__add__
        folders, offline = folders_up(page_route), self.offline

        def url(target: str) -> str:
            for folder, up in folders:
                if target.startswith(folder):
                    relative = up + target[len(folder):] or "./"
                    return relative + "index.html" if offline and relative[-1] == "/" else relative
            raise AssertionError("the site's root holds every target")  # folders_up ends with it

        return url

    def language_helpers(self, lang: str) -> dict[str, Any]:
        """The helpers that are the same on every page of a language: its interface strings (S), and its
        environment's filters (``{{ text | t }}``, ``{{ cell | fig }}``, ``{{ sum | amount(1) }}``...)."""
        strings, escaped = self.strings[lang], self.escaped[lang]

        @pass_context
        def href(context: Any, target: Any) -> str:  # noqa: ANN401 - Jinja's context; a route or a view
            """``{{ priority | href }}``, ``{{ 'assets/site.css' | href }}``: the link from the page being
            rendered to a page (anything with a ``route``) or a file, through the page's url()."""
            return context["url"](target if isinstance(target, str) else target.route(lang))

        def t(text: Text | None) -> Markup:
            if text is None:
                return Markup("")
            if lang == "uk" or text.en:
                return escape(text.uk if lang == "uk" else text.en)
            return Markup('<span lang="uk">{}</span> <small class="untranslated">({})</small>').format(
                text.uk, strings["not_translated"]
            )

        def plain(text: Text | None) -> str:
            """What t() shows, as plain text with its spaces collapsed: ``t(text) | striptags``, for a
            title or a breadcrumb, without escaping it, parsing it for tags and unescaping it again."""
            if text is None:
                return ""
            shown = text.uk if lang == "uk" else text.en or f"{text.uk} ({strings['not_translated']})"
            return " ".join(shown.split())

        names: dict[str, Markup] = {}  # every page of a program names it: made once a program

        def program_name(program: ProgramView) -> Markup:
            """The hromada and the years: how pages name a program (in every eyebrow and breadcrumb trail)."""
            if program.id not in names:
                name, period = program.program.hromada.name, program.program.period
                names[program.id] = Markup("{}, {}–{}").format(t(name) if name else escaped.unnamed_hromada,
                                                               period.start, period.end)
            return names[program.id]

        def source_name(source: FundingSource) -> str:
            return strings[f"source_{source.value}"]

        def note(problem: Any) -> str:
            """A data-quality note in a reader's words, its numbers in the page's format."""
            return problem.note(lang, format_number)

        return {"S": self.escaped[lang], "href": href, "t": t, "plain": plain, "source_name": source_name, "note": note,
                "program_name": program_name, **number_filters(lang, strings)}

    def render(self, page: Page) -> bytes:
        other, not_found = OTHER[page.lang], page.template == "404.html"
        # The root page (and the 404 page, served anywhere) stand for the Ukrainian home page: see ROOT_ROUTE.
        own = route(page.lang) if page.route == ROOT_ROUTE else page.route
        env = self.envs[page.lang]
        context = {  # the language's helpers are the environment's globals, in every page's context
            "url": self.page_url(None if not_found else page.route),
            **page.context,
            "lang": page.lang,
            "other_lang": other,
            "route": page.route,
            "alternate_route": own.replace(f"{page.lang}/", f"{other}/", 1),
            "base_url": self.base_url,
            "canonical": None if not_found else self.base_url + own,
            "alternates": [(lang, self.base_url + own.replace(f"{page.lang}/", f"{lang}/", 1)) for lang in LANGS],
            "home_route": route(page.lang),
            "nav": navigation(self.strings[page.lang], page.lang, None if not_found else own),
            "page_description": self.describers[page.lang].page(page.template, page.context,
                                                                lambda: self.section_tokens(page)),
            "csp": CONTENT_SECURITY_POLICY,
            "search": self.search,
        }
        return env.get_template(page.template).render(context).encode("utf-8")

    def section_tokens(self, page: Page) -> list[Any]:
        """A section page's Markdown, parsed (cached for its search index too): its description is its first sentence."""
        texts = page.context["program"].source.sections.get(page.context["section"].id, {})
        return markdown_tokens(texts.get(page.lang) or texts.get("uk", ""))

    # -- the pages -------------------------------------------------------------
    def project_page(self, name: str, lang: str) -> Page:
        """About or the accessibility statement: the project's own words, from templates/pages/."""
        page_route = route(lang, name)
        text = (self.templates / "pages" / f"{name}.{lang}.md").read_text(encoding="utf-8")
        return Page(page_route, "project_page.html", lang, {
            "name": name, "body": render_site_markdown(text, self.page_url(page_route), self.strings[lang]["table"])})

    def home_page(self, lang: str, listed: list[Listed], page_route: str | None = None) -> Page:
        """The list of programs by name, in the language's alphabetical order; above HOME_GROUPED_ABOVE,
        by oblast. Each entry was rendered and escaped by its program's worker, so it is joined here as
        it is. On a site of a few programs, one search across all of them too."""
        # By name, the unnamed last; a hromada's programs of different years by id.
        listed = sorted(listed, key=lambda item: (not item.name, sort_key(item.name, lang), item.program_id))
        program_ids = sorted(item.program_id for item in listed)
        indexes = ([route(lang, program_id) + SEARCH_INDEX for program_id in program_ids]
                   if self.search and len(program_ids) <= MERGED_SEARCH_LIMIT else [])
        groups: list[dict[str, Any]] = []
        if len(listed) > HOME_GROUPED_ABOVE:
            by_oblast: dict[str, list[Listed]] = {}  # by its Ukrainian name, the authoritative one
            for item in listed:
                by_oblast.setdefault(item.oblast.uk if item.oblast else "", []).append(item)
            anchors: set[str] = set()
            for uk, items in sorted(by_oblast.items()):  # so that both languages give an oblast the same anchor
                oblast = next((i.oblast for i in items if i.oblast and i.oblast.en), items[0].oblast)
                anchor = "in-" + (slug(uk) or "other")
                while anchor in anchors:  # two names alike but for what the address leaves out
                    anchor += "-"
                anchors.add(anchor)
                groups.append({"oblast": oblast, "anchor": anchor, "count": len(items),
                               "entries": Markup("".join(item.entry for item in items))})
            groups.sort(key=lambda group: (group["oblast"] is None, sort_key(shown(group["oblast"], lang), lang)))
        return Page(route(lang) if page_route is None else page_route, "home.html", lang, {
            "items": Markup("".join(item.entry for item in listed)), "groups": groups, "count": len(listed),
            "search_indexes": [route(lang) + SEARCH_INDEX, *indexes], "merged_search": bool(indexes)})

    def home_entry(self, program: ProgramView, lang: str, page_route: str | None = None) -> str:
        """A program's entry on the home page (or on the page at ``page_route``: the root page).

        The pages that list every program are joined from what each program's worker rendered of
        it, so that a rebuild after one program changed renders only that program's entries.
        """
        page_route = route(lang) if page_route is None else page_route
        return str(self._entries(lang).home_entry(program, self.page_url(page_route)(program.route(lang))))

    def _entries(self, lang: str) -> Any:  # noqa: ANN401 - a template module
        """The macros of _entries.html, which see the language's helpers as their environment's globals:
        Jinja makes the module once a language, and every program's entries are rendered by it."""
        return self.envs[lang].get_template("_entries.html").module

    def program_pages(self, program: ProgramView, lang: str, package: Package | None = None) -> Iterator[Page]:
        """A program's pages; its dataset page too, given its package."""
        base = {"program": program}
        yield Page(program.route(lang), "program.html", lang, {
            **base, "chart": self.funding_chart(program, lang), "share_charts": self.share_charts(program, lang),
            "search_indexes": [program.route(lang) + SEARCH_INDEX],
        })
        for section in program.program.sections:
            texts = program.source.sections.get(section.id, {})
            body = texts.get(lang) or texts.get("uk", "")
            yield Page(program.section_route(lang, section.id), "section.html", lang, {
                **base, "section": section, "body": render_markdown(body, self.strings[lang]["table"]),
                "body_lang": lang if lang in texts else "uk",
            })
        for priority in program.priorities:
            yield Page(priority.route(lang), "priority.html", lang, {**base, "priority": priority})
        for indicator in program.indicators.values():
            yield Page(indicator.route(lang), "indicator.html", lang,
                       {**base, "indicator": indicator, "chart": self.indicator_chart(indicator, lang)})
        for task in program.tasks.values():
            yield Page(task.route(lang), "task.html", lang, {**base, "task": task})
        if package is not None:
            yield self.dataset_page(package, program, lang)

    def dataset_page(self, package: Package, program: ProgramView | None, lang: str) -> Page:
        """What a package holds: resources, fields, a preview, downloads, and schema.org JSON-LD."""
        descriptor = package.descriptor
        title = descriptor["uk:title"] if lang == "uk" else descriptor["title"]
        description = descriptor["uk:description"] if lang == "uk" else descriptor["description"]
        folder = f"datapackages/{package.name}/"
        resources = [
            {
                "table": table,
                "title": table.title_uk if lang == "uk" else table.title,
                "description": table.description_uk if lang == "uk" else table.description,
                "csv": f"{folder}{table.name}.csv",
                "rows": package.rows(table.name),
                "preview": [[csv_cell(v) for v in row] for row in package.tables[table.name][:5]],
            }
            for table in TABLES
        ]
        jsonld = {
            "@context": "https://schema.org",
            "@type": "Dataset",
            "name": title,
            "description": description,
            "inLanguage": ["uk", "en"],
            "license": descriptor["licenses"][0]["path"],
            "url": self.base_url + package.route(lang),
            "identifier": package.name,
            "version": descriptor["version"],
            "keywords": descriptor["keywords"],
            "isBasedOn": [s["title"] for s in descriptor["sources"]],
            "distribution": [
                {"@type": "DataDownload", "encodingFormat": "application/zip",
                 "contentUrl": f"{self.base_url}datapackages/{package.name}.zip"},
                {"@type": "DataDownload", "encodingFormat": "application/json",
                 "contentUrl": f"{self.base_url}{folder}datapackage.json"},
            ] + [{"@type": "DataDownload", "encodingFormat": "text/csv", "name": t.name,
                  "contentUrl": f"{self.base_url}{folder}{t.name}.csv"} for t in TABLES],
        }
        if "created" in descriptor:
            jsonld["dateModified"] = descriptor["created"][:10]
        # Inside <script>, "<" must never appear raw: content could hold "</script>".
        jsonld_text = json.dumps(jsonld, ensure_ascii=False, indent=1).replace("<", "\\u003c").replace(">", "\\u003e")
        return Page(package.route(lang), "dataset.html", lang, {
            "program": program, "package": package, "title": title, "description": description,
            "resources": resources, "zip": f"datapackages/{package.name}.zip", "descriptor_path": f"{folder}datapackage.json",
            "jsonld": Markup(jsonld_text), "field_tables": self.field_tables(lang),
        })

    def field_tables(self, lang: str) -> dict[str, Markup]:
        """Each table's fields as dataset pages show them (_fields.html), by table: the same for every
        package, so made once a language."""
        if lang not in self._field_tables:
            env = self.envs[lang]
            template = env.get_template("_fields.html")
            self._field_tables[lang] = {
                table.name: Markup(template.render(table=table))
                for table in TABLES
            }
        return self._field_tables[lang]

    def indicator_chart(self, indicator: IndicatorView, lang: str) -> Chart:
        """The baseline, each year's target and, once reports give them, each year's actual value."""
        strings, boolean = self.strings[lang], indicator.indicator.kind == "boolean"

        def point(figure: Figure | None, kind: str) -> Point:
            if figure is not None and figure.status in (CellStatus.yes, CellStatus.no):
                return Point(Decimal(figure.status is CellStatus.yes), strings[figure.status.value], kind)
            if figure is not None and figure.amount is not None:
                return Point(figure.amount, format_number(figure.amount, lang), kind)
            return Point(None, "" if figure is None else strings["no_value"], kind)

        actual = dict(indicator.actual)
        groups = [Group(strings["baseline_short"], (point(indicator.baseline, "baseline"),))
                  ] if indicator.baseline.status is not CellStatus.empty else []
        groups += [Group(str(year), (point(figure, "target"), point(actual.get(year), "actual"))[:2 if actual else 1])
                   for year, figure in indicator.targets]  # an actual value beside each target, once there are any
        return column_chart(groups, {k: strings[k] for k in ("baseline", "target", "actual")},
                            shown(indicator.indicator.unit, lang), None if boolean else partial(format_number, lang=lang))

    def share_charts(self, program: ProgramView, lang: str) -> dict[str, Chart | None]:
        """Funding by priority and by source, as horizontal bars."""
        strings = self.strings[lang]
        by_priority = [(shown(p.priority.name, lang), sum(p.amounts.values(), Decimal(0)))
                       for p in program.priorities if p.amounts]
        by_source = [(strings[f"source_{source.value}"], value) for source, value in program.amounts_by_source.items()]
        return {name: self.amount_chart(points, lang, horizontal=True) if points else None
                for name, points in (("priority", by_priority), ("source", by_source))}

    def funding_chart(self, program: ProgramView, lang: str) -> Chart | None:
        years = [(str(year), program.amounts_by_year.get(year)) for year in program.years]
        return self.amount_chart(years, lang) if program.amounts_by_year else None

    def amount_chart(self, points: list[tuple[str, Decimal | None]], lang: str, horizontal: bool = False) -> Chart:
        """Amounts in thousand UAH, by year in columns or by name across."""
        strings = self.strings[lang]
        groups = [Group(label, (Point(value, strings["no_value"] if value is None else format_number(value, lang),
                                      "amount"),)) for label, value in points]
        draw = bar_chart if horizontal else column_chart
        return draw(groups, {"amount": strings["amount"]}, strings["thousand_uah"], partial(format_number, lang=lang))

    def not_found(self) -> bytes:
        return self.render(Page("", "404.html", "uk", {}))

