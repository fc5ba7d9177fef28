"""Indicator summaries: the join of the tidy data, the catalogue and the statistical methods.

``analysis`` sits between ``data`` and ``report``: it turns the tidy store into one row per
catalogue indicator for an area (value, CI, count, rank among comparators, best, worst, England,
comparison, direction of travel, previous values, missing-data reasons). It calls
:mod:`rutland_jsna.stats` for every statistic and knows nothing of HTML, so the report layer
does no statistics and the statistics layer needs no catalogue.
"""
