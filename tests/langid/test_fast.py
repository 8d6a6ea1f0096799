"""Tests of the fast (numpy naive-Bayes) language identifier."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from newsetl.langid import fast

DEV = Path("/work/shared/langid-dev/sentences")

KNOWN = {
    "fr": "Le gouvernement a annoncé mardi une nouvelle réforme des retraites très contestée.",
    "en": "The government announced a new pension reform on Tuesday that is widely contested.",
    "de": "Die Regierung hat am Dienstag eine neue, heftig umstrittene Rentenreform angekündigt.",
    "es": "El gobierno anunció el martes una nueva reforma de las pensiones muy polémica.",
    "it": "Il governo ha annunciato martedì una nuova riforma delle pensioni molto contestata.",
    "ru": "Правительство во вторник объявило о новой пенсионной реформе, которая вызвала споры.",
    "ar": "أعلنت الحكومة يوم الثلاثاء عن إصلاح جديد لنظام التقاعد أثار جدلا واسعا.",
    "fa": "دولت روز سه‌شنبه از اصلاحات جدید نظام بازنشستگی خبر داد که بحث‌برانگیز شد.",
    "ja": "政府は火曜日、大きな議論を呼んでいる新しい年金改革を発表しました。",
    "zh": "政府星期二宣布了一项新的养老金改革，引起了广泛的争议。",
    "nl": "De regering heeft dinsdag een nieuwe, sterk omstreden pensioenhervorming aangekondigd.",
    "pl": "Rząd ogłosił we wtorek nową, bardzo kontrowersyjną reformę emerytalną.",
}


def _ok(code: str, lang: str) -> bool:
    return lang in {"zh": {"zh-cn", "zh-tw"}, "nb": {"no"}}.get(code, {code})


@pytest.mark.parametrize("code", sorted(KNOWN))
def test_known_sentences(code):
    lang, prob = fast.detect(KNOWN[code])
    assert _ok(code, lang), (code, lang, prob)
    assert 0.5 < prob <= 1.0


def test_und_for_short_or_letterless():
    assert fast.detect("") == ("und", 0.0)
    assert fast.detect("Hello") == ("und", 0.0)  # fewer than 20 letters
    assert fast.detect("1234567890 !!! ??? 2024-01-01 12:00:00 +++ ---") == ("und", 0.0)
    assert fast.detect("   \n\t  ") == ("und", 0.0)
    # with min_letters=0 a short word is judged (its calibrated probability is low, so
    # it is und unless min_prob allows it); letterless text still has no n-gram
    assert fast.detect("Hello", min_letters=0) == ("und", 0.0)
    lang, prob = fast.detect("Hello", min_letters=0, min_prob=0.0)
    assert lang != "und" and 0.0 < prob < 0.5
    assert fast.detect("12345 !!!", min_letters=0) == ("und", 0.0)


def test_public_api_uses_fast_backend():
    from newsetl.langid import detect, detect_batch

    text = KNOWN["de"]
    assert detect(text, detector="fast") == fast.detect(text)
    assert detect_batch([text, "x"], detector="fast") == [fast.detect(text), ("und", 0.0)]


def _sample_texts() -> list[str]:
    texts = list(KNOWN.values())
    texts += [
        "Visit https://example.org/a?b=1 or write to me@example.org — NASA and the FBI said so.",
        "Tie\u0302\u0301ng Vie\u0323\u0302t là ngôn ngữ chính thức của Việt Nam hiện nay.",
        "Mixed 😀 emoji 𝒳 and astral letters with enough ordinary letters here.",
        "x" * 12000,
        "a\x00b embedded NUL characters in a sentence that is long enough",
        "",
    ]
    if DEV.exists():
        for path in sorted(DEV.glob("*.txt"))[:20]:
            texts += path.read_text(encoding="utf-8").splitlines()[:5]
    return texts


def test_batch_equals_single_calls():
    texts = _sample_texts()
    assert fast.detect_batch(texts) == [fast.detect(t) for t in texts]
    assert fast.detect_batch(texts, min_letters=0) == [fast.detect(t, 0) for t in texts]
    # and a batch's answers do not depend on its order
    rev = fast.detect_batch(texts[::-1])
    assert rev[::-1] == fast.detect_batch(texts)


def test_a_texts_scores_do_not_depend_on_its_batch():
    texts = _sample_texts()[:12]
    s, n = fast.scores(texts)
    assert (n > 0).all()
    for i in (0, 5, 11):
        alone, _ = fast.scores([texts[i]])
        assert np.array_equal(alone[0], s[i])  # same bits, not merely close
    shuffled, _ = fast.scores(texts[::-1])
    assert np.array_equal(shuffled[::-1], s)


_CHILD = """
import json, sys
from newsetl.langid import fast
texts = json.loads(sys.stdin.read())
s, _ = fast.scores(texts)
print(json.dumps({"res": fast.detect_batch(texts, min_letters=0), "scores": s.tolist()}))
"""


def test_deterministic_across_processes():
    texts = _sample_texts()[:30]
    outs = []
    for seed in ("0", "12345"):
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD],
            input=json.dumps(texts),
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin",
                 # the checkout under test, not whichever one the venv has installed
                 "PYTHONPATH": os.environ.get("PYTHONPATH", "")},
        )
        outs.append(json.loads(proc.stdout))
    assert outs[0] == outs[1]
    assert [tuple(x) for x in outs[0]["res"]] == fast.detect_batch(texts, min_letters=0)


@pytest.mark.skipif(not DEV.exists(), reason="dev set not available")
def test_agrees_with_langdetect_on_dev_sentences():
    from newsetl.langid import langdetect_backend

    texts = []
    for path in sorted(DEV.glob("*.txt")):
        texts += path.read_text(encoding="utf-8").splitlines()[:6]
    ours = fast.detect_batch(texts, min_letters=0)
    theirs = langdetect_backend.detect_batch(texts, min_letters=0)
    agree = sum(a[0] == b[0] for a, b in zip(ours, theirs, strict=True)) / len(texts)
    assert agree >= 0.95, agree


def test_cached_model_is_identical_to_a_fresh_build(tmp_path, monkeypatch):
    """The on-disk model cache changes nothing but start-up time."""
    import numpy as np
    from newsetl.langid import fast

    monkeypatch.setenv("NEWSETL_CACHE_DIR", str(tmp_path))
    built = fast._build_model()
    path = fast._cache_path()
    assert path is not None and path.parent == tmp_path
    fast._save(built, path)
    loaded = fast._load(path)
    assert loaded.langs == built.langs and loaded.n_cid == built.n_cid
    assert loaded.hash_bits == built.hash_bits
    for name in ("cp_to_cid", "cp_class", "cid_flags", "cid_uni", "table", "logq",
                 "grams"):
        assert np.array_equal(getattr(loaded, name), getattr(built, name)), name
    # a corrupt cache file is rebuilt, not trusted
    path.write_bytes(b"not an npz")
    monkeypatch.setattr(fast, "_MODEL", None)
    assert fast._model().langs == built.langs
    assert fast._load(path).langs == built.langs


def _tricky_texts() -> list[str]:
    """Texts that exercise every clean-up and n-gram rule of langdetect."""
    vi = "Tie\u0302\u0301ng Vie\u0323\u0302t la\u0300 nga\u0306\u0302n ngu\u031b\u0303 "
    return [
        "NASA and the FBI said so; the UN's WHO agreed. ALL CAPS HEADLINE Here",
        "Visit https://example.org/a?b=1 or write to me@example.org today, please",
        vi * 3,
        # the 10 000-character cap falls between a base letter and its tone mark
        "a" * 9999 + "e\u0301 and more text after the cap",
        "x" * 12000,
        "Mixed 😀 emoji 𝒳𝒴 and astral capitals 𝒳x in a sentence",
        "Привет, как дела? This is mostly Cyrillic text: Москва, Россия, Кремль",
        "دولت روز سه‌شنبه از اصلاحات جدید خبر داد BBC News Persian",
        "政府は火曜日、新しい年金改革を発表しました。Reuters",
        "  leading   and  trailing   spaces  ",
        "a lone surrogate \ud800 in an otherwise ordinary English sentence",
        "a b c d e f g h i j k l m n o p",
        "digits 12345 and punctuation!!! ... « quoted » — dashes – here",
        "",
    ]


def test_ngrams_are_exactly_langdetects(monkeypatch):
    """The compiled walk finds the very n-grams langdetect's ``_extract_ngrams`` does,
    in the same order (langdetect then samples them; we score them all). With
    langdetect's own Latin factor (ours only differs on mixed-script texts)."""
    from newsetl.langid import langdetect_backend

    texts = _tricky_texts()
    if DEV.exists():
        for path in sorted(DEV.glob("*.txt")):
            texts += path.read_text(encoding="utf-8").splitlines()[:3]
    monkeypatch.setattr(fast, "LATIN_FACTOR", 2.0)
    names = fast.gram_names()
    ours = fast.gram_ids(texts)
    factory = langdetect_backend._factory()
    for text, ids in zip(texts, ours, strict=True):
        detector = factory.create()
        detector.append(text)
        detector.cleaning_text()
        assert [names[i] for i in ids] == detector._extract_ngrams(), text[:60]


