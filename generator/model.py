"""The source format of a program, as pydantic models.

These classes are the single source of truth for the YAML files under
``content/``: the JSON Schemas in ``schemas/`` are generated from them
(``python -m generator schema``) and a test fails if the two differ.

The models describe *shape* only. Cells that hold figures are kept as the
council typed them (a number, or text such as ``"8 632"``, ``"5,0"``, ``"+"``,
``"В межах кошторисних призначень"``); ``figures.py`` interprets them and
``validate.py`` checks that they fit.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import Enum
from typing import Annotated, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StrictStr, WithJsonSchema, field_validator
from translitua import translit

LANGS = ("uk", "en")  # Ukrainian first: the approved text
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
PROGRAM_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*-([0-9]{4})-([0-9]{4})$")  # a program's folder: name-start-end
YEAR_KEY_PATTERN = r"^(19|20)[0-9]{2}$"
WEB_ADDRESS_PATTERN = r"^https?://[^\s<>\"']+$"  # a page to link: no javascript: or data:, nothing that ends an attribute

Slug = Annotated[
    str,
    Field(
        pattern=SLUG_PATTERN,
        max_length=80,
        description="Latin lower-case letters, digits and single hyphens, e.g. `e-petitions`.",
    ),
]


def _number_as_text(value: object) -> object:
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return value


# Row numbers («1.1») and timeframes («2027») are labels, but clerks type them
# unquoted and YAML reads those as numbers: accept both, keep them as text.
Label = Annotated[
    str,
    BeforeValidator(_number_as_text),
    WithJsonSchema({"type": ["string", "number"]}),
]

# A figure exactly as the document states it: a number, or text a clerk
# would naturally type. Null or an absent key means the cell is empty.
Cell = Annotated[
    Union[StrictInt, Decimal, StrictStr, None],
    Field(
        description=(
            "A figure as the document states it: a number (5.0, 8632, or text such as "
            "'8 632' or '5,0'), '+' (planned, no amount), '-' or empty (not planned), "
            "'В межах кошторисних призначень' (within existing budget allocations), "
            "or 'Так'/'Ні' for yes/no indicators."
        )
    ),
]
YearCells = Annotated[
    dict[StrictInt, Cell],
    Field(description="Figures by year, e.g. `2025: 120`.", json_schema_extra={"propertyNames": {"pattern": YEAR_KEY_PATTERN}}),
]


def slug(text: str) -> str:
    """``text`` transliterated (translitua's default, Ukraine's official table), in lower case,
    with hyphens between words: how a program id is made of its hromada's name."""
    return re.sub(r"[^a-z0-9]+", "-", translit(text).lower()).strip("-")


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt key must not silently lose data."""

    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


class Text(Strict):
    """A human-readable string in Ukrainian (authoritative) and English."""

    uk: StrictStr = Field(min_length=1, description="Ukrainian text, as in the approved document.")
    en: StrictStr | None = Field(
        default=None, min_length=1, description="English translation (unofficial). May be left out for now."
    )


SHORT_NAME_MAX = 80  # a browser tab's title, two lines of a list on a phone


class ShortText(Text):
    """A short form of a long name, in Ukrainian and English: for page titles, lists, tables and breadcrumbs."""

    uk: StrictStr = Field(min_length=1, max_length=SHORT_NAME_MAX,
                          description=f"Ukrainian short name, at most {SHORT_NAME_MAX} characters and no longer than the name.")
    en: StrictStr | None = Field(
        default=None, min_length=1, max_length=SHORT_NAME_MAX,
        description="English short name (unofficial). Where it is left out, English pages show the English name.",
    )


def short_or_full(name: Text, short_name: ShortText | None) -> Text:
    """What titles, lists, tables and breadcrumbs call an item: its short name where the sources give one,
    in each language on its own (an English page without an English short name shows the English name)."""
    if short_name is None:
        return name
    return Text(uk=short_name.uk, en=short_name.en or name.en)


class HromadaType(str, Enum):
    city = "city"
    settlement = "settlement"
    village = "village"


class FundingSource(str, Enum):
    all = "all"  # «Загальний обсяг» / «Всього»: the sum over sources
    state = "state"
    oblast = "oblast"
    raion = "raion"
    local = "local"
    other = "other"


class IndicatorKind(str, Enum):
    percent = "percent"
    count = "count"
    boolean = "boolean"
    ratio = "ratio"
    number = "number"


class ValueMode(str, Enum):
    level = "level"
    increment = "increment"


class Period(Strict):
    start: StrictInt = Field(ge=1990, le=2100, description="First year of the program.")
    end: StrictInt = Field(ge=1990, le=2100, description="Last year of the program.")


class Hromada(Strict):
    name: Text | None = Field(default=None, description="Full name, e.g. «Хмільницька міська територіальна громада».")
    short_name: Text | None = Field(
        default=None, description="Short adjective form used in the program id, e.g. «Хмільницька»."
    )
    type: HromadaType | None = Field(default=None, description="city, settlement or village hromada.")
    oblast: Text | None = None
    raion: Text | None = None
    katottg: StrictStr | None = Field(
        default=None,
        pattern=r"^UA[0-9]{17}$",
        description="Code in the Codifier of administrative-territorial units (KATOTTG), e.g. UA63140110000087562.",
    )


class Decision(Strict):
    body: Text | None = Field(default=None, description="Who approved it, e.g. the council session.")
    title: Text | None = None
    date: StrictStr | None = Field(default=None, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="YYYY-MM-DD")
    number: Label | None = None


class FundingRow(Strict):
    """One row of a funding table: figures per year for one budget source."""

    source: FundingSource = Field(description="Budget source; `all` is the row «Загальний обсяг, у тому числі».")
    name: Text | None = Field(default=None, description="The source's name as the document states it, when it matters.")
    years: YearCells = Field(default_factory=dict)
    total: Cell = Field(default=None, description="The row total as the document states it.")


class FundingSummary(Strict):
    """The passport's funding item, as stated."""

    text: Text | None = None
    rows: list[FundingRow] = Field(default_factory=list)


