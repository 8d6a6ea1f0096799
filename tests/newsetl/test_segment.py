"""Section typing: the golden seed article and cases in several languages."""

from __future__ import annotations

import pytest
from newsetl.cleaning import clean_text
from newsetl.decode import decode_bytes
from newsetl.inputs import RawItem
from newsetl.process import Rows, build_rows, parse_item
from newsetl.segment import find_credit, segment


def _rows_for(data: bytes, detector: str | None = None) -> Rows:
    item = RawItem("x.txt", None, 0, "sha", data=data)
    parsed = parse_item(item)
    assert not isinstance(parsed, dict), parsed
    rows = Rows()
    build_rows([parsed], rows, detector)
    return rows


@pytest.mark.parametrize("detector", ["fast", "langdetect"])
def test_golden_seed_article(seed_bytes: bytes, detector: str) -> None:
    rows = _rows_for(seed_bytes, detector)
    (article,) = rows.articles
    sections = rows.sections
    kinds = [s["kind"] for s in sections]
    assert article["section_label"] == "TV"
    assert article["title"] == "Khalifa Haftar à bord du porte-avions russe Amiral Kouznetsov"
    assert article["lang"] == "fr"
    captions = [s for s in sections if s["kind"] == "caption"]
    assert [c["credit"] for c in captions] == ["AFP", "Reuters", "AFP"]
    assert article["credits"] == ["AFP", "Reuters", "AFP"]
    omar = captions[0]
    assert omar["text"].startswith("US Rep. Ilhan Omar")
    assert omar["section_lang"] == "en" and omar["is_foreign"] is True
    assert [c["is_foreign"] for c in captions[1:]] == [False, False]
    quotes = [s for s in sections if s["kind"] == "quote"]
    assert len(quotes) == 2 and all(q["text"].startswith("«") for q in quotes)
    assert kinds.count("paragraph") == 5
    assert article["n_paragraphs"] == 5 and article["n_quotes"] == 2
    assert article["n_captions"] == 3
    assert [s["text"] for s in sections if s["kind"] == "boilerplate"] == ["Partager Cet Article"]
    assert article["source_name"] == "FRENCH PRESS TV"
    assert kinds[-1] == "source"
    assert article["foreign_sections"] == 1
    for s in sections:
        assert s["text"].strip(), "no empty section"
        assert "\u00a0" not in s["text"]
    assert article["body"].count("\n\n") == 6  # 7 body units


def test_english_article_with_dateline_and_boilerplate() -> None:
    text = ("POLITICS\n\nMinister resigns after expenses row\n\n"
            "LONDON (Reuters) - The transport minister resigned on Tuesday after a row over "
            "expenses claims, the prime minister's office said.\n\n"
            "“I have made mistakes,” she said in a letter.\n\n"
            "Follow us on Twitter\nSOURCE: REUTERS\n")
    seg = segment(clean_text(text)[0])
    assert [s.kind for s in seg.sections] == [
        "section_label", "title", "paragraph", "quote", "boilerplate", "source"]
    assert seg.dateline == "LONDON (Reuters)"
    assert seg.source_name == "REUTERS"


def test_german_caption_and_quote() -> None:
    text = ("Streik bei der Bahn\n\nReisende am Bahnsteig in Berlin. Foto: dpa\n\n"
            "„Wir bedauern das sehr“, sagte ein Sprecher.\n\nDer Verkehr ruht. Quelle: dpa\n")
    seg = segment(clean_text(text)[0])
    kinds = [(s.kind, s.credit) for s in seg.sections]
    assert kinds[:3] == [("title", None), ("caption", "dpa"), ("quote", None)]


