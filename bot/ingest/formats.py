"""The file formats read from the folder, one entry each: a suffix and what turns its decoded
text into the article's plain text. Decoding the bytes (UTF-8, CP949, detection) is the same
for every format (bot/ingest/decode.py). A new format is one entry here; README's SEEDS_DIR
row is checked against this table (tests/test_ingest_formats.py)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from bot.ingest.decode import html_to_text


def _as_is(text: str) -> str:
    return text


FORMATS: dict[str, Callable[[str], str]] = {
    ".txt": _as_is,
    ".md": _as_is,  # Markdown's marks are few in scraped articles; the cleaner drops chrome
    ".html": html_to_text,
    ".htm": html_to_text,
}


def plain_text(name: str, text: str) -> str:
    """The decoded text of the file `name` as plain text, by its format."""
    return FORMATS[PurePath(name).suffix.lower()](text)
