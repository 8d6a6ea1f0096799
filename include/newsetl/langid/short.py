"""The short-text model: Lingua's 1- to 5-gram models for langdetect's 55 languages.

Why: naive Bayes over langdetect's 1-3-gram profiles is right on 98 % of sentences
but only on ~82 % of two-word texts (titles, short sections); Lingua's models
(conditional 1- to 5-gram frequencies from larger corpora, scored with back-off to
shorter n-grams) get ~90 % there, but Lingua itself is ~150x slower. This module builds
a compact table of those models once (:func:`_build`, 2-5 min of one core, cached like
the fast model) and scores texts with the compiled loop of :mod:`newsetl.langid.short_kernel`.

Languages: the 55 of langdetect, in its column order. Lingua's ``nb`` model stands for
``no``; its ``zh`` model for both ``zh-cn`` and ``zh-tw`` (the caller's naive-Bayes
term separates them). Lingua has no Kannada, Malayalam nor Nepali: for those three
the same kind of model (conditional 1-3-gram frequencies inside words) is derived from
langdetect's own profiles. Kannada and Malayalam have scripts of their own; Nepali
shares Devanagari with Hindi and Marathi, whose 5-gram models will often outscore its
3-gram one on short texts (the dev set has no Nepali to measure it).

Size: the five orders hold 16 million (n-gram, language) pairs (330 MB as a table).
Kept are the unigrams and, of the longer n-grams, those seen at least ``MIN_COUNT``
times in Lingua's training text (counts follow from the conditional frequencies) whose
log-probability differs from the value the language would back off to by at least
``PRUNE`` nats (the others change no score by more than that); n-grams of CJK
characters longer than one are dropped (Lingua makes every such character a word of
its own). What is left: 1.1 million n-grams, 1.9 million pairs, 42 MB in memory and
in the cache file. Measured on the dev set (short model + 0.3 x naive Bayes, every
line): word pairs 90.1 %, sentences 98.7 %; a table four times bigger (count >= 5,
0.5 nats: 156 MB) 91.7 % and 98.8 %; a 4-gram table (16 MB) 89.0 % on word pairs.

Unknown letters: a language that knows no prefix of an n-gram gets ``PENALTY`` (Lingua
adds nothing, i.e. probability 1, and corrects that by its rule engine). -10 was best
of -7, -8, -10, -14 and -20 on the dev set.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from newsetl.langid import lingua_source, short_kernel
from newsetl.langid.common import load_tables, save_tables
from newsetl.langid.kernel import HASH_MULT, QUANT_BITS
from newsetl.langid.short_kernel import COUNT_BITS

#: ln-probability of a letter a language's model does not know at all.
PENALTY = -10.0
#: Longer n-grams whose log-probability is within PRUNE nats of their back-off value
#: are dropped (see the module docstring).
PRUNE = 1.0
#: Longer n-grams seen fewer times than this in Lingua's training text are dropped
#: (most 4- and 5-grams are seen once or twice: noise, and most of the size).
MIN_COUNT = 50
#: Longest n-gram scored (Lingua: 5).
MAX_ORDER = 5
#: Characters read per text (the short path is for short texts; this bounds buffers).
MAX_TEXT_LENGTH = 10000

#: langdetect code -> the Lingua model standing for it.
LINGUA_CODE = {"no": "nb", "zh-cn": "zh", "zh-tw": "zh"}
#: langdetect languages Lingua has no model of (derived from langdetect's profiles).
FROM_PROFILE = ("kn", "ml", "ne")

_CACHE_FORMAT = 1


def alone(ch: str) -> bool:
    """Han, Hiragana, Katakana and Hangul characters are words of their own (Lingua).

    >>> alone("中"), alone("カ"), alone("한"), alone("a")
    (True, True, True, False)
    """
    cp = ord(ch)
    return (0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0x3400 <= cp <= 0x4DBF
            or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0xFF66 <= cp <= 0xFF9F
            or 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F)


_ALONE_RE = re.compile("[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
                       "\uf900-\ufaff\uff66-\uff9f\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")


@dataclass(frozen=True)
class _Model:
    cp_cid: np.ndarray  # int32[65536]: code point -> char id (lower-cased), SEP, UNK
    cid_flags: np.ndarray  # uint8[n_cid]: F_ALONE
    uni_val: np.ndarray  # int64[n_cid]: the character's entries (start << 8 | count), -1
    n_cid: int
    hash_bits: int
    table: np.ndarray  # int64[2 * 2**bits]: (key, entries) per slot, key -1 = empty
    entries: np.ndarray  # int32[E]: delta (units of 2**-QUANT_BITS) << 8 | language

    def kernel_model(self, n_langs: int) -> tuple:
        """The kernel's model tuple, with each unigram's entries as a dense row
        (``n_cid x n_langs`` int32, built here: ~4 MB, not worth a cache file)."""
        rows = np.zeros((self.n_cid, n_langs), dtype=np.int32)
        for c in np.flatnonzero(self.uni_val >= 0).tolist():
            start = int(self.uni_val[c]) >> COUNT_BITS
            packed = self.entries[start:start + (int(self.uni_val[c]) & 0xFF)]
            rows[c, packed & 0xFF] = packed >> 8
        return (self.uni_val, rows, self.n_cid, self.table, self.hash_bits, self.entries)


_MODEL: _Model | None = None
_KERNEL_MODEL: tuple | None = None
_LOCK = threading.Lock()


def _profile_models(lang: str) -> tuple[list[dict[str, float]], int]:
    """Lingua-style conditional 1-3-gram log-frequencies inside words from langdetect's
    profile of ``lang`` (for the three languages Lingua lacks), and the letter count.
    Only n-grams of letters (Unicode ``L*``): Lingua's words are runs of letters, so a
    vowel sign (``M*``) splits a word, and a model that knew vowel signs would win every
    text of its script."""
    from langdetect.detector_factory import PROFILES_DIRECTORY

    freq = json.loads((Path(PROFILES_DIRECTORY) / lang).read_text(encoding="utf-8"))["freq"]
    freq = {g: f for g, f in freq.items()
            if all(unicodedata.category(ch).startswith("L") for ch in g)}
    total = sum(f for g, f in freq.items() if len(g) == 1)
    out: list[dict[str, float]] = [{} for _ in range(MAX_ORDER)]
    for g, f in freq.items():
        if len(g) == 1:
            out[0][g] = float(np.log(f / total))
        elif g[:-1] in freq and freq[g[:-1]] >= f:
            out[len(g) - 1][g] = float(np.log(f / freq[g[:-1]]))
    return out, total


def _language_entries(models: list[dict[str, float]], total: int) -> dict[str, float]:
    """The kept n-grams of one language and their deltas (see the module docstring).

    ``value[g]`` is what the language scores at ``g`` once the model is pruned: its own
    log-probability if kept, else its prefix's value; ``count[g]`` its training count.
    """
    deltas: dict[str, float] = {}
    value: dict[str, float] = {"": PENALTY}
    count: dict[str, float] = {"": float(total)}
    for n, model in enumerate(models[:MAX_ORDER], start=1):
        value_in, count_in = value, count
        value, count = {}, {}
        for g, lp in model.items():
            if len(g) != n or (n > 1 and _ALONE_RE.search(g)):
                continue
            prefix = g[:-1]
            back = value_in.get(prefix)
            if back is None:  # a prefix the model lacks: back off further
                while prefix and prefix not in value_in:
                    prefix = prefix[:-1]
                back = value_in.get(prefix, PENALTY)
            c = math.exp(lp) * count_in.get(g[:-1], 0.0)
            d = lp - back
            if n == 1 or (c >= MIN_COUNT - 0.01 and abs(d) >= PRUNE):
                deltas[g] = d
                value[g] = lp
            else:
                value[g] = back
            count[g] = c
    return deltas


def _build(languages: Sequence[str], cache_dir: Path) -> _Model:
    return _tables(_entries(languages, lingua_source.wheel_path(cache_dir)), languages)


def _entries(languages: Sequence[str], wheel: Path) -> list[dict[str, float]]:
    """Each language's kept n-grams and deltas (the slow part of a build: ~1-3 min)."""
    per_lang: list[dict[str, float]] = []
    shared: dict[str, dict[str, float]] = {}
    for lang in languages:
        if lang in FROM_PROFILE:
            per_lang.append(_language_entries(*_profile_models(lang)))
            continue
        code = LINGUA_CODE.get(lang, lang)
        if code not in shared:
            shared[code] = _language_entries(*lingua_source.read_models(wheel, code))
        per_lang.append(shared[code])
    return per_lang


