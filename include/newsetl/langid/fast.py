"""Fast, deterministic language identification on langdetect's own 55 profiles.

langdetect scores a text by drawing *random* samples of its character n-grams and
updating 55 language probabilities one sample at a time, in pure Python (7 trials of
up to 1000 updates). This backend uses the very same model -- the shipped profiles,
``P(ngram | lang) = freq / n_words[len - 1]`` smoothed with ``alpha / 10000`` -- but
scores *every* n-gram of the text at once (plain naive Bayes, no sampling):

1. Text clean-up as in ``Detector.append`` / ``cleaning_text``: URL and e-mail removal,
   Vietnamese diacritic composition (``NGram.normalize_vi``), the 10 000-character cap,
   and dropping ASCII letters from texts that are mostly non-Latin.
2. Character normalisation as in ``NGram.normalize`` (punctuation and digits to space,
   Romanian comma-below, Farsi yeh, Vietnamese, kana, Bopomofo, CJK classes, Hangul),
   folded into one lookup table from code point to a dense *character id*.
3. n-gram extraction as in ``NGram.add_char``: 1- to 3-grams inside space-padded words,
   skipping n-grams that end inside an all-capitals run.
4. n-gram ids: unigrams by table, bigrams and trigrams by an integer key
   (``c0*C*C + c1*C + c2`` over character ids) looked up in a numpy open-addressing
   hash table with a fixed multiplicative hash (no Python ``hash()``).
5. Scoring: per chunk of texts, a dense (texts x distinct n-grams) count matrix times
   the log-probability rows of those n-grams (one BLAS call).

Determinism: the log-probabilities are quantised to multiples of ``2**-16``; counts are
integers; so every partial sum in the matrix product is an exactly representable
float64 and the sums are exact whatever order BLAS adds them in. The scores of a text
therefore do not depend on the machine's BLAS blocking, threads or on the other texts of
the batch. No randomness is used anywhere.

The model tables are built once per process from the profiles (about half a second)
and kept in memory; nothing is written to disk.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
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
ORDER_WEIGHTS = (1.0, 1.0, 1.0)
#: Log-probabilities are rounded to multiples of 2**-QUANT_BITS (exact float64 sums).
QUANT_BITS = 16
#: langdetect's ``max_text_length``: only the first 10 000 characters are read.
MAX_TEXT_LENGTH = 10000

# Special character ids; vocabulary characters get ids from _FIRST_CID on.
_UNK_LOWER = 1  # a character in no profile (not upper case)
_UNK_UPPER = 2  # a character in no profile, upper case (matters for the capital rule)
_SPACE = 3  # anything langdetect normalises to ' '
_SEP = 4  # text separator in a batch (acts as a space that ends no n-gram)
_FIRST_CID = 5

_HASH_MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing, fixed constant


@dataclass(frozen=True)
class _Model:
    langs: tuple[str, ...]
    cp_to_cid: np.ndarray  # uint16[65536]: BMP code point -> char id (normalised)
    cid_upper: np.ndarray  # bool[n_cid]: the normalised character is upper case
    cid_uni: np.ndarray  # int32[n_cid]: unigram id or -1
    n_cid: int  # C: key base for bigrams/trigrams
    hash_bits: int
    hash_keys: np.ndarray  # int64[2**hash_bits], -1 = empty
    hash_vals: np.ndarray  # int32[2**hash_bits]
    logp: np.ndarray  # float64[V, n_langs], multiples of 2**-QUANT_BITS


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

    # -- characters: normalisation folded into a code point -> char id table --------
    chars = sorted({ch for g in grams for ch in g} - {" "})
    char_id = {ch: _FIRST_CID + i for i, ch in enumerate(chars)}
    n_cid = _FIRST_CID + len(chars)
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
    cid_upper = np.zeros(n_cid, dtype=bool)
    cid_upper[_UNK_UPPER] = True
    for ch, cid in char_id.items():
        cid_upper[cid] = ch.isupper()
    cid_uni = np.full(n_cid, -1, dtype=np.int32)
    for ch, cid in char_id.items():
        if ch in gram_index:
            cid_uni[cid] = gram_index[ch]

    # -- bigrams and trigrams: open-addressing hash table over integer keys --------
    multi = [(g, i) for g, i in gram_index.items() if len(g) > 1]
    keys = np.fromiter((_gram_key(g, char_id, n_cid) for g, _ in multi), dtype=np.int64)
    vals = np.fromiter((i for _, i in multi), dtype=np.int32)
    bits = max(10, int(np.ceil(np.log2(len(keys) * 3))))  # load factor <= 1/3
    size = 1 << bits
    hash_keys = np.full(size, -1, dtype=np.int64)
    hash_vals = np.full(size, -1, dtype=np.int32)
    slots = _hash(keys, bits)
    for key, val, slot in zip(keys.tolist(), vals.tolist(), slots.tolist(), strict=True):
        while hash_keys[slot] != -1:
            slot = (slot + 1) & (size - 1)
        hash_keys[slot] = key
        hash_vals[slot] = val

    return _Model(
        langs=langs,
        cp_to_cid=cp_to_cid,
        cid_upper=cid_upper,
        cid_uni=cid_uni,
        n_cid=n_cid,
        hash_bits=bits,
        hash_keys=hash_keys,
        hash_vals=hash_vals,
        logp=logp,
    )


def _gram_key(gram: str, char_id: dict[str, int], n_cid: int) -> int:
    key = 0
    for ch in gram:
        key = key * n_cid + (_SPACE if ch == " " else char_id[ch])
    return key


def _model() -> _Model:
    global _MODEL
    if _MODEL is None:
        with _LOCK:
            if _MODEL is None:
                _MODEL = _build_model()
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
_VI_MAP: dict[str, str] = {}
_VI_MARKS = ""


def _regexes():
    global _URL_RE, _MAIL_RE, _VI_RE, _VI_MAP, _VI_MARKS
    if _URL_RE is None:
        from langdetect.detector import Detector
        from langdetect.utils.ngram import NGram

        vi_map = {}
        for dmark, row in zip(NGram.DMARK_CLASS, NGram.NORMALIZED_VI_CHARS, strict=True):
            for base, composed in zip(NGram.TO_NORMALIZE_VI_CHARS, row, strict=True):
                vi_map[base + dmark] = composed
        _VI_MAP = vi_map
        _VI_MARKS = NGram.DMARK_CLASS
        _VI_RE = NGram.ALPHABET_WITH_DMARK
        _MAIL_RE = Detector.MAIL_RE
        _URL_RE = Detector.URL_RE
    return _URL_RE, _MAIL_RE, _VI_RE


def _vi_repl(m) -> str:
    return _VI_MAP[m.group(0)]


def _clean_joined(joined: str) -> str:
    """URL, e-mail and Vietnamese normalisation of ``Detector.append`` on a whole batch.

    The texts are joined with NUL, which none of the patterns can match across.
    """
    url_re, mail_re, vi_re = _regexes()
    if "http" in joined:
        joined = url_re.sub(" ", joined)
    if "@" in joined:
        joined = mail_re.sub(" ", joined)
    if any(mark in joined for mark in _VI_MARKS):
        joined = vi_re.sub(_vi_repl, joined)
    return joined


def _char_ids(cps: np.ndarray, model: _Model) -> np.ndarray:
    """Code points -> char ids (normalised); astral code points are in no profile."""
    if cps.size and int(cps.max()) > 0xFFFF:
        astral = cps > 0xFFFF
        cids = model.cp_to_cid[np.where(astral, 0x20, cps)]
        uniq, inv = np.unique(cps[astral], return_inverse=True)
        upper = np.array([chr(int(c)).isupper() for c in uniq], dtype=bool)
        cids[astral] = np.where(upper[inv], _UNK_UPPER, _UNK_LOWER)
        return cids
    return model.cp_to_cid[cps]


def _lookup(keys: np.ndarray, model: _Model) -> np.ndarray:
    """Vectorised open-addressing lookup; -1 for n-grams in no profile."""
    bits = model.hash_bits
    mask = (1 << bits) - 1
    slots = _hash(keys, bits)
    out = np.full(keys.shape, -1, dtype=np.int32)
    todo = np.arange(keys.size)
    while todo.size:
        found = model.hash_keys[slots]
        hit = found == keys
        out[todo[hit]] = model.hash_vals[slots[hit]]
        more = ~hit & (found != -1)
        todo = todo[more]
        keys = keys[more]
        slots = (slots[more] + 1) & mask
    return out


def _extract(texts: Sequence[str], model: _Model) -> tuple[np.ndarray, np.ndarray]:
    """All n-gram ids of all texts: (gram ids, text index of each), in text order."""
    joined = "\x00" + "\x00".join(texts) + "\x00"
    joined = _clean_joined(joined)
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)

    is_sep = cps == 0
    sep_pos = np.flatnonzero(is_sep)
    keep = None
    # langdetect reads only the first MAX_TEXT_LENGTH characters of each text.
    if int(np.diff(sep_pos).max(initial=0)) > MAX_TEXT_LENGTH + 1:
        seg = np.cumsum(is_sep) - 1
        offset = np.arange(cps.size) - sep_pos[seg]
        keep = offset <= MAX_TEXT_LENGTH
    # Mostly non-Latin texts lose their ASCII letters ('A' .. 'z'), as in cleaning_text.
    latin = (cps >= 0x41) & (cps <= 0x7A)
    non_latin = (cps >= 0x300) & ((cps < 0x1E00) | (cps > 0x1EFF))
    if non_latin.any():
        if keep is not None:
            latin &= keep
            non_latin &= keep
        seg = np.cumsum(is_sep) - 1
        n_seg = sep_pos.size
        n_latin = np.bincount(seg, weights=latin, minlength=n_seg)
        n_non_latin = np.bincount(seg, weights=non_latin, minlength=n_seg)
        strip = n_latin * 2 < n_non_latin
        if strip.any():
            drop = latin & strip[seg]
            keep = ~drop if keep is None else keep & ~drop
    if keep is not None:
        cps = cps[keep]

    cid = _char_ids(cps, model)
    sep = cid == _SEP
    text_of = np.cumsum(sep) - 1  # text index of each position
    # Collapse runs of spaces (a separator counts as a space; keep the first of a run).
    space = sep | (cid == _SPACE)
    run = np.empty_like(space)
    run[0] = False
    np.logical_and(space[1:], space[:-1], out=run[1:])
    if run.any():
        keep = ~run
        cid = cid[keep]
        sep = sep[keep]
        text_of = text_of[keep]
    c = cid.astype(np.int64)
    c[sep] = _SPACE
    # No n-gram ends on a separator nor inside an all-capitals run (NGram.capitalword).
    upper = model.cid_upper[c]
    ends_ok = ~sep
    ends_ok[1:] &= ~(upper[1:] & upper[:-1])

    # unigrams
    uni = model.cid_uni[c]
    pos1 = np.flatnonzero(ends_ok & (uni >= 0))
    ids1 = uni[pos1]
    # bigrams ending at i (i >= 1); trigrams ending at i (i >= 2) need a non-space middle
    n_cid = model.n_cid
    key2 = c[:-1] * n_cid + c[1:]
    pos2 = np.flatnonzero(ends_ok[1:]) + 1
    key3 = key2[:-1] * n_cid + c[2:]
    ok3 = ends_ok[2:] & (c[1:-1] != _SPACE)
    pos3 = np.flatnonzero(ok3) + 2
    keys = np.concatenate((key2[pos2 - 1], key3[pos3 - 2]))
    ids23 = _lookup(keys, model)
    # Lay the ids out by end position (then order) so that texts stay contiguous.
    grid = np.full((c.size, 3), -1, dtype=np.int32)
    grid[pos1, 0] = ids1
    grid[pos2, 1] = ids23[: pos2.size]
    grid[pos3, 2] = ids23[pos2.size :]
    flat = grid.ravel()
    found = np.flatnonzero(flat >= 0)
    return flat[found], text_of[found // 3]


# ---------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------
_CHUNK_GRAMS = 1 << 16  # n-grams per scoring chunk (bounds the dense count matrix)


def scores(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Summed log-likelihoods (texts x languages) and the number of known n-grams.

    Sums are exact multiples of ``2**-QUANT_BITS`` (see module docstring).
    """
    model = _model()
    n = len(texts)
    out = np.zeros((n, len(model.langs)), dtype=np.float64)
    if n == 0:
        return out, np.zeros(0, dtype=np.int64)
    ids, text_of = _extract(texts, model)
    n_grams = np.bincount(text_of, minlength=n)
    # chunk boundaries at text boundaries, about _CHUNK_GRAMS n-grams each
    ends = np.cumsum(n_grams)
    start_text = 0
    start = 0
    n_vocab = model.logp.shape[0]
    while start_text < n:
        stop_text = int(np.searchsorted(ends, start + _CHUNK_GRAMS, side="right"))
        stop_text = min(max(stop_text, start_text + 1), n)
        stop = int(ends[stop_text - 1])
        if stop > start:
            cid = ids[start:stop]
            tid = text_of[start:stop] - start_text
            present = np.bincount(cid, minlength=n_vocab)
            used = np.flatnonzero(present)
            remap = np.empty(n_vocab, dtype=np.int64)
            remap[used] = np.arange(used.size)
            n_t = stop_text - start_text
            counts = np.bincount(tid * used.size + remap[cid], minlength=n_t * used.size)
            counts = counts.reshape(n_t, used.size).astype(np.float64)
            out[start_text:stop_text] = counts @ model.logp[used]
        start_text, start = stop_text, stop
    return out, n_grams


