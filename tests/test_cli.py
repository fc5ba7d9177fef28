"""rutland-jsna command line: parsing, list, build success and failure messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from rutland_jsna import cli
from rutland_jsna.report.build import BuildError, BuildResult, ChapterResult


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

    monkeypatch.setattr("rutland_jsna.report.build.build", fake_build)
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

    monkeypatch.setattr("rutland_jsna.report.build.build", failing)
    assert cli.main(["build"]) == 1
    err = capsys.readouterr().err
    assert "outcomes.ipynb failed at cell 12" in err and "KeyError" in err
    assert "untouched" in err


def test_data_errors_exit_1(monkeypatch, capsys):
    def bad(**kwargs):
        raise ValueError("area_code: E12000004 is not an upper-tier local authority")

    monkeypatch.setattr("rutland_jsna.report.build.build", bad)
    assert cli.main(["build", "--area", "E12000004"]) == 1
    assert "not an upper-tier" in capsys.readouterr().err
