"""Words for generated sentences: number words, ordinals, plurals, lists and formatted values.

The style is the JHWS Outcomes Summary Report's (docs/chapters.md §1.5):

* counts from one to nine are spelled out, 10 and above are digits ("seven are green,
  13 are amber"); a count that starts a sentence is capitalised ("Two indicators …");
* ordinals carry a superscript suffix in HTML ("16<sup>th</sup>") and a plain one in text;
* lists join as "a, b and c";
* values to one decimal place with thousands separators and their unit ("29.7%",
  "4,602.8 per 100,000"); counts as whole numbers with separators ("1,262"); a missing
  value is the visible word ``Null`` (docs/chapters.md §0), never 0 and never blank.

These helpers build plain strings. The only markup they produce is the ``<sup>`` of
:func:`ordinal_html`; callers escape data strings before joining them.

``MISSING``, :func:`is_missing`, :func:`format_number` and :func:`format_count` are those of
:mod:`rutland_jsna.report.format` (one implementation; ``format_count`` here is its
``format_count_plain``: sentences print every count, tables apply disclosure control).
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import Any

from .format import MISSING, format_number, is_missing
from .format import format_count_plain as format_count

__all__ = [
    "MISSING",
    "capitalise_first",
    "count_phrase",
    "format_count",
    "format_number",
    "format_threshold",
    "format_value",
    "is_missing",
    "join_words",
    "number_word",
    "ordinal_html",
    "ordinal_suffix",
    "ordinal_text",
    "pluralise",
]

_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
#: Counts up to this are spelled out; larger ones are written as digits.
_LAST_SPELLED = len(_WORDS) - 1


def _as_count(n: Any, name: str = "n") -> int:
    """``n`` as a Python int; reject bools, non-integral and missing values."""
    if isinstance(n, bool) or is_missing(n):
        raise ValueError(f"{name}: expected a whole number, got {n!r}")
    if isinstance(n, Integral):
        return int(n)
    try:
        x = float(n)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a whole number, got {n!r}") from None
    if not x.is_integer():
        raise ValueError(f"{name}: expected a whole number, got {n!r}")
    return int(x)


def capitalise_first(text: str) -> str:
    """Upper-case the first character only ("two indicators" → "Two indicators").

    Examples
    --------
    >>> capitalise_first("13 are amber"), capitalise_first("the value for Rutland")
    ('13 are amber', 'The value for Rutland')
    """
    return text[:1].upper() + text[1:]


def number_word(n: int, *, capitalise: bool = False) -> str:
    """A count as the report writes it: zero to nine in words, 10 and above in digits.

    Parameters
    ----------
    n : int
        A whole number (numpy and whole-valued floats are accepted).
    capitalise : bool
        Capitalise the word because it starts a sentence.

    Returns
    -------
    str
        ``"seven"``, ``"Two"``, ``"13"``, ``"1,262"`` (digits carry thousands separators);
        negative numbers are written as digits.

    Raises
    ------
    ValueError
        If ``n`` is missing, a bool, or not a whole number.

    Examples
    --------
    >>> number_word(7), number_word(2, capitalise=True), number_word(13), number_word(1262)
    ('seven', 'Two', '13', '1,262')
    """
    k = _as_count(n)
    word = _WORDS[k] if 0 <= k <= _LAST_SPELLED else f"{k:,}"
    return capitalise_first(word) if capitalise else word


def ordinal_suffix(n: int) -> str:
    """English ordinal suffix: "st", "nd", "rd" or "th" (11th, 12th, 13th, 111th …).

    Raises
    ------
    ValueError
        If ``n`` is not a whole number >= 0.

    Examples
    --------
    >>> [ordinal_suffix(k) for k in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111)]
    ['st', 'nd', 'rd', 'th', 'th', 'th', 'th', 'st', 'nd', 'rd', 'st', 'th']
    """
    k = _as_count(n)
    if k < 0:
        raise ValueError(f"n: ordinals need a number >= 0, got {n!r}")
    if k % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")


def ordinal_html(n: int) -> str:
    """Ordinal with a superscript suffix, as the report prints it.

    Examples
    --------
    >>> ordinal_html(16), ordinal_html(1), ordinal_html(22)
    ('16<sup>th</sup>', '1<sup>st</sup>', '22<sup>nd</sup>')
    """
    return f"{_as_count(n)}<sup>{ordinal_suffix(n)}</sup>"


def ordinal_text(n: int) -> str:
    """Ordinal as plain text.

    Examples
    --------
    >>> ordinal_text(16), ordinal_text(113)
    ('16th', '113th')
    """
    return f"{_as_count(n)}{ordinal_suffix(n)}"


def pluralise(n: int, singular: str, plural: str | None = None) -> str:
    """``singular`` when ``n`` is 1, else ``plural`` (default: ``singular + "s"``).

    Examples
    --------
    >>> pluralise(1, "indicator"), pluralise(0, "indicator"), pluralise(2, "is", "are")
    ('indicator', 'indicators', 'are')
    """
    return singular if _as_count(n) == 1 else (plural if plural is not None else singular + "s")


def count_phrase(
    n: int, singular: str, plural: str | None = None, *, capitalise: bool = False
) -> str:
    """A count and its noun: "one indicator", "Two indicators", "13 indicators".

    Examples
    --------
    >>> count_phrase(1, "indicator"), count_phrase(2, "indicator", capitalise=True)
    ('one indicator', 'Two indicators')
    """
    return f"{number_word(n, capitalise=capitalise)} {pluralise(n, singular, plural)}"


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    """Join phrases as "a", "a and b", "a, b and c" (no serial comma, as the report does).

    Returns the empty string for no items.

    Examples
    --------
    >>> join_words([]), join_words(["a"]), join_words(["a", "b"]), join_words(["a", "b", "c"])
    ('', 'a', 'a and b', 'a, b and c')
    """
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _attach_unit(number: str, unit: Any) -> str:
    if is_missing(unit):
        return number
    unit = str(unit).strip()
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


def format_value(value: Any, unit: Any = None, decimals: int = 1) -> str:
    """A value with its unit: "29.7%", "4,602.8 per 100,000", "83.2 years"; missing → "Null".

    A ``%`` unit is attached without a space; any other unit follows after a space; a missing
    or blank unit adds nothing.

    Examples
    --------
    >>> format_value(29.71, "%"), format_value(4602.78, "per 100,000"), format_value(2.4, None)
    ('29.7%', '4,602.8 per 100,000', '2.4')
    >>> format_value(float("nan"), "%")
    'Null'
    """
    if is_missing(value):
        return MISSING
    return _attach_unit(format_number(value, decimals), unit)


def format_threshold(value: Any, unit: Any = None) -> str:
    """A goal or benchmark as the report prints it: whole numbers without decimals ("80%").

    Examples
    --------
    >>> format_threshold(80, "%"), format_threshold(92.5, "%")
    ('80%', '92.5%')
    """
    if is_missing(value):
        return MISSING
    x = float(value)
    return _attach_unit(format_number(x, 0 if x.is_integer() else 1), unit)
