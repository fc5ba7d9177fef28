"""Partial data: layouts, the screen (quarantine / flag / repeat), combining files, polarity
from the comparison words, 99.8% limits from count and denominator, the base URL."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rutland_jsna import cli
from rutland_jsna.analysis.limits import LIMITS_NOTE, fill_998_limits
from rutland_jsna.data import columns as C
from rutland_jsna.data.errors import DataValidationError
from rutland_jsna.data.fetch import import_files
from rutland_jsna.data.fingertips import BASE_URL_ENV, DEFAULT_BASE_URL, FingertipsClient
from rutland_jsna.data.layouts import map_header, time_period_range
from rutland_jsna.data.polarity import polarity_from_words
from rutland_jsna.data.quality import (
    DUPLICATE_KEY_RULE,
    FLAGGED,
    QUARANTINED,
    REPEAT,
    combine,
    read_issues,
    screen_bulk_csv,
)
from rutland_jsna.data.store import read_processed

REFERENCE = Path(__file__).resolve().parent / "data" / "pheindicatormethods"
HEADER = C.bulk_header("Region")
ROW = ("90776,Chlamydia (illustrative),E12000004,East Midlands region,{code},{name},"
       "Counties & UAs (from Apr 2023),Female,15-24 yrs,,,2023,{v},{lo},{up},,,320,2000,,,"
       "{cmp},,20230000,,,1y")
ENGLAND = ("90776,Chlamydia (illustrative),,,E92000001,England,England,Female,15-24 yrs,,,"
           "2023,20.0,19.96,20.04,,,700000,3500000,,,,,20230000,,,1y")


def _row(code="E06000017", name="Rutland", v="16.0", lo="14.4", up="17.7", cmp="Lower"):
    return ROW.format(code=code, name=name, v=v, lo=lo, up=up, cmp=cmp)


def _write(path: Path, lines, header=HEADER) -> Path:
    path.write_text(",".join(header) + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("period", "expected"), [
    ("2015", "1y"), ("2015/16", "1y"), ("2013 - 17", "5y"), ("2012 - 14", "3y"),
    ("2012/13 - 14/15", "3y"), ("2017 - 2019", "3y"), ("2019/20 Q1", "1q"),
    ("Jan 2020", "1m"), ("2098 - 02", "5y"), ("next year", None),
])
def test_time_period_range_from_the_period_text(period, expected):
    got = time_period_range(pd.Series([period])).iloc[0]
    assert (got if isinstance(got, str) else None) == expected


def test_26_column_header_derives_the_range():
    header = map_header(HEADER[:-1])
    assert header.missing == () and header.derived == (C.TIME_PERIOD_RANGE,)
    assert header.layout == "26-column (pre-2022)"
    assert map_header(HEADER).layout == "27-column bulk"
    assert map_header(HEADER[:-2]).missing == (C.COMPARED_TO_GOAL,)


def test_screen_quarantines_flags_and_repeats(tmp_path):
    lines = [
        ENGLAND,
        _row(),
        _row(),  # an exact repeat: stored once
        _row(code="E07000001", name="A district"),  # not an upper-tier area: quarantined
        _row(code="E06000015", name="Derby", v="12.0", lo="12.5", up="14.0"),  # value outside
        _row(code="E06000016", name="Leicester").replace("Female", "Unknown sex"),
    ]
    screened = screen_bulk_csv(_write(tmp_path / "download.csv", lines))
    issues = screened.issues
    assert screened.rows_read == 6 and len(screened.frame) == 3
    assert list(issues.loc[issues["action"] == REPEAT, "row"]) == [4]
    bad = issues[issues["action"] == QUARANTINED]
    assert sorted(set(bad["row"])) == [5, 7]
    assert set(bad.loc[bad["row"] == 7, "column"]) == {"sex"}
    assert "area_code" in set(bad.loc[bad["row"] == 5, "column"])
    flagged = issues[issues["action"] == FLAGGED]
    assert list(flagged["row"]) == [6] and list(flagged["area_code"]) == ["E06000015"]
    assert (issues["file"] == "download.csv").all()
    assert 12.0 in set(screened.frame[C.VALUE])  # flagged rows are stored as published


def test_a_header_missing_a_column_refuses_the_file(tmp_path):
    header = [h for h in HEADER if h != "Sex"]
    lines = [",".join(c for i, c in enumerate(ENGLAND.split(",")) if i != 7)]
    with pytest.raises(DataValidationError, match="required bulk-CSV column is missing"):
        screen_bulk_csv(_write(tmp_path / "bad.csv", lines, header))


def test_duplicate_keys_are_all_quarantined(tmp_path):
    lines = [ENGLAND, _row(), _row(v="16.5")]
    screened = screen_bulk_csv(_write(tmp_path / "dup.csv", lines))
    bad = screened.issues[screened.issues["action"] == QUARANTINED]
    assert list(bad["row"]) == [3, 4] and (bad["rule"] == DUPLICATE_KEY_RULE).all()
    assert len(screened.frame) == 1


def test_combine_files_first_wins_and_says_so(tmp_path):
    a = screen_bulk_csv(_write(tmp_path / "a.csv", [ENGLAND, _row()]))
    b = screen_bulk_csv(_write(tmp_path / "b.csv", [ENGLAND, _row(v="16.2")]))
    data, issues = combine([a, b])
    assert len(data) == 2 and set(data[C.VALUE]) == {20.0, 16.0}
    by_action = issues.groupby("action")["rule"].first()
    assert by_action[REPEAT] == "repeats a.csv row 2 exactly; stored once"
    assert by_action[QUARANTINED].startswith("same key as a.csv row 3, with other numbers")


def test_polarity_from_the_comparison_words():
    rows = []
    for ind, words in ((1, ["Better", "Worse"]), (2, ["Higher", "Lower"]), (3, ["Similar"]),
                       (4, ["Not compared", "Not compared"])):
        rows.append({C.INDICATOR_ID: ind, C.AREA_CODE: "E92000001", C.VALUE: 10.0,
                     C.COMPARED_TO_ENGLAND: None})
        for k, w in enumerate(words):
            rows.append({C.INDICATOR_ID: ind, C.AREA_CODE: f"E0600000{k + 1}",
                         C.VALUE: 5.0 if k == 0 else 15.0, C.COMPARED_TO_ENGLAND: w})
    frame = pd.DataFrame(rows)
    for col in C.TIDY_COLUMNS:
        if col not in frame:
            frame[col] = np.nan
    frame[C.LOWER_CI_95], frame[C.UPPER_CI_95] = frame[C.VALUE] - 1, frame[C.VALUE] + 1
    got = dict(polarity_from_words(frame).itertuples(index=False, name=None))
    # Better below England and Worse above: low is good
    assert got == {1: "Low is good", 2: "No judgement", 4: "Not applicable"}


@pytest.mark.parametrize(("name", "value_type", "ci_method", "multiplier"), [
    ("proportion_wilson.csv", "proportion", "wilson", 1.0),
    ("rate_byar_exact.csv", "crude_rate", "byar", 100000.0),
])
def test_missing_998_limits_are_computed_and_match_pheindicatormethods(
        name, value_type, ci_method, multiplier):
    ref = pd.read_csv(REFERENCE / name)
    rows = pd.DataFrame({
        C.VALUE: ref["value"], C.LOWER_CI_95: ref["lower_ci_95"],
        C.UPPER_CI_95: ref["upper_ci_95"], C.COUNT: ref["numerator"],
        C.DENOMINATOR: ref["denominator"], "lower": np.nan, "upper": np.nan,
        "ci_level": 0.998, "value_type": value_type, "ci_method": ci_method,
        "multiplier": multiplier,
    })
    rows = rows[rows[C.DENOMINATOR] > 0].reset_index(drop=True)
    ref = ref[ref["denominator"] > 0].reset_index(drop=True)
    out = fill_998_limits(rows, "lower", "upper")
    np.testing.assert_allclose(out["lower"], ref["lower_ci_99_8"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(out["upper"], ref["upper_ci_99_8"], rtol=1e-9, atol=1e-12)
    assert out[LIMITS_NOTE].str.contains("computed from the count and denominator").all()


def test_998_limits_are_not_invented():
    rows = pd.DataFrame({
        # 320 / 2000 with its Wilson interval as a download prints it (2 decimals), another
        # interval, and a directly standardised rate
        C.VALUE: [16.0, 16.0, 16.0], C.LOWER_CI_95: [14.46, 10.0, 14.46],
        C.UPPER_CI_95: [17.67, 22.0, 17.67], C.COUNT: [320, 320, 320],
        C.DENOMINATOR: [2000, 2000, 2000], "lower": np.nan, "upper": np.nan,
        "ci_level": 0.998, "value_type": ["proportion", "proportion", "dsr"],
        "ci_method": ["wilson", "wilson", "dobson"], "multiplier": 100.0,
    })
    out = fill_998_limits(rows, "lower", "upper")
    assert out["lower"].notna().tolist() == [True, False, False]
    assert "do not reproduce its 95% interval" in out.loc[1, LIMITS_NOTE]
    assert "cannot be computed from the count and denominator for a dsr" in out.loc[2, LIMITS_NOTE]


def test_base_url_from_the_environment(monkeypatch):
    monkeypatch.delenv(BASE_URL_ENV, raising=False)
    assert FingertipsClient().base_url == DEFAULT_BASE_URL
    monkeypatch.setenv(BASE_URL_ENV, "http://127.0.0.1:9/api")
    assert FingertipsClient().base_url == "http://127.0.0.1:9/api/"
    assert FingertipsClient("https://mirror.example/fingertips/").base_url == (
        "https://mirror.example/fingertips/")
    monkeypatch.setenv(BASE_URL_ENV, "http://mirror.example/api/")
    with pytest.raises(ValueError, match="plain http"):
        FingertipsClient()


def test_import_and_validate_through_the_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RUTLAND_JSNA_HOME", str(tmp_path))
    good = _write(tmp_path / "indicators-CountyUA.data.csv", [ENGLAND, _row()], HEADER[:-1])
    text = good.read_text().replace(",1y\n", "\n")  # the 26-column website layout
    good.write_text(text)
    bad = _write(tmp_path / "other.csv", [ENGLAND, _row(code="E06000016", name="Leicester")
                                          .replace("Female", "Unknown sex")])
    assert cli.main(["validate", str(good)]) == 0
    assert "valid bulk (2 of 2 rows would be stored, 0 quarantined" in capsys.readouterr().out
    assert cli.main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "INVALID ROWS bulk (1 of 2 rows" in err and "row 3, column 'sex'" in err
    assert cli.main(["import", str(good), str(bad)]) == 0
    out = capsys.readouterr().out
    assert "1 rows quarantined (not stored)" in out and "fingertips.issues.csv" in out
    data, meta = read_processed("fingertips", directory=tmp_path / "data" / "processed")
    assert len(data) == 2 and "2 file(s)" in meta.source
    issues = read_issues(tmp_path / "data" / "processed" / "fingertips.csv")
    assert list(issues.loc[issues["action"] == QUARANTINED, "file"]) == ["other.csv"]
    assert cli.main(["import", str(tmp_path / "missing.csv")]) == 1


def test_import_refuses_when_no_row_can_be_stored(tmp_path):
    path = _write(tmp_path / "all_bad.csv", [ENGLAND.replace("Female", "X")])
    with pytest.raises(DataValidationError, match="sex"):
        import_files([path], store_dir=tmp_path / "p")
    assert not (tmp_path / "p").exists()


def test_row_numbers_count_the_header(tmp_path):
    path = _write(tmp_path / "rows.csv", [ENGLAND, _row().replace("Female", "?")])
    issues = screen_bulk_csv(path).issues
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    (row,) = issues["row"]
    assert rows[row - 1][7] == "?"  # spreadsheet row: header = row 1