_NO_CACHE_CHILD = """
import numba.core.caching as caching
caching.CacheImpl._locator_classes = []  # as if no cache directory were writable
from newsetl.langid import fast, kernel
print(fast.detect("Le gouvernement a annoncé mardi une nouvelle réforme des retraites.")[0])
print(kernel.score_texts._cache.__class__.__name__)
"""


def test_kernel_compiles_in_memory_when_no_cache_dir_is_writable(tmp_path):
    proc = subprocess.run([sys.executable, "-c", _NO_CACHE_CHILD], capture_output=True,
                          text=True, check=True, cwd=tmp_path,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    lang, cache = proc.stdout.split()
    assert lang == "fr"
    assert cache == "NullCache"  # numba's no-op cache: compiled in memory
    assert "compiling in memory" in proc.stderr


def test_letter_counts_are_isalpha_counts() -> None:
    """The batch letter count (a code point table) is ``str.isalpha`` counted per text,
    astral characters and lone surrogates included."""
    rng = random.Random(4)
    alphabet = "abcXYZ _-.,!?\x00\n\t0123éÉ漢字ßẞİıσςΣ😀𝔘\u0301\u200b٣ﬁ'’ѣЖ\u0e01\ud800\U00020000"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
             for _ in range(2000)]
    counts = fast.letter_counts(texts)
    assert counts.tolist() == [sum(c.isalpha() for c in t) for t in texts]
    for n in (0, 1, 20, 30):
        assert (counts >= n).tolist() == [fast._enough_letters(t, n) for t in texts]
    assert fast.letter_counts([]).size == 0
