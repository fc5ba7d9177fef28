"""One demonstration series: an indicator × sex × age for England, the regions and every
upper-tier authority over several periods (private to :mod:`rutland_jsna.demo.snapshot`).

The model, on a transformed scale (logit for proportions, log for rates, identity for means,
life expectancy and other values): England's level and a gentle trend, plus for each area a
latent effect (deprivation, rurality, region, area noise) and a little period noise. Pinned
cells move their area's whole series through the pin. Counts and denominators are then drawn
(binomial for proportions, Poisson for rates and DSR age bands) or, for pinned cells, searched
so that the value reproduces the printed figure. Values and confidence intervals come from
``rutland_jsna.stats`` (Wilson, Byar/exact Poisson, Dobson); other value types get the
approximate interval documented in :mod:`rutland_jsna.demo.snapshot`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from ..data import columns as C
from ..data.catalogue import period_start_year
from ..data.catalogue_model import ComparisonMethod, Indicator, ValueType
from ..stats.compare import compare_to_benchmark, compare_to_goal
from ..stats.dsr import ESP2013, dsr_ci
from ..stats.labels import Polarity, TrendLabel
from ..stats.proportions import proportion_ci
from ..stats.quantiles import quintiles
from ..stats.rates import rate_ci
from ..stats.trend import recent_trend
from .pins import CellPin, SeriesKey, SeriesPins
from .tune import TuneError, tune_dsr, tune_ratio
from .world import World, stream

Z95, Z998 = 1.959963984540054, 3.090232306167813
SUPPRESSED_NOTE = "Value suppressed for disclosure control due to small count"
DSR_SMALL_NOTE = "Value cannot be calculated as number of cases is too small"
UTLA_AREA_TYPE = "Counties & UAs (from Apr 2023)"
#: Share of random (unpinned) authority cells left blank, to exercise missing-value handling.
MISSING_RATE = 0.002
#: Population growth per year used to vary denominators over time.
_GROWTH = 0.006
_QUINTILE_VALUE_LABELS = (
    "Lowest quintile",
    "2nd lowest quintile",
    "Middle quintile",
    "2nd highest quintile",
    "Highest quintile",
)

# cell modes
RANDOM, DETERMINISTIC, TUNED, MISSING, SUPPRESSED = 0, 1, 2, 3, 4

_BAND_LOWER = np.array([int(re.match(r"\d+", b).group()) for b in ESP2013.index])
_BAND_MID = _BAND_LOWER + 2.5


@dataclass
class Series:
    """Everything needed to generate one (indicator id, sex, age) series."""

    key: SeriesKey
    indicator: Indicator  # the first catalogue row with this id, sex and age
    catalogue_keys: tuple[str, ...]
    params: dict[str, str]
    years: np.ndarray
    periods: tuple[str, ...]
    pins: SeriesPins
    sex_out: str
    age_out: str

    @property
    def annual(self) -> bool:
        return self.indicator.extra.get("time_period_range", "1y") == "1y"


def _f(params: dict[str, str], name: str, default: float | None = None) -> float | None:
    text = params.get(name, "")
    return float(text) if text else default


def series_years(ind: Indicator, params: dict[str, str]) -> np.ndarray:
    """Start years of the series' periods, oldest first."""
    if params.get("period_years"):
        return np.array(sorted(int(y) for y in params["period_years"].split(";")), dtype=np.int64)
    latest = params.get("latest_period") or ind.extra.get("published_period", "")
    if not latest:
        raise ValueError(f"series {ind.fingertips_id} {ind.sex} {ind.age}: no latest period")
    last = period_start_year(ind.period_type, latest)
    n = int(_f(params, "n_periods", 8) or 8)
    return np.arange(last - n + 1, last + 1, dtype=np.int64)


# --------------------------------------------------------------------------------------------
# Age structure
# --------------------------------------------------------------------------------------------


def _age_span(age: str) -> tuple[float, float]:
    """(lowest, highest) age in years of a Fingertips age string (births count as 0)."""
    a = age.replace(" yrs", "").replace(" yr", "")
    if age in ("All ages", "Not applicable"):
        return 0.0, 120.0
    if age == "School age":
        return 5.0, 15.0
    if age in ("Newborn",) or "weeks" in age or "days" in age:
        return 0.0, 1.0
    if m := re.fullmatch(r"<(\d+(?:\.\d+)?)", a):
        return 0.0, float(m.group(1))
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)\+", a):
        return float(m.group(1)), 120.0
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)", a):
        return float(m.group(1)), float(m.group(2))
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)", a):
        return float(m.group(1)), float(m.group(1))
    return 0.0, 120.0


def _age_tilt(age: str, older: np.ndarray) -> np.ndarray:
    lo, hi = _age_span(age)
    if lo >= 50:
        return np.exp(0.22 * older)
    if hi <= 24:
        return np.exp(-0.10 * older)
    return np.ones_like(older)


def _bands(age: str) -> np.ndarray:
    lo, hi = _age_span(age)
    idx = np.flatnonzero((_BAND_LOWER >= lo - 1e-9) & (_BAND_LOWER <= hi))
    return idx


def _band_shape(name: str, bands: np.ndarray) -> np.ndarray:
    mid = _BAND_MID[bands]
    if name == "young":
        return np.exp(-(((mid - 19.0) / 14.0) ** 2)) + 0.12
    if name == "rising":
        return np.exp(0.075 * (mid - mid.min()))
    return np.ones(bands.size)


