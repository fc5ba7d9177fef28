"""Tidy schema (rutland_jsna.data.schema) and processed store (rutland_jsna.data.store).

Every rule gets a small bad CSV in tmp_path and a test that the message names the file, the
spreadsheet row (header = row 1), the column and the rule. No test touches the network or
../shared.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rutland_jsna.data.columns import BULK_CSV_HEADER, KEY_COLUMNS, TIDY_COLUMNS, bulk_header
from rutland_jsna.data.errors import ChecksumMismatchError, DataValidationError
from rutland_jsna.data.schema import is_fingertips_age, tidy_schema, validate_tidy
from rutland_jsna.data.store import (
    ProcessedChecksumError,
    processed_paths,
    read_bulk_csv,
    read_processed,
    write_processed,
)

HEADER = bulk_header("Region")

# The illustrative fixture of fingertips_api.md §7.3 (values invented, schema exact).
GOOD_ROWS = [
    "90776,Chlamydia screening coverage (illustrative),,,E92000001,England,England,Female,15-24 yrs,,,2023,20.0,19.96,20.04,19.93,20.07,700000,3500000,,No significant change,Not compared,Not compared,20230000,New data,Amber,1y",
    "90776,Chlamydia screening coverage (illustrative),E92000001,England,E12000004,East Midlands region,Region,Female,15-24 yrs,,,2023,18.5,18.3,18.7,18.2,18.8,50000,270270,,Decreasing and getting worse,Worse,Not compared,20230000,New data,Red,1y",
    "90776,Chlamydia screening coverage (illustrative),E12000004,East Midlands region,E06000017,Rutland,Counties & UAs (from Apr 2023),Female,15-24 yrs,,,2023,16.0,14.4,17.7,13.6,18.7,320,2000,,No significant change,Worse,Similar,20230000,New data,Red,1y",
    "90776,Chlamydia screening coverage (illustrative),E12000004,East Midlands region,E06000017,Rutland,Counties & UAs (from Apr 2023),Female,15-24 yrs,,,2022,,,,,,,,Value suppressed for disclosure control due to small count,,Not compared,Not compared,20220000,,,1y",
]


def _rows() -> list[list[str]]:
    return [next(csv.reader([r])) for r in GOOD_ROWS]


def _write(path: Path, rows: list[list[str]], header: list[str] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header or HEADER)
        w.writerows(rows)
    return path


def _set(rows: list[list[str]], i: int, col: str, value: str) -> list[list[str]]:
    rows[i][TIDY_COLUMNS.index(col)] = value
    return rows


@pytest.fixture
def good_csv(tmp_path: Path) -> Path:
    return _write(tmp_path / "good.csv", _rows())


def _error_for(tmp_path: Path, rows: list[list[str]], name: str = "bad.csv") -> DataValidationError:
    path = _write(tmp_path / name, rows)
    with pytest.raises(DataValidationError) as info:
        read_bulk_csv(path)
    return info.value


def _one(err: DataValidationError, column: str):
    found = [f for f in err.failures if f.column == column]
    assert found, f"no failure for {column!r} in:\n{err}"
    return found[0]


# ---------------------------------------------------------------------------------------------
# Reading a good file
# ---------------------------------------------------------------------------------------------


def test_read_good_bulk_csv_types_and_columns(good_csv: Path):
    df = read_bulk_csv(good_csv)
    assert list(df.columns) == list(TIDY_COLUMNS)
    assert len(df) == 4
    assert df["indicator_id"].dtype == np.int64
    assert df["time_period_sortable"].dtype == np.int64
    for col in ("value", "lower_ci_95", "upper_ci_99_8", "count", "denominator"):
        assert df[col].dtype == np.float64
    assert pd.api.types.is_string_dtype(df["area_code"].dtype)
    assert df.loc[2, "value"] == 16.0
    assert pd.isna(df.loc[0, "parent_code"])  # blank parent on England rows
    assert pd.isna(df.loc[3, "value"])
    assert df.loc[1, "compared_to_parent"] == "Not compared"


def test_parent_column_named_from_parent_type_or_percentiles(tmp_path: Path):
    path = _write(tmp_path / "eng_parent.csv", _rows(), header=bulk_header(None))
    df = read_bulk_csv(path)
    assert df["compared_to_parent"].tolist()[2] == "Similar"


def test_old_target_data_header_is_compared_to_goal(tmp_path: Path):
    header = [("Target data" if h == "Compared to goal" else h) for h in HEADER]
    df = read_bulk_csv(_write(tmp_path / "old.csv", _rows(), header=header))
    assert df["compared_to_goal"].tolist()[:3] == ["Amber", "Red", "Red"]


def test_utf8_bom_and_blank_lines_keep_row_numbers(tmp_path: Path):
    rows = _set(_rows(), 3, "sex", "F")
    path = tmp_path / "bom.csv"
    lines = [",".join(f'"{c}"' if "," in c else c for c in HEADER)]
    lines += [",".join(r) for r in rows[:2]] + [""] + [",".join(r) for r in rows[2:]]
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        read_bulk_csv(path)
    # header row 1, data rows 2-3, blank row 4, data rows 5-6: the bad row is row 6
    assert _one(info.value, "sex").rows == (6,)


# ---------------------------------------------------------------------------------------------
# Header errors
# ---------------------------------------------------------------------------------------------


def test_missing_column_names_file_and_column(tmp_path: Path):
    header = [h for h in HEADER if h != "Time period Sortable"]
    rows = [
        r[: TIDY_COLUMNS.index("time_period_sortable")]
        + r[TIDY_COLUMNS.index("time_period_sortable") + 1 :]
        for r in _rows()
    ]
    path = _write(tmp_path / "missing.csv", rows, header=header)
    with pytest.raises(
        DataValidationError,
        match=r"missing\.csv: column 'Time period Sortable': required bulk-CSV column is missing \(tidy name 'time_period_sortable'\)",
    ):
        read_bulk_csv(path)


def test_renamed_column_is_reported_as_unknown_and_missing(tmp_path: Path):
    header = [("Lower CI 95 limit" if h == "Lower CI 95.0 limit" else h) for h in HEADER]
    path = _write(tmp_path / "renamed.csv", _rows(), header=header)
    with pytest.raises(DataValidationError) as info:
        read_bulk_csv(path)
    msg = str(info.value)
    assert (
        "renamed.csv: column 'Lower CI 95.0 limit': required bulk-CSV column is missing "
        "(tidy name 'lower_ci_95'); columns not recognised (renamed?): 'Lower CI 95 limit'"
    ) in msg


def test_extra_unknown_column_is_ignored(tmp_path: Path):
    rows = [[*r, "x"] for r in _rows()]
    df = read_bulk_csv(_write(tmp_path / "extra.csv", rows, header=[*HEADER, "Something new"]))
    assert list(df.columns) == list(TIDY_COLUMNS)


def test_two_goal_columns_are_a_duplicate(tmp_path: Path):
    header = [*HEADER, "Target data"]
    rows = [[*r, "Red"] for r in _rows()]
    path = _write(tmp_path / "twice.csv", rows, header=header)
    with pytest.raises(
        DataValidationError, match=r"column 'Target data': column duplicates 'Compared to goal'"
    ):
        read_bulk_csv(path)


def test_missing_file_is_file_not_found(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        read_bulk_csv(tmp_path / "nope.csv")


# ---------------------------------------------------------------------------------------------
# Row rules: one bad CSV each; message names file, row, column and rule
# ---------------------------------------------------------------------------------------------

ROW_CASES = [
    # (row index, column, bad value, failure column, message regex)
    (2, "indicator_id", "abc", "indicator_id", r"must be a whole number"),
    (2, "indicator_id", "90776.5", "indicator_id", r"must be a whole number"),
    (1, "value", "high", "value", r"must be a number"),
    (2, "count", "-3", "count", r"count must be >= 0"),
    (2, "denominator", "-1", "denominator", r"denominator must be >= 0"),
    (2, "sex", "Women", "sex", r"sex must be one of 'Persons', 'Male', 'Female'"),
    (2, "age", "15 to 24", "age", r"age must be a Fingertips age"),
    (2, "area_type", "ICBs", "area_type", r"area_type must be one of"),
    (2, "area_code", "E07000001", "area_code", r"area_code must be E92000001"),
    (2, "parent_code", "X12000004", "parent_code", r"parent_code must be blank, E92000001"),
    (2, "area_code", "E12000004", "area_code, area_type", r"area_code must agree with area_type"),
    (
        2,
        "compared_to_england",
        "Significantly worse",
        "compared_to_england",
        r"compared_to_england must be one of",
    ),
    (2, "compared_to_parent", "Bad", "compared_to_parent", r"compared_to_parent must be one of"),
    (
        2,
        "compared_to_goal",
        "Blue",
        "compared_to_goal",
        r"compared_to_goal must be one of 'Green', 'Amber', 'Red', 'Not compared'",
    ),
    (2, "recent_trend", "Going up", "recent_trend", r"recent_trend must be one of"),
    (2, "new_data", "yes", "new_data", r"new_data must be one of 'New data'"),
    (2, "area_name", "", "area_name", r"must not be blank \(required column\)"),
    (2, "time_period_sortable", "20231300", "time_period_sortable", r"must be YYYYQQMM"),
    (2, "category_type", "Deprivation", "category_type, category", r"both blank or both filled"),
    (
        2,
        "lower_ci_95",
        "18",
        "lower_ci_95, upper_ci_95",
        r"lower_ci_95 <= upper_ci_95",
    ),
    (
        2,
        "upper_ci_95",
        "14.0",
        "lower_ci_95, upper_ci_95",
        r"lower_ci_95 <= upper_ci_95",
    ),
    (
        2,
        "upper_ci_99_8",
        "13.0",
        "lower_ci_99_8, upper_ci_99_8",
        r"lower_ci_99_8 <= upper_ci_99_8",
    ),
    (
        2,
        "lower_ci_99_8",
        "19",
        "lower_ci_99_8, upper_ci_99_8",
        r"lower_ci_99_8 <= upper_ci_99_8",
    ),
]


@pytest.mark.parametrize(
    ("i", "col", "bad", "fcol", "rule"), ROW_CASES, ids=[f"{c[1]}={c[2]}" for c in ROW_CASES]
)
def test_each_rule_names_file_row_column_rule(tmp_path: Path, i, col, bad, fcol, rule):
    err = _error_for(tmp_path, _set(_rows(), i, col, bad))
    failure = _one(err, fcol)
    assert failure.file == "bad.csv"
    assert failure.rows == (i + 2,)
    assert re.search(rule, failure.rule), failure.rule
    line = failure.describe()
    assert line.startswith(f"bad.csv: column '{fcol}' rows {i + 2}: ")
    assert f"bad.csv: column '{fcol}' rows {i + 2}: " in str(err)


def test_missing_value_only_needs_lower_le_upper(tmp_path: Path):
    rows = _set(_rows(), 2, "value", "")
    read_bulk_csv(_write(tmp_path / "ok.csv", rows))  # 14.4 <= 17.7: fine
    rows = _set(rows, 2, "lower_ci_95", "18")
    err = _error_for(tmp_path, rows)
    assert _one(err, "lower_ci_95, upper_ci_95").rows == (4,)


@pytest.mark.parametrize(("col", "value"), [("lower_ci_95", "16.5"), ("upper_ci_95", "15.0"),
                                            ("upper_ci_99_8", "15.5"), ("lower_ci_99_8", "14.5")])
def test_value_outside_its_interval_is_valid_and_flagged(tmp_path: Path, col, value):
    """Fingertips publishes rows whose value misses its own interval (93124, 93701): valid,
    stored as published, flagged by interval_flags."""
    from rutland_jsna.data.schema import interval_flags

    df = read_bulk_csv(_write(tmp_path / "odd.csv", _set(_rows(), 2, col, value)))
    flags = interval_flags(df, "odd.csv")
    assert flags and {f.rows for f in flags} == {(4,)}
    assert all("kept as published" in f.rule for f in flags)


def test_all_failures_reported_at_once(tmp_path: Path):
    rows = _rows()
    _set(rows, 0, "sex", "X")
    _set(rows, 1, "count", "-1")
    _set(rows, 2, "lower_ci_95", "99")
    _set(rows, 3, "indicator_id", "x")
    err = _error_for(tmp_path, rows)
    cols = {f.column for f in err.failures}
    assert {"sex", "count", "lower_ci_95, upper_ci_95", "indicator_id"} <= cols
    assert str(err).startswith("bad.csv: 4 validation rules broken; nothing was written")


def test_bad_number_is_not_also_reported_as_blank(tmp_path: Path):
    err = _error_for(tmp_path, _set(_rows(), 2, "time_period_sortable", "2023"))
    assert [f.rule for f in err.failures if f.column == "time_period_sortable"] == [
        "time_period_sortable must be YYYYQQMM (year 1900-2100, quarter 00-04, month 00-12)"
    ]
    err = _error_for(tmp_path, _set(_rows(), 2, "time_period_sortable", "soon"))
    assert [f.rule for f in err.failures] == ["must be a whole number"]


def test_rows_listed_for_several_bad_rows(tmp_path: Path):
    rows = _rows()
    for i in (0, 2, 3):
        _set(rows, i, "age", "adults")
    err = _error_for(tmp_path, rows)
    assert _one(err, "age").rows == (2, 4, 5)
    assert "column 'age' rows 2, 4, 5:" in str(err)


def test_duplicate_keys_are_named_with_rows(tmp_path: Path):
    rows = _rows()
    rows.append(list(rows[2]))  # Rutland 2023 again, row 6
    rows.append(list(rows[0]))  # England 2023 again, row 7
    err = _error_for(tmp_path, rows)
    dups = [f for f in err.failures if f.rule.startswith("duplicate key")]
    assert len(dups) == 2
    assert dups[0].rows == (2, 7)
    assert "area_code='E92000001'" in dups[0].rule
    assert dups[1].rows == (4, 6)
    assert (
        "duplicate key (indicator_id=90776, area_code='E06000017', sex='Female', age='15-24 yrs', "
        "time_period_sortable=20230000, time_period_range='1y') appears 2 times"
    ) in dups[1].rule
    assert dups[1].column == ", ".join(KEY_COLUMNS)


def test_duplicate_keys_with_category_differ_only_by_category_are_fine(tmp_path: Path):
    rows = _rows()
    extra = list(rows[2])
    _set([extra], 0, "category_type", "Deprivation")
    _set([extra], 0, "category", "Most deprived decile")
    rows.append(extra)
    read_bulk_csv(_write(tmp_path / "cat.csv", rows))


@pytest.mark.parametrize(
    ("age", "ok"),
    [
        ("All ages", True),
        ("15-24 yrs", True),
        ("65+ yrs", True),
        ("<18 yrs", True),
        ("0-4 yrs", True),
        ("Newborn", True),
        ("School age", True),
        ("18+ yrs", True),
        ("5 yrs", True),
        ("<1 yr", True),
        ("2-2.5 yrs", True),
        ("6-8 weeks", True),
        ("Not applicable", True),
        ("Primary school age", True),
        ("<75 yrs", True),
        (">=65 yrs", True),
        ("15-24", False),
        ("15 - 24 yrs", False),
        ("all ages", False),
        ("65+", False),
        ("<18+ yrs", False),
        ("", False),
    ],
)
def test_age_rule(age: str, ok: bool):
    assert is_fingertips_age(age) is ok


# ---------------------------------------------------------------------------------------------
# validate_tidy on frames
# ---------------------------------------------------------------------------------------------


def test_validate_tidy_frame_rows_count_from_2(good_csv: Path):
    df = read_bulk_csv(good_csv)
    bad = df.copy()
    bad.index = [10, 20, 30, 40]
    bad.loc[30, "sex"] = "Unknown"
    with pytest.raises(
        DataValidationError, match=r"frame.csv: column 'sex' rows 4: sex must be one of"
    ):
        validate_tidy(bad, source="frame.csv")


def test_validate_tidy_reports_missing_and_extra_columns(good_csv: Path):
    df = read_bulk_csv(good_csv).drop(columns=["new_data"]).assign(extra=1)
    with pytest.raises(DataValidationError) as info:
        validate_tidy(df, source="x.csv")
    msg = str(info.value)
    assert "x.csv: column 'new_data': required column is missing" in msg
    assert "x.csv: column 'extra': unexpected column" in msg


def test_validate_tidy_does_not_modify_input(good_csv: Path):
    df = read_bulk_csv(good_csv)
    text = df.astype(object).astype(str)
    before = text.copy()
    validate_tidy(text)
    pd.testing.assert_frame_equal(text, before)


def test_tidy_schema_accepts_validated_frame(good_csv: Path):
    df = read_bulk_csv(good_csv)
    tidy_schema().validate(df, lazy=True)


def test_ci_tolerance_absorbs_float_noise(tmp_path: Path):
    rows = _set(_rows(), 2, "lower_ci_95", repr(16.0 + 1e-12))
    read_bulk_csv(_write(tmp_path / "noise.csv", rows))


def test_validate_tidy_rejects_non_frame():
    with pytest.raises(TypeError, match="expected a pandas DataFrame"):
        validate_tidy([1, 2, 3])  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Processed store
# ---------------------------------------------------------------------------------------------

META = {"source": "unit test fixture", "is_demo": True, "input_checksums": {"good.csv": "0" * 64}}


def test_round_trip_gives_identical_rows(tmp_path: Path, good_csv: Path):
    df = read_bulk_csv(good_csv)
    # awkward but legal values: long floats, quotes, commas, a text "NA"
    df.loc[2, "value"] = 16.123456789012345
    df.loc[2, "upper_ci_95"] = 17.700000000000003
    df.loc[3, "value_note"] = 'NA, "quoted", and ünïcode'
    out = tmp_path / "processed"
    path = write_processed(df, "sexual_health", META, directory=out)
    assert path == out / "sexual_health.csv"
    back, meta = read_processed("sexual_health", directory=out)
    pd.testing.assert_frame_equal(back, df, check_exact=True)
    assert meta.rows == 4
    assert meta.is_demo is True
    assert meta.source == "unit test fixture"
    assert meta.input_checksums == {"good.csv": "0" * 64}
    assert len(meta.sha256) == 64
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", meta.created_at)
    side = json.loads((out / "sexual_health.json").read_text())
    assert side["sha256"] == meta.sha256
    assert {
        "source",
        "is_demo",
        "created_at",
        "sha256",
        "rows",
        "package_version",
        "input_checksums",
    } <= side.keys()


def test_write_validates_first_and_writes_nothing_on_failure(tmp_path: Path, good_csv: Path):
    df = read_bulk_csv(good_csv)
    df.loc[1, "count"] = -5.0
    out = tmp_path / "processed"
    with pytest.raises(
        DataValidationError, match=r"bad_table.csv: column 'count' rows 3: count must be >= 0"
    ):
        write_processed(df, "bad_table", META, directory=out)
    assert not out.exists() or list(out.iterdir()) == []


def test_failed_write_keeps_previous_table(tmp_path: Path, good_csv: Path):
    df = read_bulk_csv(good_csv)
    out = tmp_path / "processed"
    write_processed(df, "t", META, directory=out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = df.copy()
    bad.loc[0, "sex"] = "?"
    with pytest.raises(DataValidationError):
        write_processed(bad, "t", META, directory=out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_no_temporary_files_left(tmp_path: Path, good_csv: Path):
    out = tmp_path / "p"
    write_processed(read_bulk_csv(good_csv), "t", META, directory=out)
    assert sorted(p.name for p in out.iterdir()) == ["t.csv", "t.json"]


def test_corrupted_processed_file_is_a_checksum_error(tmp_path: Path, good_csv: Path):
    out = tmp_path / "p"
    path = write_processed(read_bulk_csv(good_csv), "t", META, directory=out)
    path.write_text(path.read_text().replace("16.0", "61.0"))
    with pytest.raises(
        ProcessedChecksumError, match=r"t\.csv: checksum mismatch \(sidecar sha256 .*rebuild"
    ):
        read_processed("t", directory=out)
    assert issubclass(ProcessedChecksumError, ChecksumMismatchError)


def test_truncated_processed_file_is_a_checksum_error(tmp_path: Path, good_csv: Path):
    out = tmp_path / "p"
    path = write_processed(read_bulk_csv(good_csv), "t", META, directory=out)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(ProcessedChecksumError):
        read_processed("t", directory=out)


def test_missing_processed_table(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match=r"processed table 'absent' not found"):
        read_processed("absent", directory=tmp_path)


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"is_demo": True}, r"'source' is required"),
        ({"source": "x"}, r"'is_demo' is required and must be True or False"),
        ({"source": "x", "is_demo": "yes"}, r"'is_demo' is required"),
        ({"source": "x", "is_demo": False, "is_dmeo": 1}, r"unknown keys 'is_dmeo'"),
        (
            {"source": "x", "is_demo": False, "input_checksums": {"a.csv": "abc"}},
            r"'a.csv'.*sha256",
        ),
    ],
)
def test_bad_metadata_rejected_before_writing(tmp_path: Path, good_csv: Path, meta, message):
    df = read_bulk_csv(good_csv)
    with pytest.raises(ValueError, match=message):
        write_processed(df, "t", meta, directory=tmp_path / "p")
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("name", ["../escape", "a/b", "", "with space", ".hidden"])
def test_bad_table_names_rejected(tmp_path: Path, name: str):
    with pytest.raises(ValueError, match="not a valid processed table name"):
        processed_paths(name, tmp_path)


def test_default_directory_is_config_processed_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RUTLAND_JSNA_HOME", str(tmp_path))
    csv_path, json_path = processed_paths("x")
    assert csv_path == tmp_path / "data" / "processed" / "x.csv"
    assert json_path == tmp_path / "data" / "processed" / "x.json"


def test_bulk_header_constant_has_27_columns():
    assert len(BULK_CSV_HEADER) == 27 == len(HEADER)


# ---------------------------------------------------------------------------------------------
# Property: any valid frame survives the processed round trip unchanged
# ---------------------------------------------------------------------------------------------


_finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
_text = st.text(min_size=1, max_size=30).filter(lambda s: s.strip() != "")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    limits=st.lists(_finite, min_size=5, max_size=5).map(sorted),
    count=st.floats(min_value=0, max_value=1e9, allow_nan=False),
    note=_text,
    name=_text,
)
def test_round_trip_property(tmp_path: Path, limits, count, note, name):
    rows = _rows()
    lo998, lo95, value, up95, up998 = (repr(x) for x in limits)
    for col, v in zip(
        ("lower_ci_99_8", "lower_ci_95", "value", "upper_ci_95", "upper_ci_99_8"),
        (lo998, lo95, value, up95, up998),
        strict=True,
    ):
        _set(rows, 2, col, v)
    _set(rows, 2, "count", repr(count))
    df = read_bulk_csv(_write(tmp_path / "prop.csv", rows))
    df.loc[3, "value_note"] = note
    df.loc[2, "indicator_name"] = name
    out = tmp_path / "p"
    write_processed(df, "prop", META, directory=out)
    back, _ = read_processed("prop", directory=out)
    pd.testing.assert_frame_equal(back, validate_tidy(df), check_exact=True)
