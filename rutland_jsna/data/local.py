"""Analysts' local extracts: CSV/XLSX templates and a validating loader.

Some chapter figures are not on Fingertips (NHS dental activity, clinic data). Analysts put
their own extracts under ``data/raw/local/`` in a fixed layout, one layout per *kind*, and
:func:`load_local_extract` checks every cell before anything uses them. A broken rule raises
:class:`~rutland_jsna.data.errors.DataValidationError` naming the file, the spreadsheet rows
(header = row 1), the column and the rule, for every failure at once (pandera ``lazy=True``).

Kinds (see ``docs/local_extracts.md`` for the analyst's guide):

``dental_access``
    Unique patients seen within an explicitly stated window, per area and age group:
    ``area_code, area_name, age_group, window_start, window_end, patients_seen, population,
    source``. Derived: ``access_rate_pct`` = patients_seen / population × 100 and
    ``window_label`` (e.g. "January to June 2022").
``uda_delivery``
    Units of dental activity delivered per month against the annual contract, per contract or
    geography: ``geography_id, geography_name, month, contracted_udas_annual,
    udas_delivered_month``. Derived: ``pct_delivered_annualised`` = udas_delivered_month × 12 /
    contracted_udas_annual × 100 — the month's delivery scaled up to 12 months as a percentage
    of the annual contract (docs/chapters.md §3.4).

A new kind is one :class:`ExtractSpec` (columns as :class:`ColumnSpec`, key, row rules, derived
columns) passed to :func:`register_extract_kind`; the loader, the templates
(:func:`write_template`) and the messages follow from it.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..config import raw_dir
from .errors import DataValidationError, ValidationFailure

__all__ = [
    "DENTAL_ACCESS",
    "EXTRACT_KINDS",
    "GSS_CODE_PATTERN",
    "MONTHS_PER_YEAR",
    "TEMPLATES_DIR",
    "ColumnSpec",
    "DerivedColumn",
    "ExtractSpec",
    "RowRule",
    "UDA_DELIVERY",
    "describe_kinds",
    "extract_spec",
    "find_local_extract",
    "load_local_extract",
    "register_extract_kind",
    "template_path",
    "validate_local_extract",
    "window_label",
    "write_template",
]

#: Folder of the bundled CSV templates (header rows).
TEMPLATES_DIR: Path = Path(__file__).resolve().with_name("templates")

ColumnKind = Literal["text", "int", "number", "date", "month"]
_KIND_WORDS: dict[str, str] = {
    "text": "text",
    "int": "whole number",
    "number": "number",
    "date": "date (YYYY-MM-DD)",
    "month": "month (YYYY-MM)",
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-(?:0[1-9]|1[0-2])$")
_INT_TEXT = re.compile(r"^[+-]?\d+(?:\.0*)?$")
_NUM_TEXT = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
#: ONS GSS code: a country letter and 8 digits (E06000017, E54000015, …).
GSS_CODE_PATTERN = r"^[EWSNK]\d{8}$"


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an extract layout.

    Attributes
    ----------
    name : str
        Exact header text.
    kind : {"text", "int", "number", "date", "month"}
        Cell type: text; whole number; number; ISO date ``YYYY-MM-DD`` (or an Excel date
        cell); month ``YYYY-MM`` (or an Excel date cell on the 1st).
    description : str
        What the column holds (shown in templates and docs).
    required : bool
        Whether a cell may be blank (the column itself must always be present).
    allowed : tuple of str, optional
        The only values allowed (exact match).
    minimum : float, optional
        Lowest allowed value (``> minimum`` when ``minimum_inclusive`` is False).
    pattern : str, optional
        Regular expression a text value must match, with ``pattern_words`` to explain it.
    example : str
        An example cell value.
    """

    name: str
    kind: ColumnKind
    description: str
    required: bool = True
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    minimum_inclusive: bool = True
    pattern: str | None = None
    pattern_words: str = ""
    example: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _KIND_WORDS:
            raise ValueError(
                f"ColumnSpec {self.name!r}: kind must be one of {', '.join(_KIND_WORDS)}"
            )

    def checks(self) -> list[pa.Check]:
        out: list[pa.Check] = []
        if self.allowed is not None:
            shown = ", ".join(repr(v) for v in self.allowed)
            out.append(pa.Check.isin(list(self.allowed), error=f"must be one of {shown}"))
        if self.minimum is not None:
            m = self.minimum
            shown = int(m) if float(m).is_integer() else m
            if self.minimum_inclusive:
                out.append(pa.Check.ge(m, error=f"must be >= {shown}"))
            else:
                out.append(pa.Check.gt(m, error=f"must be > {shown}"))
        if self.pattern is not None:
            out.append(
                pa.Check.str_matches(
                    self.pattern, error=f"must be {self.pattern_words or self.pattern}"
                )
            )
        return out

    def describe_type(self) -> str:
        words = _KIND_WORDS[self.kind]
        if self.allowed:
            words += "; one of " + ", ".join(f'"{v}"' for v in self.allowed)
        if self.minimum is not None:
            m = int(self.minimum) if float(self.minimum).is_integer() else self.minimum
            words += f"; {'>=' if self.minimum_inclusive else '>'} {m}"
        if self.pattern_words:
            words += f"; {self.pattern_words}"
        return words


