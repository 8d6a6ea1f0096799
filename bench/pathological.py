"""Worst-case lines: the CPU that cleaning and section typing spend on adversarial shapes.

Backtracking regular expressions are fast on prose and can take minutes on one odd
line: a 1,000-character unit of HTML attributes full of straight quotes, given as text,
sent the source-list search (:mod:`newsetl.citations`) into minutes of backtracking on
one article and stalled its worker. This bench builds lines of 1,500 characters from
repeated atoms (quotes, brackets, credits, slashes, capitalised names, dates, CJK
quotation marks, separators, spaces), each with endings the rules anchor on (a year, a
credit, a sentence end), as one-line articles, under a headline, and split at sentence
ends, and prints the slowest cases (CPU seconds, one core). Each case stops after
``--budget`` seconds and is printed as ``TIMEOUT``.

    python bench/pathological.py --budget 3

tests/bench/test_pathological.py runs the same shapes and checks that every character
of the cleaned text stays in a section; a regression to exponential backtracking makes
it hang rather than pass.
"""

from __future__ import annotations

import argparse
import random
import signal
import time
from collections.abc import Iterator

#: What the lines are made of: the characters and words rules anchor on.
ATOMS = (
    'a="b" ', 'data-x="{"k":"v"}" ', "“Title words here” ", '"Title" ', "「見出し」", "『題』 ",
    "(A) ", "(Photo) ", "Abc/Def ", "Abc Def ", "John Smith/AFP ", "REUTERS/ ", "12.34. ",
    "» ", "› ", "> ", "© ", "Foto: ", "Photo by ", ": ", ". ", ", ", "— ", "- ", "* ", "_", "=",
    "#", "https://x.org/a ", "www.x ", "By John ", "and ", "Reporting by A; ", "contributed ",
    "\u00a0 ", "   ", "A. ", "J. K. ", "MOSCOW, ", "(Reuters) ", "Jan. 3 ", "2020 ", "11:30 ",
    "Updated ", "Share ", "Facebook ", "Lesen Sie auch ", "“", "”", '"', "'", "’", "(", ")",
    "[", "]", "/", "|", "•", "…", "!", "?", "。", "，", "ß", "А", "Б ", "ا ",
)
#: How the lines end: rules look for years, credits and sentence ends there.
ENDINGS = ("", " 2020", " 2020.", ")", ".", " (AFP)", "/AFP", " 2007年5月3日。", ":", "?")
LINE_CHARS = 1500


def lines(mixed: int = 400, seed: int = 0) -> Iterator[str]:
    """Every atom repeated with every ending, then ``mixed`` lines of 1-4 atoms."""
    for atom in ATOMS:
        for ending in ENDINGS:
            yield (atom * (LINE_CHARS // len(atom) + 1))[:LINE_CHARS] + ending
    rng = random.Random(seed)
    for _ in range(mixed):
        combo = "".join(rng.choice(ATOMS) for _ in range(rng.randint(1, 4)))
        yield (combo * (LINE_CHARS // len(combo) + 1))[:LINE_CHARS] + rng.choice(ENDINGS)


def articles(line: str) -> tuple[str, str, str]:
    """The line as a one-line article, under a headline, and cut at sentence ends."""
    return line, f"A headline of the article\n\n{line}", line.replace(". ", ".\n")


class _Timeout(Exception):
    pass


def _alarm(*_args) -> None:
    raise _Timeout


def main() -> None:
    from newsetl.cleaning import clean_text
    from newsetl.segment import segment

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=3, help="seconds per case")
    parser.add_argument("--mixed", type=int, default=400, help="lines of mixed atoms")
    parser.add_argument("--show", type=int, default=10, help="slowest cases printed")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    timings: list[tuple[float, str]] = []
    for line in lines(args.mixed):
        for text in articles(line):
            signal.alarm(args.budget)
            started = time.process_time()
            try:
                segment(clean_text(text)[0])
                seconds = time.process_time() - started
            except _Timeout:
                seconds = float("inf")
            finally:
                signal.alarm(0)
            timings.append((seconds, text))
    timings.sort(key=lambda t: t[0], reverse=True)
    total = sum(s for s, _ in timings if s != float("inf"))
    print(f"{len(timings):,} cases, {total:.2f} CPU s, mean {total / len(timings) * 1000:.2f} "
          f"ms; slowest:")
    for seconds, text in timings[:args.show]:
        shown = "TIMEOUT" if seconds == float("inf") else f"{seconds * 1000:8.1f} ms"
        print(f"{shown}  {text[:50]!r} ... {text[-20:]!r}")


if __name__ == "__main__":
    main()
