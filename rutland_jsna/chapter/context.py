"""The chapter context: everything a chapter notebook needs, loaded by one call.

:func:`load_chapter` resolves the area and its comparators, reads the tidy store (the bundled
demonstration snapshot, a Fingertips download or a processed store at a path), takes the
chapter's catalogue rows and sections, and records where the numbers came from (source, demo
flag, snapshot checksum, extraction date), the release label, the build date and the package
version. The indicator summary (:func:`rutland_jsna.analysis.summary.indicator_summary`) is
computed once, on first use, and shared by every table, chart and sentence of the chapter.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from .. import __version__
from ..analysis import columns as C
from ..analysis.changes import load_previous_summary
from ..analysis.summary import indicator_summary, national_codes_in, prepare_rows
from ..config import DEFAULT_AREA_CODE, ENGLAND_CODE, default_release_label, reports_dir
from ..data.catalogue_model import Chapter, Indicator
from ..stats import check_confidence
from .sources import store_files

__all__ = [
    "ChapterContext",
    "ComparatorSet",
    "LoadedStore",
    "SharedSummaries",
    "SourceInfo",
    "chapter_catalogue",
    "default_release_label",
    "load_chapter",
    "load_store",
    "national_summaries",
    "neighbour_group_description",
    "provenance_record",
    "store_files",
    "resolve_comparators",
    "shared_summaries",
]

SOURCES = ("demo", "fingertips")


@dataclass(frozen=True)
class SourceInfo:
    """Where a chapter's numbers come from.

    Attributes
    ----------
    source : str
        ``"demo"``, ``"fingertips"`` or the path given.
    description : str
        The store's own description (e.g. "demo snapshot seed 20250601").
    is_demo : bool
        Demonstration data: the chapter carries the banner.
    checksum : str
        sha256 of the processed snapshot.
    extracted : str
        When the data were extracted / written (ISO 8601 date or time).
    """

    source: str
    description: str
    is_demo: bool
    checksum: str
    extracted: str

    @property
    def short_checksum(self) -> str:
        return self.checksum[:12] if self.checksum else "not recorded"


class LoadedStore(NamedTuple):
    """What :func:`load_store` returns.

    ``indicator_table`` is the store's polarity-from-the-source table and ``issues`` its data
    report (:mod:`rutland_jsna.data.polarity`, :mod:`rutland_jsna.data.quality`); both None
    for the demonstration snapshot.
    """

    data: pd.DataFrame
    info: SourceInfo
    neighbours: Any = None
    local_tables: dict[str, pd.DataFrame] = {}
    indicator_table: pd.DataFrame | None = None
    issues: pd.DataFrame | None = None


@dataclass(frozen=True)
class ComparatorSet:
    """The comparator areas of a chapter and how they were chosen."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    description: str




def _meta_value(meta: Any, name: str, default: Any = "") -> Any:
    if isinstance(meta, Mapping):
        return meta.get(name, default)
    return getattr(meta, name, default)


def _source_info(source: str, meta: Any) -> SourceInfo:
    return SourceInfo(
        source=str(source),
        description=str(_meta_value(meta, "source", "") or source),
        is_demo=bool(_meta_value(meta, "is_demo", False)),
        checksum=str(_meta_value(meta, "sha256", "") or _meta_value(meta, "checksum", "") or ""),
        extracted=str(_meta_value(meta, "created_at", "") or _meta_value(meta, "extracted", "")),
    )


def _demo_info(meta: Mapping[str, Any]) -> SourceInfo:
    return SourceInfo(
        source="demo",
        description=f"demonstration snapshot {meta.get('snapshot_id', '')}".strip(),
        is_demo=bool(meta.get("is_demo", True)),
        checksum=str(meta.get("snapshot_checksum", "")),
        extracted=str(meta.get("data_as_of", "")),
    )