def test_russian_and_arabic_boilerplate_and_source() -> None:
    ru = segment("Заголовок новости\n\nТекст статьи о событиях дня.\n\nПоделиться\nИсточник: ТАСС")
    assert [s.kind for s in ru.sections] == ["title", "paragraph", "boilerplate", "source"]
    assert ru.source_name == "ТАСС"
    ar = segment("عنوان الخبر\n\nنص المقال عن أحداث اليوم.\n\nشارك هذا المقال\nالمصدر: وكالات")
    assert [s.kind for s in ar.sections] == ["title", "paragraph", "boilerplate", "source"]
    assert ar.source_name == "وكالات"


def test_short_title_is_not_mistaken_for_a_label() -> None:
    seg = segment("Brexit vote\n\nParliament votes today on the deal.")
    assert [s.kind for s in seg.sections] == ["title", "paragraph"]


def test_hard_wrapped_paragraph_is_joined() -> None:
    seg = segment("Title here\n\nThe first line of a paragraph that\nwraps onto the next line.")
    assert seg.sections[1].text == ("The first line of a paragraph that wraps onto the next "
                                    "line.")


#: Wire copy as old newswire files hold it: the headline on the first line of the same
#: block, every paragraph indented and cut at a fixed column, its last line short.
WIRE = """CENTRAL BANK STEPS IN AGAIN TO STEADY THE CURRENCY
    LISBON, March 3 - The central bank intervened on the foreign
exchange market this morning for the second day running, dealers
said.
    It sold small amounts of dollars against the escudo, they said,
after a sharp fall overnight in Asian trading.
    One dealer said the bank was seen twice in early trading and
"kept a low profile," adding that the market expected more of the
same before the weekend.
 Reuter
"""


def test_wire_copy_wrapped_paragraph_by_paragraph_is_joined_back() -> None:
    """Short paragraph-ending lines used to stop the whole block from counting as
    hard-wrapped: capitalised continuation lines then became sub-headings."""
    seg = segment(clean_text(WIRE)[0])
    kinds = [(s.kind, s.text) for s in seg.sections]
    assert kinds[0] == ("title", "CENTRAL BANK STEPS IN AGAIN TO STEADY THE CURRENCY")
    assert seg.dateline is not None and seg.dateline.startswith("LISBON")
    body = [text for kind, text in kinds if kind == "paragraph"]
    assert body[:3] == [
        "LISBON, March 3 - The central bank intervened on the foreign exchange market this "
        "morning for the second day running, dealers said.",
        "It sold small amounts of dollars against the escudo, they said, after a sharp "
        "fall overnight in Asian trading.",
        "One dealer said the bank was seen twice in early trading and \"kept a low "
        "profile,\" adding that the market expected more of the same before the weekend."]
    assert "subheading" not in {kind for kind, _ in kinds}


def test_only_a_short_caption_above_a_credit_line_is_a_caption() -> None:
    news = ("Coal output fell again last year. Gas made up most of the gap. Wind and solar "
            "grew fastest of all.")
    seg = segment("Power mix shifts\n\nThe grid changed fast in the last decade, officials "
                  "said on Monday.\n\nWorkers at the plant in May.\n\nPhoto: Reuters\n\n"
                  f"{news}\n\nPhoto: EIA/Reuters\n\nThe report is due in June.")
    kinds = {s.text: s.kind for s in seg.sections}
    assert kinds["Workers at the plant in May."] == "caption"
    assert kinds[news] == "paragraph"


def test_a_wire_sign_off_and_end_marks_close_the_body_as_boilerplate() -> None:
    seg = segment("Talks resume\n\nThe talks resume on Monday, officials said.\n\n"
                  "Both sides expect a deal by June.\n\nReuter")
    assert [(s.kind, s.rule) for s in seg.sections][-1] == ("boilerplate", "agency_sign_off")
    seg = segment("Talks resume\n\nReuters reported the talks resume on Monday.\n\n"
                  "Both sides expect a deal by June.\n\n// انتهى //\n\n14:23 ت م")
    assert [s.kind for s in seg.sections][1:] == ["paragraph", "paragraph", "boilerplate",
                                                   "boilerplate"]


