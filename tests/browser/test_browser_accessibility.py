"""Reviewers' HTML in a real browser: WCAG 2.2 AA with axe-core, and the checks axe cannot make.

Every page of a freshly built demonstration release (reports index, release index, the three
chapters) is opened in headless chromium. axe-core runs with the WCAG 2.2 AA tags and no rule
disabled, at a desktop width and at a phone width (some rules, such as scrollable regions,
only bite when content overflows). Explicit checks cover what axe leaves to people: alt text
that names the chart's subject, captions and scoped headers, heading order, the comparison
readable as words, chip contrast, the skip link and keyboard route, reflow at 375 px and at 200%
zoom, print to A4 and screenshots for a reviewer (``test-artifacts/screenshots/``).
"""

from __future__ import annotations

import json
import re

import pytest
from browser_support import (
    ARTIFACTS,
    AXE_TAGS,
    CHAPTERS,
    PAGES,
    SCREENSHOTS,
)

from rutland_jsna.report.html import contrast_ratio
from rutland_jsna.report.legend import COMPARISON_LEGEND_ORDER

pytestmark = pytest.mark.browser

WIDTHS = (1280, 375)


# ------------------------------------------------------------------------------------------
# axe-core
# ------------------------------------------------------------------------------------------

_RUN_AXE = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  const brief = (list) => list.map(v => ({id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => ({target: n.target, summary: n.failureSummary}))}));
  return {version: axe.version, violations: brief(r.violations), passes: r.passes.length,
          passed_rules: r.passes.map(p => p.id), incomplete: r.incomplete.map(i => i.id),
          inapplicable: r.inapplicable.length,
          contrast_incomplete: r.incomplete.filter(i => i.id === 'color-contrast')
              .flatMap(i => i.nodes.map(n => ({target: n.target[0],
                                               reason: (n.any[0] || {data: {}}).data.messageKey})))};
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_axe_wcag22_aa_no_violations(open_page, axe_source, name, width, record_property):
    page = open_page(name, width=width)
    page.add_script_tag(content=axe_source)
    result = page.evaluate(_RUN_AXE, AXE_TAGS)
    summary = (f"{name} @ {width}px: axe {result['version']}, {len(result['violations'])} "
               f"violations, {result['passes']} rules passed, incomplete {result['incomplete']}")
    print(summary)
    record_property("axe", summary)
    out = ARTIFACTS / "axe"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}-{width}.json").write_text(json.dumps(result, indent=2))
    assert result["violations"] == [], json.dumps(result["violations"], indent=2)
    assert result["passes"] >= 10  # axe really ran over a real page
    _check_contrast_axe_left_open(page, result["contrast_incomplete"])


# Where axe cannot decide a colour contrast (text clipped in a scrolling table, one-character
# cells, symbols) it reports "incomplete", not a pass: those elements are measured here.
_COLOURS_OF = """(sel) => {
  const el = document.querySelector(sel);
  if (!el) return null;
  const cs = getComputedStyle(el);
  let bg = null, image = false;
  for (let a = el; a && !bg; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.backgroundImage !== 'none') image = true;
    const m = s.backgroundColor.match(/[\\d.]+/g).map(Number);
    if (m.length < 4 || m[3] > 0) bg = m;
  }
  const size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight) >= 700;
  return {fg: cs.color.match(/[\\d.]+/g).map(Number), bg: bg || [255, 255, 255], image,
          large: size >= 24 || (bold && size >= 18.66), text: el.textContent.trim().slice(0, 40)};
}"""

#: WCAG 2.2 AA minimum contrast: normal text (1.4.3), and large text or graphics (1.4.11).
TEXT_CONTRAST, LARGE_CONTRAST = 4.5, 3.0


def _hex(rgba: list[float]) -> str:
    assert len(rgba) < 4 or rgba[3] == 1, f"translucent colour {rgba}"
    return "#" + "".join(f"{round(c):02X}" for c in rgba[:3])


