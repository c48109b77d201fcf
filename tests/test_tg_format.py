"""Telegram formatting, the model line and access rules (no network)."""
from __future__ import annotations

import asyncio

import pytest

from bot.tg.access import AccessGate, Cooldown
from bot.tg.format import (
    MAX_UNITS,
    Line,
    answer_lines,
    plain_parts,
    preview,
    render_parts,
    utf16_len,
)
from bot.tg.queue import ModelQueue, QueueFull
from bot.types import Answer, Source
from tests.botapi import parse_html


def assert_valid(parts, limit=MAX_UNITS):
    for part in parts:
        text, _ = parse_html(part.html)  # raises like Telegram on broken HTML
        assert text == part.plain
        assert 0 < utf16_len(part.plain) <= limit


def test_unsafe_characters_are_escaped():
    [part] = plain_parts('<b>AT&T</b> "따옴표" & <script>')
    assert part.html == '&lt;b&gt;AT&amp;T&lt;/b&gt; "따옴표" &amp; &lt;script&gt;'
    assert parse_html(part.html)[0] == '<b>AT&T</b> "따옴표" & <script>'


def test_answer_has_numbered_sources_with_meta_and_quote():
    answer = Answer("마누스는 <에이전트> 플랫폼입니다.", sources=[
        Source("000.txt", "기술의 미래 & 인프라", "마누스는 중국의 스타트업이 만들었다.",
               date="2025-03-25", outlet="더에이아이"),
        Source("004.txt", "글로벌", "시작부터 글로벌이어야 한다.")])
    [part] = render_parts(answer_lines(answer, ["질문이 길어 앞부분만 사용했습니다."]))
    assert_valid([part])
    text, entities = parse_html(part.html)
    assert "[1] 기술의 미래 & 인프라 (더에이아이, 2025-03-25)" in text
    assert "[2] 글로벌 (004.txt)" in text
    quotes = [text[e["offset"]:e["offset"] + e["length"]] for e in entities
              if e["type"] == "blockquote"]
    assert quotes == ["“마누스는 중국의 스타트업이 만들었다.”", "“시작부터 글로벌이어야 한다.”"]
    assert {"italic", "bold", "blockquote"} <= {e["type"] for e in entities}


def test_split_prefers_paragraphs_and_keeps_every_part_valid():
    paragraph = "가나다 <라마> & 바사. " * 40  # ~560 characters
    lines = []
    for i in range(20):
        lines += [Line(f"■ 제목 {i}", "b"), Line(paragraph.strip()), Line("")]
    parts = render_parts(lines)
    assert len(parts) >= 3
    assert_valid(parts)
    for part in parts:  # cut between paragraphs: every part starts with a heading
        assert part.plain.startswith("■ 제목")
    joined = "\n\n".join(p.plain for p in parts)
    assert joined == "\n".join(line.text for line in lines).strip()


def test_overlong_line_is_cut_at_sentences_and_surrogates_survive():
    sentence = "이것은 아주 긴 문장입니다 😀 & <끝>. "
    text = sentence * 400  # one line, ~10,000 UTF-16 units
    parts = plain_parts(text, limit=1000)
    assert_valid(parts, limit=1000)
    assert all(p.plain.endswith("<끝>.") for p in parts[:-1])
    assert "".join(p.plain.replace(" ", "") for p in parts) == text.replace(" ", "")
    # no spaces at all: a hard cut, but never inside a surrogate pair
    emoji = plain_parts("😀" * 3000)
    assert_valid(emoji)
    assert "".join(p.plain for p in emoji) == "😀" * 3000


def test_blank_text_gives_no_parts():
    assert plain_parts(" \n\n ") == []


def test_preview_is_marked_unfinished_and_stays_under_the_limit():
    assert preview("쓰는 중") == "쓰는 중 …"
    long = preview("가" * 5000)
    assert long.endswith("…") and utf16_len(long) <= MAX_UNITS


async def test_model_queue_is_fifo_bounded_and_frees_places():
    line = ModelQueue(max_waiting=2)
    first, second, third = line.reserve(1), line.reserve(2), line.reserve(3)
    assert [t.ahead for t in (first, second, third)] == [0, 1, 2]
    with pytest.raises(QueueFull):
        line.reserve(4)
    order = []

    async def run(turn, name):
        async with turn:
            await turn.ready()
            order.append(name)

    tasks = [asyncio.create_task(run(t, n)) for t, n in ((third, "c"), (second, "b"))]
    await asyncio.sleep(0)  # let them start waiting (not a wait for a result)
    assert order == []
    async with first:
        await first.ready()
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert order == ["b", "c"]  # arrival order, not start order
    assert not line.busy and line.waiting == 0


async def test_a_cancelled_waiter_leaves_the_line():
    line = ModelQueue(max_waiting=1)
    running, waiting = line.reserve(1), line.reserve(2)

    async def wait():
        async with waiting:
            await waiting.ready()

    task = asyncio.create_task(wait())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert line.waiting == 0
    async with running:
        pass
    assert not line.busy and line.reserve(3).ahead == 0


def test_access_gate_refuses_once_and_knows_admins():
    gate = AccessGate([1, 2], admin_ids=[42])
    assert gate.allows(1) and not gate.allows(3)
    assert gate.first_refusal(3) and not gate.first_refusal(3)
    assert AccessGate([]).allows(12345)
    assert gate.is_admin(42) and not gate.is_admin(1) and not gate.is_admin(None)


def test_cooldown_notes_once_then_stays_quiet_until_the_window_ends():
    cooldown = Cooldown(10)
    assert cooldown.check(-1, 100.0) == Cooldown.GO
    assert cooldown.check(-2, 101.0) == Cooldown.GO  # another group is unaffected
    assert cooldown.check(-1, 103.0) == Cooldown.NOTE
    assert cooldown.remaining(-1, 103.0) == pytest.approx(7.0)
    assert cooldown.check(-1, 104.0) == Cooldown.QUIET
    assert cooldown.check(-1, 110.0) == Cooldown.GO
    assert cooldown.check(-1, 111.0) == Cooldown.NOTE
