"""Number formatting, the Null marker, suppressed counts, escaping, legends."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from rutland_jsna.report.format import (
    format_ci,
    format_count,
    format_number,
    format_rank,
    is_missing,
    missing_html,
    value_html,
)
from rutland_jsna.report.html import (
    Html,
    contrast_ratio,
    data_table,
    esc,
    heading,
    join,
    slug,
    tag,
    text_colour_for,
)
from rutland_jsna.report.legend import (
    COMPARISON_LEGEND_ORDER,
    TREND_LEGEND,
    comparison_chip,
    comparison_colour,
    comparison_legend,
    comparison_text,
    rag_group,
    trend_html,
    trend_legend,
    trend_symbol,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (4602.78, "4,602.8"),
        (1262, "1,262.0"),
        (0, "0.0"),
        (-0.04, "0.0"),
        (-12.35, "-12.3"),
        (29.65, "29.6"),  # binary float rounding, as Python rounds
        (float("nan"), "Null"),
        (None, "Null"),
        (pd.NA, "Null"),
    ],
)
def test_format_number(value, expected):
    assert format_number(value) == expected


def test_format_number_decimals():
    assert format_number(1234567.891, 2) == "1,234,567.89"
    assert format_number(7, 0) == "7"


@pytest.mark.parametrize(
    ("value", "suppressed", "expected"),
    [
        (1262, False, "1,262"),
        (0, False, "0"),
        (1, False, "*"),
        (4, False, "*"),
        (5, False, "5"),
        (120, True, "*"),
        (float("nan"), False, "Null"),
        (None, False, "Null"),
        (12.5, False, "12.5"),
    ],
)
def test_format_count(value, suppressed, expected):
    assert format_count(value, suppressed) == expected


def test_format_ci_and_rank():
    assert format_ci(27.44, 32.06) == "27.4 to 32.1"
    assert format_ci(float("nan"), 3) == "Null"
    assert format_rank(10, 16) == "10/16"
    assert format_rank(pd.NA, 16) == "Null"
    assert format_rank(1.0, 14.0) == "1/14"


def test_is_missing():
    assert is_missing(None) and is_missing(math.nan) and is_missing(pd.NA) and is_missing("  ")
    assert not is_missing(0) and not is_missing("x") and not is_missing(False)


def test_missing_html_shows_word_and_escaped_reason():
    out = missing_html("no data <for> this period").markup
    assert "Null" in out and "&lt;for&gt;" in out and "<for>" not in out
    assert value_html(float("nan"), "suppressed").markup.count("Null") == 1
    assert value_html(3.14159).markup == "3.1"


def test_esc_escapes_and_blanks_missing():
    assert esc("<script>alert('x')</script>") == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    assert esc(None) == "" and esc(float("nan")) == "" and esc(pd.NA) == ""
    assert esc(3) == "3"


def test_html_blocks_compose_and_escape_strings():
    block = tag("p", "a<b", class_="x") + Html("<br>") + "c&d"
    assert block.markup == '<p class="x">a&lt;b</p><br>c&amp;d'
    assert block._repr_html_() == block.markup
    assert join([Html("<i>1</i>"), "<2>"], sep="").markup == "<i>1</i>&lt;2&gt;"
    assert heading(2, "T", id="t").markup == '<h2 id="t">T</h2>'
    with pytest.raises(ValueError, match="level must be 1 to 6"):
        heading(7, "x")
    assert slug("Priority 1: Best start!") == "priority-1-best-start"


def test_data_table_has_caption_and_scoped_headers():
    out = data_table(["Area", "Value"], [["<A>", "1.0"]], caption="Cap", numeric=[False, True]).markup
    assert "<caption>Cap</caption>" in out
    assert '<th scope="col">Area</th>' in out
    assert '<th scope="row">&lt;A&gt;</th>' in out
    assert '<td class="num">1.0</td>' in out


def test_data_table_scrolls_in_its_own_named_focusable_region():
    out = data_table(["Area"], [["A"]], caption=Html("<b>Cap</b> &amp; note")).markup
    assert out.startswith('<div class="table-scroll" role="region" tabindex="0" '
                          'aria-label="Table: Cap &amp; note"><table>')
    assert out.endswith("</table></div>")
    named = data_table(["Area"], [["A"]], caption="Long caption", label="Short").markup
    assert 'aria-label="Short"' in named
    assert data_table(["Area"], [["A"]], caption="C", scroll=False).markup.startswith("<table>")


def test_one_column_table_has_no_row_headers():
    # a row header must name data cells beside it (axe th-has-data-cells; the oral health
    # chapter's one-column "Investment" tables)
    out = data_table(["Investment"], [["£62,048"]], caption="Scheme").markup
    assert '<th scope="col">Investment</th>' in out
    assert "<td>£62,048</td>" in out and 'scope="row"' not in out


def test_contrast_choice_meets_aa_for_every_rag_colour():
    for word in [*COMPARISON_LEGEND_ORDER, "Green", "Amber", "Red"]:
        bg = comparison_colour(word, "goal" if word in ("Green", "Amber", "Red") else "England")
        assert contrast_ratio(bg, text_colour_for(bg)) >= 4.5, word
    assert text_colour_for("#C00000") == "#FFFFFF"
    assert text_colour_for("#FFC000") == "#000000"
    with pytest.raises(ValueError, match="RRGGBB"):
        contrast_ratio("#fff", "#000000")


def test_comparison_words_by_basis():
    assert comparison_text("Worse") == "Worse"
    assert comparison_text(None) == "Not compared"
    assert comparison_text("Red", "goal") == "Worse than goal"
    assert comparison_text("Better", "national quintiles") == "2nd best quintile"
    assert comparison_text("Middle", "national quintiles") == "Middle quintile"
    assert comparison_colour("Middle", "national quintiles") == "#9E7CC8"
    assert rag_group("Red", "goal") == "Worse"
    assert rag_group("Higher") == "Higher"
    assert rag_group("Best", "national quintiles") == "Not compared"


def test_chip_prints_the_word_with_colour():
    chip = comparison_chip("Worse").markup
    assert ">Worse<" in chip and "#C00000" in chip and "#FFFFFF" in chip


def test_legends_in_report_order():
    legend = comparison_legend().markup
    positions = [legend.index(f">{w}<") for w in COMPARISON_LEGEND_ORDER]
    assert positions == sorted(positions)
    assert [label for _, label in TREND_LEGEND][0] == "Decreasing"
    dot = trend_legend().markup
    assert dot.index("Decreasing and getting better") < dot.index("No significant change")
    assert trend_symbol("Increasing and getting worse") == "▲"
    assert trend_symbol(None) == "▬"
    assert "Cannot be calculated" in trend_html(float("nan")).markup
    assert 'aria-hidden="true">▼' in trend_html("Decreasing and getting worse").markup


def test_words_and_format_share_one_implementation():
    """report._words (sentences) imports report.format's helpers: one implementation."""
    from rutland_jsna.report import _words, format

    assert _words.is_missing is format.is_missing
    assert _words.format_number is format.format_number
    assert _words.MISSING == format.MISSING == "Null"
    assert _words.format_count is format.format_count_plain
    # sentences print every count; tables apply disclosure control
    assert _words.format_count(3) == "3" and format.format_count(3) == "*"
    assert format.format_count_plain(12.5) == format.format_count(12.5) == "12.5"


def test_details_places_its_content_once():
    from rutland_jsna.report.html import details

    table = data_table(["A"], [["x & y"]], caption="C", scroll=False)
    out = details("Show", table).markup
    assert out.startswith("<details><summary>Show</summary><table>")
    assert "x &amp; y" in out and "&lt;" not in out
    assert details("S", "<b>").markup == "<details><summary>S</summary>&lt;b&gt;</details>"
