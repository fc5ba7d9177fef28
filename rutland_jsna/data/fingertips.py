"""OHID Fingertips API client: timeouts, bounded retries, strict parsing, write-once cache.

A thin wrapper over :mod:`requests` (not ``fingertips_py``), written against
``docs/fingertips_api.md``. What it does that fingertipsR / fingertips_py do not (docs/fingertips_api.md §1):

* TLS verification is always on (``verify=True`` on the session and on every request); there
  is no unverified fallback. ``REQUESTS_CA_BUNDLE`` / ``HTTPS_PROXY`` are honoured through
  requests' own environment handling, and a certificate failure says how to use them.
* Connect/read timeouts; 3 attempts with exponential back-off on HTTP 429 (``Retry-After``
  honoured), HTTP 5xx, connection errors, timeouts and interrupted downloads; then one clear
  :class:`FingertipsUnavailableError` naming the URL and the fall-backs.
* The body is checked before parsing: an HTML page (a corporate proxy or web filter,
  fingertipsR#65) raises :class:`FingertipsSchemaError` saying so; invalid JSON, a missing
  required key or CSV column names the endpoint and the field. Unknown extra keys/columns
  are ignored.
* An empty result explains itself (fingertipsR#126): the error names the indicator and the
  area type and lists the area types that do have data (from ``available_data``).
* Every valid download is kept in the write-once :class:`~rutland_jsna.data.cache.RawCache`
  with its URL, SHA-256 and time; nothing that failed validation is cached. ``offline=True``
  reads the most recent cached copy instead of the network.

Typical use::

    client = FingertipsClient()
    result = fetch_indicators(client, [90776, 92304], child_area_type_id=502,
                              parent_area_type_id=6, profile_id=45)
    result.frame        # tidy long table, columns = columns.TIDY_COLUMNS
    result.files        # the cached raw files (for the report's provenance footer)
"""

from __future__ import annotations

import difflib
import html
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlencode, urlsplit

import numpy as np
import pandas as pd
import requests
from tqdm import tqdm

from .. import __version__
from ..config import CONTACT_ENV
from . import columns as cols
from .cache import CachedFile, RawCache
from .errors import (
    FingertipsError,
    FingertipsNoDataError,
    FingertipsSchemaError,
    FingertipsUnavailableError,
    UnknownAreaError,
)

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "MAX_IDS_PER_REQUEST",
    "USER_AGENT",
    "CONTACT_ENV",
    "user_agent",
    "FetchResult",
    "FingertipsClient",
    "FingertipsLookupError",
    "FingertipsRequestError",
    "NeighbourType",
    "Neighbours",
    "Profile",
    "fetch_indicators",
    "parse_bulk_csv",
    "resolve_base_url",
]

DEFAULT_BASE_URL = "https://fingertips.phe.org.uk/api/"
#: Environment variable naming another API root (a mirror, a proxy, a test server).
BASE_URL_ENV = "RUTLAND_JSNA_FINGERTIPS_URL"


def resolve_base_url(base_url: str | None = None) -> str:
    """The API root to use: ``base_url`` if given, else ``$RUTLAND_JSNA_FINGERTIPS_URL``, else
    :data:`DEFAULT_BASE_URL` (checked as :class:`FingertipsClient` checks it)."""
    chosen = base_url if base_url else os.environ.get(BASE_URL_ENV, "").strip() or DEFAULT_BASE_URL
    return _check_base_url(chosen)
# CONTACT_ENV (config): a contact (e-mail address or URL) of the team running the client,
# added to the User-Agent so the API's operators can reach them.
_UA_COMMENT = "Joint Strategic Needs Assessment builder"
USER_AGENT = f"rutland_jsna/{__version__} ({_UA_COMMENT})"


def user_agent(contact: str | None = None) -> str:
    """The client's User-Agent: :data:`USER_AGENT`, with ``+contact`` when a contact is given
    or set in ``$RUTLAND_JSNA_CONTACT`` (e.g. ``"+jsna@rutland.gov.uk"``)."""
    contact = (contact if contact is not None else os.environ.get(CONTACT_ENV, "")).strip()
    if not contact:
        return USER_AGENT
    if any(ch in contact for ch in "()\r\n"):
        raise ValueError(f"{CONTACT_ENV}: a contact may not contain brackets or line breaks")
    return f"rutland_jsna/{__version__} ({_UA_COMMENT}; +{contact})"
#: The bulk CSV and metadata endpoints accept at most 100 indicator ids per request.
MAX_IDS_PER_REQUEST = 100
#: (connect, read) seconds. Large bulk files can take tens of seconds to start streaming.
DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 120.0)
DEFAULT_ATTEMPTS = 3
#: Back-off before attempt n+1 is ``backoff * 2**(n-1)`` seconds (2 s, 4 s by default).
DEFAULT_BACKOFF_S = 2.0
#: A ``Retry-After`` longer than this is not waited for: the client gives up at once.
MAX_RETRY_AFTER_S = 300.0
FALLBACK_HINT = "use --source demo or a cached download"

BULK_ENDPOINT = "all_data/csv/by_indicator_id"
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_CHUNK = 1 << 16
T = TypeVar("T")


class FingertipsRequestError(FingertipsError, ValueError):
    """The API rejected the request itself (HTTP 4xx other than 429): bad ids or area types."""


class FingertipsLookupError(FingertipsError, LookupError):
    """A profile or neighbour model could not be resolved unambiguously."""


class _Transient(Exception):
    """A failure worth retrying (429, 5xx, connection, timeout, interrupted download)."""

    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.reason, self.wait = reason, wait