@dataclass(frozen=True)
class RowRule:
    """A rule across columns of one row; ``check(df)`` is True where a row is fine.

    ``check`` receives the typed frame and must return True for rows with missing inputs
    (those are reported by the column rules).
    """

    name: str
    columns: tuple[str, ...]
    rule: str
    check: Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class DerivedColumn:
    """A column computed from a valid extract."""

    name: str
    description: str
    compute: Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class ExtractSpec:
    """The layout of one kind of local extract.

    Attributes
    ----------
    kind : str
        Identifier passed to :func:`load_local_extract` (lower case, ``_``).
    title, description : str
        For templates and docs.
    columns : tuple of ColumnSpec
        Every column, in template order. Other columns are rejected.
    key : tuple of str
        Columns whose combination must be unique.
    row_rules : tuple of RowRule
    derived : tuple of DerivedColumn
        Appended, in order, to the loaded frame.
    """

    kind: str
    title: str
    description: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]
    row_rules: tuple[RowRule, ...] = ()
    derived: tuple[DerivedColumn, ...] = field(default=())

    def __post_init__(self) -> None:
        if not re.match(r"^[a-z][a-z0-9_]*$", self.kind):
            raise ValueError(
                f"ExtractSpec: kind {self.kind!r} must be lower case letters, digits and _"
            )
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"ExtractSpec {self.kind}: column names must be unique")
        for k in self.key:
            if k not in names:
                raise ValueError(f"ExtractSpec {self.kind}: key column {k!r} is not a column")
        for r in self.row_rules:
            for c in r.columns:
                if c not in names:
                    raise ValueError(
                        f"ExtractSpec {self.kind}: rule {r.name!r} uses unknown column {c!r}"
                    )
        clash = {d.name for d in self.derived} & set(names)
        if clash:
            raise ValueError(
                f"ExtractSpec {self.kind}: derived column(s) {sorted(clash)} clash with columns"
            )

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def output_columns(self) -> tuple[str, ...]:
        return (*self.column_names, *(d.name for d in self.derived))


# --------------------------------------------------------------------------------------------
# The two kinds
# --------------------------------------------------------------------------------------------


def _month_start_end(start: pd.Timestamp, end: pd.Timestamp) -> bool:
    return start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]


def window_label(start: date | pd.Timestamp, end: date | pd.Timestamp) -> str:
    """Plain-English name of a window: "January to June 2022", "April 2021 to March 2022".

    Whole calendar months are named by month; other windows by day ("3 January 2022 to
    30 June 2022").

    Examples
    --------
    >>> window_label(date(2022, 1, 1), date(2022, 6, 30))
    'January to June 2022'
    >>> window_label(date(2021, 4, 1), date(2022, 3, 31))
    'April 2021 to March 2022'
    >>> window_label(date(2022, 6, 1), date(2022, 6, 30))
    'June 2022'
    >>> window_label(date(2022, 1, 3), date(2022, 6, 30))
    '3 January 2022 to 30 June 2022'
    """
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    if _month_start_end(s, e):
        if (s.year, s.month) == (e.year, e.month):
            return f"{s:%B} {s.year}"
        if s.year == e.year:
            return f"{s:%B} to {e:%B} {e.year}"
        return f"{s:%B} {s.year} to {e:%B} {e.year}"
    return f"{s.day} {s:%B} {s.year} to {e.day} {e:%B} {e.year}"