# --------------------------------------------------------------------------------------------
# Transforms
# --------------------------------------------------------------------------------------------


class _Scale:
    """Maps values to the model scale and back for one value type."""

    def __init__(self, vt: ValueType, multiplier: float):
        self.vt, self.m = vt, multiplier

    @property
    def identity(self) -> bool:
        return self.vt in (ValueType.MEAN, ValueType.LIFE_EXPECTANCY, ValueType.OTHER)

    def to(self, v, d0=None):
        v = np.asarray(v, dtype=float)
        if self.vt is ValueType.PROPORTION:
            return logit(np.clip(v / self.m, 1e-5, 1 - 1e-5))
        if self.vt in (ValueType.CRUDE_RATE, ValueType.DSR, ValueType.ISR):
            return np.log(np.maximum(v, 1e-9) / self.m)
        if self.vt is ValueType.RATIO:
            return np.log(np.maximum(1.0 + v / 100.0, 1e-6))
        if self.vt is ValueType.COUNT:
            return np.log(np.maximum(v, 1e-9) / d0)
        return v

    def back(self, t, d0=None):
        t = np.asarray(t, dtype=float)
        if self.vt is ValueType.PROPORTION:
            return expit(t) * self.m
        if self.vt in (ValueType.CRUDE_RATE, ValueType.DSR, ValueType.ISR):
            return np.exp(t) * self.m
        if self.vt is ValueType.RATIO:
            return (np.exp(t) - 1.0) * 100.0
        if self.vt is ValueType.COUNT:
            return np.exp(t) * d0
        return t


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


