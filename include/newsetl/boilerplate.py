"""Lines that are not article content: share bars, footers, widgets, timestamps, trailers.

Each test is a small named predicate; :func:`boilerplate_rule` returns the name of the
first one that matches, which becomes the section's ``rule`` (the audit trail). The
word lists live in :mod:`newsetl.lexicon`.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from newsetl import lexicon
from newsetl.citations import is_citation_list
from newsetl.units import footer_here

MAX_BOILERPLATE_CHARS = 120
#: A footer line (licence, reprint notice, widget text) may be a long sentence.
MAX_FOOTER_CHARS = 600

# --- source trailers ---------------------------------------------------------------

_SOURCE = re.compile(
    r"^\(?(?:" + "|".join(lexicon.SOURCE_WORDS) + r")\s*[:：]\s*(?P<name>[^()]{1,120}?)\)?$",
    re.IGNORECASE,
)
#: A source trailer names an outlet or a work ("SOURCE: FRENCH PRESS TV"); a long or
#: lower-case continuation is a sentence ("Source: a senior official said ...").
MAX_SOURCE_WORDS = 12


def source_trailer(line: str) -> re.Match | None:
    """The ``SOURCE: NAME`` match of a trailer line, or None.

    >>> source_trailer("SOURCE: FRENCH PRESS TV").group("name")
    'FRENCH PRESS TV'
    >>> source_trailer("(Source: Reuters)").group("name")
    'Reuters'
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


# --- share bars and button phrases ----------------------------------------------------

def _accentless_table() -> dict[int, str]:
    """Latin letters with diacritics mapped to their base letter, one character for one
    (offsets stay valid): "Síguenos" and "Siguenos", "MÁS" and "MAS" match alike."""
    table = {}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base != chr(code) and base.isascii() and base.isalpha():
            table[code] = base
    return table


_ACCENTLESS = _accentless_table()


def accentless(text: str) -> str:
    """``text`` with Latin diacritics dropped, as long as it was.

    >>> accentless("Síguenos · MÁS INFORMACIÓN · Dowiedz się więcej")
    'Siguenos · MAS INFORMACION · Dowiedz sie wiecej'
    """
    return text.translate(_ACCENTLESS)


_PHRASE = re.compile(
    r"^(?P<phrase>" + "|".join(re.escape(p) for p in sorted(
        {accentless(p) for p in lexicon.BOILERPLATE_PHRASES}, key=len, reverse=True))
    + r")(?:\W|$)",
    re.IGNORECASE,
)
#: Marks a link label may open with: ">> Mehr lesen: …", "[Read: …]", "■関連記事".
_LABEL_MARKS = " >»›▶►→•■□◆◇●【[(「"
_BUTTON_SEPARATORS = tuple(":：|•·/-–—>»(")


def _only_social(words: list[str]) -> bool:
    return len(words) >= 2 and all(w.strip(",;|·•").casefold() in lexicon.SOCIAL
                                   for w in words)


def _button_rest(rest: str) -> bool:
    """Whether what follows a one-word phrase makes the line a button, not a sentence:
    nothing, a separator, network names, or "this article" / "on Facebook" words."""
    if not rest or rest[0] == "(" or (rest.startswith(_BUTTON_SEPARATORS)
                                      and rest[1:2] in ("", " ")):
        return True  # "Share: ...", "Share | ...", not "Share-price rally continues"
    words = rest.split()
    if _only_social(words) or (len(words) == 1 and words[0].casefold() in lexicon.SOCIAL):
        return True
    return (len(words) <= 3 and accentless(words[0].casefold()) in _DEMONSTRATIVES
            and rest[-1] not in ".!?…。")


def is_share_bar(line: str) -> bool:
    """A line of network names only.

    >>> is_share_bar("Facebook Twitter WhatsApp E-mail"), is_share_bar("Facebook said")
    (True, False)
    """
    first = line.split(maxsplit=1)[0].strip(",;|·•").casefold() if line.strip() else ""
    return first in lexicon.SOCIAL and _only_social(line.split())


