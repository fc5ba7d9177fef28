"""Stored summaries and changes since the previous release."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rutland_jsna.analysis import columns as C
from rutland_jsna.analysis.changes import (
    CHANGE_COLUMNS,
    changes_since,
    load_previous_summary,
    read_summary_csv,
    write_summary_csv,
)


def summary(**overrides) -> pd.DataFrame:
    base = {c: [pd.NA, pd.NA] for c in C.SUMMARY_COLUMNS}
    base.update({
        C.KEY: ["a", "b"], C.SECTION: ["P1", "P1"], C.ORDER: [1, 2], C.INDICATOR: ["A", "B"],
        C.SEX: ["P", "F"], C.AGE: ["All ages", "65+ yrs"], C.PERIOD: ["2021", "2021/22"],
        C.VALUE: [10.04, 20.0], C.COMPARISON: ["Similar", "Worse"],
        C.COMPARISON_BASIS: ["England", "England"],
        C.TREND: ["No significant change", "Cannot be calculated"],
        C.RANK: [1, 2], C.N_RANKED: [16, 16], C.SUPPRESSED: [False, False],
        C.SMALL_NUMBERS: [False, True], C.COUNT_SUPPRESSED: [False, False],
    })
    base.update({k: v for k, v in overrides.items()})
    return pd.DataFrame(base)


def test_round_trip(tmp_path):
    s = summary()
    path = write_summary_csv(s, tmp_path / "outcomes_summary.csv", "E06000017")
    back = read_summary_csv(path)
    assert list(back.columns) == ["area_code", *C.SUMMARY_COLUMNS]
    assert back.loc[0, C.VALUE] == 10.04 and back.loc[1, C.SMALL_NUMBERS]
    assert back.loc[0, C.RANK] == 1 and str(back[C.RANK].dtype) == "Int64"


def test_no_change_at_one_decimal():
    assert changes_since(summary(), summary(**{C.VALUE: [10.01, 20.0]})).empty


def test_changes_listed():
    cur = summary(**{
        C.KEY: ["a", "c"], C.INDICATOR: ["A", "C"], C.PERIOD: ["2022", "2021"],
        C.VALUE: [12.0, 1.0], C.COMPARISON: ["Worse", "Better"],
        C.TREND: ["Increasing and getting worse", "No significant change"],
    })
    ch = changes_since(summary(), cur)
    assert list(ch.columns) == list(CHANGE_COLUMNS)
    got = list(zip(ch["key"], ch["change"], ch["previous"], ch["current"], strict=True))
    assert ("a", "New period", "2021", "2022") in got
    assert ("a", "Value", "10.0", "12.0") in got
    assert ("a", "Comparison", "Similar", "Worse") in got
    assert ("a", "Direction of travel", "No significant change",
            "Increasing and getting worse") in got
    assert ("c", "Indicator added", "", "2021") in got
    assert ("b", "Indicator removed", "2021/22", "") in got


def test_missing_value_change_shows_null():
    ch = changes_since(summary(), summary(**{C.VALUE: [np.nan, 20.0]}))
    assert list(ch["current"]) == ["Null"]


def test_load_previous_summary(tmp_path):
    assert load_previous_summary(tmp_path / "none", "outcomes", "2026-Q2", "E06000017") is None
    for label, area in (("2025-Q4", "E06000017"), ("2026-Q1", "E06000017"),
                        ("2026-Q3", "E06000017"), ("2025-Q1", "E10000003")):
        write_summary_csv(summary(), tmp_path / label / "outcomes_summary.csv", area)
    (tmp_path / ".2026-Q2.building-x").mkdir()
    write_summary_csv(summary(), tmp_path / "_failed" / "outcomes_summary.csv", "E06000017")
    label, table = load_previous_summary(tmp_path, "outcomes", "2026-Q2", "E06000017")
    assert label == "2026-Q1" and "area_code" not in table
    label, _ = load_previous_summary(tmp_path, "outcomes", "2025-Q2", "E10000003")
    assert label == "2025-Q1"
    assert load_previous_summary(tmp_path, "oral_health", "2026-Q2", "E06000017") is None


def test_previous_release_is_the_latest_earlier_one_never_a_later_one(tmp_path):
    for label in ("2026-Q2", "2026-Q10", "2027-Q1"):
        write_summary_csv(summary(), tmp_path / label / "outcomes_summary.csv", "E06000017")
    # 2026-Q10 sorts after 2026-Q9 (digits compared as numbers)
    assert load_previous_summary(tmp_path, "outcomes", "2026-Q11", "E06000017")[0] == "2026-Q10"
    assert load_previous_summary(tmp_path, "outcomes", "2026-Q9", "E06000017")[0] == "2026-Q2"
    # rebuilding the oldest release: nothing earlier, and the later ones are not "previous"
    assert load_previous_summary(tmp_path, "outcomes", "2026-Q1", "E06000017") is None


def test_previous_release_found_in_all_area_releases(tmp_path):
    from rutland_jsna.analysis.changes import (
        find_previous_summary,
        release_sort_key,
        release_summary_paths,
    )

    write_summary_csv(summary(), tmp_path / "2026-Q1" / "outcomes_summary.csv", "E06000017")
    for area in ("E06000017", "E10000003"):
        write_summary_csv(summary(**{C.VALUE: [11.0, 20.0]}),
                          tmp_path / "2026-Q2" / "areas" / area / "outcomes_summary.csv", area)
    label, table = load_previous_summary(tmp_path, "outcomes", "2026-Q3", "E10000003")
    assert label == "2026-Q2" and table[C.VALUE].iloc[0] == 11.0
    label, path = find_previous_summary(tmp_path, "outcomes", "2026-Q2", "E06000017")
    assert label == "2026-Q1" and path == tmp_path / "2026-Q1" / "outcomes_summary.csv"
    assert find_previous_summary(tmp_path, "outcomes", "2026-Q2", "E10000003") is None
    assert sorted(release_summary_paths(tmp_path / "2026-Q2")) == [
        ("outcomes", "E06000017"), ("outcomes", "E10000003")]
    assert list(release_summary_paths(tmp_path / "2026-Q1")) == [("outcomes", "E06000017")]
    assert release_sort_key("2026-Q2") < release_sort_key("2026-Q10")