class _State:
    """Arrays of one series: row 0 is England, rows 1..A the upper-tier authorities."""

    def __init__(
        self, series: Series, world: World, seed: int, persons: pd.DataFrame | None = None
    ):
        self.s, self.w, self.seed = series, world, seed
        self.persons = persons
        ind, p = series.indicator, series.params
        self.ind, self.params = ind, p
        self.vt, self.m = ind.value_type, float(ind.multiplier)
        self.scale = _Scale(self.vt, self.m)
        self.rng = stream(seed, "series", *series.key)
        self.A = world.n
        self.G = self.A + 1
        self.P = series.years.size
        self.code_row = {world.england_code: 0, **{c: i + 1 for i, c in enumerate(world.codes)}}
        self.mode = np.full((self.G, self.P), RANDOM, dtype=np.int8)
        self.mode[0, :] = DETERMINISTIC
        self.tol = np.zeros((self.G, self.P))
        self._denominators()
        if self.vt is ValueType.DSR:
            self.bands = _bands(ind.age)
            self.w_b = ESP2013.to_numpy()[self.bands]
            self.shape_b = _band_shape(p.get("dsr_shape", ""), self.bands)

    # -- expected denominators and standard errors
    def _denominators(self) -> None:
        w, p, years = self.w, self.params, self.s.years
        growth = 1.0 + _GROWTH * (years - years[-1])
        pop = w.population[:, None] * growth[None, :]
        kind = p.get("denominator", "population")
        share = _f(p, "share", 1.0) or 1.0
        tilt = _age_tilt(self.ind.age, w.older)[:, None]
        if kind == "sample":
            size = _f(p, "sample_size", 400.0)
            base = np.maximum(size * (w.population / 200_000.0) ** 0.35, 40.0)
            jitter = self.rng.uniform(0.9, 1.1, (self.A, self.P))
            d0 = np.round(base[:, None] * jitter)
        else:
            d0 = pop * share * tilt
        self.d0 = np.vstack([d0.sum(axis=0, keepdims=True), d0])
        self.pop = np.vstack([pop.sum(axis=0, keepdims=True), pop])
        se100k = _f(p, "se_100k", 0.0) or 0.0
        self.se = se100k * np.sqrt(100_000.0 / self.pop)

    # -- model targets
    def model(self) -> None:
        s, w, p, sc = self.s, self.w, self.params, self.scale
        years = s.years
        pins = s.pins
        latest = s.periods[-1]
        eng_pin = next(
            (
                c
                for c in pins.cells
                if c.area_code == w.england_code and c.period == latest and c.value is not None
            ),
            None,
        )
        eng_latest = eng_pin.value if eng_pin else _f(p, "england_latest")
        if eng_latest is None:
            raise ValueError(f"series {s.key}: no England value (pin or england_latest parameter)")
        trend = (_f(p, "trend_pct", 0.0) or 0.0) / 100.0
        sd = _f(p, "area_sd", 0.15) or 0.15
        shift = _f(p, "pre_latest_shift", 0.0) or 0.0
        dt = (years - years[-1]).astype(float)
        if sc.identity:
            slope, sd = trend * abs(eng_latest), sd * abs(eng_latest)
        else:
            slope = np.log1p(trend)
        if self.vt is ValueType.COUNT:
            eng_t = np.log(eng_latest) + slope * dt  # per-person prevalence
        else:
            eng_t = sc.to(eng_latest) + slope * dt
        eng_t = eng_t + shift * (dt < 0)
        pol = self.ind.polarity
        dirn = -1.0 if pol is Polarity.HIGH_IS_GOOD else 1.0
        rng = self.rng
        z_area = rng.normal(size=self.A)
        z_region = rng.normal(size=len(w.region_codes))
        z_rur = rng.choice([-1.0, 1.0])
        effect = sd * (
            0.55 * dirn * w.deprivation / 1.1
            + 0.2 * z_rur * w.rurality
            + 0.3 * z_region[w.region_index]
            + 0.7 * z_area
        )
        jitter = 0.2 * sd * rng.normal(size=(self.A, self.P))
        t = np.vstack([eng_t[None, :], eng_t[None, :] + effect[:, None] + jitter])
        self.t = t
        if self.persons is not None:
            self._follow_persons(sd)
        if self.vt is ValueType.COUNT and eng_pin is None:
            self.t[0, :] = np.nan  # England not published (no row is written)
        self.target = np.full((self.G, self.P), np.nan)

    def _follow_persons(self, sd: float) -> None:
        """A sex split follows its persons series area by area (model scale): the area's
        persons value, moved by the gap between this sex and persons in England, plus a little
        noise of its own. So the persons value of an area lies between its female and male
        values, as a rate of the whole population does, instead of each sex varying on its own.
        Areas without a persons value keep their own model."""
        frame = self.persons
        rows = frame[C.AREA_CODE].map(self.code_row)
        cols = frame[C.TIME_PERIOD].astype(str).map(
            {p: j for j, p in enumerate(self.s.periods)})
        ok = rows.notna() & cols.notna()
        base = np.full((self.G, self.P), np.nan)
        base[rows[ok].astype(int).to_numpy(), cols[ok].astype(int).to_numpy()] = (
            frame.loc[ok, C.VALUE].to_numpy(dtype=float))
        base_t = self.scale.to(base, self.d0)
        offset = self.t[0] - base_t[0]  # this sex against persons, England, per period
        noise = 0.05 * sd * self.rng.normal(size=(self.A, self.P))
        follow = base_t[1:] + offset[None, :] + noise
        known = np.isfinite(follow)
        self.t[1:][known] = follow[known]

    def _row(self, code: str) -> int:
        return self.code_row[code]

    def _col(self, period: str) -> int:
        return self.s.periods.index(period)

    def _to(self, v: float, g: int, j: int) -> float:
        return float(self.scale.to(v, self.d0[g, j]))

    def _back(self, t, g=None, j=None):
        if self.vt is ValueType.COUNT:
            d0 = self.d0 if g is None else self.d0[g, j]
            return self.scale.back(t, d0)
        return self.scale.back(t)

    def apply_pins(self) -> None:
        s, pins = self.s, self.s.pins
        cells = [c for c in pins.cells if c.period in s.periods and c.area_code in self.code_row]
        # anchor every pinned area's series on its latest value pin
        anchors: dict[int, CellPin] = {}
        for c in cells:
            if c.value is None:
                continue
            g = self._row(c.area_code)
            if g == 0:
                continue
            if g not in anchors or self._col(c.period) > self._col(anchors[g].period):
                anchors[g] = c
        for g, c in anchors.items():
            j = self._col(c.period)
            self.t[g, :] += self._to(c.value, g, j) - self.t[g, j]
        self._design_subject()
        self.target = self._back(self.t)
        for c in cells:
            g, j = self._row(c.area_code), self._col(c.period)
            if c.value is not None:
                self.target[g, j] = c.value
                self.t[g, j] = self._to(c.value, g, j)
                self.mode[g, j] = TUNED
                self.tol[g, j] = c.tol
            elif c.blank == "missing":
                self.mode[g, j] = MISSING
            elif c.blank == "suppressed":
                self.mode[g, j] = SUPPRESSED
        self._comparison_targets(cells)
        self.comparison_pins = [
            (self._row(c.area_code), self._col(c.period), c.comparison)
            for c in cells
            if c.comparison
        ]

    def _design_subject(self) -> None:
        """Shape the subject area's recent series to its printed direction of travel."""
        s, dot = self.s, self.s.pins.dot
        subj = self.w.subject_code
        g = self._row(subj)
        latest = s.periods[-1]
        pin = next(
            (
                c
                for c in s.pins.cells
                if c.area_code == subj and c.period == latest and c.value is not None
            ),
            None,
        )
        if pin is None or dot is None or self.P < 5:
            return
        pinned = {c.period for c in s.pins.cells if c.area_code == subj and c.value is not None}
        t_last = self._to(pin.value, g, self.P - 1)
        step = 0.03 * abs(pin.value) if self.scale.identity else 0.03
        consecutive = bool(np.all(np.diff(s.years[-5:]) == 1))
        free = [self.P - 1 - k for k in range(1, 5) if s.periods[self.P - 1 - k] not in pinned]
        if dot == "No significant change":
            for k in range(1, 5):
                j = self.P - 1 - k
                if j in free:
                    self.t[g, j] = t_last + (step if k % 2 else -step)
                    self.mode[g, j] = DETERMINISTIC
        elif dot in ("Increasing", "Decreasing") and consecutive:
            sign = -1.0 if dot == "Increasing" else 1.0
            for slope in (2.5 * step, 4 * step, 6 * step, 9 * step):
                for k in range(1, 5):
                    j = self.P - 1 - k
                    if j in free:
                        self.t[g, j] = t_last + sign * slope * k
                        self.mode[g, j] = DETERMINISTIC
                if self._expected_trend(g) == dot:
                    break
        if dot == "Cannot be calculated" and s.annual and consecutive:
            j = self.P - 4
            if s.periods[j] not in pinned:
                self.mode[g, j] = MISSING

    def _expected_trend(self, g: int) -> str:
        """The trend marker the designed (rounded, noise-free) recent values of row ``g`` give."""
        j = np.arange(self.P - 5, self.P)
        v = (
            self._back(self.t[g, j], g, j)
            if self.vt is ValueType.COUNT
            else self._back(self.t[g, j])
        )
        d = np.maximum(np.round(self.d0[g, j]), 1.0)
        frame = pd.DataFrame({"year": self.s.years[j]})
        if self.vt is ValueType.PROPORTION:
            frame["x"], frame["n"] = np.round(d * v / self.m), d
            res = recent_trend(frame, "year", numerator="x", denominator="n", method="proportion")
        else:
            se = (
                np.abs(v) * 0.05
                if self.scale.identity
                else np.abs(v) / np.sqrt(np.maximum(d * v / self.m, 1.0))
            )
            frame["v"], frame["lo"], frame["up"] = v, v - Z95 * se, v + Z95 * se
            res = recent_trend(frame, "year", value="v", lower_ci="lo", upper_ci="up", method="ci")
        return str(res["trend"].iloc[0])

    def _se_t(self, g: int, j: int, t: float) -> float:
        """Approximate standard error of a cell on the model scale (used to place targets)."""
        d = max(self.d0[g, j], 1.0)
        if self.vt is ValueType.PROPORTION:
            p = float(expit(t))
            return 1.0 / np.sqrt(max(d * p * (1 - p), 1.0))
        if self.vt in (ValueType.CRUDE_RATE, ValueType.DSR):
            return 1.0 / np.sqrt(max(d * np.exp(t), 1.0))
        if self.vt is ValueType.RATIO:
            n = max(d / 3.2, 1.0)
            return float(np.sqrt(1.0 / (n * np.exp(t)) + 1.0 / n))
        return float(self.se[g, j])

    def _comparison_targets(self, cells: list[CellPin]) -> None:
        pol = self.ind.polarity
        for c in cells:
            if c.value is not None or not c.comparison:
                continue
            g, j = self._row(c.area_code), self._col(c.period)
            te = self.t[0, j]
            se = self._se_t(g, j, te)
            higher = {
                "Higher": True, "Lower": False, "Similar": None,
                "Better": pol is Polarity.HIGH_IS_GOOD, "Worse": pol is not Polarity.HIGH_IS_GOOD,
            }[c.comparison]  # fmt: skip
            if higher is None:
                self.t[g, j] = te + 0.2 * se
            else:
                self.t[g, j] = te + (3.5 if higher else -3.5) * se
            self.target[g, j] = self._back(self.t[g, j], g, j)
            self.mode[g, j] = DETERMINISTIC

    def apply_quintile_pins(self) -> None:
        """Shift the free authorities in a period so the subject lands in its printed quintile."""
        s, q_pins = self.s, self.s.pins.quintiles
        if not q_pins:
            return
        g_subj = self._row(self.w.subject_code)
        high_good = self.ind.polarity is Polarity.HIGH_IS_GOOD
        pinned_rows = {
            self._row(c.area_code)
            for c in s.pins.cells
            if c.value is not None and c.area_code in self.code_row
        }
        free = np.array([g for g in range(1, self.G) if g not in pinned_rows and g != g_subj])
        for period, q in q_pins.items():
            if period not in s.periods:
                continue
            j = self._col(period)
            centre = (q - 0.5) / 5.0
            frac_below = 1.0 - centre if high_good else centre
            shift = self.t[g_subj, j] - np.quantile(self.t[free, j], frac_below)
            self.t[free, j] += shift
            self.target[free, j] = (
                self._back(self.t[free, j], free, j)
                if self.vt is ValueType.COUNT
                else self._back(self.t[free, j])
            )
            self.quintile_free = free

    # -- realisation
    def realise(self) -> None:
        vt = self.vt
        self.count = np.full((self.G, self.P), np.nan)
        self.denom = np.full((self.G, self.P), np.nan)
        if vt in (ValueType.PROPORTION, ValueType.CRUDE_RATE, ValueType.ISR):
            self._realise_ratio_kind(proportion=vt is ValueType.PROPORTION)
        elif vt is ValueType.RATIO:
            self._realise_ewd()
        elif vt is ValueType.DSR:
            self._realise_dsr()
        else:
            self._realise_direct()
        for g, j in zip(*np.nonzero(self.mode == TUNED), strict=True):
            self.realise_cell(int(g), int(j))

    def _realise_ratio_kind(self, proportion: bool) -> None:
        d = np.maximum(np.round(self.d0), 1.0)
        p = np.clip(self.target / self.m, 0.0, 1.0 if proportion else np.inf)
        p = np.nan_to_num(p)
        if proportion:
            x = self.rng.binomial(d.astype(np.int64), p).astype(float)
        else:
            x = self.rng.poisson(d * p).astype(float)
        det = self.mode == DETERMINISTIC
        x[det] = np.round(d[det] * p[det])
        if proportion:
            x = np.minimum(x, d)
        self.count, self.denom = x, d

    def _realise_ewd(self) -> None:
        ratio = 1.0 + np.nan_to_num(self.target) / 100.0
        n0 = np.maximum(self.d0 / (2.0 + ratio), 1.0)
        n = self.rng.poisson(n0).astype(float)
        wint = self.rng.poisson(n0 * ratio).astype(float)
        det = self.mode == DETERMINISTIC
        n[det] = np.round(n0[det])
        wint[det] = np.round(n0[det] * ratio[det])
        self.count, self.denom = wint, np.maximum(n, 1.0)

    def _band_pops(self) -> np.ndarray:
        share = self.w_b / self.w_b.sum()
        lo = _BAND_LOWER[self.bands]
        older = np.concatenate([[0.0], self.w.older])
        tilt = np.exp(
            np.where(lo >= 65, 0.22, np.where(lo < 25, -0.08, 0.0))[None, :] * older[:, None]
        )
        tilt /= (tilt * share).sum(axis=1, keepdims=True)
        pops = self.d0[:, :, None] * (share * tilt)[:, None, :]
        # England's band populations are the sums of the authorities'
        pops[0] = pops[1:].sum(axis=0)
        return np.maximum(np.round(pops), 1.0)

    def _band_rates(self, target: np.ndarray) -> np.ndarray:
        base = (self.w_b * self.shape_b).sum() / self.w_b.sum()
        return self.shape_b[None, None, :] * (np.nan_to_num(target) / self.m / base)[:, :, None]

    def _realise_dsr(self) -> None:
        self.band_pop = self._band_pops()
        lam = self.band_pop * self._band_rates(self.target)
        x = self.rng.poisson(lam).astype(float)
        det = self.mode == DETERMINISTIC
        x[det] = np.round(lam[det])
        self.band_count = x
        self.count = x.sum(axis=2)
        self.denom = self.band_pop.sum(axis=2)

    def _realise_direct(self) -> None:
        noise = self.rng.normal(size=(self.G, self.P))
        v = self.target.copy()
        if self.vt is ValueType.COUNT:
            v = v * np.exp(0.03 * noise * (self.mode == RANDOM))
        else:
            v = v + self.se * noise * (self.mode == RANDOM)
        self.direct_value = v

    def realise_cell(self, g: int, j: int) -> None:
        """Realise one cell so that its value reproduces the target within the tolerance."""
        target, tol = float(self.target[g, j]), float(self.tol[g, j]) or 1e-6
        vt = self.vt
        try:
            if vt in (ValueType.PROPORTION, ValueType.CRUDE_RATE, ValueType.ISR):
                x, d = tune_ratio(
                    target, self.m, self.d0[g, j], tol, proportion=vt is ValueType.PROPORTION
                )
                self.count[g, j], self.denom[g, j] = x, d
            elif vt is ValueType.RATIO:
                ratio = 1.0 + target / 100.0
                n0 = max(self.d0[g, j] / (2.0 + ratio), 1.0)
                wint, n = tune_ratio(ratio, 1.0, n0, tol / 100.0, proportion=False)
                self.count[g, j], self.denom[g, j] = wint, n
            elif vt is ValueType.DSR:
                scale = self.d0[g, j] / max(self.band_pop[g, j].sum(), 1.0)
                pops = self.band_pop[g, j] * scale
                counts, pops = tune_dsr(target, self.shape_b, pops, self.w_b, self.m, tol)
                self.band_count[g, j], self.band_pop[g, j] = counts, pops
                self.count[g, j], self.denom[g, j] = counts.sum(), pops.sum()
            else:
                self.direct_value[g, j] = target
        except TuneError as err:
            raise TuneError(
                f"series {self.s.key}, {self._name(g)}, {self.s.periods[j]}: {err}"
            ) from None

    def _name(self, g: int) -> str:
        return self.w.england_name if g == 0 else self.w.names[g - 1]

    # -- values and intervals
    def _regions(self) -> None:
        """Regional rows: sums of their authorities' counts, denominators and bands."""
        R = len(self.w.region_codes)
        member = np.zeros((R, self.A))
        member[self.w.region_index, np.arange(self.A)] = 1.0
        self.R = R
        self.member = member
        self.reg_pop = member @ self.pop[1:]
        if self.vt is ValueType.DSR:
            self.reg_band_count = np.einsum("ra,apb->rpb", member, self.band_count[1:])
            self.reg_band_pop = np.einsum("ra,apb->rpb", member, self.band_pop[1:])
        elif self.vt in (
            ValueType.PROPORTION,
            ValueType.CRUDE_RATE,
            ValueType.ISR,
            ValueType.RATIO,
        ):
            self.reg_count = member @ self.count[1:]
            self.reg_denom = member @ self.denom[1:]
        else:
            weight = member * self.w.population[None, :]
            weight /= weight.sum(axis=1, keepdims=True)
            self.reg_value = weight @ self.direct_value[1:]

    def compute(self) -> pd.DataFrame:
        """Values and 95%/99.8% limits for England, regions and authorities (one frame)."""
        self._regions()
        G, R, P = self.G, self.R, self.P
        n = (G + R) * P
        vt = self.vt
        out = {
            k: np.full(n, np.nan)
            for k in ("value", "lo95", "up95", "lo998", "up998", "count", "denom")
        }
        note = np.full(n, "", dtype=object)
        if vt in (ValueType.PROPORTION, ValueType.CRUDE_RATE, ValueType.ISR, ValueType.RATIO):
            x = np.concatenate([self.count, self.reg_count]).ravel()
            d = np.concatenate([self.denom, self.reg_denom]).ravel()
            out["count"], out["denom"] = x, d
            ok = np.isfinite(x) & (d > 0)
            if vt is ValueType.RATIO:
                val = (x / d - 1.0) * 100.0
                for z, lo, up in ((Z95, "lo95", "up95"), (Z998, "lo998", "up998")):
                    se = np.sqrt(1.0 / np.maximum(x, 0.5) + 1.0 / d)
                    out[lo] = (np.exp(np.log(np.maximum(x, 0.5) / d) - z * se) - 1.0) * 100.0
                    out[up] = (np.exp(np.log(np.maximum(x, 0.5) / d) + z * se) - 1.0) * 100.0
                out["value"] = np.where(ok, val, np.nan)
            else:
                fn = proportion_ci if vt is ValueType.PROPORTION else rate_ci
                for conf, lo, up in ((0.95, "lo95", "up95"), (0.998, "lo998", "up998")):
                    res = fn(x[ok], d[ok], confidence=conf, multiplier=self.m)
                    out["value"][ok] = res["value"].to_numpy()
                    out[lo][ok] = res["lower_ci"].to_numpy()
                    out[up][ok] = res["upper_ci"].to_numpy()
        elif vt is ValueType.DSR:
            bc = np.concatenate([self.band_count, self.reg_band_count]).reshape(n, -1)
            bp = np.concatenate([self.band_pop, self.reg_band_pop]).reshape(n, -1)
            nb = bc.shape[1]
            frame = pd.DataFrame(
                {
                    "cell": np.repeat(np.arange(n), nb),
                    "age_band": np.tile(ESP2013.index.to_numpy()[self.bands], n),
                    "x": bc.ravel(),
                    "n": bp.ravel(),
                }
            )
            for conf, lo, up in ((0.95, "lo95", "up95"), (0.998, "lo998", "up998")):
                res = dsr_ci(
                    frame, "x", "n", "cell", standard=ESP2013, confidence=conf, multiplier=self.m
                )
                out["value"] = res["value"].to_numpy()
                out[lo] = res["lower_ci"].to_numpy()
                out[up] = res["upper_ci"].to_numpy()
                out["count"] = res["total_count"].to_numpy()
                out["denom"] = res["total_population"].to_numpy()
            small = ~np.isfinite(out["value"])
            note[small] = DSR_SMALL_NOTE
        else:
            val = np.concatenate([self.direct_value, self.reg_value]).ravel()
            out["value"] = val
            if vt is not ValueType.COUNT:
                se = np.concatenate(
                    [
                        self.se,
                        np.sqrt(100_000.0 / self.reg_pop)
                        * (_f(self.params, "se_100k", 0.0) or 0.0),
                    ]
                ).ravel()
                for z, lo, up in ((Z95, "lo95", "up95"), (Z998, "lo998", "up998")):
                    out[lo], out[up] = val - z * se, val + z * se
        frame = pd.DataFrame(out)
        frame["note"] = note
        frame["g"] = np.repeat(np.arange(G + R), P)  # 0 England, 1..A authorities, A+1.. regions
        frame["j"] = np.tile(np.arange(P), G + R)
        return frame

    # -- blanks
    def blank_cells(self, frame: pd.DataFrame) -> pd.DataFrame:
        G, P = self.G, self.P
        mode = np.concatenate([self.mode, np.full((self.R, P), DETERMINISTIC)]).ravel()
        is_utla = (frame["g"].to_numpy() >= 1) & (frame["g"].to_numpy() < G)
        random_cell = (mode == RANDOM) & is_utla
        small = (frame["count"].to_numpy() >= 1) & (frame["count"].to_numpy() <= 4)
        suppress = (mode == SUPPRESSED) | (
            random_cell & small & (self.params.get("suppress_small") == "1")
        )
        missing = (mode == MISSING) | (
            random_cell & (self.rng.random(frame.shape[0]) < MISSING_RATE)
        )
        numeric = ["value", "lo95", "up95", "lo998", "up998", "count", "denom"]
        frame.loc[suppress | missing, numeric] = np.nan
        notes = frame["note"].to_numpy().copy()
        notes[suppress] = SUPPRESSED_NOTE
        notes[missing & ~suppress] = ""
        frame["note"] = notes
        if self.vt is ValueType.COUNT and np.isnan(self.t[0]).all():
            frame = frame[(frame["g"] >= 1) & (frame["g"] < G)]  # England not published
        return frame


