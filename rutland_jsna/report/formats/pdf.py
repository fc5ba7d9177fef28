"""A chapter as an accessible A4 PDF, printed from its published HTML by Debian chromium.

Chromium prints the page with the chapter stylesheet's own ``@media print`` rules (A4, a page
break before each section, tables' header rows repeated, "show the numbers" details and
download links left out) plus :data:`PDF_CSS`, and writes a **tagged** PDF
(``tagged=True``: the structure tree comes from the page's accessibility tree — headings
H1-H6, tables with TH header cells, lists, figures with the chart's alternative text as
``/Alt``, the document language ``/Lang`` from ``<html lang>`` and the ``<title>`` as the
document title shown in the window) with an outline of the headings (``outline=True``).

Before printing, :data:`PREPARE_JS`

* shows the chapter's contents list on a page of its own after the title page, its entries
  links to the sections (internal GoTo links in the PDF);
* turns links to files beside the page (CSV downloads, other chapters' HTML) into plain text:
  in a PDF they would point to the build machine's disk;
* makes each ``<figure>`` wrapper a group, so the structure tree has one Figure per chart
  (the image or ``<svg role="img">``, which carries the alternative text), not an empty outer
  Figure around it.

Every page has the demonstration banner in its header when the data are generated, and
"Page N of M" with the chapter title in its footer.

Why chromium: it is already a Debian package of the project (the browser tests), prints the
same HTML and CSS the chapters are read in, and writes the tags from the page's accessibility
tree. WeasyPrint also needs system libraries (Pango) and lays the page out with its own CSS
engine; ReportLab and xhtml2pdf do not turn HTML into a structure tree (docs/formats.md).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..html import esc
from .browser import Browser

__all__ = ["PDF_CSS", "PREPARE_JS", "render_pdf"]

PDF_CSS = """
@media print {
  nav.contents { display: block !important; break-before: page; break-after: page; }
  nav.contents h2 { break-before: avoid; }
  nav.contents a { text-decoration: underline; }
}
"""

PREPARE_JS = """
(css) => {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.appendChild(style);
  for (const fig of document.querySelectorAll('figure')) fig.setAttribute('role', 'group');
  for (const a of document.querySelectorAll('a[href]')) {
    const href = a.getAttribute('href') || '';
    if (!(href.startsWith('#') || /^(https?:|mailto:)/i.test(href))) {
      a.replaceWith(...a.childNodes);
    }
  }
  for (const d of document.querySelectorAll('details[open]')) d.removeAttribute('open');
  return document.images.length;
}
"""

_HEADER = ('<div style="font-family: sans-serif; font-size: 8pt; width: 100%; '
           'text-align: center; color: #000; margin: 0 12mm;"><strong>{banner}</strong></div>')
_FOOTER = ('<div style="font-family: sans-serif; font-size: 7.5pt; width: 100%; color: #000; '
           'margin: 0 12mm; display: flex; justify-content: space-between;">'
           '<span>{title}</span><span>Page <span class="pageNumber"></span> of '
           '<span class="totalPages"></span></span></div>')


def render_pdf(html_path: Path, pdf_path: Path, *, browser: Browser,
               banner: str | None = None, timeout_ms: int = 120_000) -> float:
    """Print ``html_path`` to ``pdf_path``; returns the seconds taken.

    ``banner``: text printed in the header of every page (the demonstration warning).
    """
    start = time.perf_counter()

    def print_page(page: Any) -> None:
        page.set_default_timeout(timeout_ms)
        page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
        page.evaluate(PREPARE_JS, PDF_CSS)
        page.emulate_media(media="print")
        title = page.title()
        page.pdf(
            path=str(pdf_path), format="A4", print_background=True, tagged=True, outline=True,
            display_header_footer=True,
            header_template=_HEADER.format(banner=esc(banner)) if banner else "<span></span>",
            footer_template=_FOOTER.format(title=esc(title)),
            margin={"top": "16mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
        )

    browser.call(print_page)
    return time.perf_counter() - start
