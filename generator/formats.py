"""How numbers, sums of money, dates and counts read in each language: Babel, with an explicit locale.

Pure functions of a value and a language; the page templates reach them as filters (render.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_compact_decimal, format_decimal

LOCALES = {"uk": "uk_UA", "en": "en_GB"}
# Ukrainian abbreviates («14,5 млн грн»); English spells the word out («UAH 14.5 million»).
COMPACT = {"uk": ("short", "{} грн"), "en": ("long", "UAH {}")}


def format_number(value: Decimal, lang: str) -> str:
    """``Decimal('8632.5')`` → ``8 632,5`` (uk) or ``8,632.5`` (en), keeping the decimals the source shows."""
    # Cached by the number's text: Decimal("19") == Decimal("19.0"), but they are shown differently.
    return _format_number(str(value), lang)


@lru_cache(maxsize=8192)  # a program shows the same few hundred numbers on many pages
def _format_number(text: str, lang: str) -> str:
    value = Decimal(text)
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return format_decimal(value, format="#,##0" + ("." + "0" * places if places else ""), locale=LOCALES[lang])


def money_short(thousands: Decimal, lang: str) -> str:
    """A sum in thousand UAH as a reader says it: ``14469.0`` → «14,5 млн грн» (uk), «UAH 14.5 million» (en).

    For headlines only: the tables keep the document's exact thousands.
    """
    style, pattern = COMPACT[lang]
    amount = format_compact_decimal(thousands * 1000, format_type=style, locale=LOCALES[lang], fraction_digits=1)
    return pattern.format(amount)


def plural_form(count: int, lang: str) -> str:
    """The CLDR plural category of ``count`` (uk: 1 завдання, 2 завдання, 5 завдань; en: one or other)."""
    return Locale.parse(LOCALES[lang]).plural_form(count)


def date_text(iso: str, lang: str) -> str:
    """``2024-12-19`` → «19 грудня 2024 р.» (uk), «19 December 2024» (en)."""
    return format_date(date.fromisoformat(iso), format="long", locale=LOCALES[lang])
