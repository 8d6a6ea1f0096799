"""Shared constants and helpers of the language identifiers."""

from __future__ import annotations

UND = "und"

#: A text needs at least this many letters to be judged. Below it, every detector
#: answers ``und``: langdetect's answers on a dozen letters are close to random.
MIN_LETTERS = 20


def count_letters(text: str) -> int:
    """Number of alphabetic characters (any script).

    >>> count_letters("Hello, world! 123")
    10
    >>> count_letters("Привет")
    6
    """
    return sum(1 for ch in text if ch.isalpha())
