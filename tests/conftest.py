"""Shared fixtures: paths to the bundled sample data and the seed article."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_RAW = ROOT / "include" / "sample_data" / "raw"
SEED = ROOT / "include" / "sample_data" / "articles" / "000_f14259f59aa8b858.txt"
SAMPLE_DAYS = ("2024-03-01", "2024-03-02", "2024-03-03")


@pytest.fixture
def sample_raw() -> Path:
    return SAMPLE_RAW


@pytest.fixture
def seed_bytes() -> bytes:
    return SEED.read_bytes()
