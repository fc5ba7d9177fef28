"""Areas and comparator groups: England, regions, the 153 upper-tier authorities, neighbours.

Configuration is data (docs/architecture.md convention 8). The lists live in CSV files bundled beside this
module, in ``rutland_jsna/data/areas/``, and are validated when first used:

``utla_2023.csv``
    The 153 upper-tier local authorities of April 2023 (Fingertips area type 502) with their
    region: ``area_code, area_name, region_code, region_name``.
``regions.csv``
    England (E92000001) and the 9 regions E12000001–E12000009: ``area_code, area_name,
    area_type`` (``England`` or ``region``).
``cipfa_neighbours.csv``
    Rutland's 15 CIPFA nearest neighbours as printed in the JHWS Outcomes Summary Report
    (March 2023, docs/chapters.md §1.7): ``area_code, position, neighbour_code, name_as_printed,
    note``. ``position`` is the printed order — alphabetical in the paper, so **not** the CIPFA
    similarity rank. The same columns (``area_code, neighbour_code, position``) are the
    neighbour-table format :func:`cipfa_neighbours` accepts from other sources.
``sexual_health_comparators.csv``
    The 10 comparators of the 2015 sexual health strategy (docs/chapters.md §2.4) with their 2015
    code and today's: ``position, name_as_printed, code_2015, area_code, note``.
``code_changes.csv``
    Old → new upper-tier codes since 2013 (``old_code, old_name, new_code, new_name,
    effective_date, change, note, evidence``); ``change`` is ``recoded``, ``merged`` or
    ``split`` (one row per successor).

Rules checked on load: 153 authorities with unique, well-formed codes and unique names; every
region code and name agrees with ``regions.csv``; every neighbour and comparator code is one of
the 153; neighbour positions run 1..n; every old code is no longer current and leads to a
current code. A broken file raises :class:`~rutland_jsna.data.errors.DataValidationError`
naming the file, rows, column and rule.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import pickle
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from ..config import DEFAULT_AREA_CODE, ENGLAND_CODE, processed_dir
from .errors import DataError, DataValidationError, UnknownAreaError, ValidationFailure

if TYPE_CHECKING:  # pandas is imported where the tables are read (issue 18)
    import pandas as pd

__all__ = [
    "AREAS_DIR",
    "NEIGHBOUR_TABLE_COLUMNS",
    "UTLA_COUNT",
    "Area",
    "AreaCodeSplitError",
    "AreaTables",
    "AreaType",
    "CodeChange",
    "NeighbourSource",
    "ComparatorChoice",
    "NeighboursUnavailableError",
    "cipfa_neighbours",
    "code_changes",
    "current_code",
    "default_comparators",
    "england",
    "get_area",
    "load_area_tables",
    "regions",
    "sexual_health_comparators",
    "upper_tier_areas",
]

#: Folder of the bundled area CSVs.
AREAS_DIR: Path = Path(__file__).resolve().with_name("areas")
#: Number of upper-tier authorities in the April 2023 geography.
UTLA_COUNT = 153
#: Columns of a neighbour table (bundled ``cipfa_neighbours.csv``, demo snapshot, …).
NEIGHBOUR_TABLE_COLUMNS: tuple[str, ...] = ("area_code", "neighbour_code", "position")

_UTLA_CODE = re.compile(r"^E(?:0[689]|10)\d{6}$")
_REGION_CODE = re.compile(r"^E12\d{6}$")
_ANY_CODE = re.compile(r"^E\d{8}$")
_CHANGE_KINDS = ("recoded", "merged", "split")
#: Number of close matches an UnknownAreaError suggests.
_SUGGESTIONS = 5


class AreaType(StrEnum):
    """The three kinds of area the package knows."""

    ENGLAND = "England"
    REGION = "region"
    UTLA = "UTLA"


@dataclass(frozen=True)
class Area:
    """One area.

    Attributes
    ----------
    code : str
        ONS GSS code (E92000001, E12…, E06/E08/E09/E10…).
    name : str
        Name as in the bundled list (e.g. "Rutland", "East Midlands Region").
    type : AreaType
        England, region or upper-tier authority (UTLA).
    region_code, region_name : str or None
        The region the area lies in: for a UTLA its region, for a region itself, for England
        None.
    """

    code: str
    name: str
    type: AreaType
    region_code: str | None = None
    region_name: str | None = None

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


@dataclass(frozen=True)
class CodeChange:
    """One old → new code change (a split has one record per successor)."""

    old_code: str
    old_name: str
    new_code: str
    new_name: str
    effective_date: date
    change: str
    note: str = ""


class NeighboursUnavailableError(DataError, LookupError):
    """No neighbour list is bundled for an area and no neighbour source was given."""


class AreaCodeSplitError(UnknownAreaError):
    """An old code whose area was split, so it has no single current code."""


@dataclass(frozen=True)
class AreaTables:
    """The validated bundled lists (see the module docstring)."""

    england: Area
    regions: tuple[Area, ...]
    utlas: tuple[Area, ...]
    neighbours: Mapping[str, tuple[str, ...]]
    sexual_health_comparators: tuple[str, ...]
    code_changes: tuple[CodeChange, ...]

    def all_areas(self) -> tuple[Area, ...]:
        return (self.england, *self.regions, *self.utlas)

    def by_code(self) -> dict[str, Area]:
        return {a.code: a for a in self.all_areas()}


# --------------------------------------------------------------------------------------------
# Loading and validating the bundled CSVs
# --------------------------------------------------------------------------------------------


class _Checker:
    """Collects failures for one file; rows are spreadsheet rows (header = 1)."""

    def __init__(self, file: str, df: pd.DataFrame):
        self.file, self.df = file, df
        self.failures: list[ValidationFailure] = []

    def rows(self, mask: pd.Series) -> tuple[int, ...]:
        return tuple(int(i) + 2 for i in mask[mask].index)

    def require(self, mask_ok: pd.Series, column: str, rule: str) -> None:
        bad = ~mask_ok.fillna(False).astype(bool)
        if bad.any():
            ex = (
                tuple(repr(v) for v in self.df.loc[bad, column].head(3))
                if column in self.df
                else ()
            )
            self.failures.append(ValidationFailure(column, rule, self.rows(bad), self.file, ex))

    def fail(self, column: str, rule: str, rows: Sequence[int] = ()) -> None:
        self.failures.append(ValidationFailure(column, rule, tuple(rows), self.file))


def _read(directory: Path, name: str, columns: Sequence[str]) -> tuple[pd.DataFrame, _Checker]:
    import pandas as pd

    path = directory / name
    if not path.is_file():
        raise FileNotFoundError(f"{path}: bundled area list is missing")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df = df.apply(lambda s: s.str.strip())
    check = _Checker(name, df)
    for col in columns:
        if col not in df.columns:
            check.fail(col, "required column is missing")
    for col in df.columns:
        if col not in columns:
            check.fail(str(col), f"unexpected column (expected {', '.join(columns)})")
    if check.failures:
        raise DataValidationError(check.failures, name)
    return df, check


def _unique(check: _Checker, column: str, what: str = "must be unique") -> None:
    dup = check.df[column].duplicated(keep=False)
    check.require(~dup, column, what)


def load_area_tables(directory: str | Path | None = None) -> AreaTables:
    """Read and validate the area CSVs of ``directory`` (default :data:`AREAS_DIR`).

    Parameters
    ----------
    directory : str or Path, optional
        Folder holding the five CSVs of the module docstring.

    Returns
    -------
    AreaTables

    Raises
    ------
    DataValidationError
        Naming, for each broken rule, the file, the rows (header = row 1), column and rule.
    FileNotFoundError
        If a file is missing.
    """
    import pandas as pd

    d = Path(directory) if directory is not None else AREAS_DIR
    failures: list[ValidationFailure] = []

    # regions.csv ---------------------------------------------------------------------------
    reg, ck = _read(d, "regions.csv", ("area_code", "area_name", "area_type"))
    ck.require(
        reg["area_type"].isin(["England", "region"]), "area_type", "must be 'England' or 'region'"
    )
    is_eng = reg["area_type"].eq("England")
    ck.require(
        ~is_eng | reg["area_code"].eq(ENGLAND_CODE), "area_code", f"England must be {ENGLAND_CODE}"
    )
    ck.require(
        is_eng | reg["area_code"].str.match(_REGION_CODE),
        "area_code",
        "a region code must be E12 + 6 digits",
    )
    _unique(ck, "area_code")
    expected = {ENGLAND_CODE, *(f"E1200000{i}" for i in range(1, 10))}
    if set(reg["area_code"]) != expected:
        ck.fail(
            "area_code", "must list exactly England E92000001 and the 9 regions E12000001-E12000009"
        )
    ck.require(reg["area_name"].ne(""), "area_name", "must not be blank")
    failures += ck.failures
    region_names = dict(zip(reg["area_code"], reg["area_name"], strict=True))

    # utla_2023.csv -------------------------------------------------------------------------
    ut, ck = _read(d, "utla_2023.csv", ("area_code", "area_name", "region_code", "region_name"))
    ck.require(
        ut["area_code"].str.match(_UTLA_CODE), "area_code", "must be E06/E08/E09/E10 + 6 digits"
    )
    _unique(ck, "area_code")
    _unique(ck, "area_name")
    ck.require(ut["area_name"].ne(""), "area_name", "must not be blank")
    in_regions = ut["region_code"].isin([c for c in region_names if c != ENGLAND_CODE])
    ck.require(in_regions, "region_code", "must be a region code listed in regions.csv")
    same_name = ut["region_name"].eq(ut["region_code"].map(region_names))
    ck.require(
        same_name | ~in_regions, "region_name", "must equal the region's name in regions.csv"
    )
    if len(ut) != UTLA_COUNT:
        ck.fail("area_code", f"must list {UTLA_COUNT} upper-tier authorities, found {len(ut)}")
    failures += ck.failures
    utla_codes = set(ut["area_code"])

    # code_changes.csv ----------------------------------------------------------------------
    cols = (
        "old_code",
        "old_name",
        "new_code",
        "new_name",
        "effective_date",
        "change",
        "note",
        "evidence",
    )
    cc, ck = _read(d, "code_changes.csv", cols)
    current = utla_codes | set(region_names)
    ck.require(cc["old_code"].str.match(_ANY_CODE), "old_code", "must be E + 8 digits")
    ck.require(~cc["old_code"].isin(current), "old_code", "must not be a current code")
    ck.require(
        cc["change"].isin(_CHANGE_KINDS), "change", f"must be one of {', '.join(_CHANGE_KINDS)}"
    )
    dates = pd.to_datetime(cc["effective_date"], format="%Y-%m-%d", errors="coerce")
    ck.require(dates.notna(), "effective_date", "must be an ISO date YYYY-MM-DD")
    n_per_old = cc.groupby("old_code")["old_code"].transform("size")
    is_split = cc["change"].eq("split")
    ck.require(
        ~is_split | (n_per_old >= 2), "change", "a split needs one row per successor (at least 2)"
    )
    ck.require(
        is_split | (n_per_old == 1), "old_code", "must appear once unless the change is a split"
    )
    ck.require(
        ~cc.duplicated(["old_code", "new_code"], keep=False),
        "new_code",
        "old_code/new_code pair must be unique",
    )
    old_codes = set(cc["old_code"])
    ck.require(
        cc["new_code"].isin(current | old_codes),
        "new_code",
        "must be a current code or another old code",
    )
    failures += ck.failures
    changes = tuple(
        CodeChange(
            r.old_code,
            r.old_name,
            r.new_code,
            r.new_name,
            date.fromisoformat(r.effective_date),
            r.change,
            r.note,
        )
        for r, ok in zip(cc.itertuples(index=False), dates.notna(), strict=True)
        if ok
    )

    # cipfa_neighbours.csv ------------------------------------------------------------------
    cols = ("area_code", "position", "neighbour_code", "name_as_printed", "note")
    nb, ck = _read(d, "cipfa_neighbours.csv", cols)
    ck.require(
        nb["area_code"].isin(utla_codes),
        "area_code",
        "must be one of the 153 upper-tier codes in utla_2023.csv",
    )
    ck.require(
        nb["neighbour_code"].isin(utla_codes),
        "neighbour_code",
        "must be one of the 153 upper-tier codes in utla_2023.csv",
    )
    ck.require(
        nb["neighbour_code"].ne(nb["area_code"]),
        "neighbour_code",
        "an area is not its own neighbour",
    )
    ck.require(
        ~nb.duplicated(["area_code", "neighbour_code"], keep=False),
        "neighbour_code",
        "must be listed once per area",
    )
    pos = pd.to_numeric(nb["position"], errors="coerce")
    ck.require(
        pos.notna() & pos.eq(pos.round()) & pos.ge(1), "position", "must be a whole number >= 1"
    )
    for code, grp in nb.assign(_pos=pos).groupby("area_code", sort=False):
        if sorted(grp["_pos"].tolist()) != list(range(1, len(grp) + 1)):
            ck.fail(
                "position",
                f"positions of {code} must run 1..{len(grp)} without gaps or repeats",
                [int(i) + 2 for i in grp.index],
            )
    if (nb["area_code"] == DEFAULT_AREA_CODE).sum() != 15:
        ck.fail("area_code", f"must list 15 CIPFA neighbours for {DEFAULT_AREA_CODE} (Rutland)")
    failures += ck.failures
    neighbours = {
        code: tuple(grp.assign(_pos=pos[grp.index]).sort_values("_pos")["neighbour_code"])
        for code, grp in nb.groupby("area_code", sort=False)
    }

    # sexual_health_comparators.csv ---------------------------------------------------------
    cols = ("position", "name_as_printed", "code_2015", "area_code", "note")
    sh, ck = _read(d, "sexual_health_comparators.csv", cols)
    ck.require(
        sh["area_code"].isin(utla_codes),
        "area_code",
        "must be one of the 153 upper-tier codes in utla_2023.csv",
    )
    _unique(ck, "area_code")
    ck.require(sh["code_2015"].str.match(_ANY_CODE), "code_2015", "must be E + 8 digits")
    follows = [
        (c15 == now) or any(ch.old_code == c15 and ch.new_code == now for ch in changes)
        for c15, now in zip(sh["code_2015"], sh["area_code"], strict=True)
    ]
    ck.require(
        pd.Series(follows, index=sh.index),
        "area_code",
        "must equal code_2015 or its successor in code_changes.csv",
    )
    sh_pos = pd.to_numeric(sh["position"], errors="coerce")
    if sorted(sh_pos.dropna().tolist()) != list(range(1, len(sh) + 1)):
        ck.fail("position", f"must run 1..{len(sh)} without gaps or repeats")
    failures += ck.failures

    if failures:
        raise DataValidationError(failures, str(d))

    eng_row = reg[is_eng].iloc[0]
    england_area = Area(eng_row["area_code"], eng_row["area_name"], AreaType.ENGLAND)
    region_areas = tuple(
        Area(r.area_code, r.area_name, AreaType.REGION, r.area_code, r.area_name)
        for r in reg[~is_eng].sort_values("area_code").itertuples(index=False)
    )
    utla_areas = tuple(
        Area(r.area_code, r.area_name, AreaType.UTLA, r.region_code, r.region_name)
        for r in ut.itertuples(index=False)
    )
    return AreaTables(
        england=england_area,
        regions=region_areas,
        utlas=utla_areas,
        neighbours=neighbours,
        sexual_health_comparators=tuple(sh.assign(_p=sh_pos).sort_values("_p")["area_code"]),
        code_changes=changes,
    )


def _is_frame(value: object) -> bool:
    """Whether ``value`` is a pandas DataFrame (without importing pandas when it is not)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.DataFrame)


