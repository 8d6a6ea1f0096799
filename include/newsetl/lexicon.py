"""The multilingual word lists that section typing reads, in one place.

Every list here is data, not logic: :mod:`newsetl.segment` builds its patterns from
them. Add a language by adding its words to each list; a test checks that every entry
is lower-case and that no phrase is listed twice. Words that also open ordinary news
sentences ("Share prices fell", "Anzeige gegen ...") go to :data:`AMBIGUOUS_PHRASES`
as well, so that they only count as boilerplate when the line reads as a button.
"""

from __future__ import annotations

#: ``SOURCE: NAME`` trailer words.
SOURCE_WORDS = (
    "source", "sources", "quelle", "fuente", "fonte", "fonti", "bron", "źródło", "zdroj",
    "kaynak", "källa", "kilde", "источник", "джерело", "المصدر", "منبع", "מקור", "出典",
    "来源", "來源", "출처",
)

#: Lines that open with one of these are share/follow/subscribe/read-also/rights lines.
BOILERPLATE_PHRASES = (
    # en
    "share this", "share on", "share article", "share", "tweet", "subscribe", "subscribe to",
    "sign up", "newsletter", "read also", "read more", "also read", "see also", "related:",
    "related articles", "related stories", "related content", "related coverage",
    "follow us", "click here", "advertisement", "all rights reserved", "copyright",
    "print this", "email this", "comments", "leave a comment", "leave a reply",
    "you may also like", "more from", "recommended", "trending", "most read", "most popular",
    "sponsored", "skip to content", "skip to main content", "back to top", "cookie",
    "we use cookies", "accept cookies", "log in", "login", "sign in", "register",
    "get the latest", "don't miss", "watch:", "listen:", "listen to this article",
    "download the app", "join our", "support our", "donate", "tags:", "topics:",
    "filed under", "posted in", "updated:", "published:", "last updated", "previous article",
    "next article", "previous post", "next post", "republish this article", "republish",
    "translated by", "translation:", "traducción:", "tradução:", "traduction :",
    "traduction:", "übersetzung:", "edición:", "edição:", "published in sections:",
    "publication status", "publication date:", "direct link:", "text version", "read:",
    "read next", "continue reading", "keep reading", "more on this story",
    # fr
    "partager", "partagez", "partagez cet article", "abonnez-vous", "inscrivez-vous",
    "lire aussi", "à lire aussi", "a lire aussi", "lire la suite", "voir aussi",
    "suivez-nous", "tous droits réservés", "publicité", "s'abonner",
    "recevez notre newsletter", "à lire également", "sur le même sujet",
    # de
    "teilen", "artikel teilen", "abonnieren", "lesen sie auch", "mehr zum thema",
    "folgen sie uns", "alle rechte vorbehalten", "anzeige", "werbung", "jetzt abonnieren",
    "auch interessant", "das könnte sie auch interessieren", "weiterlesen", "mehr lesen",
    "mehr dazu", "lesen sie mehr", "zum thema:",
    # es / pt / it
    "compartir", "comparte", "comparte esta noticia", "suscríbete", "suscribete",
    "lee también", "leer más", "síguenos", "todos los derechos reservados", "publicidad",
    "te puede interesar", "noticias relacionadas", "compartilhe", "partilhar", "assine",
    "leia também", "leia mais", "leia aqui", "lea aquí", "lea también",
    "todos os direitos reservados", "condividi", "iscriviti", "le puede interesar",
    "puede interesarte", "te podría interesar", "puedes ver:", "lea más", "lee más",
    "mira:", "mira también", "ver también", "vea también", "más información:",
    "seguir leyendo", "sigue leyendo", "veja também", "saiba mais", "leggi anche:",
    "leggi anche", "tutti i diritti riservati", "potrebbe interessarti",
    # nl / pl / tr
    "delen", "lees ook", "lees meer", "udostępnij", "czytaj także", "czytaj też",
    "czytaj więcej", "dowiedz się więcej", "zobacz też", "zobacz także", "paylaş", "abone ol",
    "lue myös", "lue seuraavaksi", "läs också", "läs mer", "les også", "læs også",
    "ayrıca okuyun", "tüm hakları saklıdır",
    # ru / uk
    "поделиться", "подписывайтесь", "подпишитесь", "читайте также", "читайте нас",
    "все права защищены", "реклама", "поширити", "читайте також", "подписаться",
    "подписаться на рассылку", "смотрите также", "по теме", "новости по теме",
    # ar / fa / he
    "شارك", "مشاركة", "اشترك", "اقرأ أيضا", "اقرأ أيضاً", "اقرأ المزيد", "تابعونا",
    "جميع الحقوق محفوظة", "اشتراک گذاری", "به اشتراک بگذارید", "بیشتر بخوانید",
    "همچنین بخوانید", "بخوانید", "کلیه حقوق", "تمامی حقوق", "שתפו", "קראו עוד",
    "أخبار ذات صلة", "مواضيع ذات صلة", "اخبار مرتبط",
    # zh / ja / ko
    "分享", "分享到", "相关阅读", "相关新闻", "版权所有", "シェア", "関連記事", "関連ニュース",
    "関連情報", "関連リンク",
    "공유", "관련기사",
)