def is_button_phrase(line: str) -> bool:
    """Share / subscribe / read-also / related lines (many languages).

    >>> is_button_phrase("Partager Cet Article"), is_button_phrase("Share: Facebook Twitter")
    (True, True)
    >>> is_button_phrase("Share prices fell sharply on Monday after the announcement.")
    False
    >>> is_button_phrase("Read more about the budget plans the minister presented today.")
    False
    >>> is_button_phrase("Leia aqui a matéria com o título corrigido.")
    True
    >>> is_button_phrase("Siguenos en Telegram"), is_button_phrase(">> Mehr lesen: Die Bahn")
    (True, True)
    """
    if len(line) > MAX_BOILERPLATE_CHARS:
        return False
    line = accentless(line.lstrip(_LABEL_MARKS))
    match = _PHRASE.match(line)
    if not match:
        return False
    phrase = match.group("phrase").casefold()
    if phrase in _AMBIGUOUS:
        return _button_rest(line[match.end("phrase"):].strip())
    if phrase.rsplit(" ", 1)[-1] in _HERE:
        return True  # "Leia aqui a matéria ...", "Click here to ...": a link prompt
    # "Read more about the budget ..." is news: a boilerplate line is short or ends
    # without a period.
    return len(line.split()) <= 6 or not line.endswith(".")


_HERE = frozenset(("here", "aqui", "ici", "qui", "hier", "здесь", "тут"))
_AMBIGUOUS = frozenset(accentless(p) for p in lexicon.AMBIGUOUS_PHRASES)
_DEMONSTRATIVES = frozenset(accentless(w) for w in lexicon.DEMONSTRATIVES)


# --- rights, urls, initials, footers ----------------------------------------------------

_BARE_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
#: "© AFP 2024", "(c) 2024 Reuters", "Copyright © 2024 Le Monde", "Copyright 2024",
#: "Copyright @ 2026 ...", "<Copyright ⓒ ..." -- not "(c) the third condition ..." nor
#: "Copyright law was overhauled ...".
_COPYRIGHT = re.compile(r"^<?(?:[©ⓒ]|\(c\)\s*\d{4}|copyright\s*(?:[©ⓒ@]|\(c\)|\d{4}))",
                        re.IGNORECASE)
_RIGHTS = re.compile(r"(?:19|20)\d\d|rights|droits|rechte|derechos|права|حقوق|版权|reserved",
                     re.IGNORECASE)
_INITIALS = re.compile(r"^\(?[A-Za-zÀ-ÿА-Яа-я]{1,4}(?:\s?/\s?[A-Za-zÀ-ÿА-Яа-я]{1,5}){0,3}\)?\.?$")


def is_bare_url(line: str) -> bool:
    """A line that is only a link.

    >>> is_bare_url("https://example.com/a/b"), is_bare_url("see https://x.org")
    (True, False)
    """
    return _BARE_URL.match(line) is not None


def is_copyright(line: str) -> bool:
    """A rights line: ``© 2024 X``, ``Copyright © X. All rights reserved`` -- not a
    ©-first caption credit ("© Reuters / John Doe", "©AFP. Protesters in ...").

    >>> is_copyright("© AFP 2024"), is_copyright("Copyright © Le Monde. All rights reserved")
    (True, True)
    >>> is_copyright("© Reuters / John Doe"), is_copyright("Copyright law was overhauled.")
    (False, False)
    """
    if len(line) > MAX_BOILERPLATE_CHARS or not _COPYRIGHT.match(line):
        return False
    return not line.startswith("©") or _RIGHTS.search(line) is not None


#: Wire-copy end marks.
END_MARKS = frozenset(("END", "ENDS", "30", "0", "###", "FIN", "КОНЕЦ", "انتهى"))


