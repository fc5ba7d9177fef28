"""The harness of the real Fingertips extracts (``../shared/reference/real_fingertips_extracts``).

Test helpers, not package code: the extracts are read in place at test time and never copied
into the repository. :func:`extracts_dir` is None where the folder is absent, and
:func:`require_extracts` skips the calling test, saying why.

* :func:`load_jezzaay` — a ``jezzaay/`` website download with its Fingertips header restored.
  The repository owner rewrote the header (``IndicatorID``, ``Lower_CI_95.0_limit``, …); the
  column order and count are Fingertips' pre-2022 26-column layout, so the names are mapped
  back by position, after checking each renamed header is the Fingertips name with spaces
  turned into underscores (or removed). Every data byte is kept.
* :func:`ftn_as_bulk` — the rows of one indicator of DHSC's FingertipsNext ``healthdata.csv``
  re-serialised into the 27-column bulk layout. What is reconstructed (the extract dropped
  it): ``Indicator Name`` (from ``indicators.json``; "Indicator 92026" for the one indicator
  it has no record of), ``Area Name`` (``areas.csv``),
  ``Area Type`` ("England" or "Counties & UAs (from Apr 2023)"), ``Parent Code/Name`` (the
  North West region for the authorities: the extract holds North West areas only; blank for
  England), ``Time period`` (from the start year and the year type of ``indicators.csv``:
  "2018" for calendar and yearly indicators, "2018/19" for financial and academic years),
  ``Time period Sortable`` (start year × 10000), ``Time period range`` ("1y"). The comparison
  columns, the 99.8% limits and the value notes are blank (the extract dropped them). Only
  England and the upper-tier authorities are served (what the API returns for child area type
  502); districts, ICBs, PCNs and GP practices are left out. Values, limits, counts,
  denominators, categories and the published recent trend are kept verbatim.
* :func:`real_files` — every real file as ``(name, bytes)``: the jargonautical download, the
  17 jezzaay downloads (headers restored) and one bulk CSV per FingertipsNext indicator.
* :func:`bulk_pool` / :class:`RealFingertipsApi` — a fake Fingertips API answering
  ``all_data/csv/by_indicator_id`` with the real rows of the requested indicators (27-column
  layout; the website downloads' "Time period range" filled from their period text; England
  and region rows repeated across the regional files sent once), their
  ``indicator_metadata/csv`` (polarity and value type from ``indicators.json`` where known),
  the nearest-neighbour models and each area's neighbours (the project's bundled CIPFA table).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from rutland_jsna import config
from rutland_jsna.data import columns as C

#: The Fingertips 26-column website/bulk header before "Time period range" was added (2022).
HEADER_26: tuple[str, ...] = tuple(C.bulk_header("Region"))[:-1]
HEADER_27: tuple[str, ...] = tuple(C.bulk_header("Region"))
NORTH_WEST = ("E12000002", "North West region")
UTLA_502 = "Counties & UAs (from Apr 2023)"


def extracts_dir() -> Path | None:
    """``<shared>/reference/real_fingertips_extracts`` if it exists, else None."""
    path = config.shared_reference_dir() / "real_fingertips_extracts"
    return path if path.is_dir() else None


def require_extracts() -> Path:
    """The extracts folder, or skip the calling test saying why."""
    path = extracts_dir()
    if path is None:
        pytest.skip(
            "real Fingertips extracts not available at "
            f"{config.shared_reference_dir() / 'real_fingertips_extracts'} (only present beside "
            "the project checkout; set RUTLAND_JSNA_SHARED to point at it)"
        )
    return path


def _squash(name: str) -> str:
    return re.sub(r"[\s_]+", "", name).lower()


# ------------------------------------------------------------------------------- jezzaay
def load_jezzaay(path: Path) -> bytes:
    """A jezzaay download with the Fingertips header names restored (data bytes unchanged)."""
    raw = path.read_bytes()
    head, sep, rest = raw.partition(b"\n")
    names = next(csv.reader([head.decode("utf-8-sig").rstrip("\r")]))
    if len(names) != len(HEADER_26):
        raise AssertionError(f"{path.name}: {len(names)} columns, expected 26")
    for got, want in zip(names, HEADER_26, strict=True):
        if _squash(got) != _squash(want):
            raise AssertionError(f"{path.name}: header {got!r} is not {want!r} renamed")
    eol = b"\r\n" if head.endswith(b"\r") else b"\n"
    return ",".join(HEADER_26).encode("utf-8") + eol + rest if sep else raw


# ------------------------------------------------------------------------ FingertipsNext
@cache
def _ftn_tables() -> tuple[pd.DataFrame, dict[int, dict], dict[int, str], dict[str, tuple]]:
    base = require_extracts() / "fingertipsnext"
    data = pd.read_csv(base / "healthdata.csv", dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")
    meta = {int(m["indicatorID"]): m for m in json.loads((base / "indicators.json").read_text())}
    periods = pd.read_csv(base / "indicators.csv", dtype=str, encoding="utf-8-sig")
    period_type = dict(zip(periods["IndicatorID"].astype(int), periods["PeriodType"],
                           strict=True))
    areas = pd.read_csv(base / "areas.csv", dtype=str, keep_default_na=False,
                        encoding="utf-8-sig")
    area = {r.AreaCode: (r.AreaName, r.AreaType) for r in areas.itertuples()}
    return data, meta, period_type, area


def ftn_indicator_ids() -> list[int]:
    """The FingertipsNext indicators with rows for England or an upper-tier authority."""
    data, _, _, area = _ftn_tables()
    keep = data["AreaCode"].map(lambda c: _ftn_area_type(c, area) is not None)
    return sorted({int(i) for i in data.loc[keep, "IndicatorId"]})


def _ftn_area_type(code: str, area: dict[str, tuple]) -> str | None:
    kind = area.get(code, (None, None))[1]
    if kind == "England":
        return "England"
    if kind == "Counties and Unitary Authorities":
        return UTLA_502
    return None


def _ftn_period(year: str, period_type: str) -> str:
    y = int(year)
    if period_type in ("Financial", "Academic"):
        return f"{y}/{(y + 1) % 100:02d}"
    return str(y)


def ftn_as_bulk(indicator_id: int) -> bytes:
    """One FingertipsNext indicator as a 27-column bulk CSV (see the module docstring)."""
    data, meta, period_type, area = _ftn_tables()
    rows = data[data["IndicatorId"].astype(int) == indicator_id]
    # 92026 has no metadata record in the extract: its name is not known.
    name = meta.get(indicator_id, {}).get("indicatorName") or f"Indicator {indicator_id}"
    kind = period_type.get(indicator_id, "Calendar")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER_27)
    for r in rows.itertuples(index=False):
        area_type = _ftn_area_type(r.AreaCode, area)
        if area_type is None:
            continue
        parent = ("", "") if area_type == "England" else NORTH_WEST
        writer.writerow([
            indicator_id, name, *parent, r.AreaCode, area[r.AreaCode][0], area_type, r.Sex,
            r.Age, r.CategoryType, r.Category, _ftn_period(r.Year, kind), r.Value, r.LowerCI,
            r.UpperCI, "", "", r.Count, r.Denominator, "", r.Trend, "", "",
            f"{int(r.Year)}0000", "", "", "1y",
        ])
    return out.getvalue().encode("utf-8")


def ftn_metadata(indicator_id: int) -> dict | None:
    """The ``indicators.json`` record of a FingertipsNext indicator (None if absent)."""
    return _ftn_tables()[1].get(indicator_id)


# ------------------------------------------------------------------------------ all files
def real_files() -> list[tuple[str, bytes]]:
    """Every real file of the extracts as ``(name, bytes)`` in a bulk/website layout."""
    base = require_extracts()
    files = [("jargonautical__" + p.name, p.read_bytes())
             for p in sorted((base / "jargonautical").glob("*.csv"))]
    files += [("jezzaay__" + p.name, load_jezzaay(p))
              for p in sorted((base / "jezzaay").glob("*.csv"))]
    files += [(f"fingertipsnext__indicator_{i}.csv", ftn_as_bulk(i)) for i in ftn_indicator_ids()]
    return files


def read_text_frame(body: bytes) -> pd.DataFrame:
    """A real file's rows as text (blank = missing), header names as in the file."""
    return pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False, na_values=[""],
                       encoding="utf-8-sig")


