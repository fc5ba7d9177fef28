"""The indicator catalogue's record type: one :class:`Indicator` per chapter table row.

Configuration is data, validated on load (docs/architecture.md convention 8): the catalogue lives in
``rutland_jsna/data/catalogue/indicators.csv`` and is parsed into these frozen dataclasses by
:mod:`rutland_jsna.data.catalogue`. This module holds only the record type and its vocabularies
so that every layer (data, report, tests) shares one definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..stats.labels import Polarity


class Chapter(StrEnum):
    OUTCOMES = "outcomes"
    SEXUAL_HEALTH = "sexual_health"
    ORAL_HEALTH = "oral_health"


class ValueType(StrEnum):
    """How the value is made; decides the CI method and the demo generator's arithmetic."""

    PROPORTION = "proportion"  # count / denominator × multiplier; Wilson score CI
    CRUDE_RATE = "crude_rate"  # count / population × multiplier; exact Poisson (<10) / Byar CI
    DSR = "dsr"  # directly standardised rate; Dobson CI
    ISR = "isr"  # indirectly standardised ratio/rate; Byar/exact on O / E
    MEAN = "mean"  # a mean (e.g. Attainment 8, dmft); t or survey CI
    LIFE_EXPECTANCY = "life_expectancy"  # years; Chiang II CI
    RATIO = "ratio"  # e.g. excess winter deaths index
    COUNT = "count"  # a count with no denominator (not compared)
    OTHER = "other"  # modelled / survey estimates with publisher's CI


class IdStatus(StrEnum):
    """How sure we are of the Fingertips indicator id (indicator_research.csv ``status``)."""

    CONFIRMED = "confirmed"
    PROBABLE = "probable"
    UNKNOWN = "unknown"  # no verified id: kept in the catalogue, shown as "no data"


class ComparisonMethod(StrEnum):
    """What the RAG column is compared with (docs/chapters.md §1.2 "Goals and benchmarks")."""

    ENGLAND = "england"  # CI of the area vs England's value (Fingertips method 1)
    GOAL = "goal"  # value vs goal thresholds (compare_to_goal)
    QUINTILES = "quintiles"  # national quintiles (Fingertips method 15)
    NONE = "none"  # Not compared


@dataclass(frozen=True)
class Indicator:
    """One row of a chapter's indicator table.

    Attributes
    ----------
    key : unique, stable slug, e.g. ``"outcomes.p1.low_birth_weight_term"``.
    chapter, section : chapter and section code (e.g. ``"P1"``, ``"CC1"``, ``"sti"``).
    section_title : the section heading as printed in the source report.
    order : position of the row within its chapter.
    name : display name (full, never truncated), e.g. ``"Low birth weight of term babies"``.
    code : Fingertips/PHOF code prefix where the source prints one (``"C04"``), else ``None``.
    fingertips_id : Fingertips indicator id, or ``None`` when no id is verified.
    id_status : confirmed / probable / unknown.
    sex, age : the Fingertips ``Sex`` and ``Age`` strings selecting the row (``"Persons"``,
        ``"All ages"``); ``sex_label``/``age_label`` are as printed in the report (``"P"``, ``"4-5 yrs"``).
    value_type, multiplier, unit : e.g. proportion, 100, ``"%"``; crude_rate, 100000, ``"per 100,000"``.
    polarity : :class:`~rutland_jsna.stats.labels.Polarity`.
    comparison_method, comparison_confidence : how the RAG column is computed, at 0.95 or 0.998.
    goal_lower, goal_upper : goal thresholds where the comparison method is ``goal``.
    period_type : ``calendar``, ``financial``, ``academic``, ``3-year`` …
    profile_id : Fingertips profile whose polarity and benchmarking the chapter reproduces.
    notes : caveats carried into the chapter's data notes.
    """

    key: str
    chapter: Chapter
    section: str
    section_title: str
    order: int
    name: str
    code: str | None
    fingertips_id: int | None
    id_status: IdStatus
    sex: str
    age: str
    sex_label: str
    age_label: str
    value_type: ValueType
    multiplier: float
    unit: str
    polarity: Polarity
    comparison_method: ComparisonMethod = ComparisonMethod.ENGLAND
    comparison_confidence: float = 0.95
    goal_lower: float | None = None
    goal_upper: float | None = None
    period_type: str = "calendar"
    profile_id: int | None = None
    notes: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def has_data_id(self) -> bool:
        """True when the row can be looked up in Fingertips data (an id, verified or probable)."""
        return self.fingertips_id is not None and self.id_status is not IdStatus.UNKNOWN

    @property
    def display_name(self) -> str:
        """``"C04 - Low birth weight of term babies"`` style (code prefix where there is one)."""
        return f"{self.code} - {self.name}" if self.code else self.name