def _tables(per_lang: list[dict[str, float]], languages: Sequence[str]) -> _Model:
    """The kernel's arrays from the kept n-grams of every language."""
    # every gram with its prefixes (the chain walks them), ids by (length, gram)
    grams = {g for d in per_lang for g in d}
    grams |= {g[:k] for g in list(grams) for k in range(1, len(g))}
    chars = sorted({ch for g in grams for ch in g})
    grams |= set(chars)
    order = sorted(grams, key=lambda g: (len(g), g))
    gid = {g: i for i, g in enumerate(order)}
    cid = {ch: 2 + i for i, ch in enumerate(chars)}
    n_cid = 2 + len(chars)

    # entries, CSR by gram id; a gram's value = start << COUNT_BITS | count
    pairs = [(gid[g], j, d) for j, d_lang in enumerate(per_lang) for g, d in d_lang.items()]
    pairs.sort()
    g_arr = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    ent_lang = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    ent_delta = np.round(np.fromiter((p[2] for p in pairs), dtype=np.float64,
                                     count=len(pairs)) * 2.0**QUANT_BITS).astype(np.int64)
    assert np.abs(ent_delta).max() <= short_kernel.MAX_DELTA and len(languages) <= 256
    entries = ((ent_delta << 8) | ent_lang).astype(np.int32)
    ent_start = np.searchsorted(g_arr, np.arange(len(order) + 1)).astype(np.int64)
    value = (ent_start[:-1] << short_kernel.COUNT_BITS) | np.diff(ent_start)
    del pairs, g_arr, ent_lang, ent_delta

    # n-grams of two or more letters: hash table keyed by (id of the prefix, last char)
    # where a unigram's id is size + char id and a longer gram's id is its slot;
    # inserted order by order, each in key order (the same layout in every build)
    n_multi = sum(len(g) > 1 for g in order)
    bits = max(10, int(np.ceil(np.log2(max(1, n_multi) * 1.5))))  # load <= 2/3
    size = 1 << bits
    assert n_cid < 2**16 and len(languages) <= 2**COUNT_BITS
    table = np.full(2 * size, -1, dtype=np.int64)
    lengths = np.fromiter((len(g) for g in order), dtype=np.int64, count=len(order))
    first = np.fromiter((cid[g[0]] for g in order), dtype=np.int64, count=len(order))
    last = np.fromiter((cid[g[-1]] for g in order), dtype=np.int64, count=len(order))
    prefix = np.fromiter((gid[g[:-1]] if len(g) > 1 else -1 for g in order),
                         dtype=np.int64, count=len(order))
    node = np.where(lengths == 1, size + first, -1)  # id of each gram in keys
    for n in range(2, MAX_ORDER + 1):
        sel = np.flatnonzero(lengths == n)
        if not len(sel):
            continue
        keys = node[prefix[sel]] * n_cid + last[sel]
        assert (node[prefix[sel]] >= 0).all()
        by_key = np.argsort(keys, kind="stable")
        sel, keys = sel[by_key], keys[by_key]
        with np.errstate(over="ignore"):
            home = ((keys.astype(np.uint64) * HASH_MULT) >> np.uint64(64 - bits)).astype(
                np.int64)
        node[sel] = _insert(keys, value[sel], home, table, size - 1)

    uni_val = np.full(n_cid, -1, dtype=np.int64)
    cid_flags = np.zeros(n_cid, dtype=np.uint8)
    for ch, c in cid.items():
        uni_val[c] = value[gid[ch]]
        if alone(ch):
            cid_flags[c] = short_kernel.F_ALONE
    cp_cid = np.zeros(0x10000, dtype=np.int32)
    for cp in range(0x10000):
        ch = chr(cp)
        low = ch.lower()
        if len(low) == 1 and low in cid:
            cp_cid[cp] = cid[low]
        elif unicodedata.category(ch).startswith("L"):
            cp_cid[cp] = short_kernel.UNK
    return _Model(cp_cid=cp_cid, cid_flags=cid_flags, uni_val=uni_val, n_cid=n_cid,
                  hash_bits=bits, table=table, entries=entries)