def _ci_columns(ind: Indicator) -> tuple[str, str]:
    return ("lo998", "up998") if ind.comparison_confidence == 0.998 else ("lo95", "up95")


def _verify_comparisons(st: _State, frame: pd.DataFrame) -> pd.DataFrame:
    """Adjust pinned cells until the CI comparison with England agrees with the printed one."""
    pol = st.ind.polarity.value
    lo, up = _ci_columns(st.ind)
    for _attempt in range(12):
        bad = []
        for g, j, want in st.comparison_pins:
            row = frame[(frame["g"] == g) & (frame["j"] == j)]
            eng = frame[(frame["g"] == 0) & (frame["j"] == j)]
            if row.empty or eng.empty:
                continue
            got = compare_to_benchmark(
                row["value"], row[lo], row[up], eng["value"].to_numpy(), pol
            ).iloc[0]
            if got != want:
                bad.append((g, j, want))
        if not bad:
            return frame
        for g, j, want in bad:
            factor = 0.6 if want == "Similar" else 1.6
            st.d0[g, j] *= factor
            if st.vt is ValueType.DSR:
                st.band_pop[g, j] *= factor
            if st.vt in (ValueType.MEAN, ValueType.LIFE_EXPECTANCY, ValueType.OTHER):
                st.se[g, j] /= factor
            if st.mode[g, j] == TUNED:
                st.realise_cell(g, j)
            elif st.mode[g, j] == DETERMINISTIC:
                st.tol[g, j] = 1e-6
                if want != "Similar":
                    sign = np.sign(st.t[g, j] - st.t[0, j]) or 1.0
                    st.t[g, j] += sign * 0.5 * st._se_t(g, j, st.t[g, j])
                else:
                    st.t[g, j] = 0.5 * (st.t[g, j] + st.t[0, j])
                st.target[g, j] = st._back(st.t[g, j], g, j)
                st.mode[g, j] = TUNED
                st.tol[g, j] = max(abs(st.target[g, j]) * 1e-3, 1e-4)
                st.realise_cell(g, j)
        frame = st.compute()
    raise ValueError(f"series {st.s.key}: could not reproduce the printed comparisons {bad}")


