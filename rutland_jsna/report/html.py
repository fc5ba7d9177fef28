"""HTML building blocks shared by every chapter.

Everything a chapter notebook displays is an :class:`Html` object (or a subclass): a string of
markup with ``_repr_html_``, so JupyterLab, papermill and nbconvert all show the same thing and
the same call is unit-tested. Data strings are escaped with :func:`esc` at the point they are
placed in markup; nothing else in the report layer writes raw data into HTML.
"""

from __future__ import annotations

import html as _html
import math
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "Html",
    "esc",
    "is_pandas_missing",
    "join",
    "tag",
    "heading",
    "paragraph",
    "bullet_list",
    "details",
    "data_table",
    "scroll_region",
    "plain_text",
    "slug",
    "text_colour_for",
    "contrast_ratio",
]


class Html:
    """A block of trusted HTML markup, displayed as HTML by Jupyter.

    Parameters
    ----------
    markup : str
        Markup whose data strings have already been escaped.

    Notes
    -----
    ``Html`` objects concatenate with ``+`` and :func:`join`; ``str(block)`` is the markup.
    """

    __slots__ = ("markup",)

    def __init__(self, markup: str = "") -> None:
        self.markup = str(markup)

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        short = self.markup if len(self.markup) < 60 else self.markup[:57] + "..."
        return f"{type(self).__name__}({short!r})"

    def __add__(self, other: Html | str) -> Html:
        return Html(self.markup + _markup(other))

    def __radd__(self, other: Html | str) -> Html:
        return Html(_markup(other) + self.markup)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Html) and other.markup == self.markup

    def __hash__(self) -> int:
        return hash(self.markup)

    def __bool__(self) -> bool:
        return bool(self.markup)


def _markup(item: Html | str | Any) -> str:
    """Markup of an :class:`Html` (trusted) or of any other object (escaped as text)."""
    if isinstance(item, Html):
        return item.markup
    if hasattr(item, "_repr_html_"):
        return str(item._repr_html_())
    return esc(item)


def is_pandas_missing(value: Any) -> bool:
    """True for ``pd.NA`` and ``pd.NaT``, without importing pandas: when pandas is not loaded no
    value can be one of them, so a page written from plain values needs no pandas (issue 18)."""
    pd = sys.modules.get("pandas")
    return pd is not None and (value is pd.NA or value is pd.NaT)


def esc(value: Any) -> str:
    """Escape a data value for HTML text or attribute use.

    ``None``, NaN and pandas' missing values become the empty string, so that callers decide
    what visible word to show for a missing value (the report never prints "nan" or "None").

    Examples
    --------
    >>> esc("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> esc(float("nan"))
    ''
    """
    if value is None or is_pandas_missing(value):
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return _html.escape(str(value), quote=True)


def join(items: Iterable[Html | str], sep: str = "\n") -> Html:
    """Concatenate blocks (strings are escaped as text)."""
    return Html(sep.join(_markup(i) for i in items))


def _attrs(attrs: Mapping[str, Any] | None) -> str:
    if not attrs:
        return ""
    parts = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        parts.append(f" {name}" if value is True else f' {name}="{esc(value)}"')
    return "".join(parts)


def tag(name: str, content: Html | str | Iterable[Html | str] = "", **attrs: Any) -> Html:
    """``<name attrs>content</name>``; ``class_="x"`` gives ``class="x"``; strings are escaped."""
    if isinstance(content, Html | str):
        inner = _markup(content)
    else:
        inner = "".join(_markup(c) for c in content)
    return Html(f"<{name}{_attrs(attrs)}>{inner}</{name}>")


def heading(level: int, text: Html | str, *, id: str | None = None, **attrs: Any) -> Html:
    """A heading ``<hN>``; levels 1-6."""
    if level not in range(1, 7):
        raise ValueError(f"heading: level must be 1 to 6, got {level!r}")
    return tag(f"h{level}", text, id=id, **attrs)


def paragraph(text: Html | str, **attrs: Any) -> Html:
    return tag("p", text, **attrs)


def bullet_list(items: Iterable[Html | str], **attrs: Any) -> Html:
    """``<ul>`` of the items (strings escaped); an empty list gives an empty block."""
    lis = [tag("li", i) for i in items]
    return tag("ul", lis, **attrs) if lis else Html()