def _insert_py(keys, values, home, table, mask):
    """Linear probing; returns each key's slot."""
    slots = np.empty(len(keys), dtype=np.int64)
    for i in range(len(keys)):
        s = home[i]
        while table[2 * s] != -1:
            s = (s + 1) & mask
        table[2 * s] = keys[i]
        table[2 * s + 1] = values[i]
        slots[i] = s
    return slots


_insert = short_kernel._jit(_insert_py)


def cache_root() -> Path | None:
    """``$NEWSETL_CACHE_DIR`` or ``$XDG_CACHE_HOME/newsetl`` or ``~/.cache/newsetl``."""
    root = os.environ.get("NEWSETL_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "newsetl")
    return None if root in ("", "0", "off") else Path(root)


def _cache_path(languages: Sequence[str]) -> Path | None:
    import hashlib

    root = cache_root()
    if root is None:
        return None
    key = repr((_CACHE_FORMAT, PENALTY, PRUNE, MIN_COUNT, MAX_ORDER, QUANT_BITS, tuple(languages),
                lingua_source.SHA256)).encode()
    return root / f"langid-short-{hashlib.sha1(key).hexdigest()[:16]}.npz"


def _save(model: _Model, path: Path) -> None:
    arrays = {f.name: getattr(model, f.name) for f in fields(_Model)
              if isinstance(getattr(model, f.name), np.ndarray)}
    save_tables(path, arrays, {"n_cid": model.n_cid, "hash_bits": model.hash_bits})


def _load(path: Path) -> _Model:
    meta, arrays = load_tables(path)
    return _Model(n_cid=meta["n_cid"], hash_bits=meta["hash_bits"], **arrays)


def model(languages: Sequence[str]) -> _Model:
    """The model for ``languages`` (langdetect's, in column order): cached file, else
    built (and the wheel downloaded) once per machine. Concurrent processes (Airflow
    workers on a fresh machine) take a file lock, so one builds and the others load."""
    global _MODEL
    if _MODEL is None:
        with _LOCK:
            if _MODEL is None:
                _MODEL = _load_or_build(languages)
    return _MODEL


def _try_load(path: Path | None) -> _Model | None:
    if path is None or not path.exists():
        return None
    try:
        return _load(path)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # unreadable or partial: rebuild and overwrite


def _load_or_build(languages: Sequence[str]) -> _Model:
    path = _cache_path(languages)
    built = _try_load(path)
    if built is not None:
        return built
    root = cache_root() or Path.home() / ".cache" / "newsetl"
    lock = None
    with contextlib.suppress(OSError):
        import fcntl

        root.mkdir(parents=True, exist_ok=True)
        lock = (root / ".langid-short.lock").open("w")
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
    try:
        built = _try_load(path)  # built by another process while we waited
        if built is None:
            built = _build(languages, root)
            if path is not None:
                with contextlib.suppress(OSError):
                    _save(built, path)
        return built
    finally:
        if lock is not None:
            lock.close()


def scores(cps: np.ndarray, select: np.ndarray, languages: Sequence[str]
           ) -> tuple[np.ndarray, np.ndarray]:
    """Summed deltas (texts x languages) and n-gram slots of the texts in ``cps`` (code
    points, texts separated and enclosed by 0, as :func:`newsetl.langid.fast._code_points`
    makes them) for which ``select`` is True (the other rows are 0)."""
    global _KERNEL_MODEL
    m = model(languages)
    if _KERNEL_MODEL is None or _KERNEL_MODEL[3] is not m.table:
        _KERNEL_MODEL = m.kernel_model(len(languages))
    n_texts = len(select)
    out = np.zeros((n_texts, len(languages)), dtype=np.float64)
    counts = np.zeros(n_texts, dtype=np.int64)
    if n_texts:
        # memo: ~1 slot per 8 characters of the batch, 2**4 to 2**MEMO_BITS slots
        memo_bits = int(np.clip(np.log2(max(1, len(cps)) / 8), 4, short_kernel.MEMO_BITS))
        short_kernel.score_texts(cps, np.asarray(select, dtype=np.bool_), m.cp_cid,
                                 m.cid_flags, _KERNEL_MODEL, MAX_ORDER, MAX_TEXT_LENGTH,
                                 memo_bits, out, counts)
    return out, counts
