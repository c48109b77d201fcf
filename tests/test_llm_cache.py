"""Evaluated prompt prefixes: computed once, loaded from disk, reused for follow-ups, and
never reused for a changed document or prompt. Real model, real files."""
from __future__ import annotations

import pytest

from bot.llm.kvcache import PrefixCache, forget_label
from bot.llm.llamacpp import LlamaCppLLM

DOC = ("[문서 1] 젠슨 황의 예측 (AI타임스)\n엔비디아 젠슨 황 CEO는 생성AI를 이끄는 컴퓨팅 성능이 매년 "
       "4배씩 증가하고 있으며, 향후 10년 동안 100만배 증가할 것이라고 예측했다. 그는 이 같은 "
       "발전이 새로운 산업혁명을 이끌 것이라고 말했다.")
QUESTION = {"role": "user", "content": "질문: 향후 10년 동안 컴퓨팅 성능은 몇 배 증가하나요?"}


def system(text: str) -> dict:
    return {"role": "system", "content": "아래 자료만 근거로 한국어로 답하세요.\n" + text}


@pytest.fixture
def cached_llm(small_llm, tmp_path):
    small_llm._llama.reset()  # the model is shared by the session: start from an empty state
    return LlamaCppLLM(small_llm._llama, small_llm.name, PrefixCache(tmp_path, 1 << 30))


def answer(llm: LlamaCppLLM, messages: list[dict], cache_prefix: int = 1) -> str:
    return "".join(llm.stream(messages, max_tokens=12, cache_prefix=cache_prefix))


def test_a_prefix_is_computed_once_then_loaded_and_answers_the_same(cached_llm, small_llm):
    messages = [system(DOC), QUESTION]
    assert cached_llm.warm(messages[:1]) == "computed"
    assert cached_llm.warm(messages[:1]) == "cached"
    assert cached_llm._cache.size()[0] == 1
    answer(cached_llm, [{"role": "user", "content": "안녕하세요"}], cache_prefix=0)  # other state
    loaded = answer(cached_llm, messages)
    assert cached_llm.last_prefix == "loaded"
    reused, evaluated = cached_llm.last_tokens
    assert reused > 60 and evaluated < 40  # only the question's tokens were processed
    plain = LlamaCppLLM(small_llm._llama, small_llm.name, None)
    answer(plain, [{"role": "user", "content": "안녕하세요"}], cache_prefix=0)
    assert answer(plain, messages, cache_prefix=0) == loaded  # same greedy reply, computed
    assert plain.last_tokens[0] < 10


def test_a_changed_document_gets_its_own_prefix(cached_llm):
    assert cached_llm.warm([system(DOC)]) == "computed"
    assert cached_llm.warm([system(DOC.replace("100만배", "1000배"))]) == "computed"
    assert cached_llm._cache.size()[0] == 2


def test_a_prefix_held_in_memory_but_evicted_from_disk_is_saved_again(cached_llm):
    assert cached_llm.warm([system(DOC)]) == "computed"
    cached_llm._cache.folder.joinpath(next(cached_llm._cache.folder.glob("*.kv")).name).unlink()
    assert cached_llm.warm([system(DOC)]) == "warm"
    assert cached_llm.warm([system(DOC)]) == "cached"
    cached_llm._llama.reset()
    answer(cached_llm, [system(DOC), QUESTION])
    assert cached_llm.last_prefix == "loaded" and cached_llm.last_tokens[1] < 40


def test_a_follow_up_reuses_the_state_of_the_previous_exchange(cached_llm):
    first = [system(DOC), QUESTION]
    reply = answer(cached_llm, first)
    prompt_tokens = sum(cached_llm.last_tokens)
    follow_up = first + [{"role": "assistant", "content": reply},
                         {"role": "user", "content": "질문: 그렇게 예측한 사람은 누구인가요?"}]
    answer(cached_llm, follow_up)
    reused, evaluated = cached_llm.last_tokens
    assert cached_llm.last_prefix == "warm"
    assert reused >= prompt_tokens  # the first question was not processed again
    assert evaluated < 40


def test_the_cache_keeps_the_newest_entries_within_its_budget(tmp_path):
    cache = PrefixCache(tmp_path, max_bytes=250)
    for key in ("a", "b", "c"):
        cache.put(key, bytes(100))
        assert cache.get(key) == bytearray(100)
    assert cache.size() == (2, 200)
    assert cache.get("a") is None and not cache.contains("a")
    cache.put("big", bytes(300))  # larger than the whole budget: not kept
    assert not cache.contains("big") and cache.contains("c")


def test_a_documents_kept_prefix_goes_with_the_document(cached_llm, tmp_path):
    assert cached_llm.warm([system(DOC)], label="a.txt") == "computed"
    answer(cached_llm, [system(DOC.replace("100만배", "1000배")), QUESTION])  # computed, unlabelled
    other = cached_llm.warm([system(DOC.replace("젠슨 황", "리사 수"))], label="b.txt")
    assert other == "computed" and cached_llm._cache.size()[0] == 3
    assert forget_label(tmp_path, "a.txt") == 1
    assert cached_llm._cache.size()[0] == 2 and forget_label(tmp_path, "a.txt") == 0
    assert cached_llm.warm([system(DOC)], label="a.txt") == "computed"  # gone, not just hidden
    # an answer about a document labels the prefix it computes with that document
    answer_labelled = "".join(cached_llm.stream([system(DOC + " 끝."), QUESTION], max_tokens=4,
                                                cache_prefix=1, cache_label="c.txt"))
    assert answer_labelled and forget_label(tmp_path, "c.txt") == 1
