"""FingertipsClient against a local fake API (tests/fingertips_server.py): never the internet.

Every fault case also checks that nothing invalid reached the cache and the manifest is
unchanged.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pandas as pd
import pytest
import requests
from fingertips_server import (
    FingertipsServer,
    Reply,
    closed_port,
    csv_reply,
    fixture_bytes,
    fixture_text,
    html_reply,
    json_reply,
)

from rutland_jsna.data import cache as cache_module
from rutland_jsna.data import fingertips as ft
from rutland_jsna.data.cache import MANIFEST_NAME, CacheMissError, RawCache
from rutland_jsna.data.columns import TIDY_COLUMNS, bulk_header
from rutland_jsna.data.errors import (
    ChecksumMismatchError,
    FingertipsNoDataError,
    FingertipsSchemaError,
    FingertipsUnavailableError,
    UnknownAreaError,
)
from rutland_jsna.data.fingertips import (
    MAX_IDS_PER_REQUEST,
    USER_AGENT,
    FingertipsClient,
    FingertipsLookupError,
    FingertipsRequestError,
    fetch_indicators,
)

BULK = "all_data/csv/by_indicator_id"
BULK_CSV = "all_data_90776_502_6.csv"
TODAY = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


# ---------------------------------------------------------------------- fixtures
@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch):
    """A proxy set in the developer's environment must not intercept 127.0.0.1."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def server():
    with FingertipsServer() as srv:
        yield srv


@pytest.fixture
def cache(tmp_path):
    return RawCache(tmp_path / "raw" / "fingertips", clock=lambda: TODAY)


