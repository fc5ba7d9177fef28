"""`rutland-jsna fetch` / `validate`: the Fingertips download path end to end, offline.

A local fake API (tests/fingertips_server.py) serves the demonstration snapshot's bulk CSVs as
if they were Fingertips' answers, so the download → write-once cache → validation → processed
store → chapter loader path is exercised on realistic data without the internet.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from fingertips_server import CSV_TYPE, FingertipsServer, Reply, json_reply

from rutland_jsna import cli
from rutland_jsna.data import columns as C
from rutland_jsna.data.cache import RawCache
from rutland_jsna.data.errors import DataValidationError, FingertipsUnavailableError
from rutland_jsna.data.fetch import (
    FINGERTIPS_TABLE,
    catalogue_requests,
    fetch_fingertips,
    read_neighbours,
    validate_file,
)
from rutland_jsna.data.fingertips import FingertipsClient
from rutland_jsna.data.store import read_processed
from rutland_jsna.demo import ensure_demo_store


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demonstration snapshot (the project's own, generated once and only read here) and
    its store table, written to a temporary folder."""
    home = tmp_path_factory.mktemp("demo_home")
    frame, meta = ensure_demo_store(store_dir=home / "processed")
    return frame, meta


def _bulk_responder(snapshot_dir):
    """Serve the requested indicators' demo bulk CSVs as one Fingertips answer."""

    def reply(request):
        ids = [int(i) for i in request.query["indicator_ids"].split(",")]
        header, rows = None, []
        for i in ids:
            path = snapshot_dir / f"indicator_{i}.csv"
            if not path.is_file():
                continue
            with path.open(newline="", encoding="utf-8") as fh:
                reader = csv.reader(fh)
                header = next(reader)
                rows.extend(reader)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return Reply(body=out.getvalue(), content_type=CSV_TYPE)

    return reply


def _neighbour_responder(snapshot_dir):
    table = pd.read_csv(snapshot_dir / "neighbours.csv", dtype=str)

    def reply(request):
        code = request.query["parent_area_code"].split("-", 2)[2]
        rows = table[table["area_code"] == code].sort_values("position", key=lambda s: s.astype(int))
        body = [
            {"Code": r.neighbour_code, "Name": r.neighbour_name, "Short": r.neighbour_name,
             "AreaTypeId": 502, "Sequence": int(r.position)}
            for r in rows.itertuples()
        ]
        return Reply(body=json.dumps(body))

    return reply


@pytest.fixture
def server(demo):
    snapshot_dir = demo[1]["snapshot_dir"]
    from pathlib import Path

    snapshot_dir = Path(snapshot_dir)
    with FingertipsServer() as srv:
        srv.route("all_data/csv/by_indicator_id", _bulk_responder(snapshot_dir))
        srv.route("nearest_neighbour_types", json_reply("nearest_neighbour_types.json"))
        srv.route("areas/by_parent_area_code", _neighbour_responder(snapshot_dir))
        yield srv


def test_catalogue_requests_group_ids_by_profile_without_repeats():
    groups = catalogue_requests()
    ids = [i for group in groups.values() for i in group]
    assert len(ids) == len(set(ids))
    assert 19 in groups and 45 in groups  # PHOF (outcomes) and sexual health profiles
    assert 20101 in groups[19]  # low birth weight of term babies, an outcomes indicator


def test_fetch_fingertips_round_trips_the_served_rows(demo, server, tmp_path):
    frame, _ = demo
    client = FingertipsClient(server.base_url, cache=RawCache(tmp_path / "raw"), sleep=lambda s: None)
    summary = fetch_fingertips(
        client, area_codes=["E06000017", "E10000003"], progress=False, store_dir=tmp_path / "proc"
    )
    # every request carried the chapter's profile where one is resolved, and the sortable periods
    bulk = server.hits("all_data/csv/by_indicator_id")
    assert {h.query.get("profile_id") for h in bulk} >= {"19", "45"}
    assert all(h.query["include_sortable_time_periods"] == "yes" for h in bulk)
    assert all(h.query["child_area_type_id"] == "502" for h in bulk)

    got, meta = read_processed(FINGERTIPS_TABLE, directory=tmp_path / "proc")
    assert meta.is_demo is False and summary.rows == len(got) == len(frame)
    key = list(C.KEY_COLUMNS)
    a = got.sort_values(key).reset_index(drop=True)
    b = frame.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a[list(C.NUMERIC_COLUMNS)], b[list(C.NUMERIC_COLUMNS)])
    assert list(a[C.AREA_CODE]) == list(b[C.AREA_CODE])
    # the raw answers are in the write-once cache, checksummed in the manifest
    assert summary.raw_files and set(meta.input_checksums) == {
        p.rsplit("/", 1)[-1] for p in summary.raw_files
    }

    nn = read_neighbours(tmp_path / "proc")
    assert list(nn["area_code"].unique()) == ["E06000017", "E10000003"]
    assert (nn.groupby("area_code").size() == 15).all()
    assert list(nn[nn.area_code == "E06000017"]["position"]) == list(range(1, 16))


