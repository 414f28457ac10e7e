"""What every page's layout shows of the site: the header's navigation and the footer's facts
(content/site.yaml's settings, else the defaults), computed once a language for the templates."""

from __future__ import annotations

from typing import Any

from .assemble import route
from .datapackage import LICENSE
from .model import SiteSettings, Text

# The site's root, "/": the Ukrainian home page itself, not a page to choose a language on (an extra
# click for everyone). Its canonical address is /uk/, which every link, breadcrumb and hreflang pair on
# the site names: search engines see one Ukrainian home page, and residents can type the short one.
ROOT_ROUTE = ""
# The project's own pages, from templates/pages/<name>.<lang>.md.
PROJECT_PAGES = ("about", "accessibility")
# Where the publishing workflow puts the handbook (mkdocs.yml; .github/workflows/publish.yml).
HANDBOOK = {"uk": "docs/", "en": "docs/en/"}
# The picture a shared link shows (made from tools/og-image.svg, see tools/og_image.py).
SHARE_IMAGE = "assets/og-image.png"


def site_facts(settings: SiteSettings, strings: dict[str, str], lang: str, base_url: str, offline: bool) -> dict[str, Any]:
    """The site's name, publisher, contact, the data's licence, the handbook's address and the shared-link picture."""
    contact = settings.contact
    # Open Graph wants an absolute address; with a base URL that is a path only, there is none to give.
    has_host = base_url.startswith(("https://", "http://"))

    def text(value: Text | None) -> str | None:
        return None if value is None else value.en if lang == "en" and value.en else value.uk

    return {"title": text(settings.title) or strings["site_name"], "publisher": text(settings.publisher),
            "email": contact.email if contact else None, "contact_url": contact.url if contact else None,
            "licence": LICENSE,
            "handbook": None if offline else HANDBOOK[lang],  # an offline copy has no handbook beside it
            "share_image": base_url + SHARE_IMAGE if has_host else None}


def navigation(strings: dict[str, str], lang: str, own: str | None) -> list[tuple[str, str, str | None]]:
    """The header's links: (route, label, aria-current), marking the page itself ("page") or the part of the site
    it is in ("true"). A page under no other part is one of the programs'; ``own`` None is a page in no part
    (the 404 page)."""
    sections = [("nav_programs", route(lang)), ("nav_indicators", route(lang, "indicators")),
                ("nav_data", route(lang, "data")), ("nav_about", route(lang, "about"))]
    elsewhere = own is not None and any(own.startswith(route(lang, part))
                                        for part in ("indicators", "data", *PROJECT_PAGES))
    items: list[tuple[str, str, str | None]] = []
    for key, target in sections:
        inside = own is not None and (own.startswith(target) if key != "nav_programs" else not elsewhere)
        items.append((target, strings[key], "page" if own == target else "true" if inside else None))
    return items