def _verify_quintiles(st: _State, frame: pd.DataFrame) -> pd.DataFrame:
    """Redraw the free authorities of a quintile-pinned period until the subject's quintile is right."""
    q_pins = st.s.pins.quintiles
    g_subj = st.code_row[st.w.subject_code]
    for _attempt in range(8):
        wrong = []
        for period, q in q_pins.items():
            if period not in st.s.periods:
                continue
            j = st.s.periods.index(period)
            sub = frame[(frame["j"] == j) & (frame["g"] >= 1) & (frame["g"] < st.G)]
            res = quintiles(sub["value"].to_numpy(), st.ind.polarity.value)
            got = res["quintile"].to_numpy()[np.flatnonzero(sub["g"].to_numpy() == g_subj)[0]]
            if pd.isna(got) or int(got) != q:
                wrong.append((j, q, int(got) if not pd.isna(got) else None))
        if not wrong:
            return frame
        for j, q, got in wrong:
            free = st.quintile_free
            high_good = st.ind.polarity is Polarity.HIGH_IS_GOOD
            # got > q means the subject looks worse than wanted: move the others towards worse
            direction = (1.0 if got is None or got > q else -1.0) * (-1.0 if high_good else 1.0)
            st.t[free, j] += direction * 0.02
            st.target[free, j] = st._back(st.t[free, j])
            rng = st.rng
            d = st.denom[free, j]
            p = np.clip(st.target[free, j] / st.m, 0, 1)
            st.count[free, j] = (
                rng.binomial(d.astype(np.int64), p)
                if st.vt is ValueType.PROPORTION
                else rng.poisson(d * p)
            )
        frame = st.compute()
    raise ValueError(f"series {st.s.key}: could not reproduce the printed quintiles {wrong}")


