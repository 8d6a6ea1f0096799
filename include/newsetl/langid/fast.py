"""Fast, deterministic language identification on langdetect's own 55 profiles.

langdetect scores a text by drawing *random* samples of its character n-grams and
updating 55 language probabilities one sample at a time, in pure Python (7 trials of
up to 1000 updates). This backend uses the very same model -- the shipped profiles,
``P(ngram | lang) = freq / n_words[len - 1]`` smoothed with ``alpha / 10000`` -- but
scores *every* n-gram of the text at once (plain naive Bayes, no sampling):

1. Text clean-up as in ``Detector.append`` / ``cleaning_text``: URL and e-mail removal,
   Vietnamese diacritic composition (``NGram.normalize_vi``), the 10 000-character cap,
   and dropping ASCII letters from texts that are mostly non-Latin (threshold
   ``LATIN_FACTOR``; with langdetect's value the n-grams are exactly langdetect's).
2. Character normalisation as in ``NGram.normalize`` (punctuation and digits to space,
   Romanian comma-below, Farsi yeh, Vietnamese, kana, Bopomofo, CJK classes, Hangul),
   folded into one lookup table from code point to a dense *character id*.
3. n-gram extraction as in ``NGram.add_char``: 1- to 3-grams inside space-padded words,
   skipping n-grams that end inside an all-capitals run.
4. n-gram ids: unigrams by table, bigrams and trigrams by an integer key
   (``c0*C*C + c1*C + c2`` over character ids) looked up in a numpy open-addressing
   hash table with a fixed multiplicative hash (no Python ``hash()``).
5. Scoring: per n-gram order, a sparse (texts x n-grams) matrix of ones times the float32
   log-probability table (scipy's CSR product). 3-gram log-likelihoods get weight
   ``ORDER_WEIGHTS[2]``; the answer's probability is the softmax of the summed
   log-likelihoods, rounded to 4 decimals.

Determinism: each text's sum runs over its own n-grams in text order, with no BLAS,
no threads and nothing shared with the other texts of the batch, so a text's scores are
the same bits in every process, batch and batch position. No randomness is used.

The model tables are built from the profiles (1-3 s) once and cached in
``$NEWSETL_CACHE_DIR`` or ``~/.cache/newsetl`` (loading takes ~50 ms).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from newsetl.langid.common import MIN_LETTERS, UND

__all__ = ["detect", "detect_batch", "languages", "scores"]

# ---------------------------------------------------------------------------------
# Model hyper-parameters (see docs/langid_accuracy.md for how they were chosen).
# ---------------------------------------------------------------------------------
#: langdetect's smoothing: every per-n-gram probability gets ``ALPHA / BASE_FREQ`` added.
ALPHA = 0.5
BASE_FREQ = 10000
#: Weight of the log-likelihood of 1-, 2- and 3-grams.
ORDER_WEIGHTS = (1.0, 1.0, 1.25)
#: Log-probabilities are rounded to multiples of 2**-QUANT_BITS (exact float64 sums).
QUANT_BITS = 16
#: ASCII letters are dropped from a text when ``latin * LATIN_FACTOR < non_latin``.
#: langdetect uses 2 (non-Latin characters outnumber Latin ones two to one); 0.5 drops
#: them as soon as non-Latin characters are half as many, which fixes mixed-script
#: pages (Urdu / Persian text with English boilerplate) at no cost elsewhere.
LATIN_FACTOR = 0.5
#: langdetect's ``max_text_length``: only the first 10 000 characters are read.
MAX_TEXT_LENGTH = 10000

# Special character ids; vocabulary characters get ids from _FIRST_CID on.
_SPACE = 1  # anything langdetect normalises to ' '
_SEP = 2  # text separator in a batch (acts as a space that ends no n-gram)
_UNK_LOWER = 3  # a character in no profile (not upper case)
_UNK_UPPER = 4  # a character in no profile, upper case (matters for the capital rule)
_FIRST_CID = 5
# character classes of langdetect's cleaning_text
_CLS_LATIN = 1  # 'A' <= ch <= 'z'
_CLS_NON_LATIN = 2  # ch >= U+0300 outside Latin Extended Additional
# per character id flags
_F_UPPER = 1
_F_SEP = 2

_HASH_MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing, fixed constant
_VAL_BITS = 17  # hash entries pack ``key << _VAL_BITS | gram id``


@dataclass(frozen=True)
class _Model:
    langs: tuple[str, ...]
    cp_to_cid: np.ndarray  # uint16[65536]: BMP code point -> char id (normalised)
    cp_class: np.ndarray  # uint8[65536]: _CLS_* of the raw code point
    cid_flags: np.ndarray  # uint8[n_cid]: _F_UPPER, _F_SEP
    cid_key: np.ndarray  # int64[n_cid]: char id used in n-gram keys (separator -> space)
    cid_uni: np.ndarray  # int32[n_cid]: unigram id or -1
    n_cid: int  # C: key base for bigrams/trigrams
    hash_bits: int
    table: np.ndarray  # int64[2**hash_bits]: packed key/id, -1 = empty
    logp: np.ndarray  # float32[V, n_langs]: multiples of 2**-QUANT_BITS (exact in float32)


_MODEL: _Model | None = None
_LOCK = threading.Lock()


def _profiles_dir() -> Path:
    from langdetect.detector_factory import PROFILES_DIRECTORY

    return Path(PROFILES_DIRECTORY)


def _hash(keys: np.ndarray, bits: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        return ((keys.astype(np.uint64) * _HASH_MULT) >> np.uint64(64 - bits)).astype(np.int64)


def _build_model() -> _Model:
    from langdetect.utils.ngram import NGram

    # -- profiles -> vocabulary and P(gram | lang) ---------------------------------
    profiles = []
    for path in sorted(_profiles_dir().iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        profiles.append(data)
    profiles.sort(key=lambda d: d["name"])
    langs = tuple(d["name"] for d in profiles)

    grams = sorted({g for d in profiles for g in d["freq"] if 1 <= len(g) <= 3})
    gram_index = {g: i for i, g in enumerate(grams)}
    prob = np.zeros((len(grams), len(langs)), dtype=np.float64)
    for j, d in enumerate(profiles):
        n_words = d["n_words"]
        for g, f in d["freq"].items():
            if 1 <= len(g) <= 3:
                prob[gram_index[g], j] = f / n_words[len(g) - 1]
    logp = np.log(prob + ALPHA / BASE_FREQ)
    order = np.fromiter((len(g) for g in grams), dtype=np.int64, count=len(grams))
    logp *= np.asarray(ORDER_WEIGHTS, dtype=np.float64)[order - 1][:, None]
    scale = float(2**QUANT_BITS)
    logp = np.round(logp * scale) / scale
    # |logp| < 2**7 and 2**-16 resolution: 23 significant bits, exact in float32
    assert np.abs(logp).max() < 2.0**7
    logp32 = logp.astype(np.float32)
    assert np.array_equal(logp32.astype(np.float64), logp)

    # -- characters: normalisation folded into a code point -> char id table --------
    chars = sorted({ch for g in grams for ch in g} - {" "})
    char_id = {ch: _FIRST_CID + i for i, ch in enumerate(chars)}
    n_cid = _FIRST_CID + len(chars)
    assert len(grams) < 2**_VAL_BITS and n_cid < 2**16
    cp_to_cid = np.empty(0x10000, dtype=np.uint16)
    for cp in range(0x10000):
        ch = NGram.normalize(chr(cp))
        if ch == " ":
            cid = _SPACE
        else:
            cid = char_id.get(ch)
            if cid is None:
                cid = _UNK_UPPER if ch.isupper() else _UNK_LOWER
        cp_to_cid[cp] = cid
    cp_to_cid[0] = _SEP
    cps = np.arange(0x10000)
    cp_class = np.zeros(0x10000, dtype=np.uint8)
    cp_class[(cps >= 0x41) & (cps <= 0x7A)] = _CLS_LATIN
    cp_class[(cps >= 0x300) & ((cps < 0x1E00) | (cps > 0x1EFF))] = _CLS_NON_LATIN
    cid_flags = np.zeros(n_cid, dtype=np.uint8)
    cid_flags[_UNK_UPPER] = _F_UPPER
    cid_flags[_SEP] = _F_SEP
    for ch, cid in char_id.items():
        if ch.isupper():
            cid_flags[cid] = _F_UPPER
    cid_key = np.arange(n_cid, dtype=np.int64)
    cid_key[_SEP] = _SPACE
    cid_uni = np.full(n_cid, -1, dtype=np.int32)
    for ch, cid in char_id.items():
        if ch in gram_index:
            cid_uni[cid] = gram_index[ch]

    # -- bigrams and trigrams: open-addressing hash table over integer keys --------
    multi = [(g, i) for g, i in gram_index.items() if len(g) > 1]
    keys = np.fromiter((_gram_key(g, char_id, n_cid) for g, _ in multi), dtype=np.int64)
    vals = np.fromiter((i for _, i in multi), dtype=np.int64)
    bits = max(10, int(np.ceil(np.log2(len(keys) * 4))))  # load factor <= 1/4
    size = 1 << bits
    table = np.full(size, -1, dtype=np.int64)
    slots = _hash(keys, bits)
    packed = (keys << _VAL_BITS) | vals
    for entry, slot in zip(packed.tolist(), slots.tolist(), strict=True):
        while table[slot] != -1:
            slot = (slot + 1) & (size - 1)
        table[slot] = entry

    return _Model(
        langs=langs,
        cp_to_cid=cp_to_cid,
        cp_class=cp_class,
        cid_flags=cid_flags,
        cid_key=cid_key,
        cid_uni=cid_uni,
        n_cid=n_cid,
        hash_bits=bits,
        table=table,
        logp=logp32,
    )


def _gram_key(gram: str, char_id: dict[str, int], n_cid: int) -> int:
    key = 0
    for ch in gram:
        key = key * n_cid + (_SPACE if ch == " " else char_id[ch])
    return key


#: Bump when _build_model's output changes for the same profiles and constants.
_CACHE_FORMAT = 1


def _cache_path() -> Path | None:
    """Where the built model is cached: ``$NEWSETL_CACHE_DIR`` or ``~/.cache/newsetl``.

    The file name digests everything the model depends on (constants, langdetect's
    version, this module's cache format), so a stale file is never used.
    """
    import hashlib
    from importlib.metadata import version

    root = os.environ.get("NEWSETL_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "newsetl")
    if root in ("", "0", "off"):
        return None
    key = repr((_CACHE_FORMAT, ALPHA, BASE_FREQ, ORDER_WEIGHTS, QUANT_BITS, LATIN_FACTOR,
                version("langdetect"))).encode()
    return Path(root) / f"langid-fast-{hashlib.sha1(key).hexdigest()[:16]}.npz"


def _save(model: _Model, path: Path) -> None:
    """Write atomically (temp file + rename): concurrent workers may race to build."""
    arrays = {f.name: getattr(model, f.name) for f in fields(_Model)
              if isinstance(getattr(model, f.name), np.ndarray)}
    meta = np.array(json.dumps({"langs": model.langs, "n_cid": model.n_cid,
                                "hash_bits": model.hash_bits}))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        np.savez(fh, meta=meta, **arrays)
    os.replace(tmp, path)


def _load(path: Path) -> _Model:
    with np.load(path) as data:
        meta = json.loads(str(data["meta"]))
        arrays = {name: data[name] for name in data.files if name != "meta"}
    return _Model(langs=tuple(meta["langs"]), n_cid=meta["n_cid"],
                  hash_bits=meta["hash_bits"], **arrays)


def _load_or_build() -> _Model:
    """Loading the cached model takes ~50 ms; building it ~1-3 s of CPU in every
    process (each Airflow task, each worker) and a peak of Python objects."""
    path = _cache_path()
    if path is not None and path.exists():
        try:
            return _load(path)
        except (OSError, ValueError, KeyError, TypeError):
            pass  # unreadable or partial: rebuild and overwrite
    model = _build_model()
    if path is not None:
        with contextlib.suppress(OSError):  # read-only home: keep the in-memory model
            _save(model, path)
    return model


def _model() -> _Model:
    global _MODEL
    if _MODEL is None:
        with _LOCK:
            if _MODEL is None:
                _MODEL = _load_or_build()
    return _MODEL


def languages() -> tuple[str, ...]:
    """The 55 language codes, in the column order of :func:`scores`."""
    return _model().langs


# ---------------------------------------------------------------------------------
# Text -> n-gram ids
# ---------------------------------------------------------------------------------
_URL_RE = None
_MAIL_RE = None
_VI_RE = None
_VI_MARK_RE = None
_VI_MAP: dict[str, str] = {}


def _regexes():
    global _URL_RE, _MAIL_RE, _VI_RE, _VI_MARK_RE, _VI_MAP
    if _URL_RE is None:
        import re

        from langdetect.detector import Detector
        from langdetect.utils.ngram import NGram

        vi_map = {}
        for dmark, row in zip(NGram.DMARK_CLASS, NGram.NORMALIZED_VI_CHARS, strict=True):
            for base, composed in zip(NGram.TO_NORMALIZE_VI_CHARS, row, strict=True):
                vi_map[base + dmark] = composed
        _VI_MAP = vi_map
        _VI_MARK_RE = re.compile("[" + NGram.DMARK_CLASS + "]")
        _VI_RE = NGram.ALPHABET_WITH_DMARK
        _MAIL_RE = Detector.MAIL_RE
        _URL_RE = Detector.URL_RE
    return _URL_RE, _MAIL_RE, _VI_RE, _VI_MARK_RE


def _vi_repl(m) -> str:
    return _VI_MAP[m.group(0)]


def _prepare(text: str) -> str:
    """``Detector.append`` clean-up of one text: URLs, e-mails, Vietnamese, length cap."""
    url_re, mail_re, vi_re, vi_mark_re = _regexes()
    if "\x00" in text:
        text = text.replace("\x00", " ")
    if "http" in text:
        text = url_re.sub(" ", text)
    if "@" in text:
        text = mail_re.sub(" ", text)
    if vi_mark_re.search(text):
        text = vi_re.sub(_vi_repl, text)
    return text[:MAX_TEXT_LENGTH]


def _join(texts: Sequence[str]) -> str:
    """The texts cleaned and joined with NUL (also before the first and after the last).

    The clean-up only runs on the texts that need it (one scan of the joined text
    decides)."""
    _, _, _, vi_mark_re = _regexes()
    joined = "\x00".join(texts)
    if (
        "http" in joined
        or "@" in joined
        or joined.count("\x00") != len(texts) - 1
        or max(map(len, texts)) > MAX_TEXT_LENGTH
        or vi_mark_re.search(joined)
    ):
        joined = "\x00".join(map(_prepare, texts))
    return "\x00" + joined + "\x00"


def _lookup(keys: np.ndarray, model: _Model) -> np.ndarray:
    """Vectorised open-addressing lookup; -1 for n-grams in no profile."""
    bits = model.hash_bits
    mask = (1 << bits) - 1
    table = model.table
    slots = _hash(keys, bits)
    entry = table[slots]
    out = entry & ((1 << _VAL_BITS) - 1)
    hit = (entry >> _VAL_BITS) == keys
    more = np.flatnonzero(~hit & (entry != -1))
    out[~hit] = -1
    # collisions: keep probing the (few) keys that met another key
    slots = (slots[more] + 1) & mask
    while more.size:
        entry = table[slots]
        hit = (entry >> _VAL_BITS) == keys[more]
        out[more[hit]] = entry[hit] & ((1 << _VAL_BITS) - 1)
        go_on = ~hit & (entry != -1)
        more = more[go_on]
        slots = (slots[go_on] + 1) & mask
    return out


class _Grams:
    """n-gram ids of a batch, per order; each order's ids are in text order."""

    __slots__ = ("ids", "offsets")

    def __init__(self, ids: list[np.ndarray], offsets: list[np.ndarray]):
        self.ids = ids  # [ids of 1-grams, 2-grams, 3-grams]
        self.offsets = offsets  # per order: int64[n_texts + 1] start of each text

    def per_text(self) -> np.ndarray:
        return sum(np.diff(o) for o in self.offsets)


def _extract(texts: Sequence[str], model: _Model) -> _Grams:
    """All n-gram ids (those in some profile) of all texts."""
    joined = _join(texts)
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    astral = None
    if int(cps.max()) > 0xFFFF:
        astral = np.flatnonzero(cps > 0xFFFF)
        cps = cps.copy()
        astral_cps = cps[astral]
        cps[astral] = 0x20
    cid = model.cp_to_cid[cps]
    if astral is not None:
        # astral characters are in no profile; langdetect leaves them as they are
        uniq, inv = np.unique(astral_cps, return_inverse=True)
        upper = np.array([chr(int(c)).isupper() for c in uniq], dtype=bool)
        cid[astral] = np.where(upper[inv], _UNK_UPPER, _UNK_LOWER)

    # cleaning_text: mostly non-Latin texts lose their ASCII letters ('A' .. 'z').
    cls = model.cp_class[cps]
    if astral is not None:
        cls[astral] = _CLS_NON_LATIN
    non_latin = cls == _CLS_NON_LATIN
    if non_latin.any():
        sep_raw = np.flatnonzero(cps == 0)
        n_non_latin = np.add.reduceat(non_latin, sep_raw, dtype=np.int64)
        latin = cls == _CLS_LATIN
        n_latin = np.add.reduceat(latin, sep_raw, dtype=np.int64)
        strip = np.flatnonzero(n_latin * LATIN_FACTOR < n_non_latin)
        if strip.size:
            keep = np.ones(cps.size, dtype=bool)
            for k in strip.tolist():
                a, b = sep_raw[k], sep_raw[k + 1] if k + 1 < sep_raw.size else cps.size
                keep[a:b] = ~latin[a:b]
            cid = cid[keep]

    # NGram.add_char: runs of spaces collapse (a separator counts as a space but is
    # always kept, to mark the text boundary).
    space = cid <= _SEP
    run = space[1:] & space[:-1]
    run &= cid[1:] != _SEP
    if run.any():
        keep = np.ones(cid.size, dtype=bool)
        keep[1:] = ~run
        cid = cid[keep]
    sep_idx = np.flatnonzero(cid == _SEP)

    # No n-gram ends on a separator nor inside an all-capitals run (capitalword):
    # ok[i - 1] tells whether n-grams may end at position i >= 1.
    flags = model.cid_flags[cid]
    bad = flags[1:] & flags[:-1] & _F_UPPER
    bad |= flags[1:] & _F_SEP
    ok = bad == 0
    c = model.cid_key[cid]  # int64, separator -> space

    uni = model.cid_uni[cid]
    pos1 = np.flatnonzero(ok & (uni[1:] >= 0)) + 1
    ids1 = uni[pos1]

    n_cid = model.n_cid
    pos2 = np.flatnonzero(ok) + 1
    key2 = c[pos2 - 1] * n_cid + c[pos2]
    ids2 = _lookup(key2, model)
    # trigrams end at i >= 2 and have no space in the middle
    ok3 = ok[1:] & (cid[1:-1] > _SEP)
    pos3 = np.flatnonzero(ok3) + 2
    key3 = (c[pos3 - 2] * n_cid + c[pos3 - 1]) * n_cid + c[pos3]
    ids3 = _lookup(key3, model)
    f2 = ids2 >= 0
    f3 = ids3 >= 0
    pos2, ids2 = pos2[f2], ids2[f2]
    pos3, ids3 = pos3[f3], ids3[f3]
    offsets = [np.searchsorted(p, sep_idx) for p in (pos1, pos2, pos3)]
    return _Grams([ids1, ids2.astype(np.int32), ids3.astype(np.int32)], offsets)


# ---------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------
# Each text's row is the sum of the log-probability rows of its n-grams. Per n-gram
# order, the texts' n-gram ids already form a CSR matrix (``indptr`` = the per-text
# offsets, ``indices`` = the ids, every value 1); one sparse x dense product with the
# float32 log-probability table fuses the row gather and the per-text sums in scipy's C
# loop. Measured on article sections: 0.02 s vs 0.17 s for numpy take + add.reduceat
# (which materialises every gathered row), same answers. scipy's CSR product adds a
# row's entries one after another in their stored (text) order, single-threaded, so a
# text's scores are the same bits whatever batch it is in.


def _score_order(ids: np.ndarray, off: np.ndarray, logp: np.ndarray, out: np.ndarray) -> None:
    from scipy.sparse import csr_matrix

    n = len(off) - 1
    if n == 0 or len(ids) == 0:
        return
    counts = csr_matrix((np.ones(len(ids), dtype=np.float32), ids, off),
                        shape=(n, logp.shape[0]))
    out += counts @ logp


def scores(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Summed log-likelihoods (texts x languages) and the number of known n-grams.

    A text's row depends only on the text (see the module docstring).
    """
    model = _model()
    n = len(texts)
    out = np.zeros((n, len(model.langs)), dtype=np.float64)
    if n == 0:
        return out, np.zeros(0, dtype=np.int64)
    grams = _extract(texts, model)
    for ids, off in zip(grams.ids, grams.offsets, strict=True):
        _score_order(ids, off, model.logp, out)
    return out, grams.per_text()


def _enough_letters(text: str, min_letters: int) -> bool:
    if min_letters <= 0:
        return True
    if len(text) < min_letters:
        return False
    head = text[: 2 * min_letters + 8]
    if sum(map(str.isalpha, head)) >= min_letters:
        return True
    return sum(map(str.isalpha, text)) >= min_letters


def decide(s: np.ndarray, n_grams: np.ndarray) -> list[tuple[str, float]]:
    """(lang, prob) from summed log-likelihood rows; ``und`` where no n-gram was known.

    Scores are additive: the row of a text made of several parts is the sum of the
    parts' rows (up to the n-grams that straddle a boundary), which lets the pipeline
    judge an article's body from the scores of its paragraphs without scoring it twice.
    """
    if len(s) == 0:
        return []
    best = np.argmax(s, axis=1)
    top = s[np.arange(len(s)), best]
    diff = s - top[:, None]
    # Softmax of the log-likelihoods: prob of the best = 1 / sum(exp(s_j - s_best)).
    # Terms below exp(-40) cannot change a 4-decimal result.
    terms = np.exp(np.where(diff > -40.0, diff, -np.inf))
    prob = 1.0 / terms.sum(axis=1)
    langs = _model().langs
    probs = np.round(prob, 4).tolist()
    return [(langs[b], p) if n else (UND, 0.0)
            for b, p, n in zip(best.tolist(), probs, n_grams.tolist(), strict=True)]


def detect_batch(texts: Sequence[str], min_letters: int = MIN_LETTERS) -> list[tuple[str, float]]:
    """(lang, prob) for each text; ``("und", 0.0)`` below ``min_letters`` letters or
    when no n-gram of the text is in any profile."""
    result: list[tuple[str, float]] = [(UND, 0.0)] * len(texts)
    todo = [i for i, t in enumerate(texts) if _enough_letters(t, min_letters)]
    if not todo:
        return result
    s, n_grams = scores([texts[i] for i in todo])
    for i, decided in zip(todo, decide(s, n_grams), strict=True):
        result[i] = decided
    return result


def detect_grouped(texts: Sequence[str], groups: Sequence[Sequence[int]], min_letters: int,
                   group_min_letters: int) -> tuple[list[tuple[str, float]],
                                                    list[tuple[str, float]]]:
    """Languages of ``texts`` and of groups of them (each group = indexes into ``texts``).

    Every text is scored once; a group's scores are the sum of its members' rows.
    """
    members = {i for g in groups for i in g}
    enough = [_enough_letters(t, min_letters) for t in texts]
    todo = [i for i, t in enumerate(texts) if enough[i] or i in members]
    s_all = np.zeros((len(texts), len(_model().langs)), dtype=np.float64)
    n_all = np.zeros(len(texts), dtype=np.int64)
    if todo:
        s, n_grams = scores([texts[i] for i in todo])
        s_all[todo] = s
        n_all[todo] = n_grams
    per_text = decide(s_all, n_all)
    per_text = [r if enough[i] else (UND, 0.0) for i, r in enumerate(per_text)]
    if not groups:
        return per_text, []
    g_scores = np.stack([s_all[list(g)].sum(axis=0) if g else s_all[0] * 0 for g in groups])
    g_grams = np.array([int(n_all[list(g)].sum()) if g else 0 for g in groups])
    g_ok = [_enough_letters(" ".join(texts[i] for i in g), group_min_letters) for g in groups]
    per_group = [r if g_ok[k] else (UND, 0.0)
                 for k, r in enumerate(decide(g_scores, g_grams))]
    return per_text, per_group


def detect(text: str, min_letters: int = MIN_LETTERS) -> tuple[str, float]:
    """(lang, prob) of one text."""
    return detect_batch([text], min_letters=min_letters)[0]