def _le_cols(a: str, b: str) -> Callable[[pd.DataFrame], pd.Series]:
    def check(df: pd.DataFrame) -> pd.Series:
        return ~(df[a] > df[b])

    return check


DENTAL_ACCESS = ExtractSpec(
    kind="dental_access",
    title="Dental access: unique patients seen in a stated window",
    description=(
        "Unique patients seen by NHS dental services within the window from window_start to "
        "window_end (both inclusive), by area and age group, with the population they are "
        "divided by. State the window explicitly (e.g. 2022-01-01 to 2022-06-30 for "
        "January to June 2022): the chapter names it beside every figure and never mixes "
        "windows (docs/chapters.md §3.2)."
    ),
    columns=(
        ColumnSpec(
            "area_code",
            "text",
            "ONS code of the area (E06000017 Rutland, E92000001 England, E54… ICB)",
            pattern=GSS_CODE_PATTERN,
            pattern_words="an ONS code: a letter and 8 digits, e.g. E06000017",
            example="E06000017",
        ),
        ColumnSpec("area_name", "text", "Name of the area", example="Rutland"),
        ColumnSpec(
            "age_group",
            "text",
            "Age group of patients and population",
            allowed=("0-17", "18+", "All ages"),
            example="All ages",
        ),
        ColumnSpec(
            "window_start", "date", "First day of the window (inclusive)", example="2022-01-01"
        ),
        ColumnSpec(
            "window_end", "date", "Last day of the window (inclusive)", example="2022-06-30"
        ),
        ColumnSpec(
            "patients_seen", "int", "Unique patients seen in the window", minimum=0, example="8412"
        ),
        ColumnSpec(
            "population",
            "int",
            "Resident population of the area and age group",
            minimum=0,
            minimum_inclusive=False,
            example="41049",
        ),
        ColumnSpec(
            "source",
            "text",
            "Where the figures come from (publication, table, date extracted)",
            example="NHS England dental activity extract, 2022-09-12",
        ),
    ),
    key=("area_code", "age_group", "window_start", "window_end"),
    row_rules=(
        RowRule(
            "window_order",
            ("window_start", "window_end"),
            "window_end must not be before window_start",
            _le_cols("window_start", "window_end"),
        ),
        RowRule(
            "seen_le_population",
            ("patients_seen", "population"),
            "patients_seen must not exceed population",
            _le_cols("patients_seen", "population"),
        ),
    ),
    derived=(
        DerivedColumn(
            "access_rate_pct",
            "patients_seen / population × 100",
            lambda df: df["patients_seen"] / df["population"] * 100.0,
        ),
        DerivedColumn(
            "window_label",
            'the window in words, e.g. "January to June 2022"',
            lambda df: pd.Series(
                [
                    window_label(s, e)
                    for s, e in zip(df["window_start"], df["window_end"], strict=True)
                ],
                index=df.index,
                dtype="str",
            ),
        ),
    ),
)

#: Months in a year: the factor that scales one month's delivery up to a year.
MONTHS_PER_YEAR = 12

UDA_DELIVERY = ExtractSpec(
    kind="uda_delivery",
    title="UDA delivery: units of dental activity delivered per month",
    description=(
        "Units of dental activity (UDAs) delivered in each month against the contracted "
        "annual UDAs, per contract or geography (e.g. all GDS/PDS/PDS+ contracts in LLR). "
        "The chapter plots pct_delivered_annualised against the delivery thresholds in force "
        "(docs/chapters.md §3.4)."
    ),
    columns=(
        ColumnSpec(
            "geography_id",
            "text",
            "Contract number or geography code (e.g. an ICB code)",
            example="E54000015",
        ),
        ColumnSpec(
            "geography_name", "text", "Contract or geography name", example="LLR (141 contracts)"
        ),
        ColumnSpec("month", "month", "Calendar month of delivery", example="2022-04"),
        ColumnSpec(
            "contracted_udas_annual",
            "number",
            "UDAs contracted for the year (usual annual contract)",
            minimum=0,
            minimum_inclusive=False,
            example="350000",
        ),
        ColumnSpec(
            "udas_delivered_month",
            "number",
            "UDAs delivered (scheduled) in the month",
            minimum=0,
            example="26500",
        ),
    ),
    key=("geography_id", "month"),
    derived=(
        DerivedColumn(
            "pct_delivered_annualised",
            "udas_delivered_month × 12 / contracted_udas_annual × 100 "
            "(the month's delivery scaled up to 12 months, as % of the annual contract)",
            lambda df: (
                df["udas_delivered_month"] * MONTHS_PER_YEAR / df["contracted_udas_annual"] * 100.0
            ),
        ),
    ),
)

