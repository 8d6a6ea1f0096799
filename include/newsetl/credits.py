"""Captions and their photo credits.

A caption is a line that carries a picture credit (``©Reuters``, ``(AFP photo)``,
``REUTERS/Jim Bourg``, ``Jane Doe/AFP/Getty Images``), opens with a picture marker
(``Image: ...``, ``Photo: ...``) or ends with one (``... Архивное фото``). Each credit
style is one (cheap precondition, pattern) pair in :data:`_CREDIT_PATTERNS`.
"""

from __future__ import annotations

import functools
import re

from newsetl import lexicon

#: A capitalised name word or an initial ("Cruz", "J.").
_WORD = r"(?:[A-Z]\.|[A-Z][a-zà-ÿ][\w'’-]*)"
_AGENCY = "|".join(re.escape(a) for a in sorted(lexicon.AGENCIES, key=len, reverse=True))
#: A rights note closing a credit chain ("/direitos reservados", "/All rights reserved").
_RIGHTS_NOTE = r"(?i:direitos reservados|derechos reservados|droits réservés|all rights reserved)"
#: A desk's short code after a photographer's name ("ABr", "EBC").
_DESK_CODE = r"[A-Z][A-Za-z]{1,4}"


#: Cheap features of a line (bits); each credit pattern needs one of them, and most
#: lines have none, so they skip every regex after a few ``in`` tests.
COPYRIGHT, PARENTHESIS, SLASH, PICTURE_BY, COLON = 1, 2, 4, 8, 16


#: The words a "<word>: <credit>" credit uses (the COLON pattern below).
_COLON_CREDIT_WORDS = ("photo", "foto", "фото", "crédit", "credit", "bild", "image",
                       "picture", "photograph", "صورة", "عکس", "تصویر", "quelle")


def _credit_word_before_colon(line: str) -> bool:
    """Whether some colon follows a credit word ("Foto: dpa", "Crédit photo : AFP")."""
    for colon in (":", "："):
        at = line.find(colon)
        while at > 0:
            if line[max(0, at - 12):at].rstrip().casefold().endswith(_COLON_CREDIT_WORDS):
                return True
            at = line.find(colon, at + 1)
    return False


def _features(line: str) -> int:
    """The feature bits of a line, in one pass of substring tests.

    >>> _features("A plain sentence."), _features("Berlin. Foto: dpa/M. Kappeler") == SLASH | COLON
    (0, True)
    """
    bits = 0
    if "©" in line:
        bits |= COPYRIGHT
    if line.rstrip(". ").endswith(")"):
        bits |= PARENTHESIS
    if "/" in line:
        bits |= SLASH
    if (":" in line or "：" in line) and _credit_word_before_colon(line):
        bits |= COLON
    # "Photo by", "Foto de", "Image by", "Picture by", "Video by", "Art by" (any case)
    if ("oto " in line or "mage " in line or "icture " in line
            or "ideo " in line or "rt by" in line or "Art " in line):
        bits |= PICTURE_BY
    return bits