def test_title_hint_from_jsonl_field() -> None:
    seg = segment("Body paragraph one.\n\nBody paragraph two.", title_hint="The headline")
    assert [(s.kind, s.text) for s in seg.sections][0] == ("title", "The headline")
    assert [s.kind for s in seg.sections] == ["title", "paragraph", "paragraph"]


def test_a_page_title_repeated_after_a_date_line_is_kept_once() -> None:
    title = "Student Dies After Diet Pills “Burned Her Up From Within”"
    lead = ("A British student died after taking diet pills she bought online, her family "
            "said on Tuesday, urging others to stay away from them.")
    straight = title.replace("“", '"').replace("”", '"')
    seg = segment(f"May 5, 2015\n\n{straight}\n\n{lead}\n\nShe was 21. {title}",
                  title_hint=title)
    copies = [(s.kind, s.rule) for s in seg.sections if s.text in (title, straight)]
    assert copies == [("title", "record_title")]  # straight or curly quotes: one title
    assert [s.kind for s in seg.sections if s.text.startswith(("A British", "She was"))] == [
        "paragraph", "paragraph"]
    # after a chrome line the head does not reach: typed boilerplate, before the lead only
    seg = segment(f"Home\n\nMay 5, 2015\n\nShare\n\n{straight}\n\n{lead}\n\n{straight}",
                  title_hint=title)
    assert [(s.kind, s.rule) for s in seg.sections if s.text == straight] == [
        ("boilerplate", "title_repeat"), ("paragraph", "paragraph")]


def test_credit_patterns() -> None:
    assert find_credit("Des manifestants à Paris. © AFP / John Doe") == "AFP / John Doe"
    assert find_credit("Vista del puerto (Foto: EFE)") == "EFE"
    assert find_credit("Пассажиры на станции. Фото: ТАСС") == "ТАСС"
    assert find_credit("A perfectly normal sentence about photos.") is None


def test_mojibake_article_is_repaired_and_recorded() -> None:
    text = "Titre\n\nLe ministère de la Défense a annoncé une réforme importante."
    broken = text.encode("utf-8").decode("cp1252").encode("utf-8")
    decoded = decode_bytes(broken).text
    rows = _rows_for(decoded.encode("utf-8"))
    assert "fix_mojibake" in rows.articles[0]["cleaning_rules"]
    assert rows.articles[0]["body"] == (
        "Le ministère de la Défense a annoncé une réforme importante.")


@pytest.mark.parametrize("line", [
    "شارك آلاف المتظاهرين في مسيرة حاشدة وسط القاهرة يوم الجمعة",
    "Реклама алкоголя будет запрещена с 1 марта, заявил министр",
    "Anzeige gegen den Bürgermeister erstattet.",
    "Werbung für Abtreibungen bleibt verboten",
    "Share prices fell 5% on Monday.",
    "Tweet by Trump sparks diplomatic row with Mexico",
    "Delen van de winst blijft omstreden",
    "(c) the third condition is that the parties agree.",
    "Copyright law was overhauled by the European Parliament.",
])
def test_news_sentences_that_open_with_a_button_word_stay_in_the_body(line: str) -> None:
    seg = segment(f"Headline of the day\n\n{line}\n\nSecond paragraph of the story.")
    assert [s.kind for s in seg.sections] == ["title", "paragraph", "paragraph"], line


@pytest.mark.parametrize("line", [
    "Partager Cet Article", "Share: Facebook Twitter", "Facebook Twitter WhatsApp E-mail",
    "شارك هذا المقال", "\u200fشارك هذا المقال", "分享到：微信 微博", "Подписаться на рассылку",
    "Comparte esta noticia", "Teilen Sie diesen Artikel", "© AFP 2024", "Anzeige"])
def test_share_and_copyright_lines_are_boilerplate(line: str) -> None:
    seg = segment(clean_text(f"Headline of the day\n\nA paragraph.\n\n{line}")[0])
    assert seg.sections[-1].kind == "boilerplate", line


