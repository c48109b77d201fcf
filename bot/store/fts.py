"""How SQLite's FTS5 index over chunk morphemes sees things, for code that must agree with it."""
from __future__ import annotations

import re

# FTS5's unicode61 tokenizer: runs of letters and digits; everything else separates.
_TOKEN = re.compile(r"[^\W_]+")


def index_terms(text: str) -> list[str]:
    """The index terms of `text` (morphemes are lower-cased already), in order."""
    return _TOKEN.findall(text)


def averages(record: bytes | None) -> tuple[int, int]:
    """(rows, tokens in all rows) from FTS5's "averages" record (rowid 1 of the %_data table:
    varints for the row count, then each column's token total — here one column). It is kept
    up to date on every write, unlike `count(*)`, which reads the whole table."""
    if not record:
        return 0, 0
    rows, at = _varint(record, 0)
    tokens, _ = _varint(record, at) if at < len(record) else (0, at)
    return rows, tokens


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """SQLite's varint: big-endian 7-bit groups while the high bit is set; a ninth byte
    contributes all 8 bits. Returns (value, offset after it)."""
    value = 0
    for i in range(8):
        byte = data[at + i]
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, at + i + 1
    return (value << 8) | data[at + 8], at + 9