#: (feature bit, pattern), tried in order; the first credit found wins.
_CREDIT_PATTERNS = (
    # "... ©Reuters", "/ ©Wikimedia Commons", "© AFP / John Doe"
    (COPYRIGHT,
     re.compile(r"(?:^|[\s/(|])©\s*(?P<credit>[^©\n]{1,60}?)\s*\)?\.?$")),
    # "(AP Photo/Evan Vucci)"
    (PARENTHESIS,
     re.compile(r"\((?P<credit>[A-Z][\w&.-]*(?:\s[A-Z][\w&.-]*){0,2}\s+Photo/[^()]{1,60})"
                r"\)\.?$")),
    # "(Photo by Chip Somodevilla/Getty Images)"
    (PARENTHESIS, re.compile(r"\(photo by (?P<credit>[^()]{1,80})\)\.?$", re.I)),
    # "(AFP photo)", "(Reuters Photo)"
    (PARENTHESIS,
     re.compile(r"\((?P<credit>[^()]{1,40}?)\s+(?:photo|photos|foto|fotos)\)\.?$", re.I)),
    # "(Photo: AFP)", "(Foto: dpa)", "(Photo AFP)"
    (PARENTHESIS,
     re.compile(r"\((?:photo|foto|фото|صورة|عکس)\s*(?:credit)?\s*[:：]?\s*"
                r"(?P<credit>[^()]{1,60})\)\.?$", re.I)),
    # "REUTERS/Kevin Lamarque", "(REUTERS/Jim Bourg)", "EFE/Juan Carlos Hidalgo" at the end,
    # also glued to the caption by a scraper ("... GuigoReuters/Marko Djurica")
    (SLASH,
     re.compile(r"(?:^|[\s(]|(?<=[a-z]))(?P<credit>(?:" + _AGENCY
                + r")\s?/\s?[^\s/][^\n()]{0,60}?)\)?\.?$")),
    # "Antonio Cruz/ Agência Brasil", "Divulgação/ Cleberson Silva/ Chapecoense": a line
    # that ends with 2-3 capitalised names joined by slashes
    # (also a photographer and a short desk code: "Marcelo Camargo/ABr")
    (SLASH,
     re.compile(r"(?:^|[\s(])(?P<credit>(?:" + _WORD + r" ){0,3}" + _WORD + r" ?/ ?(?:"
                + _WORD + r" ?){1,4}(?:/ ?(?:" + _WORD + r" ?){1,4})?|(?:" + _WORD + r" ){1,3}"
                + _WORD + "/" + _DESK_CODE + r")\)?$")),
    # "... Photo by Andre Deak, published under ...", "Image by X from Flickr"
    (PICTURE_BY, re.compile(r"(?:^|[.(,]\s*)(?:photo|photos|image|picture|foto|video|art)\s+"
                         r"(?:by|de|von|par|courtesy of)\s+(?P<credit>[A-Z][^,.()]{1,50})",
                         re.IGNORECASE)),
    # "Jane Doe/AFP/Getty Images", "Jane Doe / AFP" at the end of a line; also a chain of
    # desks that ends in a rights note ("Orlando Barria/EPA/Agência Lusa/direitos
    # reservados") and a credit a scraper glued to the caption ("... passadoOrlando ...")
    (SLASH,
     re.compile(r"(?:^|[\s(]|(?<=[a-z]))(?P<credit>(?:[A-Z]\.|[A-Z][\w'’-]+)"
                r"(?:\s(?:[A-Z]\.|[A-Z][\w'’-]+)){0,3}\s?/\s?(?:" + _AGENCY + r")"
                r"(?:\s?/\s?(?:" + _AGENCY + r"|" + _WORD + r"(?: " + _WORD + r")?))?"
                r"(?:\s?/\s?(?:" + _RIGHTS_NOTE + r"))?(?:\s+via\s+(?:" + _AGENCY + r"))?)"
                r"\)?\.?$")),
    # "Photo: X" / "Crédit photo : X" / "Foto: dpa/M. Kappeler" closing a line, after
    # the caption's last sentence (not "... ein klares Bild: Nichts geht mehr")
    # ... also glued to the caption's last word by a scraper ("... NadeschdinBild: X/dpa")
    (COLON, re.compile(
        r"(?:^|[.|/(]|(?<=[a-zà-ÿ)])(?=(?-i:Bild|Foto|Photo|Image|Quelle)\s*:))\s*"
        r"(?:photo|foto|фото|crédit photo|credit photo|photo credit|crédit|"
        r"(?<=[a-zà-ÿ)])quelle|"
        r"credit|bild|image|picture|photograph|صورة|عکس|تصویر)\s*[:：]\s*"
        r"(?P<credit>(?:[^.:\n]|(?<=[A-Z])\.(?=\s))(?:[^.:\n]|(?<=[A-Z])\.(?=\s)){0,59}?)"
        r"\s*\.?$",
        re.I,
    )),
)
#: "(file photo)", "(archive photo)": a caption marker, not a credit.
_NOT_CREDITS = frozenset(("file", "archive", "archives", "stock", "illustration",
                          "illustrative", "handout"))
MAX_CREDIT_WORDS = 6
#: Credits that close a line are looked for in its last characters only.
CREDIT_WINDOW = 200
_END_ANCHORED = tuple(pattern.pattern.endswith("$") for _, pattern in _CREDIT_PATTERNS)
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
    bits = _features(line)
    if not bits:
        return None
    tail = max(0, len(line) - CREDIT_WINDOW)
    for (needs, pattern), anchored in zip(_CREDIT_PATTERNS, _END_ANCHORED, strict=True):
        if not bits & needs:
            continue
        match = pattern.search(line, tail if anchored else 0)
        if match:
            credit = match.group("credit").strip(" .,;:-–—/()")
            if (credit and credit.casefold() not in _NOT_CREDITS
                    and len(credit.split()) <= MAX_CREDIT_WORDS):
                return credit
    return None




def strip_credit(text: str, credit: str | None) -> str:
    """Caption text without its credit, for language detection.

    >>> strip_credit("Le porte-avions russe. ©Reuters", "Reuters")
    'Le porte-avions russe.'
    >>> strip_credit("The senator. (Photo by A. B/Getty Images)", "A. B/Getty Images")
    'The senator.'
    >>> strip_credit("Le président. Crédit photo : AFP", "AFP")
    'Le président.'
    >>> strip_credit("© Reuters / John Doe. Protesters in Paris.", "Reuters / John Doe")
    'Protesters in Paris.'
    """
    if credit:
        cut = text.rfind(credit)
        if cut > 0 and not text[:cut].strip(" ©("):  # the credit opens the caption
            return text[cut + len(credit):].lstrip(" ).")
        if cut > 0:
            text = _CREDIT_LEAD.sub("", text[:cut].rstrip(" ©(/|:-–—")).rstrip()
    return text


