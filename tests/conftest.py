"""Shared pytest configuration.

Hypothesis: no per-example deadline. The suite runs on two workers beside papermill kernels and
chromium, and a slow example under load is not a failure of the property being tested
(several runs failed on ``DeadlineExceeded`` while the machine was busy).
"""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

# tests/ holds helper modules (fingertips_server.py) imported by name from test files.
sys.path.insert(0, str(Path(__file__).resolve().parent))

settings.register_profile(
    "rutland_jsna", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("rutland_jsna")
