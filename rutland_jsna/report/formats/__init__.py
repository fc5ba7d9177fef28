"""Board-pack formats rendered from a chapter's published HTML and CSV tables.

Each format reads only what a chapter already publishes, so it does not change when the
chapter's own rendering does:

* :mod:`.pdf` prints the chapter HTML with Debian chromium (tagged, A4, page numbers,
  contents page, the demonstration banner on every page);
* :mod:`.xlsx` turns the chapter's CSV tables, with the captions the HTML gives them, into a
  workbook laid out as the Government Statistical Service asks (cover, contents, notes, one
  table per sheet, ``[c]``/``[x]``/``[z]`` shorthand from :mod:`.shorthand`);
* :mod:`.docx` walks the HTML's headings, paragraphs, lists, tables and figures
  (:mod:`.document`) into a Word document, optionally on the council's own template.

:mod:`rutland_jsna.release.outputs` runs them during a build, caches and publishes them.
"""

from __future__ import annotations

__all__ = ["DEFAULT_FORMATS", "EXTENSIONS", "FORMATS", "parse_formats"]

#: Every format a release can be published in, in the order they are rendered.
FORMATS: tuple[str, ...] = ("html", "pdf", "xlsx", "docx")
#: The formats of a build that names none (the chapter HTML is always published).
DEFAULT_FORMATS: tuple[str, ...] = ("html",)
#: File extension of each format.
EXTENSIONS: dict[str, str] = {"html": ".html", "pdf": ".pdf", "xlsx": ".xlsx", "docx": ".docx"}


def parse_formats(formats: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """The formats asked for, in :data:`FORMATS` order, always with ``html``.

    Accepts ``"html,pdf"``, a sequence of names, ``"all"`` or ``None`` (HTML only).

    >>> parse_formats("xlsx, pdf")
    ('html', 'pdf', 'xlsx')
    """
    if formats is None:
        return DEFAULT_FORMATS
    names = formats.split(",") if isinstance(formats, str) else list(formats)
    names = [n.strip().lower() for n in names if n.strip()]
    if names == ["all"]:
        return FORMATS
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        raise ValueError(f"formats: unknown {', '.join(unknown)}; known: {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f == "html" or f in names)
