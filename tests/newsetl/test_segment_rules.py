"""Section typing on the shapes real dumps have (issue: sections that hold on real dumps).

Each case is a defect measured on real articles: one-line articles, paragraphs taken
as titles, glued licence footers and editor initials, widgets, echoes, datelines,
credits, quoted headlines, headline + deck, HTML pages given as text.
"""

from __future__ import annotations

import pytest
from newsetl import segment as seg_module
from newsetl.citations import citation_tail
from newsetl.cleaning import clean_text
from newsetl.inputs import RawItem
from newsetl.process import Rows, build_rows, parse_item
from newsetl.schemas import SECTION_KINDS
from newsetl.segment import MAX_TITLE_CHARS, UNIT_RULES, segment

SENTENCES = [
    "The city council approved the new budget on Tuesday after a long debate.",
    "Opposition members said the plan would raise local taxes for most families.",
    "The mayor rejected that claim and said services would improve next year.",
    "A final vote on the transport section is expected before the end of the month.",
    "Residents can comment on the proposals at public meetings in every district.",
]
LICENCE = ("All Content by Example News Agency is licensed under a Creative Commons "
           "Attribution 4.0 International License.")


def _kinds(text: str, **kw) -> list[str]:
    return [s.kind for s in segment(clean_text(text)[0], **kw).sections]


def _rows(text: str, name: str = "x.txt") -> Rows | dict:
    parsed = parse_item(RawItem(name, None, 0, "sha", data=text.encode("utf-8")))
    if isinstance(parsed, dict):
        return parsed
    rows = Rows()
    build_rows([parsed], rows, "fast")
    return rows


def test_a_one_line_article_is_published_with_a_body_and_no_title() -> None:
    text = " ".join(SENTENCES * 4) + " EF/MA " + LICENCE
    rows = _rows(text)
    assert isinstance(rows, Rows), rows
    (article,) = rows.articles
    assert article["title"] is None and article["title_source"] is None
    assert article["n_paragraphs"] >= 3
    assert "licensed under" not in article["body"] and "EF/MA" not in article["body"]
    kinds = [s["kind"] for s in rows.sections]
    assert kinds[-2:] == ["boilerplate", "boilerplate"]
    assert "split_long_line" in article["cleaning_rules"]


def test_a_lead_paragraph_is_never_the_title_and_a_slug_gives_one() -> None:
    text = SENTENCES[0] + " " + SENTENCES[1] + "\n\n" + SENTENCES[2]
    rows = _rows(text, name="day/council-approves-new-budget-after-debate.txt")
    (article,) = rows.articles
    assert article["title"] == "Council approves new budget after debate"
    assert article["title_source"] == "filename"
    assert article["body"].startswith(SENTENCES[0])
    no_slug = _rows(text, name="day/000_f14259f59aa8b858.txt")
    assert no_slug.articles[0]["title"] is None


def test_titles_are_never_longer_than_the_limit() -> None:
    long_line = "Breaking " + "very " * 60 + "long headline without a period"
    seg = segment(f"{long_line}\n\n{SENTENCES[0]}")
    assert all(len(s.text) <= MAX_TITLE_CHARS for s in seg.sections if s.kind == "title")


@pytest.mark.parametrize("footer", [
    LICENCE,
    "This field is for validation purposes and should be left unchanged.",
    "Article posted with permission from Example Press.",
    "Follow him on Twitter here.",
    "This article is republished from The Conversation under a Creative Commons license.",
])
def test_footers_glued_to_a_news_line_are_cut_off(footer: str) -> None:
    seg = segment(f"Council approves budget\n\n{SENTENCES[0]}\n\n{SENTENCES[1]} {footer}")
    assert [(s.kind, s.text) for s in seg.sections[-2:]] == [
        ("paragraph", SENTENCES[1]), ("boilerplate", footer)]


def test_scraper_echoes_are_removed_once() -> None:
    text = "\n".join([" ".join(SENTENCES[:3]), " ".join(SENTENCES[1:4]),
                      " ".join(SENTENCES[2:5])])
    cleaned, rules = clean_text(text)
    assert "drop_repeated_text" in rules
    for sentence in SENTENCES:
        assert cleaned.count(sentence) == 1


