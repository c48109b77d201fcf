"""The debate map picture: a PNG a phone can read — phone width, real Hangul glyphs, nothing past
the margin, height that follows the rows, each dot in its side's column, and the 엇갈림 marker
exactly where 찬성 meets 반대."""
from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFont

from bot.debate import picture as layout
from bot.debate.picture import (
    COLOURS,
    COLUMN_WIDTH,
    CONTESTED_COLOUR,
    MARGIN,
    WIDTH,
    debate_png,
    korean_font,
)
from bot.types import AGAINST, CONDITIONAL, FOR, Position, Proposition

PROPS = [
    Proposition("delay", "AI 기본법의 고영향 AI 규제는 시행을 유예해야 한다"),
    Proposition("gpu", "정부가 GPU를 직접 사서 기업과 연구자에게 나눠줘야 한다"),
    Proposition("sovereign", "한국은 독자 파운데이션 모델을 만들어야 한다"),
]


def pos(doc: str, prop: str, side: str, actor: str = "필자", outlet: str | None = "아이뉴스24",
        title: str = "AI 기본법, 서두를 일 아니다") -> Position:
    return Position(doc, prop, side, actor, "인용문.", 1.0, title, outlet)


def image(png: bytes) -> Image.Image:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    picture = Image.open(io.BytesIO(png))
    picture.load()
    assert picture.format == "PNG"
    return picture.convert("RGB")