def test_cjk_headline_is_the_title_and_the_lead_stays_in_the_body() -> None:
    seg = segment("国务院召开常务会议部署稳经济措施\n\n国务院总理主持召开常务会议，部署措施。\n\n"
                  "会议指出，当前经济运行面临新的挑战。")
    assert [s.kind for s in seg.sections] == ["title", "paragraph", "paragraph"]
    labelled = segment("国际\n\n国务院召开常务会议部署稳经济措施\n\n国务院总理主持召开常务会议。")
    assert [s.kind for s in labelled.sections] == ["section_label", "title", "paragraph"]


def test_a_record_title_repeated_in_the_text_after_a_label_is_kept_once(seed_bytes) -> None:
    text = clean_text(decode_bytes(seed_bytes).text)[0]
    title = "Khalifa Haftar à bord du porte-avions russe Amiral Kouznetsov."
    seg = segment(text, title_hint=title)
    assert [s.kind for s in seg.sections[:3]] == ["section_label", "title", "caption"]
    assert sum(s.text.rstrip(".") == title.rstrip(".") for s in seg.sections) == 1


@pytest.mark.parametrize("line, credit", [
    ("President Biden at the White House. (AP Photo/Evan Vucci)", "AP Photo/Evan Vucci"),
    ("The senator speaks. (Photo by Chip Somodevilla/Getty Images)",
     "Chip Somodevilla/Getty Images"),
    ("Trump in Ohio. REUTERS/Kevin Lamarque", "REUTERS/Kevin Lamarque"),
    ("Die Kanzlerin in Berlin. Foto: dpa/M. Kappeler", "dpa/M. Kappeler"),
    ("“Lost in Translation” star Bill Murray at Cannes. ©AFP", "AFP"),
])
def test_more_credit_styles(line: str, credit: str) -> None:
    seg = segment(f"Headline of the day\n\n{line}\n\nA paragraph of the story.")
    assert (seg.sections[1].kind, seg.sections[1].credit) == ("caption", credit)


@pytest.mark.parametrize("line", [
    "Für die Pendler ergibt sich ein klares Bild: Nichts geht mehr am Montag.",
    "Voici la photo : elle montre le président devant l'Élysée.",
])
def test_sentences_mentioning_a_picture_are_not_captions(line: str) -> None:
    assert find_credit(line) is None


def test_hard_wrapped_german_paragraphs_are_joined_but_related_headlines_are_not() -> None:
    import textwrap

    para = ("Die Bundesregierung hat am Dienstag in Berlin ein neues Gesetz zur Förderung der "
            "Elektromobilität vorgestellt, das Käufern von Elektroautos eine Prämie von bis "
            "zu 6000 Euro in Aussicht stellt.")
    text = ("Neues Gesetz für Elektroautos vorgestellt\n\n" + textwrap.fill(para, 72)
            + "\n\nMehr zum Thema:\nBahnstreik legt den Fernverkehr in ganz Deutschland lahm"
            "\nRegierung plant neue Steuern für Vielflieger ab dem kommenden Jahr\n")
    assert "\n" in textwrap.fill(para, 72) and "\nFörderung" in textwrap.fill(para, 72)
    seg = segment(clean_text(text)[0])
    assert [s.kind for s in seg.sections] == ["title", "paragraph", "boilerplate",
                                              "subheading", "subheading"]
    assert seg.sections[1].text == para


NEWS = ("The ministry said on Tuesday that the new rules would take effect in March, "
        "after months of talks with unions and employers over the details.")
MORE = ("Officials expect the change to affect about two million workers, most of them "
        "in the retail and hospitality sectors, according to the ministry's estimate.")