def _check_contrast_axe_left_open(page, nodes: list[dict]) -> None:
    problems = []
    for node in nodes:
        c = page.evaluate(_COLOURS_OF, node["target"])
        assert c is not None, f"axe target {node['target']} not found"
        assert not c["image"], f"{node['target']}: text over a background image"
        # Symbols (axe: nonBmp) are graphics beside their words.
        large = c["large"] or node["reason"] == "nonBmp"
        needed = LARGE_CONTRAST if large else TEXT_CONTRAST
        ratio = contrast_ratio(_hex(c["fg"]), _hex(c["bg"]))
        if ratio < needed:
            problems.append(f"{node['target']} {c['text']!r}: {ratio:.2f}:1 < {needed}:1")
    assert not problems, "\n".join(problems[:10])


# ------------------------------------------------------------------------------------------
# Structure: lang, ids, alt text, tables, headings
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_lang_title_landmarks_and_unique_ids(open_page, name):
    page = open_page(name)
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    assert page.title().strip()
    assert page.locator("main#main").count() == 1
    assert page.locator("header").count() >= 1 and page.locator("footer").count() >= 1
    dupes = page.evaluate("""() => {
      const seen = {}; for (const el of document.querySelectorAll('[id]')) seen[el.id] = (seen[el.id] || 0) + 1;
      return Object.entries(seen).filter(([k, n]) => n > 1);
    }""")
    assert dupes == []


_FILENAME = re.compile(r"\.(png|jpe?g|gif|svg|webp)\b|^(chart|image|figure|graph|plot)\s*\d*$", re.I)
_STOP = {"with", "from", "over", "time", "and", "the", "for", "all", "per", "areas", "area",
         "compared", "similar", "their", "against", "england", "rate"}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]{4,}", text.lower()) if w not in _STOP}


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_image_has_meaningful_alt_text(open_page, name):
    """Every image — ``<img>`` or inline ``<svg role="img">`` — has an accessible name (its
    alt text) that names the chart's subject and gives a figure."""
    page = open_page(name)
    images = page.evaluate("""() => [...document.querySelectorAll('img, svg')].map(img => {
      const fig = img.closest('figure');
      const title = fig && fig.querySelector('.chart-title');
      const alt = img.tagName.toLowerCase() === 'svg'
        ? (img.getAttribute('role') === 'img' ? img.getAttribute('aria-label') : null)
        : img.getAttribute('alt');
      return {alt: alt, title: title ? title.textContent : null,
              caption: fig && fig.querySelector('figcaption') ? fig.querySelector('figcaption').textContent : null};
    })""")
    assert len(images) >= 5, "a chapter without charts?"
    for img in images:
        alt = (img["alt"] or "").strip()
        assert len(alt) >= 20, f"alt text too short: {alt!r}"
        assert not _FILENAME.search(alt), f"alt text looks like a file name: {alt!r}"
        assert img["title"], f"image outside a captioned chart figure: {alt[:60]!r}"
        shared = _words(alt) & _words(img["title"])
        assert shared, f"alt text does not name the chart's subject {img['title']!r}: {alt!r}"
        assert re.search(r"\d", alt), f"alt text gives no figure: {alt!r}"


@pytest.mark.parametrize("name", PAGES)
def test_every_table_has_a_caption_and_scoped_headers(open_page, name):
    page = open_page(name)
    tables = page.evaluate("""() => [...document.querySelectorAll('table')].map(t => ({
      caption: t.caption ? t.caption.textContent.trim() : '',
      ths: [...t.querySelectorAll('th')].map(th => th.getAttribute('scope')),
      col_headers: t.querySelectorAll('thead th[scope=col]').length,
    }))""")
    assert tables, "no table on the page"
    for t in tables:
        assert t["caption"], "table without a caption"
        assert t["ths"] and all(s in ("col", "row", "colgroup", "rowgroup") for s in t["ths"]), t
        assert t["col_headers"] >= 1, t["caption"]