def pixels_of(picture: Image.Image, colour: tuple[int, int, int]) -> set[tuple[int, int]]:
    data, width, wanted = picture.tobytes(), picture.width, bytes(colour)
    return {(i // 3 % width, i // 3 // width) for i in range(0, len(data), 3)
            if data[i:i + 3] == wanted}


def test_the_picture_is_a_png_as_wide_as_a_phone_screen_and_no_taller_than_its_rows():
    positions = [pos("a", "delay", FOR), pos("b", "delay", AGAINST, "참여연대", "한겨레"),
                 pos("c", "gpu", CONDITIONAL, "정민호 팀장", "디지털타임스")]
    picture = image(debate_png(PROPS, positions))
    assert picture.size[0] == 1080
    assert 400 < picture.size[1] < 1000


def test_height_grows_with_rows_and_a_proposition_nobody_took_a_side_on_adds_none():
    one = image(debate_png(PROPS, [pos("a", "delay", FOR)])).height
    two = image(debate_png(PROPS, [pos("a", "delay", FOR), pos("b", "gpu", FOR)])).height
    three = image(debate_png(PROPS, [pos("a", "delay", FOR), pos("b", "gpu", FOR),
                                     pos("c", "sovereign", AGAINST)])).height
    assert one < two < three
    assert three - two == two - one  # a one-line row costs the same each time
    unknown = pos("z", "no_such_proposition", FOR)
    assert image(debate_png(PROPS, [pos("a", "delay", FOR), unknown])).height == one


def test_the_font_is_noto_sans_kr_from_the_package_and_draws_hangul_not_tofu():
    font = korean_font(48)
    assert font.getname() == ("Noto Sans KR", "Regular")
    chan, ban, missing = (font.getmask(ch) for ch in ("찬", "반", "\ue000"))
    assert chan.getbbox() is not None and ban.getbbox() is not None
    # A font without Hangul draws every syllable as the same .notdef box.
    assert bytes(chan) != bytes(ban)
    assert bytes(chan) != bytes(missing)


@pytest.mark.parametrize("propositions", [[], PROPS])
def test_no_positions_still_gives_a_small_valid_picture(propositions):
    picture = image(debate_png(propositions, []))
    assert picture.width == 1080
    assert picture.height < 300
    # Something is written on it: the title and the "nothing yet" line.
    assert len(pixels_of(picture, (255, 255, 255))) < picture.width * picture.height * 0.97


def test_only_positions_on_unknown_propositions_is_the_empty_picture():
    assert debate_png(PROPS, [pos("z", "gone", FOR)]) == debate_png(PROPS, [])


def test_long_text_is_wrapped_and_shortened_never_widening_or_crossing_the_margin():
    words = "인공지능 기본법 시행령의 고영향 판단 기준과 사업자 책무를 "
    long_prop = [Proposition("delay", "정부는 " + words * 8), Proposition("gpu", words * 30)]
    positions = [pos("a", "delay", FOR, "한국인공지능산업협회정책위원회위원장", "아주긴언론사이름" * 5),
                 pos("b", "delay", AGAINST, "필자", None, "제목" * 60),
                 pos("c", "gpu", CONDITIONAL, "가" * 80, "나" * 80)]
    png = debate_png(long_prop, positions, title="AI 정책 쟁점 지도 " * 10)
    picture = image(png)
    assert picture.width == 1080
    short = image(debate_png([Proposition("delay", "짧은 쟁점"), Proposition("gpu", "짧은 쟁점")],
                             positions)).height
    assert picture.height <= short + 2 * 44 + 2 * 30  # at most one extra label line per row...
    longer = [Proposition(p.id, p.text * 3) for p in long_prop]
    assert image(debate_png(longer, positions)).height == picture.height  # ...however long
    right_margin = picture.crop((WIDTH - MARGIN + 2, 0, WIDTH, picture.height))
    assert right_margin.getextrema() == ((255, 255), (255, 255), (255, 255))


@pytest.mark.parametrize(("side", "column"), [(FOR, 0), (CONDITIONAL, 1), (AGAINST, 2)])
def test_each_position_is_a_dot_in_its_sides_column(side, column):
    other = CONDITIONAL if side != CONDITIONAL else FOR
    before = image(debate_png(PROPS, [pos("a", "gpu", other)]))
    after = image(debate_png(PROPS, [pos("a", "gpu", other), pos("b", "gpu", side, "참여연대")]))
    assert before.size == after.size
    new = pixels_of(after, COLOURS[side]) - pixels_of(before, COLOURS[side])
    assert len(new) > 100  # a whole dot, not a stray pixel
    left = MARGIN + column * COLUMN_WIDTH
    assert all(left <= x < left + COLUMN_WIDTH for x, _ in new)


def test_the_contested_marker_appears_on_each_row_where_for_meets_against_and_only_there():
    def marker(positions):
        return len(pixels_of(image(debate_png(PROPS, positions)), CONTESTED_COLOUR))

    legend_only = marker([pos("a", "delay", FOR), pos("b", "delay", CONDITIONAL)])
    split_rows = marker([pos("a", "delay", FOR), pos("b", "gpu", AGAINST)])
    one = marker([pos("a", "delay", FOR), pos("b", "delay", AGAINST)])
    two = marker([pos("a", "delay", FOR), pos("b", "delay", AGAINST),
                  pos("a", "gpu", FOR), pos("b", "gpu", AGAINST)])
    assert split_rows == legend_only  # 찬성 and 반대 on different propositions is no clash
    assert one - legend_only > 500
    assert two - legend_only == 2 * (one - legend_only)


def test_a_crowded_cell_stops_at_six_and_says_how_many_more():
    def height(n):
        many = [pos(f"d{i}", "gpu", CONDITIONAL, f"의원{i}", "국회뉴스") for i in range(n)]
        return image(debate_png(PROPS, many)).height

    assert height(1) < height(6) < height(7)
    assert height(7) == height(8) == height(40)  # six and "외 N건" take seven lines


def test_the_same_input_gives_the_same_bytes():
    positions = [pos("a", "delay", FOR), pos("b", "delay", AGAINST, "참여연대", "한겨레")]
    assert debate_png(PROPS, positions) == debate_png(list(PROPS), list(positions))


class MeasuredFont(ImageFont.FreeTypeFont):
    """The real font, counting what layout asks it to measure; it refuses a string longer than
    the picture could ever show, and a layout that keeps measuring, instead of taking hours."""

    def __init__(self, size: int, log: list[int]):
        super().__init__(io.BytesIO(layout._font_bytes()), size,
                         layout_engine=ImageFont.Layout.BASIC)
        self.log = log

    def getlength(self, text, *args, **kwargs):
        self.log.append(len(text))
        assert len(text) <= 2 * WIDTH, f"measured {len(text)} characters"
        assert len(self.log) <= 2_000, "kept measuring"
        return super().getlength(text, *args, **kwargs)

    def getmask2(self, text, *args, **kwargs):  # what ImageDraw.text draws with
        assert len(text) <= 2 * WIDTH, f"drew {len(text)} characters"
        return super().getmask2(text, *args, **kwargs)


HUGE = ("인공지능 기본법 시행령의 고영향 판단 기준 " * 5_000)[:100_000]


@pytest.mark.parametrize("text", [HUGE, HUGE.replace(" ", ""), "가" * 1_000])
def test_shortening_measures_a_few_short_strings_however_long_the_text(text):
    log: list[int] = []
    font = MeasuredFont(layout.ITEM_SIZE, log)
    fitted = layout._fit(text, font, layout.ENTRY_ROOM)
    assert len(log) <= 2 + 2 * layout.ENTRY_ROOM.bit_length()  # halving, not one at a time
    assert fitted.endswith("…") and text.startswith(fitted[:-1])
    assert font.getlength(fitted) <= layout.ENTRY_ROOM
    # ...and still the longest start that fits.
    assert font.getlength(text[:len(fitted) + 1].rstrip() + "…") > layout.ENTRY_ROOM
    wrapped = layout._wrap(text, font, 1000, 2)
    assert len(wrapped) == 2 and wrapped[-1].endswith("…")
    assert all(font.getlength(line) <= 1000 for line in wrapped)


def test_a_map_with_huge_titles_actors_and_propositions_is_laid_out_from_bounded_text(
        monkeypatch):
    log: list[int] = []
    monkeypatch.setattr(layout, "korean_font", lambda size: MeasuredFont(size, log))
    props = [Proposition("delay", HUGE), Proposition("gpu", HUGE.replace(" ", ""))]
    positions = [pos("a", "delay", FOR, HUGE, HUGE), pos("b", "delay", AGAINST, "필자", None, HUGE),
                 pos("c", "gpu", CONDITIONAL, HUGE.replace(" ", ""), None, HUGE),
                 pos("d", "gpu", FOR, HUGE, None, "")]
    drawn = image(debate_png(props, positions, title=HUGE))
    assert drawn.width == WIDTH and drawn.height < 1200
    assert log and max(log) <= 2 * WIDTH


def full_row_positions(prop: str) -> list[Position]:
    return [pos(f"{prop}-{side}-{i}", prop, side, f"한국인공지능정책연구원 선임연구위원{i}",
                "아주 긴 언론사 이름의 온라인판 " * 3)
            for side in (FOR, CONDITIONAL, AGAINST) for i in range(9)]


@pytest.mark.parametrize("count", [1, 40])
def test_every_map_stays_within_the_photo_limits_of_the_bot_api(count):
    props = [Proposition(f"p{i}", f"{i}번 쟁점: " + "정부는 인공지능 기본법 시행을 미뤄야 한다 " * 4)
             for i in range(count)]
    positions = [p for prop in props for p in full_row_positions(prop.id)]
    drawn = image(debate_png(props, positions))
    # Telegram refuses a photo whose sides add up past 10,000 px or differ more than 20 times.
    assert drawn.width + drawn.height <= 10_000
    assert max(drawn.size) / min(drawn.size) <= 20
    rows, _, _ = layout._rows(props, positions)
    shown = layout._fitting(rows)
    assert 0 < shown <= count
    if shown < count:  # the rows left out are counted in a last line under the rows
        note = drawn.crop((MARGIN, drawn.height - layout.NOTE_STEP - 24, WIDTH - MARGIN,
                           drawn.height - 24))
        assert note.getextrema() != ((255, 255), (255, 255), (255, 255))


def test_a_briefing_picture_fits_a_phone_screen_and_counts_the_rows_left_out():
    props = [Proposition(f"p{i}", f"{i}번 쟁점: 정부는 인공지능 기본법 시행을 미뤄야 한다")
             for i in range(6)]
    positions = [p for prop in props for p in full_row_positions(prop.id)]
    whole = image(debate_png(props, positions))
    phone = image(debate_png(props, positions, max_height=layout.PHONE_HEIGHT))
    assert whole.height > layout.PHONE_HEIGHT >= phone.height
    assert phone.width == WIDTH
    rows, _, _ = layout._rows(props, positions)
    assert 0 < layout._fitting(rows, layout.PHONE_HEIGHT) < len(props)
