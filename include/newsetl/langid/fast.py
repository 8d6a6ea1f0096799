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
3. n-gram extraction as in ``NGram.add_char`` / ``Detector._extract_ngrams``: 1- to
   3-grams inside space-padded words, skipping n-grams that end inside an all-capitals
   run -- langdetect's state machine, walked per text by the compiled loop in
   :mod:`newsetl.langid.kernel`.
4. n-gram ids: unigrams by table, bigrams and trigrams by an integer key
   (``c0*C*C + c1*C + c2`` over character ids) looked up in an open-addressing hash
   table with a fixed multiplicative hash (no Python ``hash()``).
5. Scoring: a text's scores are the sums of the log-probability rows of its n-grams
   (55 languages per row). 3-gram log-likelihoods get weight ``ORDER_WEIGHTS[2]``; the
   answer's probability is the softmax of the summed log-likelihoods divided by a
   length-dependent temperature (:mod:`newsetl.langid.calibration`), rounded to 4
   decimals; below ``calibration.MIN_PROB`` the answer is ``und``.

Determinism: log-probabilities are integers in units of 2**-16, so every sum is exact,
whatever the order; a text is scored on its own n-grams only, with no threads and
no randomness, so its scores are the same bits in every process, batch and batch
position.

Short texts (under ``SHORT_MAX_CHARS`` characters: titles, captions, short sections)
are scored by the short-text model (:mod:`newsetl.langid.short`, Lingua's 1-5-gram
models) plus ``NB_WEIGHT`` times the naive Bayes above (:func:`routed_scores`); an
article's body is still the sum of its sections' naive-Bayes rows.

The model tables are built from the profiles (1-3 s) once and cached in
``$NEWSETL_CACHE_DIR`` or ``~/.cache/newsetl`` (loading takes ~50 ms).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

import numpy as np

from newsetl.langid import calibration, kernel
from newsetl.langid.common import MIN_LETTERS, UND, load_tables, save_tables

__all__ = ["detect", "detect_batch", "languages", "scores"]

# ---------------------------------------------------------------------------------
# Model hyper-parameters (see docs/langid_accuracy.md for how they were chosen).
# ---------------------------------------------------------------------------------
#: langdetect's smoothing: every per-n-gram probability gets ``ALPHA / BASE_FREQ`` added.
ALPHA = 0.5
BASE_FREQ = 10000
#: Weight of the log-likelihood of 1-, 2- and 3-grams.
ORDER_WEIGHTS = (1.0, 1.0, 1.25)
#: Log-probabilities are rounded to multiples of 2**-QUANT_BITS and kept as integers
#: (exact sums in any order).
QUANT_BITS = kernel.QUANT_BITS
#: ASCII letters are dropped from a text when ``latin * LATIN_FACTOR < non_latin``.
#: langdetect uses 2 (non-Latin characters outnumber Latin ones two to one); 0.5 drops
#: them as soon as non-Latin characters are half as many, which fixes mixed-script
#: pages (Urdu / Persian text with English boilerplate) at no cost elsewhere.
LATIN_FACTOR = 0.5
#: langdetect's ``max_text_length``: only the first 10 000 characters are read.
MAX_TEXT_LENGTH = 10000
#: Texts shorter than this many characters (titles, captions, short sections) are
#: scored by the short-text model (:mod:`newsetl.langid.short`: Lingua's 1-5-gram
#: models), longer ones (paragraphs, articles) by the naive Bayes above. Measured on
#: the dev sentences (mean accuracy; share of their letters through the short model):
#: 0 -> 98.24 %; 60 -> 98.64 % (9 %); 80 -> 98.73 % (20 %); 100 -> 98.77 % (32 %);
#: every length -> 98.7 %. Past ~80 characters the naive Bayes is nearly as right and
#: 3x cheaper per letter, so 80.
SHORT_MAX_CHARS = 80
#: A short text's score is the short model's plus NB_WEIGHT times the naive Bayes one:
#: it separates ``zh-cn`` from ``zh-tw`` (one Lingua model) and adds langdetect's
#: word-boundary n-grams. Dev set, short model alone -> + 0.3 x -> + 1.0 x naive Bayes:
#: sentences 97.7 -> 98.7 -> 98.9 %, word pairs 88.5 -> 90.1 -> 89.6 %; 0.5 between.
NB_WEIGHT = 0.5

