"""Exact Fingertips label strings, as enums whose values are the published words.

Sources (see ``docs/methods.md`` §5.1, §5.7, §6.6, §7.1 in the project's shared docs):

* comparison labels: FT ``Export/SignificanceFormatter.GetLabel`` ("Better", "Similar",
  "Worse", "Lower", "Higher", "Not compared");
* goal labels: FT ``SignificanceFormatter.GetTargetLabel`` ("Red", "Amber", "Green",
  "Not compared");
* trend labels: FT ``Formatting/TrendMarkerLabelProvider``;
* quintile legends: FT ``legend-compare-areas.component.html`` ("Best" ... "Worst" for RAG,
  "Low" ... "High" for no judgement).

Polarity is one concept with one representation: :class:`Polarity`. Its values are the
words the outcomes report and Fingertips' quintile method use ("High is good", "Low is good",
"No judgement") plus "Not applicable" (Fingertips polarity id -1: never compared).
"""

from __future__ import annotations

from enum import StrEnum


class Polarity(StrEnum):
    """Which direction is good for an indicator.

    ============== ==================== ============================================
    member         value                Fingertips id / meaning
    ============== ==================== ============================================
    HIGH_IS_GOOD   "High is good"       1 — RAG, Better/Similar/Worse
    LOW_IS_GOOD    "Low is good"        0 — RAG, Better/Similar/Worse
    NO_JUDGEMENT   "No judgement"       99 (blue-orange-blue) — Lower/Similar/Higher
    NOT_APPLICABLE "Not applicable"     -1 — Not compared
    ============== ==================== ============================================
    """

    HIGH_IS_GOOD = "High is good"
    LOW_IS_GOOD = "Low is good"
    NO_JUDGEMENT = "No judgement"
    NOT_APPLICABLE = "Not applicable"

    @property
    def fingertips_id(self) -> int:
        return {"High is good": 1, "Low is good": 0, "No judgement": 99, "Not applicable": -1}[
            self.value
        ]

    @property
    def is_rag(self) -> bool:
        """True where a direction is good (Better/Worse language applies)."""
        return self in (Polarity.HIGH_IS_GOOD, Polarity.LOW_IS_GOOD)

    @classmethod
    def from_fingertips(cls, text_or_id: str | int) -> Polarity:
        """Map a Fingertips polarity id or metadata string to a :class:`Polarity`.

        Accepts the ids -1, 0, 1, 99 and the metadata CSV strings "RAG - Low is good",
        "RAG - High is good", "BOB - Blue orange blue", "Not applicable" (trailing spaces
        stripped, as some files pad them).
        """
        if isinstance(text_or_id, int) or (isinstance(text_or_id, str) and text_or_id.strip().lstrip("-").isdigit()):
            key = int(text_or_id)
            table = {1: cls.HIGH_IS_GOOD, 0: cls.LOW_IS_GOOD, 99: cls.NO_JUDGEMENT, -1: cls.NOT_APPLICABLE}
            if key in table:
                return table[key]
            raise ValueError(f"polarity: unknown Fingertips polarity id {key!r}; expected one of -1, 0, 1, 99")
        text = str(text_or_id).strip()
        table_s = {
            "RAG - High is good": cls.HIGH_IS_GOOD,
            "RAG - Low is good": cls.LOW_IS_GOOD,
            "BOB - Blue orange blue": cls.NO_JUDGEMENT,
            "Not applicable": cls.NOT_APPLICABLE,
        }
        if text in table_s:
            return table_s[text]
        return cls(text)


class Comparison(StrEnum):
    """Comparison of a value with a benchmark (England, a parent area, or a goal).

    The words are Fingertips' CSV/legend labels. The 99.8% outcomes of the two-level method
    (Fingertips method 17) use the same words as the 95% ones; the level is kept in a separate
    field (docs/methods.md §10 "Codes 4/5"), and their colours are ``COMPARISON_COLOURS[f"{word} 99.8%"]``.
    """

    BETTER = "Better"
    SIMILAR = "Similar"
    WORSE = "Worse"
    LOWER = "Lower"
    HIGHER = "Higher"
    NOT_COMPARED = "Not compared"


