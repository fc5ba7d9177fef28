"""rutland-jsna command line: parsing, list, build success and failure messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from rutland_jsna import cli
from rutland_jsna.release.build import BuildError, BuildResult, ChapterResult


def test_build_defaults():
    args = cli.build_parser().parse_args(["build"])
    assert args.area == "E06000017" and args.source == "demo" and args.release is None
    assert args.chapters is None and args.confidence == 0.95 and args.comparators is None


def test_build_options():
    args = cli.build_parser().parse_args([
        "build", "--area", "E10000003", "--release", "2026-Q4", "--source", "/data/store",
        "--chapters", "outcomes", "oral_health", "--comparators", "E06000055, E06000056",
        "--confidence", "0.998", "--no-progress",
    ])
    assert args.area == "E10000003" and args.release == "2026-Q4"
    assert args.chapters == ["outcomes", "oral_health"]
    assert args.comparators == ["E06000055", "E06000056"] and args.confidence == 0.998


def test_confidence_95_is_refused_with_a_hint(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["build", "--confidence", "95"])
    assert info.value.code == 2
    assert "did you mean 0.95" in capsys.readouterr().err


def test_unknown_chapter_refused(capsys):
    with pytest.raises(SystemExit):
        cli.main(["build", "--chapters", "dental"])
    assert "invalid choice" in capsys.readouterr().err


def test_list_areas(capsys):
    assert cli.main(["list", "areas"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 153
    assert any(line.startswith("E06000017\tRutland\t") for line in lines)


def test_list_indicators(capsys):
    assert cli.main(["list", "indicators", "--chapter", "outcomes"]) == 0
    out = capsys.readouterr().out
    assert "outcomes.p1.c04_low_birth_weight_term\t20101\tconfirmed" in out
    assert "sexual_health." not in out


def test_build_success(monkeypatch, capsys, tmp_path):
    seen = {}

    def fake_build(**kwargs):
        seen.update(kwargs)
        ch = ChapterResult("outcomes", tmp_path / "outcomes.html", [tmp_path / "a.csv"], 1.0,
                           ["a warning"])
        return BuildResult("2026-Q4", tmp_path, [ch], 2.5)

    monkeypatch.setattr("rutland_jsna.release.build.build", fake_build)
    assert cli.main(["build", "--area", "E10000003", "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert seen["area_code"] == "E10000003" and seen["progress"] is False
    assert "release 2026-Q4" in captured.out and "outcomes.html" in captured.out
    assert "warning from outcomes: a warning" in captured.err


def test_build_failure_prints_notebook_cell_and_error(monkeypatch, capsys):
    def failing(**kwargs):
        raise BuildError("outcomes.ipynb", "KeyError", "'P9'", cell_index=12,
                         cell_source='outcomes.priority(ctx, "P9")', partial=Path("/x/p.ipynb"),
                         release="2026-Q4")

    monkeypatch.setattr("rutland_jsna.release.build.build", failing)
    assert cli.main(["build"]) == 1
    err = capsys.readouterr().err
    assert "outcomes.ipynb failed at cell 12" in err and "KeyError" in err
    assert "untouched" in err


def test_data_errors_exit_1(monkeypatch, capsys):
    def bad(**kwargs):
        raise ValueError("area_code: E12000004 is not an upper-tier local authority")

    monkeypatch.setattr("rutland_jsna.release.build.build", bad)
    assert cli.main(["build", "--area", "E12000004"]) == 1
    assert "not an upper-tier" in capsys.readouterr().err


def test_build_flags_for_incremental_engine_and_batch():
    args = cli.build_parser().parse_args([
        "build", "--force", "--engine", "inprocess", "--jobs", "3", "--all-areas",
        "--areas", "E06000017,E10000003", "--workers", "4"])
    assert args.force and args.engine == "inprocess" and args.jobs == 3 and args.all_areas
    assert args.areas == ["E06000017", "E10000003"] and args.workers == 4
    assert args.dask_scheduler is None


def test_workers_need_all_areas(capsys):
    assert cli.main(["build", "--workers", "2"]) == 2
    assert "need --all-areas" in capsys.readouterr().err


def test_build_passes_incremental_and_engine(monkeypatch, tmp_path):
    seen = {}

    def fake_build(**kwargs):
        seen.update(kwargs)
        ch = ChapterResult("outcomes", tmp_path / "outcomes.html", [], 0.0, [], reused=True)
        return BuildResult("2026-Q4", tmp_path, [ch], 0.5)

    monkeypatch.setattr("rutland_jsna.release.build.build", fake_build)
    assert cli.main(["build", "--force", "--engine", "inprocess", "--no-progress"]) == 0
    assert seen["incremental"] is False and seen["engine"] == "inprocess"


def test_all_areas_prints_the_error_summary(monkeypatch, capsys, tmp_path):
    from rutland_jsna.release.batch import AreaResult, BatchResult

    seen = {}

    def fake(**kwargs):
        seen.update(kwargs)
        return BatchResult("2026-Q4", tmp_path, [
            AreaResult("E06000017", "Rutland", tmp_path / "areas" / "E06000017"),
            AreaResult("E06000053", "Isles of Scilly", None, [], "outcomes.ipynb failed: boom"),
        ], 12.0, national_seconds=1.5, workers=2)

    monkeypatch.setattr("rutland_jsna.release.batch.build_all_areas", fake)
    assert cli.main(["build", "--all-areas", "--workers", "2", "--no-progress"]) == 1
    out = capsys.readouterr()
    assert seen["workers"] == 2 and seen["areas"] is None and seen["executor"] is None
    assert "1 of 2 areas" in out.out and "national.html" in out.out
    assert "E06000053: outcomes.ipynb failed: boom" in out.err




def test_diff_lists_exactly_the_changed_indicators(tmp_path, capsys, monkeypatch):
    import pandas as pd

    from rutland_jsna.analysis import columns as C
    from rutland_jsna.analysis.changes import write_summary_csv

    def summary(values, comparisons, trends):
        base = {c: [pd.NA] * 3 for c in C.SUMMARY_COLUMNS}
        base.update({
            C.KEY: ["a", "b", "c"], C.INDICATOR: ["Alpha", "Beta", "Gamma"],
            C.SEX: ["P"] * 3, C.AGE: ["All ages"] * 3, C.PERIOD: ["2022"] * 3,
            C.VALUE: values, C.COMPARISON: comparisons, C.TREND: trends,
            C.SUPPRESSED: [False] * 3, C.SMALL_NUMBERS: [False] * 3,
            C.COUNT_SUPPRESSED: [False] * 3,
        })
        return pd.DataFrame(base)

    same = ["No significant change"] * 3
    write_summary_csv(summary([1.0, 2.0, 3.0], ["Similar"] * 3, same),
                      tmp_path / "2026-Q1" / "outcomes_summary.csv", "E06000017")
    # an all-area release: Rutland's value of b and comparison of c changed; Cambridgeshire new
    write_summary_csv(summary([1.04, 2.5, 3.0], ["Similar", "Similar", "Worse"], same),
                      tmp_path / "2026-Q2" / "areas" / "E06000017" / "outcomes_summary.csv",
                      "E06000017")
    write_summary_csv(summary([1.0, 2.0, 3.0], ["Similar"] * 3, same),
                      tmp_path / "2026-Q2" / "areas" / "E10000003" / "outcomes_summary.csv",
                      "E10000003")
    assert cli.main(["diff", "2026-Q1", "2026-Q2", "--reports", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 indicator(s) changed between 2026-Q1 and 2026-Q2" in out
    lines = [line for line in out.splitlines() if line.startswith("outcomes")]
    assert any("Beta (P, All ages)" in line and "Value" in line and "2.0" in line and "2.5" in line
               for line in lines)
    assert any("Gamma" in line and "Comparison" in line and "Worse" in line for line in lines)
    assert not any("Alpha" in line for line in lines)  # 1.0 -> 1.04 prints the same
    assert any("E10000003" in line and "Chapter added" in line for line in lines)
    assert cli.main(["diff", "2026-Q1", "2026-Q2", "--reports", str(tmp_path), "--csv",
                     "--area", "E06000017"]) == 0
    csv = capsys.readouterr().out.splitlines()
    assert csv[0] == "chapter,area_code,key,indicator,sex,age,change,previous,current"
    assert len(csv) == 3
    assert cli.main(["diff", "2026-Q1", "2026-Q9", "--reports", str(tmp_path)]) == 2
