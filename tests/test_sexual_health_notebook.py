"""The sexual health notebook under papermill, its exported HTML, and the demonstration data.

* ``@pytest.mark.notebook``: the notebook runs with its defaults (Rutland, the 2015 comparator
  set) and for another authority, and the exported chapter (the build's nbconvert template)
  passes the framework's HTML checks: no code, the demonstration banner, every section, no
  tracebacks, "nan" or "None", data strings escaped.
* The demonstration snapshot pins the 11 areas' Appendix 1 values in the appendix periods;
  ranking the store's values there reproduces the printed Rutland ranks (expected values: the
  printed ranks in ``tests/data/published``, never recomputed by this package).
"""

from __future__ import annotations

import re
import time
from html import unescape
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from rutland_jsna.analysis import sexual_health as A
from rutland_jsna.config import notebooks_dir

NOTEBOOK = notebooks_dir() / "sexual_health.ipynb"
DATA = Path(__file__).parent / "data" / "published"
SECTION_IDS = (
    "about", "summary", "dashboard", "introduction", "context", "section-sti",
    "section-chlamydia", "section-hiv", "section-contraception", "section-teenage_pregnancy",
    "section-abortion", "section-sexual_abuse", "section-vaccination", "comparator-table",
    "appendix-2015", "changes", "data-notes", "appendix",
)


def _execute(tmp_path: Path, **parameters) -> tuple[nbformat.NotebookNode, float]:
    import papermill

    from rutland_jsna.release.build import resolve_kernel_name

    out = tmp_path / "sexual_health.out.ipynb"
    start = time.perf_counter()
    with resolve_kernel_name() as kernel:
        papermill.execute_notebook(
            str(NOTEBOOK), str(out), parameters=parameters, kernel_name=kernel,
            progress_bar=False, cwd=str(tmp_path),
        )
    return nbformat.read(out, as_version=4), time.perf_counter() - start


def _export(nb: nbformat.NotebookNode) -> str:
    from rutland_jsna.release.build import export_html

    return export_html(nb, title="Sexual health", release="test-release", build_date="2026-03-01")


def _text(html: str) -> str:
    html = re.sub(r'(src|href)="data:[^"]*"', "", html)
    html = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _framework_html_checks(nb: nbformat.NotebookNode, html: str) -> None:
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors
    assert "sexual_health.load(" not in html and "from rutland_jsna" not in html  # no code
    assert 'class="jp-InputArea' not in html and "In&nbsp;[" not in html
    text = _text(html)
    assert "Demonstration data — not official statistics" in text
    for anchor in SECTION_IDS:
        assert f'id="{anchor}"' in html, anchor
    for bad in (r"\bnan\b", r"\bNaN\b", r"\bNone\b", r"<NA>", "Traceback", r"\bmilitary\b"):
        assert not re.search(bad, text), bad
    assert "<script" not in html.lower()
    assert html.count("<figure") >= 10
    for fig in re.findall(r"<figure.*?</figure>", html, flags=re.S):
        assert re.search(r'<svg [^>]*role="img" aria-label="[^"]{20,}"', fig)
        assert "<table" in fig and "&lt;table" not in fig  # its numbers as a table


@pytest.mark.notebook
def test_notebook_runs_with_defaults_and_exports_a_clean_chapter(tmp_path):
    out = tmp_path / "out"
    nb, seconds = _execute(tmp_path, release="test-release", output_dir=str(out))
    html = _export(nb)
    _framework_html_checks(nb, html)
    text = _text(html)
    assert "Rutland (E06000017)" in text
    assert "Comparator set used: the 10 comparator authorities of the 2015" in text
    assert "not published due to small numbers" in text
    assert "14 of the 14 printed Rutland ranks that can be checked are reproduced" in text
    assert "Funnel plot of chlamydia detection" in text
    for name in ("sexual_health_sti.csv", "sexual_health_comparator_ranking.csv",
                 "sexual_health_summary.csv"):
        assert (out / name).is_file(), name
    assert seconds < 120, f"chapter took {seconds:.0f} s"


@pytest.mark.notebook
def test_notebook_for_another_authority(tmp_path):
    nb, _ = _execute(tmp_path, area_code="E10000003", release="test-release")
    html = _export(nb)
    _framework_html_checks(nb, html)
    text = _text(html)
    assert "Cambridgeshire (E10000003)" in text
    assert "demonstration group of similar authorities" in text
    assert "193 new STIs" not in text and "Recommendation 14" not in text
    assert "reproduced in Rutland's chapter only" in text


# ------------------------------------------------------------------------------------------
# The demonstration snapshot's appendix period reproduces the printed ranks
# ------------------------------------------------------------------------------------------

#: Periods of the appendix rows the demonstration pins (chapters.md §2.3, published README:
#: the narrative dates four rows; the others are pinned to 2014, the SHNA's year).
APPENDIX_PERIODS = {
    "Under 18s conception rate / 1,000 (PHOF indicator 2.04)": "2013",
    "HIV late diagnosis (%) (PHOF indicator 3.04)": "2011 - 13",
}


@pytest.fixture(scope="module")
def demo_ctx():
    pytest.importorskip("rutland_jsna.demo")
    from rutland_jsna.report import sexual_health as S

    return S.load()


def test_demo_store_reproduces_the_printed_ranks_in_the_appendix_period(demo_ctx):
    printed = pd.read_csv(DATA / "sexual_health_appendix1_ranks.csv").set_index("indicator")
    checked = 0
    for ind in demo_ctx.indicators:
        name = ind.extra.get("appendix_name", "")
        if not name or not ind.has_data_id:
            continue
        period = APPENDIX_PERIODS.get(name, "2014")
        r = A.comparator_ranking(demo_ctx.rows, [ind], demo_ctx.area_code,
                                 demo_ctx.comparators.codes, period=period)
        subject = A.subject_ranks(r).iloc[0]
        if name in A.APPENDIX_UNSUPPORTED:
            # Rutland's value is withheld (small numbers) and therefore not ranked.
            assert pd.isna(subject["rank"]), name
            continue
        assert int(subject["rank"]) == int(printed.loc[name, "rutland_rank_printed"]), name
        assert subject["value"] == pytest.approx(printed.loc[name, "rutland_value"], abs=0.005)
        checked += 1
    assert checked == 7