@pytest.mark.parametrize("name", PAGES)
def test_headings_in_order(open_page, name):
    page = open_page(name)
    levels = page.evaluate(
        "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])"
    )
    assert levels and levels[0] == 1 and levels.count(1) == 1, levels[:5]
    jumps = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert jumps == [], f"skipped heading levels: {jumps}"


# ------------------------------------------------------------------------------------------
# Comparison colours: the word is always there; contrast
# ------------------------------------------------------------------------------------------

_CHIP_STYLES = """() => {
  const rgb = (c) => { const m = c.match(/\\d+(\\.\\d+)?/g).map(Number);
    return {hex: '#' + m.slice(0, 3).map(v => Math.round(v).toString(16).padStart(2, '0')).join(''),
            alpha: m.length > 3 ? m[3] : 1}; };
  const chips = [...document.querySelectorAll('.rag')].map(el => { const s = getComputedStyle(el);
    return {text: el.textContent.trim(), color: rgb(s.color), bg: rgb(s.backgroundColor),
            border: rgb(s.borderLeftColor), border_width: parseFloat(s.borderLeftWidth)}; });
  const tiles = [...document.querySelectorAll('ul.overview > li')].map(el => { const s = getComputedStyle(el);
    return {text: el.textContent.trim(), stripe: rgb(s.borderLeftColor),
            outline: rgb(s.outlineColor), outline_width: parseFloat(s.outlineWidth),
            outline_style: s.outlineStyle}; });
  return {chips, tiles};
}"""

_WORDS = re.compile(
    "^(" + "|".join(COMPARISON_LEGEND_ORDER)
    + r"|(Better|Similar|Worse) than goal|(Best|2nd best|Middle|2nd worst|Worst|Lowest|"
      r"2nd lowest|2nd highest|Highest) quintile)$"
)


@pytest.mark.parametrize("name", PAGES)
def test_comparison_chips_carry_their_word_and_contrast(open_page, name):
    page = open_page(name)
    styles = page.evaluate(_CHIP_STYLES)
    if name in CHAPTERS:
        assert styles["chips"], "a chapter without comparison chips?"
    white = "#ffffff"
    for chip in styles["chips"]:
        assert _WORDS.match(chip["text"]), f"chip without its word: {chip['text']!r}"
        assert chip["bg"]["alpha"] == 1 and chip["color"]["alpha"] == 1
        ratio = contrast_ratio(chip["color"]["hex"], chip["bg"]["hex"])
        assert ratio >= 4.5, f"{chip['text']}: text {ratio:.2f}:1 on its chip"
        # the chip as a graphical object: its fill, or its boundary, stands out from the page
        boundary = max(
            contrast_ratio(chip["bg"]["hex"], white),
            contrast_ratio(chip["border"]["hex"], white) if chip["border_width"] >= 1 else 0,
        )
        assert boundary >= 3, f"{chip['text']}: chip {boundary:.2f}:1 against white"
    for tile in styles["tiles"]:
        assert tile["text"], "empty overview tile"
        assert re.search(r"[A-Za-z]", tile["text"])
        stripe = contrast_ratio(tile["stripe"]["hex"], white)
        outline = (contrast_ratio(tile["outline"]["hex"], white)
                   if tile["outline_style"] != "none" and tile["outline_width"] >= 1 else 0)
        assert max(stripe, outline) >= 3, f"tile stripe {stripe:.2f}:1, outline {outline:.2f}:1"


# ------------------------------------------------------------------------------------------
# Keyboard
# ------------------------------------------------------------------------------------------

_ACTIVE = """() => { const el = document.activeElement; const s = getComputedStyle(el);
  return {tag: el.tagName, id: el.id, cls: el.className, text: (el.textContent || '').trim().slice(0, 80),
          href: el.getAttribute('href'), in_contents: !!el.closest('nav.contents'),
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
          shadow: s.boxShadow !== 'none'}; }"""