#: What may stand before a credit: "Photo", "(Photo by", "Crédit photo :", "Фото".
_CREDIT_LEAD = re.compile(
    r"[\s(]*(?:photo by|crédit photo|credit photo|photo credit|photo|foto|фото|crédit|credit|"
    r"bild)\s*[:：]?\s*$", re.IGNORECASE)


# --- captions without a credit pattern ------------------------------------------------

_START_MARKER = re.compile(
    r"^\(?(?:" + "|".join(re.escape(w) for w in lexicon.CAPTION_START_WORDS)
    + r")(?:\s*(?:credit|by|de|von|:))?\s*[:：|]\s*\S", re.IGNORECASE)
_END_MARKERS = tuple(lexicon.CAPTION_END_MARKERS)
#: A parenthesis of at most a few words that says where someone is in the picture.
_POSITION = re.compile(
    r"\((?:(?:" + "|".join(re.escape(w) for w in lexicon.PICTURE_POSITION_LEADS)
    + r")[\s,]+){0,6}(?:" + "|".join(
        re.escape(w) for w in sorted(set(lexicon.PICTURE_POSITIONS), key=len, reverse=True))
    + r")(?:\)|[,:;][^()\n]{0,60}\)|\s(?:" + "|".join(lexicon.PICTURE_POSITION_TAILS)
    + r")\s[^()\n]{0,60}\))", re.IGNORECASE)
_MARKER_SEPARATORS = " .(,–—-"


def _ends_with_marker(line: str) -> bool:
    """"… Архивное фото", "(File photo)": a caption marker closes the line."""
    tail = line[-30:].casefold().rstrip(").")
    if not tail.endswith(_END_MARKERS):
        return False
    marker = next(m for m in _END_MARKERS if tail.endswith(m))
    before = tail[:-len(marker)]
    return bool(before) and before[-1] in _MARKER_SEPARATORS
#: "© Reuters / John Doe", "©AFP. Protesters ...": a credit that opens the caption.
_LEADING_COPYRIGHT = re.compile(r"^©\s*(?P<credit>[^.©\n]{1,40}?)\s*(?:\.\s|$)")
_YEAR_OR_RIGHTS = re.compile(r"(?:19|20)\d\d|rights|droits|rechte|derechos|права|reserved",
                             re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def caption_credit(line: str) -> tuple[str, str | None] | None:
    """``(rule, credit)`` when ``line`` is a caption, else None (cached, like
    :func:`newsetl.boilerplate.boilerplate_rule`: the head rule asks too).

    >>> caption_credit("Le porte-avions au large de la Norvège. ©Reuters")
    ('credit', 'Reuters')
    >>> caption_credit("Image: Protesters gather in Tahrir Square on Friday.")
    ('caption_marker', None)
    >>> caption_credit("Здание Госдумы в Москве. Архивное фото")
    ('caption_marker', None)
    >>> caption_credit("© Reuters / John Doe")
    ('credit', 'Reuters / John Doe')
    >>> caption_credit("© 2024 Reuters. All rights reserved.") is None
    True
    >>> caption_credit("(REUTERS/Jim Bourg)")
    ('credit', 'REUTERS/Jim Bourg')
    >>> caption_credit("Protesters in Paris on Saturday. Jane Doe/AFP/Getty Images")
    ('credit', 'Jane Doe/AFP/Getty Images')
    >>> caption_credit("With President of Venezuela Hugo Chavez (right).")
    ('picture_position', None)
    >>> caption_credit("The ministers (from left: Ana Costa, Rui Lopes) at the summit.")
    ('picture_position', None)
    >>> caption_credit("He voted (as did the left) against the bill.") is None
    True
    >>> [caption_credit(f"The vote of Les Républicains {p} was decisive.") for p in (
    ...     "(centre-right)", "(Center for Politics)", "(far-right)")]
    [None, None, None]
    >>> caption_credit("Los diputados de Vox (derecha) votaron en contra.") is None
    True
    """
    if len(line) > MAX_CAPTION_CHARS:
        return None
    credit = find_credit(line)
    if credit is not None and not (line.startswith("©") and _YEAR_OR_RIGHTS.search(line)):
        return "credit", credit
    if line.startswith("©"):
        match = _LEADING_COPYRIGHT.match(line)
        if match and not _YEAR_OR_RIGHTS.search(line):
            return "leading_credit", match.group("credit").strip(" /|")
        return None
    if _START_MARKER.match(line) or _ends_with_marker(line):
        return "caption_marker", None
    if "(" in line and _POSITION.search(line):
        return "picture_position", None
    return None
