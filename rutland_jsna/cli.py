"""``rutland-jsna``: the command line.

One function per subcommand (``cmd_<name>``), each registered by an ``add_<name>_parser``
function, so more subcommands (``fetch``, ``validate``) slot in without touching the others::

    rutland-jsna build [--area CODE] [--release LABEL] [--source demo|fingertips|PATH]
                       [--chapters outcomes ...] [--comparators CODE,CODE,...]
                       [--confidence 0.95|0.998] [--no-progress] [--force]
                       [--engine papermill|inprocess] [--jobs N] [--reports DIR]
                       [--notebooks DIR]
    rutland-jsna build --all-areas [--workers N] [--areas CODE,CODE,...]
                       [--dask-scheduler ADDRESS|local] [--release LABEL] ...
    rutland-jsna diff RELEASE_A RELEASE_B [--chapter CHAPTER] [--area CODE] [--csv]
    rutland-jsna fetch --source demo|fingertips [--area CODE] [--offline] [--force]
                       [--base-url URL]
    rutland-jsna import FILE [FILE ...] [--name NAME]
    rutland-jsna validate PATH [PATH ...] [--kind bulk|processed|dental_access|uda_delivery]
    rutland-jsna list areas
    rutland-jsna list indicators [--chapter outcomes]

Exit codes: 0 success, 1 build or data error (the message names the notebook, cell and
error), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .config import DEFAULT_AREA_CODE

__all__ = [
    "add_build_parser",
    "add_diff_parser",
    "add_fetch_parser",
    "add_import_parser",
    "add_list_parser",
    "add_validate_parser",
    "build_parser",
    "cmd_build",
    "cmd_diff",
    "cmd_fetch",
    "cmd_import",
    "cmd_list",
    "cmd_validate",
    "main",
]

CHAPTERS = ("outcomes", "sexual_health", "oral_health")


def _confidence(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from exc
    from .stats import check_confidence

    try:
        return check_confidence(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


# ------------------------------------------------------------------------------------------
# build
# ------------------------------------------------------------------------------------------


def add_build_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="run the chapter notebooks and publish reports/<release>/",
        description=(
            "Run every chapter notebook that exists (or those named with --chapters) with "
            "papermill, export HTML without code and publish reports/<release>/ atomically: "
            "a failed build leaves the previous release untouched."
        ),
    )
    p.add_argument("--area", default=DEFAULT_AREA_CODE, metavar="CODE",
                   help="upper-tier authority code (default %(default)s, Rutland)")
    p.add_argument("--release", default=None, metavar="LABEL",
                   help="release label and folder name (default: this quarter, e.g. 2026-Q4)")
    p.add_argument("--source", default="demo", metavar="demo|fingertips|PATH",
                   help="data: the bundled demonstration snapshot (default), the processed "
                        "Fingertips download, the path of a processed store, or a Fingertips "
                        "download (bulk or website CSV), imported into data/processed first")
    p.add_argument("--chapters", nargs="+", choices=CHAPTERS, default=None, metavar="CHAPTER",
                   help=f"chapters to build ({', '.join(CHAPTERS)}); default: every chapter "
                        "whose notebook exists")
    p.add_argument("--comparators", type=_codes, default=None, metavar="CODE,CODE,...",
                   help="comparator area codes (default: the CIPFA nearest neighbours)")
    p.add_argument("--confidence", type=_confidence, default=0.95,
                   help="confidence level, 0.95 (default) or 0.998")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    p.add_argument("--force", action="store_true",
                   help="run every chapter, even those whose notebook, parameters, package "
                        "source and input data are unchanged since an earlier build")
    p.add_argument("--engine", choices=("papermill", "inprocess"), default="papermill",
                   help="run each notebook in a Jupyter kernel (default) or in this process "
                        "(same HTML, no kernel start)")
    p.add_argument("--jobs", type=_positive, default=None, metavar="N",
                   help="chapters run at once by the papermill engine (default 2)")
    p.add_argument("--reports", default=None, metavar="DIR",
                   help="reports folder to publish into (default reports/)")
    p.add_argument("--notebooks", default=None, metavar="DIR",
                   help="folder of the chapter notebooks (default notebooks/)")
    batch = p.add_argument_group(
        "all areas", "build every upper-tier authority into reports/<release>/areas/<code>/ "
        "with a national summary page (reports/<release>/national.html)")
    batch.add_argument("--all-areas", action="store_true",
                       help="build all 153 upper-tier authorities (or those of --areas)")
    batch.add_argument("--areas", type=_codes, default=None, metavar="CODE,CODE,...",
                       help="with --all-areas: only these authorities")
    batch.add_argument("--workers", type=_positive, default=None, metavar="N",
                       help="worker processes (default: the number of cores)")
    batch.add_argument("--dask-scheduler", default=None, metavar="ADDRESS|local",
                       help="run the areas on a Dask cluster (its scheduler address, or "
                            "'local' for a cluster on this machine) instead of local processes; "
                            "needs the 'distributed' package and a reports folder the workers "
                            "can write to")
    p.set_defaults(func=cmd_build)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def cmd_build(args: argparse.Namespace) -> int:
    from .data.errors import DataError
    from .release.build import BuildError, build

    if args.all_areas:
        return _cmd_build_all(args)
    if args.areas is not None or args.workers is not None or args.dask_scheduler is not None:
        print("rutland-jsna build: --areas, --workers and --dask-scheduler need --all-areas",
              file=sys.stderr)
        return 2
    try:
        args.source = _source_for_build(args.source)
        result = build(
            area_code=args.area, release=args.release, source=args.source,
            chapters=args.chapters, comparators=args.comparators, confidence=args.confidence,
            progress=not args.no_progress, incremental=not args.force, engine=args.engine,
            jobs=args.jobs, reports_root=args.reports, notebooks=args.notebooks,
        )
    except BuildError as exc:
        print(f"rutland-jsna build: {exc}", file=sys.stderr)
        return 1
    except (DataError, ValueError, FileNotFoundError, LookupError) as exc:
        print(f"rutland-jsna build: {exc}", file=sys.stderr)
        return 1
    for chapter in result.chapters:
        how = ("unchanged, reused" if getattr(chapter, "reused", False)
               else f"{chapter.seconds:.1f} s")
        print(f"{chapter.chapter}: {chapter.html} ({how}, "
              f"{len(chapter.csv_files)} CSV files)")
        for warning in chapter.warnings:
            print(f"  warning from {chapter.chapter}: {warning}", file=sys.stderr)
    print(f"release {result.release}: {result.folder / 'index.html'} "
          f"(built in {result.seconds:.1f} s)")
    return 0


def _source_for_build(source: str) -> str:
    """``build --source FILE.csv`` with a Fingertips download (no processed sidecar): import it
    into ``data/processed/<stem>.csv`` first and build from that (printing the data report)."""
    path = Path(source).expanduser()
    if source in ("demo", "fingertips") or path.suffix.lower() != ".csv" or not path.is_file():
        return source
    if path.with_suffix(".json").is_file():
        return source
    from .data.fetch import detect_kind, import_files, import_name

    if detect_kind(path) != "bulk":
        return source
    summary = import_files([path], name=import_name(path))
    print(f"imported {path} as the processed table {summary.table_path}")
    print("\n".join(summary.lines()[1:]))
    return str(summary.table_path)


def _cmd_build_all(args: argparse.Namespace) -> int:
    from .data.errors import DataError
    from .release.batch import BatchError, build_all_areas

    if args.comparators is not None:
        print("rutland-jsna build: --comparators cannot be used with --all-areas (each area "
              "uses its own comparator group)", file=sys.stderr)
        return 2
    client = None
    executor = None
    try:
        if args.dask_scheduler is not None:
            try:
                from dask.distributed import Client
            except ImportError:
                print("rutland-jsna build: --dask-scheduler needs the 'distributed' package "
                      "(pip install 'rutland_jsna[dask]')", file=sys.stderr)
                return 2
            client = (Client(processes=True, n_workers=args.workers or None,
                             threads_per_worker=1, dashboard_address=None)
                      if args.dask_scheduler == "local" else Client(args.dask_scheduler))
            executor = client.get_executor()
        result = build_all_areas(
            release=args.release, source=args.source, chapters=args.chapters,
            confidence=args.confidence, areas=args.areas, workers=args.workers,
            executor=executor, progress=not args.no_progress, incremental=not args.force,
            reports_root=args.reports, notebooks=args.notebooks,
        )
    except BatchError as exc:
        print(f"rutland-jsna build: {exc}", file=sys.stderr)
        return 1
    except (DataError, ValueError, FileNotFoundError, LookupError) as exc:
        print(f"rutland-jsna build: {exc}", file=sys.stderr)
        return 1
    finally:
        if client is not None:
            client.close()
    built = [a for a in result.areas if a.ok]
    rendered = result.rendered
    print(f"release {result.release}: {len(built)} of {len(result.areas)} areas "
          f"({rendered} chapters rendered, the rest unchanged) in {result.seconds:.1f} s; "
          f"national statistics {result.national_seconds:.1f} s")
    print(f"national summary: {result.folder / 'national.html'}")
    if result.failed:
        print(f"{len(result.failed)} area(s) failed:", file=sys.stderr)
        for code, error in result.failed.items():
            print(f"  {code}: {error}", file=sys.stderr)
        return 1
    return 0


# ------------------------------------------------------------------------------------------
# diff
# ------------------------------------------------------------------------------------------


def add_diff_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diff",
        help="what changed between two releases (values, comparisons, directions of travel)",
        description=(
            "Compare the stored indicator summaries of two releases, chapter by chapter and "
            "area by area: the comparison each chapter prints under 'Changes since the "
            "previous release'. RELEASE_A and RELEASE_B are release labels in the reports "
            "folder or paths of release folders."
        ),
    )
    p.add_argument("release_a", metavar="RELEASE_A")
    p.add_argument("release_b", metavar="RELEASE_B")
    p.add_argument("--chapter", choices=CHAPTERS, default=None, help="only this chapter")
    p.add_argument("--area", default=None, metavar="CODE", help="only this area")
    p.add_argument("--reports", default=None, metavar="DIR",
                   help="the reports folder holding the releases (default reports/)")
    p.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    p.set_defaults(func=cmd_diff)


def _release_folder(label: str, reports: str | None) -> Path:
    from .config import reports_dir

    root = Path(reports) if reports else reports_dir()
    for candidate in (root / label, Path(label)):
        if candidate.is_dir() and not candidate.name.startswith((".", "_")):
            return candidate
    raise FileNotFoundError(f"{label}: no such release in {root} (nor a release folder)")


def cmd_diff(args: argparse.Namespace) -> int:
    from .analysis.changes import release_diff

    try:
        a = _release_folder(args.release_a, args.reports)
        b = _release_folder(args.release_b, args.reports)
    except FileNotFoundError as exc:
        print(f"rutland-jsna diff: {exc}", file=sys.stderr)
        return 2
    diff = release_diff(a, b)
    if args.chapter:
        diff = diff[diff["chapter"] == args.chapter]
    if args.area:
        diff = diff[diff["area_code"] == args.area]
    if args.csv:
        sys.stdout.write(diff.to_csv(index=False))
        return 0
    if diff.empty:
        print(f"No indicator changed between {a.name} and {b.name}.")
        return 0
    shown = diff.assign(
        indicator=[f"{i} ({s}, {g})" if i else "" for i, s, g in
                   zip(diff["indicator"], diff["sex"], diff["age"], strict=True)],
        previous=diff["previous"].replace("", "-"), current=diff["current"].replace("", "-"),
    )[["chapter", "area_code", "indicator", "change", "previous", "current"]]
    shown.columns = ["chapter", "area", "indicator", "what changed", a.name, b.name]
    n = diff[diff["key"] != ""].groupby(["chapter", "area_code", "key"]).ngroups
    print(f"{n} indicator(s) changed between {a.name} and {b.name} "
          f"({len(diff)} change(s)):")
    print(_table(shown))
    return 0


def _table(frame: Any) -> str:
    """A plain-text table (no extra dependency), columns padded to their widest cell."""
    cols = [str(c) for c in frame.columns]
    rows = [[str(v) for v in row] for row in frame.itertuples(index=False)]
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(cols)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
    return "\n".join([line(cols), line(["-" * w for w in widths]), *(line(r) for r in rows)])


# ------------------------------------------------------------------------------------------
# list
# ------------------------------------------------------------------------------------------


def add_list_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list", help="list areas or catalogue indicators")
    what = p.add_subparsers(dest="what", metavar="{areas,indicators}", required=True)
    areas = what.add_parser("areas", help="the 153 upper-tier authorities (code, name, region)")
    areas.set_defaults(func=cmd_list)
    ind = what.add_parser("indicators", help="catalogue indicators (key, Fingertips id, name)")
    ind.add_argument("--chapter", choices=CHAPTERS, default=None,
                     help="only this chapter's indicators")
    ind.set_defaults(func=cmd_list)


def cmd_list(args: argparse.Namespace) -> int:
    if args.what == "areas":
        from .data.areas import upper_tier_areas

        for a in upper_tier_areas():
            print(f"{a.code}\t{a.name}\t{a.region_name or ''}")
        return 0
    from .data.catalogue import chapter_indicators, load_catalogue

    rows = chapter_indicators(args.chapter) if args.chapter else load_catalogue()
    for i in rows:
        fid = str(i.fingertips_id) if i.fingertips_id is not None else "-"
        print(f"{i.key}\t{fid}\t{i.id_status}\t{i.display_name} ({i.sex_label}, {i.age_label})")
    return 0


# ------------------------------------------------------------------------------------------
# entry point
# ------------------------------------------------------------------------------------------

# ------------------------------------------------------------------------------------------
# fetch / validate
# ------------------------------------------------------------------------------------------


def add_fetch_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "fetch",
        help="get data into data/processed: the demonstration snapshot or a Fingertips download",
        description=(
            "--source demo generates (or reuses) the deterministic demonstration snapshot; "
            "--source fingertips downloads every catalogue indicator with a Fingertips id "
            "(write-once cache with checksums under data/raw/fingertips/<date>/) and the "
            "nearest neighbours of --area, validates them and writes data/processed/fingertips.csv."
        ),
    )
    p.add_argument("--source", choices=("demo", "fingertips"), default="demo")
    p.add_argument("--area", action="append", metavar="CODE",
                   help="subject area(s) whose neighbours to download (repeatable; default Rutland)")
    p.add_argument("--offline", action="store_true",
                   help="fingertips: read the write-once cache only, never the network")
    p.add_argument("--force", action="store_true", help="demo: regenerate the snapshot")
    p.add_argument("--base-url", default=None, metavar="URL",
                   help="fingertips: the API root (a mirror, a proxy or a test server; "
                        "default $RUTLAND_JSNA_FINGERTIPS_URL, else "
                        "https://fingertips.phe.org.uk/api/); recorded with the data")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_fetch)


def cmd_fetch(args: argparse.Namespace) -> int:
    from .data.cache import CacheMissError
    from .data.errors import DataError
    from .data.fetch import fetch_fingertips
    from .demo import fetch_demo

    try:
        if args.source == "demo":
            summary = fetch_demo(force=args.force)
        else:
            summary = fetch_fingertips(
                area_codes=args.area or [DEFAULT_AREA_CODE],
                offline=args.offline,
                progress=not args.no_progress,
                base_url=args.base_url,
            )
    except (DataError, CacheMissError, ValueError) as exc:
        print(f"rutland-jsna fetch: {exc}", file=sys.stderr)
        return 1
    print("\n".join(summary.lines()))
    return 0


def add_import_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="turn Fingertips downloads (bulk or website CSVs) into the processed store",
        description=(
            "Screen each file (27-column bulk or 26-column pre-2022 website layout), store "
            "every row that passes the rules in data/processed/<name>.csv and list the "
            "quarantined and flagged rows in data/processed/<name>.issues.csv. A key found in "
            "several files is kept from the first. Then: rutland-jsna build --source "
            "fingertips (or --source data/processed/<name>.csv)."
        ),
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--name", default="fingertips",
                   help="processed-table name (default %(default)s: what --source fingertips "
                        "reads)")
    p.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    from .data.errors import DataError
    from .data.fetch import import_files

    try:
        summary = import_files(args.files, name=args.name)
    except (DataError, ValueError, FileNotFoundError) as exc:
        print(f"rutland-jsna import: {exc}", file=sys.stderr)
        return 1
    print("\n".join(summary.lines()))
    return 0


def add_validate_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check a Fingertips bulk CSV, a local extract or a processed table",
        description=(
            "Validate files and report every broken rule with its file, row numbers, column "
            "and rule. The kind is detected from the file (a 27-column Fingertips bulk CSV, a "
            "processed table with its JSON sidecar, or a local extract named after its kind, "
            "e.g. dental_access.csv) unless --kind is given."
        ),
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--kind", help="bulk, processed, or a local extract kind (e.g. dental_access)")
    p.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    from .data.errors import DataError
    from .data.fetch import detect_kind, screen_file, validate_file
    from .data.quality import FLAGGED, QUARANTINED, summary_lines

    status = 0
    for path in args.paths:
        try:
            kind = args.kind or detect_kind(Path(path))
            if kind == "bulk":
                screened = screen_file(path)
                quarantined = screened.count(QUARANTINED)
                word = "INVALID ROWS" if quarantined else "valid"
                out = sys.stderr if quarantined else sys.stdout
                print(f"{path}: {word} bulk ({len(screened.frame):,} of {screened.rows_read:,} "
                      f"rows would be stored, {quarantined:,} quarantined, "
                      f"{screened.count(FLAGGED):,} flagged)", file=out)
                if not screened.issues.empty:
                    print("\n".join(summary_lines(screened.issues)), file=out)
                    shown = screened.issues[screened.issues["action"] == QUARANTINED].head(20)
                    for r in shown.itertuples():
                        print(f"  {r.file}: row {r.row}, column '{r.column}': {r.rule}"
                              + (f" ({r.detail})" if r.detail else ""), file=out)
                status = max(status, 1 if quarantined else 0)
                continue
            kind, rows = validate_file(path, kind)
        except (DataError, ValueError, FileNotFoundError) as exc:
            print(f"{path}: INVALID\n{exc}", file=sys.stderr)
            status = 1
        else:
            print(f"{path}: valid {kind} ({rows:,} rows)")
    return status


#: Sub-parser registrations, in help order.
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_build_parser,
    add_diff_parser,
    add_fetch_parser,
    add_import_parser,
    add_validate_parser,
    add_list_parser,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rutland-jsna",
        description="Build Joint Strategic Needs Assessment chapters from Fingertips indicators.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