@pytest.mark.parametrize("paragraph, dateline", [
    ("SPRINGFIELD, Mo. — A man was arrested on Sunday.", "SPRINGFIELD, Mo."),
    ("Dallas, TX — The city council voted on Monday.", "Dallas, TX"),
    ("Roma, 28 lug — Il governo ha approvato il decreto.", "Roma, 28 lug"),
    ("МОСКВА, 13 июн — РИА Новости. Президент заявил о переговорах.",
     "МОСКВА, 13 июн — РИА Новости"),
    ("BUDAPEST, Hungary, February 19, 2018 (LifeSiteNews) – The prime minister said.",
     "BUDAPEST, Hungary, February 19, 2018 (LifeSiteNews)"),
])
def test_datelines_after_a_deck_or_breadcrumb(paragraph: str, dateline: str) -> None:
    text = (f"World » Europe\n\nHeadline of the story\n\nBy Jane Doe\n\n{paragraph}\n\n"
            f"{SENTENCES[1]}")
    seg = segment(clean_text(text)[0])
    assert seg.dateline == dateline
    assert seg.authors == ["Jane Doe"]


@pytest.mark.parametrize("line", [
    "President Biden at the White House. (REUTERS/Jim Bourg)",
    "Protesters in Paris on Saturday. Jane Doe/AFP/Getty Images",
    "Image: Protesters gather in Tahrir Square on Friday.",
    "Здание Госдумы в Москве. Архивное фото",
    "© Reuters / John Doe",
    "Donations left for Haiti in October passadoOrlando Barria/EPA/Agência Lusa/direitos "
    "reservados",
    "Ricardo Barros talks to reporters in Brasília  Marcelo Camargo/ABr",
])
def test_caption_styles(line: str) -> None:
    kinds = _kinds(f"Headline of the story\n\n{SENTENCES[0]}\n\n{line}\n\n{SENTENCES[1]}")
    assert kinds[2] == "caption", line


def test_a_quoted_headline_opening_a_paragraph_is_not_a_quote() -> None:
    text = ("Headline of the story\n\n“Motive a mystery” was the Post's front-page headline "
            "on Sunday, above a photograph of the scene.\n\n“I have made mistakes,” she said.")
    assert _kinds(text) == ["title", "paragraph", "quote"]


def test_headline_and_deck_are_not_joined() -> None:
    text = ("Council approves the new city budget after a long debate\n"
            "Opposition says the plan raises taxes for most local families\n\n"
            f"{SENTENCES[0]} {SENTENCES[1]}\n\n{SENTENCES[2]}")
    seg = segment(clean_text(text)[0])
    assert [s.kind for s in seg.sections[:2]] == ["title", "deck"]
    assert seg.sections[0].text == "Council approves the new city budget after a long debate"


def test_an_html_page_given_as_text_has_a_clean_title() -> None:
    text = ("<html><head><title>Budget | Example</title></head><body>\n<h1>Council approves "
            f"budget</h1>\n<p>{SENTENCES[0]}</p><p>{SENTENCES[1]}</p></body></html>")
    rows = _rows(text)
    assert rows.articles[0]["title"] == "Council approves budget"


def test_subheadings_menus_and_bylines() -> None:
    text = ("Home\nWorld\nSport\nVideo\n\nCouncil approves budget\n\nBy Jane Doe and John Roe"
            f"\n\n{SENTENCES[0]}\n\nWhat comes next\n\n{SENTENCES[1]}")
    seg = segment(clean_text(text)[0])
    assert [(s.kind, s.rule) for s in seg.sections] == [
        ("boilerplate", "menu"), ("boilerplate", "menu"), ("boilerplate", "menu"),
        ("boilerplate", "menu"), ("title", "head_title"), ("byline", "byline"),
        ("paragraph", "paragraph"), ("subheading", "subheading"), ("paragraph", "paragraph")]
    assert seg.authors == ["Jane Doe", "John Roe"]


