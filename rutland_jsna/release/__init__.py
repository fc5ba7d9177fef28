"""Release pipeline: build a release of chapters and publish it.

:mod:`.build` runs each chapter notebook (papermill, or :mod:`.executor` in this process),
keeps the incremental chapter cache and publishes the release atomically; :mod:`.batch` builds
every authority's chapters on an executor; :mod:`.index` writes the release's index page and
manifest. ``release`` orchestrates: it imports every other layer, and none imports it.
"""