#: Registered extract kinds, by name.
EXTRACT_KINDS: dict[str, ExtractSpec] = {}


def register_extract_kind(spec: ExtractSpec, *, replace: bool = False) -> ExtractSpec:
    """Add a kind of local extract (``replace=True`` to redefine an existing one)."""
    if not isinstance(spec, ExtractSpec):
        raise TypeError(f"spec: expected an ExtractSpec, got {type(spec).__name__}")
    if spec.kind in EXTRACT_KINDS and not replace:
        raise ValueError(f"extract kind {spec.kind!r} is already registered (pass replace=True)")
    EXTRACT_KINDS[spec.kind] = spec
    return spec


register_extract_kind(DENTAL_ACCESS)
register_extract_kind(UDA_DELIVERY)


def extract_spec(kind: str) -> ExtractSpec:
    """The :class:`ExtractSpec` of a registered kind; unknown kinds list the known ones."""
    if kind in EXTRACT_KINDS:
        return EXTRACT_KINDS[kind]
    close = difflib.get_close_matches(str(kind), list(EXTRACT_KINDS), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ValueError(
        f"kind: unknown local extract kind {kind!r} (known: {', '.join(sorted(EXTRACT_KINDS))}){hint}"
    )


# --------------------------------------------------------------------------------------------
# Cell parsing
# --------------------------------------------------------------------------------------------


def _blank(v: Any) -> bool:
    if v is None or v is pd.NaT:
        return True
    if isinstance(v, float) and np.isnan(v):
        return True
    return isinstance(v, str) and v.strip() == ""


_BAD = object()


def _parse(v: Any, kind: str) -> Any:
    """Parse one non-blank cell; return ``_BAD`` when it is not of the kind."""
    if kind == "text":
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, datetime):
            return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat()
        return str(v).strip()
    if kind in ("int", "number"):
        if isinstance(v, bool):
            return _BAD
        if isinstance(v, int | np.integer):
            return float(v)
        if isinstance(v, float | np.floating):
            x = float(v)
        elif isinstance(v, str):
            t = v.strip()
            if not (_INT_TEXT if kind == "int" else _NUM_TEXT).match(t):
                return _BAD
            x = float(t)
        else:
            return _BAD
        if not np.isfinite(x) or (kind == "int" and not x.is_integer()):
            return _BAD
        return x
    if kind == "date":
        if isinstance(v, datetime | pd.Timestamp):
            return pd.Timestamp(v) if pd.Timestamp(v) == pd.Timestamp(v).normalize() else _BAD
        if isinstance(v, date):
            return pd.Timestamp(v)
        t = str(v).strip()
        if not _ISO_DATE.match(t):
            return _BAD
        try:
            return pd.Timestamp(date.fromisoformat(t))
        except ValueError:
            return _BAD
    if kind == "month":
        if isinstance(v, datetime | pd.Timestamp | date):
            ts = pd.Timestamp(v)
            return f"{ts.year:04d}-{ts.month:02d}" if ts == ts.normalize() and ts.day == 1 else _BAD
        t = str(v).strip()
        return t if _MONTH.match(t) else _BAD
    raise AssertionError(kind)  # pragma: no cover


_DTYPES = {
    "text": "str",
    "int": "int64",
    "number": "float64",
    "date": "datetime64[ns]",
    "month": "str",
}


