"""The small-number thresholds every layer uses (docs/methods.md §9), without importing the
statistics: the report layer prints them in page notes that a no-change rebuild writes without
pandas (issue 18). :mod:`.disclosure` re-exports them.
"""

from __future__ import annotations

__all__ = ["DISCLOSURE_MAX_COUNT", "SMALL_NUMBER_EVENTS"]

#: Counts from 1 to this are never shown (the Fingertips disclosure convention, docs/methods.md §9).
DISCLOSURE_MAX_COUNT = 4
#: A value resting on fewer events than this is "small numbers": its comparison and trend are
#: unreliable (docs/methods.md §9). The one threshold every layer uses.
SMALL_NUMBER_EVENTS = 10