def _enough_letters(text: str, min_letters: int) -> bool:
    if min_letters <= 0:
        return True
    if len(text) < min_letters:
        return False
    head = text[: 2 * min_letters + 8]
    if sum(map(str.isalpha, head)) >= min_letters:
        return True
    return sum(map(str.isalpha, text)) >= min_letters


def detect_batch(texts: Sequence[str], min_letters: int = MIN_LETTERS) -> list[tuple[str, float]]:
    """(lang, prob) for each text; ``("und", 0.0)`` below ``min_letters`` letters or
    when no n-gram of the text is in any profile."""
    result: list[tuple[str, float]] = [(UND, 0.0)] * len(texts)
    todo = [i for i, t in enumerate(texts) if _enough_letters(t, min_letters)]
    if not todo:
        return result
    sub = [texts[i].replace("\x00", " ") if "\x00" in texts[i] else texts[i] for i in todo]
    model = _model()
    s, n_grams = scores(sub)
    best = np.argmax(s, axis=1)
    top = s[np.arange(len(sub)), best]
    diff = s - top[:, None]
    # Softmax of the log-likelihoods: prob of the best = 1 / sum(exp(s_j - s_best)).
    # Terms below exp(-40) cannot change a 4-decimal result.
    terms = np.exp(np.where(diff > -40.0, diff, -np.inf))
    prob = 1.0 / terms.sum(axis=1)
    langs = model.langs
    for k, i in enumerate(todo):
        if n_grams[k]:
            result[i] = (langs[best[k]], round(float(prob[k]), 4))
    return result


def detect(text: str, min_letters: int = MIN_LETTERS) -> tuple[str, float]:
    """(lang, prob) of one text."""
    return detect_batch([text], min_letters=min_letters)[0]