#: Version of the pickled validated tables (:func:`_tables`); bump when AreaTables changes.
_TABLES_PICKLE_VERSION = 1


@lru_cache(maxsize=1)
def _tables() -> AreaTables:
    """The bundled tables, validated once per content of the CSVs.

    :func:`load_area_tables` validates them with pandas (about half a second with its import);
    the validated tables — plain dataclasses — are pickled under ``data/processed/.cache/``
    keyed by the sha256 of the CSV files, so a later process (every build, every worker) reads
    them back without pandas. A missing, unreadable or unwritable cache only means validating
    again.
    """
    digest = hashlib.sha256(str(_TABLES_PICKLE_VERSION).encode())
    for path in sorted(AREAS_DIR.glob("*.csv")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    cache = processed_dir() / ".cache" / f"areas-{digest.hexdigest()[:16]}.pickle"
    try:
        with open(cache, "rb") as fh:
            tables = pickle.load(fh)
        if isinstance(tables, AreaTables):
            return tables
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    tables = load_area_tables()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}")
        with open(tmp, "wb") as fh:
            pickle.dump(tables, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    except OSError:
        pass
    return tables


# --------------------------------------------------------------------------------------------
# Look-ups
# --------------------------------------------------------------------------------------------


def england() -> Area:
    """England (E92000001)."""
    return _tables().england


def regions() -> tuple[Area, ...]:
    """The 9 English regions, E12000001–E12000009, in code order."""
    return _tables().regions


def upper_tier_areas() -> tuple[Area, ...]:
    """The 153 upper-tier local authorities of April 2023, in code order.

    Examples
    --------
    >>> len(upper_tier_areas())
    153
    """
    return _tables().utlas


def code_changes() -> tuple[CodeChange, ...]:
    """Every bundled old → new code change (``code_changes.csv``), in file order."""
    return _tables().code_changes


def _suggest(query: str, tables: AreaTables) -> list[str]:
    """Closest names and codes to ``query``, as "Name (CODE)" strings."""
    areas = tables.all_areas()
    keys: dict[str, Area] = {}
    for a in areas:
        keys.setdefault(a.code.casefold(), a)
        keys.setdefault(a.name.casefold(), a)
    matches = difflib.get_close_matches(
        query.strip().casefold(), list(keys), n=_SUGGESTIONS * 2, cutoff=0.6
    )
    seen: list[str] = []
    for m in matches:
        shown = str(keys[m])
        if shown not in seen:
            seen.append(shown)
    return seen[:_SUGGESTIONS]


def _unknown(query: str, tables: AreaTables, what: str = "area") -> UnknownAreaError:
    suggestions = _suggest(query, tables)
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
    return UnknownAreaError(
        f"unknown {what} {query!r}: not England, an English region or one of the {UTLA_COUNT} "
        f"upper-tier authorities of April 2023{hint}"
    )


def _successors(code: str, tables: AreaTables) -> tuple[str, ...]:
    """Current codes reached from ``code`` through the code-change map (itself if current)."""
    current = tables.by_code()
    if code in current:
        return (code,)
    out: list[str] = []
    seen: set[str] = set()
    todo = [code]
    while todo:
        c = todo.pop(0)
        if c in seen:
            continue
        seen.add(c)
        nxt = [ch.new_code for ch in tables.code_changes if ch.old_code == c]
        for n in nxt:
            if n in current:
                if n not in out:
                    out.append(n)
            else:
                todo.append(n)
    return tuple(out)


def current_code(old_code: str) -> str:
    """Today's code for an area code, following the bundled code-change map.

    Parameters
    ----------
    old_code : str
        Any ONS code the package knows: a current code (returned unchanged) or a former
        upper-tier code (e.g. Buckinghamshire county E10000002).

    Returns
    -------
    str
        The current code (April 2023 geography).

    Raises
    ------
    AreaCodeSplitError
        If the area was split (Northamptonshire, Cumbria): the message lists the successors.
    UnknownAreaError
        If the code is neither current nor in the map (with the closest codes suggested).

    Examples
    --------
    >>> current_code("E10000002"), current_code("E10000023"), current_code("E06000017")
    ('E06000060', 'E06000065', 'E06000017')
    """
    tables = _tables()
    code = str(old_code).strip()
    found = _successors(code, tables)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        by_code = tables.by_code()
        parts = ", ".join(str(by_code[c]) for c in found)
        when = max(ch.effective_date for ch in tables.code_changes if ch.old_code == code)
        raise AreaCodeSplitError(
            f"{code} has no single current code: the area was split on {when.isoformat()} into {parts}"
        )
    raise _unknown(code, tables, "area code")


def get_area(code_or_name: str) -> Area:
    """Look an area up by exact code or exact name.

    Parameters
    ----------
    code_or_name : str
        A code ("E06000017") or name ("Rutland"; "England"; "East Midlands Region") as in the
        bundled lists. Matching is exact (after stripping surrounding spaces): nothing is
        guessed, but the error suggests the closest names and codes.

    Returns
    -------
    Area

    Raises
    ------
    UnknownAreaError
        For an unknown code or name, suggesting the closest matches (difflib); for a former
        code, naming its current code(s).

    Examples
    --------
    >>> get_area("Rutland")
    Area(code='E06000017', name='Rutland', type=<AreaType.UTLA: 'UTLA'>, region_code='E12000004', region_name='East Midlands Region')
    >>> get_area("Rutlnd")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rutland_jsna.data.errors.UnknownAreaError: unknown area 'Rutlnd': ... did you mean Rutland (E06000017)...
    """
    if not isinstance(code_or_name, str):
        raise TypeError(f"code_or_name: expected a string, got {type(code_or_name).__name__}")
    tables = _tables()
    query = code_or_name.strip()
    for a in tables.all_areas():
        if query in (a.code, a.name):
            return a
    former = [ch for ch in tables.code_changes if ch.old_code == query]
    if former:
        succ = _successors(query, tables)
        by_code = tables.by_code()
        parts = " and ".join(str(by_code[c]) for c in succ)
        raise UnknownAreaError(
            f"{query} ({former[0].old_name}) is a former code: since {former[0].effective_date.isoformat()} "
            f"the area is {parts}; use current_code() to map old codes"
        )
    raise _unknown(query, tables)


def _require_utla(code_or_name: str, what: str) -> Area:
    area = get_area(code_or_name)
    if area.type is not AreaType.UTLA:
        raise UnknownAreaError(f"{what}: {area} is not an upper-tier local authority")
    return area


# --------------------------------------------------------------------------------------------
# Comparator groups
# --------------------------------------------------------------------------------------------

#: What :func:`cipfa_neighbours` accepts as ``source``: a neighbour table (DataFrame with
#: :data:`NEIGHBOUR_TABLE_COLUMNS`), a mapping area code → neighbour codes in rank order, or a
#: callable area code → neighbours in rank order (codes, or Fingertips JSON area records with
#: ``Code`` and optionally ``Sequence``), e.g. a Fingertips client's nearest-neighbour method.
NeighbourSource: TypeAlias = (
    "pd.DataFrame | Mapping[str, Sequence[str]] | Callable[[str], Iterable[Any]]"
)


def _from_table(table: pd.DataFrame, code: str) -> list[str]:
    missing = [c for c in NEIGHBOUR_TABLE_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(
            f"source: neighbour table lacks column(s) {', '.join(missing)} "
            f"(expected {', '.join(NEIGHBOUR_TABLE_COLUMNS)})"
        )
    import pandas as pd

    rows = table[table["area_code"].astype(str) == code]
    pos = pd.to_numeric(rows["position"], errors="coerce")
    if pos.isna().any():
        raise ValueError(f"source: neighbour table has a non-numeric position for {code}")
    return [
        str(c) for c in rows.assign(_pos=pos).sort_values("_pos", kind="stable")["neighbour_code"]
    ]


def _from_items(items: Iterable[Any], code: str) -> list[str]:
    items = list(items)
    if all(isinstance(i, Mapping) for i in items):
        try:
            if all("Sequence" in i for i in items):
                items = sorted(items, key=lambda i: i["Sequence"])
            return [str(i["Code"]) for i in items]
        except KeyError as exc:
            raise ValueError(f"source: neighbour records for {code} lack the key {exc}") from exc
    if all(isinstance(i, str) for i in items):
        return list(items)
    raise ValueError(
        f"source: neighbours of {code} must be area codes or Fingertips area records "
        "({'Code': ..., 'Sequence': ...})"
    )


def cipfa_neighbours(
    area_code: str = DEFAULT_AREA_CODE, source: NeighbourSource | None = None
) -> tuple[Area, ...]:
    """The CIPFA nearest neighbours of an upper-tier authority, in order.

    Parameters
    ----------
    area_code : str, default Rutland (E06000017)
        Code (or exact name) of an upper-tier authority.
    source : NeighbourSource, optional
        Where to take the neighbours from. Default: the bundled list, which exists only for
        Rutland (its 15 neighbours in the order printed in the March 2023 outcomes report).
        Otherwise one of

        * a neighbour table: DataFrame with columns ``area_code, neighbour_code, position``
          (e.g. the demonstration snapshot's; extra columns are ignored);
        * a mapping ``{area_code: [neighbour codes in rank order]}``;
        * a callable ``f(area_code)`` returning neighbour codes in rank order, or Fingertips
          area records (``{"Code": ..., "Sequence": ...}``, sorted by ``Sequence``), e.g.
          ``source=client.nearest_neighbours`` for a Fingertips client.

    Returns
    -------
    tuple of Area
        The neighbours, without the area itself; empty if the source lists none (e.g. City of
        London has no neighbours in Fingertips).

    Raises
    ------
    NeighboursUnavailableError
        If no source is given and no list is bundled for the area.
    UnknownAreaError
        If ``area_code`` is not an upper-tier authority, or the source names an unknown code.
    ValueError
        If the source lists the area itself or a neighbour twice, or is malformed.

    Notes
    -----
    Former codes from the source (Fingertips' older area types return, e.g., E10000002 for
    Buckinghamshire) are mapped to today's codes with :func:`current_code`. Fingertips uses
    the NHS England nearest-neighbour model, not CIPFA, for the April 2023 area type (502);
    the CIPFA list needs an older area type (docs/fingertips_api.md §2.2) — the choice is the
    source's, this function only checks and maps what it returns.

    Examples
    --------
    >>> [a.name for a in cipfa_neighbours("E06000017")][:3]
    ['Bedford', 'Buckinghamshire UA', 'Central Bedfordshire']
    """
    area = _require_utla(area_code, "area_code")
    tables = _tables()
    if source is None:
        if area.code not in tables.neighbours:
            bundled = ", ".join(str(tables.by_code()[c]) for c in tables.neighbours)
            raise NeighboursUnavailableError(
                f"no bundled CIPFA neighbour list for {area}; only {bundled} is bundled. "
                "Pass source= a neighbour table (DataFrame with columns "
                f"{', '.join(NEIGHBOUR_TABLE_COLUMNS)}, e.g. from the demonstration snapshot), "
                "a mapping {area_code: [codes]} or a callable area_code -> codes in rank order "
                "(e.g. a Fingertips client's nearest-neighbour look-up)"
            )
        codes: list[str] = list(tables.neighbours[area.code])
    elif _is_frame(source):
        codes = _from_table(source, area.code)
    elif isinstance(source, Mapping):
        codes = _from_items(source.get(area.code, ()), area.code)
    elif callable(source):
        codes = _from_items(source(area.code), area.code)
    else:
        raise TypeError(
            f"source: expected a DataFrame, a mapping or a callable, got {type(source).__name__}"
        )

    by_code = tables.by_code()
    out: list[Area] = []
    for raw in codes:
        try:
            code = current_code(raw)
        except UnknownAreaError as exc:
            raise type(exc)(f"neighbours of {area}: {exc}") from exc
        n = by_code[code]
        if n.type is not AreaType.UTLA:
            raise UnknownAreaError(f"neighbours of {area}: {n} is not an upper-tier authority")
        if n.code == area.code:
            raise ValueError(f"source: lists {area} as its own neighbour")
        if n in out:
            raise ValueError(f"source: lists {n} twice among the neighbours of {area}")
        out.append(n)
    return tuple(out)


#: Where a default comparator group came from (:attr:`ComparatorChoice.origin`).
BUNDLED, NEIGHBOUR_TABLE, REGION_FALLBACK = "bundled", "neighbour table", "region"


@dataclass(frozen=True)
class ComparatorChoice:
    """An area's default comparator group and where it came from.

    ``origin`` is ``"bundled"`` (the published list shipped with the package: Rutland's CIPFA
    neighbours), ``"neighbour table"`` (the data source's nearest neighbours of the area) or
    ``"region"`` (neither has a group for the area, so the other authorities of its region
    stand in — an explicit fallback, said so on every page).
    """

    areas: tuple[Area, ...]
    origin: str


def default_comparators(area_code: str, neighbour_table: NeighbourSource | None = None
                        ) -> ComparatorChoice:
    """The comparator group a chapter uses when none is given (one rule for every caller).

    The bundled published list where there is one (:func:`cipfa_neighbours`), else the
    area's neighbours in ``neighbour_table`` (the demonstration snapshot's or the Fingertips
    download's), else — the table is missing, lists no neighbour for the area, or cannot be
    read for it — the other upper-tier authorities of the area's region, in code order.
    Never an empty group for an area that has a region.
    """
    area = _require_utla(area_code, "area_code")
    try:
        return ComparatorChoice(cipfa_neighbours(area.code), BUNDLED)
    except NeighboursUnavailableError:
        pass
    found: tuple[Area, ...] = ()
    if neighbour_table is not None:
        try:
            found = cipfa_neighbours(area.code, source=neighbour_table)
        except (NeighboursUnavailableError, LookupError, ValueError):
            found = ()
    if found:
        return ComparatorChoice(found, NEIGHBOUR_TABLE)
    peers = tuple(a for a in upper_tier_areas()
                  if a.region_code == area.region_code and a.code != area.code)
    return ComparatorChoice(peers, REGION_FALLBACK)


def sexual_health_comparators() -> tuple[Area, ...]:
    """The 10 comparator authorities of the 2015 sexual health strategy, with today's codes.

    In the order printed (docs/chapters.md §2.4), without Rutland itself. Two codes have changed
    since 2015: Buckinghamshire E10000002 → E06000060 (Buckinghamshire UA, 1 April 2020) and
    North Yorkshire E10000023 → E06000065 (North Yorkshire UA, 1 April 2023); use
    :func:`current_code` to map data that still carries the 2015 codes.

    Examples
    --------
    >>> [a.code for a in sexual_health_comparators()][:2]
    ['E06000060', 'E10000003']
    """
    tables = _tables()
    by_code = tables.by_code()
    return tuple(by_code[c] for c in tables.sexual_health_comparators)
