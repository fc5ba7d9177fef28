"""Display vocabularies: RAG words and colours, direction-of-travel symbols, legends.

The words are the exact Fingertips strings (:mod:`rutland_jsna.stats.labels`); colours are the
Fingertips benchmark colours (docs/methods.md §5.8). Colour is never used alone: every chip carries
its word, printed in black or white, whichever contrasts more with the chip (WCAG 1.4.3).
"""

from __future__ import annotations

from ..analysis import columns as C
from ..stats.labels import (
    COMPARISON_COLOURS,
    QUINTILE_LABELS_NO_JUDGEMENT,
    QUINTILE_LABELS_RAG,
    TrendLabel,
    is_getting_better,
    is_getting_worse,
)
from .format import is_missing
from .html import Html, esc, tag, text_colour_for

__all__ = [
    "BASIS_ENGLAND",
    "BASIS_GOAL",
    "BASIS_QUINTILES",
    "COMPARISON_LEGEND_ORDER",
    "TREND_LEGEND",
    "comparison_colour",
    "comparison_text",
    "comparison_chip",
    "trend_symbol",
    "trend_html",
    "comparison_legend",
    "trend_legend",
    "rag_group",
]

BASIS_ENGLAND, BASIS_GOAL, BASIS_QUINTILES = C.BASIS_ENGLAND, C.BASIS_GOAL, C.BASIS_QUINTILES

#: "Statistical Significance compared to England or Benchmark", in the printed order (§1.3).
COMPARISON_LEGEND_ORDER: tuple[str, ...] = (
    "Better",
    "Worse",
    "Higher",
    "Similar",
    "Not compared",
    "Lower",
)

#: Direction of travel, symbol and label, in the printed order (§1.3).
TREND_LEGEND: tuple[tuple[str, str], ...] = (
    ("▼", TrendLabel.DECREASING.value),
    ("▼", TrendLabel.DECREASING_BETTER.value),
    ("▼", TrendLabel.DECREASING_WORSE.value),
    ("▲", TrendLabel.INCREASING.value),
    ("▲", TrendLabel.INCREASING_BETTER.value),
    ("▲", TrendLabel.INCREASING_WORSE.value),
    ("▶", TrendLabel.NO_CHANGE.value),
    ("▬", TrendLabel.CANNOT_BE_CALCULATED.value),
)
_TREND_SYMBOL = {label: symbol for symbol, label in TREND_LEGEND}

_NOT_COMPARED = "Not compared"
_GOAL_TEXT = {
    "Green": "Better than goal",
    "Amber": "Similar to goal",
    "Red": "Worse than goal",
}
_GOAL_GROUP = {"Green": "Better", "Amber": "Similar", "Red": "Worse"}
_QUINTILE_TEXT = {
    "Best": "Best quintile",
    "Better": "2nd best quintile",
    "Middle": "Middle quintile",
    "Worse": "2nd worst quintile",
    "Worst": "Worst quintile",
    "Lowest": "Lowest quintile",
    "Low": "2nd lowest quintile",
    "High": "2nd highest quintile",
    "Highest": "Highest quintile",
}
#: Fingertips quintile colours (1 = best / lowest).
_QUINTILE_RAG_COLOURS = ("#DED3EC", "#BEA7DA", "#9E7CC8", "#7E50B6", "#5E25A4")
_QUINTILE_BOB_COLOURS = ("#254BA4", "#506EB6", "#7C93C8", "#A7B6DA", "#D3DBEC")


def _quintile_colour(label: str) -> str | None:
    if label in QUINTILE_LABELS_RAG:
        return _QUINTILE_RAG_COLOURS[QUINTILE_LABELS_RAG.index(label)]
    if label in QUINTILE_LABELS_NO_JUDGEMENT:
        return _QUINTILE_BOB_COLOURS[QUINTILE_LABELS_NO_JUDGEMENT.index(label)]
    return None


def _clean(label: object) -> str:
    return _NOT_COMPARED if is_missing(label) else str(label)


def comparison_text(label: object, basis: object = BASIS_ENGLAND) -> str:
    """The word(s) printed in the RAG column.

    England comparisons print the Fingertips word ("Better", "Lower", …); goal comparisons
    "Better than goal" / "Similar to goal" / "Worse than goal"; quintile comparisons
    "2nd best quintile" etc. Missing → "Not compared".
    """
    word = _clean(label)
    if word == _NOT_COMPARED:
        return word
    if basis == BASIS_GOAL and word in _GOAL_TEXT:
        return _GOAL_TEXT[word]
    if basis == BASIS_QUINTILES and word in _QUINTILE_TEXT:
        return _QUINTILE_TEXT[word]
    return word


def comparison_colour(label: object, basis: object = BASIS_ENGLAND) -> str:
    """The Fingertips colour of a comparison label (grey when not compared)."""
    word = _clean(label)
    if basis == BASIS_QUINTILES:
        colour = _quintile_colour(word)
        if colour:
            return colour
    return COMPARISON_COLOURS.get(word, COMPARISON_COLOURS[_NOT_COMPARED])


def rag_group(label: object, basis: object = BASIS_ENGLAND) -> str:
    """Collapse a label to the legend vocabulary: Better/Similar/Worse/Lower/Higher/Not compared.

    Goal colours map to Better/Similar/Worse; quintiles to Not compared (they are not a
    significance test).
    """
    word = _clean(label)
    if basis == BASIS_GOAL:
        return _GOAL_GROUP.get(word, _NOT_COMPARED)
    if basis == BASIS_QUINTILES:
        return _NOT_COMPARED
    return word if word in COMPARISON_LEGEND_ORDER else _NOT_COMPARED


def comparison_chip(label: object, basis: object = BASIS_ENGLAND) -> Html:
    """A coloured chip carrying the comparison word, text colour chosen for contrast."""
    background = comparison_colour(label, basis)
    colour = text_colour_for(background)
    text = comparison_text(label, basis)
    return tag(
        "span",
        text,
        class_="rag",
        style=f"background-color:{background};color:{colour}",
    )


def trend_symbol(label: object) -> str:
    """The direction-of-travel symbol for a label (``▬`` when missing or unknown)."""
    return _TREND_SYMBOL.get(_trend_word(label), "▬")


def _trend_word(label: object) -> str:
    return TrendLabel.CANNOT_BE_CALCULATED.value if is_missing(label) else str(label)


def trend_html(label: object) -> Html:
    """Symbol (hidden from screen readers, which read the words) and the label text."""
    word = _trend_word(label)
    cls = "dot"
    if is_getting_better(word):
        cls += " dot-better"
    elif is_getting_worse(word):
        cls += " dot-worse"
    return Html(
        f'<span class="{cls}"><span class="dot-symbol" aria-hidden="true">'
        f"{trend_symbol(word)}</span> {esc(word)}</span>"
    )


def comparison_legend() -> Html:
    """The legend printed under every table, in the report's order, as words and colours."""
    items = [tag("li", comparison_chip(word)) for word in COMPARISON_LEGEND_ORDER]
    return tag(
        "div",
        [
            tag("p", "Statistical Significance compared to England or Benchmark", class_="legend-title"),
            tag("ul", items, class_="legend"),
        ],
        class_="legend-block",
    )


def trend_legend() -> Html:
    """The direction-of-travel legend, symbol and label, in the report's order."""
    items = [tag("li", trend_html(label)) for _, label in TREND_LEGEND]
    return tag(
        "div",
        [tag("p", "Direction of Travel", class_="legend-title"), tag("ul", items, class_="legend")],
        class_="legend-block",
    )
