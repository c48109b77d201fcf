"""Bytes to text, or a clear reason why not."""
from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

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
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom) and not raw.startswith(codecs.BOM_UTF32_LE):
            return raw.decode(name, errors="strict"), name
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


class _TextExtractor(HTMLParser):
    SKIP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "svg",
            "button", "select", "iframe", "template"}
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "article",
             "section", "blockquote", "pre", "table", "ul", "ol", "title", "dd", "dt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"[ \t]*\n[ \t\n]*", "\n", text)