# Special character ids (2 is unused); vocabulary characters get ids from _FIRST_CID on.
_SPACE = kernel.SPACE  # anything langdetect normalises to ' '
_UNK_LOWER = kernel.UNK_LOWER  # a character in no profile (not upper case)
_UNK_UPPER = kernel.UNK_UPPER  # in no profile, upper case (matters for the capital rule)
_FIRST_CID = 5
# character classes of langdetect's cleaning_text
_CLS_LATIN = kernel.CLS_LATIN  # 'A' <= ch <= 'z'
_CLS_NON_LATIN = kernel.CLS_NON_LATIN  # ch >= U+0300 outside Latin Extended Additional
# per character id flags
_F_UPPER = kernel.F_UPPER

_HASH_MULT = kernel.HASH_MULT
_VAL_BITS = kernel.VAL_BITS  # hash entries pack ``key << _VAL_BITS | gram id``


@dataclass(frozen=True)
class _Model:
    langs: tuple[str, ...]
    cp_to_cid: np.ndarray  # uint16[65536]: BMP code point -> char id (normalised)
    cp_class: np.ndarray  # uint8[65536]: _CLS_* of the raw code point
    cid_flags: np.ndarray  # uint8[n_cid]: _F_UPPER
    cid_uni: np.ndarray  # int32[n_cid]: unigram id or -1
    n_cid: int  # C: key base for bigrams/trigrams
    hash_bits: int
    table: np.ndarray  # int64[2**hash_bits]: packed key/id, -1 = empty
    logq: np.ndarray  # int32[V, n_langs]: log-probabilities in units of 2**-QUANT_BITS
    grams: np.ndarray  # str[V]: the n-gram of each logq row


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
    logq = np.round(logp * float(2**QUANT_BITS))
    # |logp| < 2**7, so |logq| < 2**23: a text's int64 sum (at most ~30 000 n-grams
    # under the 10 000-character cap) is far from overflow and exact as a float64
    assert np.abs(logq).max() < 2.0**23
    logq = logq.astype(np.int32)

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
    cps = np.arange(0x10000)
    cp_class = np.zeros(0x10000, dtype=np.uint8)
    cp_class[(cps >= 0x41) & (cps <= 0x7A)] = _CLS_LATIN
    cp_class[(cps >= 0x300) & ((cps < 0x1E00) | (cps > 0x1EFF))] = _CLS_NON_LATIN
    cid_flags = np.zeros(n_cid, dtype=np.uint8)
    cid_flags[_UNK_UPPER] = _F_UPPER
    for ch, cid in char_id.items():
        if ch.isupper():
            cid_flags[cid] = _F_UPPER
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
        cid_uni=cid_uni,
        n_cid=n_cid,
        hash_bits=bits,
        table=table,
        logq=logq,
        grams=np.array(grams, dtype="<U3"),
    )


def _gram_key(gram: str, char_id: dict[str, int], n_cid: int) -> int:
    key = 0
    for ch in gram:
        key = key * n_cid + (_SPACE if ch == " " else char_id[ch])
    return key


#: Bump when _build_model's output changes for the same profiles and constants.
_CACHE_FORMAT = 3


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
    arrays = {f.name: getattr(model, f.name) for f in fields(_Model)
              if isinstance(getattr(model, f.name), np.ndarray)}
    save_tables(path, arrays, {"langs": model.langs, "n_cid": model.n_cid,
                               "hash_bits": model.hash_bits})


def _load(path: Path) -> _Model:
    meta, arrays = load_tables(path)
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
@dataclass(frozen=True)
class _Cleaning:
    """langdetect's ``Detector.append`` clean-up rules, read from langdetect itself."""

    url_re: re.Pattern
    mail_re: re.Pattern
    vi_marks: str  # NGram.DMARK_CLASS: combining marks that compose
    vi_mark: np.ndarray  # uint8[65536]: 1 + index of the mark, 0 = not a mark
    vi_base: np.ndarray  # uint8[65536]: 1 + index of the base letter, 0 = not a base
    vi_composed: np.ndarray  # uint32[marks, bases]: the composed code point


_CLEANING: _Cleaning | None = None


def _cleaning() -> _Cleaning:
    global _CLEANING
    if _CLEANING is None:
        from langdetect.detector import Detector
        from langdetect.utils.ngram import NGram

        marks, bases = NGram.DMARK_CLASS, NGram.TO_NORMALIZE_VI_CHARS
        vi_mark = np.zeros(0x10000, dtype=np.uint8)
        vi_mark[[ord(ch) for ch in marks]] = np.arange(1, len(marks) + 1)
        vi_base = np.zeros(0x10000, dtype=np.uint8)
        vi_base[[ord(ch) for ch in bases]] = np.arange(1, len(bases) + 1)
        composed = np.array([[ord(ch) for ch in row] for row in NGram.NORMALIZED_VI_CHARS],
                            dtype=np.uint32)
        assert composed.shape == (len(marks), len(bases))
        _CLEANING = _Cleaning(Detector.URL_RE, Detector.MAIL_RE, marks, vi_mark, vi_base,
                              composed)
    return _CLEANING


