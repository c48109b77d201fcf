"""Telegram HTML: styled lines, escaping, and splitting under the message length limit.

A message is built as plain lines with a style each. Splitting happens on the plain lines
(Telegram's limit counts the text after HTML parsing), and only then is every part escaped and
wrapped in tags, so each part is valid HTML on its own and has a plain twin for the fallback.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot import render, texts
from bot.types import Answer, Document

MAX_UNITS = 4096  # Telegram's limit, in UTF-16 code units of the parsed text
_TAGS = {"": "{}", "b": "<b>{}</b>", "i": "<i>{}</i>", "quote": "<blockquote>{}</blockquote>"}
# Overlong lines are cut at sentence ends first, then at spaces, then anywhere.
_CUTS = (re.compile(r"(?<=[.!?。…])\s+"), re.compile(r"\s+"))
_HEADING = ("■", "🗞")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    return html.escape(text, quote=False)


@dataclass(frozen=True)
class Line:
    text: str
    style: str = ""  # one of _TAGS

    def html(self) -> str:
        return _TAGS[self.style].format(escape(self.text)) if self.text.strip() else self.text


@dataclass(frozen=True)
class Part:
    """One Telegram message: its HTML and the same text without markup."""
    html: str
    plain: str


# --- building lines ---------------------------------------------------------------------
def text_lines(text: str) -> list[Line]:
    """Plain service text; its heading lines (■ …, 🗞 …) in bold."""
    return [Line(line, "b" if line.startswith(_HEADING) else "") for line in text.split("\n")]


def answer_lines(answer: Answer, notes: list[str] | tuple[str, ...] = ()) -> list[Line]:
    """The answer, then numbered sources: title, outlet/date and the verbatim quote."""
    body, sources = render.answer_parts(answer)
    lines = [Line(note, "i") for note in notes] + ([Line("")] if notes else [])
    lines += [Line(line) for line in body.split("\n")]
    if sources:
        lines += [Line(""), Line(texts.SOURCES_HEADER, "b")]
        for heading, quote in sources:
            lines += [Line(heading, "b"), Line(f"“{quote}”", "quote")]
    return lines


def summary_lines(docs: list[Document]) -> list[Line]:
    return text_lines("\n\n".join(render.summary_plain(d) for d in docs))


# --- splitting --------------------------------------------------------------------------
def render_parts(lines: list[Line], limit: int = MAX_UNITS) -> list[Part]:
    """Split at paragraph, then line, then sentence boundaries; each part ≤ limit units."""
    parts = []
    for group in split_lines(lines, limit):
        plain = "\n".join(line.text for line in group)
        if plain.strip():
            parts.append(Part("\n".join(line.html() for line in group), plain))
    return parts


def plain_parts(text: str, limit: int = MAX_UNITS) -> list[Part]:
    return render_parts([Line(line) for line in text.split("\n")], limit)


def split_lines(lines: list[Line], limit: int = MAX_UNITS) -> list[list[Line]]:
    parts: list[list[Line]] = []
    current: list[Line] = []
    size = 0  # utf16 length of "\n".join(current)

    def add(unit: list[Line], unit_size: int, gap: list[Line]) -> bool:
        nonlocal current, size
        extra = unit_size + (len(gap) + 1 if current else 0)
        if size + extra > limit:
            return False
        current, size = (current + gap + unit, size + extra) if current else (list(unit), unit_size)
        return True

    def flush() -> None:
        nonlocal current, size
        if current:
            parts.append(current)
        current, size = [], 0

    for paragraph in _paragraphs(lines):
        paragraph_size = _size(paragraph)
        if add(paragraph, paragraph_size, [Line("")]):
            continue
        flush()
        if paragraph_size <= limit:
            add(paragraph, paragraph_size, [])
            continue
        for line in paragraph:
            for piece in _cut(line.text, limit):
                piece_line = Line(piece, line.style)
                if not add([piece_line], utf16_len(piece), []):
                    flush()
                    add([piece_line], utf16_len(piece), [])
    flush()
    return parts


def _paragraphs(lines: list[Line]) -> list[list[Line]]:
    paragraphs: list[list[Line]] = [[]]
    for line in lines:
        if line.text.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def _size(lines: list[Line]) -> int:
    return sum(utf16_len(line.text) for line in lines) + max(0, len(lines) - 1)


def _cut(text: str, limit: int, level: int = 0) -> list[str]:
    if utf16_len(text) <= limit:
        return [text]
    if level == len(_CUTS):
        return _hard_cut(text, limit)
    out: list[str] = []
    current = ""
    for piece in (p for p in _CUTS[level].split(text) if p):
        for sub in _cut(piece, limit, level + 1):
            candidate = f"{current} {sub}" if current else sub
            if utf16_len(candidate) <= limit:
                current = candidate
            else:
                out.append(current)
                current = sub
    return out + ([current] if current else [])


def _hard_cut(text: str, limit: int) -> list[str]:
    out: list[str] = []
    current: list[str] = []
    size = 0
    for char in text:  # whole code points, so a surrogate pair is never torn apart
        units = utf16_len(char)
        if size + units > limit:
            out.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += units
    return out + (["".join(current)] if current else [])


def preview(text: str, limit: int = MAX_UNITS) -> str:
    """The answer as it is being written, marked unfinished and kept under the limit."""
    text = text.rstrip()
    if utf16_len(text) + 2 <= limit:
        return f"{text} …"
    return _hard_cut(text, limit - 1)[0] + "…"
