"""Fast verified reads of the processed store, the in-process store memo, comparator wording."""

from __future__ import annotations

import pandas as pd
import pytest

from rutland_jsna.chapter import context
from rutland_jsna.chapter.context import (
    load_store,
    neighbour_group_description,
    resolve_comparators,
    store_files,
)
from rutland_jsna.data import store
from rutland_jsna.data.errors import DataValidationError
from rutland_jsna.data.store import (
    ProcessedChecksumError,
    read_bulk_csv,
    read_processed,
    write_processed,
)

META = {"source": "unit test", "is_demo": False}
HEADER = (
    "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,"
    "Category Type,Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,"
    "Lower CI 99.8 limit,Upper CI 99.8 limit,Count,Denominator,Value note,Recent Trend,"
    "Compared to England value or percentiles,Compared to Region value or percentiles,"
    "Time period Sortable,New data,Compared to goal,Time period range"
)
ROWS = [
    '90776,Chlamydia,E12000004,East Midlands region,E06000017,Rutland,'
    'Counties & UAs (from Apr 2023),Female,15-24 yrs,,,2023,16.0,14.4,17.7,13.8,18.3,'
    '120,750,"NA, ""quoted""",,Similar,Similar,20230000,,,1y',
    '90776,Chlamydia,,,E92000001,England,England,Female,15-24 yrs,,,2023,20.5,20.4,20.6,'
    '20.3,20.7,100000,487804,,,,,20230000,New data,,1y',
]


@pytest.fixture
def tidy(tmp_path) -> pd.DataFrame:
    path = tmp_path / "bulk.csv"
    path.write_text(HEADER + "\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    return read_bulk_csv(path)


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Pickled copies go to this test's folder, not the project's data/processed."""
    monkeypatch.setattr(store, "processed_cache_dir", lambda: tmp_path / "cache")


def test_verified_read_skips_validation_and_equals_the_validated_frame(tidy, tmp_path,
                                                                       monkeypatch):
    out = tmp_path / "p"
    write_processed(tidy, "t", META, directory=out)
    assert len(list((tmp_path / "cache").glob("*.pkl"))) == 1  # written with the table

    def no_validation(*args, **kwargs):
        raise AssertionError("a verified file must not be validated again")

    monkeypatch.setattr(store, "validate_tidy", no_validation)
    cached, _ = read_processed("t", directory=out)
    pd.testing.assert_frame_equal(cached, tidy, check_exact=True)
    for pkl in (tmp_path / "cache").glob("*.pkl"):
        pkl.unlink()
    parsed, _ = read_processed("t", directory=out)  # no copy: parsed with the tidy dtypes
    pd.testing.assert_frame_equal(parsed, tidy, check_exact=True)
    assert len(list((tmp_path / "cache").glob("*.pkl"))) == 1  # and the copy written again


def test_checksum_is_checked_even_with_a_cached_copy(tidy, tmp_path):
    out = tmp_path / "p"
    path = write_processed(tidy, "t", META, directory=out)
    path.write_bytes(path.read_bytes().replace(b"16.0", b"61.0"))
    with pytest.raises(ProcessedChecksumError):
        read_processed("t", directory=out)


def test_validate_true_validates_again(tidy, tmp_path, monkeypatch):
    out = tmp_path / "p"
    write_processed(tidy, "t", META, directory=out)
    calls = []
    real = store.validate_tidy

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "validate_tidy", spy)
    back, _ = read_processed("t", directory=out, validate=True)
    assert calls and len(back) == 2


def test_stale_or_broken_copy_is_ignored(tidy, tmp_path):
    out = tmp_path / "p"
    write_processed(tidy, "t", META, directory=out)
    for pkl in (tmp_path / "cache").glob("*.pkl"):
        pkl.write_bytes(b"not a pickle")
    back, _ = read_processed("t", directory=out)
    pd.testing.assert_frame_equal(back, tidy, check_exact=True)


def test_cache_can_be_disabled(tidy, tmp_path, monkeypatch):
    monkeypatch.setenv("RUTLAND_JSNA_STORE_CACHE", "0")
    write_processed(tidy, "t", META, directory=tmp_path / "p")
    read_processed("t", directory=tmp_path / "p")
    assert not (tmp_path / "cache").exists()


def test_validate_command_still_reports_broken_rows(tidy, tmp_path):
    from rutland_jsna.data.fetch import validate_file

    out = tmp_path / "p"
    path = write_processed(tidy, "t", META, directory=out)
    # a stricter rule than when written: simulate by breaking a row and re-signing the sidecar
    text = path.read_bytes().replace(b"Female", b"Mle", 1)
    path.write_bytes(text)
    side = out / "t.json"
    import hashlib
    import json

    meta = json.loads(side.read_text())
    meta["sha256"] = hashlib.sha256(text).hexdigest()
    side.write_text(json.dumps(meta))
    with pytest.raises(DataValidationError, match="sex"):
        validate_file(path)


def test_load_store_memo_follows_the_files(tidy, tmp_path):
    out = tmp_path / "p"
    path = write_processed(tidy, "fingertips", META, directory=out)
    first = load_store(path)
    assert load_store(path) is first  # same files: the verified copy is shared
    assert store_files(path) == [path, out / "fingertips.json"]
    write_processed(tidy.iloc[:1], "fingertips", META, directory=out)
    again = load_store(path)
    assert again is not first and len(again.data) == 1
    context._STORE_MEMO.clear()


def test_neighbour_group_described_from_the_model():
    cambs = "E10000003"
    table = pd.DataFrame({"area_code": [cambs, cambs], "neighbour_code": ["E10000015", "E10000020"],
                          "position": [1, 2], "model": ["CIPFA Nearest Neighbours (2019)"] * 2})
    got = resolve_comparators(cambs, None, table)
    assert got.codes == ("E10000015", "E10000020")
    assert "CIPFA Nearest Neighbours (2019) model" in got.description
    assert "demonstration" not in got.description
    demo = table.assign(model="Demonstration neighbours (not CIPFA)")
    assert "demonstration group of similar authorities" in neighbour_group_description(demo, cambs)
    bare = table.drop(columns="model")
    assert "model is not recorded" in neighbour_group_description(bare, cambs)