#: What a page counts beside an article ("941 comments", "5 Kommentare").
COUNTED_THINGS = (
    "comments?", "kommentare?", "commentaires?", "comentarios?", "comentários?", "commenti",
    "reacties", "komentarzy?", "komentarze", "kommentarer", "yorum", "комментари[йяев]?",
    "shares?", "views?", "likes?", "reads?", "replies", "reply", "antworten", "réponses?",
    "respuestas?", "visualizaciones", "aufrufe", "vues", "просмотр(?:ов|а)?",
)

#: Phrases that also open news sentences (nouns, infinitives; not imperatives such as
#: "Síguenos" or "Abonnez-vous"): boilerplate only when the line reads as a button.
AMBIGUOUS_PHRASES = frozenset((
    "share", "tweet", "subscribe", "newsletter", "advertisement", "copyright", "comments",
    "partager", "publicité", "teilen", "anzeige", "werbung", "compartir", "publicidad",
    "partilhar", "assine", "delen", "paylaş", "поделиться", "реклама", "поширити", "شارك",
    "مشاركة", "اشترك", "بخوانید", "分享", "シェア", "recommended", "trending", "sponsored",
    "cookie", "register", "donate", "republish", "공유", "login",
))

#: Network and button names: a line of only these is a share bar.
SOCIAL = frozenset((
    "facebook", "twitter", "x", "whatsapp", "linkedin", "telegram", "email", "e-mail", "mail",
    "pinterest", "reddit", "vk", "vkontakte", "вконтакте", "одноклассники", "weibo", "wechat",
    "微信", "微博", "qq", "instagram", "tiktok", "messenger", "viber", "line", "print", "copy",
    "link", "sms", "threads", "bluesky", "mastodon", "flipboard", "xing", "youtube", "tumblr",
    "share", "via",
))

#: Words after an ambiguous phrase that keep it a button ("Share this", "Teilen Sie").
DEMONSTRATIVES = frozenset((
    "this", "cet", "cette", "ce", "sie", "diesen", "dieses", "diese", "este", "esta", "esto",
    "questo", "questa", "dit", "deze", "tego", "ten", "tę", "bu", "эту", "этой", "этим",
    "это", "هذا", "هذه", "این", "now", "jetzt", "maintenant", "ahora", "here", "ici", "hier",
    "on", "sur", "auf", "en", "в", "على", "در",
))

#: Footers that may stand anywhere in a line, glued to the end of a news sentence:
#: licences, reprint notices, form widgets, author bios and follow lines, subscribe
#: prompts. Case-insensitive regex fragments, each opening a boilerplate tail.
FOOTER_OPENERS = (
    r"all content (?:by|on|of|from) .{1,80}? is licensed under",
    r"(?:this|the) (?:article|story|post|work|piece|content) (?:is|was) (?:re)?published "
    r"(?:from|by|on|with|under|in)",
    r"(?:this|the) (?:article|story|post|work|content) is licensed under",
    r"(?:is|are) licensed under (?:a |the )?creative commons",
    r"licensed under (?:a |the )?creative commons",
    r"this work is licensed",
    r"creative commons attribution",
    r"(?:article|story) (?:re)?posted with permission",
    r"(?:re)?printed with permission",
    r"(?:re)?published with permission",
    r"originally published (?:on|at|by|in)",
    r"this (?:article|story) (?:first|originally) appeared",
    r"this (?:article|story|post) was (?:first|originally|produced|written in collaboration)",
    r"this post (?:first|originally) appeared",
    r"cross-?posted (?:at|from|on|with)",
    r"this field is for validation purposes",
    r"your email address will not be published",
    r"required fields are marked",
    r"follow (?:him|her|them|us|me) on",
    r"you can follow (?:him|her|them|us|me)",
    r"(?:sign up|subscribe) (?:for|to) (?:our|the) (?:\w+ ){0,2}(?:newsletter|daily|weekly)",
    r"get (?:our|the) (?:\w+ ){0,3}newsletter",
    r"click here to (?:subscribe|sign up|read|download|donate|support)",
    r"support (?:our|independent) journalism",
    r"(?:please )?(?:consider )?(?:donat(?:e|ing)|support(?:ing)?) (?:to )?(?:us|our work)",
    r"to republish this (?:article|story)",
    r"tous droits réservés",
    r"alle rechte vorbehalten",
    r"todos los derechos reservados",
    r"все права защищены",
    r"all rights reserved",
)

