"""rutland_jsna: OHID Fingertips indicators to Joint Strategic Needs Assessment chapters.

The package has three layers, and data flows one way through them::

    data/raw --(rutland_jsna.data: validate, tidy)--> data/processed
             --(rutland_jsna.stats)--> (rutland_jsna.report) --> reports/

``stats`` knows nothing of files, HTTP or HTML; ``data`` knows nothing of HTML;
``report`` does no statistics of its own.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rutland_jsna")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