def test_every_section_row_names_its_rule_and_kinds_are_in_the_schema() -> None:
    rows = _rows("TV\n\nHeadline of the story\n\nBy Jane Doe\n\n" + "\n\n".join(SENTENCES)
                 + "\n\nPartager Cet Article\nSOURCE: FRENCH PRESS TV")
    names = {name for name, _ in UNIT_RULES}
    assert all(s["rule"] for s in rows.sections)
    assert {s["kind"] for s in rows.sections} <= set(SECTION_KINDS)
    assert rows.articles[0]["author"] == ["Jane Doe"]
    assert rows.articles[0]["title_source"] == "text"
    assert "paragraph" in names and "boilerplate" in names


def test_unit_rules_are_documented() -> None:
    for name, rule in UNIT_RULES:
        assert rule.__doc__, name
    assert seg_module.type_head.__doc__


def test_a_body_of_only_a_licence_footer_is_not_a_duplicate_of_another() -> None:
    one = _rows(f"First story headline\n\nShort one.\n\n{LICENCE}")
    two = _rows(f"Second story headline\n\nShort two.\n\n{LICENCE}")
    for rows in (one, two):
        assert isinstance(rows, dict) or "licensed" not in rows.articles[0]["body"]


def test_lexicon_lists_are_lower_case_without_repeats() -> None:
    from newsetl import lexicon

    for name in ("SOURCE_WORDS", "BOILERPLATE_PHRASES", "BYLINE_WORDS", "BYLINE_ROLES",
                 "MONTHS", "CAPTION_END_MARKERS", "CAPTION_START_WORDS", "BIO_ROLES"):
        words = getattr(lexicon, name)
        assert all(w == w.casefold() for w in words), name
        assert len(set(words)) == len(words), [w for w in words if words.count(w) > 1]
    assert set(lexicon.BOILERPLATE_PHRASES) >= lexicon.AMBIGUOUS_PHRASES


def test_only_the_long_line_rules_can_match_a_long_line() -> None:
    """boilerplate_rule skips the other predicates on long lines: check that they
    indeed never match one (a long button phrase, rights line, timestamp ...)."""
    from newsetl import boilerplate as bp

    long_names = {name for name, _ in bp._LONG_LINE_RULES}
    lines = ["Share: " + "Facebook Twitter " * 10, "© 2024 Example " + "Media " * 30,
             "Updated 12:30 GMT " + "12 " * 50, "EF/MA " * 30, "Read more " * 20,
             "Home » " * 30, "https://example.com/" + "a" * 200, LICENCE + " " + LICENCE]
    for line in lines:
        assert len(line) > bp.MAX_BOILERPLATE_CHARS
        for name, test in bp.BOILERPLATE_RULES:
            if name not in long_names:
                assert not test(line), (name, line)


@pytest.mark.parametrize("length", [161, 501])
def test_rules_skipped_for_long_units_never_match_them(length: int) -> None:
    """classify_unit skips the short-unit rules on long units: check they cannot match."""
    from newsetl.segment import Context, Segmented

    skipped = {name for name, _ in UNIT_RULES} - {
        name for name, _ in (seg_module._RULES_OVER_BYLINE if length == 161
                             else seg_module._RULES_OVER_CAPTION)}
    assert skipped
    samples = ["By " + "Jane Doe and " * 40, "Home " * 100, "Reactions " * 60,
               "Jane Doe is a reporter for " + "Example News " * 40,
               "A caption of a picture. " * 20 + "©Reuters", "Sochi " * 90]
    for text in samples:
        unit = text[:length - 1].rstrip() + "x"
        unit = unit + "y" * (length - len(unit))
        assert len(unit) == length
        result = Segmented()
        units = [unit] * 5
        ctx = Context(units, 1, 0, result, seg_module.menu_runs(units), seen_body=True)
        result.sections.append(seg_module.Section("boilerplate", "x", rule="timestamp"))
        for name, rule in UNIT_RULES:
            if name in skipped:
                assert rule(unit, ctx) is None, (name, unit[:40])


def _typed(text: str, **kw) -> list[tuple[str, str, str]]:
    return [(s.kind, s.rule, s.text) for s in segment(clean_text(text)[0], **kw).sections]


