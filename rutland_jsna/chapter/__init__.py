"""The chapter context: everything a chapter needs, loaded by one call.

:mod:`.context` resolves the area and its comparators, reads the store named by the source
(the demonstration snapshot, a Fingertips download or a processed store), takes the chapter's
catalogue rows and sections and records provenance. It sits between ``analysis`` and ``report``:
the renderers take a :class:`~.context.ChapterContext`.
"""