@pytest.mark.parametrize(("line", "rule"), [
    ("This advertisement has not loaded yet, but your article continues below.", "widget"),
    ("Il vous reste 57.09% de cet article à lire. La suite est réservée aux abonnés.",
     "widget"),
    ("有料会員になると会員限定の有料記事もお読みいただけます。", "widget"),
    ("Fehler gefunden? Jetzt melden.", "widget"),
    ("Stand: 10:49 UhrLesedauer: 5 Minuten", "reading_time"),
    ("Published Jun 05, 2026 • 3 minute read", "reading_time"),
    ("Reporting by Maya Gebeilly in Beirut; Editing by Daniel Flynn", "contributors"),
    ("—Associated Press writer John Leicester in Paris contributed to this report.",
     "contributors"),
    ("With files from The Associated Press", "contributors"),
    ("Facebook X LinkedIn Tumblr Pinterest WhatsApp Telegram Share via Email Print",
     "share_bar"),
    # read-more labels before a teaser headline, any case, with or without accents
    (">> Mehr lesen: Was ihr im Winter im Thermenland erleben könnt", "button_phrase"),
    ("LE PUEDE INTERESAR: La ficha del exministro en el tribunal", "button_phrase"),
    ("Siguenos en Telegram, Instagram, Facebook y Twitter para recibir las noticias",
     "button_phrase"),
    ("[Read: Two disasters are exponentially worse than one]", "button_phrase"),
    ("Dowiedz się więcej: Kto jak głosował w sprawie funduszy?", "button_phrase"),
    ("■関連記事", "button_phrase"),
])
def test_widget_reading_time_and_credit_lines_are_boilerplate(line: str, rule: str) -> None:
    """Lines found in real pages the rules were not shaped on (fundus test pages):
    paywall and ad placeholders, reading times, reporting credits, share bars."""
    seg = segment(f"Minister unveils new labour rules\n\n{NEWS}\n\n{line}\n\n{MORE}")
    typed = {s.text: (s.kind, s.rule) for s in seg.sections}
    assert typed[line] == ("boilerplate", rule)
    assert typed[NEWS] == typed[MORE] == ("paragraph", "paragraph")


@pytest.mark.parametrize("line", [
    "Reporting by the BBC showed that the number of such cases rose sharply last year.",
    "The minister said the company contributed.",
    "It takes about 3 minutes to read the report, which the ministry published online.",
    "»Vi vil vise aarhusianerne, at det mellemøstlige køkken kan meget mere end "
    "rullekebab. Der er en historie, siger hun.",
    "Mira Sorvino read the statement on behalf of the families on Monday.",
    "Read the full ruling, the judge told the lawyers, before filing any appeal.",
])
def test_news_lines_that_look_like_credits_or_crumbs_stay_in_the_body(line: str) -> None:
    seg = segment(f"Minister unveils new labour rules\n\n{NEWS}\n\n{line}\n\n{MORE}")
    kinds = {s.text: s.kind for s in seg.sections}
    assert kinds[line] in ("paragraph", "quote")


def test_list_items_ending_with_a_conjunction_are_not_crossheads() -> None:
    items = ["The principle of minimal relocation to protect livelihoods; and",
             "Play an active role in the upkeep of their trading spaces; and"]
    seg = segment("\n\n".join(["Traders agree new market rules", NEWS, *items, MORE]))
    assert {s.text: s.kind for s in seg.sections}[items[0]] == "paragraph"


def test_a_chinese_lead_sentence_is_not_a_title() -> None:
    """Chinese and Japanese headlines do not close with a full stop: a first line that
    does is the lead, and stays in the body."""
    lead = ("香港行政长官梁振英在各方压力下就其大宅的违章建筑问题到立法会接受质询，"
            "并向香港民众道歉。")
    rest = "梁振英表示，他对事件处理不当感到抱歉，并承诺会全力配合有关部门的调查工作。"
    seg = segment(f"{lead}\n\n{rest}")
    assert not seg.of_kind("title")
    assert [s.text for s in seg.of_kind("paragraph")] == [lead, rest]