def _strip_addresses(text: str) -> str:
    """``Detector.append``'s first steps: URLs and e-mail addresses become a space
    (and a NUL, our text separator, too)."""
    rules = _cleaning()
    if "\x00" in text:
        text = text.replace("\x00", " ")
    if "http" in text:
        text = rules.url_re.sub(" ", text)
    if "@" in text:
        text = rules.mail_re.sub(" ", text)
    return text


def _join(texts: Sequence[str]) -> str:
    """The texts joined with NUL (also before the first and after the last), without
    URLs and e-mail addresses. The regexes only run on the texts that may need them
    (one scan of the joined text decides)."""
    joined = "\x00".join(texts)
    if "http" in joined or "@" in joined or joined.count("\x00") != len(texts) - 1:
        joined = "\x00".join(map(_strip_addresses, texts))
    return "\x00" + joined + "\x00"


def _code_points(texts: Sequence[str]) -> np.ndarray:
    """The batch as code points, texts separated (and enclosed) by 0, for the kernel.

    Upper-case astral characters (in no profile, but they count for langdetect's
    capital rule) become :data:`kernel.ASTRAL_UPPER`: the kernel cannot ask Python.
    """
    # surrogatepass: a lone surrogate (invalid, but a legal str) is just an unknown char
    cps = np.frombuffer(_join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if int(cps.max()) > 0xFFFF:
        astral = np.flatnonzero(cps > 0xFFFF)
        uniq, inv = np.unique(cps[astral], return_inverse=True)
        upper = np.array([chr(int(c)).isupper() for c in uniq], dtype=bool)
        cps = cps.copy()
        cps[astral[upper[inv]]] = kernel.ASTRAL_UPPER
    return cps


def _kernel_args(model: _Model) -> tuple:
    """The kernel's model arguments: (norm, max_len, latin_factor, grams, n_cid, bits)."""
    rules = _cleaning()
    norm = (model.cp_to_cid, model.cp_class, rules.vi_mark, rules.vi_base,
            rules.vi_composed)
    grams = (model.cid_flags, model.cid_uni, model.table)
    return norm, MAX_TEXT_LENGTH, float(LATIN_FACTOR), grams, model.n_cid, model.hash_bits


def gram_ids(texts: Sequence[str]) -> list[list[int]]:
    """Each text's n-gram ids (rows of the model; see :func:`gram_names`), in text
    order: the n-grams langdetect's ``Detector._extract_ngrams`` finds in a profile.
    For tests and tools."""
    ids, off = kernel.gram_ids(_code_points(texts), *_kernel_args(_model()))
    return [ids[off[k]:off[k + 1]].tolist() for k in range(len(texts))]


def gram_names() -> list[str]:
    """The n-gram of each model row (to read :func:`gram_ids`)."""
    return _model().grams.tolist()


# ---------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------
def scores(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Summed log-likelihoods (texts x languages) and the number of known n-grams.

    Each text's row is the sum of the log-probability rows of its n-grams
    (:func:`newsetl.langid.kernel.score_texts`); it depends only on the text (see the
    module docstring).
    """
    return _scores(_code_points(texts) if texts else None, len(texts))


def _scores(cps: np.ndarray | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    model = _model()
    out = np.zeros((n, len(model.langs)), dtype=np.float64)
    counts = np.zeros(n, dtype=np.int64)
    if n == 0:
        return out, counts
    kernel.score_texts(cps, *_kernel_args(model), model.logq, out, counts)
    return out, counts


def is_short(texts: Sequence[str]) -> np.ndarray:
    """Which texts the short-text model scores (fewer than ``SHORT_MAX_CHARS`` chars)."""
    return np.fromiter((len(t) < SHORT_MAX_CHARS for t in texts), dtype=bool,
                       count=len(texts))


def routed_scores(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                 np.ndarray, np.ndarray]:
    """(scores, n-gram counts, short mask, naive-Bayes scores, naive-Bayes counts).

    Short texts (:func:`is_short`) get the short model's score plus ``NB_WEIGHT`` times
    the naive-Bayes score, and as count the short model's n-gram slots; a short text
    in which the short model knows nothing keeps its naive-Bayes row (and is not
    short). The naive-Bayes rows of every text are returned too: they are additive,
    which the body's score (a sum of its sections') relies on.
    """
    cps = _code_points(texts) if texts else None
    s_nb, n_nb = _scores(cps, len(texts))
    short_mask = is_short(texts)
    s, n = s_nb.copy(), n_nb.copy()
    if short_mask.any():
        from newsetl.langid import short

        s_sh, n_sh = short.scores(cps, short_mask, _model().langs)
        short_mask &= n_sh > 0
        s[short_mask] = s_sh[short_mask] + NB_WEIGHT * s_nb[short_mask]
        n[short_mask] = n_sh[short_mask]
    return s, n, short_mask, s_nb, n_nb


def _enough_letters(text: str, min_letters: int) -> bool:
    if min_letters <= 0:
        return True
    if len(text) < min_letters:
        return False
    head = text[: 2 * min_letters + 8]
    if sum(map(str.isalpha, head)) >= min_letters:
        return True
    return sum(map(str.isalpha, text)) >= min_letters


@cache
def _bmp_letters() -> np.ndarray:
    """``str.isalpha`` of every code point of the Basic Multilingual Plane (~10 ms)."""
    return np.fromiter((chr(c).isalpha() for c in range(0x10000)), dtype=bool,
                       count=0x10000)


def letter_counts(texts: Sequence[str]) -> np.ndarray:
    """The letters (``str.isalpha``) of each text, the batch at once: a table lookup per
    code point instead of a Python call per character. ``letter_counts(texts)[k] >= n``
    is ``_enough_letters(texts[k], n)`` (a text with ``n`` letters is that long).

    >>> letter_counts(["Hello, world!", "", "Привет 123", "𝔘𝔫 😀"]).tolist()
    [10, 0, 6, 2]
    """
    if not texts:
        return np.zeros(0, dtype=np.int64)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    # surrogatepass: a lone surrogate (a legal str) is one code point, not a letter
    cps = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    alpha = _bmp_letters()[np.minimum(cps, 0xFFFF)]
    astral = np.flatnonzero(cps > 0xFFFF)
    if len(astral):
        alpha[astral] = [chr(c).isalpha() for c in cps[astral].tolist()]
    total = np.concatenate([[0], np.cumsum(alpha, dtype=np.int64)])
    ends = np.cumsum(lengths)
    return total[ends] - total[ends - lengths]


def decide(s: np.ndarray, n_grams: np.ndarray,
           min_prob: float = calibration.MIN_PROB, short: np.ndarray | None = None
           ) -> list[tuple[str, float]]:
    """(lang, prob) from summed log-likelihood rows; ``und`` where no n-gram was known
    or where the calibrated probability of the best language is below ``min_prob``.

    ``prob`` is calibrated (:mod:`newsetl.langid.calibration`): among texts given 0.8,
    about 80 % are right. Scores are additive: the row of a text made of several parts
    is the sum of the parts' rows (up to the n-grams that straddle a boundary), which
    lets the pipeline judge an article's body from the scores of its paragraphs
    without scoring it twice.
    """
    if len(s) == 0:
        return []
    best, prob = calibration.top(s, n_grams, short)
    langs = _model().langs
    probs = np.round(prob, 4).tolist()
    return [(langs[b], p) if n and p >= min_prob else (UND, 0.0)
            for b, p, n in zip(best.tolist(), probs, n_grams.tolist(), strict=True)]


def detect_batch(texts: Sequence[str], min_letters: int = MIN_LETTERS,
                 min_prob: float = calibration.MIN_PROB) -> list[tuple[str, float]]:
    """(lang, prob) for each text; ``("und", 0.0)`` below ``min_letters`` letters, when
    no n-gram of the text is in any profile, or below the calibrated ``min_prob``."""
    result: list[tuple[str, float]] = [(UND, 0.0)] * len(texts)
    todo = [i for i, t in enumerate(texts) if _enough_letters(t, min_letters)]
    if not todo:
        return result
    s, n_grams, short_mask, _, _ = routed_scores([texts[i] for i in todo])
    for i, decided in zip(todo, decide(s, n_grams, min_prob, short_mask), strict=True):
        result[i] = decided
    return result


def detect_grouped(texts: Sequence[str], groups: Sequence[Sequence[int]], min_letters: int,
                   group_min_letters: int, min_prob: float = calibration.MIN_PROB
                   ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Languages of ``texts`` and of groups of them (each group = indexes into ``texts``).

    Every text is scored once; a text is judged with the short-text model when short
    (:func:`routed_scores`), a group by the sum of its members' naive-Bayes rows.
    """
    members = {i for g in groups for i in g}
    letters = letter_counts(texts)
    enough = (letters >= min_letters).tolist()
    todo = [i for i in range(len(texts)) if enough[i] or i in members]
    n_langs = len(_model().langs)
    s_all = np.zeros((len(texts), n_langs), dtype=np.float64)
    n_all = np.zeros(len(texts), dtype=np.int64)
    s_nb_all = np.zeros((len(texts), n_langs), dtype=np.float64)
    n_nb_all = np.zeros(len(texts), dtype=np.int64)
    short_all = np.zeros(len(texts), dtype=bool)
    if todo:
        s, n_grams, short_mask, s_nb, n_nb = routed_scores([texts[i] for i in todo])
        s_all[todo] = s
        n_all[todo] = n_grams
        short_all[todo] = short_mask
        s_nb_all[todo] = s_nb
        n_nb_all[todo] = n_nb
    per_text = decide(s_all, n_all, min_prob, short_all)
    per_text = [r if enough[i] else (UND, 0.0) for i, r in enumerate(per_text)]
    if not groups:
        return per_text, []
    g_scores = np.stack([s_nb_all[list(g)].sum(axis=0) if g else np.zeros(n_langs)
                         for g in groups])
    g_grams = np.array([int(n_nb_all[list(g)].sum()) if g else 0 for g in groups])
    # the letters of a group's parts joined by spaces: the sum of theirs
    g_ok = [int(letters[list(g)].sum()) >= group_min_letters for g in groups]
    per_group = [r if g_ok[k] else (UND, 0.0)
                 for k, r in enumerate(decide(g_scores, g_grams, min_prob))]
    return per_text, per_group


def _columns(langs: Sequence[str]) -> dict[str, tuple[int, ...]]:
    """Score columns of a language; the Chinese scripts count as one language."""
    index = {lang: (i,) for i, lang in enumerate(langs)}
    zh = tuple(i for i, lang in enumerate(langs) if lang.startswith("zh"))
    for i in zh:
        index[langs[i]] = zh
    return index


def against(s: np.ndarray, n_grams: np.ndarray, refs: Sequence[str],
            short: np.ndarray | None = None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Each row's best language, its calibrated probability and its *margin* over the
    reference language ``refs[k]``: the calibrated log-odds of the best language
    against the reference (``>= 0``; 0 when they are the same language, Chinese
    scripts counting as one, when ``refs[k]`` is ``und`` or when the row has no n-gram).
    Vectorised over the rows."""
    langs = _model().langs
    n = len(s)
    if n == 0:
        return [], np.zeros(0), np.zeros(0)
    # 0 for the best language, negative for others
    z = calibration.logits(s, n_grams, *calibration.constants(short))
    best = np.argmax(z, axis=1)
    e = np.exp(np.where(z > -40.0, z, -np.inf))
    prob = 1.0 / e.sum(axis=1)
    cols = _columns(langs)
    width = max(len(c) for c in cols.values())
    ref_cols = np.full((n, width), -1, dtype=np.int64)
    for k, ref in enumerate(refs):
        c = cols.get(ref, ())
        ref_cols[k, :len(c)] = c
    has_ref = ref_cols[:, 0] >= 0
    z_ref = np.take_along_axis(z, np.maximum(ref_cols, 0), 1)
    z_ref = np.where(ref_cols >= 0, z_ref, -np.inf).max(axis=1)
    margin = np.where(has_ref & (np.asarray(n_grams) > 0), np.maximum(-z_ref, 0.0), 0.0) + 0.0
    names = [langs[b] if m else UND for b, m in zip(best.tolist(), (np.asarray(n_grams) > 0)
                                                    .tolist(), strict=True)]
    prob = np.where(np.asarray(n_grams) > 0, prob, 0.0)
    return names, prob, margin


def detect_against(texts: Sequence[str], refs: Sequence[str]
                   ) -> list[tuple[str, float, float]]:
    """(lang, calibrated prob, margin over ``refs[k]``) of each text, as in
    :func:`against`; ``("und", 0.0, 0.0)`` for a text without known n-grams."""
    if not texts:
        return []
    s, n_grams, short_mask, _, _ = routed_scores(texts)
    names, prob, margin = against(s, n_grams, refs, short_mask)
    return [(lang, round(p, 4), round(m, 4))
            for lang, p, m in zip(names, prob.tolist(), margin.tolist(), strict=True)]


def detect(text: str, min_letters: int = MIN_LETTERS,
           min_prob: float = calibration.MIN_PROB) -> tuple[str, float]:
    """(lang, prob) of one text."""
    return detect_batch([text], min_letters=min_letters, min_prob=min_prob)[0]
