"""Data layer: Fingertips client, write-once raw cache, validated tidy store, indicator
catalogue, areas and neighbours, demonstration snapshot, analysts' local extracts.

``data`` knows nothing of HTML.
"""
