"""The indicator catalogue: the bundled CSV obeys every rule, lines up with the published
outcomes report, and broken CSVs are rejected with messages naming the row and column."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest

from rutland_jsna.config import BOARD_PAPERS_DIR
from rutland_jsna.data import catalogue as cat
from rutland_jsna.data.catalogue_model import Chapter, ComparisonMethod, IdStatus, ValueType
from rutland_jsna.data.errors import DataValidationError
from rutland_jsna.stats.labels import Polarity

PINS = Path(cat.__file__).resolve().parents[1] / "demo" / "pin_tables"


@pytest.fixture(scope="module")
def catalogue():
    return cat.load_catalogue()


def _published_outcomes() -> list[dict[str, str]]:
    with open(PINS / "outcomes_report_rutland.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _appendix_indicators() -> dict[str, str]:
    with open(BOARD_PAPERS_DIR / "sexual_health_appendix1_ranks.csv", newline="", encoding="utf-8") as fh:
        return {r["indicator"]: r["polarity"] for r in csv.DictReader(fh)}


# ---------------------------------------------------------------------------- the bundled file


def test_counts_by_chapter(catalogue):
    counts = Counter(i.chapter for i in catalogue)
    assert counts[Chapter.OUTCOMES] == 73
    assert counts[Chapter.ORAL_HEALTH] == 11
    assert counts[Chapter.SEXUAL_HEALTH] >= 16 + 8


def test_keys_unique_and_orders_contiguous(catalogue):
    assert len({i.key for i in catalogue}) == len(catalogue)
    for chapter in Chapter:
        orders = [i.order for i in catalogue if i.chapter is chapter]
        assert orders == list(range(1, len(orders) + 1))


def test_ids_only_with_evidence_and_status(catalogue):
    for i in catalogue:
        if i.id_status is IdStatus.UNKNOWN:
            assert i.fingertips_id is None, i.key
            assert not i.has_data_id
        else:
            assert isinstance(i.fingertips_id, int) and i.fingertips_id > 0, i.key
            assert i.extra["evidence"], i.key


def test_multiplier_matches_unit_and_confidence(catalogue):
    for i in catalogue:
        assert i.comparison_confidence in (0.95, 0.998)
        if i.unit == "%":
            assert i.multiplier == 100
        if i.unit.startswith("per "):
            assert i.multiplier == float(i.unit[4:].replace(",", ""))
        if i.value_type in (ValueType.PROPORTION, ValueType.CRUDE_RATE, ValueType.DSR):
            assert i.multiplier > 1


def test_goals_only_with_goal_method(catalogue):
    goal_rows = [i for i in catalogue if i.comparison_method is ComparisonMethod.GOAL]
    for i in catalogue:
        if i.comparison_method is not ComparisonMethod.GOAL:
            assert i.goal_lower is None and i.goal_upper is None, i.key
    hpv = [i for i in goal_rows if "hpv" in i.key]
    assert {i.sex for i in hpv} == {"Female", "Male"}
    assert all(i.goal_lower == 80 for i in hpv)
    shingles = [i for i in goal_rows if "shingles" in i.key]
    assert len(shingles) == 1 and shingles[0].goal_lower == 50
    assert len(goal_rows) == 3


def test_p4_dental_compared_in_quintiles(catalogue):
    p4 = [i for i in catalogue if i.chapter is Chapter.OUTCOMES and i.section == "P4"]
    assert len(p4) == 1 and p4[0].comparison_method is ComparisonMethod.QUINTILES
    assert p4[0].fingertips_id == 92785


def test_profile_ids(catalogue):
    for i in catalogue:
        expected = {Chapter.OUTCOMES: 19, Chapter.SEXUAL_HEALTH: 45, Chapter.ORAL_HEALTH: None}
        assert i.profile_id == expected[i.chapter], i.key
    assert all("profile id not resolved" in i.notes for i in cat.chapter_indicators("oral_health"))


def test_section_titles_from_sections_csv(catalogue):
    sections = {(s.chapter, s.code): s for s in cat.load_sections()}
    for i in catalogue:
        assert i.section_title == sections[(i.chapter, i.section)].heading
    p1 = sections[(Chapter.OUTCOMES, "P1")]
    assert p1.heading == "Priority 1: Enabling the best start in life"
    assert p1.table_title == "Priority 1: The best start for life"
    assert [s.code for s in cat.chapter_sections("outcomes")] == [
        "P1", "P2", "P3", "P4", "P5", "P6", "CC1", "CC2", "CC3",
    ]  # fmt: skip


# ------------------------------------------------------------------ the published outcomes report


def test_outcomes_rows_line_up_with_published_report(catalogue):
    published = _published_outcomes()
    rows = cat.chapter_indicators("outcomes")
    assert len(rows) == len(published) == 73
    section_of = {s.heading: s.code for s in cat.chapter_sections("outcomes")}
    section_of["Cross Cutting Themes: Reducing Health Inequalities"] = "CC2"
    for ind, pub in zip(rows, published, strict=True):
        where = f"{ind.key} vs published row {pub['seed_line']}"
        assert ind.section == section_of[pub["priority"]], where
        assert ind.sex_label == pub["sex"], where
        assert ind.extra["published_period"] == pub["period"], where
        printed_age = pub["age"]
        if printed_age.endswith(".."):
            assert ind.age_label.startswith(printed_age[:-2]), where
        else:
            assert ind.age_label == printed_age, where
        printed = pub["indicator"]
        shown = ind.display_name
        if printed.endswith(".."):
            assert shown.startswith(printed[:-2]), where
        else:
            assert not shown.endswith("..")
            # printed names match the display name, except for the narrative-only HPV row
            if "narrative" not in pub["note"]:
                assert shown == printed, where


def test_full_names_never_truncated(catalogue):
    assert not any(i.name.endswith("..") for i in catalogue)


def test_sex_strings_follow_printed_labels(catalogue):
    mapping = {"P": "Persons", "F": "Female", "M": "Male", "N/A": "Not applicable"}
    for i in cat.chapter_indicators("outcomes"):
        assert i.sex == mapping[i.sex_label], i.key


def test_polarity_consistent_with_printed_best_and_worst(catalogue):
    """Where Best and Worst are printed, a high-is-good row has Best >= Worst and a
    low-is-good row Best <= Worst — except the two 65+ continuation rows, which the source
    ranked as if low were good (recorded in their notes)."""
    exceptions = set()
    for ind, pub in zip(cat.chapter_indicators("outcomes"), _published_outcomes(), strict=True):
        try:
            best, worst = float(pub["best"]), float(pub["worst"])
        except ValueError:
            continue
        if ind.polarity is Polarity.HIGH_IS_GOOD and best < worst:
            exceptions.add(ind.key)
        if ind.polarity is not Polarity.HIGH_IS_GOOD and best > worst:
            exceptions.add(ind.key)
    assert exceptions == {
        "outcomes.cc1.b18a_users_social_contact_65_plus",
        "outcomes.cc1.b18b_carers_social_contact_65_plus",
    }
    for key in exceptions:
        assert "as if low were good" in cat.get_indicator(key).notes


# ---------------------------------------------------------------------------- sexual health


def test_sexual_health_appendix_rows(catalogue):
    appendix = _appendix_indicators()
    rows = [i for i in cat.chapter_indicators("sexual_health") if i.extra["appendix_name"]]
    assert sorted(i.extra["appendix_name"] for i in rows) == sorted(appendix)
    for i in rows:
        assert i.extra["appendix_polarity"] == appendix[i.extra["appendix_name"]]
    differing = {
        i.extra["appendix_name"]
        for i in rows
        if Polarity({"H": "High is good", "L": "Low is good"}[i.extra["appendix_polarity"]])
        is not i.polarity
    }
    assert differing == {
        "Sexual offences rate / 1,000 (PHOF indicator 1.12iii)",
        "Under 18s conceptions leading to abortion (%)",
        "Chlamydia detection rate / 100,000 aged 15-24 (PHOF indicator 3.02)",
    }


def test_sexual_health_issue6_indicators_present():
    keys = {i.key.split(".")[-1] for i in cat.chapter_indicators("sexual_health")}
    for needed in (
        "all_new_sti_excl_chlamydia_under25", "chlamydia_diagnostic_rate", "gonorrhoea_diagnostic_rate",
        "syphilis_diagnostic_rate", "genital_warts_diagnostic_rate", "genital_herpes_diagnostic_rate",
        "chlamydia_screened_15_24_persons", "chlamydia_detection_15_24_female",
        "chlamydia_detection_15_24_male", "chlamydia_positivity_15_24", "hiv_testing_uptake",
        "new_hiv_diagnosis_rate_15_plus", "hiv_diagnosed_prevalence_15_59", "hiv_late_diagnosis",
        "total_prescribed_larc", "gp_prescribed_larc", "under18_conception_rate",
        "under18_conceptions_abortion", "abortions_under_10_weeks", "under25_repeat_abortions",
    ):  # fmt: skip
        assert needed in keys, needed


def test_oral_health_rows():
    rows = cat.chapter_indicators("oral_health")
    assert len(rows) == 11
    assert sum(i.has_data_id for i in rows) == 10
    assert [i.section for i in rows if i.fingertips_id == 92785] == ["access"]


def test_with_id_only_filter():
    rows = cat.chapter_indicators("outcomes", with_id_only=True)
    assert rows and all(i.has_data_id for i in rows)


# ---------------------------------------------------------------------------- frame and periods


def test_catalogue_frame(catalogue):
    frame = cat.catalogue_frame()
    assert len(frame) == len(catalogue)
    assert frame["key"].is_unique
    for col in ("display_name", "has_data_id", "evidence", "appendix_polarity", "polarity"):
        assert col in frame.columns
    assert str(frame["fingertips_id"].dtype) == "Int64"
    assert set(frame["polarity"]) <= {p.value for p in Polarity}


@pytest.mark.parametrize(
    ("ptype", "year", "text"),
    [
        ("calendar", 2021, "2021"),
        ("financial", 2021, "2021/22"),
        ("financial", 1999, "1999/00"),
        ("calendar_3y", 2018, "2018 - 20"),
        ("financial_5y", 2017, "2017/18 - 21/22"),
        ("financial_3y", 2018, "2018/19 - 20/21"),
        ("aug_jul", 2019, "Aug 2019 - Jul 2020"),
    ],
)
def test_period_round_trip(ptype, year, text):
    assert cat.format_period(ptype, year) == text
    assert cat.period_start_year(ptype, text) == year


def test_period_errors():
    with pytest.raises(ValueError, match="unknown 'weekly'"):
        cat.format_period("weekly", 2020)
    with pytest.raises(ValueError, match="does not match the 'financial' format"):
        cat.period_start_year("financial", "2021")
    with pytest.raises(ValueError, match="not a valid 'financial' period"):
        cat.period_start_year("financial", "2021/23")


def test_get_indicator():
    assert cat.get_indicator("outcomes.p1.c04_low_birth_weight_term").fingertips_id == 20101
    with pytest.raises(KeyError, match="no catalogue indicator"):
        cat.get_indicator("outcomes.p1.nothing")


# ---------------------------------------------------------------------------- validation errors


def _copy_catalogue(tmp_path: Path) -> Path:
    dst = tmp_path / "indicators.csv"
    shutil.copy(cat.INDICATORS_CSV, dst)
    return dst


def _edit(path: Path, row_index: int, **changes: str) -> None:
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames
        rows = list(reader)
    rows[row_index].update(changes)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


@pytest.mark.parametrize(
    ("row", "changes", "column", "message"),
    [
        (1, {"key": "outcomes.p1.c04_low_birth_weight_term"}, "key", "duplicate key"),
        (0, {"chapter": "dental"}, "chapter", "must be one of"),
        (0, {"value_type": "percentage"}, "value_type", "must be one of"),
        (0, {"polarity": "Higher is better"}, "polarity", "must be one of"),
        (0, {"multiplier": "1000"}, "multiplier", "inconsistent with the unit"),
        (0, {"unit": "percent"}, "unit", "must be one of"),
        (0, {"comparison_confidence": "95"}, "comparison_confidence", "give it as a fraction"),
        (0, {"goal_lower": "80"}, "goal_lower", "only allowed with comparison_method 'goal'"),
        (18, {"goal_lower": ""}, "goal_lower", "required with comparison_method 'goal'"),
        (0, {"fingertips_id": "20101a"}, "fingertips_id", "positive integer"),
        (4, {"fingertips_id": "12345"}, "fingertips_id", "ids are never guessed"),
        (0, {"id_status": "unknown"}, "fingertips_id", "ids are never guessed"),
        (0, {"evidence": ""}, "evidence", "required for every id"),
        (0, {"section": "P9"}, "section", "not a section of this chapter"),
        (0, {"period_type": "weekly"}, "period_type", "must be one of"),
        (0, {"published_period": "2021/22"}, "published_period", "does not match"),
        (0, {"time_period_range": "3y"}, "time_period_range", "must be '1y'"),
        (
            0,
            {"appendix_polarity": "H", "appendix_name": "x"},
            "appendix_polarity",
            "only sexual-health",
        ),
        (0, {"ci_method": "dobson"}, "ci_method", "does not apply"),
        (0, {"name": "Low birth weight of term ba.."}, "name", "full name"),
        (0, {"sex": "P"}, "sex", "must be one of"),
        (1, {"order": "1"}, "order", "duplicate order"),
    ],
)
def test_validation_errors_name_row_and_column(tmp_path, row, changes, column, message):
    path = _copy_catalogue(tmp_path)
    _edit(path, row, **changes)
    with pytest.raises(DataValidationError, match=message) as err:
        cat.load_catalogue(path)
    text = str(err.value)
    assert str(path) in text
    assert f"column '{column}'" in text
    assert f"rows {row + 2}" in text or f", {row + 2}" in text


def test_missing_column_is_reported(tmp_path):
    path = tmp_path / "indicators.csv"
    with open(cat.INDICATORS_CSV, encoding="utf-8") as src:
        text = src.read().replace(",polarity,", ",polarity_x,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError, match="column 'polarity': required column is missing"):
        cat.load_catalogue(path)


def test_all_errors_collected_in_one_report(tmp_path):
    path = _copy_catalogue(tmp_path)
    _edit(path, 0, polarity="bad", unit="bad")
    _edit(path, 5, chapter="bad")
    with pytest.raises(DataValidationError) as err:
        cat.load_catalogue(path)
    assert len(err.value.failures) >= 3


def test_bad_sections_file(tmp_path):
    path = tmp_path / "sections.csv"
    with open(cat.SECTIONS_CSV, encoding="utf-8") as src:
        lines = src.read().splitlines()
    lines.append(lines[1])  # duplicate P1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="duplicate"):
        cat.load_sections(path)
