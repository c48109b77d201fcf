"""Bytes to text, or a clear reason why not."""
from __future__ import annotations

import codecs
import html
import re

from charset_normalizer import from_bytes


class Quarantined(Exception):
    """The file cannot become a document; str(exc) is the reason shown to the operator."""


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) * 0.05


def _readable(text: str) -> bool:
    """Most characters are letters, digits, punctuation or space (not mojibake)."""
    if not text:
        return False
    bad = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\n\r\t"))
    return bad <= len(text) * 0.01


def decode_bytes(raw: bytes, *, max_bytes: int) -> tuple[str, str]:
    """Returns (text, encoding name). Raises Quarantined for empty, binary, huge or undecodable."""
    if len(raw) > max_bytes:
        raise Quarantined(f"oversized: {len(raw):,} bytes exceeds INGEST_MAX_BYTES={max_bytes:,}")
    if not raw.strip():
        raise Quarantined("empty file")
    for bom in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if raw.startswith(bom) and not raw.startswith(codecs.BOM_UTF32_LE):
            return _utf16(raw)
    if _looks_binary(raw):
        raise Quarantined("binary content (NUL or control bytes), not a text document")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as err:
        # A file cut off inside a multi-byte character: the text before it is good UTF-8.
        if err.reason == "unexpected end of data" and err.start >= len(raw) - 3:
            return raw[: err.start].decode("utf-8-sig"), "utf-8 (truncated last character)"
    try:
        return raw.decode("cp949"), "cp949"
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw).best()
    if best is not None:
        text = str(best)
        if _readable(text):
            return text, best.encoding
    raise Quarantined("undecodable: not UTF-8, CP949/EUC-KR, or any detectable text encoding")


def _utf16(raw: bytes) -> tuple[str, str]:
    """A BOM says UTF-16. An odd byte count is a file cut off inside a code unit: like a cut
    UTF-8 file, the text before the cut is kept."""
    name = "utf-16"
    if len(raw) % 2:
        raw, name = raw[:-1], "utf-16 (truncated last character)"
    try:
        return raw.decode("utf-16", errors="strict"), name
    except UnicodeDecodeError as err:
        raise Quarantined(f"undecodable: starts with a UTF-16 byte-order mark but {err.reason} "
                          f"at byte {err.start}") from None


# Tags are found with str/regex scans that never look at a character twice: a "<" followed by
# a name always has a ">" after it in the part searched, so every match consumes what it
# scanned. (html.parser in Python 3.11 rescans to the end of the input for every "<a " that
# has no ">", which made a 25 KB page take 5 s.)
TAG = re.compile(r"<(?:(/?)([a-zA-Z][a-zA-Z0-9:-]*)|[!?/])[^>]*>")
TAG_START = re.compile(r"<[a-zA-Z!?/]")
SKIP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "svg",
        "button", "select", "iframe", "template"}
BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "article",
         "section", "blockquote", "pre", "table", "ul", "ol", "title", "dd", "dt"}
RAW_TEXT_END = {name: re.compile(rf"</{name}\b[^>]*>", re.IGNORECASE)
                for name in ("script", "style")}


def _without_comments(page: str) -> str:
    parts, pos = [], 0
    while (start := page.find("<!--", pos)) >= 0:
        parts.append(page[pos:start])
        end = page.find("-->", start + 4)
        if end < 0:
            return "".join(parts)  # an unclosed comment runs to the end of the page
        pos = end + 3
    parts.append(page[pos:])
    return "".join(parts)


def html_to_text(page: str) -> str:
    """The text of an HTML page without markup, scripts or page furniture, in time linear in
    its length. Block elements become line breaks."""
    page = _without_comments(page)
    end = page.rfind(">") + 1
    # After the last ">" a tag can only be unterminated: like a browser, drop it and the rest.
    if cut := TAG_START.search(page, end):
        page = page[:cut.start()]
    parts: list[str] = []
    skipping, pos = 0, 0
    while match := TAG.search(page, pos, end):
        if not skipping:
            parts.append(page[pos:match.start()])
        pos = match.end()
        closing, name = match.group(1), (match.group(2) or "").lower()
        self_closing = match.group(0).endswith("/>")
        if name in RAW_TEXT_END and not closing and not self_closing:
            close = RAW_TEXT_END[name].search(page, pos)  # its content is never markup
            pos = close.end() if close else len(page)
        elif name in SKIP:
            if not closing and not self_closing:
                skipping += 1
            elif closing and skipping:
                skipping -= 1
        elif name in BLOCK:
            parts.append("\n")
    if not skipping:
        parts.append(page[pos:])
    text = html.unescape("".join(parts))
    # (A regex like [ \t]*\n is quadratic on a long run of spaces.)
    return "\n".join(line for raw in text.split("\n") if (line := raw.strip(" \t")))