def test_source_list_glued_to_the_last_paragraph_is_cut_off_as_boilerplate() -> None:
    body = " ".join(SENTENCES)
    sources = ("“Council passes budget”. Example Daily, 3 May 2007. "
               "“Budget vote ends debate”. Example Times, May 3, 2007.")
    last = "The council meets again in June."
    typed = _typed(f"Council passes budget\n\n{body}\n\n{last} {sources}")
    assert typed[-1][:2] == ("boilerplate", "citations")
    assert typed[-1][2] == sources
    assert typed[-2] == ("paragraph", "paragraph", last)
    # one quoted title with a date is a quotation in news, not a source list
    quoted = "The bridge fell in 2006. “We will rebuild,” she said on May 3, 2007."
    assert _typed(f"Council passes budget\n\n{body}\n\n{quoted}")[-1] == (
        "paragraph", "paragraph", quoted)


def test_outlet_only_byline_is_a_byline_without_authors() -> None:
    body = "\n\n".join(SENTENCES)
    result = segment(clean_text(f"Council passes budget\n\nDa Agência Brasil\n\n{body}")[0])
    assert [(s.kind, s.rule) for s in result.sections[1:2]] == [("byline", "outlet_byline")]
    assert result.authors == []
    credit = segment(clean_text(f"Council passes budget\n\n{body}\n\nArquivo/Agência Brasil")[0])
    assert credit.sections[-1].rule != "outlet_byline"


def test_flattened_paragraph_marks_split_a_one_line_article() -> None:
    sentences = [f"{s[:-1]} in district {n}." for n in range(3) for s in SENTENCES]
    line = "\u00a0  ".join(sentences)  # runs of (non-breaking) spaces between them
    typed = _typed(f"Council passes budget\n\n{line}")
    assert [text for _kind, _rule, text in typed[1:]] == sentences


def test_sentence_groups_of_a_one_line_article_are_not_quotes() -> None:
    more = [f"{s[:-1]} in district {n}." for n in range(3) for s in SENTENCES]
    line = " ".join([*SENTENCES, "“We will rebuild the bridge,” the mayor said on Tuesday.",
                     *more])
    typed = _typed(f"Council passes budget\n\n{line}")
    assert len(typed) > 3
    assert {kind for kind, _rule, _text in typed[1:]} == {"paragraph"}
    # the same quote as a paragraph of its own is a quote
    paragraphs = "\n\n".join([*SENTENCES, "“We will rebuild the bridge,” the mayor said."])
    assert "quote" in _kinds(f"Council passes budget\n\n{paragraphs}")


def test_a_closing_sign_off_and_list_items_are_not_subheadings() -> None:
    body = "\n\n".join(SENTENCES)
    assert _kinds(f"Council passes budget\n\n{body}\n\nGlory to Ukraine\n\n{LICENCE}")[-2] \
        == "paragraph"
    assert _kinds(f"Council passes budget\n\n{body}\n\n* Head of the Kharkiv region\n\n{body}"
                  )[len(SENTENCES) + 1] == "paragraph"
    more = "\n\n".join(f"{s[:-1]} in district 1." for s in SENTENCES)
    assert _kinds(f"Council passes budget\n\n{body}\n\nWhat happens next\n\n{more}"
                  )[len(SENTENCES) + 1] == "subheading"


def test_slide_captions_between_the_date_line_and_the_body_are_captions() -> None:
    body = "\n\n".join(" ".join(SENTENCES[i:i + 3]) for i in range(3))
    head = "Talks with the President of Brazil\n\nDecember 14, 2012\n\n"
    captions = "With the President of Brazil.\n\nSigning joint documents."
    typed = _typed(f"{head}{captions}\n\n{body}")
    assert [(k, r) for k, r, _t in typed[2:4]] == [("caption", "caption_under_head")] * 2
    assert typed[4][0] == "paragraph"
    # short lead paragraphs right under the headline stay paragraphs
    assert _kinds(f"Talks with the President of Brazil\n\n{captions}\n\n{body}")[1:3] == [
        "paragraph", "paragraph"]