_POOLED = re.compile(r"^(\d{4})\s*-\s*(\d{2,4})$")


def period_range(period: str) -> str:
    """"1y", "3y", "5y" … from a period text such as "2015", "2016/17", "2013 - 17"."""
    m = _POOLED.match(period.strip())
    if not m:
        return "1y"
    start, end = int(m.group(1)), int(m.group(2))
    end = end if end > 99 else start // 100 * 100 + end
    return f"{end - start + 1}y"


@cache
def bulk_pool() -> pd.DataFrame:
    """Every real row in the 27-column layout (text), once per (indicator, area, …) key."""
    frames = []
    for name, body in real_files():
        frame = read_text_frame(body)
        if "Time period range" not in frame.columns:
            frame["Time period range"] = frame["Time period"].map(period_range)
        frames.append(frame[list(HEADER_27)].assign(_file=name))
    pool = pd.concat(frames, ignore_index=True)
    key = ["Indicator ID", "Area Code", "Sex", "Age", "Category Type", "Category",
           "Time period Sortable", "Time period range"]
    return pool.drop_duplicates(key, keep="first", ignore_index=True)


# ------------------------------------------------------------------------------ fake API
def _csv_body(frame: pd.DataFrame) -> bytes:
    out = io.StringIO()
    frame.to_csv(out, index=False, lineterminator="\r\n")
    return out.getvalue().encode("utf-8")