class Passport(Strict):
    development_decision: Text | None = Field(default=None, description="Document on developing the program.")
    approval: Decision | None = Field(default=None, description="The decision that approved the program.")
    agreed_with_general_customer: StrictStr | None = Field(
        default=None, description="Date of agreement with the General State Customer of the National Informatization Program."
    )
    head: Text | None = None
    developer: Text | None = None
    responsible: Text | None = None
    purpose: Text | None = None
    funding: FundingSummary | None = None
    other: list[Text] = Field(default_factory=list, description="Further passport items the template does not name.")


class Section(Strict):
    id: Slug
    title: Text


class SubDirection(Strict):
    id: Slug
    number: Label | None = None
    name: Text


class Priority(Strict):
    id: Slug
    number: Label | None = None
    name: Text
    subdirections: list[SubDirection] = Field(default_factory=list)
    stated_totals: list[FundingRow] = Field(
        default_factory=list, description="«Всього за напрямом» rows as the document states them."
    )


class Program(Strict):
    """``content/<program-id>/program.yaml``"""

    title: Text
    period: Period
    hromada: Hromada
    # `passport:` with every item commented out is null: read it as an empty passport.
    passport: Passport | None = Field(default_factory=Passport)
    signed_by: Text | None = None
    source_url: StrictStr | None = Field(
        default=None, max_length=500, pattern=WEB_ADDRESS_PATTERN,
        description="Where the approved document can be read online (the council's site), https:// or http://.",
    )
    sections: list[Section] = Field(default_factory=list)
    priorities: list[Priority] = Field(min_length=1)
    stated_totals: list[FundingRow] = Field(
        default_factory=list, description="«Всього за програмою» rows as the document states them."
    )

    @field_validator("passport", mode="before")
    @classmethod
    def _empty_passport(cls, value: object) -> object:
        return {} if value is None else value


