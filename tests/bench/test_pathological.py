"""Adversarial lines (bench/pathological.py): cleaning and section typing finish and keep
every character. A rule whose regular expression backtracks exponentially on one of
these shapes (as the source-list search once did on a line of HTML attributes) makes
this test hang instead of pass."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from newsetl.cleaning import clean_text
from newsetl.segment import segment

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def pathological():
    spec = importlib.util.spec_from_file_location("bench_pathological",
                                                  BENCH / "pathological.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_pathological"] = module
    spec.loader.exec_module(module)
    return module


def _visible(text: str) -> str:
    return "".join(text.split())


def test_adversarial_lines_are_typed_without_losing_text(pathological) -> None:
    count = 0
    for line in pathological.lines(mixed=100):
        for text in pathological.articles(line)[:2]:
            cleaned = clean_text(text)[0]
            result = segment(cleaned)
            typed = "".join(section.text for section in result.sections)
            assert _visible(typed) == _visible(cleaned), text[:60]
            count += 1
    assert count == 2 * (len(pathological.ATOMS) * len(pathological.ENDINGS) + 100)