#: Widget, ad, paywall, sign-up form, comment box and disclosure lines: regex fragments
#: matched at the start of a line only (case-insensitive), so the glued-footer search over
#: every sentence end stays short.
WIDGET_OPENERS = (
    r"(?:this )?advertisement has not loaded",
    r"(?:the )?(?:article|story) continues below(?: (?:this |the )?advertisement)?",
    r"il vous reste \d+(?:[.,]\d+)? ?% de cet article",
    r"la suite est réservée aux abonnés",
    r"(?:this|the) (?:article|story|content) is (?:only )?(?:available|reserved) (?:to|for) "
    r"(?:subscribers|members)",
    r"(?:dieser artikel ist )?(?:nur|exklusiv) für (?:abonnenten|abonnentinnen|abonnierende)",
    r"(?:contenido )?(?:exclusivo|sólo|solo) para (?:suscriptores|abonados)",
    r"(?:conteúdo )?exclusivo para assinantes",
    r"tu suscripción se está usando en otro dispositivo",
    r"会員限定",
    r"有料会員",
    r"fehler gefunden\?",
    # sign-up forms and their legal notes, in any newsletter or account box
    r"by (?:signing up|subscribing|submitting|registering|providing|clicking)\b[^.]{0,60}?"
    r"\b(?:you|i) (?:agree|consent|confirm|accept|have read)",
    r"this site is protected by recaptcha",
    r"i would like to be emailed about",
    r"privacy notice: newsletters may contain",
    r"thanks for signing up",
    r"you(?:'|’)ve successfully subscribed",
    r"there was an error, please provide a valid email",
    r"we encountered an issue signing you up",
    r"mit meiner anmeldung zum newsletter",
    r"zum folgen bitte anmelden",
    # account walls
    r"create an account or sign in to",
    r"already have an account\?",
    r"this article is free to read",
    r"subscribe now to read",
    r"nog geen abonnee\?",
    r"als abonnee (?:lees|krijg) je",
    r"non hai un account\?",
    r"il servizio è dedicato agli utenti registrati",
    # video players and embedded third-party content
    r"we apologi[sz]e, but this video has failed to load",
    r"try refreshing your browser",
    r"ich bin damit einverstanden, dass mir (?:der )?externe",
    r"an dieser stelle finden sie einen .{0,60}externen inhalt",
    # comment boxes and their policies
    r"(?:you must|you need to) be (?:logged in|signed in|a subscriber|registered) to",
    r"please (?:review|read) our (?:comment(?:ing)?|community) (?:policy|guidelines)",
    r"share your thoughts and join the conversation",
    r"du musst (?:dich )?(?:angemeldet sein|einloggen)",
    r"um einen kommentar (?:zu )?(?:schreiben|abgeben|abzugeben|verfassen) zu können",
    r"zu diesem artikel wurden noch keine kommentare",
    r"noch kein kommentar vorhanden",
    r"bitte füllen sie die felder aus, um einen kommentar",
    r"para ver los comentarios de nuestros suscriptores",
    r"we want to hear from you",
    r"ihre meinung ist uns wichtig",
    r"(?:hat ihnen dieser artikel gefallen|did you (?:like|enjoy) this (?:article|story))\?",
    # disclosures: affiliate links, opinion pieces, machine translation
    r"(?:when|if) you (?:buy|purchase) (?:something )?(?:through|using|via) links",
    r"reviews and recommendations are unbiased",
    r"we independently select (?:everything|all|these|the products)",
    r"(?:the )?(?:opinions|views) expressed (?:here |in this (?:article|column) )?are "
    r"(?:solely )?(?:those|the views) of the",
    r"dies ist eine maschinelle übersetzung",
    r"diese zusammenfassung wurde (?:künstlich|automatisch) erzeugt",
)

