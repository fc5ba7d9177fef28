"""Report layer: tables, charts, narrative, HTML export, build and release index.

``report`` does no statistics of its own: it calls :mod:`rutland_jsna.stats`.
"""
