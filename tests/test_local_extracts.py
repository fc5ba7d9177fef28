"""Analysts' local extracts (rutland_jsna.data.local): CSV and XLSX, row-level errors.

The dental figures below are the Rutland slide's (published/dental_access_2022.csv: 22.06% of
all ages, 42.49% of 0-17s, Jan–Jun 2022); patients and populations are invented to give them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rutland_jsna.data.errors import DataValidationError
from rutland_jsna.data.local import (
    EXTRACT_KINDS,
    ColumnSpec,
    DerivedColumn,
    ExtractSpec,
    RowRule,
    extract_spec,
    load_local_extract,
    register_extract_kind,
    template_path,
    window_label,
    write_template,
)

DENTAL_HEADER = [
    "area_code",
    "area_name",
    "age_group",
    "window_start",
    "window_end",
    "patients_seen",
    "population",
    "source",
]
UDA_HEADER = [
    "geography_id",
    "geography_name",
    "month",
    "contracted_udas_annual",
    "udas_delivered_month",
]


def dental_rows() -> list[dict]:
    base = {
        "area_code": "E06000017",
        "area_name": "Rutland",
        "window_start": "2022-01-01",
        "window_end": "2022-06-30",
        "source": "test fixture",
    }
    return [
        {**base, "age_group": "All ages", "patients_seen": "2206", "population": "10000"},
        {**base, "age_group": "0-17", "patients_seen": "4249", "population": "10000"},
        {**base, "age_group": "18+", "patients_seen": "1751", "population": "10000"},
    ]


def uda_rows() -> list[dict]:
    return [
        {
            "geography_id": "LLR",
            "geography_name": "LLR (141 contracts)",
            "month": m,
            "contracted_udas_annual": "1200000",
            "udas_delivered_month": d,
        }
        for m, d in (("2021-04", "60000"), ("2021-05", "65000"), ("2021-06", "70000.5"))
    ]


def write(path: Path, rows: list[dict], header: list[str]) -> Path:
    df = pd.DataFrame(rows, columns=header)
    if path.suffix == ".csv":
        df.to_csv(path, index=False)
    else:
        df.to_excel(path, index=False, sheet_name="data")
    return path


def error(path: Path, kind: str) -> DataValidationError:
    with pytest.raises(DataValidationError) as info:
        load_local_extract(path, kind)
    return info.value


def failure(err: DataValidationError, column: str):
    found = [f for f in err.failures if f.column == column]
    assert found, f"no failure for {column!r}:\n{err}"
    return found[0]


@pytest.fixture(params=[".csv", ".xlsx"])
def ext(request) -> str:
    return request.param


# ---------------------------------------------------------------------------------------------
# Good files
# ---------------------------------------------------------------------------------------------


def test_dental_access_loads_with_derived_rate(tmp_path: Path, ext: str):
    df = load_local_extract(
        write(tmp_path / f"d{ext}", dental_rows(), DENTAL_HEADER), "dental_access"
    )
    assert list(df.columns) == [*DENTAL_HEADER, "access_rate_pct", "window_label"]
    assert df["access_rate_pct"].round(2).tolist() == [22.06, 42.49, 17.51]
    assert df["window_label"].tolist() == ["January to June 2022"] * 3
    assert df["patients_seen"].dtype == np.int64
    assert df["population"].dtype == np.int64
    assert df["window_start"].dtype.kind == "M"
    assert df["window_start"].iloc[0] == pd.Timestamp("2022-01-01")
    assert pd.api.types.is_string_dtype(df["area_code"].dtype)
    assert df.attrs == {"source": f"d{ext}", "kind": "dental_access"}


def test_uda_delivery_scaled_to_12_months(tmp_path: Path, ext: str):
    df = load_local_extract(write(tmp_path / f"u{ext}", uda_rows(), UDA_HEADER), "uda_delivery")
    # 60,000 in a month × 12 / 1,200,000 a year × 100 = 60% (the Apr-Sep 21 threshold)
    assert df["pct_delivered_annualised"].tolist() == pytest.approx([60.0, 65.0, 70.00050])
    assert df["month"].tolist() == ["2021-04", "2021-05", "2021-06"]
    assert df["contracted_udas_annual"].dtype == np.float64


def test_xlsx_native_cells(tmp_path: Path):
    rows = dental_rows()
    for r in rows:
        r["window_start"], r["window_end"] = dt.datetime(2022, 1, 1), dt.datetime(2022, 6, 30)
        r["patients_seen"], r["population"] = int(r["patients_seen"]), float(r["population"])
    df = load_local_extract(write(tmp_path / "native.xlsx", rows, DENTAL_HEADER), "dental_access")
    assert df["window_end"].iloc[0] == pd.Timestamp("2022-06-30")
    assert df["population"].tolist() == [10000] * 3
    u = uda_rows()
    u[0]["month"] = dt.datetime(2021, 4, 1)
    df = load_local_extract(write(tmp_path / "uda.xlsx", u, UDA_HEADER), "uda_delivery")
    assert df["month"].iloc[0] == "2021-04"


def test_columns_in_any_order_and_blank_rows_skipped(tmp_path: Path):
    path = tmp_path / "order.csv"
    df = pd.DataFrame(dental_rows(), columns=DENTAL_HEADER[::-1])
    text = df.to_csv(index=False).splitlines()
    path.write_text("\n".join([*text[:2], "", ",,,,,,,", *text[2:]]) + "\n")
    out = load_local_extract(path, "dental_access")
    assert list(out["age_group"]) == ["All ages", "0-17", "18+"]


# ---------------------------------------------------------------------------------------------
# Errors name file, row, column, rule — CSV and XLSX alike
# ---------------------------------------------------------------------------------------------

DENTAL_CASES = [
    # row index, column, bad value, failure column, rule
    (1, "patients_seen", "4,249", "patients_seen", "must be a whole number"),
    (1, "patients_seen", "42.5", "patients_seen", "must be a whole number"),
    (1, "patients_seen", "-1", "patients_seen", "must be >= 0"),
    (1, "population", "0", "population", "must be > 0"),
    (
        1,
        "population",
        "4000",
        "patients_seen, population",
        "patients_seen must not exceed population",
    ),
    (1, "age_group", "Adults", "age_group", "must be one of '0-17', '18+', 'All ages'"),
    (1, "area_code", "Rutland", "area_code", "must be an ONS code"),
    (1, "window_start", "01/01/2022", "window_start", "must be a date (YYYY-MM-DD)"),
    (1, "window_start", "2022-02-30", "window_start", "must be a date (YYYY-MM-DD)"),
    (
        1,
        "window_end",
        "2021-12-31",
        "window_start, window_end",
        "window_end must not be before window_start",
    ),
    (1, "source", "", "source", "must not be blank"),
    (1, "area_name", "   ", "area_name", "must not be blank"),
]


@pytest.mark.parametrize(
    ("i", "col", "bad", "fcol", "rule"),
    DENTAL_CASES,
    ids=[f"{c[1]}={c[2]!r}" for c in DENTAL_CASES],
)
def test_dental_errors_name_row_and_column(tmp_path: Path, ext: str, i, col, bad, fcol, rule):
    rows = dental_rows()
    rows[i][col] = bad
    name = f"bad{ext}"
    err = error(write(tmp_path / name, rows, DENTAL_HEADER), "dental_access")
    f = failure(err, fcol)
    assert f.file == name
    assert f.rows == (i + 2,)
    assert rule in f.rule
    assert f"{name}: column '{fcol}' rows {i + 2}: " in str(err)


UDA_CASES = [
    (2, "month", "2021-13", "month", "must be a month (YYYY-MM)"),
    (2, "month", "Jun 21", "month", "must be a month (YYYY-MM)"),
    (2, "contracted_udas_annual", "0", "contracted_udas_annual", "must be > 0"),
    (2, "udas_delivered_month", "-10", "udas_delivered_month", "must be >= 0"),
    (2, "udas_delivered_month", "lots", "udas_delivered_month", "must be a number"),
    (2, "geography_id", "", "geography_id", "must not be blank"),
]


@pytest.mark.parametrize(
    ("i", "col", "bad", "fcol", "rule"), UDA_CASES, ids=[f"{c[1]}={c[2]!r}" for c in UDA_CASES]
)
def test_uda_errors_name_row_and_column(tmp_path: Path, ext: str, i, col, bad, fcol, rule):
    rows = uda_rows()
    rows[i][col] = bad
    name = f"uda{ext}"
    err = error(write(tmp_path / name, rows, UDA_HEADER), "uda_delivery")
    f = failure(err, fcol)
    assert (f.file, f.rows) == (name, (i + 2,))
    assert rule in f.rule


def test_duplicate_keys_named(tmp_path: Path, ext: str):
    rows = uda_rows()
    rows.append(dict(rows[1]))
    err = error(write(tmp_path / f"dup{ext}", rows, UDA_HEADER), "uda_delivery")
    f = failure(err, "geography_id, month")
    assert f.rows == (3, 5)
    assert "duplicate key (geography_id='LLR', month='2021-05') appears 2 times" in f.rule


def test_dental_duplicate_window(tmp_path: Path):
    rows = dental_rows()
    rows.append(dict(rows[0]))
    err = error(write(tmp_path / "dup.csv", rows, DENTAL_HEADER), "dental_access")
    f = failure(err, "area_code, age_group, window_start, window_end")
    assert f.rows == (2, 5)
    assert "window_start=2022-01-01, window_end=2022-06-30" in f.rule


def test_every_failure_reported_at_once(tmp_path: Path, ext: str):
    rows = dental_rows()
    rows[0]["patients_seen"] = "many"
    rows[1]["age_group"] = "kids"
    rows[2]["window_end"] = "June"
    err = error(write(tmp_path / f"many{ext}", rows, DENTAL_HEADER), "dental_access")
    assert [(f.column, f.rows) for f in err.failures] == [
        ("patients_seen", (2,)),
        ("age_group", (3,)),
        ("window_end", (4,)),
    ]
    assert str(err).startswith(f"many{ext}: 3 validation rules broken; nothing was written")


def test_blank_line_keeps_spreadsheet_row_numbers(tmp_path: Path):
    path = tmp_path / "gap.csv"
    rows = dental_rows()
    rows[2]["population"] = "x"
    text = pd.DataFrame(rows, columns=DENTAL_HEADER).to_csv(index=False).splitlines()
    path.write_text("\n".join([*text[:3], "", text[3]]) + "\n")
    assert failure(error(path, "dental_access"), "population").rows == (5,)


def test_missing_and_unknown_columns(tmp_path: Path, ext: str):
    rows = [
        {("patient_seen" if k == "patients_seen" else k): v for k, v in r.items()}
        for r in dental_rows()
    ]
    header = [("patient_seen" if h == "patients_seen" else h) for h in DENTAL_HEADER]
    name = f"cols{ext}"
    err = error(write(tmp_path / name, rows, header), "dental_access")
    msg = str(err)
    assert f"{name}: column 'patients_seen': required column is missing" in msg
    assert f"{name}: column 'patient_seen': unknown column (did you mean 'patients_seen'?)" in msg


def test_header_only_file_has_no_rows(tmp_path: Path):
    path = write(tmp_path / "empty.csv", [], UDA_HEADER)
    with pytest.raises(
        DataValidationError, match=r"empty.csv: column '\(all\)': the file has no data rows"
    ):
        load_local_extract(path, "uda_delivery")


def test_unknown_kind_and_file_type(tmp_path: Path):
    with pytest.raises(
        ValueError, match=r"unknown local extract kind 'dental_acess'.*did you mean 'dental_access'"
    ):
        load_local_extract(tmp_path / "x.csv", "dental_acess")
    p = tmp_path / "x.txt"
    p.write_text("a")
    with pytest.raises(ValueError, match=r"x.txt: local extracts must be .csv or .xlsx"):
        load_local_extract(p, "uda_delivery")
    with pytest.raises(FileNotFoundError, match="nothere.csv"):
        load_local_extract(tmp_path / "nothere.csv", "uda_delivery")


def test_named_sheet(tmp_path: Path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"notes": ["cover"]}).to_excel(xw, sheet_name="cover", index=False)
        pd.DataFrame(uda_rows(), columns=UDA_HEADER).to_excel(xw, sheet_name="uda", index=False)
    assert len(load_local_extract(path, "uda_delivery", sheet="uda")) == 3
    with pytest.raises(ValueError, match=r"book.xlsx: cannot read sheet 'nope'"):
        load_local_extract(path, "uda_delivery", sheet="nope")


# ---------------------------------------------------------------------------------------------
# Templates and the registry
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "header"), [("dental_access", DENTAL_HEADER), ("uda_delivery", UDA_HEADER)]
)
def test_bundled_templates_match_specs(kind: str, header: list[str]):
    path = template_path(kind)
    assert path.read_text().strip().split(",") == header
    assert list(extract_spec(kind).column_names) == header


@pytest.mark.parametrize("kind", ["dental_access", "uda_delivery"])
def test_written_templates_with_example_load(tmp_path: Path, kind: str):
    for suffix in (".csv", ".xlsx"):
        path = write_template(kind, tmp_path / f"{kind}{suffix}", example=True)
        df = load_local_extract(path, kind)
        assert len(df) == 1
    book = pd.read_excel(tmp_path / f"{kind}.xlsx", sheet_name=None)
    assert list(book) == ["data", "columns", "about"]
    assert book["columns"]["column"].tolist()[: len(extract_spec(kind).columns)] == list(
        extract_spec(kind).column_names
    )


def test_blank_template_is_header_only(tmp_path: Path):
    path = write_template("uda_delivery", tmp_path / "t.csv")
    assert path.read_text() == ",".join(UDA_HEADER) + "\n"


def test_new_kind_is_one_spec(tmp_path: Path):
    spec = ExtractSpec(
        kind="clinic_attendances",
        title="Clinic attendances",
        description="test kind",
        columns=(
            ColumnSpec("clinic", "text", "clinic name"),
            ColumnSpec("month", "month", "month"),
            ColumnSpec("attendances", "int", "attendances", minimum=0),
            ColumnSpec("dna", "int", "did not attend", minimum=0, required=False),
        ),
        key=("clinic", "month"),
        row_rules=(
            RowRule(
                "dna_le",
                ("dna", "attendances"),
                "dna must not exceed attendances",
                lambda d: ~(d["dna"] > d["attendances"]),
            ),
        ),
        derived=(
            DerivedColumn(
                "dna_pct", "dna / attendances × 100", lambda d: d["dna"] / d["attendances"] * 100
            ),
        ),
    )
    register_extract_kind(spec)
    try:
        path = tmp_path / "clinic.csv"
        path.write_text(
            "clinic,month,attendances,dna\nA,2024-01,100,5\nB,2024-01,10,\nC,2024-01,10,11\n"
        )
        err = error(path, "clinic_attendances")
        assert failure(err, "dna, attendances").rows == (4,)
        path.write_text("clinic,month,attendances,dna\nA,2024-01,100,5\nB,2024-01,10,\n")
        df = load_local_extract(path, "clinic_attendances")
        assert df["dna_pct"].iloc[0] == 5.0 and np.isnan(df["dna_pct"].iloc[1])
        with pytest.raises(ValueError, match="already registered"):
            register_extract_kind(spec)
    finally:
        EXTRACT_KINDS.pop("clinic_attendances", None)


def test_bad_specs_rejected():
    col = ColumnSpec("a", "text", "a")
    with pytest.raises(ValueError, match="key column 'b' is not a column"):
        ExtractSpec("k", "t", "d", (col,), key=("b",))
    with pytest.raises(ValueError, match="kind must be one of"):
        ColumnSpec("a", "integer", "a")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must be lower case"):
        ExtractSpec("Bad Kind", "t", "d", (col,), key=())


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (dt.date(2022, 1, 1), dt.date(2022, 6, 30), "January to June 2022"),
        (dt.date(2019, 1, 1), dt.date(2019, 6, 30), "January to June 2019"),
        (dt.date(2021, 4, 1), dt.date(2022, 3, 31), "April 2021 to March 2022"),
        (dt.date(2022, 2, 1), dt.date(2022, 2, 28), "February 2022"),
        (dt.date(2021, 7, 1), dt.date(2022, 6, 30), "July 2021 to June 2022"),
        (dt.date(2022, 1, 3), dt.date(2022, 6, 30), "3 January 2022 to 30 June 2022"),
    ],
)
def test_window_label(start, end, label):
    assert window_label(start, end) == label
