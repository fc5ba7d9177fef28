"""Indicator tables: columns, formatting, Null with reasons, suppression, escaping, CSV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rutland_jsna.analysis import columns as C
from rutland_jsna.report.tables import (
    INDICATOR_TABLE_HEADER,
    RANK_CAPTION,
    csv_link,
    frame_table,
    indicator_table,
    indicator_table_csv,
)


def summary_rows(**overrides) -> pd.DataFrame:
    base = {name: [pd.NA] for name in C.SUMMARY_COLUMNS}
    base.update(
        {
            C.KEY: ["k1"], C.SECTION: ["P1"], C.ORDER: [1],
            C.INDICATOR: ["C04 - Low birth weight of term babies"], C.SEX: ["P"],
            C.AGE: [">=37 weeks gestational age at birth"], C.PERIOD: ["2021"],
            C.VALUE: [4602.84], C.LOWER_CI: [4500.0], C.UPPER_CI: [4700.04], C.COUNT: [1262.0],
            C.UNIT: ["per 100,000"], C.POLARITY: ["Low is good"], C.RANK: [10], C.N_RANKED: [16],
            C.BEST: [1.6], C.WORST: [2.8], C.ENGLAND: [2.8], C.COMPARISON: ["Worse"],
            C.COMPARISON_BASIS: ["England"], C.TREND: ["Decreasing and getting better"],
            C.SUPPRESSED: [False], C.SMALL_NUMBERS: [False], C.MISSING_REASON: [""],
            C.CI_LEVEL: [0.95], C.COUNT_SUPPRESSED: [False],
        }
    )
    for k, v in overrides.items():
        base[k] = v if isinstance(v, list) else [v]
    n = max(len(v) for v in base.values())
    return pd.DataFrame({k: (v * n if len(v) == 1 else v) for k, v in base.items()})


def test_header_in_chapter_order():
    html = indicator_table(summary_rows(), title="T", csv_name="t").markup
    idx = [html.index(f">{h}</th>") for h in INDICATOR_TABLE_HEADER]
    assert idx == sorted(idx)
    assert RANK_CAPTION in html and "<caption>" in html


def test_values_formatted():
    html = indicator_table(summary_rows(), title="T", csv_name="t").markup
    for text in ("4,602.8", "4,500.0 to 4,700.0", "1,262", "10/16", "1.6", "2.8", "Worse",
                 "Decreasing and getting better", "low is good"):
        assert text in html, text


def test_missing_value_shows_null_with_reason_never_nan():
    s = summary_rows(**{C.VALUE: np.nan, C.LOWER_CI: np.nan, C.UPPER_CI: np.nan,
                        C.RANK: pd.NA, C.N_RANKED: pd.NA, C.BEST: np.nan, C.WORST: np.nan,
                        C.ENGLAND: np.nan, C.COUNT: np.nan, C.COMPARISON: "Not compared",
                        C.TREND: "Cannot be calculated",
                        C.MISSING_REASON: "no data for this period"})
    html = indicator_table(s, title="T", csv_name="t").markup
    assert "no data for this period" in html
    assert html.count(">Null<") >= 6
    assert "no England value" not in html  # the whole row is missing: one reason only
    with_value = summary_rows(**{C.ENGLAND: np.nan})
    assert "no England value" in indicator_table(with_value, title="T", csv_name="t").markup
    for bad in ("nan", "None", "<NA>"):
        assert bad not in html.replace("Cannot", "")


def test_suppressed_counts_star_and_note():
    s = summary_rows(**{C.COUNT: [3.0, 120.0, np.nan], C.COUNT_SUPPRESSED: [False, False, True],
                        C.KEY: ["a", "b", "c"]})
    t = indicator_table(s, title="T", csv_name="t")
    assert t.markup.count(">*<") == 2
    assert "disclosure control" in t.markup
    assert list(t.frame["Count"]) == ["*", "120", "*"]


def test_small_numbers_flag_and_note():
    t = indicator_table(summary_rows(**{C.SMALL_NUMBERS: True}), title="T", csv_name="t")
    assert "†" in t.markup and "fewer than 10 events" in t.markup


def test_indicator_name_with_script_is_escaped():
    s = summary_rows(**{C.INDICATOR: "<script>alert(1)</script>", C.AGE: "<18 yrs"})
    t = indicator_table(s, title="<b>title</b>", csv_name="t")
    assert "<script>" not in t.markup and "&lt;script&gt;" in t.markup
    assert "&lt;18 yrs" in t.markup and "&lt;b&gt;title" in t.markup


def test_goal_and_quintile_comparisons():
    s = summary_rows(**{C.COMPARISON: ["Red", "Better"], C.COMPARISON_BASIS: ["goal", "national quintiles"],
                        C.KEY: ["a", "b"]})
    t = indicator_table(s, title="T", csv_name="t")
    assert "Worse than goal" in t.markup and "2nd best quintile" in t.markup
    assert list(t.frame["Comparison"]) == ["Worse than goal", "2nd best quintile"]


def test_ci_level_header_follows_levels():
    s = summary_rows(**{C.CI_LEVEL: [0.95, 0.998], C.KEY: ["a", "b"]})
    html = indicator_table(s, title="T", csv_name="t").markup
    assert ">95% CI</th>" in html and "99.8%: 4,500.0 to 4,700.0" in html


def test_csv_written_next_to_html_and_linked(tmp_path):
    t = indicator_table(summary_rows(), title="T", csv_name="outcomes_p1", output_dir=tmp_path)
    assert t.csv_path == tmp_path / "outcomes_p1.csv"
    back = pd.read_csv(t.csv_path, encoding="utf-8-sig")
    assert back.loc[0, "Indicator"] == "C04 - Low birth weight of term babies"
    assert back.loc[0, "Value"] == pytest.approx(4602.84)
    assert 'href="outcomes_p1.csv"' in t.markup and "Download this table (CSV)" in t.markup


def test_csv_embedded_without_output_dir():
    link, path = csv_link(pd.DataFrame({"a": [1]}), "x.csv")
    assert path is None and "data:text/csv;charset=utf-8;base64," in link.markup
    assert 'download="x.csv"' in link.markup


def test_csv_frame_columns_are_fixed():
    frame = indicator_table_csv(summary_rows())
    assert list(frame.columns)[:6] == ["Indicator", "Fingertips ID", "Sex", "Age", "Period", "Value"]
    assert frame.loc[0, "Count"] == "1262"


def test_empty_section_says_so():
    t = indicator_table(summary_rows().iloc[0:0], title="T", csv_name="t")
    assert "no indicators" in t.markup


def test_frame_table_formats_and_nulls(tmp_path):
    f = pd.DataFrame({"Area": ["A", "<B>"], "Value": [1234.56, np.nan], "Count": [12000, 3]})
    t = frame_table(f, caption="Cap", decimals=[None, 1, None], csv_name="f", output_dir=tmp_path)
    assert "1,234.6" in t.markup and "Null" in t.markup and "12,000" in t.markup
    assert "&lt;B&gt;" in t.markup and (tmp_path / "f.csv").exists()
