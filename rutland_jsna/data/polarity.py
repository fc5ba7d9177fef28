"""Polarity from the source: what the data say is good, not what the catalogue assumed.

Fingertips publishes an indicator's polarity in two places:

* the profile's **metadata** (``indicator_metadata/csv/by_indicator_id?profile_id=…``, column
  ``Polarity``: "RAG - Low is good", "RAG - High is good", "BOB - Blue orange blue", "Not
  applicable");
* the **comparison words** of every download: "Better"/"Worse" only for an indicator with a
  good direction (which one follows from where the "Better" areas lie against England),
  "Higher"/"Lower" only for one without ("No judgement").

:func:`source_polarities` reads both — metadata first, then the words — into the store's
indicator table (``<name>.indicators.csv``, :data:`INDICATOR_COLUMNS`), written beside the
processed table by ``fetch`` and ``import``. A chapter uses the source's polarity for its
comparisons and trend words (:func:`apply_source_polarity`); where it differs from the
catalogue's, the data report carries a note (:func:`catalogue_disagreements`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..stats.labels import Comparison, Polarity
from . import columns as C
from .paths import indicators_path

__all__ = [
    "INDICATOR_COLUMNS",
    "apply_source_polarity",
    "catalogue_disagreements",
    "indicators_path",
    "polarity_from_words",
    "read_indicator_table",
    "source_polarities",
    "write_indicator_table",
]

INDICATOR_COLUMNS: tuple[str, ...] = ("indicator_id", "indicator_name", "polarity",
                                      "polarity_source")
FROM_METADATA = "the profile's metadata entries"
FROM_WORDS = "the comparison words of the download"
_KEY = [C.INDICATOR_ID, C.SEX, C.AGE, C.CATEGORY_TYPE, C.CATEGORY, C.TIME_PERIOD_SORTABLE,
        C.TIME_PERIOD_RANGE]


def polarity_from_words(data: pd.DataFrame, england_code: str = "E92000001") -> pd.DataFrame:
    """Each indicator's polarity as its "Compared to England" words show it.

    "Better"/"Worse" → a RAG polarity: "Low is good" when the "Better" areas lie below
    England's value (and the "Worse" ones above), "High is good" the other way round;
    "Higher"/"Lower" without "Better"/"Worse" → "No judgement"; "Not compared" on every row
    although the rows have values, 95% limits and an England value → "Not applicable"
    (Fingertips does not compare the indicator). An indicator whose words say none of these
    ("Similar" only, or no words), or whose "Better" rows lie on both sides of England, is
    left out.

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, polarity`` (one row per indicator whose words decide it).
    """
    words = data[C.COMPARED_TO_ENGLAND].astype("object")
    ids = data[C.INDICATOR_ID]
    rag = set(ids[words.isin([Comparison.BETTER.value, Comparison.WORSE.value])])
    bob = set(ids[words.isin([Comparison.HIGHER.value, Comparison.LOWER.value])]) - rag
    rows = [{"indicator_id": int(i), "polarity": Polarity.NO_JUDGEMENT.value} for i in bob]
    # "Not compared" on every row, although values, 95% limits and England's value are there:
    # Fingertips does not compare the indicator at all.
    comparable = (data[C.VALUE].notna() & data[C.LOWER_CI_95].notna()
                  & data[C.UPPER_CI_95].notna() & (data[C.AREA_CODE] != england_code))
    has_england = set(ids[(data[C.AREA_CODE] == england_code) & data[C.VALUE].notna()])
    labelled = words.notna()
    never = (set(ids[labelled & comparable]) - set(ids[labelled & (words !=
             Comparison.NOT_COMPARED.value)])) & has_england
    rows += [{"indicator_id": int(i), "polarity": Polarity.NOT_APPLICABLE.value}
             for i in never - rag - bob]
    if rag:
        sub = data[ids.isin(rag)]
        keys = sub[_KEY].astype("object").where(sub[_KEY].notna(), "")
        eng = sub[C.AREA_CODE] == england_code
        bench = keys[eng].assign(_england=sub.loc[eng, C.VALUE].to_numpy())
        bench = bench.drop_duplicates(_KEY)
        rest = keys[~eng].assign(_value=sub.loc[~eng, C.VALUE].to_numpy(),
                                 _word=sub.loc[~eng, C.COMPARED_TO_ENGLAND].to_numpy())
        joined = rest.merge(bench, on=_KEY, how="inner")
        sign = np.sign(joined["_value"] - joined["_england"])
        good = np.where(joined["_word"] == Comparison.BETTER.value, sign,
                        np.where(joined["_word"] == Comparison.WORSE.value, -sign, 0))
        votes = pd.DataFrame({"indicator_id": joined[C.INDICATOR_ID].astype("int64"),
                              "good": good}).query("good != 0")
        for ind, g in votes.groupby("indicator_id"):
            if (g["good"] > 0).all():
                rows.append({"indicator_id": int(ind), "polarity": Polarity.HIGH_IS_GOOD.value})
            elif (g["good"] < 0).all():
                rows.append({"indicator_id": int(ind), "polarity": Polarity.LOW_IS_GOOD.value})
    return pd.DataFrame(rows, columns=["indicator_id", "polarity"]).sort_values(
        "indicator_id", ignore_index=True)


def source_polarities(
    data: pd.DataFrame, metadata: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The store's indicator table: every indicator with the polarity its source publishes.

    Parameters
    ----------
    data : pandas.DataFrame
        The tidy store.
    metadata : pandas.DataFrame, optional
        ``indicator_id, polarity`` from the profile's metadata (Fingertips strings such as
        "RAG - Low is good" accepted); it wins over the words.

    Returns
    -------
    pandas.DataFrame
        :data:`INDICATOR_COLUMNS`; ``polarity`` blank where the source does not say.
    """
    names = (data[[C.INDICATOR_ID, C.INDICATOR_NAME]].drop_duplicates(C.INDICATOR_ID)
             .rename(columns={C.INDICATOR_ID: "indicator_id", C.INDICATOR_NAME:
                              "indicator_name"}))
    out = names.assign(polarity="", polarity_source="").astype({"indicator_id": "int64"})
    words = polarity_from_words(data).set_index("indicator_id")["polarity"]
    hit = out["indicator_id"].isin(words.index)
    out.loc[hit, "polarity"] = out.loc[hit, "indicator_id"].map(words)
    out.loc[hit, "polarity_source"] = FROM_WORDS
    if metadata is not None and not metadata.empty:
        meta = {}
        for i, p in zip(metadata["indicator_id"], metadata["polarity"], strict=True):
            if isinstance(p, str) and p.strip():
                try:
                    meta[int(i)] = Polarity.from_fingertips(p).value
                except ValueError:
                    continue
        hit = out["indicator_id"].isin(list(meta))
        out.loc[hit, "polarity"] = out.loc[hit, "indicator_id"].map(meta)
        out.loc[hit, "polarity_source"] = FROM_METADATA
    return out[list(INDICATOR_COLUMNS)].sort_values("indicator_id", ignore_index=True)


