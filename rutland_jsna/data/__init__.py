"""Data layer: Fingertips client, write-once raw cache, validated tidy store, indicator
catalogue, areas and neighbours, figures of the board papers, analysts' local extracts.

``data`` knows nothing of HTML.
"""