def _snapshot_extras(folder: Path) -> tuple[pd.DataFrame | None, dict[str, pd.DataFrame]]:
    """The snapshot's neighbour table and local tables (Covid recovery), where present."""
    from ..analysis.covid import COVID_TABLES
    from ..data.local import EXTRACT_KINDS

    neighbours = None
    path = folder / "neighbours.csv"
    if path.is_file():
        neighbours = pd.read_csv(path, dtype={"area_code": "str", "neighbour_code": "str"})
    local = {}
    for name in COVID_TABLES:
        p = folder / f"{name}.csv"
        if p.is_file():
            local[name] = pd.read_csv(p, dtype={"area_code": "str"})
    for kind in EXTRACT_KINDS:  # the analysts' extracts the snapshot ships, as read from a file
        p = folder / f"{kind}.csv"
        if p.is_file():
            local[kind] = pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""])
    return neighbours, local


def _unpack(result: Any) -> tuple[pd.DataFrame, Any, Any, dict[str, pd.DataFrame]]:
    """(frame, metadata, neighbour table, local tables) from a store loader's result."""
    neighbours: Any = None
    local: dict[str, pd.DataFrame] = {}
    if isinstance(result, tuple):
        frame, meta = result[0], result[1]
        if len(result) > 2:
            neighbours = result[2]
        if len(result) > 3:
            local = dict(result[3])
    else:
        frame = getattr(result, "data", None)
        if frame is None:
            frame = result.frame
        meta = getattr(result, "metadata", result)
        neighbours = getattr(result, "neighbours", None)
        local = dict(getattr(result, "local_tables", None) or {})
    return frame, meta, neighbours, local


def _real_extras(csv: Path) -> dict[str, Any]:
    """``indicator_table`` and ``issues`` of a real-data processed table (None if absent)."""
    from ..data.polarity import read_indicator_table
    from ..data.quality import issues_path, read_issues

    return {"indicator_table": read_indicator_table(csv),
            "issues": read_issues(csv) if issues_path(csv).is_file() else None}


#: In-process memo of loaded stores: (source, file signature) -> LoadedStore.
_STORE_MEMO: dict[tuple[Any, ...], LoadedStore] = {}
_STORE_MEMO_SIZE = 2


