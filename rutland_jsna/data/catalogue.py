"""The indicator catalogue: one :class:`~rutland_jsna.data.catalogue_model.Indicator` per row
of a chapter's indicator table, parsed from CSV and validated on load.

Files (configuration is data, docs/architecture.md convention 8):

``catalogue/indicators.csv``
    One row per chapter table row: the 73 rows of the outcomes report (same order as
    ``demo/pin_tables/outcomes_report_rutland.csv``), the sexual-health indicators (Appendix 1 of the
    2015 needs assessment plus the issue-6 additions) and the oral-health indicators. Columns:

    ``key``                stable slug ``<chapter>.<section>.<name>``
    ``chapter``            ``outcomes`` / ``sexual_health`` / ``oral_health``
    ``section``            section code (``P1`` … ``CC2``; ``sti``, ``hiv`` …), see sections.csv
    ``order``              1-based position of the row within its chapter
    ``code``               PHOF code printed before the name (``C04``), else blank
    ``name``               full display name (never the report's ``..`` truncation)
    ``fingertips_id``      Fingertips indicator id; blank unless ``id_status`` is confirmed or
                           probable — ids are never invented
    ``id_status``          ``confirmed`` (a source line ties name and id), ``probable`` (strong
                           indirect evidence) or ``unknown`` (shown as "no data")
    ``evidence``           where the id comes from: repository and path, or search file id, and
                           the matched string
    ``sex``, ``age``       the Fingertips ``Sex`` / ``Age`` strings selecting the data row
    ``sex_label``, ``age_label``  as printed in the report (``P``, ``4-5 yrs``, ``71``)
    ``published_period``   period printed in the outcomes report (``2021/22``), else blank
    ``period_type``        one of :data:`PERIOD_TYPES`
    ``time_period_range``  Fingertips ``Time period range`` (``1y``, ``3y``, ``5y``)
    ``value_type``         a :class:`~rutland_jsna.data.catalogue_model.ValueType` value
    ``multiplier``, ``unit``  e.g. ``100`` and ``%``; ``100000`` and ``per 100,000``
    ``ci_method``          one of :data:`CI_METHODS`
    ``polarity``           current Fingertips polarity, a :class:`~rutland_jsna.stats.labels.Polarity`
                           value (``High is good``, ``Low is good``, ``No judgement``,
                           ``Not applicable``)
    ``appendix_name``      sexual health only: the indicator as printed in Appendix 1 (2015)
    ``appendix_polarity``  sexual health only: the polarity printed in Appendix 1 (``H``/``L``);
                           it differs from ``polarity`` for three rows (docs/chapters.md §2.3)
    ``comparison_method``  ``england`` / ``goal`` / ``quintiles`` / ``none``
    ``comparison_confidence``  0.95 or 0.998
    ``goal_lower``, ``goal_upper``  goal thresholds, only with comparison method ``goal``
    ``profile_id``         Fingertips profile (19 PHOF, 45 sexual health; oral health unresolved:
                           blank, see the row notes)
    ``source_row``         provenance of the row (published CSV row / research row)
    ``notes``              caveats carried into the chapter's data notes

``catalogue/sections.csv``
    ``chapter, section, order, heading, table_title, source``: the section headings as printed
    and, for the outcomes report, the table title printed after "<area> Joint Health and
    Wellbeing Strategy - ".

Public functions: :func:`load_catalogue`, :func:`load_sections`, :func:`chapter_indicators`,
:func:`chapter_sections`, :func:`get_indicator`, :func:`catalogue_frame`, plus the period
helpers :func:`format_period` and :func:`period_start_year` used by the demonstration data.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..stats.labels import Polarity
from .catalogue_model import Chapter, ComparisonMethod, IdStatus, Indicator, ValueType
from .errors import DataValidationError, ValidationFailure

__all__ = [
    "CATALOGUE_DIR",
    "CI_METHODS",
    "INDICATORS_CSV",
    "PERIOD_TYPES",
    "SECTIONS_CSV",
    "Section",
    "catalogue_frame",
    "chapter_indicators",
    "chapter_sections",
    "format_period",
    "get_indicator",
    "load_catalogue",
    "load_sections",
    "period_start_year",
]

CATALOGUE_DIR: Path = Path(__file__).resolve().parent / "catalogue"
INDICATORS_CSV: Path = CATALOGUE_DIR / "indicators.csv"
SECTIONS_CSV: Path = CATALOGUE_DIR / "sections.csv"

#: Period types: display format (Fingertips ``Time period``) and ``Time period range``.
#: ``{y}`` is the start year, ``{y1}``/``{y2}``/``{y4}`` the start year + 1/2/4, ``{yy}`` the
#: last two digits of a year.
PERIOD_TYPES: dict[str, tuple[str, str]] = {
    "calendar": ("{y}", "1y"),  # 2021
    "financial": ("{y}/{yy1}", "1y"),  # 2021/22 (April-March)
    "academic": ("{y}/{yy1}", "1y"),  # 2021/22 (September-August)
    "survey": ("{y}/{yy1}", "1y"),  # 2018/19, irregular survey years
    "aug_jul": ("Aug {y} - Jul {y1}", "1y"),  # Aug 2019 - Jul 2020 (winter years)
    "calendar_3y": ("{y} - {yy2}", "3y"),  # 2018 - 20
    "financial_3y": ("{y}/{yy1} - {yy2}/{yy3}", "3y"),  # 2018/19 - 20/21
    "financial_5y": ("{y}/{yy1} - {yy4}/{yy5}", "5y"),  # 2017/18 - 21/22
}

_PERIOD_PATTERNS: dict[str, re.Pattern[str]] = {
    "calendar": re.compile(r"^(\d{4})$"),
    "financial": re.compile(r"^(\d{4})/\d{2}$"),
    "academic": re.compile(r"^(\d{4})/\d{2}$"),
    "survey": re.compile(r"^(\d{4})/\d{2}$"),
    "aug_jul": re.compile(r"^Aug (\d{4}) - Jul \d{4}$"),
    "calendar_3y": re.compile(r"^(\d{4}) - \d{2}$"),
    "financial_3y": re.compile(r"^(\d{4})/\d{2} - \d{2}/\d{2}$"),
    "financial_5y": re.compile(r"^(\d{4})/\d{2} - \d{2}/\d{2}$"),
}

#: CI methods, and the value types each may be used with.
CI_METHODS: dict[str, frozenset[ValueType]] = {
    "wilson": frozenset({ValueType.PROPORTION}),
    "survey": frozenset({ValueType.PROPORTION, ValueType.OTHER}),
    "byar": frozenset({ValueType.CRUDE_RATE, ValueType.ISR}),
    "dobson": frozenset({ValueType.DSR}),
    "chiang": frozenset({ValueType.LIFE_EXPECTANCY}),
    "other": frozenset(
        {ValueType.MEAN, ValueType.RATIO, ValueType.OTHER, ValueType.LIFE_EXPECTANCY}
    ),
    "none": frozenset({ValueType.COUNT, ValueType.OTHER}),
}

#: Unit label → multiplier. Units whose multiplier is 1 carry their own scale.
_UNIT_MULTIPLIER: dict[str, float] = {
    "%": 100.0,
    "per 1,000": 1_000.0,
    "per 10,000": 10_000.0,
    "per 100,000": 100_000.0,
    "years": 1.0,
    "score": 1.0,
    "teeth": 1.0,
    "count": 1.0,
    "£": 1.0,
    "µg/m3": 1.0,
    "percentage points": 1.0,
}
#: Value types that need a rate-like unit (a percentage or "per N").
_SCALED_TYPES = frozenset(
    {ValueType.PROPORTION, ValueType.CRUDE_RATE, ValueType.DSR, ValueType.ISR}
)
_SEXES = frozenset({"Persons", "Male", "Female", "Not applicable"})
_CONFIDENCES = (0.95, 0.998)
_KEY = re.compile(r"^[a-z_]+\.[a-z0-9_]+\.[a-z0-9_]+$")
_APPENDIX_POLARITY = {"H": Polarity.HIGH_IS_GOOD, "L": Polarity.LOW_IS_GOOD}

INDICATOR_COLUMNS: tuple[str, ...] = (
    "key", "chapter", "section", "order", "code", "name", "fingertips_id", "id_status",
    "evidence", "sex", "age", "sex_label", "age_label", "published_period", "period_type",
    "time_period_range", "value_type", "multiplier", "unit", "ci_method", "polarity",
    "appendix_name", "appendix_polarity", "comparison_method", "comparison_confidence",
    "goal_lower", "goal_upper", "profile_id", "source_row", "notes",
)  # fmt: skip
SECTION_COLUMNS: tuple[str, ...] = (
    "chapter",
    "section",
    "order",
    "heading",
    "table_title",
    "source",
)
#: Columns kept in :attr:`Indicator.extra` (strings, as in the CSV).
EXTRA_COLUMNS: tuple[str, ...] = (
    "evidence", "published_period", "time_period_range", "ci_method", "appendix_name",
    "appendix_polarity", "source_row",
)  # fmt: skip


@dataclass(frozen=True)
class Section:
    """One section of a chapter (sections.csv row)."""

    chapter: Chapter
    code: str
    order: int
    heading: str
    table_title: str
    source: str


# ------------------------------------------------------------------------------------------
# Periods
# ------------------------------------------------------------------------------------------


def format_period(period_type: str, start_year: int) -> str:
    """Fingertips ``Time period`` text for a period starting in ``start_year``.

    >>> format_period("financial", 2021), format_period("calendar_3y", 2018)
    ('2021/22', '2018 - 20')
    >>> format_period("aug_jul", 2019), format_period("financial_5y", 2017)
    ('Aug 2019 - Jul 2020', '2017/18 - 21/22')
    """
    if period_type not in PERIOD_TYPES:
        raise ValueError(
            f"period_type: unknown {period_type!r}; expected one of {sorted(PERIOD_TYPES)}"
        )
    y = int(start_year)
    fmt = PERIOD_TYPES[period_type][0]
    return fmt.format(
        y=y,
        y1=y + 1,
        **{f"yy{k}": f"{(y + k) % 100:02d}" for k in range(1, 6)},
    )


def period_start_year(period_type: str, text: str) -> int:
    """Start year of a ``Time period`` text of the given type (raises ValueError if malformed)."""
    pattern = _PERIOD_PATTERNS.get(period_type)
    if pattern is None:
        raise ValueError(
            f"period_type: unknown {period_type!r}; expected one of {sorted(PERIOD_TYPES)}"
        )
    m = pattern.match(str(text))
    if not m:
        raise ValueError(
            f"period {text!r} does not match the {period_type!r} format "
            f"(e.g. {format_period(period_type, 2021)!r})"
        )
    year = int(m.group(1))
    if format_period(period_type, year) != text:
        raise ValueError(
            f"period {text!r} is not a valid {period_type!r} period "
            f"(expected {format_period(period_type, year)!r})"
        )
    return year


# ------------------------------------------------------------------------------------------
# Loading and validation
# ------------------------------------------------------------------------------------------


class _Failures:
    """Collects failures keyed by (column, rule) so one message lists every offending row."""

    def __init__(self, file: str):
        self.file = file
        self._rows: dict[tuple[str, str], list[int]] = {}
        self._examples: dict[tuple[str, str], list[str]] = {}

    def add(
        self, column: str, rule: str, row: int | None = None, example: str | None = None
    ) -> None:
        k = (column, rule)
        self._rows.setdefault(k, [])
        self._examples.setdefault(k, [])
        if row is not None:
            self._rows[k].append(row)
        if example is not None and len(self._examples[k]) < 3:
            self._examples[k].append(repr(example))

    def raise_if_any(self, source: str) -> None:
        if not self._rows:
            return
        failures = [
            ValidationFailure(
                column=col,
                rule=rule,
                rows=tuple(self._rows[(col, rule)]),
                file=self.file,
                examples=tuple(self._examples[(col, rule)]),
            )  # fmt: skip
            for (col, rule) in self._rows
        ]
        raise DataValidationError(failures, source=source)


def _read_csv(path: Path, required: Sequence[str], failures: _Failures) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        for c in missing:
            failures.add(c, "required column is missing from the header")
        rows = [{k: (v or "").strip() for k, v in r.items() if k is not None} for r in reader]
    return rows


def _enum(failures: _Failures, enum, value: str, column: str, row: int):
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in enum)
        failures.add(column, f"must be one of {allowed}", row, value)
        return None


def _float(failures: _Failures, value: str, column: str, row: int, rule: str) -> float | None:
    try:
        out = float(value)
    except ValueError:
        failures.add(column, rule, row, value)
        return None
    if out != out:  # NaN
        failures.add(column, rule, row, value)
        return None
    return out


def _int(failures: _Failures, value: str, column: str, row: int, rule: str) -> int | None:
    if not re.fullmatch(r"[0-9]+", value) or int(value) <= 0:
        failures.add(column, rule, row, value)
        return None
    return int(value)


def load_sections(path: str | Path | None = None) -> tuple[Section, ...]:
    """Parse and validate ``sections.csv``.

    Raises
    ------
    DataValidationError
        Naming the file, the 1-based spreadsheet rows and the column of every broken rule
        (unknown chapter, duplicate chapter/section, non-integer or duplicate order, blank heading).
    """
    path = Path(path) if path is not None else SECTIONS_CSV
    failures = _Failures(str(path))
    rows = _read_csv(path, SECTION_COLUMNS, failures)
    failures.raise_if_any("sections")
    out: list[Section] = []
    seen: set[tuple[str, str]] = set()
    orders: set[tuple[str, int]] = set()
    for i, r in enumerate(rows, start=2):
        chapter = _enum(failures, Chapter, r["chapter"], "chapter", i)
        order = _int(failures, r["order"], "order", i, "must be a positive integer")
        if not r["section"]:
            failures.add("section", "must not be blank", i)
        if not r["heading"]:
            failures.add("heading", "must not be blank", i)
        if (r["chapter"], r["section"]) in seen:
            failures.add("section", "duplicate (chapter, section)", i, r["section"])
        seen.add((r["chapter"], r["section"]))
        if order is not None:
            if (r["chapter"], order) in orders:
                failures.add("order", "duplicate order within the chapter", i, r["order"])
            orders.add((r["chapter"], order))
        if chapter is not None and order is not None:
            out.append(
                Section(chapter, r["section"], order, r["heading"], r["table_title"], r["source"])
            )
    failures.raise_if_any("sections")
    return tuple(sorted(out, key=lambda s: (list(Chapter).index(s.chapter), s.order)))


def _parse_indicators(
    rows: list[dict[str, str]], sections: Iterable[Section], failures: _Failures
) -> list[Indicator]:
    section_map = {(s.chapter.value, s.code): s for s in sections}
    out: list[Indicator] = []
    keys: dict[str, int] = {}
    orders: dict[tuple[str, int], int] = {}
    series: dict[tuple[str, str, str, str, str], int] = {}
    for i, r in enumerate(rows, start=2):
        f = failures
        chapter = _enum(f, Chapter, r["chapter"], "chapter", i)
        # key
        key = r["key"]
        if not _KEY.match(key):
            f.add(
                "key", "must look like '<chapter>.<section>.<name>' (lower case, digits, _)", i, key
            )
        elif chapter is not None and (
            key.split(".")[0] != chapter.value or key.split(".")[1] != r["section"].lower()
        ):
            f.add("key", "must start with '<chapter>.<section lower case>.'", i, key)
        if key in keys:
            f.add("key", f"duplicate key (first on row {keys[key]})", i, key)
        keys.setdefault(key, i)
        # section and order
        section = section_map.get((r["chapter"], r["section"]))
        if chapter is not None and section is None:
            f.add("section", "not a section of this chapter in sections.csv", i, r["section"])
        order = _int(f, r["order"], "order", i, "must be a positive integer")
        if order is not None and chapter is not None:
            if (chapter.value, order) in orders:
                f.add("order", "duplicate order within the chapter", i, r["order"])
            orders.setdefault((chapter.value, order), i)
        if not r["name"]:
            f.add("name", "must not be blank", i)
        if r["name"].endswith(".."):
            f.add("name", "must be the full name, not a '..' truncation", i, r["name"])
        # id and evidence
        status = _enum(f, IdStatus, r["id_status"], "id_status", i)
        fid: int | None = None
        if r["fingertips_id"]:
            fid = _int(f, r["fingertips_id"], "fingertips_id", i, "must be a positive integer id")
        if status is IdStatus.UNKNOWN and r["fingertips_id"]:
            f.add(
                "fingertips_id",
                "must be blank when id_status is 'unknown' (ids are never guessed)",
                i,
            )
        if status in (IdStatus.CONFIRMED, IdStatus.PROBABLE) and not r["fingertips_id"]:
            f.add("fingertips_id", "is required when id_status is confirmed or probable", i)
        if r["fingertips_id"] and not r["evidence"]:
            f.add(
                "evidence",
                "is required for every id (repository/path or file id and the matched string)",
                i,
            )
        # sex / age
        if r["sex"] not in _SEXES:
            f.add("sex", f"must be one of {sorted(_SEXES)}", i, r["sex"])
        for col in ("age", "sex_label", "age_label"):
            if not r[col]:
                f.add(col, "must not be blank", i)
        # value type, multiplier, unit
        vt = _enum(f, ValueType, r["value_type"], "value_type", i)
        mult = _float(f, r["multiplier"], "multiplier", i, "must be a positive number")
        if mult is not None and mult <= 0:
            f.add("multiplier", "must be a positive number", i, r["multiplier"])
        unit = r["unit"]
        if unit not in _UNIT_MULTIPLIER:
            f.add("unit", f"must be one of {sorted(_UNIT_MULTIPLIER)}", i, unit)
        elif mult is not None and _UNIT_MULTIPLIER[unit] != mult:
            f.add(
                "multiplier",
                f"is inconsistent with the unit (expected {_UNIT_MULTIPLIER[unit]:g} for {unit!r})",
                i,
                r["multiplier"],
            )
        if vt in _SCALED_TYPES and unit in _UNIT_MULTIPLIER and _UNIT_MULTIPLIER[unit] == 1.0:
            f.add("unit", f"value type {vt.value!r} needs '%' or a 'per N' unit", i, unit)
        if vt is ValueType.LIFE_EXPECTANCY and unit != "years":
            f.add("unit", "life expectancy must be in 'years'", i, unit)
        # CI method
        ci = r["ci_method"]
        if ci not in CI_METHODS:
            f.add("ci_method", f"must be one of {sorted(CI_METHODS)}", i, ci)
        elif vt is not None and vt not in CI_METHODS[ci]:
            f.add("ci_method", f"{ci!r} does not apply to value type {vt.value!r}", i, ci)
        # polarity and the 2015 appendix polarity
        polarity = _enum(f, Polarity, r["polarity"], "polarity", i)
        if r["appendix_polarity"]:
            if r["appendix_polarity"] not in _APPENDIX_POLARITY:
                f.add("appendix_polarity", "must be 'H', 'L' or blank", i, r["appendix_polarity"])
            if chapter is not Chapter.SEXUAL_HEALTH:
                f.add("appendix_polarity", "only sexual-health rows carry an appendix polarity", i)
            if not r["appendix_name"]:
                f.add("appendix_name", "is required with an appendix polarity", i)
        elif r["appendix_name"]:
            f.add("appendix_polarity", "is required with an appendix name", i)
        # comparison, confidence and goals
        method = _enum(f, ComparisonMethod, r["comparison_method"], "comparison_method", i)
        conf = _float(
            f, r["comparison_confidence"], "comparison_confidence", i, "must be 0.95 or 0.998"
        )
        if conf is not None and conf not in _CONFIDENCES:
            hint = " (give it as a fraction)" if conf in (95.0, 99.8) else ""
            f.add(
                "comparison_confidence",
                f"must be 0.95 or 0.998{hint}",
                i,
                r["comparison_confidence"],
            )
        goal_lower = goal_upper = None
        if r["goal_lower"]:
            goal_lower = _float(f, r["goal_lower"], "goal_lower", i, "must be a number")
        if r["goal_upper"]:
            goal_upper = _float(f, r["goal_upper"], "goal_upper", i, "must be a number")
        if method is not ComparisonMethod.GOAL and (r["goal_lower"] or r["goal_upper"]):
            f.add("goal_lower", "goals are only allowed with comparison_method 'goal'", i)
        if method is ComparisonMethod.GOAL and not r["goal_lower"]:
            f.add("goal_lower", "is required with comparison_method 'goal'", i)
        if goal_lower is not None and goal_upper is not None and goal_lower > goal_upper:
            f.add("goal_upper", "must be >= goal_lower", i, r["goal_upper"])
        if method is ComparisonMethod.GOAL and polarity is not None and not polarity.is_rag:
            f.add(
                "polarity",
                "a goal needs a RAG polarity (High is good or Low is good)",
                i,
                r["polarity"],
            )
        # periods
        ptype = r["period_type"]
        if ptype not in PERIOD_TYPES:
            f.add("period_type", f"must be one of {sorted(PERIOD_TYPES)}", i, ptype)
        else:
            if r["time_period_range"] != PERIOD_TYPES[ptype][1]:
                f.add(
                    "time_period_range",
                    f"must be {PERIOD_TYPES[ptype][1]!r} for period type {ptype!r}",
                    i,
                    r["time_period_range"],
                )
            if r["published_period"]:
                try:
                    period_start_year(ptype, r["published_period"])
                except ValueError:
                    f.add(
                        "published_period",
                        f"does not match the {ptype!r} format",
                        i,
                        r["published_period"],
                    )
        profile_id = None
        if r["profile_id"]:
            profile_id = _int(
                f, r["profile_id"], "profile_id", i, "must be a positive integer or blank"
            )
        # one row per data series within a section
        if fid is not None and chapter is not None:
            sk = (chapter.value, r["section"], str(fid), r["sex"], r["age"])
            if sk in series:
                f.add(
                    "fingertips_id",
                    f"same id, sex and age twice in one section (first on row {series[sk]})",
                    i,
                )
            series.setdefault(sk, i)
        if None in (chapter, status, vt, mult, polarity, method, conf, order) or section is None:
            continue
        if ci not in CI_METHODS or unit not in _UNIT_MULTIPLIER or ptype not in PERIOD_TYPES:
            continue
        out.append(
            Indicator(
                key=key,
                chapter=chapter,
                section=r["section"],
                section_title=section.heading,
                order=order,
                name=r["name"],
                code=r["code"] or None,
                fingertips_id=fid if status is not IdStatus.UNKNOWN else None,
                id_status=status,
                sex=r["sex"],
                age=r["age"],
                sex_label=r["sex_label"],
                age_label=r["age_label"],
                value_type=vt,
                multiplier=mult,
                unit=unit,
                polarity=polarity,
                comparison_method=method,
                comparison_confidence=conf,
                goal_lower=goal_lower,
                goal_upper=goal_upper,
                period_type=ptype,
                profile_id=profile_id,
                notes=r["notes"],
                extra={c: r[c] for c in EXTRA_COLUMNS},
            )
        )
    return out


def load_catalogue(
    path: str | Path | None = None, sections_path: str | Path | None = None
) -> tuple[Indicator, ...]:
    """Parse ``indicators.csv`` into frozen :class:`Indicator` records, validating every row.

    Parameters
    ----------
    path, sections_path : path-like, optional
        The indicator and section CSVs; default the bundled ``catalogue/indicators.csv`` and
        ``catalogue/sections.csv`` (the default catalogue is parsed once and cached).

    Returns
    -------
    tuple of Indicator
        In chapter order (outcomes, sexual health, oral health), then ``order``.

    Raises
    ------
    DataValidationError
        Listing every broken rule with the file, the 1-based spreadsheet rows (header = row 1)
        and the column: missing columns; duplicate keys or orders; unknown chapter, section,
        value type, polarity, comparison method, CI method, period type, sex or unit; a
        multiplier inconsistent with its unit; a confidence other than 0.95/0.998; goals
        without the goal method (or the goal method without a goal); an id that is not a
        positive integer, an id on an ``unknown`` row, a confirmed/probable row without an id
        or an id without evidence; an appendix polarity outside sexual health; a published
        period that does not match its period type.
    """
    if path is None and sections_path is None:
        return _default_catalogue()
    return _load(Path(path) if path else INDICATORS_CSV, sections_path)


def _load(path: Path, sections_path: str | Path | None) -> tuple[Indicator, ...]:
    sections = load_sections(sections_path)
    failures = _Failures(str(path))
    rows = _read_csv(path, INDICATOR_COLUMNS, failures)
    failures.raise_if_any("indicator catalogue")
    indicators = _parse_indicators(rows, sections, failures)
    failures.raise_if_any("indicator catalogue")
    chapters = list(Chapter)
    return tuple(sorted(indicators, key=lambda ind: (chapters.index(ind.chapter), ind.order)))


@lru_cache(maxsize=1)
def _default_catalogue() -> tuple[Indicator, ...]:
    return _load(INDICATORS_CSV, None)


def chapter_indicators(
    chapter: Chapter | str, *, with_id_only: bool = False
) -> tuple[Indicator, ...]:
    """The catalogue rows of one chapter, in table order.

    ``with_id_only=True`` keeps the rows that can be looked up in Fingertips data (an id with
    status confirmed or probable).
    """
    chapter = Chapter(chapter)
    rows = tuple(i for i in load_catalogue() if i.chapter is chapter)
    return tuple(i for i in rows if i.has_data_id) if with_id_only else rows


def chapter_sections(chapter: Chapter | str) -> tuple[Section, ...]:
    """The sections of one chapter, in order."""
    chapter = Chapter(chapter)
    return tuple(s for s in load_sections() if s.chapter is chapter)


def get_indicator(key: str) -> Indicator:
    """The catalogue row with this key (KeyError naming close matches if absent)."""
    for ind in load_catalogue():
        if ind.key == key:
            return ind
    close = [i.key for i in load_catalogue() if key.split(".")[-1][:6] in i.key][:5]
    raise KeyError(
        f"no catalogue indicator with key {key!r}" + (f"; did you mean {close}?" if close else "")
    )


def catalogue_frame(indicators: Iterable[Indicator] | None = None) -> pd.DataFrame:
    """The catalogue as a DataFrame: one row per indicator, the dataclass fields as columns
    (enums as their string values) followed by the ``extra`` columns and ``display_name``,
    ``has_data_id``."""
    inds = tuple(load_catalogue() if indicators is None else indicators)
    names = [f.name for f in fields(Indicator) if f.name != "extra"]
    records = []
    for ind in inds:
        rec = {}
        for n in names:
            v = getattr(ind, n)
            rec[n] = v.value if hasattr(v, "value") else v
        rec.update({c: ind.extra.get(c, "") for c in EXTRA_COLUMNS})
        rec["display_name"] = ind.display_name
        rec["has_data_id"] = ind.has_data_id
        records.append(rec)
    frame = pd.DataFrame.from_records(
        records, columns=[*names, *EXTRA_COLUMNS, "display_name", "has_data_id"]
    )
    frame["fingertips_id"] = frame["fingertips_id"].astype("Int64")
    frame["profile_id"] = frame["profile_id"].astype("Int64")
    return frame
