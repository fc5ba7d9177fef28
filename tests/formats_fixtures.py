"""A small chapter folder (HTML page, CSV tables, provenance) for the format tests.

Made with the package's own page helpers, so it has the structure of a published chapter: the
demonstration banner, headings, an indicator-style table with a withheld count and its CSV
download, a table of numbers, a chart (PNG ``<img alt>`` or inline ``<svg role="img">``), a
"show the numbers" details block and a link to another file.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pandas as pd

from rutland_jsna.release.index import page
from rutland_jsna.report.html import Html, data_table, details, heading, paragraph, tag
from rutland_jsna.report.tables import csv_link

BANNER = "Demonstration data — not official statistics"
ALT_PNG = "Bar chart of teeth decay in 5 year olds: Rutland 25.3%, England 23.4%."
ALT_SVG = "Line chart of dental access since 2019: Rutland falls from 26% to 22%."
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="' + ALT_SVG + '" '
       'width="320" height="160" viewBox="0 0 320 160"><rect x="10" y="10" width="300" '
       'height="140" fill="#eeeeee"/><polyline points="20,40 100,60 200,90 300,120" '
       'fill="none" stroke="#1d70b8" stroke-width="4"/><text x="20" y="30" '
       'font-size="14">Access (%)</text></svg>')


def png_bytes() -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (240, 120), "white")
    ImageDraw.Draw(im).rectangle([20, 30, 120, 110], fill="#1d70b8")
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def make_chapter(folder: Path, chapter: str = "oral_health", *, svg: bool = False,
                 is_demo: bool = True, n_rows: int = 3) -> Path:
    """Write ``<chapter>.html``, two CSV tables and ``<chapter>_source.json`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    indicators = pd.DataFrame({
        "Indicator": [f"Indicator {i}" for i in range(1, n_rows + 1)],
        "Period": ["2021/22"] * n_rows,
        "Value": [25.294117647058822 + i for i in range(n_rows)],
        "Lower CI": [19.3 + i for i in range(n_rows)],
        "Upper CI": [32.3 + i for i in range(n_rows)],
        "Count": ["43", "*"] + [str(10 + i) for i in range(n_rows - 2)],
        "Unit": ["%"] * n_rows,
        "Missing reason": ["", "value suppressed for disclosure control"] + [""] * (n_rows - 2),
    })
    link, _ = csv_link(indicators, f"{chapter}_children.csv", folder)
    header = ["Indicator", "Period", "Value", "95% CI", "Count", "RAG"]
    rows = [[r.Indicator, r.Period, f"{r.Value:.1f}", f"{r._4:.1f} to {r._5:.1f}", r.Count,
             tag("span", "Similar", class_="rag", style="background-color:#FFC000;color:#000000")]
            for r in indicators.itertuples()]
    table = data_table(header, rows, caption=Html(
        '<span class="table-title">Children\'s oral health</span>'
        '<span class="table-note">Rank 1 is the best.</span>'),
        numeric=[False, False, True, True, True, False])
    uda = pd.DataFrame({"Month": ["April 2021", "May 2021"],
                        "Delivered, scaled to 12 months (%)": [48.77450154450997, 51.2],
                        "Under-delivered": ["yes", "yes"]})
    uda_link, _ = csv_link(uda, f"{chapter}_uda.csv", folder)
    uda_table = data_table(list(uda.columns), [[m, f"{d:.1f}", u] for m, d, u in
                                               uda.itertuples(index=False)],
                           caption="Monthly UDA delivery against the threshold")
    if svg:
        chart = Html(SVG)
    else:
        b64 = base64.b64encode(png_bytes()).decode()
        chart = Html(f'<img src="data:image/png;base64,{b64}" alt="{ALT_PNG}" width="240" '
                     'height="120">')
    figure = tag("figure", [
        tag("div", chart, class_="chart-image", role="region", tabindex="0",
            aria_label="Chart: decay"),
        tag("figcaption", [tag("strong", "Decay in 5 year olds", class_="chart-title"),
                           Html(" "), tag("span", "Bars show each area's value.")]),
        details("Show the numbers in this chart",
                data_table(["Area", "Value"], [["Rutland", "25.3"]],
                           caption="Numbers in the chart")),
    ], class_="chart", id="chart-decay")
    body = Html("\n".join(b.markup for b in [
        tag("div", [tag("strong", BANNER), "Generated data."], class_="banner", role="note")
        if is_demo else Html(),
        heading(1, "Oral health"),
        paragraph("Rutland"),
        tag("nav", [heading(2, "Contents", id="contents"),
                    tag("ul", [tag("li", tag("a", "Children", href="#children"))])],
            class_="contents", aria_labelledby="contents"),
        tag("section", [
            heading(2, "Children", id="children"),
            paragraph(Html("Fewer children have decay. See "
                           + tag("a", "the outcomes chapter", href="outcomes.html").markup
                           + ".")),
            tag("ul", [tag("li", "First point"), tag("li", "Second point")]),
            tag("div", [table, link], class_="table-wrap"),
            figure,
            heading(3, "Dental contracts"),
            tag("div", [uda_table, uda_link], class_="table-wrap"),
        ], aria_labelledby="children"),
    ]))
    (folder / f"{chapter}.html").write_text(
        page("Oral health: Rutland", body, home="index.html"), encoding="utf-8")
    (folder / f"{chapter}_source.json").write_text(json.dumps({
        "chapter": chapter, "area_code": "E06000017", "area_name": "Rutland",
        "description": "demonstration snapshot demo-test", "is_demo": is_demo,
        "release": "2026-Q1", "build_date": "2026-12-04"}), encoding="utf-8")
    return folder
