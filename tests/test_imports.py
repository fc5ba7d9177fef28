"""What the build path imports (issue 18): imports are a fifth of a build's time.

Each check runs a fresh interpreter, so modules imported by other tests do not count.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest


def _modules_after(code: str) -> set[str]:
    """The modules loaded by a fresh interpreter after running ``code``."""
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        check=True, capture_output=True, text=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_statistics_do_not_import_scipy_stats():
    loaded = _modules_after(
        "import rutland_jsna.stats as s\nfor name in s.__all__: getattr(s, name)")
    assert "scipy.special" in loaded and "scipy.stats" not in loaded


def test_label_enums_do_not_import_the_statistics():
    """Every layer uses the label enums; they must not pull in SciPy, pandas or the other
    statistical families (rutland_jsna.stats exports its names lazily)."""
    loaded = _modules_after("from rutland_jsna.stats.labels import Polarity")
    assert not {"scipy", "pandas", "numpy", "rutland_jsna.stats.dsr"} & loaded


def test_every_public_statistic_is_exported():
    import rutland_jsna.stats as stats

    assert sorted(stats._FAMILIES) == sorted(stats.__all__)
    for name in stats.__all__:
        module = __import__(f"rutland_jsna.stats.{stats._FAMILIES[name]}", fromlist=[name])
        assert getattr(stats, name) is getattr(module, name)
    with pytest.raises(AttributeError):
        stats.not_a_statistic  # noqa: B018


def test_chapters_do_not_import_matplotlib():
    loaded = _modules_after(
        "from rutland_jsna.report import charts, outcomes, sexual_health, oral_health")
    assert not {m for m in loaded if m == "matplotlib" or m.startswith("matplotlib.")}


@pytest.mark.parametrize("confidence", [0.95, 0.998, 0.9, 0.99])
def test_exact_limits_are_scipy_stats_chi2_bit_for_bit(confidence):
    from scipy.stats import chi2

    from rutland_jsna.stats._poisson import _chi2_half_ppf

    alpha = 1 - confidence
    x = np.concatenate([np.arange(1, 500, 0.5), np.geomspace(500, 1e7, 300)])
    assert np.array_equal(_chi2_half_ppf(alpha / 2, x), chi2.ppf(alpha / 2, 2 * x) / 2)
    assert np.array_equal(_chi2_half_ppf(1 - alpha / 2, x + 1),
                          chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2)
    assert np.isnan(_chi2_half_ppf(alpha / 2, np.array([0.0])))[0]  # as chi2.ppf(q, 0)