def details(summary: Html | str, content: Html | str, **attrs: Any) -> Html:
    """A ``<details>`` disclosure with a ``<summary>`` (keyboard accessible natively).

    ``content`` is placed once: an :class:`Html` block as markup, a plain string escaped as
    text (as :func:`tag` does), never escaped twice.

    Examples
    --------
    >>> details("More", Html("<p>a &amp; b</p>")).markup
    '<details><summary>More</summary><p>a &amp; b</p></details>'
    """
    return tag("details", [tag("summary", summary), content], **attrs)


def data_table(
    header: Sequence[str],
    rows: Iterable[Sequence[Html | str]],
    *,
    caption: Html | str,
    row_header: bool = True,
    numeric: Sequence[bool] | None = None,
    label: str | None = None,
    scroll: bool = True,
    **attrs: Any,
) -> Html:
    """An accessible table: ``<caption>``, ``<th scope="col">`` and a ``<th scope="row">`` first cell.

    Parameters
    ----------
    header : column headings (text).
    rows : cells, already formatted (strings are escaped, :class:`Html` kept).
    caption : what the table shows (required: WCAG 1.3.1).
    row_header : the first cell of each row is a row header. Ignored for a one-column table:
        a row header names the data cells beside it, and there are none (axe
        ``th-has-data-cells``), so those cells are plain data cells under the column header.
    numeric : per column, right-align (class ``num``).
    label : accessible name of the scrolling container; default the caption's text.
    scroll : put the table in its own horizontally scrolling container (default), so a wide
        table never widens the page (WCAG 1.4.10 reflow): ``<div class="table-scroll"
        role="region" tabindex="0" aria-label="…">``. The container is focusable so that
        keyboard users can scroll it (WCAG 2.1.1) and named so that screen readers announce
        what it holds.
    """
    numeric = list(numeric) if numeric is not None else [False] * len(header)
    row_header = row_header and len(header) > 1
    head = tag(
        "thead",
        tag(
            "tr",
            [
                tag("th", h, scope="col", class_="num" if numeric[i] else None)
                for i, h in enumerate(header)
            ],
        ),
    )
    body_rows = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = "num" if i < len(numeric) and numeric[i] else None
            if i == 0 and row_header:
                cells.append(tag("th", cell, scope="row", class_=cls))
            else:
                cells.append(tag("td", cell, class_=cls))
        body_rows.append(tag("tr", cells))
    table = tag("table", [tag("caption", caption), head, tag("tbody", body_rows)], **attrs)
    if not scroll:
        return table
    return scroll_region(table, label if label is not None else f"Table: {plain_text(caption)}",
                         class_="table-scroll")


def scroll_region(content: Html | str, label: str, *, class_: str) -> Html:
    """A named, keyboard-focusable container that scrolls its wide content sideways.

    ``<div class=… role="region" tabindex="0" aria-label=…>``: what WCAG asks of a scrollable
    region (keyboard access, 2.1.1; a name for the region, 4.1.2).
    """
    return tag("div", content, class_=class_, role="region", tabindex="0", aria_label=label)


_TAGS = re.compile(r"<[^>]+>")


def plain_text(block: Html | str) -> str:
    """The text of a block (tags removed, entities decoded, white space collapsed).

    Examples
    --------
    >>> plain_text(Html('<span class="t">A &amp; B</span> <b>note</b>'))
    'A & B note'
    """
    text = _html.unescape(_TAGS.sub(" ", _markup(block))) if isinstance(block, Html) else block
    return " ".join(str(text).split())


def slug(text: str) -> str:
    """A lower-case id fragment: letters, digits and hyphens."""
    out = []
    for ch in str(text).lower():
        out.append(ch if ch.isalnum() else "-")
    s = "".join(out)
    while "--" in s:
        s = s.replace("--", "-")
    return s.strip("-") or "x"


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"colour: expected #RRGGBB, got {hex_colour!r}")
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two ``#RRGGBB`` colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour_for(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG 1.4.3)."""
    return (
        "#000000"
        if contrast_ratio(background, "#000000") >= contrast_ratio(background, "#FFFFFF")
        else "#FFFFFF"
    )