@pytest.mark.parametrize("name", PAGES)
def test_skip_link_first_and_moves_focus_to_main(open_page, name):
    page = open_page(name)
    page.keyboard.press("Tab")
    first = page.evaluate(_ACTIVE)
    assert first["cls"] == "skip-link" and first["href"] == "#main", first
    assert first["outline"], "the skip link shows no focus outline"
    assert page.locator(".skip-link").is_visible()  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("name", PAGES)
def test_tab_reaches_links_and_focus_is_visible(open_page, name):
    page = open_page(name)
    n = page.evaluate("""() => [...document.querySelectorAll('a[href], summary, [tabindex="0"]')]
                           .filter(el => el.offsetParent !== null || el.tagName === 'SUMMARY').length""")
    visited = []
    for _ in range(n + 3):
        page.keyboard.press("Tab")
        active = page.evaluate(_ACTIVE)
        if active["tag"] == "BODY":
            break
        visited.append(active)
    invisible = [v for v in visited if not v["outline"]]
    assert invisible == [], f"focus not visible on {invisible[:3]}"
    hrefs = [v["href"] for v in visited if v["href"]]
    if name in CHAPTERS:
        assert any(v["in_contents"] for v in visited), "Tab never reaches the contents"
        assert any(h.endswith(".csv") for h in hrefs), "Tab never reaches a CSV download"
        assert "index.html" in hrefs, "Tab never reaches 'Back to the release index'"
        assert any(v["tag"] == "SUMMARY" for v in visited), "Tab never reaches 'Show the numbers'"
        assert any("table-scroll" in v["cls"] for v in visited)
    else:
        assert any(h.endswith(".html") for h in hrefs)


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_links_back_to_the_release_index(open_page, name, page_paths):
    page = open_page(name)
    back = page.get_by_role("link", name="Back to the release index").first
    assert back.get_attribute("href") == "index.html"
    back.click()
    page.wait_for_load_state()
    assert page.url == page_paths["release_index"].as_uri()
    assert page.locator(f'a[href="{name}.html"]').count() == 1  # the index lists the chapter


# ------------------------------------------------------------------------------------------
# Reflow: 375 px and 200% zoom
# ------------------------------------------------------------------------------------------

_REFLOW = """() => {
  const doc = document.documentElement;
  const tables = [...document.querySelectorAll('table')].map(t => {
    const box = t.closest('[role=region]');
    return {caption: t.caption ? t.caption.textContent.trim().slice(0, 60) : '',
            wide: t.offsetWidth > (t.parentElement.clientWidth + 1),
            region: !!box, tabindex: box && box.getAttribute('tabindex'),
            label: box && (box.getAttribute('aria-label') || box.getAttribute('aria-labelledby')),
            overflow: box && getComputedStyle(box).overflowX,
            fits: box ? box.getBoundingClientRect().right <= doc.clientWidth + 1 : false};
  });
  return {scroll_width: doc.scrollWidth, width: doc.clientWidth, inner: window.innerWidth, tables};
}"""

# (label, viewport width, height, device scale): a phone, and a 1280x720 window zoomed to 200%
# (what the page lays out at 200% zoom is a 640x360 CSS-pixel viewport).
VIEWPORTS = (("375px", 375, 812, 2), ("zoom200", 640, 360, 2))


@pytest.mark.parametrize(("label", "width", "height", "scale"), VIEWPORTS)
@pytest.mark.parametrize("name", PAGES)
def test_reflow_without_page_scrolling_sideways(open_page, name, label, width, height, scale):
    page = open_page(name, width=width, height=height, scale=scale)
    r = page.evaluate(_REFLOW)
    assert r["scroll_width"] <= r["inner"], (
        f"{name} at {label}: the page scrolls sideways ({r['scroll_width']} > {r['inner']} px)")
    assert r["tables"]
    for t in r["tables"]:
        assert t["region"] and t["tabindex"] == "0" and t["label"], t
        assert t["overflow"] == "auto" and t["fits"], t
    if name in CHAPTERS:
        assert any(t["wide"] for t in r["tables"])  # some table really scrolls in its box


