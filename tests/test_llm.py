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


def test_prompt_lookup_guesses_what_followed_the_last_tokens_before():
    from bot.llm.lookup import draft
    assert draft([1, 2, 3, 4, 5, 9, 2, 3], 3) == [4, 5, 9]  # "2 3" came before, then 4 5 9
    assert draft([7, 1, 2, 8, 1, 2, 9, 1, 2], 2) == [9, 1]  # the latest occurrence
    assert draft([1, 2, 3], 4) == []  # nothing repeats
    assert draft([5, 6, 5], 0) == []


def test_the_repeat_penalty_is_the_samplers():
    import numpy as np

    from bot.llm.lookup import choose
    logits = np.array([1.0, 1.04, -2.0, 0.5], dtype=np.float32)
    assert choose(logits, [], 1.05) == 1
    assert choose(logits, [1], 1.05) == 0  # 1.04 / 1.05 < 1.0
    assert choose(logits, [0, 1], 1.05) == 1  # both penalised alike: the larger stays larger
    assert choose(np.array([-1.0, -1.02], dtype=np.float32), [0], 1.05) == 1  # -1.05 < -1.02


def test_prompt_lookup_gives_the_same_reply_as_one_token_at_a_time_and_as_llama_cpp(small_llm):
    """The same greedy text three ways: llama-cpp-python's own sampler, our decoding one token
    per pass, and prompt lookup (several guessed tokens checked per pass)."""
    document = ("정부는 2026년 AI 컴퓨팅 인프라에 1조 4천억 원을 투입한다. 국가 AI 컴퓨팅 센터는 "
                "전남 해남에 들어서며 GPU 1만 5천 장을 갖춘다. 과학기술정보통신부는 이 센터를 "
                "2028년까지 완공하겠다고 밝혔다.")
    messages = [{"role": "system", "content": "문서의 문장을 그대로 인용해 답하세요."},
                {"role": "user", "content": f"[문서]\n{document}\n\n질문: 센터는 어디에 들어서고 "
                                            "GPU는 몇 장인가요? 문서 문장을 그대로 옮겨 적으세요."}]
    llama = small_llm._llama
    tokens = small_llm.prompt_tokens(messages)
    reference = []
    for token in llama.generate(tokens, top_k=1, temp=0.0, repeat_penalty=1.05, reset=True):
        if len(reference) >= 60 or llama.token_eos() == token:
            break
        reference.append(token)
    texts = {}
    for lookup in (0, 8):
        small_llm.lookup = lookup
        texts[lookup] = "".join(small_llm.stream(messages, max_tokens=60))
        assert small_llm.last_decode[0] >= 1
    small_llm.lookup = 8
    expected = llama.detokenize(reference).decode("utf-8", "ignore")
    assert texts[0] == texts[8] == expected.strip() or texts[0] == texts[8] == expected
    tokens_out, passes = small_llm.last_decode
    assert passes < tokens_out  # the copied sentence was checked several tokens a pass