def test_fetch_writes_nothing_when_the_service_is_unreachable(tmp_path):
    from fingertips_server import closed_port

    client = FingertipsClient(
        f"http://127.0.0.1:{closed_port()}/api/", cache=RawCache(tmp_path / "raw"),
        sleep=lambda s: None,
    )
    with pytest.raises(FingertipsUnavailableError, match="use --source demo"):
        fetch_fingertips(client, progress=False, store_dir=tmp_path / "proc")
    assert not (tmp_path / "proc").exists() or not any((tmp_path / "proc").iterdir())


def test_fetch_quarantines_an_invalid_row_and_stores_the_rest(demo, tmp_path):
    snapshot_dir = __import__("pathlib").Path(demo[1]["snapshot_dir"])
    good = _bulk_responder(snapshot_dir)

    def broken(request):
        reply = good(request)
        lines = reply.payload().decode().split("\n")
        fields = next(csv.reader([lines[1]]))
        fields[7] = "Unknown sex"  # column 8, Sex
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(fields)
        lines[1] = out.getvalue()
        return Reply(body="\n".join(lines), content_type=CSV_TYPE)

    with FingertipsServer() as srv:
        srv.route("all_data/csv/by_indicator_id", broken)
        srv.route("nearest_neighbour_types", json_reply("nearest_neighbour_types.json"))
        srv.route("areas/by_parent_area_code", _neighbour_responder(snapshot_dir))
        client = FingertipsClient(srv.base_url, cache=RawCache(tmp_path / "raw"), sleep=lambda s: None)
        summary = fetch_fingertips(
            client, progress=False, store_dir=tmp_path / "proc", requests={19: [20101]}
        )
    served = len(pd.read_csv(snapshot_dir / "indicator_20101.csv"))
    got, _ = read_processed(FINGERTIPS_TABLE, directory=tmp_path / "proc")
    assert len(got) == served - 1 == summary.rows
    report = pd.read_csv(tmp_path / "proc" / "fingertips.issues.csv", dtype=str)
    bad = report[report["action"] == "quarantined"]
    assert list(bad["row"]) == ["2"] and list(bad["column"]) == ["sex"]
    assert bad["file"].iloc[0].endswith(".csv") and bad["rule"].iloc[0].startswith("sex must be")
    text = "\n".join(summary.lines())
    assert "1 rows quarantined (not stored)" in text and "fingertips.issues.csv" in text
    # the metadata endpoint is absent on this server: the words decide polarity, and it says so
    assert "polarity metadata not available for profile 19" in text


def test_validate_file_kinds_and_errors(demo, tmp_path):
    snapshot_dir = __import__("pathlib").Path(demo[1]["snapshot_dir"])
    assert validate_file(snapshot_dir / "indicator_20101.csv")[0] == "bulk"
    assert validate_file(snapshot_dir / "dental_access.csv") == ("dental_access", 1848)
    bad = tmp_path / "dental_access_q1.csv"
    bad.write_text("area_code,area_name\nE06000017,Rutland\n")
    with pytest.raises(DataValidationError, match="column 'population': required column is missing"):
        validate_file(bad)
    odd = tmp_path / "notes.txt"
    odd.write_text("hello")
    with pytest.raises(ValueError, match="cannot tell what this file is"):
        validate_file(odd)
    with pytest.raises(ValueError, match="kind: unknown kind 'xlsx'"):
        validate_file(bad, "xlsx")


def test_cli_validate_exit_codes(demo, tmp_path, capsys):
    snapshot_dir = __import__("pathlib").Path(demo[1]["snapshot_dir"])
    assert cli.main(["validate", str(snapshot_dir / "uda_delivery.csv")]) == 0
    assert "valid uda_delivery" in capsys.readouterr().out
    bad = tmp_path / "uda_delivery.csv"
    bad.write_text("geography_id\nX\n")
    assert cli.main(["validate", str(bad)]) == 1
    assert "INVALID" in capsys.readouterr().err


def test_cli_fetch_offline_without_cache_fails_cleanly(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RUTLAND_JSNA_HOME", str(tmp_path))
    assert cli.main(["fetch", "--source", "fingertips", "--offline", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rutland-jsna fetch: ") and "Traceback" not in err