#: Newsletter and feed prompts anywhere in a short line ("Ground Game: Sign up for AP's
#: weekly politics newsletter ...", "Get the latest news from X in your inbox."):
#: case-insensitive regex fragments; every one holds a word of :data:`PROMO_CUES`.
PROMO_PHRASES = (
    r"\bsign(?:ing)? up (?:for|to) (?:[\w'’.-]+ ){0,5}newsletters?\b",
    r"\bsubscribe to (?:[\w'’.-]+ ){0,5}newsletters?\b",
    r"\b(?:delivered |straight |right )?(?:in|to|into) your inbox\b",
    r"\bas a preferred source\b",
)
PROMO_CUES = ("newsletter", "inbox", "preferred source")

#: How long an article takes to read ("Lesedauer: 5 Minuten", "3 minute read"): regex
#: fragments, case-insensitive, searched in short lines only.
READING_TIME = (
    r"(?:lesedauer|lesezeit|reading time|read time|tiempo de lectura|temps de lecture|"
    r"tempo de leitura|tempo di lettura|leestijd|czas czytania|время чтения|okuma süresi)"
    r"\s*:?\s*(?:ca\.\s*)?\d",
    r"\b\d+\s*-?\s*(?:min(?:ute)?s?|minuten|minutos|minuti)\.?\s+(?:read|lesen|lesezeit|"
    r"de lectura|de leitura|di lettura|de lecture|leestijd)\b",
)

#: Lines that credit the reporting and editing, not the article's author: "Reporting by
#: Jane Doe; Editing by John Roe", "With files from The Associated Press". Each opener
#: is followed by names (checked in :func:`newsetl.boilerplate.is_contributor_line`).
CONTRIBUTOR_OPENERS = (
    "additional reporting by", "reporting by", "writing by", "editing by", "compiled by",
    "with files from", "with reporting by", "with reporting from", "with reports from",
    "mit material von",
    "mit material der", "mit agenturmaterial", "con información de", "con información de la",
    "avec l'afp", "avec afp", "com informações da", "com informações de",
)
#: A line ending with one of these credits other reporters ("Associated Press writer
#: John Leicester in Paris contributed to this report."); a bare "contributed" only
#: after a reporter word ("AP writers Jane Doe and John Roe contributed.").
CONTRIBUTOR_ENDS = ("contributed to this report", "contributed to this story",
                    "contributed to this article", "contributed reporting")
CONTRIBUTOR_ROLES = ("writer", "writers", "reporter", "reporters", "correspondent",
                     "correspondents", "staff", "researcher", "researchers")

#: Words that never end a heading: a line ending with one goes on ("... livelihoods;
#: and"), so it is part of a list or a cut sentence, not a crosshead. Only words that
#: end no phrase in any language the pipeline meets: not "die" (English verb), "an"
#: (French "un an"), "for" ("What X is for"), nor letters ("Plan A", "World War I").
DANGLING_WORDS = frozenset((
    "and", "or", "nor", "the", "of", "und", "oder", "aber", "der", "das", "des", "et",
    "ou", "mais", "les", "pero", "los", "las", "и", "или", "но", "ve", "veya", "oraz",
    "lub", "het", "een",
))

#: Author-bio lines at the end of an article: "<Name> is a reporter for ...".
BIO_ROLES = (
    "reporter", "writer", "editor", "correspondent", "journalist", "columnist",
    "contributor", "producer", "intern", "fellow", "photographer", "author", "freelancer",
    "researcher", "professor", "analyst", "blogger", "student", "host",
)

#: Words that open a byline ("By Jane Doe", "Por María Pérez", "Автор: ...").
BYLINE_WORDS = (
    "by", "written by", "reported by", "posted by", "posted", "edited by", "words by",
    "story by", "text by", "por", "par",
    "von", "di", "door", "av", "af", "przez", "autor", "autorin", "auteur", "author",
    "авторы", "автор", "текст", "بقلم", "كتب", "نویسنده", "作者", "記者", "文", "기자",
)

