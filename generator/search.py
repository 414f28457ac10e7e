"""Search indexes: each page's kind, address, title and own words, as a script the browser loads at the first search.

A script, not JSON, so that search works from a folder too (browsers do not fetch() from file://
addresses, but they run its scripts): it adds itself to a list search.js reads. Each page is found
by its own words: the text it shows of the model, not the labels, figures, links and downloads that
every page like it repeats (indexed, a search for "CSV" would find every indicator).
"""

from __future__ import annotations

from .assemble import ProgramView, route
from .export import compact_json
from .formats import date_text
from .model import CatalogueEntry, Text
from .render import markdown_tokens, shown

# What each page is, as one letter (an index is loaded over weak connections too): search.js labels a
# result with the search_kind_<name> string, which the search_form macro hands it for each letter.
KINDS = {"program": "p", "section": "s", "priority": "d", "indicator": "i", "task": "t", "comparison": "c"}
PROGRAM, SECTION, PRIORITY, INDICATOR, TASK, COMPARISON = KINDS.values()


def markdown_words(text: str) -> str:
    """What a reader reads of Markdown, without its markup: a line for each paragraph, heading or cell."""
    lines = []
    for token in markdown_tokens(text):
        if token.type == "inline":  # a paragraph's, heading's or cell's text; an image's is its alt text
            lines.append("".join(" " if child.type in ("softbreak", "hardbreak") else child.content
                                 for child in token.children or ()))
        elif token.type in ("fence", "code_block"):
            lines.append(token.content.strip())
    return "\n".join(line for line in lines if line)


def search_index(program: str | None, pages: list[tuple[str, str, str, list[str | None]]]) -> bytes:
    """The script of a search index: each page's kind (a letter of KINDS), address from the site root,
    title and words."""
    index = {"program": program, "pages": [[kind, address, title, "\n".join(filter(None, words))]
                                           for kind, address, title, words in pages]}
    # JSON is JavaScript but for these two characters in strings, which browsers before 2019 refuse there.
    data = compact_json(index).replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")
    return b"(self.searchIndexes = self.searchIndexes || []).push(" + data + b");\n"


# Each page is found by its own words: the text it shows of the model, not the labels, figures,
# links to other pages and downloads that every page like it repeats (indexed, a search for
# "CSV" would find every indicator, and every search would download them all).
def program_search_index(program: ProgramView, lang: str, strings: dict[str, str]) -> bytes:
    """A program's pages in one language, each by its kind, address, title and own words."""
    def t(text: Text | None) -> str:
        return shown(text, lang)

    p = program.program
    pp = p.passport
    approval = pp.approval
    passport = [
        t(p.hromada.name), ", ".join(filter(None, [t(p.hromada.oblast), t(p.hromada.raion)])), p.hromada.katottg,
        f"{p.period.start}–{p.period.end}",
        approval and ", ".join(filter(None, [t(approval.body), t(approval.title), approval.date and date_text(approval.date, lang),
                                             approval.number and f"№ {approval.number}"])),
        t(pp.development_decision), pp.agreed_with_general_customer, t(pp.head), t(pp.developer),
        t(pp.responsible), t(pp.purpose), t(pp.funding.text) if pp.funding else "",
        *(t(item) for item in pp.other), t(p.signed_by),
    ]
    pages = [(PROGRAM, program.route(lang), t(p.title), passport)]
    for section in p.sections:
        texts = program.source.sections.get(section.id, {})
        pages.append((SECTION, program.section_route(lang, section.id), t(section.title),
                      [markdown_words(texts.get(lang) or texts.get("uk", ""))]))
    for priority in program.priorities:
        pages.append((PRIORITY, priority.route(lang), t(priority.priority.name),
                      [" ".join(filter(None, [sub.number, t(sub.name)])) for sub in priority.priority.subdirections]))
    for indicator in program.indicators.values():
        pages.append((INDICATOR, indicator.route(lang), t(indicator.indicator.name), [t(indicator.indicator.unit)]))
    for task in program.tasks.values():
        tk = task.task
        pages.append((TASK, task.route(lang), t(tk.name), [t(tk.measure), t(tk.responsible), t(tk.expected_results)]))
    name = f"{t(p.hromada.name) or strings['unnamed_hromada']}, {p.period.start}–{p.period.end}"
    return search_index(name, pages)


def site_search_index(entries: list[CatalogueEntry], lang: str) -> bytes:
    """The comparisons across hromadas, by what each indicator is; not by the hromadas they list,
    whose names would make every comparison a hit for any hromada."""
    return search_index(None, [(COMPARISON, route(lang, "indicators", entry.code), shown(entry.name, lang),
                                [shown(entry.unit, lang)]) for entry in entries])