def _convert(
    raw: pd.DataFrame, spec: ExtractSpec, row_numbers: np.ndarray, source: str
) -> tuple[pd.DataFrame, list[ValidationFailure], dict[str, set[int]]]:
    typed = pd.DataFrame(index=raw.index)
    failures: list[ValidationFailure] = []
    bad_cells: dict[str, set[int]] = {}
    for col in spec.columns:
        values, bad_pos, examples = [], [], []
        for pos, v in enumerate(raw[col.name].tolist()):
            if _blank(v):
                values.append(None)
                continue
            parsed = _parse(v, col.kind)
            if parsed is _BAD:
                values.append(None)
                bad_pos.append(pos)
                examples.append(repr(v.strip() if isinstance(v, str) else v))
            else:
                values.append(parsed)
        if col.kind in ("int", "number"):
            s = pd.Series(
                [np.nan if x is None else x for x in values], index=raw.index, dtype="float64"
            )
        elif col.kind == "date":
            s = pd.Series(
                pd.to_datetime([pd.NaT if x is None else x for x in values]), index=raw.index
            )
            s = s.astype("datetime64[ns]")
        else:
            s = pd.Series(values, index=raw.index, dtype="object").astype("str")
        typed[col.name] = s
        if bad_pos:
            bad_cells[col.name] = set(bad_pos)
            extra = {
                "int": " (no decimals, thousands separators or units)",
                "number": " (no thousands separators or units)",
                "date": " (or an Excel date cell)",
                "month": " (or an Excel date cell on the 1st of the month)",
            }.get(col.kind, "")
            failures.append(
                ValidationFailure(
                    column=col.name,
                    rule=f"must be a {_KIND_WORDS[col.kind]}{extra}",
                    rows=tuple(int(row_numbers[p]) for p in bad_pos),
                    file=source,
                    examples=tuple(examples[:3]),
                )
            )
    return typed, failures, bad_cells


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _schema(spec: ExtractSpec) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {c.name: pa.Column(None, checks=c.checks(), nullable=not c.required) for c in spec.columns},
        checks=[pa.Check(r.check, name=r.name, error=r.name) for r in spec.row_rules],
        name=f"local extract {spec.kind}",
    )


def _show(v: Any) -> str:
    if _blank(v):
        return "blank"
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return repr(v)


def _validate_rows(
    typed: pd.DataFrame,
    spec: ExtractSpec,
    row_numbers: np.ndarray,
    source: str,
    skip: dict[str, set[int]],
) -> list[ValidationFailure]:
    failures: list[ValidationFailure] = []
    rules = {r.name: r for r in spec.row_rules}

    def rows(idx: Sequence[Any]) -> tuple[int, ...]:
        pos = sorted({int(i) for i in idx if i is not None and not pd.isna(i)})
        return tuple(int(row_numbers[p]) for p in pos)

    try:
        _schema(spec).validate(typed, lazy=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        for (check, column), grp in fc.groupby(["check", "column"], sort=False, dropna=False):
            check = str(check)
            if check in rules:
                continue
            idx = grp["index"].tolist()
            column = str(column)
            if check == "not_nullable":
                idx = [i for i in idx if int(i) not in skip.get(column, set())]
                if not idx:
                    continue
                failures.append(ValidationFailure(column, "must not be blank", rows(idx), source))
                continue
            examples = tuple(_show(v) for v in grp["failure_case"].tolist()[:3])
            failures.append(ValidationFailure(column, check, rows(idx), source, examples))
        for check, grp in fc[fc["check"].isin(list(rules))].groupby("check", sort=False):
            rule = rules[str(check)]
            idx = sorted(
                {int(i) for i in grp["index"].tolist() if i is not None and not pd.isna(i)}
            )
            examples = tuple(
                f"row {int(row_numbers[p])}: "
                + ", ".join(f"{c}={_show(typed[c].iloc[p])}" for c in rule.columns)
                for p in idx[:3]
            )
            failures.append(
                ValidationFailure(", ".join(rule.columns), rule.rule, rows(idx), source, examples)
            )

    key = list(spec.key)
    if key:
        complete = typed[key].notna().all(axis=1)
        dup = typed[key].duplicated(keep=False) & complete
        if dup.any():
            groups: dict[tuple, list[int]] = {}
            for pos in np.flatnonzero(dup.to_numpy()):
                values = tuple(typed[c].iloc[pos] for c in key)
                groups.setdefault(values, []).append(int(pos))
            for values, pos in groups.items():
                shown = ", ".join(f"{c}={_show(v)}" for c, v in zip(key, values, strict=True))
                failures.append(
                    ValidationFailure(
                        ", ".join(key),
                        f"duplicate key ({shown}) appears {len(pos)} times; each must appear once",
                        rows(pos),
                        source,
                    )
                )
    return failures


def _sorted(failures: list[ValidationFailure], spec: ExtractSpec) -> list[ValidationFailure]:
    """Failures by first row, then by column order."""
    order = {c: i for i, c in enumerate(spec.column_names)}
    return sorted(
        failures, key=lambda f: (f.rows[:1] or (0,), order.get(f.column.split(", ")[0], 99))
    )


def _read_raw(path: Path, sheet: str | int) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            encoding="utf-8-sig",
        )
    if suffix in (".xlsx", ".xlsm"):
        try:
            return pd.read_excel(path, sheet_name=sheet, dtype=object, engine="openpyxl")
        except ValueError as exc:
            raise ValueError(f"{path.name}: cannot read sheet {sheet!r} ({exc})") from exc
    raise ValueError(
        f"{path.name}: local extracts must be .csv or .xlsx files, not {suffix or 'no extension'!r} "
        "(save .xls files as .xlsx)"
    )