#: Roles after a name that make a line a byline without a byline word
#: ("Débora Brito - Repórter da Agência Brasil", "Jane Doe, Staff Writer").
BYLINE_ROLES = (
    "reporter", "repórter", "reportero", "reportera", "reporterin", "correspondent",
    "correspondente", "corresponsal", "correspondant", "correspondante", "korrespondent",
    "korrespondentin", "journalist", "journaliste", "journalistin", "periodista",
    "jornalista", "giornalista", "staff writer", "staff reporter", "senior writer",
    "editor", "editora", "redactor", "redactora", "rédacteur", "rédactrice", "redakteur",
    "redakteurin", "envoyé spécial", "envoyée spéciale", "special correspondent",
    "корреспондент", "журналист", "кореспондент", "خبرنگار", "مراسل", "مراسلة",
    "redação", "redacción", "rédaction", "redaktion",
)

#: Outlets and roles that follow names in a byline and are not authors.
BYLINE_NON_NAMES = frozenset((
    "reuters", "ap", "afp", "associated press", "the associated press", "bloomberg", "dpa",
    "efe", "ansa", "tass", "xinhua", "upi", "cnn", "bbc", "staff", "staff writer",
    "staff reporter", "correspondent", "senior correspondent", "editor", "reporter",
    "contributor", "special correspondent", "agencies", "agence france-presse",
    "agence france presse", "the conversation", "global voices", "voa", "voa news",
    "wikinews", "wire services", "news desk", "newsroom",
))

#: What pages put in their author metadata that names nobody: placeholders of the
#: publishing system, generic desks, and words for "author" or "editorial team".
META_AUTHOR_PLACEHOLDERS = frozenset((
    "username", "user", "admin", "administrator", "author", "authors", "autor", "auteur",
    "autore", "作者", "编辑", "記者", "letters", "editorial", "editorial team", "editors",
    "redacción", "redaccion", "redação", "redaction", "rédaction", "redaktion", "redazione",
    "redakcja", "редакция", "guest", "anonymous", "unknown", "web desk", "online desk",
))
#: Last words that make an author name an organisation ("Wegewerk GmbH", "Facebook Com").
ORGANISATION_SUFFIXES = frozenset((
    "gmbh", "ag", "inc", "ltd", "llc", "plc", "sa", "srl", "spa", "bv", "nv", "ab", "as",
    "oy", "com", "net", "org", "media", "média", "group", "gruppe", "verlag", "publishing",
))

#: Words that make a capitalised name a news agency ("Agência Brasil", "Mehr News
#: Agency"): a line that is only such a name, after a "from" word, is an outlet byline.
AGENCY_WORDS = (
    "agência", "agencia", "agence", "agency", "agentur", "agenzia", "agencja", "агентство",
    "агенція", "ajansı", "news service", "presse", "press",
)

#: "Da Agência Brasil", "From Reuters", "Von dpa": the words before an outlet byline.
OUTLET_BYLINE_WORDS = (
    "from", "by", "da", "de", "do", "por", "par", "von", "di", "dalla", "della", "van",
    "от", "від",
)

#: Weekdays and months: "By Monday ..." is not a byline; dates in datelines.
WEEKDAYS = frozenset((
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
))
MONTHS = (
    # en
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun",
    "june", "jul", "july", "aug", "august", "sep", "sept", "september", "oct", "october",
    "nov", "november", "dec", "december",
    # fr
    "janvier", "février", "fevrier", "mars", "avril", "mai", "juin", "juillet", "août",
    "aout", "septembre", "octobre", "novembre", "décembre", "decembre", "janv", "févr",
    "avr", "juil", "déc",
    # de
    "januar", "jänner", "februar", "märz", "juni", "juli", "oktober", "dezember",
    # es / pt / it
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
    "septiembre", "setiembre", "octubre", "noviembre", "diciembre", "ene", "dic",
    "janeiro", "fevereiro", "março", "maio", "junho", "julho", "setembro", "outubro",
    "novembro", "dezembro", "gennaio", "febbraio", "aprile", "maggio", "giugno", "luglio",
    "settembre", "ottobre", "dicembre", "gen", "mag", "giu", "lug", "ago", "set", "ott",
    # nl / pl / tr
    "januari", "februari", "maart", "mei", "augustus", "stycznia", "lutego", "marca",
    "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października",
    "listopada", "grudnia", "ocak", "şubat", "mart", "nisan", "mayıs", "haziran", "temmuz",
    "ağustos", "eylül", "ekim", "kasım", "aralık",
    # ru / uk
    "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
    "сентября", "октября", "ноября", "декабря", "янв", "фев", "мар", "апр", "июн", "июл",
    "авг", "сен", "окт", "ноя", "дек", "січня", "лютого", "березня", "квітня", "травня",
    "червня", "липня", "серпня", "вересня", "жовтня", "листопада", "грудня",
    # ar / fa
    "يناير", "فبراير", "مارس", "أبريل", "ابريل", "مايو", "يونيو", "يوليو", "أغسطس",
    "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر", "كانون", "شباط", "آذار", "نيسان", "أيار",
    "حزيران", "تموز", "آب", "أيلول", "تشرين",
)