# ---------------------------------------------------------------------- result types
@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch_indicators` returns.

    ``frame, files = result`` unpacks the two main parts.

    Attributes
    ----------
    frame : pandas.DataFrame
        The tidy long table; columns exactly :data:`rutland_jsna.data.columns.TIDY_COLUMNS`.
    files : list of CachedFile
        The cached raw files the frame was read from, in request order.
    missing_indicator_ids : tuple of int
        Requested indicators with no row at all (others in the same request had data).
    """

    frame: pd.DataFrame
    files: list[CachedFile]
    missing_indicator_ids: tuple[int, ...] = ()

    def __iter__(self) -> Iterator[Any]:
        return iter((self.frame, self.files))


@dataclass(frozen=True)
class Profile:
    """A Fingertips profile (``profiles`` endpoint)."""

    profile_id: int
    name: str
    key: str | None
    group_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class NeighbourType:
    """A nearest-neighbour model (``nearest_neighbour_types`` endpoint).

    ``applicable_area_type_ids`` lists the area types the model serves (those with
    ``CanBeDisplayedOnMap`` not false, as fingertipsR does).
    """

    neighbour_type_id: int
    name: str
    applicable_area_type_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Neighbours:
    """The comparator group of one area.

    Attributes
    ----------
    area_code, area_type_id : the subject area and the area type (boundary vintage) used.
    neighbour_type_id, model_name : the neighbour model, e.g. 1 /
        "CIPFA local authority nearest neighbours" — record both with the report.
    areas : pandas.DataFrame
        Columns ``rank, area_code, area_name, area_short, area_type_id``, rank order (1 =
        most similar); the subject area itself is not included. Empty when the model gives
        the area no neighbours (e.g. the City of London).
    """

    area_code: str
    area_type_id: int
    neighbour_type_id: int
    model_name: str
    areas: pd.DataFrame = field(repr=False)

    @property
    def codes(self) -> list[str]:
        """Neighbour area codes in rank order."""
        return list(self.areas["area_code"])

    def __iter__(self) -> Iterator[str]:
        """Iterate over the neighbour codes in rank order (so
        ``functools.partial(client.nearest_neighbours, area_type_id=102)`` is a neighbour source
        for :func:`rutland_jsna.data.areas.cipfa_neighbours`)."""
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.areas)


AREA_COLUMNS: tuple[str, ...] = ("area_code", "area_name", "area_short", "area_type_id")
AREA_TYPE_COLUMNS: tuple[str, ...] = ("area_type_id", "name", "short", "can_be_displayed_on_map")
GROUP_COLUMNS: tuple[str, ...] = ("group_id", "name", "sequence", "profile_id")
AVAILABLE_DATA_COLUMNS: tuple[str, ...] = ("indicator_id", "area_type_id", "sex_id", "age_id")
METADATA_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "name",
    "definition",
    "data_source",
    "unit_label",
    "unit_multiplier",
    "value_type",
    "year_type",
    "ci_method",
    "last_uploaded_at",
)
#: Metadata CSV (``indicator_metadata/csv/...``) header → snake_case; docs/fingertips_api.md §5.7.
METADATA_CSV_COLUMNS: dict[str, str] = {
    "Indicator ID": "indicator_id",
    "Indicator": "indicator",
    "Definition": "definition",
    "Rationale": "rationale",
    "Data source": "data_source",
    "Indicator source": "indicator_source",
    "Methodology": "methodology",
    "Standard population/values": "standard_population_values",
    "Confidence interval details": "confidence_interval_details",
    "Source of numerator": "source_of_numerator",
    "Definition of numerator": "definition_of_numerator",
    "Source of denominator": "source_of_denominator",
    "Definition of denominator": "definition_of_denominator",
    "Disclosure control": "disclosure_control",
    "Caveats": "caveats",
    "Copyright": "copyright",
    "Data re-use": "data_re_use",
    "Links": "links",
    "Indicator number": "indicator_number",
    "Notes": "notes",
    "Frequency": "frequency",
    "Rounding": "rounding",
    "Indicator Content": "indicator_content",
    "Specific rationale": "specific_rationale",
    "Impact of COVID-19": "impact_of_covid_19",
    "Unit": "unit",
    "Value type": "value_type",
    "Year type": "year_type",
    "Polarity": "polarity",
}
#: Written by every version of the metadata CSV writer; the descriptive columns may vary.
METADATA_CSV_REQUIRED: tuple[str, ...] = (
    "Indicator ID",
    "Unit",
    "Value type",
    "Year type",
    "Polarity",
)

#: Bulk-CSV header shown in messages for each tidy column.
_TIDY_TO_HEADER: dict[str, str] = {
    t: ("Compared to <parent> value or percentiles" if "{parent}" in h else h)
    for h, t in zip(cols.BULK_CSV_HEADER, cols.TIDY_COLUMNS, strict=True)
}
_INT_COLUMNS: tuple[str, ...] = (cols.INDICATOR_ID, cols.TIME_PERIOD_SORTABLE)


# ---------------------------------------------------------------------- the client
class FingertipsClient:
    """Client for the Fingertips API (https://fingertips.phe.org.uk/api/).

    Parameters
    ----------
    base_url : str
        API root; default ``$RUTLAND_JSNA_FINGERTIPS_URL`` or else :data:`DEFAULT_BASE_URL`
        (:func:`resolve_base_url`). Must be ``https://`` except for a
        loopback host (tests point it at ``http://127.0.0.1:<port>/api/``).
    cache : RawCache, optional
        Where downloads are kept; default ``RawCache()`` (``raw_dir()/fingertips``).
    offline : bool
        If True never touch the network: every call reads the most recent cached copy of its
        URL and raises :class:`~rutland_jsna.data.cache.CacheMissError` if there is none.
    timeout : (float, float)
        Connect and read timeouts in seconds.
    attempts : int
        Attempts per request (default 3) before :class:`FingertipsUnavailableError`.
    backoff : float
        Base of the exponential back-off, seconds.
    sleep : callable
        Called with the seconds to wait between attempts; inject a recorder in tests.
    contact : str, optional
        An e-mail address or URL of the team running the client, sent in the User-Agent
        (default ``$RUTLAND_JSNA_CONTACT``; see :func:`user_agent`).

    Notes
    -----
    Online, a URL already downloaded today (UTC) is read from the cache instead of being
    fetched again, so a failed run can be resumed and one release sees one snapshot.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        cache: RawCache | None = None,
        offline: bool = False,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff: float = DEFAULT_BACKOFF_S,
        sleep: Callable[[float], None] = time.sleep,
        contact: str | None = None,
    ):
        self.base_url = resolve_base_url(base_url)
        if attempts < 1:
            raise ValueError(f"attempts: expected an integer >= 1, got {attempts!r}")
        if len(timeout) != 2 or min(timeout) <= 0:
            raise ValueError(f"timeout: expected (connect, read) seconds > 0, got {timeout!r}")
        self.cache = cache if cache is not None else RawCache()
        self.offline = offline
        self.timeout = (float(timeout[0]), float(timeout[1]))
        self.attempts = int(attempts)
        self.backoff = float(backoff)
        self._sleep = sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent(contact)
        self.session.verify = True  # never switched off; REQUESTS_CA_BUNDLE still applies
        self.session.trust_env = True  # honour HTTPS_PROXY / NO_PROXY / REQUESTS_CA_BUNDLE

    def __enter__(self) -> FingertipsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()

    def url(self, endpoint: str, params: Mapping[str, Any] | None = None) -> str:
        """The full request URL (parameters in the given order, commas unescaped)."""
        query = [(k, _param(v)) for k, v in (params or {}).items() if v is not None]
        tail = f"?{urlencode(query, safe=',')}" if query else ""
        return f"{self.base_url}{endpoint.lstrip('/')}{tail}"

    # ------------------------------------------------------------------ geography
    def area_types(self, profile_ids: Iterable[int] | None = None) -> pd.DataFrame:
        """Area types (``area_types``).

        Returns
        -------
        pandas.DataFrame
            Columns ``area_type_id, name, short, can_be_displayed_on_map``.
        """
        params = {"profile_ids": _id_list(profile_ids, "profile_ids") if profile_ids else None}
        return self._get_json("area_types", params, _parse_area_types)

    def areas(self, area_type_id: int, *, profile_id: int | None = None) -> pd.DataFrame:
        """Every area of one area type (``areas/by_area_type``).

        Returns
        -------
        pandas.DataFrame
            Columns ``area_code, area_name, area_short, area_type_id``.
        """
        params = {"area_type_id": _int(area_type_id, "area_type_id"), "profile_id": profile_id}
        return self._get_json("areas/by_area_type", params, _parse_areas)

    def child_areas(
        self, parent_area_code: str, area_type_id: int, *, profile_id: int | None = None
    ) -> pd.DataFrame:
        """Areas of ``area_type_id`` inside one parent (``areas/by_parent_area_code``).

        Returns
        -------
        pandas.DataFrame
            Columns ``area_code, area_name, area_short, area_type_id``.
        """
        params = {
            "area_type_id": _int(area_type_id, "area_type_id"),
            "parent_area_code": _code(parent_area_code, "parent_area_code"),
            "profile_id": profile_id,
        }
        return self._get_json("areas/by_parent_area_code", params, _parse_areas)

    # ------------------------------------------------------------------ neighbours
    def nearest_neighbour_types(self) -> list[NeighbourType]:
        """Nearest-neighbour models and the area types each applies to."""
        return self._get_json("nearest_neighbour_types", None, _parse_neighbour_types)

    def neighbour_type_for(self, area_type_id: int) -> NeighbourType:
        """The one neighbour model whose ``ApplicableAreaTypes`` contains ``area_type_id``.

        Raises
        ------
        FingertipsLookupError
            No model, or several models, apply to the area type (the message lists them;
            pass ``neighbour_type_id`` to :meth:`nearest_neighbours` to choose).
        """
        area_type_id = _int(area_type_id, "area_type_id")
        types = self.nearest_neighbour_types()
        matches = [t for t in types if area_type_id in t.applicable_area_type_ids]
        if len(matches) == 1:
            return matches[0]
        listing = "; ".join(
            f"{t.neighbour_type_id} {t.name!r} (area types {', '.join(map(str, t.applicable_area_type_ids)) or 'none listed'})"
            for t in (matches or types)
        )
        if matches:
            raise FingertipsLookupError(
                f"several neighbour models apply to area type {area_type_id}: {listing}; "
                "pass neighbour_type_id to choose one"
            )
        raise FingertipsLookupError(
            f"no neighbour model applies to area type {area_type_id}; models available: {listing}"
        )

    def nearest_neighbours(
        self, area_code: str, area_type_id: int, *, neighbour_type_id: int | None = None
    ) -> Neighbours:
        """The nearest neighbours of one area, in rank order, with the model's name.

        Parameters
        ----------
        area_code : str
            The subject area, e.g. ``"E06000017"`` (Rutland).
        area_type_id : int
            Area type (boundary vintage), e.g. 102 for CIPFA on pre-2019 boundaries or 502.
        neighbour_type_id : int, optional
            The model. By default resolved at run time from ``nearest_neighbour_types``
            (the model whose ``ApplicableAreaTypes`` lists ``area_type_id``); never hard-coded.

        Returns
        -------
        Neighbours
            Empty ``areas`` when the model gives the area no neighbours.

        Raises
        ------
        FingertipsLookupError
            The model cannot be resolved (none, or several, apply).
        UnknownAreaError
            No neighbours were returned and ``area_code`` is not an area of ``area_type_id``.
        """
        code = _code(area_code, "area_code")
        area_type_id = _int(area_type_id, "area_type_id")
        if neighbour_type_id is None:
            model = self.neighbour_type_for(area_type_id)
        else:
            nt = _int(neighbour_type_id, "neighbour_type_id")
            known = {t.neighbour_type_id: t for t in self.nearest_neighbour_types()}
            if nt not in known:
                raise FingertipsLookupError(
                    f"neighbour_type_id {nt} is not a Fingertips neighbour model; known: "
                    + ", ".join(f"{k} {v.name!r}" for k, v in sorted(known.items()))
                )
            model = known[nt]
        params = {
            "area_type_id": area_type_id,
            "parent_area_code": f"nn-{model.neighbour_type_id}-{code}",
        }
        areas = self._get_json("areas/by_parent_area_code", params, _parse_ranked_areas)
        if areas.empty and code not in set(self.areas(area_type_id)["area_code"]):
            raise UnknownAreaError(
                f"area_code {code!r} is not an area of area type {area_type_id}; "
                "check the code and the boundary vintage"
            )
        return Neighbours(code, area_type_id, model.neighbour_type_id, model.name, areas)

    # ------------------------------------------------------------------ profiles & groups
    def profiles(self) -> list[Profile]:
        """Every profile (``profiles``)."""
        return self._get_json("profiles", None, _parse_profiles)

    def profile(self, key_or_name: str, *, expected_id: int | None = None) -> Profile:
        """Resolve one profile by its exact URL ``Key`` or exact ``Name``.

        Parameters
        ----------
        key_or_name : str
            E.g. ``"sexualhealth"`` or ``"Public Health Outcomes Framework"``.
        expected_id : int, optional
            The id the catalogue expects; a different id raises (the catalogue is stale).

        Raises
        ------
        FingertipsLookupError
            No profile has that Key or Name (the message suggests close matches).
        FingertipsSchemaError
            The profile resolved to an id other than ``expected_id``.
        """
        if not isinstance(key_or_name, str) or not key_or_name:
            raise ValueError(f"key_or_name: expected a profile Key or Name, got {key_or_name!r}")
        profiles = self.profiles()
        hits = [p for p in profiles if p.key == key_or_name] or [
            p for p in profiles if p.name == key_or_name
        ]
        if len(hits) != 1:
            labels = [p.key for p in profiles if p.key] + [p.name for p in profiles]
            close = difflib.get_close_matches(key_or_name, labels, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            what = "several profiles have" if hits else "no profile has"
            raise FingertipsLookupError(f"{what} the Key or Name {key_or_name!r}{hint}")
        found = hits[0]
        if expected_id is not None and found.profile_id != expected_id:
            raise FingertipsSchemaError(
                f"profiles: {key_or_name!r} now has id {found.profile_id}, expected {expected_id}; "
                "the catalogue's profile id is out of date"
            )
        return found

    def group_metadata(self, group_ids: Iterable[int]) -> pd.DataFrame:
        """Domains (groups) of profiles (``group_metadata``).

        Returns
        -------
        pandas.DataFrame
            Columns ``group_id, name, sequence, profile_id``.
        """
        ids = _id_list(group_ids, "group_ids")
        return self._get_json("group_metadata", {"group_ids": ids}, _parse_groups)

    # ------------------------------------------------------------------ indicators
    def indicator_metadata(self, indicator_ids: Iterable[int]) -> pd.DataFrame:
        """Indicator metadata (``indicator_metadata/by_indicator_id``), ≤ 100 ids per request.

        Returns
        -------
        pandas.DataFrame
            Columns ``indicator_id, name, definition, data_source, unit_label,
            unit_multiplier, value_type, year_type, ci_method, last_uploaded_at``; one row per
            indicator the API knows (unknown ids are absent). Polarity is not in this JSON:
            use :meth:`indicator_metadata_csv`.
        """
        frames = [
            self._get_json(
                "indicator_metadata/by_indicator_id",
                {"indicator_ids": ",".join(map(str, batch))},
                _parse_metadata_json,
            )
            for batch in _batches(_ids(indicator_ids, "indicator_ids"))
        ]
        return _concat(frames, METADATA_COLUMNS)

    def indicator_metadata_csv(
        self, indicator_ids: Iterable[int], *, profile_id: int | None = None
    ) -> pd.DataFrame:
        """The metadata CSV (``indicator_metadata/csv/by_indicator_id``), ≤ 100 ids per request.

        Returns
        -------
        pandas.DataFrame
            Columns ``METADATA_CSV_COLUMNS.values()`` (snake_case of the CSV header); optional
            descriptive columns the file lacks are NA, unknown columns are dropped, ``polarity``
            is stripped of padding. Pass ``profile_id`` for the profile's polarity.
        """
        frames = []
        for batch in _batches(_ids(indicator_ids, "indicator_ids")):
            params = {"indicator_ids": ",".join(map(str, batch)), "profile_id": profile_id}
            frame, _ = self._get_csv(
                "indicator_metadata/csv/by_indicator_id", params, _parse_metadata_csv
            )
            frames.append(frame)
        return _concat(frames, tuple(METADATA_CSV_COLUMNS.values()))

    def available_data(
        self, *, indicator_id: int | None = None, area_type_id: int | None = None
    ) -> pd.DataFrame:
        """Which (indicator, area type, sex, age) groupings have data (``available_data``).

        Returns
        -------
        pandas.DataFrame
            Columns ``indicator_id, area_type_id, sex_id, age_id`` (the last two NA if the
            service omits them).
        """
        params = {
            "indicator_id": None if indicator_id is None else _int(indicator_id, "indicator_id"),
            "area_type_id": None if area_type_id is None else _int(area_type_id, "area_type_id"),
        }
        return self._get_json("available_data", params, _parse_available_data)

    def area_types_with_data(self, indicator_id: int) -> list[int]:
        """Sorted area type ids for which ``indicator_id`` has data."""
        frame = self.available_data(indicator_id=indicator_id)
        mine = frame[frame["indicator_id"] == int(indicator_id)]
        return sorted({int(x) for x in mine["area_type_id"]})

    # ------------------------------------------------------------------ data
    def bulk_data(
        self,
        indicator_ids: Iterable[int],
        child_area_type_id: int,
        parent_area_type_id: int,
        profile_id: int | None,
        *,
        parent_area_code: str | None = None,
        progress: bool = False,
    ) -> FetchResult:
        """Indicator data from the bulk CSV (``all_data/csv/by_indicator_id``).

        Parameters
        ----------
        indicator_ids : iterable of int
            Any number; requested in batches of :data:`MAX_IDS_PER_REQUEST`.
        child_area_type_id : int
            E.g. 502 (upper-tier authorities, April 2023 boundaries).
        parent_area_type_id : int
            E.g. 6 (regions) or 15 (England).
        profile_id : int or None
            The profile whose view (polarity, benchmarks) the chapter reproduces, e.g. 19 PHOF.
            ``None`` (an unresolved profile) omits the parameter: the indicator's default view.
        parent_area_code : str, optional
            Restrict to one parent; by default the API's (England: every area).
        progress : bool
            Show a tqdm bar over the batches.

        Returns
        -------
        FetchResult
            ``frame`` has exactly the columns of ``columns.TIDY_COLUMNS``; ``indicator_id`` and
            ``time_period_sortable`` are ``Int64``, the value/CI/count/denominator columns
            ``float64``, everything else strings; blanks are missing values.

        Raises
        ------
        FingertipsNoDataError
            Every batch was header-only; the message names the indicators and area type and
            lists the area types that have data.
        FingertipsSchemaError
            HTML instead of CSV, or a required column missing/renamed (names the endpoint,
            the column and the columns received), or non-numeric values in a numeric column.
        FingertipsUnavailableError
            The API could not be reached after the retries.

        Notes
        -----
        Always sends ``include_sortable_time_periods=yes`` and ``profile_id``. A header-only
        response is valid but is not cached, so the cache only ever holds files with rows; in
        offline mode such a batch is therefore a cache miss. Indicators absent from a response
        that has other rows are listed in ``missing_indicator_ids``.
        """
        ids = _ids(indicator_ids, "indicator_ids")
        child = _int(child_area_type_id, "child_area_type_id")
        parent = _int(parent_area_type_id, "parent_area_type_id")
        profile = None if profile_id is None else _int(profile_id, "profile_id")
        frames: list[pd.DataFrame] = []
        files: list[CachedFile] = []
        batches = _batches(ids)
        bar = tqdm(batches, desc="Fingertips download", unit="batch", disable=not progress)
        for batch in bar:
            params = {
                "indicator_ids": ",".join(map(str, batch)),
                "child_area_type_id": child,
                "parent_area_type_id": parent,
                "profile_id": profile,
                "parent_area_code": None
                if parent_area_code is None
                else _code(parent_area_code, "parent_area_code"),
                "include_sortable_time_periods": "yes",
            }
            frame, entry = self._get_csv(BULK_ENDPOINT, params, parse_bulk_csv)
            frames.append(frame)
            if entry is not None:
                files.append(entry)
        data = _concat(frames, cols.TIDY_COLUMNS)
        if data.empty:
            raise self._no_data_error(ids, child, parent)
        found = {int(x) for x in data[cols.INDICATOR_ID].dropna()}
        missing = tuple(i for i in ids if i not in found)
        return FetchResult(data, files, missing)

    def _no_data_error(self, ids: Sequence[int], child: int, parent: int) -> FingertipsNoDataError:
        """Explain an empty result: which indicators, which area type, where data exists."""
        names: dict[int, str] = {}
        with suppress(FingertipsError):
            frame = self.area_types()
            names = dict(zip(frame["area_type_id"].astype(int), frame["short"], strict=True))

        def label(area_type: int) -> str:
            return f"{area_type} ({names[area_type]})" if area_type in names else str(area_type)

        what = "indicator" if len(ids) == 1 else "indicators"
        head = (
            f"no data for {what} {', '.join(map(str, ids))} at area type {label(child)} "
            f"with parent area type {label(parent)} ({BULK_ENDPOINT} returned only a header)"
        )
        hints = []
        for ind in ids[:5]:
            try:
                have = self.area_types_with_data(ind)
            except FingertipsError as exc:
                hints.append(f"could not list the area types with data for {ind}: {exc}")
                continue
            where = ", ".join(label(a) for a in have) if have else "none"
            hints.append(f"indicator {ind} has data for area types: {where}")
        return FingertipsNoDataError("; ".join([head, *hints]))

    # ------------------------------------------------------------------ transport
    def _cached(self, url: str) -> CachedFile | None:
        if self.offline:
            return self.cache.require(url)
        return self.cache.find(url, day=self.cache.now().date())

    def _get_json(
        self,
        endpoint: str,
        params: Mapping[str, Any] | None,
        parse: Callable[[Any, str, str], T],
    ) -> T:
        url = self.url(endpoint, params)
        cached = self._cached(url)
        if cached is not None:
            return parse(_decode_json(cached.path.read_bytes(), endpoint, url), endpoint, url)
        body = self._download(url, endpoint, "json", dest=None)
        assert body is not None
        obj = _decode_json(body, endpoint, url)
        result = parse(obj, endpoint, url)  # validation first: nothing invalid is cached
        rows = len(obj) if isinstance(obj, list | dict) else 1
        self.cache.store_bytes(url, body, suffix=".json", rows=rows)
        return result

    def _get_csv(
        self,
        endpoint: str,
        params: Mapping[str, Any],
        parse: Callable[..., pd.DataFrame],
    ) -> tuple[pd.DataFrame, CachedFile | None]:
        url = self.url(endpoint, params)
        cached = self._cached(url)
        if cached is not None:
            return parse(cached.path, endpoint=endpoint, url=url), cached
        tmp = self.cache.partial_path(".csv")
        try:
            self._download(url, endpoint, "csv", dest=tmp)
            frame = parse(tmp, endpoint=endpoint, url=url)
            if frame.empty:
                return frame, None
            return frame, self.cache.store_file(url, tmp, rows=len(frame))
        finally:
            tmp.unlink(missing_ok=True)

    def _download(
        self, url: str, endpoint: str, kind: Literal["json", "csv"], dest: Path | None
    ) -> bytes | None:
        """GET ``url`` with retries; the body is returned (JSON) or streamed to ``dest`` (CSV)."""
        last = ""
        for attempt in range(1, self.attempts + 1):
            try:
                return self._attempt(url, endpoint, kind, dest)
            except _Transient as failure:
                last = failure.reason
                wait = failure.wait
            if attempt < self.attempts:
                if wait is not None and wait > MAX_RETRY_AFTER_S:
                    raise FingertipsUnavailableError(
                        f"Fingertips API asked to retry after {wait:g} s ({last}) ({url}); "
                        f"try again later, or {FALLBACK_HINT}"
                    )
                self._sleep(wait if wait is not None else self.backoff * 2 ** (attempt - 1))
        raise FingertipsUnavailableError(
            f"Fingertips API unreachable after {self.attempts} attempts: {last} ({url}); "
            f"{FALLBACK_HINT}"
        )

    def _attempt(
        self, url: str, endpoint: str, kind: Literal["json", "csv"], dest: Path | None
    ) -> bytes | None:
        accept = "application/json" if kind == "json" else "text/csv"
        try:
            resp = self.session.get(
                url, headers={"Accept": accept}, timeout=self.timeout, verify=True, stream=True
            )
        except requests.exceptions.SSLError as exc:
            raise FingertipsUnavailableError(
                f"Fingertips API TLS certificate verification failed: {_reason(exc)} ({url}); "
                "if your organisation inspects HTTPS traffic, set REQUESTS_CA_BUNDLE to its CA "
                f"certificate bundle (verification is never switched off); {FALLBACK_HINT}"
            ) from exc
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as exc:
            raise _Transient(self._describe(exc)) from exc
        with resp:
            status = resp.status_code
            if status == 429 or status >= 500:
                wait = _retry_after(resp) if status == 429 else None
                raise _Transient(
                    f"HTTP {status} {resp.reason or ''}".strip() + _snippet(resp), wait
                )
            if status >= 400:
                raise FingertipsRequestError(
                    f"Fingertips API rejected the request to {endpoint} "
                    f"(HTTP {status}{_snippet(resp, ': ')}) ({url}); check the ids and area types"
                )
            content_type = resp.headers.get("Content-Type", "")
            try:
                if dest is None:
                    body = resp.content
                    head = body[:2048]
                else:
                    with open(dest, "wb") as fh:
                        for chunk in resp.iter_content(_CHUNK):
                            fh.write(chunk)
                    with open(dest, "rb") as fh:
                        head = fh.read(2048)
                    body = None
            except (
                requests.exceptions.ConnectionError,
                requests.exceptions.Timeout,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ) as exc:
                raise _Transient(self._describe(exc)) from exc
        _check_not_html(head, content_type, endpoint, url, kind)
        return body

    def _describe(self, exc: Exception) -> str:
        """A short, human description of a network exception."""
        text = str(exc)
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return f"connection timed out after {self.timeout[0]:g} s"
        if isinstance(exc, requests.exceptions.ReadTimeout) or "read timed out" in text.lower():
            return f"no response within the {self.timeout[1]:g} s read timeout"
        if isinstance(exc, requests.exceptions.ProxyError):
            return f"proxy error ({_reason(exc)})"
        if "refused" in text.lower():
            return "connection refused"
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):
            return f"download interrupted ({_reason(exc)})"
        return f"{type(exc).__name__} ({_reason(exc)})"


def fetch_indicators(
    client: FingertipsClient,
    indicator_ids: Iterable[int],
    child_area_type_id: int,
    parent_area_type_id: int,
    profile_id: int | None,
    progress: bool = True,
    *,
    parent_area_code: str | None = None,
) -> FetchResult:
    """Download indicators' bulk data, keep the raw files, return the tidy table.

    What ``rutland-jsna fetch --source fingertips`` calls. See
    :meth:`FingertipsClient.bulk_data` for the parameters, the output columns and the errors.

    Returns
    -------
    FetchResult
        ``frame, files = fetch_indicators(...)``; also ``missing_indicator_ids``.
    """
    return client.bulk_data(
        indicator_ids,
        child_area_type_id,
        parent_area_type_id,
        profile_id,
        parent_area_code=parent_area_code,
        progress=progress,
    )


# ---------------------------------------------------------------------- bulk CSV parsing
def parse_bulk_csv(
    source: Path | str | Any, *, endpoint: str = BULK_ENDPOINT, url: str = ""
) -> pd.DataFrame:
    """Parse a Fingertips bulk CSV into the tidy frame (columns ``columns.TIDY_COLUMNS``).

    Headers are matched by :func:`rutland_jsna.data.layouts.map_header` ("Target data" →
    ``compared_to_goal``, the sub-national "Compared to … value or percentiles" →
    ``compared_to_parent``); unknown extra columns are dropped. Every tidy column is required
    except ``Time period range``, derived from the period text in the 26-column pre-2022
    layout. A few cells of a numeric column that are not numbers become missing (the store's
    screen quarantines those rows); a numeric column with no number at all is schema drift.

    Raises
    ------
    FingertipsSchemaError
        Empty or unparsable file, a missing/renamed column (message names the endpoint, the
        column and the columns received), two columns mapping to one name, or a numeric
        column holding text and no number at all (names the column, file rows and examples).

    Examples
    --------
    >>> import io
    >>> from rutland_jsna.data.columns import bulk_header
    >>> text = ",".join(bulk_header("Region")) + "\\n"
    >>> parse_bulk_csv(io.StringIO(text)).shape
    (0, 27)
    """
    from .layouts import map_header, to_tidy_text

    where = f" ({url})" if url else ""
    raw = _read_text_csv(source, endpoint, where)
    received = [str(c) for c in raw.columns]
    header = map_header(received)
    for h, tidy, other in header.conflicts:
        raise FingertipsSchemaError(
            f"{endpoint}: columns {other!r} and {h!r} both map to {tidy!r}{where}"
        )
    if header.missing:
        shown = ", ".join(repr(_TIDY_TO_HEADER[m]) for m in header.missing)
        raise FingertipsSchemaError(
            f"{endpoint}: required column{'s' if len(header.missing) > 1 else ''} {shown} "
            f"missing; columns received: {', '.join(received)}{where}"
        )
    frame = to_tidy_text(raw, header).reset_index(drop=True)
    for name in (*_INT_COLUMNS, *cols.NUMERIC_COLUMNS):
        frame[name] = _numeric(frame[name], name, endpoint, where,
                               integer=name in _INT_COLUMNS, some_rows=True)
    return frame


def _numeric(
    values: pd.Series, name: str, endpoint: str, where: str, *, integer: bool,
    some_rows: bool = False,
) -> pd.Series:
    """Numbers from text; text that is not a number raises, naming the column and rows.

    With ``some_rows=True`` (bulk CSVs) only a column with no number at all raises (schema
    drift); a few bad cells become missing, and the store's screen quarantines their rows
    with file, row, column and rule (:mod:`rutland_jsna.data.quality`).
    """
    text = values.str.strip()
    out = pd.to_numeric(text, errors="coerce")
    bad = out.isna() & text.notna()
    if integer:
        bad |= out.notna() & (out % 1 != 0)
    if some_rows and bad.any() and (~bad & text.notna()).any():
        out, bad = out.mask(bad), bad & False
    if bad.any():
        rows = [int(i) + 2 for i in values.index[bad][:5]]
        examples = ", ".join(repr(v) for v in values[bad].head(3))
        kind = "whole numbers" if integer else "numbers"
        raise FingertipsSchemaError(
            f"{endpoint}: column {_TIDY_TO_HEADER[name]!r} must hold {kind}; "
            f"{int(bad.sum())} rows do not (file rows {rows}, e.g. {examples}){where}"
        )
    return out.astype("Int64") if integer else out.astype("float64")


# ---------------------------------------------------------------------- JSON parsing
def _decode_json(body: bytes, endpoint: str, url: str) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FingertipsSchemaError(
            f"{endpoint}: response is not UTF-8 text ({exc}) ({url})"
        ) from None
    except json.JSONDecodeError as exc:
        raise FingertipsSchemaError(
            f"{endpoint}: response is not valid JSON ({exc.msg} at character {exc.pos} of "
            f"{len(body)}; truncated download?) ({url})"
        ) from None


def _records(obj: Any, endpoint: str, url: str, required: Sequence[str]) -> list[dict[str, Any]]:
    """Check ``obj`` is a JSON list of objects each holding the ``required`` keys."""
    if not isinstance(obj, list):
        raise FingertipsSchemaError(
            f"{endpoint}: expected a JSON list, got {type(obj).__name__} ({url})"
        )
    for i, item in enumerate(obj):
        _require_keys(item, required, endpoint, url, f"item {i + 1} of {len(obj)}")
    return obj


def _require_keys(item: Any, required: Sequence[str], endpoint: str, url: str, where: str) -> None:
    if not isinstance(item, dict):
        raise FingertipsSchemaError(
            f"{endpoint}: {where} should be a JSON object, got {type(item).__name__} ({url})"
        )
    for key in required:
        if key not in item:
            raise FingertipsSchemaError(
                f"{endpoint}: required key {key!r} missing from {where} "
                f"(keys received: {', '.join(map(str, item)) or 'none'}) ({url})"
            )


def _frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))


def _parse_area_types(obj: Any, endpoint: str, url: str) -> pd.DataFrame:
    items = _records(obj, endpoint, url, ("Id", "Name", "Short"))
    rows = [
        {
            "area_type_id": int(a["Id"]),
            "name": a["Name"],
            "short": a["Short"],
            "can_be_displayed_on_map": a.get("CanBeDisplayedOnMap"),
        }
        for a in items
    ]
    return _frame(rows, AREA_TYPE_COLUMNS)


def _area_row(a: dict[str, Any]) -> dict[str, Any]:
    return {
        "area_code": a["Code"],
        "area_name": a["Name"],
        "area_short": a.get("Short", a["Name"]),
        "area_type_id": int(a["AreaTypeId"]),
    }


def _parse_areas(obj: Any, endpoint: str, url: str) -> pd.DataFrame:
    items = _records(obj, endpoint, url, ("Code", "Name", "AreaTypeId"))
    return _frame([_area_row(a) for a in items], AREA_COLUMNS)


def _parse_ranked_areas(obj: Any, endpoint: str, url: str) -> pd.DataFrame:
    """Neighbour lists: sorted by ``Sequence`` (rank) when present, else response order."""
    items = _records(obj, endpoint, url, ("Code", "Name", "AreaTypeId"))
    rows = []
    for pos, a in enumerate(items, start=1):
        row = {"rank": int(a.get("Sequence") or pos), **_area_row(a)}
        rows.append(row)
    rows.sort(key=lambda r: r["rank"])
    return _frame(rows, ("rank", *AREA_COLUMNS))


def _parse_neighbour_types(obj: Any, endpoint: str, url: str) -> list[NeighbourType]:
    items = _records(obj, endpoint, url, ("NeighbourTypeId", "Name"))
    out = []
    for i, t in enumerate(items, start=1):
        applicable = t.get("ApplicableAreaTypes") or []
        where = f"ApplicableAreaTypes of item {i} of {len(items)}"
        _records(applicable, endpoint, url, ())
        for a in applicable:
            _require_keys(a, ("Id",), endpoint, url, where)
        ids = tuple(
            int(a["Id"]) for a in applicable if a.get("CanBeDisplayedOnMap", True) is not False
        )
        out.append(NeighbourType(int(t["NeighbourTypeId"]), str(t["Name"]), ids))
    if out and not any("ApplicableAreaTypes" in t for t in items):
        raise FingertipsSchemaError(
            f"{endpoint}: no entry has 'ApplicableAreaTypes', so the model for an area type "
            f"cannot be resolved; pass neighbour_type_id explicitly ({url})"
        )
    return out


def _parse_profiles(obj: Any, endpoint: str, url: str) -> list[Profile]:
    items = _records(obj, endpoint, url, ("Id", "Name"))
    return [
        Profile(
            profile_id=int(p["Id"]),
            name=str(p["Name"]),
            key=p.get("Key"),
            group_ids=tuple(int(g) for g in p.get("GroupIds") or ()),
        )
        for p in items
    ]


def _parse_groups(obj: Any, endpoint: str, url: str) -> pd.DataFrame:
    items = _records(obj, endpoint, url, ("Id", "Name"))
    rows = [
        {
            "group_id": int(g["Id"]),
            "name": g["Name"],
            "sequence": g.get("Sequence"),
            "profile_id": g.get("ProfileId"),
        }
        for g in items
    ]
    return _frame(rows, GROUP_COLUMNS)


def _parse_available_data(obj: Any, endpoint: str, url: str) -> pd.DataFrame:
    items = _records(obj, endpoint, url, ("IndicatorId", "AreaTypeId"))
    rows = [
        {
            "indicator_id": int(d["IndicatorId"]),
            "area_type_id": int(d["AreaTypeId"]),
            "sex_id": d.get("SexId"),
            "age_id": d.get("AgeId"),
        }
        for d in items
    ]
    return _frame(rows, AVAILABLE_DATA_COLUMNS)


def _nested(item: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(item, dict):
            return None
        item = item.get(key)
    return item


def _parse_metadata_json(obj: Any, endpoint: str, url: str) -> pd.DataFrame:
    """``{"<id>": {IID, Descriptive{Name,…}, Unit{…}, …}}`` → one row per indicator."""
    if not isinstance(obj, dict):
        raise FingertipsSchemaError(
            f"{endpoint}: expected a JSON object keyed by indicator id, got {type(obj).__name__} ({url})"
        )
    rows = []
    for key, meta in obj.items():
        _require_keys(meta, ("IID", "Descriptive"), endpoint, url, f"indicator {key}")
        rows.append(
            {
                "indicator_id": int(meta["IID"]),
                "name": _nested(meta, "Descriptive", "Name"),
                "definition": _nested(meta, "Descriptive", "Definition"),
                "data_source": _nested(meta, "Descriptive", "DataSource"),
                "unit_label": _nested(meta, "Unit", "Label"),
                "unit_multiplier": _nested(meta, "Unit", "Value"),
                "value_type": _nested(meta, "ValueType", "Name"),
                "year_type": _nested(meta, "YearType", "Name"),
                "ci_method": _nested(meta, "ConfidenceIntervalMethod", "Name"),
                "last_uploaded_at": _nested(meta, "DataChange", "LastUploadedAt"),
            }
        )
    return _frame(rows, METADATA_COLUMNS)


def _read_text_csv(source: Any, endpoint: str, where: str) -> pd.DataFrame:
    """A CSV response as text columns (blank = missing); an empty or unparsable body is a
    :class:`FingertipsSchemaError` naming the endpoint."""
    try:
        return pd.read_csv(
            source, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig"
        )
    except pd.errors.EmptyDataError:
        raise FingertipsSchemaError(
            f"{endpoint}: empty response, not even a CSV header{where}"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise FingertipsSchemaError(
            f"{endpoint}: response is not a valid CSV ({exc}){where}"
        ) from None


def _parse_metadata_csv(source: Path, *, endpoint: str, url: str) -> pd.DataFrame:
    where = f" ({url})" if url else ""
    raw = _read_text_csv(source, endpoint, where)
    received = [str(c).strip() for c in raw.columns]
    raw.columns = received
    missing = [c for c in METADATA_CSV_REQUIRED if c not in received]
    if missing:
        raise FingertipsSchemaError(
            f"{endpoint}: required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(map(repr, missing))} missing; columns received: {', '.join(received)}{where}"
        )
    frame = pd.DataFrame(
        {snake: raw[h] if h in raw.columns else pd.NA for h, snake in METADATA_CSV_COLUMNS.items()},
        index=raw.index,
    )
    frame["indicator_id"] = _numeric(
        frame["indicator_id"], cols.INDICATOR_ID, endpoint, where, integer=True
    )
    frame["polarity"] = frame["polarity"].str.strip()
    return frame.reset_index(drop=True)


# ---------------------------------------------------------------------- small helpers
def _check_not_html(head: bytes, content_type: str, endpoint: str, url: str, kind: str) -> None:
    """Raise if the body is an HTML page (a proxy's or web filter's block page)."""
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    html_type = "html" in content_type.lower()
    if first != b"<" and not (html_type and kind == "json" and first not in (b"[", b"{")):
        return
    match = re.search(rb"<title[^>]*>(.*?)</title>", head, re.IGNORECASE | re.DOTALL)
    title = ""
    if match:
        text = html.unescape(match.group(1).decode("utf-8", "replace"))
        title = f" titled {' '.join(text.split())[:80]!r}"
    raise FingertipsSchemaError(
        f"{endpoint}: expected {kind.upper()} but received an HTML page{title} — a proxy or web "
        "filter returned HTML instead of Fingertips data; ask IT to allow fingertips.phe.org.uk "
        f"(set HTTPS_PROXY if you must use a proxy), or {FALLBACK_HINT} ({url})"
    )


def _retry_after(resp: requests.Response) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), else None."""
    value = resp.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _snippet(resp: requests.Response, lead: str = " — ") -> str:
    """The start of a plain-text error body (Fingertips puts the exception message there)."""
    if "html" in resp.headers.get("Content-Type", "").lower():
        return ""
    try:
        text = resp.raw.read(300, decode_content=True).decode("utf-8", "replace")
    except Exception:  # best effort: the status line is the error
        return ""
    text = " ".join(text.split())
    return f"{lead}{text[:200]}" if text else ""


def _reason(exc: Exception) -> str:
    """The innermost reason of a requests/urllib3 exception, shortened."""
    text = str(exc)
    m = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if m:
        return m.group(1).strip()
    m = re.search(r"\[SSL: [A-Z_]+\] ([^'\")(]+)", text)
    if m:
        return m.group(1).strip()
    return text if len(text) <= 200 else text[:197] + "..."


def _check_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"base_url: expected an https:// URL, got {base_url!r}")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
        raise ValueError(
            f"base_url: {base_url!r} is plain http; use https:// (http is allowed only for a "
            "local test server on 127.0.0.1)"
        )
    return base_url if base_url.endswith("/") else base_url + "/"


def _param(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _int(value: Any, name: str) -> int:
    """A non-negative whole-number id (int, numpy integer or digit string)."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"{name}: expected a non-negative whole-number id, got {value!r}")
    return int(value)


def _code(value: Any, name: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9-]+", value):
        raise ValueError(f"{name}: expected an area code such as 'E06000017', got {value!r}")
    return value


def _ids(values: Iterable[int], name: str) -> list[int]:
    """Whole-number ids, duplicates removed, order kept; at least one."""
    if isinstance(values, int | str):
        values = [values]  # type: ignore[list-item]
    ids = list(dict.fromkeys(_int(v, name) for v in values))
    if not ids:
        raise ValueError(f"{name}: expected at least one id, got none")
    return ids


def _id_list(values: Iterable[int] | None, name: str) -> str:
    return ",".join(map(str, _ids(values or [], name)))


def _batches(ids: Sequence[int]) -> list[list[int]]:
    return [list(ids[i : i + MAX_IDS_PER_REQUEST]) for i in range(0, len(ids), MAX_IDS_PER_REQUEST)]


def _concat(frames: list[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    """Concatenate, skipping empty frames (no pandas empty-concat dtype warnings)."""
    full = [f for f in frames if not f.empty]
    if not full:
        return frames[0] if frames else pd.DataFrame(columns=list(columns))
    if len(full) == 1:
        return full[0].reset_index(drop=True)
    return pd.concat(full, ignore_index=True)