class Sleeps(list):
    """Records the waits the client asks for, without waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def client(server, cache, sleeps):
    with FingertipsClient(server.base_url, cache=cache, timeout=(2.0, 2.0), sleep=sleeps) as c:
        yield c


@pytest.fixture
def impatient_client(server, cache, sleeps):
    """A client with a 0.25 s read timeout, for the slow-server tests."""
    with FingertipsClient(server.base_url, cache=cache, timeout=(2.0, 0.25), sleep=sleeps) as c:
        yield c


def cache_state(cache: RawCache) -> dict[str, bytes]:
    """Every file under the cache root except the partial-download folder and lock files."""
    if not cache.root.exists():
        return {}
    return {
        str(p.relative_to(cache.root)): p.read_bytes()
        for p in sorted(cache.root.rglob("*"))
        if p.is_file() and ".partial" not in p.parts and not p.name.startswith(".MANIFEST")
    }


def assert_nothing_cached(cache: RawCache, before: dict[str, bytes] | None = None) -> None:
    assert cache_state(cache) == (before or {})
    partial = cache.root / ".partial"
    assert not partial.exists() or list(partial.iterdir()) == []


def bulk_csv_for(request) -> Reply:
    """The fixture CSV re-labelled for every requested indicator id (batching tests)."""
    header, *rows = fixture_text(BULK_CSV).splitlines()
    out = [header]
    for ind in request.query["indicator_ids"].split(","):
        out += [ind + row[len("90776") :] for row in rows]
    return csv_reply("\n".join(out) + "\n")


def with_header(header: list[str]) -> str:
    _, *rows = fixture_text(BULK_CSV).splitlines()
    return "\n".join([",".join(header), *rows]) + "\n"


# ---------------------------------------------------------------------- construction, TLS
def test_user_agent_names_the_team_to_contact(monkeypatch, tmp_path):
    monkeypatch.delenv(ft.CONTACT_ENV, raising=False)
    assert ft.user_agent() == USER_AGENT
    monkeypatch.setenv(ft.CONTACT_ENV, "jsna@rutland.gov.uk")
    assert ft.user_agent().endswith("builder; +jsna@rutland.gov.uk)")
    c = FingertipsClient(cache=RawCache(tmp_path), contact="https://example.org/team")
    assert c.session.headers["User-Agent"].endswith("; +https://example.org/team)")
    with pytest.raises(ValueError, match="RUTLAND_JSNA_CONTACT"):
        ft.user_agent("me)\r\nX-Evil: 1")


def test_session_identifies_itself_and_always_verifies(client):
    assert client.session.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT == f"rutland_jsna/{ft.__version__} (Joint Strategic Needs Assessment builder)"
    assert client.session.verify is True
    assert client.session.trust_env is True


def test_every_request_passes_verify_true(client, server, monkeypatch):
    server.route("area_types", json_reply("area_types.json"))
    seen = []
    real_get = client.session.get

    def spy(url, **kwargs):
        seen.append(kwargs)
        return real_get(url, **kwargs)

    monkeypatch.setattr(client.session, "get", spy)
    client.area_types()
    assert seen and all(kw["verify"] is True for kw in seen)
    assert all(kw["timeout"] == (2.0, 2.0) for kw in seen)


def test_no_code_path_disables_tls_verification():
    insecure = re.compile(
        r"verify\s*=\s*(False|0|None)\b|CERT_NONE|check_hostname\s*=\s*False|disable_warnings"
    )
    for module in (ft, cache_module):
        source = inspect.getsource(module)
        assert not insecure.search(source), module.__name__


def test_tls_error_is_not_retried_and_points_to_requests_ca_bundle(client, monkeypatch, sleeps):
    calls = []

    def refuse(url, **kwargs):
        calls.append(kwargs["verify"])
        raise requests.exceptions.SSLError(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"
        )

    monkeypatch.setattr(client.session, "get", refuse)
    with pytest.raises(FingertipsUnavailableError, match="REQUESTS_CA_BUNDLE.*--source demo"):
        client.area_types()
    assert calls == [True]  # one attempt, verified; never an unverified retry
    assert sleeps == []
    assert_nothing_cached(client.cache)


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl not available to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def test_untrusted_certificate_fails_and_requests_ca_bundle_is_honoured(
    self_signed, cache, sleeps, monkeypatch
):
    with FingertipsServer(tls=self_signed) as tls_server:
        tls_server.route("area_types", json_reply("area_types.json"))
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
        client = FingertipsClient(tls_server.base_url, cache=cache, sleep=sleeps)
        with pytest.raises(FingertipsUnavailableError, match="certificate verif") as info:
            client.area_types()
        assert "REQUESTS_CA_BUNDLE" in str(info.value)
        assert tls_server.requests == []  # no request ever completed without verification
        assert_nothing_cached(cache)

        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(self_signed[0]))
        frame = FingertipsClient(tls_server.base_url, cache=cache, sleep=sleeps).area_types()
        assert 502 in set(frame["area_type_id"])


def test_https_proxy_from_environment_is_used(client, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.org:3128")
    monkeypatch.delenv("NO_PROXY")
    monkeypatch.delenv("no_proxy")
    settings = client.session.merge_environment_settings(
        ft.DEFAULT_BASE_URL + "area_types", {}, None, True, None
    )
    assert settings["proxies"]["https"] == "http://proxy.example.org:3128"


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("http://fingertips.phe.org.uk/api/", "plain http; use https"),
        ("ftp://x/api/", "expected an https:// URL"),
    ],
)
def test_base_url_must_be_https_except_loopback(base_url, message, cache):
    with pytest.raises(ValueError, match=message):
        FingertipsClient(base_url, cache=cache)


def test_base_url_gets_trailing_slash_and_urls_keep_commas(cache):
    c = FingertipsClient("https://example.org/api", cache=cache)
    assert c.url("profiles") == "https://example.org/api/profiles"
    assert (
        c.url(BULK, {"indicator_ids": "1,2", "profile_id": None, "x": 3})
        == "https://example.org/api/all_data/csv/by_indicator_id?indicator_ids=1,2&x=3"
    )


# ---------------------------------------------------------------------- success paths
def test_area_types(client, server, cache):
    server.route("area_types", json_reply("area_types.json"))
    frame = client.area_types()
    assert list(frame.columns) == ["area_type_id", "name", "short", "can_be_displayed_on_map"]
    row = frame.set_index("area_type_id").loc[502]
    assert row["short"] == "Counties & UAs (from Apr 2023)"
    (entry,) = cache.entries()
    assert entry.url == server.base_url + "area_types"
    assert entry.rows == 6
    assert entry.path.suffix == ".json"
    assert server.hits("area_types")[0].headers["User-Agent"] == USER_AGENT


def test_area_types_for_profiles_sends_profile_ids(client, server):
    server.route("area_types", json_reply("area_types.json"))
    client.area_types(profile_ids=[19, 45])
    assert server.hits("area_types")[0].query == {"profile_ids": "19,45"}


def test_areas_by_area_type_and_by_parent(client, server):
    server.route("areas/by_area_type", json_reply("areas_by_area_type_502.json"))
    server.route("areas/by_parent_area_code", json_reply("areas_by_parent_E12000004_502.json"))
    all_areas = client.areas(502)
    assert list(all_areas.columns) == ["area_code", "area_name", "area_short", "area_type_id"]
    assert "E06000017" in set(all_areas["area_code"])
    children = client.child_areas("E12000004", 502)
    assert list(children["area_code"]) == ["E06000015", "E06000016", "E06000017", "E06000018"]
    assert server.hits("areas/by_parent_area_code")[0].query == {
        "area_type_id": "502",
        "parent_area_code": "E12000004",
    }


def test_nearest_neighbour_types(client, server):
    server.route("nearest_neighbour_types", json_reply("nearest_neighbour_types.json"))
    types = {t.neighbour_type_id: t for t in client.nearest_neighbour_types()}
    assert types[1].applicable_area_type_ids == (101, 102)
    assert client.neighbour_type_for(502).neighbour_type_id == 99


def test_nearest_neighbours_resolve_model_at_run_time(client, server):
    server.route("nearest_neighbour_types", json_reply("nearest_neighbour_types.json"))
    server.route(
        "areas/by_parent_area_code", json_reply("nearest_neighbours_nn-1-E06000017_102.json")
    )
    nn = client.nearest_neighbours("E06000017", 102)
    assert (nn.neighbour_type_id, nn.model_name) == (1, "CIPFA local authority nearest neighbours")
    assert nn.codes == ["E10000009", "E10000024", "E10000002"]
    assert list(nn.areas["rank"]) == [1, 2, 3]
    assert list(nn) == nn.codes and len(nn) == 3  # usable as a plain neighbour-code source
    assert server.hits("areas/by_parent_area_code")[0].query == {
        "area_type_id": "102",
        "parent_area_code": "nn-1-E06000017",
    }


def test_nearest_neighbours_are_ranked_by_sequence(client, server):
    server.route("nearest_neighbour_types", json_reply("nearest_neighbour_types.json"))
    shuffled = list(
        reversed(json.loads(fixture_text("nearest_neighbours_nn-1-E06000017_102.json")))
    )
    server.route("areas/by_parent_area_code", json_reply(shuffled))
    nn = client.nearest_neighbours("E06000017", 102, neighbour_type_id=1)
    assert nn.codes == ["E10000009", "E10000024", "E10000002"]


def test_no_neighbours_is_an_empty_group_not_an_error(client, server):
    server.route("nearest_neighbour_types", json_reply("nearest_neighbour_types.json"))
    server.route("areas/by_parent_area_code", json_reply([]))
    server.route("areas/by_area_type", json_reply("areas_by_area_type_502.json"))
    nn = client.nearest_neighbours("E09000001", 502)
    assert nn.codes == [] and nn.model_name == "NHSE nearest neighbours (placeholder)"
    assert list(nn.areas.columns) == [
        "rank",
        "area_code",
        "area_name",
        "area_short",
        "area_type_id",
    ]


def test_no_neighbours_for_an_area_outside_the_area_type(client, server):
    server.route("nearest_neighbour_types", json_reply("nearest_neighbour_types.json"))
    server.route("areas/by_parent_area_code", json_reply([]))
    server.route("areas/by_area_type", json_reply("areas_by_area_type_502.json"))
    with pytest.raises(UnknownAreaError, match="'E10000018' is not an area of area type 502"):
        client.nearest_neighbours("E10000018", 502)


def test_neighbour_model_lookup_errors(client, server):
    server.route("nearest_neighbour_types", json_reply("nearest_neighbour_types.json"))
    with pytest.raises(FingertipsLookupError, match="no neighbour model applies to area type 402"):
        client.neighbour_type_for(402)
    with pytest.raises(FingertipsLookupError, match="neighbour_type_id 5 is not"):
        client.nearest_neighbours("E06000017", 102, neighbour_type_id=5)


def test_several_neighbour_models_must_be_chosen(client, server):
    two = [
        {"NeighbourTypeId": 1, "Name": "A", "ApplicableAreaTypes": [{"Id": 102}]},
        {"NeighbourTypeId": 3, "Name": "B", "ApplicableAreaTypes": [{"Id": 102}]},
    ]
    server.route("nearest_neighbour_types", json_reply(two))
    with pytest.raises(
        FingertipsLookupError, match="several neighbour models.*pass neighbour_type_id"
    ):
        client.neighbour_type_for(102)


def test_profiles_resolved_by_key_or_name(client, server):
    server.route("profiles", json_reply("profiles.json"))
    assert client.profile("sexualhealth").profile_id == 45
    phof = client.profile("Public Health Outcomes Framework", expected_id=19)
    assert phof.key == "public-health-outcomes-framework"
    assert phof.group_ids[0] == 1000049
    with pytest.raises(FingertipsLookupError, match="did you mean 'sexualhealth'"):
        client.profile("sexual-health")
    with pytest.raises(FingertipsSchemaError, match="now has id 45, expected 46"):
        client.profile("sexualhealth", expected_id=46)
    assert len(server.hits("profiles")) == 1  # same-day calls are served from the cache


def test_group_metadata(client, server):
    server.route("group_metadata", json_reply("group_metadata_phof.json"))
    frame = client.group_metadata([1000049, 1000041, 1000042])
    assert list(frame.columns) == ["group_id", "name", "sequence", "profile_id"]
    assert frame["group_id"].tolist() == [1000049, 1000041, 1000042]
    assert server.hits("group_metadata")[0].query == {"group_ids": "1000049,1000041,1000042"}


def test_indicator_metadata_json_keyed_by_id(client, server):
    server.route("indicator_metadata/by_indicator_id", json_reply("indicator_metadata_90776.json"))
    frame = client.indicator_metadata([90776])
    row = frame.iloc[0]
    assert row["indicator_id"] == 90776
    assert row["unit_label"] == "%" and row["unit_multiplier"] == 100.0
    assert row["ci_method"] == "Wilson Score"
    assert row["last_uploaded_at"] == "2025-06-03T09:30:00"


def test_indicator_metadata_csv(client, server):
    server.route(
        "indicator_metadata/csv/by_indicator_id", csv_reply("indicator_metadata_90776.csv")
    )
    frame = client.indicator_metadata_csv([90776], profile_id=45)
    assert list(frame.columns) == list(ft.METADATA_CSV_COLUMNS.values())
    row = frame.iloc[0]
    assert row["indicator_id"] == 90776
    assert row["polarity"] == "RAG - High is good"  # padding stripped
    assert row["definition"] == "Illustrative definition, with a comma."
    assert server.hits("indicator_metadata/csv/by_indicator_id")[0].query == {
        "indicator_ids": "90776",
        "profile_id": "45",
    }


def test_metadata_batches_at_most_100_ids(client, server):
    def reply(request):
        ids = request.query["indicator_ids"].split(",")
        return json_reply({i: {"IID": int(i), "Descriptive": {"Name": f"ind {i}"}} for i in ids})

    server.route("indicator_metadata/by_indicator_id", reply)
    frame = client.indicator_metadata(range(1, 251))
    assert len(frame) == 250
    sizes = [
        len(r.query["indicator_ids"].split(","))
        for r in server.hits("indicator_metadata/by_indicator_id")
    ]
    assert sizes == [100, 100, 50]


def test_available_data(client, server):
    server.route("available_data", json_reply("available_data_90776.json"))
    frame = client.available_data(indicator_id=90776)
    assert list(frame.columns) == ["indicator_id", "area_type_id", "sex_id", "age_id"]
    assert client.area_types_with_data(90776) == [6, 15, 102, 202, 302]


def test_bulk_csv_success_tidy_frame_and_one_cached_file(client, server, cache):
    server.route(BULK, csv_reply(BULK_CSV))
    result = client.bulk_data([90776], 502, 6, profile_id=45)
    frame = result.frame
    assert tuple(frame.columns) == TIDY_COLUMNS
    assert len(frame) == 4
    assert str(frame["indicator_id"].dtype) == "Int64"
    assert str(frame["time_period_sortable"].dtype) == "Int64"
    assert frame["value"].dtype == "float64"
    rutland = frame[frame["area_code"] == "E06000017"].set_index("time_period")
    assert rutland.loc["2023", "value"] == 16.0
    assert rutland.loc["2023", "compared_to_parent"] == "Similar"
    assert pd.isna(rutland.loc["2022", "value"])
    assert rutland.loc["2022", "value_note"].startswith("Value suppressed")
    assert pd.isna(frame.loc[frame["area_code"] == "E92000001", "parent_code"]).all()
    assert frame["compared_to_goal"].tolist()[:3] == ["Amber", "Red", "Red"]

    (request,) = server.hits(BULK)
    assert request.query == {
        "indicator_ids": "90776",
        "child_area_type_id": "502",
        "parent_area_type_id": "6",
        "profile_id": "45",
        "include_sortable_time_periods": "yes",
    }
    (entry,) = result.files
    assert entry.rows == 4
    assert entry.path.read_bytes() == fixture_bytes(BULK_CSV)
    assert cache.entries() == [entry]
    assert result.missing_indicator_ids == ()


def test_fetch_indicators_batches_with_progress_and_returns_files(client, server, capsys):
    server.route(BULK, bulk_csv_for)
    ids = list(range(100001, 100001 + 2 * MAX_IDS_PER_REQUEST + 5))
    frame, files = fetch_indicators(client, ids, 502, 6, 45, progress=True)
    sizes = [len(r.query["indicator_ids"].split(",")) for r in server.hits(BULK)]
    assert sizes == [100, 100, 5]
    assert all(r.query["profile_id"] == "45" for r in server.hits(BULK))
    assert len(files) == 3 and len({f.path for f in files}) == 3
    assert len(frame) == 4 * len(ids)
    assert sorted(set(frame["indicator_id"].astype(int))) == ids
    assert "Fingertips download" in capsys.readouterr().err  # the tqdm bar


def test_partly_missing_indicators_are_reported_not_fatal(client, server):
    server.route(BULK, csv_reply(BULK_CSV))  # only 90776 has rows
    result = client.bulk_data([90776, 93014], 502, 6, profile_id=45)
    assert result.missing_indicator_ids == (93014,)


def test_extra_unknown_columns_and_target_data_rename(client, server):
    header = bulk_header("Region")
    header[header.index("Compared to goal")] = "Target data"
    lines = with_header(header).splitlines()
    text = "\n".join(f"{line},extra" for line in lines) + "\n"
    text = text.replace("Time period range,extra", "Time period range,Brand New Column", 1)
    server.route(BULK, csv_reply(text))
    frame = client.bulk_data([90776], 502, 6, profile_id=45).frame
    assert tuple(frame.columns) == TIDY_COLUMNS
    assert frame["compared_to_goal"].iloc[1] == "Red"


def test_parent_england_column_name_is_matched(client, server):
    server.route(BULK, csv_reply(with_header(bulk_header(None))))
    frame = client.bulk_data([90776], 502, 15, profile_id=45).frame
    assert frame["compared_to_parent"].iloc[2] == "Similar"


def test_same_day_repeat_is_served_from_the_cache(client, server, cache):
    server.route(BULK, csv_reply(BULK_CSV))
    first = client.bulk_data([90776], 502, 6, profile_id=45)
    second = client.bulk_data([90776], 502, 6, profile_id=45)
    assert len(server.hits(BULK)) == 1
    assert second.files == first.files
    pd.testing.assert_frame_equal(first.frame, second.frame)


# ---------------------------------------------------------------------- offline mode
def test_offline_mode_reads_latest_cached_copy_without_network(server, cache):
    server.route(BULK, csv_reply(BULK_CSV))
    online = FingertipsClient(server.base_url, cache=cache, sleep=Sleeps())
    expected = online.bulk_data([90776], 502, 6, profile_id=45)
    server.stop()  # from now on any network access would fail
    later = RawCache(cache.root, clock=lambda: datetime(2026, 3, 1, tzinfo=UTC))
    offline = FingertipsClient(server.base_url, cache=later, offline=True)
    got = offline.bulk_data([90776], 502, 6, profile_id=45)
    pd.testing.assert_frame_equal(got.frame, expected.frame)
    assert got.files == expected.files
    assert len(server.hits(BULK)) == 1
    with pytest.raises(CacheMissError, match="no cached download"):
        offline.area_types()


def test_tampered_cache_file_is_never_used(client, server, cache):
    server.route(BULK, csv_reply(BULK_CSV))
    (entry,) = client.bulk_data([90776], 502, 6, profile_id=45).files
    entry.path.write_text(entry.path.read_text().replace("16.0", "61.0"))
    with pytest.raises(ChecksumMismatchError, match=entry.path.name):
        client.bulk_data([90776], 502, 6, profile_id=45)
    offline = FingertipsClient(server.base_url, cache=cache, offline=True)
    with pytest.raises(ChecksumMismatchError):
        offline.bulk_data([90776], 502, 6, profile_id=45)


# ---------------------------------------------------------------------- faults: network
def test_slow_response_beyond_read_timeout_retries_then_unreachable(
    impatient_client, server, sleeps
):
    server.route("area_types", json_reply("area_types.json", delay=10.0))
    with pytest.raises(FingertipsUnavailableError) as info:
        impatient_client.area_types()
    message = str(info.value)
    assert message.startswith(
        "Fingertips API unreachable after 3 attempts: no response within the 0.25 s read timeout ("
    )
    assert f"({server.base_url}area_types)" in message
    assert message.endswith("use --source demo or a cached download")
    assert len(server.hits("area_types")) == 3
    assert sleeps == [2.0, 4.0]  # exponential back-off between the attempts
    assert_nothing_cached(impatient_client.cache)


def test_slow_then_fast_succeeds(impatient_client, server, sleeps):
    server.route(
        "area_types", json_reply("area_types.json", delay=10.0), json_reply("area_types.json")
    )
    assert len(impatient_client.area_types()) == 6
    assert sleeps == [2.0]


def test_500_then_success_is_retried_and_cached_once(client, server, cache, sleeps):
    server.route(
        BULK,
        Reply(500, "An error has occurred.", "text/plain; charset=utf-8"),
        csv_reply(BULK_CSV),
    )
    result = client.bulk_data([90776], 502, 6, profile_id=45)
    assert len(result.frame) == 4
    assert len(server.hits(BULK)) == 2
    assert sleeps == [2.0]
    assert len(cache.entries()) == 1
    assert len(list(cache.date_dir("2026-01-05").glob("all_data*.csv"))) == 1


def test_persistent_500_names_the_status_and_body(client, server, sleeps):
    server.route(BULK, Reply(503, "Service is down for maintenance", "text/plain"))
    with pytest.raises(
        FingertipsUnavailableError,
        match=r"unreachable after 3 attempts: HTTP 503 Service Unavailable — Service is down",
    ):
        client.bulk_data([90776], 502, 6, profile_id=45)
    assert_nothing_cached(client.cache)


def test_429_honours_retry_after(client, server, sleeps):
    server.route(
        "profiles",
        Reply(429, "slow down", "text/plain", headers={"Retry-After": "7"}),
        json_reply("profiles.json"),
    )
    assert len(client.profiles()) == 3
    assert sleeps == [7.0]


def test_429_retry_after_as_an_http_date(client, server, sleeps):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    server.route(
        "profiles",
        Reply(429, "", "text/plain", headers={"Retry-After": when}),
        json_reply("profiles.json"),
    )
    client.profiles()
    assert len(sleeps) == 1 and 25 <= sleeps[0] <= 30


def test_429_with_an_unreasonable_retry_after_gives_up_at_once(client, server, sleeps):
    server.route("profiles", Reply(429, "", "text/plain", headers={"Retry-After": "86400"}))
    with pytest.raises(FingertipsUnavailableError, match="asked to retry after 86400 s"):
        client.profiles()
    assert sleeps == [] and len(server.hits("profiles")) == 1
    assert_nothing_cached(client.cache)


def test_connection_refused_is_unreachable_with_demo_hint(cache, sleeps):
    url = f"http://127.0.0.1:{closed_port()}/api/"
    client = FingertipsClient(url, cache=cache, sleep=sleeps)
    with pytest.raises(
        FingertipsUnavailableError,
        match=r"^Fingertips API unreachable after 3 attempts: connection refused \(http://127\.0\.0\.1:\d+/api/area_types\); use --source demo or a cached download$",
    ):
        client.area_types()
    assert sleeps == [2.0, 4.0]
    assert_nothing_cached(cache)


def test_download_cut_short_is_retried_then_unreachable(client, server, sleeps):
    body = fixture_text(BULK_CSV)
    server.route(BULK, csv_reply(body, truncate_to=len(body) // 2))
    with pytest.raises(FingertipsUnavailableError, match="download interrupted"):
        client.bulk_data([90776], 502, 6, profile_id=45)
    assert len(server.hits(BULK)) == 3
    assert_nothing_cached(client.cache)


def test_400_is_a_request_error_not_retried(client, server, sleeps):
    server.route(BULK, Reply(400, "Invalid area type id: 999", "text/plain"))
    with pytest.raises(FingertipsRequestError, match=r"HTTP 400: Invalid area type id: 999"):
        client.bulk_data([90776], 999, 6, profile_id=45)
    assert sleeps == [] and len(server.hits(BULK)) == 1
    assert_nothing_cached(client.cache)


# ---------------------------------------------------------------------- faults: content
def test_truncated_json_names_the_endpoint(client, server):
    text = fixture_text("area_types.json")
    server.route("area_types", Reply(body=text[: len(text) // 2]))
    with pytest.raises(
        FingertipsSchemaError, match=r"^area_types: response is not valid JSON .*truncated"
    ):
        client.area_types()
    assert_nothing_cached(client.cache)


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "application/json"])
def test_html_page_where_json_was_expected(client, server, content_type):
    server.route("profiles", html_reply(content_type=content_type))
    with pytest.raises(
        FingertipsSchemaError,
        match=r"^profiles: expected JSON but received an HTML page titled 'Web Page Blocked' — a proxy or web filter returned HTML",
    ):
        client.profiles()
    assert_nothing_cached(client.cache)


def test_html_page_where_csv_was_expected(client, server):
    server.route(BULK, html_reply())
    with pytest.raises(
        FingertipsSchemaError, match="expected CSV but received an HTML page"
    ) as info:
        client.bulk_data([90776], 502, 6, profile_id=45)
    assert "--source demo" in str(info.value)
    assert_nothing_cached(client.cache)


def test_missing_required_json_key_names_endpoint_and_key(client, server):
    server.route("areas/by_area_type", json_reply([{"Code": "E06000017", "AreaTypeId": 502}]))
    with pytest.raises(
        FingertipsSchemaError,
        match=r"^areas/by_area_type: required key 'Name' missing from item 1 of 1 \(keys received: Code, AreaTypeId\)",
    ):
        client.areas(502)
    assert_nothing_cached(client.cache)


def test_missing_iid_in_indicator_metadata(client, server):
    server.route("indicator_metadata/by_indicator_id", json_reply({"90776": {"Descriptive": {}}}))
    with pytest.raises(
        FingertipsSchemaError, match="required key 'IID' missing from indicator 90776"
    ):
        client.indicator_metadata([90776])


def test_json_of_the_wrong_shape(client, server):
    server.route("profiles", json_reply({"Id": 19}))
    with pytest.raises(FingertipsSchemaError, match="profiles: expected a JSON list, got dict"):
        client.profiles()


def test_csv_with_renamed_column(client, server):
    header = bulk_header("Region")
    header[header.index("Value")] = "Indicator value"
    server.route(BULK, csv_reply(with_header(header)))
    with pytest.raises(FingertipsSchemaError) as info:
        client.bulk_data([90776], 502, 6, profile_id=45)
    message = str(info.value)
    assert message.startswith(f"{BULK}: required column 'Value' missing; columns received: ")
    assert "Indicator value" in message
    assert_nothing_cached(client.cache)


def test_csv_with_missing_column(client, server):
    header = bulk_header("Region")
    drop = header.index("Time period Sortable")
    lines = with_header(header).splitlines()
    text = "\n".join(
        ",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in lines
    )
    server.route(BULK, csv_reply(text + "\n"))
    with pytest.raises(
        FingertipsSchemaError,
        match=r"required column 'Time period Sortable' missing; columns received: Indicator ID, Indicator Name",
    ):
        client.bulk_data([90776], 502, 6, profile_id=45)
    assert_nothing_cached(client.cache)


def test_csv_with_text_in_a_numeric_column(client, server):
    """One bad cell does not block the download: it becomes missing here, and the store's
    screen quarantines its row (file, row, column, rule); the rest is kept."""
    from rutland_jsna.data.quality import QUARANTINED, screen_bulk_csv

    text = fixture_text(BULK_CSV).replace(",16.0,", ",n/a,")
    server.route(BULK, csv_reply(text))
    frame, files = client.bulk_data([90776], 502, 6, profile_id=45)
    assert frame["value"].isna().sum() >= 1 and len(files) == 1
    screened = screen_bulk_csv(files[0].path)
    bad = screened.issues[screened.issues["action"] == QUARANTINED]
    assert list(bad["row"]) == [4] and list(bad["column"]) == ["value"]
    assert bad["rule"].iloc[0] == "must be a number"
    assert len(screened.frame) == len(frame) - 1


def test_csv_with_no_number_in_a_numeric_column(client, server):
    lines = fixture_text(BULK_CSV).splitlines()
    rows = [next(csv.reader([line])) for line in lines]
    col = rows[0].index("Value")
    for r in rows[1:]:
        r[col] = "n/a"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    server.route(BULK, csv_reply(out.getvalue()))
    with pytest.raises(FingertipsSchemaError, match=r"column 'Value' must hold numbers"):
        client.bulk_data([90776], 502, 6, profile_id=45)
    assert_nothing_cached(client.cache)


def test_metadata_csv_missing_polarity(client, server):
    text = fixture_text("indicator_metadata_90776.csv").replace(",Polarity", ",Polarity id")
    server.route("indicator_metadata/csv/by_indicator_id", csv_reply(text))
    with pytest.raises(FingertipsSchemaError, match="required column 'Polarity' missing"):
        client.indicator_metadata_csv([90776])
    assert_nothing_cached(client.cache)


def test_header_only_result_names_indicator_area_type_and_suggests(client, server, cache):
    server.route(BULK, csv_reply("all_data_header_only.csv"))
    server.route("available_data", json_reply("available_data_90776.json"))
    server.route("area_types", json_reply("area_types.json"))
    with pytest.raises(FingertipsNoDataError) as info:
        client.bulk_data([90776], 502, 6, profile_id=45)
    message = str(info.value)
    assert message.startswith(
        "no data for indicator 90776 at area type 502 (Counties & UAs (from Apr 2023)) "
        "with parent area type 6 (Region)"
    )
    assert (
        "indicator 90776 has data for area types: 6 (Region), 15 (England), "
        "102 (Counties & UAs (pre Apr 2019)), 202 (Counties & UAs (2019/20)), "
        "302 (Counties & UAs (2020/21))"
    ) in message
    assert server.hits("available_data")[0].query == {"indicator_id": "90776"}
    # the header-only CSV is not cached; only the two valid look-ups behind the hint are
    assert {Path(e.url.split("?")[0]).name for e in cache.entries()} == {
        "available_data",
        "area_types",
    }
    assert not list(cache.root.rglob("all_data*"))


def test_header_only_result_when_the_hint_lookup_fails(client, server):
    server.route(BULK, csv_reply("all_data_header_only.csv"))
    server.route("available_data", html_reply())
    server.route("area_types", html_reply())
    with pytest.raises(
        FingertipsNoDataError, match="could not list the area types with data for 90776"
    ):
        client.bulk_data([90776], 502, 6, profile_id=45)
    assert_nothing_cached(client.cache)


def test_manifest_unchanged_by_a_fault_after_a_good_download(client, server, cache):
    server.route("area_types", json_reply("area_types.json"))
    client.area_types()
    before = cache_state(cache)
    manifest = (cache.date_dir("2026-01-05") / MANIFEST_NAME).read_bytes()
    server.route(BULK, html_reply())
    with pytest.raises(FingertipsSchemaError):
        client.bulk_data([90776], 502, 6, profile_id=45)
    server.route(BULK, Reply(500, "boom", "text/plain"))
    with pytest.raises(FingertipsUnavailableError):
        client.bulk_data([90776], 502, 6, profile_id=45)
    assert (cache.date_dir("2026-01-05") / MANIFEST_NAME).read_bytes() == manifest
    assert_nothing_cached(cache, before)


# ---------------------------------------------------------------------- argument checks
@pytest.mark.parametrize(
    ("ids", "message"),
    [([], "at least one id"), ([90776, "x"], "whole-number id, got 'x'"), ([True], "got True")],
)
def test_indicator_ids_are_validated(client, ids, message):
    with pytest.raises(ValueError, match=message):
        client.bulk_data(ids, 502, 6, profile_id=45)


def test_bulk_csv_content_type_is_not_required(client, server):
    server.route(BULK, Reply(body=fixture_text(BULK_CSV), content_type="application/octet-stream"))
    assert len(client.bulk_data([90776], 502, 6, profile_id=45).frame) == 4
