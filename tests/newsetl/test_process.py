"""process: the foreign flag judged on a section's language evidence (issue 14)."""

from __future__ import annotations

import pytest
from newsetl.inputs import RawItem
from newsetl.process import (
    FOREIGN_MIN_MARGIN,
    Parsed,
    Rows,
    build_rows,
    evidence_text,
    is_foreign_section,
    parse_item,
)
from newsetl.segment import Section, Segmented

ITALIAN = [
    "Il governo ha approvato ieri sera il decreto sulle infrastrutture, dopo una lunga "
    "riunione del consiglio dei ministri che è durata fino a tarda notte.",
    "Secondo fonti della maggioranza, il testo sarà discusso in parlamento già dalla "
    "prossima settimana, con l'obiettivo di approvarlo entro la fine del mese.",
    "Le opposizioni hanno già annunciato che presenteranno centinaia di emendamenti per "
    "rallentare l'esame del provvedimento nelle commissioni parlamentari.",
]
#: Lines that fooled the old rule on real articles (names -> pt, sign-offs -> de ...).
ALL_CAPS_NAMES = "ANTONIO PADELLARO MARCO TRAVAGLIO PETER GOMEZ STEFANO FELTRI"
SIGN_OFF = "\u2014 Hans-Georg Maassen Wolfgang Schaeuble (@HGMaassen) March 3, 2017"
URL_LINE = ("https://www.ilfattoquotidiano.it/2017/03/03/"
            "governo-decreto-infrastrutture-approvato/3428871/")
NAMES = "Matteo Renzi, Paolo Gentiloni, Maria Elena Boschi, Dario Franceschini"
HANDLES = "@matteorenzi @pgentiloni @meb #decreto #infrastrutture #governo 2017"
ENGLISH = ("The minister told reporters on Tuesday that the plan would not be changed "
           "again before the vote.")


def _rows(paragraphs: list[str], detector: str = "fast") -> Rows:
    """One article whose sections are exactly these paragraphs (no segmentation)."""
    item = RawItem("x.txt", None, 0, "sha")
    seg = Segmented([Section("paragraph", p, rule="test") for p in paragraphs])
    parsed = Parsed(item, seg, "\n\n".join(paragraphs), [], "0" * 40)
    rows = Rows()
    build_rows([parsed], rows, detector)
    return rows


@pytest.mark.parametrize("detector", ["fast", "langdetect"])
def test_names_handles_and_urls_are_not_foreign_but_a_sentence_is(detector: str) -> None:
    noise = [ALL_CAPS_NAMES, SIGN_OFF, URL_LINE, NAMES, HANDLES]
    paragraphs = [ITALIAN[0], *noise[:3], ITALIAN[1], *noise[3:], ENGLISH, ITALIAN[2]]
    rows = _rows(paragraphs, detector)
    (article,) = rows.articles
    assert article["lang"] == "it"
    by_text = {s["text"]: s for s in rows.sections}
    for text in noise:
        assert by_text[text]["is_foreign"] is False, text
        assert by_text[text]["section_lang_margin"] == 0.0, text  # no evidence left
    english = by_text[ENGLISH]
    assert english["section_lang"] == "en" and english["is_foreign"] is True
    assert english["section_lang_margin"] >= FOREIGN_MIN_MARGIN
    for text in ITALIAN:
        assert by_text[text]["is_foreign"] is False
        assert by_text[text]["section_lang_margin"] == 0.0
    assert article["foreign_sections"] == 1


def test_a_tweet_with_its_sign_off_is_judged_on_the_tweet() -> None:
    tweet = ("We will never give up on the people of this great country, never ever. "
             "\u2014 Donald J. Trump (@realDonaldTrump) March 3, 2017")
    rows = _rows([ITALIAN[0], tweet, ITALIAN[1]])
    (sec,) = [s for s in rows.sections if s["text"] == tweet]
    assert sec["is_foreign"] is True and sec["section_lang"] == "en"