def catalogue_disagreements(table: pd.DataFrame, indicators: Iterable[object]) -> pd.DataFrame:
    """Data-report notes for catalogue indicators whose source polarity differs.

    ``indicators`` are catalogue :class:`~rutland_jsna.data.catalogue_model.Indicator` rows.
    Returns issue rows (:data:`rutland_jsna.data.quality.ISSUE_COLUMNS`, action ``note``).
    """
    from .quality import NOTE, _as_issues

    source = {int(i): (p, s) for i, p, s in zip(table["indicator_id"], table["polarity"],
                                                table["polarity_source"], strict=True) if p}
    records = []
    seen: set[tuple[int, str]] = set()
    for ind in indicators:
        fid = getattr(ind, "fingertips_id", None)
        if fid is None or int(fid) not in source:
            continue
        published, where = source[int(fid)]
        ours = str(ind.polarity)
        if ours == published or (int(fid), ours) in seen:
            continue
        seen.add((int(fid), ours))
        records.append({
            "file": "", "row": "", "action": NOTE, "column": "polarity",
            "rule": (f"polarity: the catalogue says {ours!r} but {where} give {published!r}; "
                     f"the source's polarity is used"),
            "indicator_id": int(fid), "area_code": "", "sex": "", "age": "", "time_period": "",
            "detail": f"catalogue row {ind.key}",
        })
    return _as_issues(records)


def apply_source_polarity(indicators: Iterable[object], table: pd.DataFrame | None):
    """Catalogue rows with the polarity their source publishes (unchanged where it is silent)."""
    rows = tuple(indicators)
    if table is None or table.empty:
        return rows
    source: Mapping[int, str] = {int(i): p for i, p in zip(table["indicator_id"],
                                                          table["polarity"], strict=True)
                                 if isinstance(p, str) and p}
    out = []
    for ind in rows:
        fid = getattr(ind, "fingertips_id", None)
        published = source.get(int(fid)) if fid is not None else None
        if published and published != str(ind.polarity):
            ind = replace(ind, polarity=Polarity(published))
        out.append(ind)
    return tuple(out)


def write_indicator_table(table: pd.DataFrame, table_csv: str | Path) -> Path:
    """Write the indicator table beside a processed table (atomically)."""
    from .store import write_csv_atomic

    return write_csv_atomic(table[list(INDICATOR_COLUMNS)], indicators_path(table_csv))


def read_indicator_table(table_csv: str | Path) -> pd.DataFrame | None:
    """The indicator table of a processed table, or None if it has none."""
    path = indicators_path(table_csv)
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype={"indicator_id": "int64"}, keep_default_na=False)
