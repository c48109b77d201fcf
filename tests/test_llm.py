"""Streaming from the real model: pieces as soon as they are safe to show, stop strings cut."""
from __future__ import annotations

from bot.llm.llamacpp import _releasable

QUESTION = [{"role": "user", "content": "한국의 수도는 어디인가요? 한 문장으로 답하세요."}]


def test_only_a_tail_that_could_become_a_stop_string_is_held_back():
    assert _releasable("서울입니다<|im", ["<|im_end|>"]) == len("서울입니다")
    assert _releasable("서울입니다<", ["<|im_end|>"]) == len("서울입니다")
    assert _releasable("서울입니다", ["<|im_end|>"]) == len("서울입니다")
    assert _releasable("서울", []) == 2


def test_pieces_arrive_token_by_token_even_with_a_long_stop_string(small_llm):
    small_llm._llama.reset()
    pieces = list(small_llm.stream(QUESTION, max_tokens=8, stop=("끝" * 30,)))
    assert len(pieces) >= 4  # holding back 30 characters would have released them all at the end
    assert "".join(pieces).strip()


def test_a_stop_string_ends_the_reply_before_it(small_llm):
    small_llm._llama.reset()
    full = "".join(small_llm.stream(QUESTION, max_tokens=24))
    stop = full.strip()[2:4]
    cut = "".join(small_llm.stream(QUESTION, max_tokens=24, stop=(stop,)))
    assert stop not in cut and full.startswith(cut)
