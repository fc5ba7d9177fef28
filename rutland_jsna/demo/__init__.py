"""Demonstration snapshot: invented data in the exact Fingertips bulk-CSV schema.

DEMONSTRATION DATA — NOT OFFICIAL STATISTICS. The generator writes a deterministic snapshot
(:mod:`.snapshot`) from a world of areas (:mod:`.world`), one series per indicator × sex × age
(:mod:`.series`), the published figures it reproduces (:mod:`.pins`, ``pin_tables/``), integer
counts tuned to printed values (:mod:`.tune`) and the analysts' local extracts (:mod:`.local`).

It sits beside :mod:`rutland_jsna.data.fetch` as a producer of stores: it imports ``data`` and
``stats``; nothing below it imports it.
"""

from .._lazy import lazy_exports

#: public name -> module (imported on first use, PEP 562: finding the snapshot's folder — what
#: a build hashes — does not import the generator; issue 18)
_WHERE = {
    **dict.fromkeys(("DEFAULT_SEED", "DEMO_BANNER", "DEMO_SOURCE", "DEMO_STORE_NAME",
                     "GENERATOR_VERSION", "demo_snapshot_dir", "fingerprint_inputs",
                     "generator_fingerprint", "snapshot_id"), "identity"),
    **dict.fromkeys(("demo_series_label", "ensure_demo_store", "fetch_demo",
                     "generate_demo_snapshot", "load_demo"), "snapshot"),
}


__all__ = [
    "DEFAULT_SEED",
    "DEMO_BANNER",
    "DEMO_SOURCE",
    "DEMO_STORE_NAME",
    "GENERATOR_VERSION",
    "demo_series_label",
    "demo_snapshot_dir",
    "ensure_demo_store",
    "fetch_demo",
    "fingerprint_inputs",
    "generate_demo_snapshot",
    "generator_fingerprint",
    "load_demo",
    "snapshot_id",
]

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, __all__)
