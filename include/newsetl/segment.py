"""Split a cleaned article into typed sections.

The text arrives cleaned (see :mod:`newsetl.cleaning`): ``\\n`` line breaks, single
blank lines between blocks, no empty or decorative lines. Each block is split into
units (one paragraph per line, except hard-wrapped lines, which are joined back), and
each unit gets one kind, by the first rule that matches:

1. ``source``: ``SOURCE: NAME`` style trailers (many languages); gives ``source_name``;
2. ``boilerplate``: share / subscribe / newsletter / read-also / copyright lines, bare
   URLs, editor initials;
3. ``section_label``: a short first line before the headline ("TV", "POLITICS");
4. ``title``: the first remaining line (or the record's ``title`` field);
5. ``caption``: a line carrying a photo credit (``©Reuters``, ``(AFP photo)``, ``Photo: X``);
6. ``quote``: a line that opens with a quotation mark (« “ „ " ‹ 「);
7. ``paragraph``: everything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TERMINAL = ".!?…:;»\"”’)]。！？"
# Not "»": at a line start it is more often a quote closed across a line break (Russian
# dumps) than a German »opening« mark.
QUOTE_OPENERS = ("«", "“", "„", '"', "‹", "「", "『", "‚", "”", "‘")
#: Sentence ends a headline does not have (a headline may end with ? or !).
_PERIODS = (".", "。", "．")

# --- source trailers ---------------------------------------------------------------

_SOURCE = re.compile(
    r"^(?:source|sources|quelle|fuente|fonte|fonti|bron|źródło|zdroj|kaynak|källa|kilde|"
    r"источник|джерело|المصدر|منبع|מקור|出典|来源|來源|출처)\s*[:：]\s*(?P<name>.{1,120})$",
    re.IGNORECASE,
)

#: A source trailer names an outlet or a work ("SOURCE: FRENCH PRESS TV"); a long or
#: lower-case continuation is a sentence ("Source: a senior official said ...").
MAX_SOURCE_WORDS = 12


def source_trailer(line: str) -> re.Match | None:
    """The ``SOURCE: NAME`` match of a trailer line, or None.

    >>> source_trailer("SOURCE: FRENCH PRESS TV").group("name")
    'FRENCH PRESS TV'
    >>> source_trailer("Source: a senior official said the talks had stalled.") is None
    True
    """
    match = _SOURCE.match(line)
    if match is None:
        return None
    name = match.group("name")
    words = name.split()
    if len(words) > MAX_SOURCE_WORDS or (name[0].islower() and len(words) >= 4):
        return None  # "dpa", "lemonde.fr" are fine; "a senior official said ..." is not
    return match


# --- boilerplate ---------------------------------------------------------------------

_BOILERPLATE_PHRASES = (
    # en
    "share this", "share on", "share article", "share", "tweet", "subscribe", "subscribe to",
    "sign up",
    "newsletter", "read also", "read more", "also read", "see also", "related:",
    "related articles", "follow us", "click here", "advertisement", "all rights reserved",
    "copyright", "print this", "email this", "comments",
    # fr
    "partager", "partagez", "partagez cet article", "abonnez-vous", "inscrivez-vous",
    "lire aussi", "à lire aussi", "a lire aussi",
    "lire la suite", "voir aussi", "suivez-nous", "tous droits réservés", "publicité",
    "s'abonner", "recevez notre newsletter",
    # de
    "teilen", "artikel teilen", "abonnieren", "lesen sie auch", "mehr zum thema",
    "folgen sie uns", "alle rechte vorbehalten", "anzeige", "werbung", "jetzt abonnieren",
    # es / pt / it
    "compartir", "comparte", "comparte esta noticia", "suscríbete", "suscribete",
    "lee también", "leer más", "síguenos",
    "todos los derechos reservados", "publicidad", "compartilhe", "partilhar", "assine",
    "leia também", "leia mais", "todos os direitos reservados", "condividi", "iscriviti",
    "leggi anche", "tutti i diritti riservati",
    # nl / pl / tr
    "delen", "lees ook", "udostępnij", "czytaj także", "czytaj też", "paylaş",
    "abone ol", "ayrıca okuyun", "tüm hakları saklıdır",
    # ru / uk
    "поделиться", "подписывайтесь", "подпишитесь", "читайте также", "читайте нас",
    "все права защищены", "реклама", "поширити", "читайте також", "подписаться",
    "подписаться на рассылку", "смотрите также",
    # ar / fa / he
    "شارك", "مشاركة", "اشترك", "اقرأ أيضا", "اقرأ أيضاً", "اقرأ المزيد", "تابعونا",
    "جميع الحقوق محفوظة", "اشتراک گذاری", "به اشتراک بگذارید", "بیشتر بخوانید",
    "همچنین بخوانید", "بخوانید", "کلیه حقوق", "تمامی حقوق", "שתפו", "קראו עוד",
    # zh / ja
    "分享", "分享到", "相关阅读", "版权所有", "シェア", "関連記事",
)
_BOILERPLATE = re.compile(
    r"^(?P<phrase>" + "|".join(re.escape(p) for p in sorted(_BOILERPLATE_PHRASES, key=len,
                                                              reverse=True))
    + r")(?:\W|$)",
    re.IGNORECASE,
)
#: Phrases that also open news sentences (nouns, infinitives; not imperatives such as
#: "Síguenos" or "Abonnez-vous"): a line starting with one is boilerplate only when
#: it reads as a button (:func:`_button_rest`).
_AMBIGUOUS_PHRASES = frozenset((
    "share", "tweet", "subscribe", "newsletter", "advertisement", "copyright", "comments",
    "partager", "publicité", "teilen", "anzeige", "werbung", "compartir", "publicidad",
    "partilhar", "assine", "delen", "paylaş", "поделиться", "реклама", "поширити", "شارك",
    "مشاركة", "اشترك", "بخوانید", "分享", "シェア",
))
#: What may follow an ambiguous phrase ("Share", "Anzeige", "شارك") on a boilerplate line.
#: Those words also open news sentences ("Share prices fell", "Anzeige gegen den
#: Bürgermeister erstattet", "شارك آلاف المتظاهرين ..."), which are not boilerplate.
_BUTTON_SEPARATORS = tuple(":：|•·/-–—>»(")
_SOCIAL = frozenset((
    "facebook", "twitter", "x", "whatsapp", "linkedin", "telegram", "email", "e-mail", "mail",
    "pinterest", "reddit", "vk", "vkontakte", "вконтакте", "одноклассники", "weibo", "wechat",
    "微信", "微博", "qq", "instagram", "tiktok", "messenger", "viber", "line", "print", "copy",
    "link", "sms", "threads", "bluesky", "mastodon", "flipboard", "xing",
))
_DEMONSTRATIVES = frozenset((
    "this", "cet", "cette", "ce", "sie", "diesen", "dieses", "diese", "este", "esta", "esto",
    "questo", "questa", "dit", "deze", "tego", "ten", "tę", "bu", "эту", "этой", "этим",
    "это", "هذا", "هذه", "این", "now", "jetzt", "maintenant", "ahora", "here", "ici", "hier",
    "on", "sur", "auf", "en", "в", "على", "در",
))
_BARE_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
#: "© AFP 2024", "(c) 2024 Reuters", "Copyright © 2024 Le Monde", "Copyright 2024" -- not
#: "(c) the third condition ..." nor "Copyright law was overhauled ...".
_COPYRIGHT = re.compile(r"^(?:©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\)|\d{4}))",
                        re.IGNORECASE)
_INITIALS = re.compile(r"^\(?[A-Za-zÀ-ÿ]{1,4}(?:\s?/\s?[A-Za-zÀ-ÿ]{1,5}){0,3}\)?\.?$")
MAX_BOILERPLATE_CHARS = 120

# --- captions and credits ------------------------------------------------------------

def _has_copyright_sign(line: str) -> bool:
    return "©" in line


def _ends_in_parenthesis(line: str) -> bool:
    return line.rstrip(". ").endswith(")")


def _has_slash(line: str) -> bool:
    return "/" in line


def _has_colon(line: str) -> bool:
    return ":" in line or "：" in line


#: (cheap precondition, pattern): most lines meet no precondition and skip every regex.
_CREDIT_PATTERNS = (
    # "... ©Reuters", "/ ©Wikimedia Commons", "© AFP / John Doe"
    (_has_copyright_sign,
     re.compile(r"(?:^|[\s/(|])©\s*(?P<credit>[^©\n]{1,60}?)\s*\)?\.?$")),
    # "(AP Photo/Evan Vucci)"
    (_ends_in_parenthesis,
     re.compile(r"\((?P<credit>[A-Z][\w&.-]*(?:\s[A-Z][\w&.-]*){0,2}\s+Photo/[^()]{1,60})"
                r"\)\.?$")),
    # "(Photo by Chip Somodevilla/Getty Images)"
    (_ends_in_parenthesis, re.compile(r"\(photo by (?P<credit>[^()]{1,80})\)\.?$", re.I)),
    # "(AFP photo)", "(Reuters Photo)"
    (_ends_in_parenthesis,
     re.compile(r"\((?P<credit>[^()]{1,40}?)\s+(?:photo|photos|foto|fotos)\)\.?$", re.I)),
    # "(Photo: AFP)", "(Foto: dpa)", "(Photo AFP)"
    (_ends_in_parenthesis,
     re.compile(r"\((?:photo|foto|фото|صورة|عکس)\s*(?:credit)?\s*[:：]?\s*"
                r"(?P<credit>[^()]{1,60})\)\.?$", re.I)),
    # "REUTERS/Kevin Lamarque", "EFE/Juan Carlos Hidalgo" at the end of a line
    (_has_slash,
     re.compile(r"(?:^|\s)(?P<credit>(?:REUTERS|Reuters|AFP|EPA|EFE|EPA-EFE|AP|ANSA|dpa|DPA|"
                r"XINHUA|Xinhua|TASS|ТАСС|Anadolu)/[^\s/][^/\n]{0,60}?)\.?$")),
    # "Photo: X" / "Crédit photo : X" / "Foto: dpa/M. Kappeler" closing a line, after
    # the caption's last sentence (not "... ein klares Bild: Nichts geht mehr")
    (_has_colon, re.compile(
        r"(?:^|[.|/(])\s*(?:photo|foto|фото|crédit photo|credit photo|photo credit|crédit|"
        r"credit|bild|صورة|عکس|تصویر)\s*[:：]\s*"
        r"(?P<credit>(?:[^.:\n]|(?<=[A-Z])\.(?=\s))(?:[^.:\n]|(?<=[A-Z])\.(?=\s)){0,59}?)"
        r"\s*\.?$",
        re.I,
    )),
)
#: "(file photo)", "(archive photo)": a caption marker, not a credit.
_NOT_CREDITS = frozenset(("file", "archive", "archives", "stock", "illustration",
                          "illustrative", "handout"))
MAX_CREDIT_WORDS = 6
MAX_CAPTION_CHARS = 500


def find_credit(line: str) -> str | None:
    """The photo credit a caption ends with, or None.

    >>> find_credit("Le porte-avions au large de la Norvège. ©Reuters")
    'Reuters'
    >>> find_credit("Speaker Nancy Pelosi on the Capitol steps. (AFP photo)")
    'AFP'
    >>> find_credit("Der Kanzler in Berlin. Foto: dpa")
    'dpa'
    >>> find_credit("A view of the harbour / ©Wikimedia Commons")
    'Wikimedia Commons'
    >>> find_credit("MOSCOW (Reuters) - Russia said on Monday it would talk.") is None
    True
    >>> find_credit("President Biden at the White House. (AP Photo/Evan Vucci)")
    'AP Photo/Evan Vucci'
    >>> find_credit("Die Kanzlerin in Berlin. Foto: dpa/M. Kappeler")
    'dpa/M. Kappeler'
    >>> find_credit("Für die Pendler ergibt sich ein klares Bild: Nichts geht mehr") is None
    True
    """
    if len(line) > MAX_CAPTION_CHARS:
        return None
    for applies, pattern in _CREDIT_PATTERNS:
        if not applies(line):
            continue
        match = pattern.search(line)
        if match:
            credit = match.group("credit").strip(" .,;:-–—/()")
            if (credit and credit.casefold() not in _NOT_CREDITS
                    and len(credit.split()) <= MAX_CREDIT_WORDS):
                return credit
    return None


# --- datelines -----------------------------------------------------------------------

#: ", Jan 5" / ", March 3" inside a dateline ("WASHINGTON, Jan 5 (Reuters) -").
_DATE_PART = re.compile(r",?\s*\b[A-Z][a-z]{2,8}\.?\s+\d{1,2}\b")
_DATELINE = re.compile(r"^(?P<dateline>[^\W\d][^–—\-:]{1,40}?)\s*[–—-]{1,2}\s+\S")


def find_dateline(paragraph: str) -> str | None:
    """An opening dateline (``PARIS –``, ``MOSCOW (Reuters) -``): upper-case place names.

    >>> find_dateline("MOSCOW (Reuters) - Russia said on Monday")
    'MOSCOW (Reuters)'
    >>> find_dateline("PARIS – Le gouvernement a annoncé")
    'PARIS'
    >>> find_dateline("Paris – le gouvernement") is None
    True
    >>> find_dateline("WASHINGTON, Jan 5 (Reuters) - The Senate voted")
    'WASHINGTON, Jan 5 (Reuters)'
    >>> find_dateline("Berlin (dpa) - Die Regierung")
    'Berlin (dpa)'
    >>> find_dateline("القاهرة، 5 يناير (رويترز) - قرر البنك المركزي")
    'القاهرة، 5 يناير (رويترز)'
    >>> find_dateline("ثانيا - قرر البنك المركزي") is None
    True
    >>> find_dateline("EU – Die Kommission hat") is None
    True
    """
    match = _DATELINE.match(paragraph)
    if not match:
        return None
    dateline = match.group("dateline").strip()
    agency = re.search(r"\([^)]{2,30}\)", dateline) is not None
    place = _DATE_PART.sub(" ", re.sub(r"\([^)]*\)", " ", dateline)).replace(",", " ")
    place = re.sub(r"\d+", "", place).strip()
    words = place.split()
    letters = [c for c in place if c.isalpha()]
    if len(letters) < 3 or len(words) > 4:
        return None
    if all(c.isupper() for c in letters):  # PARIS, BADEN-BADEN
        return dateline
    if not any(c.isupper() or c.islower() for c in letters):
        # Arabic, Persian: no case to tell a place from "ثانيا -" (secondly), so only
        # with a date after a comma or an agency: "سيئول، 28 نوفمبر (يونهاب) -"
        return dateline if agency or "،" in dateline or "," in dateline else None
    if agency and all(w[0].isupper() for w in words):  # Paris (AFP), Berlin (dpa)
        return dateline
    return None


# --- section model -------------------------------------------------------------------


@dataclass
class Section:
    """One typed unit of an article, in reading order."""

    kind: str
    text: str
    credit: str | None = None


@dataclass
class Segmented:
    """All sections of one article plus the facts found while typing them."""

    sections: list[Section] = field(default_factory=list)
    source_name: str | None = None
    dateline: str | None = None

    def of_kind(self, *kinds: str) -> list[Section]:
        return [s for s in self.sections if s.kind in kinds]


def _ends_sentence(line: str) -> bool:
    return line.rstrip()[-1:] in TERMINAL


def split_units(text: str) -> list[str]:
    """Blocks on blank lines; lines within a block are units, hard wraps joined back.

    A line is joined to the previous one when the previous does not end a sentence and
    this one starts with a lower-case letter (a wrapped paragraph).

    >>> split_units("Title\\n\\nFirst line of a para\\nwrapped here.\\nNew para.")
    ['Title', 'First line of a para wrapped here.', 'New para.']

    A capitalised next line is joined too when the whole block is hard-wrapped at a
    fixed column (every line but the last fills the block's width: German nouns, names
    at a line start), which a list of short headlines is not:

    >>> len(split_units("Der Minister kündigte am Dienstag in Berlin überraschend eine\\n"
    ...                 "Anzeige gegen die Streikleitung an und sprach von Erpressung."))
    1
    """
    units: list[str] = []
    for block in text.split("\n\n"):
        lines = [line for line in block.split("\n") if line]
        wrapped = _hard_wrapped(lines)
        current: str | None = None
        for line in lines:
            if current is not None and not _ends_sentence(current) and (
                    line[0].islower() or (wrapped and _continues(current, line))):
                current = f"{current} {line}"
            else:
                if current is not None:
                    units.append(current)
                current = line
        if current is not None:
            units.append(current)
    return units


#: Hard-wrapped lines are at least this wide and this close to the block's widest line.
MIN_WRAP_WIDTH = 50
WRAP_FILL = 0.8


def _continues(current: str, line: str) -> bool:
    """A capitalised line may continue a wrapped one unless either stands alone as a
    boilerplate or source line ("Read more: ..." then "© 2024 ...")."""
    return (line[0].isalpha() and not is_boilerplate(line) and not is_boilerplate(current)
            and not _SOURCE.match(line))


def _hard_wrapped(lines: list[str]) -> bool:
    """Whether a block of several lines was cut at a fixed column."""
    if len(lines) < 2:
        return False
    width = max(map(len, lines))
    return width >= MIN_WRAP_WIDTH and all(len(line) >= WRAP_FILL * width and " " in line
                                           for line in lines[:-1])


def is_boilerplate(line: str) -> bool:
    """Share/subscribe/read-also lines, copyright footers, bare URLs, editor initials.

    >>> is_boilerplate("Partager Cet Article")
    True
    >>> is_boilerplate("Lesen Sie auch: Die Bahn streikt wieder")
    True
    >>> is_boilerplate("https://example.com/a/b")
    True
    >>> is_boilerplate("(JM/AFP)")
    True
    >>> is_boilerplate("Share prices fell sharply on Monday after the announcement.")
    False
    >>> is_boilerplate("Anzeige gegen den Bürgermeister erstattet.")
    False
    >>> is_boilerplate("Share: Facebook Twitter WhatsApp")
    True
    >>> is_boilerplate("Share-price rally continues")
    False
    >>> is_boilerplate("Facebook Twitter WhatsApp E-mail")
    True
    """
    if len(line) > MAX_BOILERPLATE_CHARS:
        return False
    if _BARE_URL.match(line) or _COPYRIGHT.match(line):
        return True
    if _INITIALS.match(line) and (any(c.isupper() for c in line) and "/" in line or
                                   line.startswith("(")):
        return True
    first = line.split(maxsplit=1)[0].strip(",;|·•").casefold() if line.strip() else ""
    if first in _SOCIAL and _only_social(line.split()):
        return True
    match = _BOILERPLATE.match(line)
    if not match:
        return False
    if match.group("phrase").casefold() in _AMBIGUOUS_PHRASES:
        return _button_rest(line[match.end("phrase"):].strip())
    # "Read more about the budget ..." is news: a boilerplate line is short or ends
    # without a period.
    return len(line.split()) <= 6 or not line.endswith(".")


def _only_social(words: list[str]) -> bool:
    return len(words) >= 2 and all(w.strip(",;|·•").casefold() in _SOCIAL for w in words)


def _button_rest(rest: str) -> bool:
    """Whether what follows a one-word phrase makes the line a button, not a sentence:
    nothing, a separator, network names, or "this article" / "on Facebook" words."""
    if not rest or rest[0] == "(" or (rest.startswith(_BUTTON_SEPARATORS)
                                      and rest[1:2] in ("", " ")):
        return True  # "Share: ...", "Share | ...", not "Share-price rally continues"
    words = rest.split()
    if _only_social(words) or (len(words) == 1 and words[0].casefold() in _SOCIAL):
        return True
    return (len(words) <= 3 and words[0].casefold() in _DEMONSTRATIVES
            and rest[-1] not in ".!?…。")


def _looks_like_label(line: str, next_line: str | None) -> bool:
    """A short first line followed by a headline-like line.

    Short means at most 30 characters and 3 words, without sentence punctuation; and
    either written in capitals ("POLITICS", "ОБЩЕСТВО") or of at most two words ("TV",
    "اقتصاد"). The next line must look like a headline: not a caption, quote or
    boilerplate, at most 250 characters, not ending with a period.

    >>> _looks_like_label("TV", "Khalifa Haftar à bord du porte-avions russe")
    True
    >>> _looks_like_label("Brexit vote", "Parliament votes today on the deal.")
    False
    >>> _looks_like_label("Streik bei der Bahn", "Reisende am Bahnsteig. Foto: dpa")
    False
    """
    words = line.split()
    if next_line is None or len(line) > 30 or len(words) > 3:
        return False
    if _unspaced(line) and len(line) > MAX_UNSPACED_LABEL:  # a CJK headline, not a label
        return False
    if line[-1] in TERMINAL or line.startswith(QUOTE_OPENERS):
        return False
    if not (line.isupper() or len(words) <= 2):
        return False
    if next_line.startswith(QUOTE_OPENERS) or find_credit(next_line) or is_boilerplate(next_line):
        return False
    return len(next_line) <= 250 and not next_line.endswith(_PERIODS)


#: Scripts written without spaces count words badly: a label there is a few characters.
MAX_UNSPACED_LABEL = 8
_UNSPACED = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")


def _unspaced(line: str) -> bool:
    """A line in a script written without spaces between words (CJK, Thai).

    >>> _unspaced("国务院召开常务会议"), _unspaced("TV")
    (True, False)
    """
    return " " not in line and _UNSPACED.search(line) is not None


def _same_title(a: str, b: str) -> bool:
    """Whether a line repeats a given title (case, spacing and a final period aside).

    >>> _same_title("Khalifa Haftar à bord.", "KHALIFA HAFTAR à  bord")
    True
    """
    def norm(t: str) -> str:
        return " ".join(t.casefold().split()).rstrip(" .。!?！？:")
    return norm(a) == norm(b)


def segment(text: str, title_hint: str | None = None) -> Segmented:
    """Type every unit of a cleaned article.

    ``title_hint`` is a title given beside the text (a JSONL ``title`` field); when the
    text does not start with it, it becomes the title section.
    """
    result = Segmented()
    units = split_units(text)
    out = result.sections
    start = 0
    following = units[1] if len(units) > 1 else None
    if title_hint and units and _same_title(units[0], title_hint):
        following = None  # the text opens with the title itself: no label before it
    if (units and _looks_like_label(units[0], following)
            and not is_boilerplate(units[0]) and not source_trailer(units[0])
            and (not title_hint or _same_title(following or "", title_hint))):
        out.append(Section("section_label", units[0]))
        start = 1
    if title_hint:
        if start < len(units) and _same_title(units[start], title_hint):
            start += 1  # the text repeats the record's title: keep it once
        out.append(Section("title", title_hint))
    elif start < len(units):
        out.append(Section("title", units[start]))
        start += 1
    for unit in units[start:]:
        out.append(classify_unit(unit, result))
    return result


def classify_unit(unit: str, result: Segmented) -> Section:
    """Type one body unit (after the label and title)."""
    source = source_trailer(unit)
    if source:
        result.source_name = source.group("name").strip(" .")
        return Section("source", unit)
    if is_boilerplate(unit):
        return Section("boilerplate", unit)
    credit = find_credit(unit)  # before quotes: a caption may open with a quoted title
    if credit is not None:
        return Section("caption", unit, credit=credit)
    if unit.startswith(QUOTE_OPENERS):
        return Section("quote", unit)
    if result.dateline is None and not any(s.kind == "paragraph" for s in result.sections):
        result.dateline = find_dateline(unit)
    return Section("paragraph", unit)


def strip_credit(caption: Section) -> str:
    """Caption text without its trailing credit, for language detection.

    >>> strip_credit(Section("caption", "Le porte-avions russe. ©Reuters", "Reuters"))
    'Le porte-avions russe.'
    >>> strip_credit(Section("caption", "The senator. (Photo by A. B/Getty Images)",
    ...                      "A. B/Getty Images"))
    'The senator.'
    >>> strip_credit(Section("caption", "Le président. Crédit photo : AFP", "AFP"))
    'Le président.'
    """
    text = caption.text
    if caption.credit:
        cut = text.rfind(caption.credit)
        if cut > 0:
            text = _CREDIT_LEAD.sub("", text[:cut].rstrip(" ©(/|:-–—")).rstrip()
    return text


#: What may stand before a credit: "Photo", "(Photo by", "Crédit photo :", "Фото".
_CREDIT_LEAD = re.compile(
    r"[\s(]*(?:photo by|crédit photo|credit photo|photo credit|photo|foto|фото|crédit|credit|"
    r"bild)\s*[:：]?\s*$", re.IGNORECASE)
