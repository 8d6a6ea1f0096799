"""Lingua's published n-gram models, read from the pinned PyPI wheel that shipped them.

Why a wheel: lingua-py 1.x (``lingua-language-detector`` on PyPI, Apache-2.0, (c) Peter
M. Stahl) was pure Python and shipped its 1- to 5-gram models as brotli-compressed JSON
files inside the wheel (70 MB). The project does not depend on that package (it pins
``regex<2024`` and Python < 3.13) nor commit its models: the short-text model
(:mod:`newsetl.langid.short`) is built from them once and cached, and this module
gets the wheel for that build:

1. ``$NEWSETL_LINGUA_WHEEL`` (a path to the wheel file), else
2. the copy in the cache directory (``<cache>/lingua_language_detector-1.3.5-...whl``), else
3. ``pip download --no-deps lingua-language-detector==1.3.5`` into the cache directory.

Whatever the source, the file must have the pinned SHA-256: other bytes would build
another model, and answers must be the same on every machine. The licence notice of
the models is in ``NOTICE`` and the README.

A model file holds ``{"language": NAME, "ngrams": {"num/den": "gram gram ..."}}``: the
relative frequency of each n-gram given its first ``n - 1`` letters (for unigrams: its
share of all letters), counted on lower-cased words of Lingua's training corpora
(not its test data, of which the dev set is a part).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
import zipfile
from pathlib import Path

PACKAGE = "lingua-language-detector"
VERSION = "1.3.5"
WHEEL = "lingua_language_detector-1.3.5-py3-none-any.whl"
SHA256 = "7254696753c4ee8ce127190cfb985d8b4621690d355c55b278c883f5bb5e152b"
ORDERS = ("unigrams", "bigrams", "trigrams", "quadrigrams", "fivegrams")


class LinguaModelsUnavailable(RuntimeError):
    """The pinned wheel could not be found or downloaded."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def wheel_path(cache_dir: Path) -> Path:
    """The verified wheel: ``$NEWSETL_LINGUA_WHEEL``, the cached copy, or a download."""
    env = os.environ.get("NEWSETL_LINGUA_WHEEL")
    candidates = [Path(env)] if env else []
    candidates.append(cache_dir / WHEEL)
    for path in candidates:
        if path.is_file():
            if _sha256(path) != SHA256:
                raise LinguaModelsUnavailable(f"{path}: not the pinned {WHEEL} (SHA-256)")
            return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
           "--only-binary=:all:", "--python-version", "3.11", "-d", str(cache_dir),
           f"{PACKAGE}=={VERSION}"]
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=900)
    except (OSError, subprocess.SubprocessError) as exc:
        raise LinguaModelsUnavailable(
            f"cannot download {PACKAGE}=={VERSION} ({exc}); put {WHEEL} in {cache_dir} "
            "or point NEWSETL_LINGUA_WHEEL at it") from exc
    path = cache_dir / WHEEL
    if not path.is_file() or _sha256(path) != SHA256:
        raise LinguaModelsUnavailable(f"{path}: download missing or not the pinned wheel")
    return path


def read_models(wheel: Path, code: str) -> tuple[list[dict[str, float]], int]:
    """The five models of one Lingua language (ISO 639-1 ``code``) as ``{gram: ln p}``
    per order (an order the wheel lacks is an empty dict), and the number of letters
    the unigram frequencies were counted on (the common denominator of their fractions,
    from which every n-gram's count follows: ``count(g) = p(g) * count(prefix)``)."""
    import brotli  # only needed to build the model, once

    out: list[dict[str, float]] = []
    total = 1
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for order in ORDERS:
            name = f"lingua/language-models/{code}/{order}.json.br"
            model: dict[str, float] = {}
            if name in names:
                data = json.loads(brotli.decompress(zf.read(name)))
                for fraction, grams in data["ngrams"].items():
                    num, den = fraction.split("/")
                    if order == "unigrams":
                        total = math.lcm(total, int(den))
                    logp = math.log(int(num) / int(den))
                    for gram in grams.split(" "):
                        model[gram] = logp
            out.append(model)
    return out, total


def licence_text(wheel: Path) -> str:
    """The wheel's licence file (Apache-2.0)."""
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith("LICENSE.txt"))
        return zf.read(name).decode("utf-8")