def _signature(files: Sequence[Path]) -> tuple[Any, ...]:
    out = []
    for f in files:
        st = f.stat()
        out.append((str(f), st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(out)


def load_store(source: str | os.PathLike[str] = "demo") -> LoadedStore:
    """Read the tidy store named by ``source``.

    Parameters
    ----------
    source : {"demo", "fingertips"} or path
        ``"demo"``: the bundled demonstration snapshot (generated on first use);
        ``"fingertips"``: the processed Fingertips download in ``data/processed``; a path: a
        processed table (``<name>.csv`` with its ``<name>.json`` sidecar) or a folder holding
        ``fingertips.csv``.

    Returns
    -------
    LoadedStore
        ``(data, info, neighbours, local_tables)``: the tidy table, its provenance, the
        store's neighbour table (or None) and its local tables (e.g. ``covid_recovery``).

    Notes
    -----
    The table is read with :func:`rutland_jsna.data.store.read_processed`, which checks it
    against the sha256 of its sidecar. Within one process the result is remembered, keyed by
    the size, modification time and inode of every file of :func:`store_files`, so the
    chapters of a build (and the areas of an all-area batch) share one verified copy; a file
    changed on disk is read (and checked) again. The frame is shared: callers must not
    modify it in place.
    """
    key_source = str(source)
    try:
        files = store_files(source)
        key = (key_source, _signature(files)) if files else None
    except OSError:
        key = None
    if key is not None and key in _STORE_MEMO:
        return _STORE_MEMO[key]
    loaded = _load_store(source)
    if key is not None:
        try:
            if (key_source, _signature(store_files(source))) == key:
                while len(_STORE_MEMO) >= _STORE_MEMO_SIZE:
                    _STORE_MEMO.pop(next(iter(_STORE_MEMO)))
                _STORE_MEMO[key] = loaded
        except OSError:
            pass
    return loaded


def _load_store(source: str | os.PathLike[str] = "demo") -> LoadedStore:
    """Read the tidy store named by ``source`` without the memo (parameters and result as
    :func:`load_store`)."""
    from ..data import store

    if source == "demo":
        from .. import demo

        frame, meta = demo.ensure_demo_store()
        folder = Path(str(meta.get("snapshot_dir", "")))
        return LoadedStore(frame, _demo_info(meta), *_snapshot_extras(folder))
    if source == "fingertips":
        from ..data.fetch import FINGERTIPS_TABLE, read_neighbours

        frame, meta = store.read_processed(FINGERTIPS_TABLE)
        return LoadedStore(frame, _source_info("fingertips", meta), read_neighbours(),
                           **_real_extras(store.processed_paths(FINGERTIPS_TABLE)[0]))
    path = Path(source).expanduser()
    if path.is_dir():
        candidates = sorted(p.stem for p in path.glob("*.csv") if p.with_suffix(".json").is_file())
        if not candidates:
            raise FileNotFoundError(
                f"source: {path} holds no processed table (a <name>.csv with its <name>.json "
                "sidecar); give 'demo', 'fingertips' or the path of a processed table"
            )
        name = "fingertips" if "fingertips" in candidates else candidates[0]
        frame, meta = store.read_processed(name, directory=path)
        return LoadedStore(frame, _source_info(str(path), meta),
                           **_real_extras(path / f"{name}.csv"))
    if path.suffix == ".csv" and path.is_file():
        frame, meta = store.read_processed(path.stem, directory=path.parent)
        return LoadedStore(frame, _source_info(str(path), meta), **_real_extras(path))
    raise FileNotFoundError(
        f"source: {source!r} is neither 'demo', 'fingertips' nor an existing processed table "
        "(<name>.csv with a <name>.json sidecar) or folder"
    )


def resolve_comparators(
    area_code: str,
    comparators: Sequence[str] | None,
    neighbour_table: Any = None,
) -> ComparatorSet:
    """The comparator areas: those given, else the area's default group.

    The default (:func:`rutland_jsna.data.areas.default_comparators`) is the bundled CIPFA
    list (Rutland's 15, as printed in March 2023) where it exists, else the store's neighbour
    table (a Fingertips download's nearest neighbours of the area, or the demonstration
    snapshot's groups), else — explicitly, and said so in the description every page prints —
    the other authorities of the area's region.
    """
    from ..data import areas

    if comparators is not None:
        if isinstance(comparators, str):
            comparators = [c.strip() for c in comparators.split(",") if c.strip()]
        found = [areas.get_area(c) for c in comparators]
        found = [a for a in found if a.code != area_code]
        return ComparatorSet(
            tuple(a.code for a in found),
            tuple(a.name for a in found),
            "the comparator areas chosen for this build",
        )
    choice = areas.default_comparators(area_code, neighbour_table)
    if choice.origin == areas.BUNDLED:
        description = (
            "the CIPFA nearest neighbours listed in the March 2023 Outcomes Summary Report"
        )
    elif choice.origin == areas.NEIGHBOUR_TABLE:
        description = neighbour_group_description(neighbour_table, area_code)
    else:
        area = areas.get_area(area_code)
        why = ("the data source has no neighbour table" if neighbour_table is None else
               f"the data source's neighbour table lists no nearest neighbours for {area.name}")
        description = (
            f"the other upper-tier authorities of the {area.region_name or 'same region'}, "
            f"used instead of nearest neighbours because {why} (fetch with --area "
            f"{area.code} to download them, or give --comparators)"
        )
    found = choice.areas
    return ComparatorSet(tuple(a.code for a in found), tuple(a.name for a in found), description)


def neighbour_group_description(neighbour_table: Any, area_code: str) -> str:
    """How a neighbour table's group for ``area_code`` was chosen, from its ``model`` column.

    The demonstration snapshot's groups (model "Demonstration neighbours (not CIPFA)") are
    described as such; a Fingertips table names its model (e.g. "CIPFA nearest neighbours" or
    NHS England's). A table without a model column is not claimed to be anything.

    Examples
    --------
    >>> t = pd.DataFrame({"area_code": ["E10000003"], "neighbour_code": ["E10000015"],
    ...                   "position": [1], "model": ["CIPFA Nearest Neighbours"]})
    >>> neighbour_group_description(t, "E10000003")
    'the nearest neighbours in the CIPFA Nearest Neighbours model (from the data source\'s neighbour table)'
    """
    models: list[str] = []
    if isinstance(neighbour_table, pd.DataFrame) and "model" in neighbour_table.columns:
        own = neighbour_table
        if "area_code" in own.columns:
            own = own[own["area_code"].astype("str") == area_code]
        models = [str(m).strip() for m in dict.fromkeys(own["model"].dropna())
                  if str(m).strip()]
    if not models:
        return ("a group of similar authorities from the data source's neighbour table (its "
                "model is not recorded, so it may be a demonstration group rather than the "
                "published CIPFA list)")
    model = "; ".join(models)
    if "demonstration" in model.lower():
        return ("a demonstration group of similar authorities shipped with the demonstration "
                f"snapshot (model \"{model}\"; not the published CIPFA list)")
    return f"the nearest neighbours in the {model} model (from the data source's neighbour table)"


@dataclass(eq=False)
class ChapterContext:
    """Everything one chapter build needs (see :func:`load_chapter`)."""

    chapter: Chapter
    area_code: str
    area_name: str
    comparators: ComparatorSet
    indicators: tuple[Indicator, ...]
    sections: tuple[Any, ...]
    data: pd.DataFrame
    source: SourceInfo
    release: str
    build_date: date
    version: str
    confidence: float
    output_dir: Path | None = None
    reports_root: Path | None = None
    england_code: str = ENGLAND_CODE
    area_names: dict[str, str] = field(default_factory=dict)
    local_tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Analysts' extracts found in ``data/raw/local`` for a store that is not the demonstration
    #: snapshot (:func:`rutland_jsna.data.local.find_local_extract`): kind -> path.
    local_extracts: dict[str, Path] = field(default_factory=dict)
    #: The store's data report (quarantined and flagged rows, polarity notes), or None.
    issues: pd.DataFrame | None = None

    @cached_property
    def rows(self) -> pd.DataFrame:
        """The prepared rows of the chapter's indicators (summary and charts share them)."""
        return prepare_rows(self.data, self.indicators, self.confidence)

    @cached_property
    def national_codes(self) -> list[str]:
        return national_codes_in(self.data)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """The indicator summary table (analysis.columns.SUMMARY_COLUMNS).

        Taken from the whole country's table when a build shares one
        (:func:`shared_summaries`) computed from the same data, indicators, confidence and
        comparator group; computed for this area otherwise.
        """
        shared = _shared_summary(self)
        if shared is not None:
            return shared
        return indicator_summary(
            self.data,
            self.indicators,
            self.area_code,
            self.comparators.codes,
            self.confidence,
            england_code=self.england_code,
            national_codes=self.national_codes,
            prepared=self.rows,
        )

    @cached_property
    def previous_summary(self) -> tuple[str, pd.DataFrame] | None:
        """(release, summary) of the most recent earlier release of this chapter and area."""
        root = self.reports_root or reports_dir()
        return load_previous_summary(root, str(self.chapter), self.release, self.area_code)

    def section(self, code: str) -> Any:
        for s in self.sections:
            if s.code == code:
                return s
        known = ", ".join(s.code for s in self.sections)
        raise KeyError(f"section {code!r} is not a section of {self.chapter}; known: {known}")

    def section_summary(self, code: str) -> pd.DataFrame:
        s = self.summary
        return s[s[C.SECTION] == code].reset_index(drop=True)

    def name_of(self, code: str) -> str:
        return self.area_names.get(code, code)

    @property
    def group_codes(self) -> list[str]:
        return [self.area_code, *self.comparators.codes]


@dataclass(eq=False)
class SharedSummaries:
    """One chapter's indicator summaries for many areas, computed once
    (:func:`rutland_jsna.analysis.national.national_statistics`), and what they were computed
    from: a chapter context takes its area's rows only if everything matches."""

    chapter: str
    confidence: float
    checksum: str
    indicators: tuple[Indicator, ...]
    comparators: Mapping[str, tuple[str, ...]]
    table: pd.DataFrame

    @cached_property
    def by_area(self) -> dict[str, pd.DataFrame]:
        from ..analysis.summary import AREA

        return {
            str(area): rows.drop(columns=[AREA]).reset_index(drop=True)
            for area, rows in self.table.groupby(AREA, sort=False)
        }


_SHARED: ContextVar[dict[str, SharedSummaries] | None] = ContextVar(
    "rutland_jsna_shared_summaries", default=None)


@contextlib.contextmanager
def shared_summaries(*tables: SharedSummaries) -> Iterator[None]:
    """Let chapter contexts loaded inside take their summary from these tables."""
    current = dict(_SHARED.get() or {})
    current.update({t.chapter: t for t in tables})
    token = _SHARED.set(current)
    try:
        yield
    finally:
        _SHARED.reset(token)


def _group(area_code: str, codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(c for c in dict.fromkeys(codes) if c != area_code)


def _shared_summary(ctx: ChapterContext) -> pd.DataFrame | None:
    table = (_SHARED.get() or {}).get(str(ctx.chapter))
    if (
        table is None
        or table.confidence != ctx.confidence
        or table.checksum != ctx.source.checksum
        or table.indicators != ctx.indicators
        or ctx.england_code != ENGLAND_CODE
        or ctx.area_code not in table.comparators
        or _group(ctx.area_code, table.comparators[ctx.area_code])
        != _group(ctx.area_code, ctx.comparators.codes)
    ):
        return None
    rows = table.by_area.get(ctx.area_code)
    return None if rows is None else rows.copy()


def chapter_catalogue(chapter: Chapter | str, loaded: LoadedStore) -> tuple[Indicator, ...]:
    """The catalogue rows a chapter context uses with this store (the demonstration snapshot's
    Sex/Age strings applied for the demo source), as :func:`load_chapter` chooses them."""
    from ..data.catalogue import chapter_indicators
    from ..data.polarity import apply_source_polarity

    chosen = chapter_indicators(Chapter(chapter))
    if loaded.info.source == "demo":
        return _demo_labels(chosen)
    return apply_source_polarity(chosen, loaded.indicator_table)


def national_summaries(
    chapter: Chapter | str,
    source: str | os.PathLike[str] = "demo",
    confidence: float = 0.95,
    *,
    areas: Iterable[str] | None = None,
) -> SharedSummaries:
    """A chapter's summaries for every area (default comparators), to share with a batch.

    Computed once with :func:`rutland_jsna.analysis.national.national_statistics` over the
    whole country; see :func:`shared_summaries`.
    """
    from ..analysis.national import national_statistics

    chapter = Chapter(chapter)
    confidence = check_confidence(confidence)
    loaded = load_store(source)
    indicators = chapter_catalogue(chapter, loaded)
    table = national_statistics(loaded.data, indicators, loaded.neighbours, confidence,
                                areas=areas)
    return SharedSummaries(str(chapter), confidence, loaded.info.checksum, indicators,
                           dict(table.attrs["comparators"]), table)


def load_chapter(
    chapter: Chapter | str,
    area_code: str = DEFAULT_AREA_CODE,
    comparators: Sequence[str] | None = None,
    source: str | os.PathLike[str] = "demo",
    release: str | None = None,
    confidence: float = 0.95,
    *,
    output_dir: str | os.PathLike[str] | None = None,
    reports_root: str | os.PathLike[str] | None = None,
    build_date: date | None = None,
    store: LoadedStore | None = None,
    indicators: Iterable[Indicator] | None = None,
    sections: Iterable[Any] | None = None,
) -> ChapterContext:
    """Load a chapter's context: area, comparators, catalogue, data and provenance.

    Parameters
    ----------
    chapter : {"outcomes", "sexual_health", "oral_health"}
    area_code : str
        Upper-tier authority code (default Rutland, E06000017).
    comparators : sequence of str, optional
        Comparator area codes; default the CIPFA nearest neighbours (bundled for Rutland, the
        demonstration groups otherwise).
    source : {"demo", "fingertips"} or path
        See :func:`load_store`.
    release : str, optional
        Release label; default :func:`default_release_label` of today.
    confidence : {0.95, 0.998}
    output_dir : path, optional
        Folder of the chapter's HTML: CSV downloads are written there. ``None`` (JupyterLab)
        embeds them in the links.
    reports_root : path, optional
        Folder of the releases, searched for the previous release of the chapter. Default: the
        parent of ``output_dir`` (``reports/<release>/``), else ``reports/``. A build passes
        it as a notebook parameter (an all-area batch writes chapters deeper than
        ``reports/<release>/``).
    build_date : date, optional
        Default today.
    store, indicators, sections : optional
        A pre-loaded :class:`LoadedStore`, catalogue rows and sections, instead of reading
        them (tests, custom catalogues).

    Returns
    -------
    ChapterContext
    """
    from ..data import areas
    from ..data.catalogue import chapter_indicators, chapter_sections

    chapter = Chapter(chapter)
    confidence = check_confidence(confidence)
    area = areas.get_area(area_code)
    if area.type is not areas.AreaType.UTLA:
        raise ValueError(f"area_code: {area} is not an upper-tier local authority")
    loaded = load_store(source) if store is None else LoadedStore(*store)
    comparator_set = resolve_comparators(area.code, comparators, loaded.neighbours)
    if indicators is not None:
        chosen = tuple(indicators)
    elif store is None:
        chosen = chapter_catalogue(chapter, loaded)
    else:
        from ..data.polarity import apply_source_polarity

        chosen = apply_source_polarity(chapter_indicators(chapter), loaded.indicator_table)
    names = {a.code: a.name for a in (*areas.upper_tier_areas(), areas.england())}
    ctx = ChapterContext(
        chapter=chapter,
        area_code=area.code,
        area_name=area.name,
        comparators=comparator_set,
        indicators=chosen,
        sections=tuple(sections) if sections is not None else chapter_sections(chapter),
        data=loaded.data,
        source=loaded.info,
        release=release or default_release_label(),
        build_date=build_date or datetime.now(UTC).date(),
        version=__version__,
        confidence=confidence,
        output_dir=Path(output_dir) if output_dir is not None else None,
        reports_root=Path(reports_root) if reports_root is not None else (
            Path(output_dir).resolve().parent if output_dir is not None else None),
        area_names=names,
        local_tables=dict(loaded.local_tables),
        local_extracts=_local_extracts(loaded.info),
        issues=loaded.issues,
    )
    return ctx


def _local_extracts(info: SourceInfo) -> dict[str, Path]:
    """The analysts' extracts in ``data/raw/local`` (none for the demonstration snapshot, which
    ships its own as local tables)."""
    from ..data.local import EXTRACT_KINDS, find_local_extract

    if info.is_demo:
        return {}
    return {kind: path for kind in EXTRACT_KINDS if (path := find_local_extract(kind)) is not None}


def _demo_labels(indicators: tuple[Indicator, ...]) -> tuple[Indicator, ...]:
    """Catalogue rows with the Sex/Age strings the demonstration files use for them."""
    from dataclasses import replace

    from ..demo import demo_series_label

    out = []
    for ind in indicators:
        sex, age = demo_series_label(ind)
        out.append(ind if (sex, age) == (ind.sex, ind.age) else replace(ind, sex=sex, age=age))
    return tuple(out)


def provenance_record(ctx: ChapterContext) -> dict[str, Any]:
    """The chapter's provenance as plain data (written beside its HTML as
    ``<chapter>_source.json`` by :func:`rutland_jsna.report.blocks.chapter_header`, read by the
    release index)."""
    return {
        "chapter": str(ctx.chapter), "area_code": ctx.area_code, "area_name": ctx.area_name,
        "source": ctx.source.source, "description": ctx.source.description,
        "is_demo": ctx.source.is_demo, "checksum": ctx.source.checksum,
        "extracted": ctx.source.extracted, "release": ctx.release,
        "build_date": ctx.build_date.isoformat(), "package_version": ctx.version,
        "comparators": list(ctx.comparators.codes), "confidence": ctx.confidence,
    }