class GoalComparison(StrEnum):
    """Comparison with a goal (Fingertips "Compared to goal" column)."""

    GREEN = "Green"
    AMBER = "Amber"
    RED = "Red"
    NOT_COMPARED = "Not compared"


class Trend(StrEnum):
    """Recent-trend marker before polarity is applied (FT ``TrendMarker``)."""

    INCREASING = "Increasing"
    DECREASING = "Decreasing"
    NO_CHANGE = "No significant change"
    CANNOT_BE_CALCULATED = "Cannot be calculated"


class TrendLabel(StrEnum):
    """Polarity-aware recent-trend labels (FT ``TrendMarkerLabelProvider``)."""

    INCREASING = "Increasing"
    DECREASING = "Decreasing"
    INCREASING_BETTER = "Increasing and getting better"
    INCREASING_WORSE = "Increasing and getting worse"
    DECREASING_BETTER = "Decreasing and getting better"
    DECREASING_WORSE = "Decreasing and getting worse"
    NO_CHANGE = "No significant change"
    CANNOT_BE_CALCULATED = "Cannot be calculated"


def trend_label(trend: Trend, polarity: Polarity) -> TrendLabel:
    """Apply polarity to a trend marker (docs/methods.md §6.6 table)."""
    trend = Trend(trend)
    polarity = Polarity(polarity)
    if trend is Trend.NO_CHANGE:
        return TrendLabel.NO_CHANGE
    if trend is Trend.CANNOT_BE_CALCULATED:
        return TrendLabel.CANNOT_BE_CALCULATED
    up = trend is Trend.INCREASING
    if polarity is Polarity.HIGH_IS_GOOD:
        return TrendLabel.INCREASING_BETTER if up else TrendLabel.DECREASING_WORSE
    if polarity is Polarity.LOW_IS_GOOD:
        return TrendLabel.INCREASING_WORSE if up else TrendLabel.DECREASING_BETTER
    return TrendLabel.INCREASING if up else TrendLabel.DECREASING


#: The directions of travel that mean "getting worse" / "getting better" (docs/methods.md §6.6): the
#: one rule the chapters, legends and sentences use.
GETTING_WORSE: frozenset[str] = frozenset({TrendLabel.INCREASING_WORSE, TrendLabel.DECREASING_WORSE})
GETTING_BETTER: frozenset[str] = frozenset(
    {TrendLabel.INCREASING_BETTER, TrendLabel.DECREASING_BETTER}
)


def is_getting_worse(label: object) -> bool:
    """True for "Increasing and getting worse" and "Decreasing and getting worse"."""
    return isinstance(label, str) and label in GETTING_WORSE


def is_getting_better(label: object) -> bool:
    """True for "Increasing and getting better" and "Decreasing and getting better"."""
    return isinstance(label, str) and label in GETTING_BETTER


#: Quintile legend words, category 1..5 (docs/methods.md §7.1 step 7).
QUINTILE_LABELS_RAG = ("Best", "Better", "Middle", "Worse", "Worst")
QUINTILE_LABELS_NO_JUDGEMENT = ("Lowest", "Low", "Middle", "High", "Highest")

#: Fingertips benchmark colours (FT ``shared.ts`` class ``Colour``; docs/methods.md §5.8).
COMPARISON_COLOURS: dict[str, str] = {
    "Better": "#92D050",
    "Similar": "#FFC000",
    "Worse": "#C00000",
    "Better 99.8%": "#00B092",
    "Worse 99.8%": "#821733",
    "Lower": "#5555E6",
    "Higher": "#C2CCFF",
    "Not compared": "#C9C9C9",
    "Green": "#92D050",
    "Amber": "#FFC000",
    "Red": "#C00000",
}