def find_local_extract(kind: str, folder: str | Path | None = None) -> Path | None:
    """The analyst's extract of ``kind`` in ``folder`` (default ``data/raw/local``), if any.

    Looks for ``<kind>.csv``, then ``<kind>.xlsx``; returns None when neither exists.
    """
    extract_spec(kind)
    base = Path(folder) if folder is not None else raw_dir() / "local"
    for suffix in (".csv", ".xlsx"):
        path = base / f"{kind}{suffix}"
        if path.is_file():
            return path
    return None


def load_local_extract(
    path: str | Path,
    kind: str,
    *,
    sheet: str | int = 0,
    renames: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Load and validate an analyst's local extract (CSV or XLSX).

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (UTF-8) or ``.xlsx`` file laid out as the template of ``kind``: a header row
        with exactly the kind's columns (any order), then one row per record.
    kind : str
        A registered kind: ``"dental_access"`` or ``"uda_delivery"`` (see
        :data:`EXTRACT_KINDS`).
    sheet : str or int, default 0
        XLSX only: the sheet to read (name or 0-based position).
    renames : mapping, optional
        Older column names accepted for the template's (old name -> template name).

    Returns
    -------
    pandas.DataFrame
        The kind's columns in template order, then its derived columns. Text columns are
        ``str``, whole numbers int64 (float64 where blanks are allowed), numbers float64,
        dates datetime64, months ``"YYYY-MM"`` text. Fully blank rows are dropped.
        ``df.attrs`` holds ``source`` (file name) and ``kind``.

    Raises
    ------
    DataValidationError
        For every broken rule at once: missing, unknown or doubled columns; wrong cell types;
        blank required cells; values out of range or not allowed; row rules (e.g. population
        below patients seen); duplicated keys. Each names the file, the spreadsheet rows
        (header = row 1), the column and the rule.
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        For an unknown kind or an unsupported file type.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "uda.csv"
    >>> _ = p.write_text("geography_id,geography_name,month,contracted_udas_annual,"
    ...                  "udas_delivered_month\\nX1,Example,2022-04,120000,6000\\n")
    >>> load_local_extract(p, "uda_delivery")["pct_delivered_annualised"].tolist()
    [60.0]
    """
    path = Path(path)
    extract_spec(kind)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such local extract file")
    raw = _read_raw(path, sheet)
    if renames:
        raw = raw.rename(columns=dict(renames))
    return validate_local_extract(raw, kind, source=path.name)


def validate_local_extract(raw: pd.DataFrame, kind: str, *, source: str) -> pd.DataFrame:
    """Validate an extract already in memory, as :func:`load_local_extract` validates a file.

    ``raw`` holds the template's columns as read from a file (text or spreadsheet cells;
    blank cells missing); ``source`` names it in error messages. Returns and raises as
    :func:`load_local_extract`, with ``source`` in place of the file name.
    """
    spec = extract_spec(kind)
    raw = raw.copy()
    raw.columns = [str(c).strip() for c in raw.columns]

    failures: list[ValidationFailure] = []
    names = list(raw.columns)
    expected = spec.column_names
    for dup in sorted({c for c in names if names.count(c) > 1}):
        failures.append(ValidationFailure(dup, "column appears more than once", (), source))
    for col in expected:
        if col not in names:
            failures.append(ValidationFailure(col, "required column is missing", (), source))
    for col in names:
        if col not in expected:
            if col.startswith("Unnamed:"):
                rule = "column without a header (delete it, or name it as in the template)"
            else:
                close = difflib.get_close_matches(col, expected, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                rule = f"unknown column{hint}; expected only {', '.join(expected)}"
            failures.append(ValidationFailure(col, rule, (), source))
    if failures:
        raise DataValidationError(failures, source)

    raw = raw[list(expected)]
    blank_rows = raw.apply(lambda s: s.map(_blank)).all(axis=1).to_numpy()
    row_numbers = (np.arange(len(raw)) + 2)[~blank_rows]
    raw = raw.loc[~blank_rows].reset_index(drop=True)
    if raw.empty:
        raise DataValidationError(
            [ValidationFailure("(all)", "the file has no data rows below the header", (), source)],
            source,
        )

    typed, failures, bad_cells = _convert(raw, spec, row_numbers, source)
    failures += _validate_rows(typed, spec, row_numbers, source, bad_cells)
    if failures:
        raise DataValidationError(_sorted(failures, spec), source)

    out = typed.copy()
    for col in spec.columns:
        if col.kind == "int" and out[col.name].notna().all():
            out[col.name] = out[col.name].astype("int64")
    for d in spec.derived:
        out[d.name] = d.compute(out)
    out.attrs = {"source": source, "kind": spec.kind}
    return out


# --------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------


def template_path(kind: str) -> Path:
    """The bundled CSV template (header row) of a kind: ``templates/<kind>.csv``."""
    spec = extract_spec(kind)
    return TEMPLATES_DIR / f"{spec.kind}.csv"


def _dictionary(spec: ExtractSpec) -> pd.DataFrame:
    rows = [
        {
            "column": c.name,
            "type": c.describe_type(),
            "required": "yes" if c.required else "no",
            "description": c.description,
            "example": c.example,
        }
        for c in spec.columns
    ]
    rows += [
        {
            "column": d.name,
            "type": "derived (added on loading)",
            "required": "",
            "description": d.description,
            "example": "",
        }
        for d in spec.derived
    ]
    return pd.DataFrame(rows)


def write_template(kind: str, path: str | Path, *, example: bool = False) -> Path:
    """Write a blank template for ``kind`` to ``path`` (``.csv`` or ``.xlsx``).

    Parameters
    ----------
    kind : str
        A registered kind.
    path : str or Path
        Output file; ``.csv`` gives the header row, ``.xlsx`` a ``data`` sheet (header row)
        and a ``columns`` sheet describing every column (type, rule, description, example).
    example : bool, default False
        Add one row of example values (illustrative only — delete it before use).

    Returns
    -------
    pathlib.Path
    """
    spec = extract_spec(kind)
    path = Path(path)
    data = pd.DataFrame(
        [{c.name: c.example for c in spec.columns}] if example else [],
        columns=list(spec.column_names),
    )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data.to_csv(path, index=False, lineterminator="\n")
    elif suffix == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as xw:
            data.to_excel(xw, sheet_name="data", index=False)
            _dictionary(spec).to_excel(xw, sheet_name="columns", index=False)
            about = pd.DataFrame({"about": [spec.title, spec.description]})
            about.to_excel(xw, sheet_name="about", index=False)
    else:
        raise ValueError(f"path: templates are written as .csv or .xlsx, not {suffix!r}")
    return path


def describe_kinds() -> Mapping[str, pd.DataFrame]:
    """The column dictionary of every registered kind (for docs and notebooks)."""
    return {k: _dictionary(s) for k, s in sorted(EXTRACT_KINDS.items())}
