"""Report layer: HTML helpers, tables, charts, legends, narrative and the chapter renderers.

``report`` does no statistics of its own: it calls :mod:`rutland_jsna.stats`.
"""