@pytest.mark.parametrize("name", CHAPTERS)
def test_indicator_tables_fit_a_desktop_window(open_page, name):
    """At 1280 px only the tables with a column per comparator area (14 or more columns)
    scroll sideways: an indicator table's last column (the RAG chip) is never cut off."""
    page = open_page(name, width=1280)
    cut = page.evaluate("""() => [...document.querySelectorAll('.table-scroll')]
      .filter(r => r.offsetParent !== null && r.scrollWidth > r.clientWidth + 1
                   && r.querySelectorAll('thead th').length < 14)
      .map(r => r.getAttribute('aria-label').slice(0, 80) + ': ' + r.scrollWidth + ' > ' + r.clientWidth)""")
    assert cut == [], cut


# ------------------------------------------------------------------------------------------
# Print
# ------------------------------------------------------------------------------------------

#: A4 PDF page counts of the demonstration chapters, with room for the data and wording to
#: move: measured 43 (outcomes), 43 (sexual health) and 33 (oral health) pages in November 2026.
#: Far fewer means the print stylesheet hid content; far more means tables or charts broke
#: across pages badly, or the "Show the numbers" tables printed.
PDF_PAGES = {"outcomes": (30, 60), "sexual_health": (30, 60), "oral_health": (22, 48)}


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.mark.parametrize("name", CHAPTERS)
def test_print_to_a4(open_page, name, record_property):
    page = open_page(name, width=1280)
    page.emulate_media(media="print")
    layout = page.evaluate("""() => {
      const hidden = (sel) => [...document.querySelectorAll(sel)].every(el => getComputedStyle(el).display === 'none');
      const main = document.querySelector('main').getBoundingClientRect();
      return {chrome_hidden: hidden('.skip-link') && hidden('.site-header') && hidden('nav.contents') && hidden('details'),
              h2_breaks: [...document.querySelectorAll('main h2')].filter(h => getComputedStyle(h).breakBefore === 'page').length,
              h2s: document.querySelectorAll('main h2').length,
              figures_avoid: [...document.querySelectorAll('figure.chart')].every(f => getComputedStyle(f).breakInside === 'avoid'),
              rows_avoid: [...document.querySelectorAll('tr')].every(r => getComputedStyle(r).breakInside === 'avoid'),
              img_max: [...document.querySelectorAll('img, figure svg')].every(i => getComputedStyle(i).maxWidth === '100%')};
    }""")
    assert layout["chrome_hidden"], layout
    assert layout["h2_breaks"] >= 3 and layout["figures_avoid"] and layout["rows_avoid"], layout
    assert layout["img_max"], layout
    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / "pdf").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "pdf" / f"{name}.pdf").write_bytes(pdf)
    pages = _pdf_pages(pdf)
    record_property("pdf_pages", pages)
    print(f"{name}: {pages} A4 pages")
    low, high = PDF_PAGES[name]
    assert low <= pages <= high, f"{name}: {pages} A4 pages, expected {low} to {high}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_print_keeps_tables_and_charts_within_a4(open_page, name):
    """At the A4 content width (210 mm less 2 x 12 mm margins = 703 CSS px) nothing is cut off."""
    page = open_page(name, width=703, height=1000)
    page.emulate_media(media="print")
    over = page.evaluate("""() => {
      const w = document.documentElement.clientWidth;
      return [...document.querySelectorAll('img, figure svg, table')]
        .filter(el => el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().right > w + 1)
        .map(el => el.tagName + ' ' + (el.caption ? el.caption.textContent.trim().slice(0, 60) : (el.alt || el.getAttribute('aria-label') || '').slice(0, 60))
                   + ' right=' + Math.round(el.getBoundingClientRect().right));
    }""")
    assert over == [], over


# ------------------------------------------------------------------------------------------
# Screenshots for a reviewer
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_screenshots(open_page, name, width):
    page = open_page(name, width=width)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
