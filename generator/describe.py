"""Each page's meta description, from its own content: what a search result or a shared link shows
under the title. Plain text (the template escapes it), at most DESCRIPTION_LIMIT characters, cut at
a word, and different for every page: each names its program as well as itself.
"""

from __future__ import annotations

import os
import re
import weakref
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable

from markdown_it.token import Token

from .assemble import IndicatorView, PriorityView, ProgramView, TaskView
from .figures import CellStatus, Figure
from .model import CatalogueEntry, Text

# Search engines show about this many characters of a description; longer ones are cut mid-word.
DESCRIPTION_LIMIT = 160
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"(]?[A-ZА-ЯІЇЄҐ0-9])")


def cut(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """``text`` with its spaces collapsed, cut at the last whole word that fits (an ellipsis marks the cut)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[:limit]  # one character spare for the ellipsis once the broken word goes
    head = head[:head.rfind(" ")] if " " in head else head[:limit - 1]
    return head.rstrip(" ,;:—–-·(") + "…"


def shortened(name: str, limit: int, differs_at: int = 0) -> str:
    """A name longer than ``limit`` without its middle, keeping its start at least to ``differs_at`` (where it
    parts from the most alike name beside it) and a little further: names alike but for a word in the middle
    or at the end (trained on one platform, or on another) stay told apart."""
    name = " ".join(name.split())
    if len(name) <= limit:
        return name
    room = limit - 3  # for " … "
    if differs_at + 24 > room - 12:  # too far in for the start to reach: the start, then the words around it
        head = name[:room // 3]
        head = head[:head.rfind(" ")] if " " in head else head
        start = name.rfind(" ", 0, max(differs_at - 12, len(head) + 1)) + 1
        window = name[start:start + room - len(head) - 2]  # two spare for a closing " …"
        if start + len(window) < len(name):
            window = (window[:window.rfind(" ")] if " " in window else window).rstrip(" ,;:—–-(") + " …"
        return f"{head.rstrip(' ,;:—–-(')} … {window}"
    head_room = max(room * 3 // 5, differs_at + 24)
    head, tail = name[:head_room], name[len(name) - (room - head_room):]
    head = head[:head.rfind(" ")] if " " in head else head
    tail = tail[tail.find(" ") + 1:] if " " in tail else tail
    return f"{head.rstrip(' ,;:—–-(')} … {tail}"


def differs_at(names: Iterable[str]) -> dict[str, int]:
    """For each of ``names`` (the names of the pages beside each other), how far it runs alike the most alike
    of the others: its common start with a neighbour in sorted order, which no other name can share more of."""
    ordered = sorted(set(names))
    return {name: max((len(os.path.commonprefix([name, other])) for other in ordered[max(index - 1, 0):index + 2]
                       if other != name), default=0)
            for index, name in enumerate(ordered)}


def joined(head: str, tail: str, limit: int = DESCRIPTION_LIMIT, *, name: bool = True, distinct: int = 0) -> str:
    """``head`` (a ``name``, shortened in the middle, see shortened; else text, cut at its end) leaving room for
    ``tail``, which is kept whole: a page's own words, then whose they are."""
    tail = re.sub(r"\s+", " ", tail)
    room = max(limit - len(tail), 20)
    return cut((shortened(head, room, distinct) if name else cut(head, room)) + tail, limit)  # a tail too long: cut


def opening(tokens: list[Token], limit: int) -> str:
    """The first sentences of a Markdown text's first paragraph, as plain text: as many whole ones as fit in
    ``limit`` characters, and at least the first."""
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 1 < len(tokens):
            words = "".join(child.content if child.type in ("text", "code_inline") else
                            " " if child.type in ("softbreak", "hardbreak") else ""
                            for child in tokens[index + 1].children or ())
            sentences = _SENTENCE_END.split(" ".join(words.split()))
            if sentences[0]:
                told = sentences[0]
                for sentence in sentences[1:]:
                    if len(told) + 1 + len(sentence) > limit:
                        break
                    told += " " + sentence
                return told
    return ""


@dataclass(frozen=True)
class Describer:
    """One language's descriptions. ``text`` shows a bilingual text as a page does (plain), ``number`` a figure."""

    lang: str
    strings: dict[str, str]
    text: Callable[[Text | None], str]
    number: Callable[[Decimal], str]
    # differs_at of the program being described, by kind: made once a program, not once a page. Only the last
    # program's is kept (a worker describes one after another), by a weak reference: it must not keep the
    # program alive once the build lets it go.
    alike: dict[str, tuple[weakref.ref, dict[str, int]]] = field(default_factory=dict, compare=False)

    def alike_in(self, program: ProgramView, kind: str, names: Callable[[], Iterable[str]]) -> dict[str, int]:
        if kind not in self.alike or self.alike[kind][0]() is not program:
            self.alike[kind] = (weakref.ref(program), differs_at(names()))
        return self.alike[kind][1]

    def program_name(self, program: ProgramView, short: bool = False) -> str:
        """How the pages name a program; ``short``, by the hromada's short name where a long item's name needs the
        room (in Ukrainian: «Кременчуцька»; the English names, «Kremenchuk city hromada», are short already)."""
        hromada, period = program.program.hromada, program.program.period
        name = (short and self.lang == "uk" and hromada.short_name) or hromada.name
        return f"{self.text(name) if name else self.strings['unnamed_hromada']}, {period.start}–{period.end}"

    def money(self, value: Decimal | None) -> str:
        return "—" if value is None else f"{self.number(value)} {self.strings['thousand_uah']}"

    def figure(self, figure: Figure) -> str:
        if figure.status is CellStatus.amount and figure.amount is not None:
            return self.number(figure.amount)
        if figure.status in (CellStatus.yes, CellStatus.no):
            return self.strings["yes" if figure.status is CellStatus.yes else "no"]
        return "…"

    def counts(self, tasks: int, indicators: int) -> str:
        return f"{self.strings['tasks_count']}: {tasks}, {self.strings['indicators_count'].lower()}: {indicators}"

    # -- by page ------------------------------------------------------------------------------------
    def home(self, count: int) -> str:
        return cut(self.strings["description_home"].format(count=count))

    def program(self, program: ProgramView) -> str:
        return cut(f"{self.program_name(program)}. {self.strings['total_funding']}: {self.money(program.total)}. "
                   f"{self.counts(len(program.tasks), len(program.indicators))}. {self.text(program.program.title)}")

    def section(self, program: ProgramView, title: Text, tokens: list[Token]) -> str:
        whose = f" ({self.program_name(program, short=True)})"
        return joined(opening(tokens, DESCRIPTION_LIMIT - len(whose)) or self.text(title), whose, name=False)

    def priority(self, program: ProgramView, priority: PriorityView) -> str:
        amount = sum(priority.amounts.values(), Decimal(0)) if priority.amounts else None
        facts = f"{self.counts(len(priority.task_ids), len(priority.indicator_ids))}; {self.money(amount)}"
        return joined(self.text(priority.priority.name), f". {facts}. {self.program_name(program)}")

    def indicator(self, program: ProgramView, indicator: IndicatorView) -> str:
        values = []
        if indicator.baseline.amount is not None or indicator.baseline.status in (CellStatus.yes, CellStatus.no):
            values.append(f"{self.strings['baseline_short'].lower()} {self.figure(indicator.baseline)}")
        if indicator.targets and self.figure(indicator.targets[-1][1]) != "…":
            year, target = indicator.targets[-1]
            values.append(f"{year}: {self.figure(target)}")
        number = f" ({indicator.indicator.number})" if indicator.indicator.number else ""
        unit = self.text(indicator.indicator.unit)  # named with the figures it measures
        facts = f". {unit}: {' → '.join(values)}" if values else ""
        name = self.text(indicator.indicator.name)
        alike = self.alike_in(program, "indicators",
                              lambda: (self.text(i.indicator.name) for i in program.indicators.values()))[name]
        return joined(name, f"{number}{facts}. {self.program_name(program, short=True)}", distinct=alike)

    def task(self, program: ProgramView, task: TaskView) -> str:
        years = f" ({task.planned_years[0]}–{task.planned_years[-1]})" if len(task.planned_years) > 1 else (
            f" ({task.planned_years[0]})" if task.planned_years else "")
        funding = self.money(task.total) if task.total is not None else (
            self.strings["within_allocations"] if task.marker and task.marker.status is CellStatus.within_allocations
            else self.strings["no_value"])
        number = f" ({task.task.number})" if task.task.number else ""
        name = self.text(task.task.name)
        alike = self.alike_in(program, "tasks", lambda: (self.text(t.task.name) for t in program.tasks.values()))[name]
        return joined(name, f"{number}. {self.strings['funding_short']}: {funding}{years}. "
                            f"{self.program_name(program, short=True)}", distinct=alike)

    def standard_indicator(self, entry: CatalogueEntry) -> str:
        return cut(f"{self.text(entry.name)} ({self.text(entry.unit)}): {self.strings['description_comparison']}")

    def page(self, template: str, context: dict[str, Any], tokens: Callable[[], list[Token]]) -> str:
        """The description of a page made from ``template`` with ``context``; "" for pages that say their own."""
        program = context.get("program")
        if template == "home.html":
            return self.home(context["count"])
        if template == "program.html":
            return self.program(program)
        if template == "section.html":
            return self.section(program, context["section"].title, tokens())
        if template == "priority.html":
            return self.priority(program, context["priority"])
        if template == "indicator.html":
            return self.indicator(program, context["indicator"])
        if template == "task.html":
            return self.task(program, context["task"])
        if template == "standard_indicator.html":
            return self.standard_indicator(context["entry"])
        if template == "dataset.html":
            return cut(context["description"])
        if template == "project_page.html":
            return cut(self.strings[f"description_{context['name']}"])
        return cut(self.strings["site_description"])
