"""The fixed set of reject reason codes.

Every input item that does not become an article row becomes exactly one reject row
with one of these codes. The set is closed: adding a code is a schema-level change
documented in the README.
"""

from __future__ import annotations

EMPTY = "empty"
UNREADABLE_ENCODING = "unreadable_encoding"
NOT_AN_ARTICLE = "not_an_article"
MALFORMED_RECORD = "malformed_record"
CORRUPT_ARCHIVE = "corrupt_archive"
CORRUPT_FILE = "corrupt_file"
UNSAFE_ARCHIVE_MEMBER = "unsafe_archive_member"
UNSUPPORTED_FORMAT = "unsupported_format"
TOO_LARGE = "too_large"
DUPLICATE = "duplicate"
PROCESSING_ERROR = "processing_error"
NO_MAIN_TEXT = "no_main_text"
UNPARSABLE_HTML = "unparsable_html"
WARC_NOT_HTML = "warc_not_html"
WARC_HTTP_ERROR = "warc_http_error"
WARC_TRUNCATED = "warc_truncated"

#: code -> what it means (shown by ``newsetl reasons`` and in the README).
REASONS: dict[str, str] = {
    EMPTY: "no text left after decoding and cleaning",
    UNREADABLE_ENCODING: "bytes that decode to no plausible text (binary, unknown encoding)",
    NOT_AN_ARTICLE: "text without a body: no paragraph or quote with enough letters",
    MALFORMED_RECORD: "a JSONL line that is not a JSON object with a string 'text', an "
                      "SGML/TREC document without </DOC> or TEXT, or a WARC record that "
                      "cannot be parsed (or has a header line over 256 KB, or headers "
                      "over 1 MB)",
    CORRUPT_ARCHIVE: "a zip/tar archive that cannot be opened or read to the end",
    CORRUPT_FILE: "a gzip stream or file that cannot be read to the end; in a .warc.gz, "
                  "a damaged gzip member (its record: reading resumes at the next member) "
                  "or bytes between members that are no member",
    UNSAFE_ARCHIVE_MEMBER: "archive member with an absolute or '..' path, a link or a device",
    UNSUPPORTED_FORMAT: "a file whose type is not one of the accepted input formats",
    TOO_LARGE: "an article or archive over the configured size limits (an archive with "
               "the archives nested in it), or a gzip stream over its decompression "
               "budget",
    DUPLICATE: "same normalised body as an earlier article of the day (see duplicate_of)",
    PROCESSING_ERROR: "an unexpected error while cleaning or segmenting this item (a bug: "
                      "detail names the exception); the rest of the day goes on",
    NO_MAIN_TEXT: "an HTML page (file, archive member or WARC record) in which no main "
                  "text was found (a menu, an index or an empty page)",
    UNPARSABLE_HTML: "an HTML page that cannot be parsed as HTML",
    WARC_NOT_HTML: "a WARC response whose content is not an HTML page (an image, a PDF, "
                   "a script)",
    WARC_HTTP_ERROR: "a WARC response with an HTTP status other than 2xx (a redirect, "
                     "an error page) or no HTTP status line",
    WARC_TRUNCATED: "a WARC response cut short: marked WARC-Truncated by the crawler, or "
                    "the file ends inside it",
}
