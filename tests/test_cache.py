"""The write-once raw cache: layout, manifest, checksums, write-once, concurrency, offline."""

from __future__ import annotations

import csv
import hashlib
import threading
from datetime import UTC, datetime

import pytest

from rutland_jsna.data.cache import (
    LICENCE,
    MANIFEST_COLUMNS,
    MANIFEST_NAME,
    CacheError,
    CacheMissError,
    RawCache,
    cache_key,
)
from rutland_jsna.data.errors import ChecksumMismatchError

URL = "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids=90776,92304&child_area_type_id=502"


class Clock:
    """A settable clock for the cache."""

    def __init__(self, when: datetime):
        self.when = when

    def __call__(self) -> datetime:
        return self.when


@pytest.fixture
def clock():
    return Clock(datetime(2026, 1, 5, 9, 30, 0, tzinfo=UTC))


@pytest.fixture
def cache(tmp_path, clock):
    return RawCache(tmp_path / "fingertips", clock=clock)


def manifest_rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_default_root_is_under_raw_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("RUTLAND_JSNA_HOME", str(tmp_path))
    assert RawCache().root == tmp_path / "data" / "raw" / "fingertips"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://h/api/x?a=1&timestamp=1700000000", "https://h/api/x?a=1"),
        ("https://h/api/x?timestamp=5&a=1%2C2&b=", "https://h/api/x?a=1,2&b="),
        ("https://h/api/x?a=1,2", "https://h/api/x?a=1,2"),
        ("https://h/api/x", "https://h/api/x"),
    ],
)
def test_cache_key_drops_timestamp_only(url, key):
    assert cache_key(url) == key


def test_store_writes_file_and_manifest_row(cache, tmp_path):
    data = b"Indicator ID,Value\n1,2.5\n1,3.5\n"
    entry = cache.store_bytes(URL + "&timestamp=123", data, suffix=".csv", rows=2)

    folder = tmp_path / "fingertips" / "2026-01-05"
    assert entry.path.parent == folder
    assert entry.path.name.startswith("all_data-csv-by_indicator_id_")
    assert entry.path.read_bytes() == data
    rows = manifest_rows(folder / MANIFEST_NAME)
    assert list(rows[0]) == list(MANIFEST_COLUMNS)
    assert rows == [
        {
            "file": entry.path.name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "url": URL,  # no timestamp
            "fetched_at": "2026-01-05T09:30:00Z",
            "rows": "2",
            "licence": LICENCE,
        }
    ]
    assert entry.download_date == "2026-01-05"
    # the temporary file was consumed
    assert list((tmp_path / "fingertips" / ".partial").iterdir()) == []


def test_second_write_same_day_does_not_overwrite(cache):
    first = cache.store_bytes(URL, b"a,b\n1,2\n", suffix=".csv", rows=1)
    mtime = first.path.stat().st_mtime_ns
    second = cache.store_bytes(URL + "&timestamp=9", b"a,b\n9,9\n", suffix=".csv", rows=1)
    assert second == first
    assert first.path.read_bytes() == b"a,b\n1,2\n"
    assert first.path.stat().st_mtime_ns == mtime
    assert len(cache.manifest("2026-01-05")) == 1
    assert len(list(first.path.parent.glob("*.csv"))) == 2  # the file + MANIFEST.csv


def test_new_date_gets_its_own_copy_and_find_returns_latest(cache, clock):
    old = cache.store_bytes(URL, b"a\n1\n", suffix=".csv", rows=1)
    clock.when = datetime(2026, 4, 2, 8, 0, 0, tzinfo=UTC)
    new = cache.store_bytes(URL, b"a\n2\n", suffix=".csv", rows=1)
    assert old.path != new.path
    assert old.path.read_bytes() == b"a\n1\n"  # earlier release untouched
    assert cache.find(URL) == new
    assert cache.find(URL, day="2026-01-05") == old
    assert [e.download_date for e in cache.entries()] == ["2026-04-02", "2026-01-05"]


def test_tampered_file_raises_checksum_mismatch_naming_the_file(cache):
    entry = cache.store_bytes(URL, b"a\n1\n", suffix=".csv", rows=1)
    entry.path.write_bytes(b"a\n666\n")
    with pytest.raises(ChecksumMismatchError, match=entry.path.name) as info:
        cache.find(URL)
    assert info.value.expected == entry.sha256
    assert "will not be used" in str(info.value)


def test_tampered_newest_copy_is_not_replaced_by_an_older_one(cache, clock):
    cache.store_bytes(URL, b"a\n1\n", suffix=".csv", rows=1)
    clock.when = datetime(2026, 2, 1, tzinfo=UTC)
    newest = cache.store_bytes(URL, b"a\n2\n", suffix=".csv", rows=1)
    newest.path.write_bytes(b"a\n3\n")
    with pytest.raises(ChecksumMismatchError):
        cache.find(URL)


def test_missing_listed_file_is_an_error(cache):
    entry = cache.store_bytes(URL, b"a\n1\n", suffix=".csv", rows=1)
    entry.path.unlink()
    with pytest.raises(CacheError, match="listed in MANIFEST.csv but missing"):
        cache.find(URL)


def test_require_raises_cache_miss_for_unknown_url(cache):
    assert cache.find(URL) is None
    with pytest.raises(CacheMissError, match="no cached download of .*--source demo"):
        cache.require(URL)


def test_orphan_file_is_never_overwritten(cache, tmp_path):
    # a file left by a crash between the move and the manifest update
    entry = cache.store_bytes(URL, b"a\n1\n", suffix=".csv", rows=1)
    orphan_bytes = b"orphan\n"
    other = URL.replace("90776", "11111")
    folder = entry.path.parent
    from rutland_jsna.data.cache import _file_name

    orphan = folder / _file_name(cache_key(other), ".csv")
    orphan.write_bytes(orphan_bytes)
    stored = cache.store_bytes(other, b"a\n2\n", suffix=".csv", rows=1)
    assert orphan.read_bytes() == orphan_bytes
    assert stored.path.name.endswith("-2.csv")
    assert cache.find(other).path == stored.path


def test_malformed_manifest_header_is_reported(cache, tmp_path):
    folder = tmp_path / "fingertips" / "2026-01-05"
    folder.mkdir(parents=True)
    (folder / MANIFEST_NAME).write_text("file,hash\nx,y\n")
    with pytest.raises(CacheError, match="manifest header"):
        cache.find(URL)


def test_concurrent_writers_keep_every_row(cache):
    urls = [f"{URL}&n={i}" for i in range(16)]
    barrier = threading.Barrier(len(urls) + 4)
    errors: list[BaseException] = []

    def write(url: str, payload: bytes) -> None:
        try:
            barrier.wait()
            cache.store_bytes(url, payload, suffix=".csv", rows=1)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(u, u.encode())) for u in urls]
    # four writers race on the same URL: exactly one copy must survive
    threads += [threading.Thread(target=write, args=(URL, b"same %d" % i)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = cache.manifest("2026-01-05")
    assert sorted(e.url for e in rows) == sorted([*urls, URL])
    for e in rows:
        cache.verify(e)
    assert len({e.path for e in rows}) == len(rows)