@dataclass
class RealFingertipsApi:
    """Handlers serving the real extracts from a :class:`fingertips_server.FingertipsServer`."""

    def install(self, server) -> None:
        from fingertips_server import Reply, json_reply

        server.route("all_data/csv/by_indicator_id", self.bulk)
        server.route("indicator_metadata/csv/by_indicator_id", self.metadata)
        server.route("nearest_neighbour_types", json_reply("nearest_neighbour_types.json"))
        server.route("areas/by_parent_area_code", self.neighbours)
        server.route("areas/by_area_type", lambda r: Reply(body=json.dumps([])))

    def bulk(self, request):
        from fingertips_server import CSV_TYPE, Reply

        ids = {i for i in request.query["indicator_ids"].split(",")}
        pool = bulk_pool()
        rows = pool[pool["Indicator ID"].isin(ids)].drop(columns="_file")
        return Reply(body=_csv_body(rows), content_type=CSV_TYPE)

    def metadata(self, request):
        from fingertips_server import CSV_TYPE, Reply

        rows = []
        for i in request.query["indicator_ids"].split(","):
            m = ftn_metadata(int(i))
            if m is None:
                continue
            rows.append({"Indicator ID": int(i), "Indicator": m["indicatorName"],
                         "Unit": m.get("unitLabel") or "", "Value type": m.get("valueType") or "",
                         "Year type": "", "Polarity": m.get("polarity") or ""})
        frame = pd.DataFrame(rows, columns=["Indicator ID", "Indicator", "Unit", "Value type",
                                            "Year type", "Polarity"])
        return Reply(body=_csv_body(frame), content_type=CSV_TYPE)

    def neighbours(self, request):
        from fingertips_server import Reply


        code = request.query["parent_area_code"].split("-", 2)[2]
        body = [
            {"Code": a.code, "Name": a.name, "Short": a.name, "AreaTypeId": 502,
             "Sequence": pos}
            for pos, a in enumerate(fixture_neighbours(code), start=1)
        ]
        return Reply(body=json.dumps(body))


def fixture_neighbours(code: str, n: int = 15):
    """The neighbours the fake API gives an area: Rutland's bundled CIPFA list where bundled,
    else (a test fixture, not a published model) the first ``n`` other authorities of its
    region in code order."""
    from rutland_jsna.data import areas

    try:
        return areas.cipfa_neighbours(code)
    except areas.NeighboursUnavailableError:
        me = areas.get_area(code)
        same = [a for a in areas.upper_tier_areas()
                if a.region_code == me.region_code and a.code != me.code]
        return tuple(same[:n])


def iter_labelled_rows(frame: pd.DataFrame) -> Iterator[pd.Series]:
    """Rows of a real file with a published "Compared to England" label."""
    col = "Compared to England value or percentiles"
    yield from (r for _, r in frame[frame[col].notna()].iterrows())


# ------------------------------------------------------------------- what the tests check
#: Indicators of the website downloads that are proportions with Wilson limits (the trend
#: test on counts); FingertipsNext indicators carry their value type in indicators.json.
WEBSITE_PROPORTIONS = frozenset({91871, 92315, 91137, 91138, 91139, 91141})


def value_type_of(indicator_id: int) -> str:
    """Fingertips' value type of a real indicator ("Proportion", "Indirectly standardised
    ratio", …; "Other" for the website downloads' rates)."""
    meta = ftn_metadata(int(indicator_id))
    if meta is not None and meta.get("valueType"):
        return str(meta["valueType"])
    return "Proportion" if int(indicator_id) in WEBSITE_PROPORTIONS else "Other"


def write_real_files(folder: Path) -> list[Path]:
    """Every real file written to ``folder`` (the layouts as downloaded), in a fixed order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, body in real_files():
        path = folder / name
        path.write_bytes(body)
        paths.append(path)
    return paths


def metadata_polarities(indicator_ids) -> pd.DataFrame:
    """``indicator_id, polarity`` from indicators.json (what the fake API's metadata serves)."""
    rows = [{"indicator_id": int(i), "polarity": (ftn_metadata(int(i)) or {}).get("polarity")}
            for i in indicator_ids]
    return pd.DataFrame([r for r in rows if r["polarity"]], columns=["indicator_id", "polarity"])
