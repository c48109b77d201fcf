"""The debate map as a picture: one row per proposition, its positions as dots under
찬성 / 조건부 / 반대, sent by `/debate` next to its text.

It is read on a phone inside Telegram, so the image is 1080 px wide with large type, every
string is measured with the font that draws it (nothing may run past the edge), and the height
follows the content. Pillow is imported inside the functions: the debate package is imported by
code paths that never draw. The font is Noto Sans KR from the `pylopdf_fonts_ko` package, never a
host path, so the picture looks the same on every machine; the basic layout engine (no raqm)
keeps the bytes the same for the same input too — precomposed Hangul needs no shaping.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

from bot.types import AGAINST, CONDITIONAL, FOR, Position, Proposition

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

# The picture's Korean, together for review (the sides' names come from bot/types.py).
DEFAULT_TITLE = "AI 정책 쟁점 지도"
EMPTY_TEXT = "아직 입장이 정리된 자료가 없습니다."
CONTESTED = "엇갈림"
CONTESTED_LEGEND = "찬성·반대가 함께 있는 쟁점"
MORE = "외 {n}건"
LEFT_OUT = "그림에 다 싣지 못한 쟁점 {n}개는 /debate 글에 있습니다."


def _counts(docs: int, positions: int, rows: int) -> str:
    return f"자료 {docs}건 · 입장 {positions}개 · 쟁점 {rows}개"


WIDTH, MARGIN = 1080, 40
COLUMNS = (FOR, CONDITIONAL, AGAINST)  # conditional sits between the two it hedges
# Okabe-Ito: blue, amber and vermillion stay apart for the common colour-blindnesses, and each
# side also has its own dot shape, so colour is never the only cue.
COLOURS = {FOR: (0, 114, 178), CONDITIONAL: (230, 159, 0), AGAINST: (213, 94, 0)}
SHAPES = {FOR: "circle", CONDITIONAL: "diamond", AGAINST: "square"}
CONTESTED_COLOUR = (123, 50, 148)  # purple: unlike any side's colour
INK, MUTED, RULE, PAPER = (28, 28, 32), (96, 96, 104), (214, 214, 220), (255, 255, 255)
TITLE_SIZE, TEXT_SIZE, LABEL_SIZE, ITEM_SIZE, SOURCE_SIZE = 46, 28, 32, 27, 24
LABEL_LINES, ITEMS_PER_CELL = 2, 6  # past these a row is cut short, with "…" / "외 N건"
LABEL_STEP, ITEM_STEP, SOURCE_STEP = 44, 40, 30  # line heights, a little over the type size
COLUMN_WIDTH = (WIDTH - 2 * MARGIN) // 3
DOT_R, CELL_PAD = 9, 14
ENTRY_INDENT = CELL_PAD + 2 * DOT_R + 10  # where an entry's text starts in its cell
ENTRY_ROOM = COLUMN_WIDTH - ENTRY_INDENT - CELL_PAD
# Telegram refuses a photo whose width and height add up to more than 10,000 px (or whose sides
# differ more than 20 times, which this width and height never do): the rows past that height
# are left out, newest evidence first stays in, and a last line says how many are missing.
MAX_HEIGHT = 10_000 - WIDTH
# A briefing's picture is read on a phone, not scrolled: what changed, one screen or two.
PHONE_HEIGHT = 1600
FRAME = 150 + 22 + 56 + 44 + 24  # header, legend and column names, bottom margin
NOTE_STEP = 56


@lru_cache(maxsize=1)
def _font_bytes() -> bytes:
    # Read through importlib.resources so a zipped or relocated install still works.
    return files("pylopdf_fonts_ko").joinpath("NotoSansKR-Regular.otf").read_bytes()


@lru_cache(maxsize=8)
def korean_font(size: int) -> ImageFont.FreeTypeFont:
    """Noto Sans KR at `size` px, from the installed font package."""
    from PIL import ImageFont

    return ImageFont.truetype(io.BytesIO(_font_bytes()), size,
                              layout_engine=ImageFont.Layout.BASIC)


def _room(text: str, width: float) -> str:
    """`text` cut to what could ever fit in `width` px: every drawn character is a pixel wide
    at least, so no more than `width` of them fit, and nothing longer is ever measured."""
    return text[:int(width) + 1]


def _ellipsize(text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """The longest prefix of `text` that fits in `width` with "…" after it, found by halving:
    a handful of measurements of strings no longer than the room, however long `text` is."""
    text = _room(text, width)
    fits, over = 0, len(text) + 1  # text[:fits] + "…" fits; text[:over] + "…" does not
    while over - fits > 1:
        middle = (fits + over) // 2
        if font.getlength(text[:middle].rstrip() + "…") <= width:
            fits = middle
        else:
            over = middle
    return text[:fits].rstrip() + "…"


def _fit(text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    if len(text) <= width and font.getlength(text) <= width:
        return text
    return _ellipsize(text, font, width)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float, max_lines: int) -> list[str]:
    """Break at spaces (inside a word only when the word alone is too long); the last kept
    line ends in "…" when the text runs past `max_lines`."""
    # A line holds at most `width` characters and the space after it: the rest cannot be
    # shown, and measuring it would cost time in proportion to its length.
    text = text[:max_lines * (int(width) + 2) + 1]
    lines: list[str] = []
    current = ""
    for word in text.split():
        if len(lines) > max_lines:
            break
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width and font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while len(lines) <= max_lines and (len(word) > width or font.getlength(word) > width):
            cut = max(1, len(_ellipsize(word, font, width)) - 1)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _ellipsize(lines[-1], font, width)
    return lines


@dataclass(frozen=True)
class _Entry:
    """One position's label in its cell: "actor · source" on one line when it fits, else the
    actor with the source on a muted line under it, each shortened to the column."""
    actor: str
    source: str  # "" when there is none or no room
    two_lines: bool

    @property
    def height(self) -> int:
        return ITEM_STEP + (SOURCE_STEP if self.two_lines else 0)


def _entry(pos: Position, room: int) -> _Entry:
    font = korean_font(ITEM_SIZE)
    actor, where = pos.actor.strip() or "?", (pos.outlet or pos.title or "").strip()
    if not where:
        return _Entry(_fit(actor, font, room), "", False)
    one_line = f"{actor} · {where}"
    if len(one_line) <= room and font.getlength(one_line) <= room:
        return _Entry(actor, f" · {where}", False)
    return _Entry(_fit(actor, font, room), _fit(where, korean_font(SOURCE_SIZE), room), True)


@dataclass(frozen=True)
class _Row:
    label: list[str]
    cells: dict[str, list[_Entry]]  # side -> its entries, clearest position first
    hidden: dict[str, int]  # side -> positions past ITEMS_PER_CELL, told as "외 N건"
    contested: bool

    @property
    def height(self) -> int:
        cells = (sum(e.height for e in self.cells[side]) + (ITEM_STEP if self.hidden[side] else 0)
                 for side in COLUMNS)
        return 18 + len(self.label) * LABEL_STEP + 8 + max(cells) + 14


def _rows(propositions: Sequence[Proposition], positions: Sequence[Position]
          ) -> tuple[list[_Row], int, int]:
    """One row per proposition with a position, in the order given, with the number of
    sources and positions drawn. A position whose proposition or side is unknown is left out,
    and a repeat of the same source, actor and side is drawn once."""
    label_font = korean_font(LABEL_SIZE)
    badge_width = _badge_width()
    clearest_first = sorted(positions, key=lambda p: -p.score)  # stable: ties keep input order
    rows, docs, count = [], set[str](), 0
    for prop in propositions:
        taken: dict[str, list[Position]] = {side: [] for side in COLUMNS}
        seen = set()
        for pos in clearest_first:
            key = (pos.doc_id, pos.side, pos.actor)
            if pos.proposition == prop.id and pos.side in taken and key not in seen:
                seen.add(key)
                taken[pos.side].append(pos)
        if not any(taken.values()):
            continue
        docs.update(p.doc_id for cell in taken.values() for p in cell)
        count += sum(len(cell) for cell in taken.values())
        # Seven fit where six and "외 1건" would: cut only when it saves a line.
        shown = {s: c if len(c) <= ITEMS_PER_CELL + 1 else c[:ITEMS_PER_CELL]
                 for s, c in taken.items()}
        contested = bool(taken[FOR] and taken[AGAINST])
        room = WIDTH - 2 * MARGIN - (badge_width + 16 if contested else 0)
        rows.append(_Row(_wrap(prop.text, label_font, room, LABEL_LINES),
                         {s: [_entry(p, ENTRY_ROOM) for p in c] for s, c in shown.items()},
                         {s: len(taken[s]) - len(shown[s]) for s in COLUMNS}, contested))
    return rows, len(docs), count


def _fitting(rows: list[_Row], max_height: int = MAX_HEIGHT) -> int:
    """How many of `rows`, from the first, fit under `max_height` (with the note's line when
    some do not)."""
    room = max_height - FRAME
    if sum(row.height for row in rows) <= room:
        return len(rows)
    room -= NOTE_STEP
    for n, row in enumerate(rows):
        room -= row.height
        if room < 0:
            return n
    return len(rows)


def _badge_width() -> int:
    return int(korean_font(ITEM_SIZE - 3).getlength(CONTESTED)) + 24


def _badge(draw: ImageDraw.ImageDraw, x: int, y_mid: int) -> int:
    """The 엇갈림 marker with its left edge at `x`; returns its right edge."""
    right = x + _badge_width()
    draw.rounded_rectangle((x, y_mid - 18, right, y_mid + 18), radius=18, fill=CONTESTED_COLOUR)
    draw.text(((x + right) // 2, y_mid), CONTESTED, font=korean_font(ITEM_SIZE - 3),
              fill=PAPER, anchor="mm")
    return right


def _dot(draw: ImageDraw.ImageDraw, side: str, cx: int, cy: int, r: int = DOT_R) -> None:
    colour = COLOURS[side]
    if SHAPES[side] == "circle":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    elif SHAPES[side] == "diamond":
        draw.polygon([(cx, cy - r - 2), (cx + r + 2, cy), (cx, cy + r + 2), (cx - r - 2, cy)],
                     fill=colour)
    else:
        draw.rectangle((cx - r + 1, cy - r + 1, cx + r - 1, cy + r - 1), fill=colour)


def _draw_entry(draw: ImageDraw.ImageDraw, side: str, entry: _Entry, x0: int, top: int) -> None:
    cy = top + ITEM_STEP // 2
    font = korean_font(ITEM_SIZE)
    _dot(draw, side, x0 + CELL_PAD + DOT_R, cy)
    x = x0 + ENTRY_INDENT
    draw.text((x, cy), entry.actor, font=font, fill=INK, anchor="lm")
    if entry.two_lines:
        draw.text((x, cy + SOURCE_STEP), entry.source, font=korean_font(SOURCE_SIZE), fill=MUTED,
                  anchor="lm")
    elif entry.source:
        draw.text((x + font.getlength(entry.actor), cy), entry.source, font=font, fill=MUTED,
                  anchor="lm")


def _draw_row(draw: ImageDraw.ImageDraw, row: _Row, top: int) -> None:
    draw.line((MARGIN, top, WIDTH - MARGIN, top), fill=RULE, width=2)
    label_font = korean_font(LABEL_SIZE)
    y = top + 18 + LABEL_STEP // 2
    for i, line in enumerate(row.label):
        draw.text((MARGIN, y), line, font=label_font, fill=INK, anchor="lm")
        if i == 0 and row.contested:
            _badge(draw, WIDTH - MARGIN - _badge_width(), y)
        y += LABEL_STEP
    for col, side in enumerate(COLUMNS):
        x0, cell_y = MARGIN + col * COLUMN_WIDTH, y - LABEL_STEP // 2 + 8
        for entry in row.cells[side]:
            _draw_entry(draw, side, entry, x0, cell_y)
            cell_y += entry.height
        if row.hidden[side]:
            draw.text((x0 + ENTRY_INDENT, cell_y + ITEM_STEP // 2),
                      MORE.format(n=row.hidden[side]), font=korean_font(ITEM_SIZE), fill=MUTED,
                      anchor="lm")


def _header(draw: ImageDraw.ImageDraw, title: str, counts: str | None) -> int:
    """Title and counts line; returns the y below them."""
    title_font, text_font = korean_font(TITLE_SIZE), korean_font(TEXT_SIZE)
    # Only the regular weight ships; a thin stroke in the same ink stands in for bold.
    draw.text((MARGIN, 36), _fit(title, title_font, WIDTH - 2 * MARGIN - 2), font=title_font,
              fill=INK, anchor="lt", stroke_width=1, stroke_fill=INK)
    if counts is None:
        return 36 + 60
    draw.text((MARGIN, 106), counts, font=text_font, fill=MUTED, anchor="lt")
    return 106 + 44


def _legend_and_columns(draw: ImageDraw.ImageDraw, top: int) -> int:
    """The columns' names over their columns, each with its dot shape, and what the 엇갈림
    marker means; returns the y below them."""
    font = korean_font(TEXT_SIZE)
    y = top + 22
    x = _badge(draw, MARGIN, y)
    draw.text((x + 12, y), CONTESTED_LEGEND, font=font, fill=MUTED, anchor="lm")
    y += 56
    for col, side in enumerate(COLUMNS):
        x0 = MARGIN + col * COLUMN_WIDTH
        draw.rectangle((x0 + 4, y + 26, x0 + COLUMN_WIDTH - 4, y + 31), fill=COLOURS[side])
        _dot(draw, side, x0 + CELL_PAD + DOT_R, y + 2, DOT_R + 2)
        draw.text((x0 + CELL_PAD + 2 * DOT_R + 12, y), side, font=korean_font(LABEL_SIZE),
                  fill=INK, anchor="lm")
    return y + 44


def debate_png(propositions: list[Proposition], positions: list[Position], *,
               title: str = DEFAULT_TITLE, max_height: int = MAX_HEIGHT) -> bytes:
    """The debate map as PNG bytes, 1080 px wide and as tall as its rows need, within what
    the Bot API takes for a photo, or within `max_height` (the rows past it are counted in a
    last line).

    Rows follow `propositions`' order and leave out propositions nobody took a side on; with
    no positions at all it is a small picture saying so, so the caller never special-cases it.
    """
    from PIL import Image, ImageDraw

    rows, docs, count = _rows(propositions, positions)
    if rows:
        counts = _counts(docs, count, len(rows))
        drawn = rows[:_fitting(rows, max_height)]
        left_out = len(rows) - len(drawn)
        height = FRAME + sum(row.height for row in drawn) + (NOTE_STEP if left_out else 0)
    else:
        counts, height = None, 96 + 110
    image = Image.new("RGB", (WIDTH, height), PAPER)
    draw = ImageDraw.Draw(image)
    y = _header(draw, title, counts)
    if not rows:
        draw.text((MARGIN, y + 44), EMPTY_TEXT, font=korean_font(LABEL_SIZE), fill=MUTED,
                  anchor="lm")
    else:
        y = _legend_and_columns(draw, y)
        for row in drawn:
            _draw_row(draw, row, y)
            y += row.height
        if left_out:
            draw.line((MARGIN, y, WIDTH - MARGIN, y), fill=RULE, width=2)
            font = korean_font(TEXT_SIZE)
            draw.text((MARGIN, y + NOTE_STEP // 2), _fit(LEFT_OUT.format(n=left_out), font,
                      WIDTH - 2 * MARGIN), font=font, fill=MUTED, anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