_SHORT_NAME = ("Optional: a short form of a long name, for the page title, lists, tables and breadcrumbs; "
               "the page's heading keeps the full name. Not in the approved document: write it only where the name is long.")


class Task(Strict):
    id: Slug
    priority: Slug = Field(description="Id of a priority direction or sub-direction.")
    number: Label | None = None
    measure: Text | None = Field(default=None, description="«Назва заходу / завдання».")
    name: Text = Field(description="«Назва проєкту, робіт з інформатизації».")
    short_name: ShortText | None = Field(default=None, description=_SHORT_NAME)
    responsible: Text | None = None
    timeframe: Label | None = Field(default=None, description="As stated, e.g. `2026-2028` or `2025`.")
    expected_results: Text | None = None
    funding: list[FundingRow] = Field(default_factory=list)
    actual_spending: list[FundingRow] = Field(default_factory=list, description="From monitoring reports.")

    @property
    def display_name(self) -> Text:
        return short_or_full(self.name, self.short_name)


class Tasks(Strict):
    """``content/<program-id>/tasks.yaml``"""

    tasks: list[Task] = Field(default_factory=list)


class Indicator(Strict):
    id: Slug
    priority: Slug
    number: Label | None = None
    task: Slug | None = Field(default=None, description="Id of the task this indicator measures.")
    catalogue: Slug | None = Field(default=None, description="Code of the standard indicator in the catalogue.")
    name: Text
    short_name: ShortText | None = Field(default=None, description=_SHORT_NAME)
    unit: Text = Field(description="Unit as stated, e.g. `%`, `осіб`, `Так/Ні`.")
    kind: IndicatorKind
    mode: ValueMode = Field(description="`level`: each year is the value reached; `increment`: each year adds to the last.")
    baseline: Cell = None
    targets: YearCells = Field(default_factory=dict)
    change: Cell = Field(default=None, description="«Динаміка (+/-, %)» as stated.")
    actual: YearCells = Field(default_factory=dict, description="Actual values from monitoring reports.")

    @property
    def display_name(self) -> Text:
        return short_or_full(self.name, self.short_name)


class Indicators(Strict):
    """``content/<program-id>/indicators.yaml``"""

    indicators: list[Indicator] = Field(default_factory=list)


class CatalogueEntry(Strict):
    code: Slug
    name: Text
    unit: Text
    kind: IndicatorKind
    higher_is_better: bool
    direction: Text | None = Field(default=None, description="The typical priority direction it belongs to.")


class Catalogue(Strict):
    """``content/catalogue.yaml``"""

    indicators: list[CatalogueEntry] = Field(default_factory=list)


EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class Contact(Strict):
    """Where residents write about the site: an e-mail address, a web page (a form, say), or both."""

    email: StrictStr | None = Field(default=None, pattern=EMAIL_PATTERN, max_length=200,
                                    description="An e-mail address, e.g. `programs@example.org`.")
    url: StrictStr | None = Field(default=None, pattern=WEB_ADDRESS_PATTERN, max_length=500,
                                  description="A web page beginning with `https://`, e.g. a feedback form.")


class SiteSettings(Strict):
    """``content/site.yaml``: what the site says about itself. Optional, and so is every field in it."""

    title: Text | None = Field(default=None, description="The site's name, shown in the header and every page's title.")
    publisher: Text | None = Field(
        default=None, description="Who publishes the site, e.g. the council's executive committee. Left out when unknown.")
    contact: Contact | None = Field(default=None, description="Where to write about the site, its data or its accessibility.")


# File name -> root model. The loader, the schema generator and the
# validator all go through this table.
SOURCE_FILES: dict[str, type[Strict]] = {
    "program.yaml": Program,
    "tasks.yaml": Tasks,
    "indicators.yaml": Indicators,
    "catalogue.yaml": Catalogue,
    "site.yaml": SiteSettings,
}