def test_a_caption_under_the_head_that_names_the_headline_is_a_caption() -> None:
    body = "\n\n".join(" ".join(SENTENCES[i:i + 3]) for i in range(3))
    head = "The President met the President of Uganda Yoweri Museveni\n\nDecember 11, 2012\n\n"
    typed = _typed(f"{head}With President of Uganda Yoweri Museveni.\n\n{body}")
    assert typed[2][:2] == ("caption", "caption_names_headline")
    assert typed[3][0] == "paragraph"
    # a short line that adds news (not the headline's words) stays a paragraph
    typed = _typed(f"{head}Two Presidents also exchanged views on Africa.\n\n{body}")
    assert typed[2][0] == "paragraph"
    # ... and so does a line naming the headline without the date/place block above it
    assert _kinds(f"{head.split(chr(10))[0]}\n\nWith President of Uganda Yoweri Museveni."
                  f"\n\n{body}")[1] == "paragraph"


def test_a_line_saying_where_people_stand_in_the_picture_is_a_caption() -> None:
    body = "\n\n".join(SENTENCES)
    kinds = _kinds(f"Council passes budget\n\n{body}\n\n"
                   "The mayor (left) with the treasurer after the vote.")
    assert kinds[len(SENTENCES) + 1] == "caption"
    # a parenthesis that is not about a picture stays in the paragraph
    assert _kinds(f"Council passes budget\n\n{body}\n\n"
                  "He voted (as did the left) against the bill."
                  )[len(SENTENCES) + 1] == "paragraph"


def test_numbered_lines_under_a_caption_ending_with_a_colon_are_its_parts() -> None:
    body = "\n\n".join(SENTENCES)
    panels = "After the visit (clockwise from top left):\n\n1) The tree goes back.\n\n" \
             "2) The exams are postponed."
    more = "\n\n".join(f"{s[:-1]} in district 1." for s in SENTENCES)
    typed = _typed(f"Council passes budget\n\n{body}\n\n{panels}\n\n{more}")
    at = len(SENTENCES) + 1
    assert [(k, r) for k, r, _t in typed[at:at + 3]] == [
        ("caption", "caption_picture_position"), ("caption", "caption_list"),
        ("caption", "caption_list")]
    assert typed[at + 3][0] == "paragraph"
    # a numbered list under a paragraph ending with a colon is not a caption
    listed = "The council decided:\n\n1) The tree goes back.\n\n2) The exams are postponed."
    assert "caption" not in _kinds(f"Council passes budget\n\n{body}\n\n{listed}")


def test_rows_of_a_results_table_are_not_crossheads() -> None:
    body = "\n\n".join(SENTENCES)
    table = "\n\n".join(["1 Kyle Busch 2301 5 12 20", "2 Kevin Harvick 2298 4 10 19",
                         "3 Denny Hamlin 2290 3 11 21"])
    more = "\n\n".join(f"{s[:-1]} in district 1." for s in SENTENCES)
    kinds = _kinds(f"Council passes budget\n\n{body}\n\nStandings after the race\n\n"
                   f"{table}\n\n{more}")
    at = len(SENTENCES) + 1
    assert kinds[at:at + 4] == ["subheading", "paragraph", "paragraph", "paragraph"]


def test_a_caption_repeating_the_lead_up_to_a_comma_is_a_caption_not_a_paragraph() -> None:
    lead = "The new centre, opened on Friday by the institute and the foundation (Fiocruz)"
    head = "Headline of the story\n\n12/12/2016 12h15\n\nBy Jane Doe"
    typed = _typed(f"{head}\n\n{lead}\n\n{lead}, will serve patients. "
                   f"{SENTENCES[0]}\n\n{SENTENCES[1]}")
    assert [(k, r) for k, r, _t in typed[3:5]] == [("caption", "caption_echo"),
                                                   ("paragraph", "paragraph")]
    # a line cut mid-clause is a scraper's echo, not a caption
    cut = "The new centre, opened on Friday by the institute and the"
    assert _kinds(f"{head}\n\n{cut}\n\n{lead}, will serve patients. "
                  f"{SENTENCES[0]}")[3] != "caption"