def test_a_section_in_the_articles_language_has_no_margin() -> None:
    rows = _rows(ITALIAN)
    assert [s["section_lang_margin"] for s in rows.sections] == [0.0, 0.0, 0.0]
    assert not any(s["is_foreign"] for s in rows.sections)
    for s in rows.sections:
        assert isinstance(s["section_lang_margin"], float)


def test_short_foreign_text_is_not_foreign() -> None:
    rows = _rows([*ITALIAN, "Thanks for reading this"])
    assert rows.sections[-1]["is_foreign"] is False


def test_segmented_article_noise_lines_are_not_foreign() -> None:
    text = "\n\n".join([ITALIAN[0], ALL_CAPS_NAMES, ITALIAN[1], SIGN_OFF, URL_LINE,
                        ENGLISH, ITALIAN[2]])
    parsed = parse_item(RawItem("x.txt", None, 0, "sha", text=text))
    assert isinstance(parsed, Parsed)
    rows = Rows()
    build_rows([parsed], rows, "fast")
    flagged = [s["text"] for s in rows.sections if s["is_foreign"]]
    assert flagged == [ENGLISH]


def test_evidence_text_drops_what_is_not_language() -> None:
    assert evidence_text(ALL_CAPS_NAMES) == ""
    assert evidence_text(SIGN_OFF) == ""
    assert evidence_text(URL_LINE) == ""
    assert evidence_text(NAMES) == ""
    assert evidence_text(HANDLES) == ""
    assert evidence_text(ENGLISH) == ENGLISH.replace(".", "")
    assert evidence_text("Visit https://x.org/a now, said NATO's Jens Stoltenberg") == (
        "Visit now said NATO's Jens Stoltenberg")
    # caseless scripts are evidence, never "names"
    japanese = "政府は火曜日に新しい計画を発表した"
    assert evidence_text(japanese) == japanese


def test_is_foreign_needs_confidence_and_margin() -> None:
    assert is_foreign_section("en", "it", ("en", 0.99, 8.0))
    assert not is_foreign_section("en", "it", ("en", 0.6, 8.0))  # not confident
    assert not is_foreign_section("en", "it", ("en", 0.99, 1.0))  # too close to it
    assert not is_foreign_section("en", "it", ("it", 0.99, 0.0))  # evidence is it
    assert not is_foreign_section("zh-tw", "zh-cn", ("zh-tw", 0.99, 0.0))
    assert not is_foreign_section("en", "und", ("en", 0.99, 8.0))


def test_page_metadata_authors_are_names_only() -> None:
    """A page's author metadata (trafilatura joins several with "; ") gives the names:
    not the site, agencies, months or leftovers of a login box."""
    from newsetl.items import RawItem as Item
    from newsetl.process import parse_item as parse

    body = ("The ministry said on Tuesday that the new rules would take effect in March, "
            "after months of talks.\n\nOfficials expect the change to affect two million.")
    meta = {"title": "New labour rules | Example Times", "title_source": "page",
            "site_name": "Example Times", "url": "https://www.exampletimes.com/a",
            "author": "Exampletimes Com; Jane Doe og John Roe; AP; July; Account You're logged"}
    parsed = parse(Item("day.warc.gz", "1", 0, "0" * 64, text=body, meta=meta))
    assert parsed.seg.authors == ["Jane Doe", "John Roe"]


def test_case_folding_keeps_the_words_of_any_text() -> None:
    """``parse_item`` counts a body's words on its case-folded words (split once for the
    fingerprint too): right only while no character folds into white space or out of
    it, which holds for every code point."""
    for point in range(0x110000):
        char = chr(point)
        folded = char.casefold()
        assert folded and all(c.isspace() == char.isspace() for c in folded), hex(point)


def test_word_count_of_a_parsed_item() -> None:
    body = "Ünïcode  wörds\u00a0é. " * 30
    item = RawItem("x.txt", None, 0, "sha", text="Headline here\n\n" + body)
    parsed = parse_item(item)
    assert isinstance(parsed, Parsed)
    rows = Rows()
    build_rows([parsed], rows, "fast")
    (article,) = rows.articles
    assert article["n_words"] == len(parsed.body.split()) == parsed.n_words
