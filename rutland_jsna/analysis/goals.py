"""A value against a single goal threshold (docs/methods.md §5.6)."""

from __future__ import annotations

from ..stats.compare import compare_to_goal
from ..stats.labels import Polarity

__all__ = ["goal_comparison"]


def goal_comparison(
    value: float, lower_ci: float, upper_ci: float, goal: float,
    polarity: Polarity | str = Polarity.HIGH_IS_GOOD,
) -> str:
    """A value against a single goal threshold, by its confidence interval.

    Uses :func:`rutland_jsna.stats.compare_to_goal` in CI mode: "Green" when the whole
    interval is on the good side of the goal, "Red" when it is wholly on the bad side, "Amber"
    when it contains the goal, "Not compared" without a value.

    Examples
    --------
    >>> goal_comparison(1390.0, 1200.0, 1600.0, 2300.0)
    'Red'
    """
    label = compare_to_goal(
        [value], [goal], None, polarity, lower_ci=[lower_ci], upper_ci=[upper_ci]
    )
    return str(label.iloc[0])