def generate_series(
    series: Series, world: World, seed: int, persons: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The tidy rows (bulk-CSV vocabulary) of one series for every area and period.

    ``persons``: for a female or male series, the generated persons series of the same
    indicator and age, which this one then follows area by area (see ``_State._follow_persons``).
    """
    st = _State(series, world, seed, persons)
    st.model()
    st.apply_pins()
    st.apply_quintile_pins()
    st.realise()
    frame = st.compute()
    if st.comparison_pins:
        frame = _verify_comparisons(st, frame)
    if series.pins.quintiles:
        frame = _verify_quintiles(st, frame)
    frame = st.blank_cells(frame)
    return _assemble(st, frame)


# --------------------------------------------------------------------------------------------
# Comparison, trend and output columns
# --------------------------------------------------------------------------------------------


def _assemble(st: _State, frame: pd.DataFrame) -> pd.DataFrame:
    s, w, ind = st.s, st.w, st.ind
    G, A = st.G, st.A
    g = frame["g"].to_numpy()
    j = frame["j"].to_numpy()
    codes = np.array([w.england_code, *w.codes, *w.region_codes], dtype=object)
    names = np.array([w.england_name, *w.names, *w.region_names], dtype=object)
    is_region = g >= G
    is_eng = g == 0
    region_of = np.concatenate([[-1], w.region_index, np.arange(len(w.region_codes))])
    parent_code = np.where(
        is_eng,
        "",
        np.where(is_region, w.england_code, np.array(w.region_codes, dtype=object)[region_of[g]]),
    )
    parent_name = np.where(
        is_eng,
        "",
        np.where(is_region, w.england_name, np.array(w.region_names, dtype=object)[region_of[g]]),
    )
    area_type = np.where(is_eng, "England", np.where(is_region, "Region", UTLA_AREA_TYPE))
    periods = np.array(s.periods, dtype=object)
    value = frame["value"].to_numpy()
    lo_c, up_c = _ci_columns(ind)
    lo, up = frame[lo_c].to_numpy(), frame[up_c].to_numpy()
    pol = ind.polarity.value

    # England value of the same period (benchmark) and each authority's region value
    key_val = pd.Series(value, index=pd.MultiIndex.from_arrays([g, j]))
    eng_val = key_val.reindex(pd.MultiIndex.from_arrays([np.zeros_like(g), j])).to_numpy()
    reg_row = np.where(is_region | is_eng, -1, A + 1 + region_of[g])
    reg_val = key_val.reindex(pd.MultiIndex.from_arrays([reg_row, j])).to_numpy()

    if ind.comparison_method is ComparisonMethod.QUINTILES:
        comp_eng = _quintile_labels(value, g, j, st, by_region=False)
        comp_par = _quintile_labels(value, g, j, st, by_region=True)
    else:
        comp_eng = compare_to_benchmark(value, lo, up, eng_val, pol).to_numpy(dtype=object)
        comp_par = compare_to_benchmark(value, lo, up, reg_val, pol).to_numpy(dtype=object)
    comp_eng[is_eng] = "Not compared"
    comp_par[is_eng | is_region] = "Not compared"
    if ind.comparison_method is ComparisonMethod.GOAL:
        goal = compare_to_goal(value, ind.goal_lower, ind.goal_upper, pol).to_numpy(dtype=object)
    else:
        goal = np.full(value.size, "", dtype=object)

    trend = np.full(value.size, "", dtype=object)
    latest = j == st.P - 1
    trend[latest] = _trends(st, frame)[g[latest]]

    years = s.years[j]
    out = pd.DataFrame(
        {
            C.INDICATOR_ID: np.full(value.size, int(ind.fingertips_id), dtype=np.int64),
            C.INDICATOR_NAME: ind.name,
            C.PARENT_CODE: parent_code,
            C.PARENT_NAME: parent_name,
            C.AREA_CODE: codes[g],
            C.AREA_NAME: names[g],
            C.AREA_TYPE: area_type,
            C.SEX: s.sex_out,
            C.AGE: s.age_out,
            C.CATEGORY_TYPE: "",
            C.CATEGORY: "",
            C.TIME_PERIOD: periods[j],
            C.VALUE: value,
            C.LOWER_CI_95: frame["lo95"].to_numpy(),
            C.UPPER_CI_95: frame["up95"].to_numpy(),
            C.LOWER_CI_99_8: frame["lo998"].to_numpy(),
            C.UPPER_CI_99_8: frame["up998"].to_numpy(),
            C.COUNT: frame["count"].to_numpy(),
            C.DENOMINATOR: frame["denom"].to_numpy(),
            C.VALUE_NOTE: frame["note"].to_numpy(),
            C.RECENT_TREND: trend,
            C.COMPARED_TO_ENGLAND: comp_eng,
            C.COMPARED_TO_PARENT: comp_par,
            C.TIME_PERIOD_SORTABLE: (years * 10_000).astype(np.int64),
            C.NEW_DATA: "",
            C.COMPARED_TO_GOAL: goal,
            C.TIME_PERIOD_RANGE: ind.extra.get("time_period_range", "1y"),
        }
    )
    if st.vt in (ValueType.MEAN, ValueType.LIFE_EXPECTANCY, ValueType.OTHER, ValueType.COUNT):
        out[C.COUNT] = np.nan
        out[C.DENOMINATOR] = np.nan
    # England first, then regions, then authorities; oldest period first
    rank = np.where(is_eng, 0, np.where(is_region, 1 + g - G, 1 + st.R + g - 1))
    order = np.lexsort((j, rank))
    return out.iloc[order].reset_index(drop=True)


def _quintile_labels(value, g, j, st: _State, *, by_region: bool) -> np.ndarray:
    """Value-ordered quintile labels for the authorities (England / within region)."""
    out = np.full(value.size, "Not compared", dtype=object)
    utla = (g >= 1) & (g < st.G)
    if not utla.any():
        return out
    by = pd.DataFrame({"j": j[utla]})
    if by_region:
        by["r"] = st.w.region_index[g[utla] - 1]
    res = quintiles(value[utla], st.ind.polarity.value, by=by)
    q = res["quintile"].to_numpy(dtype=float)
    high_good = st.ind.polarity is Polarity.HIGH_IS_GOOD
    pos = np.where(high_good, 6 - q, q)  # 1 = lowest values
    labels = np.array(["Not compared", *_QUINTILE_VALUE_LABELS], dtype=object)
    idx = np.where(np.isfinite(pos), pos, 0).astype(int)
    out[np.flatnonzero(utla)] = labels[idx]
    return out


def _trends(st: _State, frame: pd.DataFrame) -> np.ndarray:
    """Recent-trend label per area row index ``g`` (latest period), via stats.recent_trend."""
    n_rows = int(frame["g"].max()) + 1 if not frame.empty else 0
    out = np.full(max(n_rows, st.G + st.R), TrendLabel.CANNOT_BE_CALCULATED.value, dtype=object)
    vt = st.vt
    if not st.s.annual or vt is ValueType.COUNT:
        return out
    data = pd.DataFrame(
        {
            "g": frame["g"].to_numpy(),
            "year": st.s.years[frame["j"].to_numpy()],
            "count": frame["count"].to_numpy(),
            "denom": frame["denom"].to_numpy(),
            "value": frame["value"].to_numpy(),
            "lo": frame["lo95"].to_numpy(),
            "up": frame["up95"].to_numpy(),
        }
    )
    pol = st.ind.polarity.value
    if vt is ValueType.PROPORTION:
        res = recent_trend(
            data,
            "year",
            "g",
            numerator="count",
            denominator="denom",
            method="proportion",
            polarity=pol,
        )
    else:
        res = recent_trend(
            data,
            "year",
            "g",
            value="value",
            lower_ci="lo",
            upper_ci="up",
            method="ci",
            polarity=pol,
        )
    out[res["g"].to_numpy(dtype=np.int64)] = res["label"].to_numpy(dtype=object)
    return out


__all__ = ["DSR_SMALL_NOTE", "SUPPRESSED_NOTE", "Series", "generate_series", "series_years"]
