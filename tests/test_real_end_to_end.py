"""The proof: real Fingertips extracts through ``rutland-jsna fetch`` and ``build``.

A fake Fingertips API on 127.0.0.1 (``tests/fingertips_server.py`` with the handlers of
``tests/real_extracts.py``) serves the real extracts as bulk CSVs, keeping their quirks (the
website downloads' "Country", "Primary school age", pooled periods, value notes, blank 99.8%
limits, values outside their own interval, deprivation deciles), the FingertipsNext metadata's
polarity, and a neighbour list per area. ``rutland-jsna fetch --base-url`` downloads them for
Rutland, Blackpool, Lancashire and Manchester; ``rutland-jsna build`` then builds every chapter
for each at 95% and 99.8%, and the pages and stored summaries are checked. Skipped, saying why,
where the extracts are absent.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
import real_extracts as rx
from fingertips_server import FingertipsServer

from rutland_jsna import cli, config
from rutland_jsna.analysis import columns as C

pytestmark = [pytest.mark.realdata, pytest.mark.notebook]

AREAS = {"E06000017": "Rutland", "E06000009": "Blackpool", "E10000017": "Lancashire",
         "E08000003": "Manchester"}
CONFIDENCES = ("0.95", "0.998")
#: The build also published as PDF, Excel and Word (the board-pack formats on real data).
FORMATS_RELEASE = "E06000009-0.95"
CHAPTERS = ("outcomes", "sexual_health", "oral_health")
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
#: Words a page must never show (a number formatting or a comparator group gone wrong).
FORBIDDEN = (r"\bnan\b", r"\bNaN\b", r"\bNone\b", r"\bout of 1\b", r"\bof 1 (?:similar )?areas?\b",
             r"\b0 comparator", r"\b1st out of 1\b", r"\brank 1/1\b")
#: Published markers the stored summary cannot reproduce, each with its reason.
TREND_EXCEPTIONS = {
    # FingertipsNext keeps years >= 2018 only: 2021 is the 4th period of 20401 in the extract
    (20401, "not enough data points"),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    rx.require_extracts()
    shared = config.shared_reference_dir().parent
    home = tmp_path_factory.mktemp("real_home")
    mp = pytest.MonkeyPatch()
    mp.setenv("RUTLAND_JSNA_SHARED", str(shared))
    mp.setenv("RUTLAND_JSNA_HOME", str(home))
    mp.delenv("RUTLAND_JSNA_FINGERTIPS_URL", raising=False)
    rx.bulk_pool()  # read the extracts before the server thread needs them
    with FingertipsServer() as server:
        rx.RealFingertipsApi().install(server)
        args = ["fetch", "--source", "fingertips", "--no-progress", "--base-url", server.base_url]
        for code in AREAS:
            args += ["--area", code]
        fetched = cli.main(args)
        base_url, requests = server.base_url, list(server.requests)
    builds = {}
    for code in AREAS:
        for conf in CONFIDENCES:
            release = f"{code}-{conf}"
            builds[release] = cli.main([
                "build", "--source", "fingertips", "--area", code, "--confidence", conf,
                "--release", release, "--no-progress", "--engine", "inprocess",
                "--notebooks", str(NOTEBOOKS),
                *(["--formats", "all"] if release == FORMATS_RELEASE else [])])
    # an area whose neighbours were not fetched: an explicit fallback, said on the page
    builds["E10000003-0.95"] = cli.main([
        "build", "--source", "fingertips", "--area", "E10000003", "--release",
        "E10000003-0.95", "--no-progress", "--engine", "inprocess", "--notebooks",
        str(NOTEBOOKS)])
    # a website download built directly: imported first, then built
    download = rx.write_real_files(home / "downloads")[0]  # jargonautical, 26 columns
    builds["download-0.95"] = cli.main([
        "build", "--source", str(download), "--release", "download-0.95", "--no-progress",
        "--engine", "inprocess", "--notebooks", str(NOTEBOOKS), "--chapters", "outcomes"])
    yield {"home": home, "fetched": fetched, "builds": builds, "base_url": base_url,
           "requests": requests}
    mp.undo()


def _text(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<img[^>]*>", " ", html)
    html = re.sub(r"<svg[^>]*>.*?</svg>", " ", html, flags=re.S)  # a chart's own text
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_fetch_uses_the_given_api_root_and_records_it(project):
    assert project["fetched"] == 0
    hits = [r for r in project["requests"] if r.endpoint == "areas/by_parent_area_code"]
    assert {r.query["parent_area_code"].rsplit("-", 1)[1] for r in hits} == set(AREAS)
    side = (project["home"] / "data" / "processed" / "fingertips.json").read_text()
    assert project["base_url"] in side and "fingertips.phe.org.uk" not in side
    report = pd.read_csv(project["home"] / "data" / "processed" / "fingertips.issues.csv")
    assert "polarity" in set(report["column"])  # 90813, with its reason


def test_every_build_exits_0(project):
    assert project["builds"] == dict.fromkeys(project["builds"], 0)


@pytest.mark.parametrize("release", [f"{a}-{c}" for a in AREAS for c in CONFIDENCES])
def test_pages_name_comparators_and_speak_their_confidence(project, release):
    code, conf = release.rsplit("-", 1)
    folder = project["home"] / "reports" / release
    for chapter in CHAPTERS:
        text = _text(folder / f"{chapter}.html")
        for pattern in FORBIDDEN:
            assert not re.search(pattern, text), (chapter, pattern, re.search(pattern, text))
        m = re.search(r"Comparator areas: (.*?) — (.*?)\. The full list", text)
        assert m and m.group(2).count(",") >= 4, (chapter, text[:300])
        assert project["base_url"] in text  # provenance: the API root actually used
        if conf == "0.998":
            assert "using the 99.8% confidence interval" in text, chapter
            assert "using the 95% confidence interval" not in text
            assert "whiskers its 95% confidence interval" not in text
        else:
            assert "using the 95% confidence interval" in text
    outcomes = _text(folder / "outcomes.html")
    if conf == "0.998":
        # a proportion and a crude rate without published 99.8% limits: computed, and said so
        assert "computed from the count and denominator with the" in outcomes or code == (
            "E06000017")
    assert "Data quality: rows left out or flagged" in outcomes
    assert "Hospital admissions as a result of self-harm (10-24 years) (Fingertips 90813)" in (
        outcomes)


def test_a_downloaded_file_is_a_source(project):
    """build --source FILE.csv with a website download: imported into data/processed, built."""
    assert (project["home"] / "data" / "processed" / "jargonautical__indicators-CountyUA_data.csv"
            ).is_file()
    text = _text(project["home"] / "reports" / "download-0.95" / "outcomes.html")
    assert "Fingertips downloads imported from 1 file(s): jargonautical__indicators-" in text


def test_fallback_comparators_are_explicit(project):
    text = _text(project["home"] / "reports" / "E10000003-0.95" / "outcomes.html")
    assert "the other upper-tier authorities of the East of England Region, used instead of " \
           "nearest neighbours because the data source's neighbour table lists no nearest " \
           "neighbours for Cambridgeshire" in text


@pytest.mark.parametrize("code", list(AREAS))
def test_stored_summaries_reproduce_the_published_labels_and_trends(project, code):
    """Every catalogue indicator with a published England label or recent trend for the area
    at the summary's period: the 95% build's stored summary has the same label and trend
    (documented exceptions in TREND_EXCEPTIONS)."""
    pool = rx.bulk_pool()
    pool = pool[pool["Category Type"].isna() & (pool["Area Code"] == code)]
    checked_labels = checked_trends = excepted = 0
    for chapter in CHAPTERS:
        path = project["home"] / "reports" / f"{code}-0.95" / f"{chapter}_summary.csv"
        summary = pd.read_csv(path, dtype=str, keep_default_na=False)
        summary = summary[summary[C.VALUE] != ""]
        for _, row in summary.iterrows():
            ind = int(row[C.FINGERTIPS_ID])
            pub = pool[(pool["Indicator ID"] == str(ind)) & (pool["Time period"] == row[C.PERIOD])]
            pub = pub[pub["Value"].astype(float).round(6) == round(float(row[C.VALUE]), 6)]
            if pub.empty:
                continue
            (p,) = [r for _, r in pub.iterrows()]
            label = p["Compared to England value or percentiles"]
            if isinstance(label, str) and float(row[C.CI_LEVEL]) == 0.95:
                assert row[C.COMPARISON] == label, (chapter, ind, row[C.COMPARISON], label)
                checked_labels += 1
            trend = p["Recent Trend"]
            if isinstance(trend, str):
                if (ind, row[C.TREND_REASON].lower()) in TREND_EXCEPTIONS:
                    excepted += 1
                    continue
                assert row[C.TREND] == trend, (chapter, ind, row[C.TREND], trend,
                                               row[C.TREND_REASON])
                checked_trends += 1
    # 90813 is the one catalogue indicator with published labels in the extracts (the
    # FingertipsNext extract dropped the comparison columns); the North West areas have six
    # catalogue indicators with published trends, Rutland one (90813's "Cannot be calculated")
    assert (checked_labels, checked_trends) == ((1, 1) if code == "E06000017" else (1, 6))
    assert excepted == (0 if code == "E06000017" else 1)


@pytest.mark.browser
def test_board_pack_formats_of_a_real_build(project):
    """Blackpool from real extracts in every format: each PDF passes the accessibility check,
    no workbook shows a count of 1 to 4, each Word picture has its alternative text, and no
    format carries the demonstration banner."""
    import docx
    import openpyxl
    from pdf_checks import problems

    folder = project["home"] / "reports" / FORMATS_RELEASE
    manifest = json.loads((folder / "release.json").read_text(encoding="utf-8"))
    assert manifest["formats"] == ["html", "pdf", "xlsx", "docx"] and not manifest["is_demo"]
    for chapter in CHAPTERS:
        assert problems(folder / f"{chapter}.pdf", text_pages=False) == []
        d = docx.Document(str(folder / f"{chapter}.docx"))
        charts = (folder / f"{chapter}.html").read_text(encoding="utf-8").count(
            '<figure class="chart"')
        assert len(d.inline_shapes) == charts
        assert all(s._inline.docPr.get("descr") for s in d.inline_shapes)
        header = "\n".join(p.text for p in d.sections[0].header.paragraphs)
        assert "Demonstration data" not in header
    for name in [f"{c}.xlsx" for c in CHAPTERS] + ["all_chapters.xlsx"]:
        wb = openpyxl.load_workbook(folder / name)
        for ws in wb.worksheets[3:]:
            (table,) = ws.tables.values()
            first = int("".join(ch for ch in table.ref.split(":")[0] if ch.isdigit()))
            for col, head in enumerate(ws[first], start=1):
                if str(head.value).lower().startswith(("count", "denominator")):
                    shown = [ws.cell(r, col).value for r in range(first + 1, ws.max_row + 1)]
                    assert not any(isinstance(v, int | float) and 1 <= v <= 4 for v in shown), \
                        f"{name}!{ws.title}!{head.value}"
