"""The Government Statistical Service shorthand for cells without a number.

One definition, used by every format that writes a table cell without a figure (the Excel
workbook writes them in cells and lists them on its notes sheet; the guidance is the
Analysis Function's "Symbols in tables"):

* ``[c]`` confidential — withheld to protect confidentiality (disclosure control: a count of
  1 to 4, or a figure from which one could be worked out);
* ``[x]`` not available — the figure is missing for another reason (not published, too few
  data, no verified indicator);
* ``[z]`` not applicable — there is nothing to report in that cell (no note, no reason).
"""

from __future__ import annotations

__all__ = ["CONFIDENTIAL", "MEANINGS", "NOT_APPLICABLE", "NOT_AVAILABLE", "SHORTHAND",
           "is_shorthand"]

CONFIDENTIAL = "[c]"
NOT_AVAILABLE = "[x]"
NOT_APPLICABLE = "[z]"

#: Each mark and what it means, in the order the notes sheet lists them.
MEANINGS: dict[str, str] = {
    CONFIDENTIAL: "confidential: withheld for disclosure control (a count of 1 to 4, or a "
                  "figure from which such a count could be worked out)",
    NOT_AVAILABLE: "not available: the figure is not published or could not be calculated "
                   "(the table's reason column says why where it has one)",
    NOT_APPLICABLE: "not applicable: there is nothing to report in this cell",
}
SHORTHAND: tuple[str, ...] = tuple(MEANINGS)


def is_shorthand(value: object) -> bool:
    return isinstance(value, str) and value in MEANINGS
