"""Areas and comparator groups (rutland_jsna.data.areas).

Expected lists are typed in from the board papers (chapters.md §1.7 and §2.4), not read from
the bundled files, so a wrong edit of a bundled CSV fails here.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from rutland_jsna.config import shared_reference_dir
from rutland_jsna.data import areas as A
from rutland_jsna.data.areas import (
    AREAS_DIR,
    Area,
    AreaCodeSplitError,
    AreaType,
    NeighboursUnavailableError,
    cipfa_neighbours,
    code_changes,
    current_code,
    england,
    get_area,
    load_area_tables,
    regions,
    sexual_health_comparators,
    upper_tier_areas,
)
from rutland_jsna.data.errors import DataValidationError, UnknownAreaError

# Outcomes report, March 2023, "Nearest CIPFA neighbours to Rutland", in printed order.
RUTLAND_CIPFA = [
    ("Bedford", "E06000055"),
    ("Buckinghamshire UA", "E06000060"),
    ("Central Bedfordshire", "E06000056"),
    ("Cheshire East", "E06000049"),
    ("Cheshire West and Chester", "E06000050"),
    ("Cornwall", "E06000052"),
    ("Dorset", "E06000059"),
    ("East Riding of Yorkshire", "E06000011"),
    ("Herefordshire", "E06000019"),
    ("North Somerset", "E06000024"),
    ("Shropshire", "E06000051"),
    ("Solihull", "E08000029"),
    ("South Gloucestershire", "E06000025"),
    ("West Berkshire", "E06000037"),
    ("Wiltshire", "E06000054"),
]
# Sexual health strategy 2015, Appendix 1 comparators, today's codes.
SH_2015_NOW = [
    "E06000060",  # Buckinghamshire (E10000002 in 2015)
    "E10000003",  # Cambridgeshire
    "E06000056",  # Central Bedfordshire
    "E06000049",  # Cheshire East
    "E06000011",  # East Riding of Yorkshire
    "E06000065",  # North Yorkshire (E10000023 in 2015)
    "E10000025",  # Oxfordshire
    "E06000037",  # West Berkshire
    "E06000054",  # Wiltshire
    "E10000034",  # Worcestershire
]


# ---------------------------------------------------------------------------------------------
# Areas
# ---------------------------------------------------------------------------------------------


def test_153_upper_tier_areas_unique():
    utlas = upper_tier_areas()
    assert len(utlas) == 153
    assert len({a.code for a in utlas}) == 153
    assert len({a.name for a in utlas}) == 153
    assert all(a.type is AreaType.UTLA for a in utlas)
    assert all(a.region_code and a.region_code.startswith("E12") for a in utlas)


def test_regions_and_england():
    regs = regions()
    assert [r.code for r in regs] == [f"E1200000{i}" for i in range(1, 10)]
    assert all(r.type is AreaType.REGION and r.region_code == r.code for r in regs)
    eng = england()
    assert eng == Area("E92000001", "England", AreaType.ENGLAND, None, None)
    assert get_area("England") is eng


def test_get_area_by_code_and_name():
    rutland = get_area("E06000017")
    assert rutland == get_area("Rutland") == get_area("  Rutland ")
    assert rutland.region_code == "E12000004"
    assert rutland.region_name == "East Midlands Region"
    assert str(rutland) == "Rutland (E06000017)"
    assert get_area("E12000004").type is AreaType.REGION


def test_area_is_frozen():
    with pytest.raises(AttributeError):
        get_area("Rutland").name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("query", "suggested"),
    [
        ("Rutlnd", "Rutland (E06000017)"),
        ("E0600017", "Rutland (E06000017)"),
        ("rutland", "Rutland (E06000017)"),
        ("Leicestershre", "Leicestershire (E10000018)"),
        ("East Midlands region", "East Midlands Region (E12000004)"),
    ],
)
def test_unknown_area_suggests_closest(query: str, suggested: str):
    with pytest.raises(UnknownAreaError, match=r"did you mean") as info:
        get_area(query)
    msg = str(info.value)
    assert f"unknown area {query!r}" in msg
    assert msg.split("did you mean ")[1].startswith(suggested)


def test_unknown_area_without_close_match_has_no_suggestion():
    with pytest.raises(UnknownAreaError) as info:
        get_area("Atlantis")
    assert "did you mean" not in str(info.value)


def test_former_code_names_its_successor():
    with pytest.raises(
        UnknownAreaError,
        match=r"E10000002 \(Buckinghamshire\) is a former code: since 2020-04-01 the area is Buckinghamshire UA \(E06000060\)",
    ):
        get_area("E10000002")


def test_get_area_rejects_non_string():
    with pytest.raises(TypeError, match="expected a string"):
        get_area(17)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Code changes
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("E10000002", "E06000060"),  # Buckinghamshire 2020
        ("E10000023", "E06000065"),  # North Yorkshire 2023
        ("E10000009", "E06000059"),  # Dorset 2019
        ("E06000028", "E06000058"),  # Bournemouth -> BCP 2019
        ("E06000029", "E06000058"),  # Poole -> BCP 2019
        ("E10000027", "E06000066"),  # Somerset 2023
        ("E08000020", "E08000037"),  # Gateshead 2013
        ("E06000048", "E06000057"),  # Northumberland 2013
        ("E06000017", "E06000017"),  # current: unchanged
        ("E92000001", "E92000001"),
    ],
)
def test_current_code(old: str, new: str):
    assert current_code(old) == new


@pytest.mark.parametrize(
    ("old", "parts"),
    [
        ("E10000021", "North Northamptonshire (E06000061), West Northamptonshire (E06000062)"),
        ("E10000006", "Cumberland (E06000063), Westmorland and Furness (E06000064)"),
    ],
)
def test_split_code_has_no_single_successor(old: str, parts: str):
    with pytest.raises(
        AreaCodeSplitError,
        match=rf"{old} has no single current code: the area was split on \d{{4}}-\d\d-\d\d into {re.escape(parts)}",
    ):
        current_code(old)


def test_current_code_unknown_suggests():
    with pytest.raises(
        UnknownAreaError, match=r"unknown area code 'E0600017'.*did you mean Rutland \(E06000017\)"
    ):
        current_code("E0600017")


def test_code_changes_records():
    changes = code_changes()
    bucks = [c for c in changes if c.old_code == "E10000002"]
    assert len(bucks) == 1 and bucks[0].new_code == "E06000060"
    assert bucks[0].effective_date.isoformat() == "2020-04-01"


# ---------------------------------------------------------------------------------------------
# Neighbours and comparators
# ---------------------------------------------------------------------------------------------


def test_rutland_15_cipfa_neighbours_in_printed_order():
    got = cipfa_neighbours("E06000017")
    assert [(a.name, a.code) for a in got] == RUTLAND_CIPFA
    assert cipfa_neighbours() == got  # Rutland is the default
    assert cipfa_neighbours("Rutland") == got
    assert all(a.type is AreaType.UTLA for a in got)


def test_other_area_needs_a_source():
    with pytest.raises(
        NeighboursUnavailableError,
        match=r"no bundled CIPFA neighbour list for Leicestershire \(E10000018\).*Pass source=",
    ):
        cipfa_neighbours("E10000018")


def test_neighbours_of_region_rejected():
    with pytest.raises(
        UnknownAreaError, match=r"East Midlands Region \(E12000004\) is not an upper-tier"
    ):
        cipfa_neighbours("E12000004")


def test_neighbour_table_source():
    table = pd.DataFrame(
        {
            "area_code": ["E10000018"] * 3 + ["E06000016"],
            "neighbour_code": ["E10000024", "E10000007", "E10000034", "E06000015"],
            "position": [2, 1, 3, 1],
            "extra": ["ignored"] * 4,
        }
    )
    got = cipfa_neighbours("E10000018", source=table)
    assert [a.code for a in got] == ["E10000007", "E10000024", "E10000034"]
    assert cipfa_neighbours("E10000031", source=table) == ()


def test_neighbour_table_missing_columns():
    with pytest.raises(ValueError, match=r"neighbour table lacks column\(s\) position"):
        cipfa_neighbours("E10000018", source=pd.DataFrame({"area_code": [], "neighbour_code": []}))


def test_mapping_source_overrides_bundled():
    got = cipfa_neighbours("E06000017", source={"E06000017": ["E06000055", "E06000056"]})
    assert [a.code for a in got] == ["E06000055", "E06000056"]


def test_callable_source_with_fingertips_records_and_old_codes():
    # Shape of areas/by_parent_area_code?parent_area_code=nn-1-<code> (fingertips_api.md §7.1)
    calls = []

    def fake_client(code: str):
        calls.append(code)
        return [
            {"Code": "E10000024", "Name": "Nottinghamshire", "Sequence": 2},
            {"Code": "E10000009", "Name": "Dorset", "Sequence": 1},
            {"Code": "E10000002", "Name": "Buckinghamshire", "Sequence": 3},
        ]

    got = cipfa_neighbours("E06000017", source=fake_client)
    assert calls == ["E06000017"]
    assert [a.code for a in got] == ["E06000059", "E10000024", "E06000060"]


def test_callable_source_with_codes():
    got = cipfa_neighbours("E09000001", source=lambda code: [])
    assert got == ()
    got = cipfa_neighbours("E10000018", source=lambda code: ("E10000024",))
    assert [a.name for a in got] == ["Nottinghamshire"]


@pytest.mark.parametrize(
    ("codes", "error", "message"),
    [
        (
            ["E06000055", "E0600055"],
            UnknownAreaError,
            r"neighbours of Rutland \(E06000017\): unknown area code 'E0600055'",
        ),
        (["E06000017"], ValueError, r"lists Rutland \(E06000017\) as its own neighbour"),
        (["E06000055", "E06000055"], ValueError, r"lists Bedford \(E06000055\) twice"),
        (
            ["E12000004"],
            UnknownAreaError,
            r"East Midlands Region \(E12000004\) is not an upper-tier",
        ),
        (["E10000021"], AreaCodeSplitError, r"E10000021 has no single current code"),
        ([1, 2], ValueError, r"must be area codes or Fingertips area records"),
    ],
)
def test_bad_neighbour_sources(codes, error, message):
    with pytest.raises(error, match=message):
        cipfa_neighbours("E06000017", source=lambda code: codes)


def test_bad_source_type():
    with pytest.raises(TypeError, match="expected a DataFrame, a mapping or a callable"):
        cipfa_neighbours("E06000017", source=42)  # type: ignore[arg-type]


def test_sexual_health_comparators_today():
    got = sexual_health_comparators()
    assert [a.code for a in got] == SH_2015_NOW
    assert len(got) == 10
    assert "E06000017" not in {a.code for a in got}
    cipfa = {a.code for a in cipfa_neighbours()}
    overlap = [a.name for a in got if a.code in cipfa]
    assert overlap == [
        "Buckinghamshire UA",
        "Central Bedfordshire",
        "Cheshire East",
        "East Riding of Yorkshire",
        "West Berkshire",
        "Wiltshire",
    ]


# ---------------------------------------------------------------------------------------------
# Validation of the bundled files on load (bad copies in tmp_path)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def area_dir(tmp_path: Path) -> Path:
    d = tmp_path / "areas"
    shutil.copytree(AREAS_DIR, d)
    return d


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_bundled_copy_loads(area_dir: Path):
    tables = load_area_tables(area_dir)
    assert len(tables.utlas) == 153 and len(tables.regions) == 9


def test_neighbour_not_in_utla_list_is_reported(area_dir: Path):
    _edit(area_dir / "cipfa_neighbours.csv", "E06000017,12,E08000029", "E06000017,12,E07000029")
    with pytest.raises(
        DataValidationError,
        match=r"cipfa_neighbours.csv: column 'neighbour_code' rows 13: must be one of the 153 upper-tier codes",
    ):
        load_area_tables(area_dir)


def test_missing_utla_row_is_reported(area_dir: Path):
    _edit(area_dir / "utla_2023.csv", "E06000017,Rutland,E12000004,East Midlands Region\n", "")
    with pytest.raises(DataValidationError) as info:
        load_area_tables(area_dir)
    msg = str(info.value)
    assert (
        "utla_2023.csv: column 'area_code': must list 153 upper-tier authorities, found 152" in msg
    )
    # Rutland's neighbour list now points at a missing subject
    assert "cipfa_neighbours.csv: column 'area_code' rows 2, 3" in msg


def test_duplicate_utla_code_is_reported(area_dir: Path):
    _edit(area_dir / "utla_2023.csv", "E06000018,Nottingham", "E06000017,Nottingham")
    with pytest.raises(
        DataValidationError, match=r"utla_2023.csv: column 'area_code' rows 18, 19: must be unique"
    ):
        load_area_tables(area_dir)


def test_region_name_mismatch_is_reported(area_dir: Path):
    _edit(
        area_dir / "utla_2023.csv",
        "E06000017,Rutland,E12000004,East Midlands Region",
        "E06000017,Rutland,E12000004,East Midlands",
    )
    with pytest.raises(
        DataValidationError,
        match=r"utla_2023.csv: column 'region_name' rows 18: must equal the region's name",
    ):
        load_area_tables(area_dir)


def test_bad_code_change_is_reported(area_dir: Path):
    _edit(
        area_dir / "code_changes.csv",
        "E10000002,Buckinghamshire,E06000060",
        "E06000017,Buckinghamshire,E06000060",
    )
    with pytest.raises(
        DataValidationError,
        match=r"code_changes.csv: column 'old_code' rows \d+: must not be a current code",
    ):
        load_area_tables(area_dir)


def test_bad_comparator_mapping_is_reported(area_dir: Path):
    _edit(area_dir / "sexual_health_comparators.csv", "E10000023,E06000065", "E10000023,E06000064")
    with pytest.raises(
        DataValidationError,
        match=r"sexual_health_comparators.csv: column 'area_code' rows 7: must equal code_2015 or its successor",
    ):
        load_area_tables(area_dir)


def test_missing_column_is_reported(area_dir: Path):
    p = area_dir / "regions.csv"
    p.write_text(p.read_text().replace("area_type", "kind"))
    with pytest.raises(
        DataValidationError, match=r"regions.csv: column 'area_type': required column is missing"
    ):
        load_area_tables(area_dir)


def test_neighbour_positions_must_run_1_to_n(area_dir: Path):
    _edit(area_dir / "cipfa_neighbours.csv", "E06000017,15,E06000054", "E06000017,16,E06000054")
    with pytest.raises(DataValidationError, match=r"positions of E06000017 must run 1..15"):
        load_area_tables(area_dir)


def test_module_cache_uses_bundled_dir():
    assert A._tables() is A._tables()


@pytest.mark.skipif(
    not (shared_reference_dir() / "utla_2023.csv").is_file(), reason="../shared/reference absent"
)
def test_bundled_utla_list_is_a_verbatim_copy():
    assert (AREAS_DIR / "utla_2023.csv").read_bytes() == (
        shared_reference_dir() / "utla_2023.csv"
    ).read_bytes()


def test_callable_source_returning_an_iterable_of_codes():
    # e.g. functools.partial(FingertipsClient.nearest_neighbours, area_type_id=102): returns an
    # object that iterates over neighbour codes in rank order.
    class Ranked:
        def __init__(self, codes):
            self._codes = codes

        def __iter__(self):
            return iter(self._codes)

    got = cipfa_neighbours("E06000017", source=lambda code: Ranked(["E10000002", "E06000055"]))
    assert [a.code for a in got] == ["E06000060", "E06000055"]
