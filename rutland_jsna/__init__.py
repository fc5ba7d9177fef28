"""rutland_jsna: OHID Fingertips indicators to Joint Strategic Needs Assessment chapters.

Data flows one way through its layers::

    data/raw --(data: validate, tidy)--> data/processed --(analysis, with stats)-->
             (chapter: the context) --(report: HTML)--> (release: build, publish) --> reports/

``stats`` knows nothing of files, HTTP or HTML; ``data`` knows nothing of HTML; ``report``
does no statistics of its own; ``demo`` produces a store as a download would. The layer rules
are stated and enforced in docs/architecture.md.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rutland_jsna")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