def is_editor_initials(line: str) -> bool:
    """Desk or editor initials closing an article: "(JM/AFP)", "EF/MA", "FK/ML END MNA".

    >>> is_editor_initials("(JM/AFP)"), is_editor_initials("EF/MA"), is_editor_initials("Yes")
    (True, True, False)
    >>> is_editor_initials("FK/ML END MNA"), is_editor_initials("AC/DC ROCKS ON TOUR")
    (True, False)
    >>> is_editor_initials("END"), is_editor_initials("-30-"), is_editor_initials("AK/")
    (True, True, True)
    >>> is_editor_initials("-0-"), is_editor_initials("// انتهى //")
    (True, True)
    """
    if len(line) > 40:
        return False
    if line.strip(" .-()#/") in END_MARKS:
        return True
    if _INITIALS.match(line) is not None:
        return any(c.isupper() for c in line) and "/" in line or line.startswith("(")
    words = line.split()
    return ("/" in words[0] and len(words) <= 3 and len(line) <= 20 and line.isupper()
            and all(len(w) <= 5 for w in words)) if words else False


_CRUMB = re.compile(r"\s[»›>]\s")
_CRUMB_LEAD = re.compile(r"[»›]\s?\S")
#: A line that only opens with » and has more words than this and a sentence end is a
#: quotation in the Danish, German or Swedish style (»Vi vil vise ..., siger hun.), not
#: a path item ("» U.S.A.", "» Middle East & North Africa").
MAX_LEAD_CRUMB_WORDS = 6


def is_breadcrumb(line: str) -> bool:
    """Navigation paths: "Home » World » Africa", "» Americas", "News > Politics".

    >>> is_breadcrumb("Regions and Countries » Americas » East Asia"), is_breadcrumb("» Chad")
    (True, True)
    >>> is_breadcrumb("Il a dit « oui » et il est parti.")
    False
    >>> is_breadcrumb("»Vi vil vise aarhusianerne, at køkkenet kan mere, siger hun.")
    False
    """
    if len(line) > 300 or not ("»" in line or "›" in line or ">" in line) or "«" in line:
        return False
    if _CRUMB.search(line) is not None:
        return True
    if _CRUMB_LEAD.match(line) is None:
        return False
    return not (line[0] == "»" and len(line.split()) > MAX_LEAD_CRUMB_WORDS
                and line.rstrip("«»”\"")[-1:] in ".!?…")


def is_footer(line: str) -> bool:
    """A licence/reprint/widget/follow/subscribe footer (:data:`lexicon.FOOTER_OPENERS`).

    >>> is_footer("This article is republished from The Conversation under a Creative "
    ...           "Commons license.")
    True
    >>> is_footer("Follow him on Twitter here.")
    True
    >>> is_footer("He said he would follow them on the campaign trail.")
    False
    """
    return len(line) <= MAX_FOOTER_CHARS and footer_here(line)


_WIDGET = re.compile("(?:" + "|".join(lexicon.WIDGET_OPENERS) + ")", re.IGNORECASE)


def is_widget_line(line: str) -> bool:
    """An ad, paywall or feedback widget's line (:data:`lexicon.WIDGET_OPENERS`).

    >>> is_widget_line("This advertisement has not loaded yet, but your article continues "
    ...                "below.")
    True
    >>> is_widget_line("The advertisement has been banned by the regulator.")
    False
    """
    return len(line) <= MAX_FOOTER_CHARS and _WIDGET.match(line) is not None


_PROMO = re.compile("|".join(lexicon.PROMO_PHRASES), re.IGNORECASE)
#: The cue words without their first letter (either case passes): a cheap gate.
_PROMO_GATES = tuple(cue[1:] for cue in lexicon.PROMO_CUES)
#: Promo lines are short; a long paragraph that mentions a newsletter is news.
MAX_PROMO_CHARS = 250


def is_promo_line(line: str) -> bool:
    """A short line that asks the reader to sign up for a newsletter or a feed.

    >>> is_promo_line("Ground Game: Sign up for AP’s weekly politics newsletter to get it "
    ...               "in your inbox every Monday.")
    True
    >>> is_promo_line("Get the latest news from thewest.com.au in your inbox.")
    True
    >>> is_promo_line("The newsletter, founded in 1998, has 40,000 readers.")
    False
    """
    return (len(line) <= MAX_PROMO_CHARS and any(c in line for c in _PROMO_GATES)
            and _PROMO.search(line) is not None)


