"""Markdown, rendered as the site shows it: the programs' sections (untrusted text, so no raw HTML and
only safe link targets) and the project's own pages (About, the accessibility statement)."""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

SAFE_SCHEMES = ("http:", "https:", "mailto:")


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

    def validate_link(url: str) -> bool:
        target = url.strip().lower()
        if ":" in target.split("/", 1)[0]:
            return target.startswith(SAFE_SCHEMES)
        return True  # relative links and fragments

    md.validateLink = validate_link
    return md


MARKDOWN = _markdown()


def _table_open(renderer, tokens, index, options, env):  # noqa: ANN001 - markdown-it's renderer signature
    # Wide tables scroll inside a labelled, focusable region instead of the whole page.
    label = escape(env.get("table_label", ""))
    return f'<div class="table-scroll" role="region" aria-label="{label}" tabindex="0"><table>\n'


MARKDOWN.add_render_rule("table_open", _table_open)
MARKDOWN.add_render_rule("table_close", lambda renderer, tokens, index, options, env: "</table></div>\n")


@lru_cache(maxsize=32)
def markdown_tokens(text: str) -> list[Token]:
    """A section's text, parsed once for its page and again read for the search index (three quarters
    of the index's time was parsing it a second time). Its pages in both languages fit in the cache."""
    return MARKDOWN.parse(text)


def render_markdown(text: str, table_label: str = "") -> Markup:
    """Markdown from a section file: raw HTML is shown as text, unsafe links are refused."""
    return Markup(MARKDOWN.renderer.render(markdown_tokens(text), MARKDOWN.options, {"table_label": table_label}))


def render_site_markdown(text: str, url: Callable[[str], str], table_label: str = "") -> Markup:
    """One of the project's own pages (templates/pages/*.md): a link written from the site's root, ``/uk/data/``,
    becomes one from the page (``url``), so the page works under any sub-path and from a folder."""
    tokens = MARKDOWN.parse(text)  # not the cached tokens: their links are changed here
    for token in tokens:
        for child in token.children or ():
            href = child.attrGet("href") if child.type == "link_open" else None
            if isinstance(href, str) and href.startswith("/") and not href.startswith("//"):
                child.attrSet("href", url(href[1:]))
    return Markup(MARKDOWN.renderer.render(tokens, MARKDOWN.options, {"table_label": table_label}))
