"""Raw items -> article rows, section rows and reject rows.

Items are processed in batches so that language detection runs once per batch over
every body and every judgeable section (:func:`newsetl.langid.detect_batch`), which is
what makes the fast detector fast.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from newsetl import PIPELINE_VERSION, reasons
from newsetl.bylines import metadata_authors
from newsetl.cleaning import clean_text
from newsetl.decode import decode_bytes
from newsetl.headers import split_headers
from newsetl.inputs import Item, RawItem, RejectItem
from newsetl.langid import UND, count_letters, detect_against, detect_grouped
from newsetl.segment import Segmented, segment, strip_credit
from newsetl.sitenames import strip_site_name

#: A body (paragraphs + quotes) needs this many letters to be an article.
MIN_BODY_LETTERS = 20
#: A section is given its own language when it has at least this many letters;
#: shorter ones ("Partager Cet Article", a one-word label) get ``und``. Below ~30 letters
#: langdetect's answers on news snippets are wrong more often than right for
#: related languages.
MIN_SECTION_LETTERS = 30
#: Kinds that make up the body, the basis of the article's language.
BODY_KINDS = ("paragraph", "quote")
#: Kinds whose language is judged when long enough.
JUDGED_KINDS = ("title", "caption", "quote", "paragraph")

#: A section is ``is_foreign`` only when the calibrated probability of its evidence's
#: language (see :func:`evidence_text`) is at least this ...
FOREIGN_MIN_PROB = 0.8
#: ... its margin over the article's language (calibrated log-odds, the
#: ``section_lang_margin`` column) at least this (ln 9: nine to one) ...
FOREIGN_MIN_MARGIN = 2.2
#: ... and its evidence has at least this many letters.
FOREIGN_MIN_LETTERS = 30

_SPACE = re.compile(r"\s+")
#: Not language evidence: a tweet sign-off "— Name (@handle) March 3, 2017" to the end
#: of its line; whole tokens with a digit, starting with @ or #, holding a / or an @
#: (URLs, pic.twitter.com/..., e-mail addresses, "(@handle)") or starting with www.
#: (Anchored at token starts, so each token is scanned once.)
_SIGN_OFF = re.compile(r"[\u2014\u2013-]{1,2}[^\n\u2014\u2013]{0,80}?\(@\w+\)[^\n]*")
_NON_EVIDENCE = re.compile(r"(?<!\S)(?:[^\s\d]*\d|[@#]|[^\s/@]*[/@]|www\.)\S*")
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")


@dataclass
class Parsed:
    """One item that survived cleaning and segmentation, waiting for languages."""

    item: RawItem
    seg: Segmented
    body: str
    rules: list[str]
    content_sha1: str
    #: Words of the body (``len(body.split())``), when the fingerprint already split it.
    n_words: int | None = None


@dataclass
class Rows:
    """Column-ready dicts produced by :func:`process_items`."""

    articles: list[dict] = field(default_factory=list)
    sections: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)


def normalized_body_sha1(body: str, words: list[str] | None = None) -> str:
    """Fingerprint for exact-duplicate detection: case-folded, whitespace-collapsed body
    (``words``: ``body.casefold().split()`` when the caller has it already).

    >>> normalized_body_sha1("Hello  World") == normalized_body_sha1("hello world")
    True
    """
    norm = " ".join(body.casefold().split() if words is None else words)
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()


def has_letters(text: str, n: int) -> bool:
    """True when ``text`` has at least ``n`` letters; looks at a short head first.

    >>> has_letters("Hello world, this is long", 10), has_letters("1234 abc", 5)
    (True, False)
    """
    head = text[: 2 * n + 8]
    if sum(map(str.isalpha, head)) >= n:
        return True
    return len(text) > len(head) and count_letters(text) >= n


def reject_row(item: RejectItem | RawItem, reason: str, detail: str) -> dict:
    return {
        "source_file": item.source_file,
        "source_member": item.source_member,
        "reason": reason,
        "detail": detail,
        "raw_sha256": item.raw_sha256,
        "duplicate_of": None,
        "seq": item.seq,
    }


def parse_item(item: RawItem) -> Parsed | dict:
    """Decode, clean and segment one item; a reject row dict when it is not an article."""
    if item.text is not None:
        text = item.text
    else:
        decoded = decode_bytes(item.data or b"")
        if decoded.text is None:
            return reject_row(item, reasons.UNREADABLE_ENCODING, decoded.detail)
        text, found = split_headers(decoded.text)
        for key, value in found.items():  # a text file's own header lines
            if not item.meta.get(key):
                item.meta[key] = value
    cleaned, rules = clean_text(text)
    title_hint = None
    if item.meta.get("title"):
        title_hint, _ = clean_text(item.meta["title"] or "")
        title_hint = title_hint.replace("\n", " ") or None
        if title_hint and item.meta.get("title_source") == "page":  # "Headline | Site"
            title_hint = strip_site_name(title_hint, item.meta.get("site_name"),
                                         item.meta.get("url"))
    if not cleaned and not title_hint:
        return reject_row(item, reasons.EMPTY, "no text after cleaning")
    seg = segment(cleaned, title_hint=title_hint, filename=slug_source(item))
    apply_meta(seg, item.meta)
    body_parts = [s.text for s in seg.sections if s.kind in BODY_KINDS]
    body = "\n\n".join(body_parts)
    if not has_letters(body, MIN_BODY_LETTERS):
        return reject_row(item, reasons.NOT_AN_ARTICLE, not_an_article_detail(seg, body))
    title = next((s.text for s in seg.sections if s.kind == "title"), "")
    # Case folding never makes or removes white space (checked for every code point),
    # so these are the body's words in number: split once for both.
    words = body.casefold().split()
    return Parsed(item, seg, body, rules + seg.steps, content_fingerprint(body, title, words),
                  len(words))


#: ``meta["title_source"]`` values a reader may set for a title it read beside the text
#: (:mod:`newsetl.htmltext`: ``page``; :mod:`newsetl.headers`: ``header``).
META_TITLE_SOURCES = frozenset(("page", "header"))


def apply_meta(seg: Segmented, meta: dict[str, str | None]) -> None:
    """What a reader found beside the text fills what the text itself does not say: the
    kind of a given title (a page's ``<title>``, a ``Title:`` header), the author (a
    page's author metadata) and the source name (a page's site name).

    >>> seg = Segmented(title_source="record")
    >>> apply_meta(seg, {"title_source": "page", "author": "Jane Doe", "site_name": "Planet"})
    >>> seg.title_source, seg.authors, seg.source_name
    ('page', ['Jane Doe'], 'Planet')
    >>> seg = Segmented()
    >>> apply_meta(seg, {"author": "Birgit Baumann; Anna Giulia Fink; Birgit Baumann; AP"})
    >>> seg.authors
    ['Birgit Baumann', 'Anna Giulia Fink']
    """
    if seg.title_source == "record" and meta.get("title_source") in META_TITLE_SOURCES:
        seg.title_source = meta["title_source"]
    if not seg.authors and meta.get("author"):
        seg.authors = metadata_authors(meta["author"], meta.get("site_name"), meta.get("url"))
    if not seg.source_name and meta.get("site_name"):
        seg.source_name = meta["site_name"]


def slug_source(item: RawItem) -> str | None:
    """Where a title slug may be read when the text has no headline: the archive member
    or file name, or for a JSONL record (member = line number) its URL's last segment.

    >>> slug_source(RawItem("d/a.jsonl", "3", 0, "", meta={"url": "https://x.org/a/b-c-d-e/"}))
    'b-c-d-e'
    >>> slug_source(RawItem("d/minister-quits-after-row.txt", None, 0, ""))
    'd/minister-quits-after-row.txt'
    """
    if item.source_member and not item.source_member.isdigit():
        return item.source_member
    if item.source_member is None:
        return item.source_file
    url = (item.meta.get("url") or "").split("?", 1)[0].rstrip("/")
    return url.rsplit("/", 1)[-1] or None


def not_an_article_detail(seg: Segmented, body: str) -> str:
    """Why a text has no body: its letter count and the rule that typed each section.

    >>> from newsetl.segment import Section
    >>> not_an_article_detail(Segmented([Section("title", "Hi", rule="head_title")]), "")
    'body has 0 letters (< 20); sections: title by head_title'
    """
    typed = sorted({f"{s.kind} by {s.rule}" for s in seg.sections})
    return (f"body has {count_letters(body)} letters (< {MIN_BODY_LETTERS}); "
            f"sections: {', '.join(typed) or 'none'}")


#: A body shorter than this is fingerprinted together with its title, so two stories
#: whose bodies are both only "Photo: AFP"-sized leftovers are not taken as duplicates.
MIN_FINGERPRINT_LETTERS = 200


def content_key(content_sha1: str) -> int:
    """The fingerprint's first 64 bits as a signed integer (the ``article_id`` as a
    number): publishing groups a day's articles on it, 8 bytes a row instead of 40.

    >>> content_key("8000000000000000" + "0" * 24), content_key("0" * 40)
    (0, -9223372036854775808)
    """
    return int(content_sha1[:16], 16) - (1 << 63)


def content_fingerprint(body: str, title: str, words: list[str] | None = None) -> str:
    """The duplicate key: the normalised body, plus the title when the body is short
    (``words``: the body's case-folded words, when the caller split them already).

    >>> content_fingerprint("Same short body.", "A") == content_fingerprint("Same short body.", "B")
    False
    >>> long = "word " * 100
    >>> content_fingerprint(long, "A") == content_fingerprint(long, "B")
    True
    """
    if has_letters(body, MIN_FINGERPRINT_LETTERS):
        return normalized_body_sha1(body, words)
    return normalized_body_sha1(f"{title}\n\n{body}")


def _section_text_for_lang(section) -> str:
    return strip_credit(section.text, section.credit) if section.kind == "caption" else section.text


def evidence_text(text: str) -> str:
    r"""The part of a section that is evidence of its language, for the foreign flag.

    Dropped: tweet sign-offs, URLs, e-mail addresses, @handles, #hashtags, tokens with
    digits, ALL-CAPS words, and whole lines whose remaining words are all capitalised
    (names-only lines: "Ilhan Omar, Nancy Pelosi"). Caseless scripts are kept. What is
    left is the words only (punctuation is no evidence either), one line per line.

    >>> evidence_text("ANTONIO PADELLARO MARCO TRAVAGLIO")
    ''
    >>> evidence_text("Great day! https://t.co/x — Donald Trump (@realDonaldTrump) May 3, 2017")
    'Great day'
    >>> evidence_text("Marco Rossi, Giulia Bianchi\nThe talks ended on Friday, NATO said.")
    'The talks ended on Friday said'
    """
    if "(@" in text:
        text = _SIGN_OFF.sub(" ", text)
    kept = []
    for line in _NON_EVIDENCE.sub(" ", text).splitlines():
        words = [w for w in _WORD.findall(line) if len(w) == 1 or not w.isupper()]
        if words and not all(w[0].isupper() for w in words):
            kept.append(" ".join(words))
    return "\n".join(kept)


def same_language(a: str, b: str) -> bool:
    """Languages equal for the foreign flag; Chinese scripts count as one language.

    >>> same_language("zh-cn", "zh-tw")
    True
    """
    return a == b or (a.startswith("zh") and b.startswith("zh"))


def build_rows(batch: list[Parsed], rows: Rows, detector: str | None) -> None:
    """Detect languages for a batch in one call, then emit the article and section rows.

    Every judged section is scored once; each article's body language comes from the
    group of its paragraphs and quotes (:func:`newsetl.langid.detect_grouped`). Then the
    sections that may be foreign (a language, not the article's) have their
    evidence (:func:`evidence_text`) judged against the article's language, in one call
    (:func:`newsetl.langid.detect_against`); the others cannot be foreign (margin 0).
    """
    texts: list[str] = []
    groups: list[list[int]] = []
    owners: list[int] = []
    for k, parsed in enumerate(batch):
        body: list[int] = []
        for section in parsed.seg.sections:
            if section.kind in JUDGED_KINDS:
                if section.kind in BODY_KINDS:
                    body.append(len(texts))
                texts.append(_section_text_for_lang(section))
                owners.append(k)
        groups.append(body)
    per_text, per_body = detect_grouped(texts, groups, detector=detector,
                                        min_letters=MIN_SECTION_LETTERS,
                                        group_min_letters=MIN_BODY_LETTERS)
    per_evidence = [_NO_EVIDENCE] * len(texts)
    todo, evidence, refs = [], [], []
    for i, (text, (s_lang, _)) in enumerate(zip(texts, per_text, strict=True)):
        ref = per_body[owners[i]][0]
        if s_lang == UND or ref == UND or same_language(s_lang, ref):
            continue
        ev = evidence_text(text)
        if has_letters(ev, FOREIGN_MIN_LETTERS):
            todo.append(i)
            evidence.append(ev)
            refs.append(ref)
    for i, judged in zip(todo, detect_against(evidence, refs, detector), strict=True):
        per_evidence[i] = judged
    results = iter(zip(per_text, per_evidence, strict=True))
    for parsed, (lang, prob) in zip(batch, per_body, strict=True):
        _emit(parsed, lang, prob, results, rows)


def is_foreign_section(s_lang: str, lang: str, evidence: tuple[str, float, float]) -> bool:
    """The foreign flag: the section's language and its evidence's differ from the
    article's, the evidence's calibrated probability and margin are high enough.

    >>> is_foreign_section("en", "fr", ("en", 0.99, 6.0))
    True
    >>> is_foreign_section("en", "fr", ("en", 0.7, 6.0))
    False
    >>> is_foreign_section("pt", "it", ("und", 0.0, 0.0))
    False
    """
    ev_lang, ev_prob, margin = evidence
    return bool(s_lang != UND and lang != UND and ev_lang != UND
                and not same_language(s_lang, lang) and not same_language(ev_lang, lang)
                and ev_prob >= FOREIGN_MIN_PROB and margin >= FOREIGN_MIN_MARGIN)


_NO_EVIDENCE = (UND, 0.0, 0.0)


def _emit(parsed: Parsed, lang: str, prob: float, results: Iterator, rows: Rows) -> None:
    item, seg = parsed.item, parsed.seg
    article_id, seq = parsed.content_sha1[:16], item.seq
    foreign = n_paragraphs = n_quotes = n_captions = 0
    label = title = None
    credits = []
    append = rows.sections.append
    for position, section in enumerate(seg.sections):
        kind, text, credit = section.kind, section.text, section.credit
        if kind in JUDGED_KINDS:
            (s_lang, s_prob), ev = next(results)
            is_foreign = ev is not _NO_EVIDENCE and is_foreign_section(s_lang, lang, ev)
            foreign += is_foreign
        else:
            (s_lang, s_prob), ev, is_foreign = (UND, 0.0), _NO_EVIDENCE, False
        if kind == "paragraph":
            n_paragraphs += 1
        elif kind == "quote":
            n_quotes += 1
        elif kind == "caption":
            n_captions += 1
            if credit:
                credits.append(credit)
        elif kind == "title":
            title = text if title is None else title
        elif kind == "section_label":
            label = text if label is None else label
        append({
            "article_id": article_id,
            "position": position,
            "kind": kind,
            "text": text,
            "section_lang": s_lang,
            "section_lang_prob": s_prob,
            "section_lang_margin": ev[2],
            "is_foreign": is_foreign,
            "n_chars": len(text),
            "credit": credit,
            "rule": section.rule,
            "lang": lang,
            "seq": seq,
        })
    body = parsed.body
    rows.articles.append({
        "article_id": article_id,
        "source_file": item.source_file,
        "source_member": item.source_member,
        "section_label": label,
        "title": title,
        "title_source": seg.title_source,
        "author": list(seg.authors),
        "source_name": seg.source_name,
        "dateline": seg.dateline,
        "body": body,
        "lang": lang,
        "lang_prob": prob,
        "n_paragraphs": n_paragraphs,
        "n_quotes": n_quotes,
        "n_captions": n_captions,
        "n_chars": len(body),
        "n_words": len(body.split()) if parsed.n_words is None else parsed.n_words,
        "credits": credits,
        "foreign_sections": foreign,
        "cleaning_rules": parsed.rules,
        "content_sha1": parsed.content_sha1,
        "url": item.meta.get("url"),
        "published": item.meta.get("published"),
        "pipeline_version": PIPELINE_VERSION,
        "seq": seq,
        "raw_sha256": item.raw_sha256,
        "content_key": content_key(parsed.content_sha1),
    })


def process_items(items: Iterable[Item], detector: str | None = None,
                  batch_size: int = 256) -> Iterator[Rows]:
    """Turn items into rows, one :class:`Rows` per batch (bounded memory): a batch ends
    at ``batch_size`` parsed articles or ``batch_size`` rejects, so a file of nothing
    but bad records holds no more than the other kind (a 4 MB JSONL of a million bad
    lines peaked at 919 MB when only articles ended a batch)."""
    rows = Rows()
    batch: list[Parsed] = []
    for item in items:
        if isinstance(item, RejectItem):
            rows.rejects.append(reject_row(item, item.reason, item.detail))
        else:
            try:
                parsed = parse_item(item)
            except Exception as exc:  # noqa: BLE001 - one odd item must not stop the day
                parsed = reject_row(item, reasons.PROCESSING_ERROR,
                                    f"{type(exc).__name__}: {exc}"[:500])
            if isinstance(parsed, dict):
                rows.rejects.append(parsed)
            else:
                batch.append(parsed)
        if len(batch) >= batch_size or len(rows.rejects) >= batch_size:
            if batch:
                build_rows(batch, rows, detector)
            batch = []
            yield rows
            rows = Rows()
    if batch:
        build_rows(batch, rows, detector)
    if rows.articles or rows.rejects:
        yield rows