def test_gallery_captions_that_open_alike_are_captions() -> None:
    captions = "\n\n".join(
        f"The President receives a letter of credence from the Ambassador of {c}."
        for c in ("Chile", "Peru", "Mali"))
    typed = _typed(f"Headline of the story\n\n{captions}\n\n{' '.join(SENTENCES)}")
    assert [k for k, _r, _t in typed[1:5]] == ["caption"] * 3 + ["paragraph"]
    assert {r for _k, r, _t in typed[1:4]} == {"caption_gallery"}
    # two paragraphs opening alike are not a gallery
    two = "\n\n".join(f"The council approved the new budget for {c} on Tuesday evening."
                       for c in ("schools", "roads"))
    assert _kinds(f"Headline of the story\n\n{two}\n\n{SENTENCES[1]}")[1:3] == [
        "paragraph", "paragraph"]


def test_a_quoted_crosshead_is_a_subheading_also_when_glued_to_the_next_paragraph() -> None:
    body = "\n\n".join(SENTENCES)
    heading = "‘Talks failed to build any trust with the council’"
    after = ("The opposition leader said on Wednesday that the talks had failed. She said the "
             "council had not kept a single promise made to the districts last year.")
    for text in (f"Council passes budget\n\n{body}\n\n{heading}\n\n{after}",
                 f"Council passes budget\n\n{body}\n\n{heading} {after}"):
        typed = _typed(text)
        at = [t for _k, _r, t in typed].index(heading)
        assert typed[at][:2] == ("subheading", "subheading")
        assert typed[at + 1] == ("paragraph", "paragraph", after)
    # a quoted sentence stays a quote, and a sentence closed by a quotation mark is no heading
    said = "“We will not talk to them again.”"
    assert _kinds(f"Council passes budget\n\n{body}\n\n{said}\n\n{after}")[-2] == "quote"
    ends = "The mayor called it “the end of the talks.”"
    assert _kinds(f"Council passes budget\n\n{body}\n\n{ends}\n\n{after}")[-2] == "paragraph"


def test_a_line_full_of_straight_quotes_is_no_source_list_and_ends() -> None:
    """HTML attributes left in a text file ('data-x="..." data-y="..."', then a date-like
    id at the end) once sent the source-list search into minutes of backtracking for one
    unit; each citation is now an atomic group, so this returns at once."""
    attrs = " ".join(f'data-k{i}="{{"v":"{i}","w":"x{i}"}}"' for i in range(40))
    unit = f'<a href="/r?id=1" {attrs} data-url="https://example.com/DGX2000000">登録する'
    assert citation_tail(unit) == -1
    assert _typed(f"A headline here\n\n{unit}")[-1][2] == unit  # typed, not lost


_WIDGET = ("boilerplate", "widget")
_NEWS = ("paragraph", "paragraph")


@pytest.mark.parametrize("line,typed", [
    ("By signing up you consent to receive the above newsletter from Example Network Inc.",
     _WIDGET),
    ("By submitting your email, you agree to our Terms and Privacy Notice.", _WIDGET),
    ("This site is protected by reCAPTCHA and the Google Privacy Policy and Terms of Service "
     "apply.", _WIDGET),
    ("We apologize, but this video has failed to load.", _WIDGET),
    ("You must be logged in to join the discussion or read more comments.", _WIDGET),
    ("Please review our commenting policy.", _WIDGET),
    ("When you purchase through links on our site, we may earn an affiliate commission.",
     _WIDGET),
    ("Opinions expressed are solely those of the author and do not reflect the views of the "
     "editors.", _WIDGET),
    ("Du musst angemeldet sein, um einen Kommentar abzugeben.", _WIDGET),
    ("Dies ist eine maschinelle Übersetzung eines Artikels unserer US-Kollegen.", _WIDGET),
    ("Nog geen abonnee? Ontdek nu gratis onze plusartikels.", _WIDGET),
    # news lines that open like those widgets stay news
    ("By signing up 10,000 new members, the union became the largest in the region.", _NEWS),
    ("The views expressed by the minister drew criticism from the opposition on Monday.",
     _NEWS),
    ("You must be registered as a voter by Friday, the electoral commission said.", _NEWS),
])
def test_form_comment_box_and_disclosure_lines_are_widgets(line: str, typed: tuple) -> None:
    body = "\n\n".join(SENTENCES)
    assert _typed(f"Council passes budget\n\n{body}\n\n{line}")[-1][:2] == typed