#: Caption markers without a credit: "… Архивное фото", "(File photo)", "Image: …".
CAPTION_END_MARKERS = (
    "архивное фото", "фото из архива", "file photo", "archive photo", "photo d'archive",
    "photo d’archive", "archivbild", "archivfoto", "foto de archivo", "foto d'archivio",
    "foto de arquivo", "صورة أرشيفية", "عکس آرشیوی", "資料照片", "资料图", "資料写真",
)
#: Where someone stands in a picture, as captions say it in parentheses: "(left)",
#: "(second from right)", "(L-R)", "(clockwise from top)", "(von links)", "(слева)".
#: Bare party-orientation words ("(izquierda)", "(destra)", "(links)") are no position:
#: news prose uses them for parties, so other languages have their positional phrases.
PICTURE_POSITIONS = (
    "left", "right", "centre", "center", "l-r", "r-l", "clockwise", "von links",
    "von rechts", "links im bild", "rechts im bild", "à gauche", "à droite", "au centre",
    "de gauche à droite", "a la izquierda", "a la derecha", "de izquierda a derecha",
    "en el centro", "à esquerda", "à direita", "ao centro", "da esquerda para a direita",
    "a sinistra", "a destra", "al centro", "da sinistra", "слева", "справа", "в центре",
    "зліва", "ліворуч", "праворуч", "в центрі",
)
#: The words that may stand before a position in that parenthesis ("second from left",
#: "front row, far right", "upper left hand corner and clockwise").
PICTURE_POSITION_LEADS = (
    "second", "third", "fourth", "fifth", "far", "top", "bottom", "upper", "lower",
    "front", "back", "row", "from", "hand", "corner", "and", "standing", "seated",
    "pictured", "sentado", "segundo", "segunda", "deuxième",
)
#: What may follow the position inside the parenthesis ("(left to right)", "(right,
#: in red)", "(upper left hand corner and clockwise)"), so "(Center for ...)" is no
#: position.
PICTURE_POSITION_TAILS = ("to", "and", "from", "hand", "in", "with", "bottom", "top",
                          "row", "side", "corner")
CAPTION_START_WORDS = (
    "image", "images", "picture", "photo", "photos", "photograph", "pictured", "foto",
    "fotos", "bild", "фото", "video", "صورة", "عکس", "تصویر", "图", "圖", "写真", "사진",
    "illustration", "caption", "légende",
)

#: News agencies and picture desks, for slash credits ("REUTERS/Jim Bourg",
#: "Jane Doe/AFP/Getty Images").
AGENCIES = (
    "REUTERS", "Reuters", "AFP", "EPA", "EFE", "EPA-EFE", "AP", "ANSA", "dpa", "DPA",
    "XINHUA", "Xinhua", "TASS", "ТАСС", "Anadolu", "Getty Images", "Getty", "Shutterstock",
    "Bloomberg", "Sipa", "SIPA", "ABACA", "Imago", "IMAGO", "picture alliance",
    "picture-alliance", "NurPhoto", "Pool", "POOL", "Keystone", "KEYSTONE", "ANP", "Belga",
    "BELGA", "PAP", "Yonhap", "Kyodo", "WENN", "Alamy", "Wikimedia Commons", "Flickr",
    "РИА Новости", "Sputnik", "ИТАР-ТАСС", "PA Images", "PA Wire",
)
