"""Write-once cache of raw Fingertips downloads, with a checksum manifest.

Every download is stored under ``<root>/<YYYY-MM-DD>/`` (the UTC download date; ``root``
defaults to ``raw_dir()/fingertips``), and one row per file is recorded in that folder's
``MANIFEST.csv``:

====================  ===========================================================
column                meaning
====================  ===========================================================
``file``              file name inside the date folder
``sha256``            SHA-256 of the file's bytes (hex)
``url``               the cache key: the request URL without any ``timestamp`` parameter
``fetched_at``        download time, ISO 8601 UTC (``2026-01-05T09:30:00Z``)
``rows``              data rows (CSV, header excluded) or top-level items (JSON)
``licence``           the data licence (Open Government Licence v3.0)
====================  ===========================================================

Rules (docs/architecture.md convention 9):

* a file is written to a temporary name beside the cache and moved into place atomically,
  never over an existing file; a URL already cached on that date is not written again;
* the manifest is rewritten through a temporary file and an atomic rename while holding an
  exclusive lock, so concurrent writers (threads or processes) never lose or tear a row;
* every read re-computes the SHA-256 and raises :class:`ChecksumMismatchError` if the file
  no longer matches its manifest row — a changed file is never used silently;
* callers store a download only after it has been parsed and validated
  (:class:`rutland_jsna.data.fingertips.FingertipsClient` does), so nothing invalid is cached.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..config import raw_dir
from .errors import ChecksumMismatchError, DataError

__all__ = [
    "LICENCE",
    "MANIFEST_COLUMNS",
    "MANIFEST_NAME",
    "CacheError",
    "CacheMissError",
    "CachedFile",
    "RawCache",
    "cache_key",
    "sha256_file",
]

MANIFEST_NAME = "MANIFEST.csv"
MANIFEST_COLUMNS: tuple[str, ...] = ("file", "sha256", "url", "fetched_at", "rows", "licence")
#: Licence of Fingertips data (OHID publishes it under the OGL).
LICENCE = "Open Government Licence v3.0"
#: Query parameters that only defeat server-side caches (fingertipsR adds ``timestamp``).
TIMESTAMP_PARAMS = frozenset({"timestamp"})

_DATE_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LOCK_NAME = ".MANIFEST.lock"
_PARTIAL_DIR = ".partial"
_LOCK_TIMEOUT_S = 60.0


class CacheError(DataError):
    """The raw cache is unusable (unreadable manifest, lock timeout, listed file missing)."""


class CacheMissError(CacheError, LookupError):
    """Offline mode asked for a URL that has never been cached."""


@dataclass(frozen=True)
class CachedFile:
    """One cached download: its path and its manifest row."""

    path: Path
    sha256: str
    url: str
    fetched_at: str
    rows: int
    licence: str = LICENCE

    @property
    def download_date(self) -> str:
        """The date folder the file lives in (``YYYY-MM-DD``)."""
        return self.path.parent.name


def cache_key(url: str) -> str:
    """The cache key of ``url``: the URL with any ``timestamp`` query parameter removed.

    Parameter order and values are kept; commas in list parameters are left unescaped so
    ``indicator_ids=1%2C2`` and ``indicator_ids=1,2`` share one key.

    Examples
    --------
    >>> cache_key("https://x/api/all_data/csv/by_indicator_id?indicator_ids=1%2C2&timestamp=99")
    'https://x/api/all_data/csv/by_indicator_id?indicator_ids=1,2'
    """
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TIMESTAMP_PARAMS
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe=","), fragment=""))


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _utc_now() -> datetime:
    return datetime.now(UTC)


class RawCache:
    """Write-once, checksummed store of raw downloads.

    Parameters
    ----------
    root : path, optional
        Folder holding the ``YYYY-MM-DD`` date folders. Default ``raw_dir()/fingertips``.
    clock : callable, optional
        Returns the current time as an aware ``datetime``; injectable for tests. Default UTC now.

    Notes
    -----
    The same URL is stored at most once per download date; a later date gets its own copy, so
    earlier releases stay reproducible. :meth:`find` returns the most recent verified copy.
    """

    def __init__(self, root: Path | str | None = None, *, clock: Callable[[], datetime] = _utc_now):
        self.root = Path(root) if root is not None else raw_dir() / "fingertips"
        self._clock = clock

    # ------------------------------------------------------------------ paths and time
    def now(self) -> datetime:
        """Current time (UTC) from the injected clock."""
        return self._clock().astimezone(UTC)

    def date_dir(self, day: date | str) -> Path:
        """The folder of one download date."""
        return self.root / (day if isinstance(day, str) else day.isoformat())

    def date_dirs(self) -> list[Path]:
        """Existing date folders, most recent first."""
        if not self.root.is_dir():
            return []
        dirs = [p for p in self.root.iterdir() if p.is_dir() and _DATE_DIR.match(p.name)]
        return sorted(dirs, key=lambda p: p.name, reverse=True)

    def partial_path(self, suffix: str) -> Path:
        """A fresh temporary path (same file system as the cache) to stream a download into.

        The caller either passes it to :meth:`store_file` or deletes it.
        """
        folder = self.root / _PARTIAL_DIR
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="download-", suffix=suffix, dir=folder)
        os.close(fd)
        return Path(name)

    # ------------------------------------------------------------------ manifest
    def manifest(self, day: date | str) -> list[CachedFile]:
        """The manifest rows of one date folder (empty if it has none)."""
        folder = self.date_dir(day)
        path = folder / MANIFEST_NAME
        if not path.exists():
            return []
        text = path.read_text(encoding="utf-8")
        reader = csv.DictReader(io.StringIO(text))
        if tuple(reader.fieldnames or ()) != MANIFEST_COLUMNS:
            raise CacheError(
                f"{path}: manifest header is {reader.fieldnames}, expected {list(MANIFEST_COLUMNS)}"
            )
        out = []
        for line_no, row in enumerate(reader, start=2):
            try:
                out.append(
                    CachedFile(
                        path=folder / row["file"],
                        sha256=row["sha256"],
                        url=row["url"],
                        fetched_at=row["fetched_at"],
                        rows=int(row["rows"]),
                        licence=row["licence"],
                    )
                )
            except (TypeError, ValueError) as exc:
                raise CacheError(f"{path}: row {line_no} is malformed ({exc})") from exc
        return out

    def entries(self) -> list[CachedFile]:
        """Every manifest row of every date folder, most recent date first."""
        return [e for d in self.date_dirs() for e in self.manifest(d.name)]

    # ------------------------------------------------------------------ reading
    def verify(self, entry: CachedFile) -> CachedFile:
        """Re-compute the file's SHA-256; raise :class:`ChecksumMismatchError` if it changed."""
        if not entry.path.exists():
            raise CacheError(
                f"{entry.path}: listed in {MANIFEST_NAME} but missing; fetch {entry.url} again"
            )
        actual = sha256_file(entry.path)
        if actual != entry.sha256:
            raise ChecksumMismatchError(str(entry.path), entry.sha256, actual)
        return entry

    def find(self, url: str, *, day: date | str | None = None) -> CachedFile | None:
        """The most recent cached copy of ``url`` (or the copy of one ``day``), verified.

        Returns None if there is none. A copy whose checksum no longer matches raises
        :class:`ChecksumMismatchError`; an older copy is never substituted silently.
        """
        key = cache_key(url)
        folders = [self.date_dir(day)] if day is not None else self.date_dirs()
        for folder in folders:
            for entry in self.manifest(folder.name):
                if entry.url == key:
                    return self.verify(entry)
        return None

    def require(self, url: str) -> CachedFile:
        """Like :meth:`find` but raise :class:`CacheMissError` when there is no copy."""
        entry = self.find(url)
        if entry is None:
            raise CacheMissError(
                f"no cached download of {cache_key(url)} under {self.root}; "
                "fetch it online first, or use --source demo"
            )
        return entry

    # ------------------------------------------------------------------ writing
    def store_bytes(self, url: str, data: bytes, *, suffix: str, rows: int) -> CachedFile:
        """Store ``data`` as the download of ``url`` (see :meth:`store_file`)."""
        tmp = self.partial_path(suffix)
        try:
            tmp.write_bytes(data)
            return self.store_file(url, tmp, rows=rows)
        finally:
            with suppress(FileNotFoundError):
                tmp.unlink()

    def store_file(self, url: str, tmp: Path, *, rows: int) -> CachedFile:
        """Move the validated temporary file ``tmp`` into today's folder and record it.

        Parameters
        ----------
        url : str
            The request URL; its :func:`cache_key` is recorded.
        tmp : Path
            A file from :meth:`partial_path` holding the complete, validated download.
            It is consumed (moved or deleted).
        rows : int
            Data rows (CSV) or top-level items (JSON), recorded in the manifest.

        Returns
        -------
        CachedFile
            The new entry, or the existing one if ``url`` was already cached today
            (write-once: the existing file is kept and ``tmp`` is discarded).
        """
        key = cache_key(url)
        fetched = self.now()
        folder = self.date_dir(fetched.date())
        folder.mkdir(parents=True, exist_ok=True)
        digest = sha256_file(tmp)
        with _exclusive_lock(folder / _LOCK_NAME):
            existing = [e for e in self.manifest(folder.name) if e.url == key]
            if existing:
                tmp.unlink()
                return existing[0]
            target = _free_name(folder, _file_name(key, tmp.suffix))
            _move_no_overwrite(tmp, target)
            entry = CachedFile(
                path=target,
                sha256=digest,
                url=key,
                fetched_at=fetched.strftime("%Y-%m-%dT%H:%M:%SZ"),
                rows=int(rows),
            )
            self._append_manifest(folder, entry)
        return entry

    def _append_manifest(self, folder: Path, entry: CachedFile) -> None:
        """Rewrite the manifest with one more row: temp file + atomic rename (lock held)."""
        path = folder / MANIFEST_NAME
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        if not old:
            writer.writerow(MANIFEST_COLUMNS)
        row = (
            entry.path.name,
            entry.sha256,
            entry.url,
            entry.fetched_at,
            entry.rows,
            entry.licence,
        )
        writer.writerow(row)
        fd, tmp_name = tempfile.mkstemp(prefix=".manifest-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(old + buf.getvalue())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise


# ---------------------------------------------------------------------- private helpers
def _file_name(key: str, suffix: str) -> str:
    """``<endpoint with - for />_<12 hex of the key's sha256><suffix>``."""
    path = urlsplit(key).path
    endpoint = path.split("/api/", 1)[-1].strip("/") or "index"
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", endpoint.replace("/", "-"))
    return f"{stem}_{hashlib.sha256(key.encode()).hexdigest()[:12]}{suffix}"


def _free_name(folder: Path, name: str) -> Path:
    """``name`` in ``folder``, or ``stem-2.ext``, ``stem-3.ext``… if taken (orphan files)."""
    target = folder / name
    n = 2
    while target.exists():
        target = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
        n += 1
    return target


def _move_no_overwrite(src: Path, dst: Path) -> None:
    """Atomically move ``src`` to ``dst``; never replaces an existing ``dst``."""
    try:
        os.link(src, dst)  # fails with FileExistsError instead of overwriting
    except FileExistsError:
        raise
    except OSError:  # file system without hard links: rename under our lock
        if dst.exists():
            raise FileExistsError(dst) from None
        os.rename(src, dst)
        return
    os.unlink(src)


@contextmanager
def _exclusive_lock(path: Path, timeout: float = _LOCK_TIMEOUT_S) -> Iterator[None]:
    """Exclusive advisory lock on ``path`` (fcntl on POSIX, msvcrt on Windows)."""
    with open(path, "a+b") as fh:
        if os.name == "nt":  # pragma: no cover - exercised on Windows only
            import msvcrt

            deadline = time.monotonic() + timeout
            while True:
                try:
                    fh.seek(0)
                    msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise CacheError(
                            f"{path}: could not lock the manifest within {timeout:g} s"
                        ) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