_READING_TIME = re.compile("|".join(lexicon.READING_TIME), re.IGNORECASE)
#: A reading time is given in minutes: one of these is in the line (a cheap gate).
_MINUTE_UNITS = ("min", "Min", "MIN", "мин", "Мин", "dk", "분", "分")
#: Reading-time lines are short: "Stand: 10:49 UhrLesedauer: 5 Minuten".
MAX_READING_TIME_CHARS = 80


def is_reading_time(line: str) -> bool:
    """A short line that says how long the article takes to read.

    >>> is_reading_time("Stand: 10:49 UhrLesedauer: 5 Minuten")
    True
    >>> is_reading_time("Published Jun 05, 2026 • 3 minute read")
    True
    >>> is_reading_time("It takes 3 minutes to read the whole report, she said.")
    False
    """
    return (len(line) <= MAX_READING_TIME_CHARS and any(u in line for u in _MINUTE_UNITS)
            and _READING_TIME.search(line) is not None)


_CONTRIBUTOR_OPENER = re.compile(
    r"^[(\[—–-]*\s*(?:" + "|".join(re.escape(w) for w in sorted(
        lexicon.CONTRIBUTOR_OPENERS, key=len, reverse=True)) + r")\b\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE)
_CONTRIBUTOR_END = re.compile(
    r"\b(?:" + "|".join(re.escape(w) for w in lexicon.CONTRIBUTOR_ENDS)
    + r")\b[^.]{0,40}[.)\]]*$|\b(?:" + "|".join(lexicon.CONTRIBUTOR_ROLES)
    + r")\b.{0,120}\bcontributed[.)\]]*$", re.IGNORECASE)
_OPENER_PREFIXES = tuple(sorted({w.split()[0] for w in lexicon.CONTRIBUTOR_OPENERS}))
_OPENER_INITIALS = frozenset(c for w in _OPENER_PREFIXES for c in (w[0], w[0].upper()))
#: Contributor lines are short; a longer line is a paragraph that mentions reporting.
MAX_CONTRIBUTOR_WORDS = 40
_NAME_LINKS = frozenset(("and", "&", "in", "de", "da", "del", "van", "von", "der", "al",
                         "el", "the", "y", "e", "et", "und", "la", "le", "from"))


def _names_follow(rest: str) -> bool:
    """Whether the text up to the first ``;`` or ``,`` is names (or an outlet): every
    word capitalised but linking words ("Maya Gebeilly in Beirut", "The Associated
    Press")."""
    words = re.split(r"[;,]", rest, maxsplit=1)[0].split()
    return bool(words) and all(w[0].isupper() or w.casefold() in _NAME_LINKS
                               or w.casefold() in lexicon.CONTRIBUTOR_ROLES
                               or not w[0].isalpha() for w in words)


def is_contributor_line(line: str) -> bool:
    """A line that credits reporters and editors besides the author.

    >>> is_contributor_line("Reporting by Maya Gebeilly in Beirut; Editing by Daniel Flynn")
    True
    >>> is_contributor_line("—Associated Press writer John Leicester in Paris contributed "
    ...                     "to this report.")
    True
    >>> is_contributor_line("With files from The Associated Press")
    True
    >>> is_contributor_line("With reporting by Associated Press writer Sheikh Saaliq")
    True
    >>> is_contributor_line("AP writers Jane Doe and John Roe contributed.")
    True
    >>> [is_contributor_line(x) for x in ("Reporting by the BBC showed that prices rose.",
    ...  "The minister said the firm contributed.", "Exports contributed to this report's "
    ...  "figures, the bank said in a statement on Monday after a long review of trade.")]
    [False, False, False]
    """
    head = line[:40].lstrip("([—–- ")
    if head[:1] in _OPENER_INITIALS and head.casefold().startswith(_OPENER_PREFIXES):
        opener = _CONTRIBUTOR_OPENER.match(line)
        if opener is not None and len(line.split()) <= MAX_CONTRIBUTOR_WORDS:
            return not opener.group("rest") or _names_follow(opener.group("rest"))
    return ((line[:1].isupper() or line[:1] in "—–-([")
            and ("ontributed" in line or "ONTRIBUTED" in line)
            and len(line.split()) <= MAX_CONTRIBUTOR_WORDS
            and _CONTRIBUTOR_END.search(line) is not None)


_BIO = re.compile(
    r"^[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3} (?:is|was|has been|covers|writes)\b.{0,60}?\b(?:"
    + "|".join(lexicon.BIO_ROLES) + r")s?\b", re.UNICODE)


def is_author_bio(line: str) -> bool:
    """"<Name> is a reporter for ..." lines (checked near the end of an article only).

    >>> is_author_bio("Jane Doe is a senior reporter for Example News.")
    True
    >>> is_author_bio("The minister is a former reporter, his office said in a statement "
    ...               "released on Sunday evening after weeks of questions.")
    False
    """
    return len(line) <= 300 and _BIO.match(line) is not None


_TIME_WORDS = frozenset((
    "updated", "update", "published", "posted", "last", "modified", "am", "pm", "a.m",
    "p.m", "gmt", "utc", "et", "est", "edt", "pst", "pdt", "cet", "cest", "bst", "ist",
    "msk", "jst", "at", "on", "of", "the", "th", "st", "nd", "rd", "le", "de", "del", "el",
    "der", "um", "uhr", "h", "min", "mis", "à", "a", "jour", "mis à jour", "ago", "hours",
    "hour", "minutes", "mins", "hrs", "read", "time", "aktualisiert", "actualizado",
    "publicado", "publié", "обновлено", "опубликовано", "в", "г", "года", "year",
))


#: One capitalised word and a comma or colon before a date with a month and a year.
_LABELLED_DATE = re.compile(
    r"^[^\W\d_][^\W\d_]{1,20}[,:]\s+(?P<date>(?=.*\b(?:19|20)\d\d\b)(?=.*[^\W\d_]{3}).+)$")


#: A clock time with at most two one- or two-letter words (a time zone or "am/pm" in
#: any script: "14:23 ت م", "9.30 h"), the whole line no longer than this.
_CLOCK_LINE = re.compile(r"^\W*(?:[^\W\d_]{1,2}\.?\s+){0,2}\d{1,2}[:.h]\d{2}"
                         r"(?:\s+[^\W\d_]{1,2}\.?){0,2}\W*$")
MAX_CLOCK_LINE_CHARS = 24


def is_timestamp(line: str) -> bool:
    """A line that is only a date and/or time ("Sunday, March 3, 2019", "Updated 12:30 GMT").

    >>> is_timestamp("Sunday, March 3, 2019"), is_timestamp("Updated: 12:30 GMT")
    (True, True)
    >>> is_timestamp("March 3 was a big day"), is_timestamp("18/03/2016 11h09")
    (False, True)
    >>> is_timestamp("Announcement, December 14, 2012"), is_timestamp("Paris, 12 ans")
    (True, False)
    >>> is_timestamp("08:39, 06 Jan 2026Updated 08:41, 06 Jan 2026")
    True
    >>> is_timestamp("2025年1月14日 01時28分 (1月14日 01時40分更新)")
    True
    >>> is_timestamp("February 28 2024, 9:54 a.m.")
    True
    >>> is_timestamp("| UPDATED: 11:50, Thu, Jul 18, 2024")
    True
    >>> is_timestamp("Sun Yang, 2024"), is_timestamp("2024年の経済")
    (False, False)
    >>> is_timestamp("14:23 ت م"), is_timestamp("At 10:30 he is in.")
    (True, False)
    """
    if len(line) > 80:
        return False
    if len(line) <= MAX_CLOCK_LINE_CHARS and _CLOCK_LINE.match(line):
        return True
    label = _LABELLED_DATE.match(line)
    if label:  # "Announcement, December 14, 2012": a page's kind and date
        line = label.group("date")
    words = re.findall(r"[^\W_]+", line.casefold())
    if not words or not any(c.isdigit() for c in line):
        return False
    return all(_time_word(w) or _glued_time_words(w) for w in words)


_MONTH_SET = frozenset(lexicon.MONTHS)
#: Weekday and month abbreviations of page timestamps ("11:48, Thu, Jul 18, 2024", "12.
#: MÄR 2025 18:03"): here only, as "Sun" or "Sat" opens names elsewhere.
_ABBREVIATIONS = frozenset((
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    "mär", "mrz", "okt", "dez", "m", "p", "duration",
))
#: Chinese, Japanese and Korean date and time characters ("2025年1月14日 01時28分更新",
#: "2024년 1월 14일"); Han and kana are compared one character at a time.
_CJK_TIME = frozenset("年月日時时分秒更新公開开配信发布년월일시분")
#: A word a scraper glued together: digit runs, single Han or kana, other letter runs.
_GLUED_PARTS = re.compile(r"\d+|[\u3040-\u30ff\u3400-\u9fff]|[^\W\d_]+")


def _time_word(word: str) -> bool:
    return (_time_token(word) or word in lexicon.WEEKDAYS or word in _MONTH_SET
            or word in _TIME_WORDS or word in _ABBREVIATIONS)


def _glued_time_words(word: str) -> bool:
    """A word made of time words glued together ("2026updated", "01mis", "14日")."""
    parts = _GLUED_PARTS.findall(word)
    return len(parts) > 1 and all(p.isdigit() or p in _CJK_TIME or _time_word(p)
                                  for p in parts)


def _time_token(word: str) -> bool:
    """Digits with at most two letters: "2019", "11h09", "5pm", "3rd"."""
    return word[0].isdigit() and sum(c.isalpha() for c in word) <= 2


_COUNT_LINE = re.compile(
    r"^\W*\d[\d.,  ]*[kKmM]?\s*(?:" + "|".join(lexicon.COUNTED_THINGS) + r")\W*$",
    re.IGNORECASE)
MAX_COUNT_LINE_CHARS = 30


def is_count_line(line: str) -> bool:
    """A page widget's counter: a number of comments, shares or views and nothing else.

    >>> is_count_line("941 comments"), is_count_line("5 Kommentare"), is_count_line("1.2K shares")
    (True, True, True)
    >>> is_count_line("941 comments were deleted by the moderators.")
    False
    """
    return len(line) <= MAX_COUNT_LINE_CHARS and _COUNT_LINE.match(line) is not None


#: Boilerplate predicates in the order they are tried; the name is the audit ``rule``.
BOILERPLATE_RULES = (
    ("bare_url", is_bare_url),
    ("copyright", is_copyright),
    ("editor_initials", is_editor_initials),
    ("share_bar", is_share_bar),
    ("button_phrase", is_button_phrase),
    ("footer", is_footer),
    ("widget", is_widget_line),
    ("promo", is_promo_line),
    ("timestamp", is_timestamp),
    ("reading_time", is_reading_time),
    ("count_line", is_count_line),
    ("contributors", is_contributor_line),
    ("breadcrumb", is_breadcrumb),
    ("citations", is_citation_list),
)


#: The predicates that can match a line over ``MAX_BOILERPLATE_CHARS`` (the others have
#: tighter length limits): most units are long news lines, which skip the rest.
_LONG_LINE_RULES = tuple((name, test) for name, test in BOILERPLATE_RULES
                         if name in ("bare_url", "share_bar", "footer", "widget", "promo",
                                     "contributors",
                                     "breadcrumb", "citations"))


@functools.lru_cache(maxsize=4096)
def boilerplate_rule(line: str) -> str | None:
    """The name of the first boilerplate predicate ``line`` meets, or None.

    Cached: the head rule, the label and deck checks, hard-wrap joining and the body
    rules ask about the same few lines of an article several times.

    >>> boilerplate_rule("Partager Cet Article"), boilerplate_rule("A news sentence.")
    ('button_phrase', None)
    """
    rules = _LONG_LINE_RULES if len(line) > MAX_BOILERPLATE_CHARS else BOILERPLATE_RULES
    for name, test in rules:
        if test(line):
            return name
    return None


def is_boilerplate(line: str) -> bool:
    """Whether any boilerplate predicate matches (see :data:`BOILERPLATE_RULES`).

    >>> is_boilerplate("Lesen Sie auch: Die Bahn streikt wieder")
    True
    >>> is_boilerplate("Share-price rally continues")
    False
    """
    return boilerplate_rule(line) is not None
