"""Golden cleaning cases (ftfy-style JSON): exact output and exact rules applied."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from newsetl.cleaning import RULE_NAMES, RULES, clean_text

CASES = json.loads((Path(__file__).parent.parent / "fixtures" / "cleaning_cases.json")
                   .read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_golden_case(case: dict) -> None:
    fixed, rules = clean_text(case["original"])
    assert fixed == case["fixed"]
    assert rules == case["rules"]


def test_every_rule_is_idempotent_on_its_own_output() -> None:
    for case in CASES:
        once, _ = clean_text(case["original"])
        twice, rules = clean_text(once)
        assert twice == once
        assert rules == []


def test_registry_names_are_unique_and_functions_documented() -> None:
    assert len(set(RULE_NAMES)) == len(RULE_NAMES)
    for name, rule in RULES:
        assert rule.__name__ == name
        assert rule.__doc__ and ">>>" in rule.__doc__, f"{name} needs a doctest"


def test_mojibake_with_a_nel_continuation_byte_is_repaired_not_broken() -> None:
    """U+0085 is the continuation byte of х, م, ą ... in latin-1 mojibake: the repair
    must see it before anything treats it as a line break."""
    for word in ("Президент России сказал хорошо", "الرئيس المصري", "Mąż i żona"):
        text, rules = clean_text(word.encode("utf-8").decode("latin-1"))
        assert text == word and "fix_mojibake" in rules


def test_a_question_asked_of_every_guest_is_no_scraper_echo() -> None:
    from newsetl.cleaning import clean_text

    question = "What inspired you to start your own cooking page?"
    guests = "\n\n".join(f"Guest number {n}\n\n{question}\n\nMy grandmother did, in {n}."
                         for n in range(1, 4))
    cleaned, rules = clean_text(guests)
    assert cleaned.count(question) == 3 and "drop_repeated_text" not in rules
    echo = ("The council met on Monday. It approved the new budget for the coming year.\n"
            "It approved the new budget for the coming year. Taxes will not rise.")
    cleaned, rules = clean_text(echo)
    assert cleaned.count("approved the new budget") == 1 and "drop_repeated_text" in rules
