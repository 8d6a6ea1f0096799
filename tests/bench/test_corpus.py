"""The labelled real-news corpus: labels agree with the raw files, and the issue's hard
limits hold on every real article (published, no over-long title)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def validate():
    return _load("corpus_validate", BENCH / "corpus" / "validate.py")


@pytest.fixture(scope="module")
def quality():
    return _load("segment_quality", BENCH / "segment_quality.py")


def test_every_label_matches_its_raw_file(validate) -> None:
    assert list(validate.problems()) == []


def test_the_checker_finds_a_unit_that_is_not_in_the_raw_file(validate) -> None:
    path = next((validate.CORPUS / "labels").glob("*.jsonl"))
    label = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert list(validate.label_problems(label)) == []
    label["units"].append({"kind": "paragraph", "text": "A sentence no raw file holds."})
    label["units"].insert(0, {"kind": "headline", "text": label["units"][0]["text"]})
    found = list(validate.label_problems(label))
    assert any("kind 'headline'" in p for p in found)
    assert any("missing" in p for p in found)


def test_corpus_size_languages_and_hard_limits(quality, validate) -> None:
    labels = quality.load_labels()
    assert len(labels) >= 150
    assert len({label["lang"].split("-")[0] for label in labels.values()}) >= 7
    scores, kinds = quality.evaluate()
    files = sum(s.files for s in scores.values())
    kept = sum(s.kept for s in scores.values())
    assert files >= 400 and len(scores) >= 8
    assert kept / files >= 0.99, {n: dict(s.rejects) for n, s in scores.items() if s.rejects}
    assert sum(s.long_titles for s in scores.values()) == 0
    echoes = sum(s.unit_true["echo"] for s in scores.values())
    assert echoes and sum(s.unit_hit["echo"] for s in scores.values()) == echoes
    assert all(k != ["reject:processing_error"] for k in kinds.values())