@pytest.mark.parametrize("chrome", [["Home", "Politik"], ["MENINGSMÅLING:"], ["News"]])
def test_one_word_sections_and_kickers_before_the_headline_are_not_the_title(
        chrome: list[str]) -> None:
    headline = "Streeck lobt Doku und warnt vor Kokain-Verherrlichung im Rap"
    seg = segment("\n\n".join([*chrome, headline, NEWS, MORE]))
    assert [s.text for s in seg.of_kind("title")] == [headline]
    assert [s.kind for s in seg.sections[:len(chrome)]] == (
        ["section_label"] + ["boilerplate"] * (len(chrome) - 1))
    assert [s.text for s in seg.of_kind("paragraph")] == [NEWS, MORE]


def test_a_dateline_after_short_page_leftovers_is_found() -> None:
    """A lead under an uncredited photo caption still gives its dateline when the
    dateline names an agency or a date; a bare capitalised word after such leftovers is
    a kicker, not a dateline."""
    head = ["Budget deal wins the governor's backing", "By Tom Davies",
            "Rep. Jane Roe, left, talks with Rep. Jeff Doe at the Statehouse on Thursday."]
    lead = ("INDIANAPOLIS (AP) — A messy state budget deal gained the endorsement of "
            "Indiana's governor on Friday after weeks of talks between the two chambers.")
    seg = segment("\n\n".join([*head, lead, MORE]))
    assert seg.of_kind("paragraph")[0].text == head[2]
    assert seg.dateline == "INDIANAPOLIS (AP)"
    kicker = ("WARNING GRAPHIC DETAIL - The footage shows the moment the car hit the "
              "barrier, and police say the driver was unhurt.")
    assert segment("\n\n".join([*head, kicker, MORE])).dateline is None


@pytest.mark.parametrize(("line", "rule"), [
    ("Ground Game: Sign up for AP’s weekly politics newsletter to get it in your inbox "
     "every Monday.", "promo"),
    ("Get the latest news from example.com.au in your inbox.", "promo"),
    ("Copyright @ 2026 Media Group - example.", "copyright"),
    ("With reports from Reforma and El Economista", "contributors"),
])
def test_newsletter_prompts_and_rights_lines_are_boilerplate(line: str, rule: str) -> None:
    seg = segment(f"Minister unveils new labour rules\n\n{NEWS}\n\n{line}\n\n{MORE}")
    assert {s.text: (s.kind, s.rule) for s in seg.sections}[line] == ("boilerplate", rule)


def test_a_paragraph_about_a_newsletter_stays_news() -> None:
    line = ("The newsletter, founded in 1998 by two former reporters, now has 40,000 "
            "readers and will move to a paid model next year, its editor said.")
    seg = segment(f"Minister unveils new labour rules\n\n{NEWS}\n\n{line}\n\n{MORE}")
    assert {s.text: s.kind for s in seg.sections}[line] == "paragraph"


@pytest.mark.parametrize(("line", "credit"), [
    ("Der Kremlkritiker Boris NadeschdinBild: Mikhail Sinitsyn/TASS/dpa/picture alliance",
     "Mikhail Sinitsyn/TASS/dpa/picture alliance"),
    ("Personen in Schutzanzügen gehen auf das Schiff zu: 11. Mai 2026 (AFP / JORGE GUERRERO)",
     "AFP / JORGE GUERRERO"),
    ("Michael D. Higgins in Galway. | Niall Carson/PA Images via Getty Images",
     "Niall Carson/PA Images via Getty Images"),
    ("Mario Voigt (CDU) und Björn Höcke (AfD)Quelle: Hannes P. Albert/dpa",
     "Hannes P. Albert/dpa"),
])
def test_credits_with_spaced_slashes_via_agencies_or_glued_markers(line: str,
                                                                  credit: str) -> None:
    assert find_credit(line) == credit


@pytest.mark.parametrize("line", ["Das Leitbild: Nachhaltigkeit und Fairness für alle.",
                                  "Er sagte das am Montag in Berlin. Quelle: dpa"])
def test_a_colon_after_a_word_ending_in_bild_or_a_source_note_is_no_credit(line: str) -> None:
    assert find_credit(line) is None
