"""Indicator tables (docs/chapters.md §1.2) and other accessible tables, each downloadable as CSV.

The indicator table's columns, in order::

    Indicator | Sex | Age | Period | Value | 95% CI | Count | Rank (r/n) | Best/Lowest |
    Worst/Highest | England | DoT | RAG

Values are printed to one decimal place with thousands separators; a missing value is the word
``Null`` with its reason; a count of 1 to 4 is ``*``; the comparison is a word on a coloured chip
and the direction of travel a symbol and its label. Every table is written as CSV next to the
chapter's HTML (``output_dir``) and linked; without an ``output_dir`` (an analyst running the
notebook in JupyterLab) the CSV is embedded in the link as a data URI.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis import columns as C
from ..stats.disclosure import SMALL_NUMBER_EVENTS
from ..stats.labels import Polarity
from .format import (
    MISSING,
    SUPPRESSED_NOTE,
    format_ci,
    format_count,
    format_number,
    format_rank,
    is_missing,
    missing_html,
    value_html,
)
from .html import Html, data_table, esc, tag
from .legend import BASIS_ENGLAND, comparison_chip, comparison_text, trend_html

__all__ = [
    "INDICATOR_TABLE_HEADER",
    "RANK_CAPTION",
    "SMALL_NUMBERS_NOTE",
    "Table",
    "indicator_table",
    "indicator_table_csv",
    "frame_table",
    "csv_link",
    "write_csv",
]

#: Column headings of the indicator table (docs/chapters.md §1.2 plus CI and count).
INDICATOR_TABLE_HEADER: tuple[str, ...] = (
    "Indicator",
    "Sex",
    "Age",
    "Period",
    "Value",
    "95% CI",
    "Count",
    "Rank (r/n)",
    "Best/Lowest",
    "Worst/Highest",
    "England",
    "DoT",
    "RAG",
)
_NUMERIC = (False, False, False, False, True, True, True, True, True, True, True, False, False)

#: The caption printed under every table heading in the outcomes report.
RANK_CAPTION = (
    "Ranking, Best and Worst columns are compared to the nearest neighbours only. "
    "Rank: 1 is calculated as the best (or lowest when no polarity is applied)."
)
SMALL_NUMBERS_NOTE = (
    f"† Based on fewer than {SMALL_NUMBER_EVENTS} events: small numbers make this comparison "
    "and its trend "
    "unreliable."
)

_POLARITY_TEXT = {
    Polarity.HIGH_IS_GOOD.value: "high is good",
    Polarity.LOW_IS_GOOD.value: "low is good",
    Polarity.NO_JUDGEMENT.value: "no judgement of good or bad",
    Polarity.NOT_APPLICABLE.value: "not compared",
}


class Table(Html):
    """An HTML table block that also carries its data (``frame``) and CSV location."""

    __slots__ = ("frame", "csv_path")

    def __init__(self, markup: str, frame: pd.DataFrame, csv_path: Path | None = None) -> None:
        super().__init__(markup)
        self.frame = frame
        self.csv_path = csv_path


def _bool(value: Any) -> bool:
    return (not is_missing(value)) and bool(value)


def _indicator_cell(row: pd.Series) -> Html:
    parts = [esc(row.get(C.INDICATOR))]
    unit = row.get(C.UNIT)
    polarity = _POLARITY_TEXT.get(str(row.get(C.POLARITY)), "")
    meta = "; ".join(p for p in (esc(unit) if not is_missing(unit) else "", polarity) if p)
    if meta:
        parts.append(f'<span class="polarity">{meta}</span>')
    return Html("<br>".join(parts))


def _ci_cell(row: pd.Series, default_level: float) -> Html:
    text = format_ci(row.get(C.LOWER_CI), row.get(C.UPPER_CI))
    level = row.get(C.CI_LEVEL)
    if text != MISSING and not is_missing(level) and float(level) != default_level:
        text = f"{float(level) * 100:g}%: {text}"
    return missing_html() if text == MISSING else Html(esc(text))


def _value_cell(row: pd.Series) -> Html:
    reason = row.get(C.MISSING_REASON)
    cell = value_html(row.get(C.VALUE), None if is_missing(reason) else str(reason))
    if not is_missing(row.get(C.VALUE)) and _bool(row.get(C.SMALL_NUMBERS)):
        cell = cell + Html(
            '<span class="flag" aria-hidden="true">†</span>'
            '<span class="visually-hidden"> (small numbers)</span>'
        )
    return cell


def _plain_or_null(text: str) -> Html:
    return missing_html() if text == MISSING else Html(esc(text))


def _england_cell(row: pd.Series) -> Html:
    value = row.get(C.ENGLAND)
    if is_missing(value):
        has_value = not is_missing(row.get(C.VALUE))
        return missing_html("no England value" if has_value else None)
    return Html(esc(format_number(value)))


def _row_cells(row: pd.Series, default_level: float) -> list[Html]:
    basis = row.get(C.COMPARISON_BASIS)
    basis = BASIS_ENGLAND if is_missing(basis) else str(basis)
    return [
        _indicator_cell(row),
        _plain_or_null(str(row.get(C.SEX)) if not is_missing(row.get(C.SEX)) else MISSING),
        _plain_or_null(str(row.get(C.AGE)) if not is_missing(row.get(C.AGE)) else MISSING),
        _plain_or_null(str(row.get(C.PERIOD)) if not is_missing(row.get(C.PERIOD)) else MISSING),
        _value_cell(row),
        _ci_cell(row, default_level),
        _plain_or_null(
            format_count(
                row.get(C.COUNT),
                _bool(row.get(C.COUNT_SUPPRESSED)) or _bool(row.get(C.SUPPRESSED)),
            )
        ),
        _plain_or_null(format_rank(row.get(C.RANK), row.get(C.N_RANKED))),
        _plain_or_null(format_number(row.get(C.BEST))),
        _plain_or_null(format_number(row.get(C.WORST))),
        _england_cell(row),
        trend_html(row.get(C.TREND)),
        comparison_chip(row.get(C.COMPARISON), basis),
    ]


def _ci_header(summary: pd.DataFrame) -> tuple[str, float]:
    if C.CI_LEVEL not in summary or summary[C.CI_LEVEL].isna().all():
        return "95% CI", 0.95
    levels = summary[C.CI_LEVEL].dropna().astype(float)
    common = float(levels.mode().iloc[0])
    return f"{common * 100:g}% CI", common


def indicator_table_csv(summary: pd.DataFrame) -> pd.DataFrame:
    """The indicator table as a plain data frame for the CSV download.

    Numbers keep their precision; a count of 1 to 4 or a suppressed count is ``*``;
    missing values are empty cells with the reason in ``Missing reason``.
    """
    s = summary.reset_index(drop=True)

    def col(name: str) -> pd.Series:
        return s[name] if name in s else pd.Series([pd.NA] * len(s), dtype="object")

    suppressed = col(C.COUNT_SUPPRESSED).fillna(False).astype(bool) | col(C.SUPPRESSED).fillna(
        False
    ).astype(bool)
    count = pd.to_numeric(col(C.COUNT), errors="coerce")
    count_text = [
        "*" if (sup or (0 < c <= 4)) else ("" if pd.isna(c) else f"{c:g}")
        for sup, c in zip(suppressed, count, strict=True)
    ]
    basis = col(C.COMPARISON_BASIS).fillna(BASIS_ENGLAND)
    out = pd.DataFrame(
        {
            "Indicator": col(C.INDICATOR),
            "Fingertips ID": col(C.FINGERTIPS_ID),
            "Sex": col(C.SEX),
            "Age": col(C.AGE),
            "Period": col(C.PERIOD),
            "Value": col(C.VALUE),
            "Lower CI": col(C.LOWER_CI),
            "Upper CI": col(C.UPPER_CI),
            "CI level": col(C.CI_LEVEL),
            "Count": count_text,
            "Unit": col(C.UNIT),
            "Polarity": col(C.POLARITY),
            "Rank": col(C.RANK),
            "Areas ranked": col(C.N_RANKED),
            "Best/Lowest": col(C.BEST),
            "Worst/Highest": col(C.WORST),
            "England": col(C.ENGLAND),
            "Direction of travel": col(C.TREND),
            "Comparison": [
                comparison_text(c, b) for c, b in zip(col(C.COMPARISON), basis, strict=True)
            ],
            "Compared with": basis,
            "Missing reason": col(C.MISSING_REASON),
            "Value note": col(C.VALUE_NOTE),
        }
    )
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as UTF-8 CSV (with BOM, so Excel opens it correctly); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def csv_link(
    frame: pd.DataFrame,
    csv_name: str,
    output_dir: str | Path | None = None,
    label: str = "Download this table (CSV)",
) -> tuple[Html, Path | None]:
    """Write the CSV beside the HTML (``output_dir``) and link it, or embed it as a data URI.

    Returns the link markup and the written path (``None`` when embedded).
    """
    if not csv_name.endswith(".csv"):
        csv_name = f"{csv_name}.csv"
    if output_dir is not None:
        path = write_csv(frame, Path(output_dir) / csv_name)
        href = csv_name
    else:
        path = None
        data = frame.to_csv(index=False).encode("utf-8")
        href = "data:text/csv;charset=utf-8;base64," + base64.b64encode(data).decode("ascii")
    link = tag(
        "p",
        tag("a", label, href=href, download=csv_name, class_="download"),
        class_="download-link",
    )
    return link, path


def indicator_table(
    summary: pd.DataFrame,
    *,
    title: str,
    csv_name: str,
    output_dir: str | Path | None = None,
    caption_note: str = RANK_CAPTION,
) -> Table:
    """The indicator table for one section, with its CSV download.

    Parameters
    ----------
    summary : pandas.DataFrame
        Rows of the indicator summary (:data:`rutland_jsna.analysis.columns.SUMMARY_COLUMNS`),
        in display order.
    title : str
        Table title, printed in the ``<caption>``.
    csv_name : str
        File name of the CSV download (``"outcomes_p1.csv"``).
    output_dir : path, optional
        Folder of the chapter's HTML; the CSV is written there. ``None`` embeds it in the link.
    caption_note : str
        Sentence printed under the title in the caption.

    Returns
    -------
    Table
        ``_repr_html_`` gives the table, its notes and the download link; ``frame`` the CSV data.
    """
    ci_header, level = _ci_header(summary)
    header = list(INDICATOR_TABLE_HEADER)
    header[5] = ci_header
    rows = [_row_cells(row, level) for _, row in summary.iterrows()]
    caption = Html(
        f'<span class="table-title">{esc(title)}</span>'
        f'<span class="table-note">{esc(caption_note)}</span>'
    )
    if rows:
        table = data_table(header, rows, caption=caption, numeric=_NUMERIC, class_="indicators",
                           label=f"Table: {title}")
    else:
        table = tag("p", "There are no indicators in this section.")
    notes = []
    counts = pd.to_numeric(summary.get(C.COUNT, pd.Series(dtype=float)), errors="coerce")
    flags = pd.Series(False, index=summary.index)
    for name in (C.COUNT_SUPPRESSED, C.SUPPRESSED):
        if name in summary:
            flags |= summary[name].fillna(False).astype(bool)
    if flags.any() or ((counts > 0) & (counts <= 4)).any():
        notes.append(SUPPRESSED_NOTE)
    if C.SMALL_NUMBERS in summary and summary[C.SMALL_NUMBERS].fillna(False).astype(bool).any():
        notes.append(SMALL_NUMBERS_NOTE)
    frame = indicator_table_csv(summary)
    link, path = csv_link(frame, csv_name, output_dir)
    note_html = Html("".join(f'<p class="table-footnote">{esc(n)}</p>' for n in notes))
    markup = tag("div", [table, note_html, link], class_="table-wrap")
    return Table(markup.markup, frame, path)


def frame_table(
    frame: pd.DataFrame,
    *,
    caption: str,
    decimals: int | Sequence[int | None] | None = 1,
    csv_name: str | None = None,
    output_dir: str | Path | None = None,
) -> Table:
    """Any small data frame as an accessible table (first column as row header).

    Numbers are formatted to ``decimals`` places (``None`` for whole numbers with thousands
    separators); missing cells show ``Null``. With ``csv_name`` a download link is added.
    """
    ncol = frame.shape[1]
    if decimals is None or isinstance(decimals, int):
        decimals_list: list[int | None] = [decimals] * ncol
    else:
        decimals_list = list(decimals)
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    rows = []
    for values in frame.itertuples(index=False):
        cells = []
        for i, v in enumerate(values):
            if is_missing(v):
                cells.append(missing_html())
            elif numeric[i] and not isinstance(v, bool):
                d = decimals_list[i]
                cells.append(f"{round(float(v)):,}" if d is None else format_number(v, d))
            else:
                cells.append(str(v))
        rows.append(cells)
    table = data_table([str(c) for c in frame.columns], rows, caption=caption, numeric=numeric)
    path = None
    parts: list[Html] = [table]
    if csv_name:
        link, path = csv_link(frame, csv_name, output_dir)
        parts.append(link)
    markup = tag("div", parts, class_="table-wrap")
    return Table(markup.markup, frame, path)
