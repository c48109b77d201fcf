"""The fixed question mix, asked through `services.answers.ask` exactly as the bot asks it, and
a transparent recorder around the model that notes when each streamed piece arrived."""
from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.llm import LazyLLM
from bot.services import Services
from bot.store import Turn

# (question, follow-up in the same chat, file-name prefix of the document it is about)
SINGLE_DOC = [
    ("이해민 의원은 'AI 인력 3만명 육성' 같은 목표를 어떻게 평가했나요?",
     "이해민 의원이 그렇게 평가한 이유는 무엇인가요?", "004"),
    ("딥시크 다음으로 등장해 주목받은 중국의 AI 에이전트 플랫폼은 무엇인가요?",
     "그 플랫폼은 기존 챗GPT 계열 제품과 무엇이 다른가요?", "000"),
    ("젠슨 황은 향후 10년 동안 컴퓨팅 성능이 몇 배 증가한다고 예측했나요?",
     "젠슨 황이 그렇게 예측한 근거는 무엇인가요?", "002"),
    ("실리콘밸리 스타트업들이 쓰고 있다는 중국 AI 모델 회사는 어디인가요?",
     "그 회사들의 모델이 주목받는 이유는 무엇인가요?", "003"),
    ("오픈AI의 영상생성 AI 소라에는 GPU가 몇 개 이상 쓰인다고 하나요?",
     "소라에 대해 그 발언을 한 사람은 누구인가요?", "001"),
]
MULTI_DOC = ["한국의 AI 경쟁력에 대해 자료들이 공통으로 걱정하는 점은 무엇인가요?",
             "한국 정부의 AI 정책에 대해 자료들이 공통으로 지적하는 문제는 무엇인가요?",
             "딥시크 등장에 대해 자료들은 각각 어떻게 보나요?"]
OUT_OF_SCOPE = ["2025년 노벨 물리학상 수상자는 누구인가요?",
                "82cook 자유게시판의 '전업 임대수입' 글은 조회수가 얼마인가요?"]
# A prompt with no document, for raw generation speed (llama-bench's tg runs at depth 0, too).
GENERATION_PROMPT = "인공지능이 사회에 미치는 영향을 열 가지로 나누어 각각 자세히 설명해 주세요."
RETRIEVAL_QUERIES = [q for q, _, _ in SINGLE_DOC] + [f for _, f, _ in SINGLE_DOC] + MULTI_DOC + [
    "딥시크 이후 GPU 투자 논쟁을 요약해줘", "AGI 논쟁", "중국 AI 경쟁력", "소버린 AI",
    "정부의 AI 인재 양성 정책", "엔비디아 젠슨 황 발언"]


class RecordingLLM:
    """Delegates to the bot's LazyLLM; remembers each stream's piece times and prefix use."""

    def __init__(self, inner: LazyLLM):
        self.inner = inner
        self.calls: list[dict] = []

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def supports_prefix_cache(self) -> bool:
        return self.inner.supports_prefix_cache

    @property
    def context_length(self) -> int:
        return self.inner.context_length

    @property
    def stages(self) -> dict[str, int]:
        return self.inner.stages

    def get(self):
        return self.inner.get()

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def warm(self, messages: list[dict], interrupt=None, label=None) -> str:
        return self.inner.warm(messages, interrupt, label)

    def has_prefix(self, messages: list[dict]) -> bool:
        return self.inner.has_prefix(messages)

    def choose(self, messages: list[dict], options: tuple[str, ...], **kwargs) -> dict:
        return self.inner.choose(messages, options, **kwargs)

    def stream(self, messages: list[dict], *, max_tokens: int, stop: tuple[str, ...] = (),
               cache_prefix: int = 0, interrupt=None, cache_label=None) -> Iterator[str]:
        llm = self.inner.get()
        llm.last_prefix = ""  # only a prefix-using call sets it again
        call = {"started": time.perf_counter(), "times": [], "pieces": [],
                "cache_prefix": cache_prefix, "messages": messages}
        self.calls.append(call)
        for piece in self.inner.stream(messages, max_tokens=max_tokens, stop=stop,
                                       cache_prefix=cache_prefix, interrupt=interrupt,
                                       cache_label=cache_label):
            call["times"].append(time.perf_counter())
            call["pieces"].append(piece)
            yield piece
        call["prefix"] = getattr(llm, "last_prefix", "") or ("none" if not cache_prefix else "?")
        call["tokens"] = getattr(llm, "last_tokens", (0, 0))


@dataclass
class Sample:
    kind: str
    question: str
    first_token_ms: int
    total_ms: int
    prefix: str = ""  # warm / loaded / computed / none (no prefix) / refused (no model call)
    prompt_tokens: int = 0
    prefix_tokens: int = 0
    plan_ms: int = 0  # retrieval, coverage, evidence: everything before the model call
    model_ms: int = 0  # from the model call to its first piece (prefix + prompt evaluation)
    reused: int = 0  # prompt tokens already in the model's state (warm or loaded prefix, history)
    evaluated: int = 0  # prompt tokens the model processed for this question
    answer: str = ""


@dataclass
class Workload:
    samples: list[Sample] = field(default_factory=list)

    def of(self, kind: str, prefix: str | None = None) -> list[Sample]:
        return [s for s in self.samples
                if s.kind == kind and (prefix is None or s.prefix == prefix)]

    def median_ms(self, kind: str, prefix: str | None = None) -> float | None:
        values = [s.first_token_ms for s in self.of(kind, prefix)]
        return statistics.median(values) if values else None


def ask(services: Services, recorder: RecordingLLM, kind: str, question: str,
        history: list[Turn] | None = None) -> Sample:
    before = len(recorder.calls)
    started = time.perf_counter()
    answer = services.answers.ask(question, history)
    sample = Sample(kind, question, answer.timings.get("first_token_ms", 0),
                    answer.timings.get("total_ms", 0), prefix="refused", answer=answer.text)
    if len(recorder.calls) > before:
        call = recorder.calls[-1]
        sample.prefix = call.get("prefix", "?")
        sample.plan_ms = int((call["started"] - started) * 1000)
        sample.reused, sample.evaluated = call.get("tokens", (0, 0))
        if call["times"]:
            sample.model_ms = int((call["times"][0] - call["started"]) * 1000)
        text = "".join(m["content"] for m in call["messages"])
        sample.prompt_tokens = recorder.count_tokens(text)
        if call["cache_prefix"]:
            sample.prefix_tokens = recorder.count_tokens(call["messages"][0]["content"])
    return sample


def run_questions(services: Services, recorder: RecordingLLM, runs: int, *, log=print,
                  cold: Services | None = None, cold_recorder: RecordingLLM | None = None
                  ) -> Workload:
    """Each run: two single-document questions, each followed by a follow-up in the same chat,
    a multi-document question and an out-of-scope one. Consecutive single-document questions
    are about different documents, so each one's prefix must come from the disk cache."""
    work = Workload()
    for run in range(runs):
        for i in range(2):
            question, follow_up, _doc = SINGLE_DOC[(2 * run + i) % len(SINGLE_DOC)]
            first = ask(services, recorder, "single", question)
            history = [Turn("user", question), Turn("assistant", first.answer)]
            second = ask(services, recorder, "follow-up", follow_up, history)
            work.samples += [first, second]
        work.samples.append(ask(services, recorder, "multi", MULTI_DOC[run % len(MULTI_DOC)]))
        work.samples.append(ask(services, recorder, "out-of-scope",
                                OUT_OF_SCOPE[run % len(OUT_OF_SCOPE)]))
        if cold and cold_recorder:
            # A document that run's questions did not touch, on a model without a prefix cache.
            question, _, _ = SINGLE_DOC[(2 * run + 2) % len(SINGLE_DOC)]
            work.samples.append(ask(cold, cold_recorder, "single-cold", question))
        for s in work.samples[-(6 + bool(cold)):]:
            log(f"  run {run + 1} {s.kind:<12} first token {s.first_token_ms:>6} ms (plan "
                f"{s.plan_ms:>5}, model {s.model_ms:>6}), total {s.total_ms:>6} ms, prefix "
                f"{s.prefix:<8} prompt {s.prompt_tokens} tok (prefix {s.prefix_tokens}, "
                f"evaluated {s.evaluated})")
    return work


def generation_speed(recorder: RecordingLLM, max_tokens: int = 160) -> dict[str, float]:
    """Tokens/s of our own streaming between the first and the last piece."""
    messages = [{"role": "user", "content": GENERATION_PROMPT}]
    pieces = list(recorder.stream(messages, max_tokens=max_tokens))
    call = recorder.calls[-1]
    times = call["times"]
    first, rest = pieces[0], "".join(pieces[1:])
    tokens = recorder.count_tokens(first + rest) - recorder.count_tokens(first)
    seconds = times[-1] - times[0]
    return {"tokens": tokens, "seconds": seconds,
            "tps": tokens / seconds if seconds > 0 else 0.0}


def answer_generation_speed(recorder: RecordingLLM) -> float | None:
    """The same measure over every answer the question mix streamed (long contexts)."""
    tokens = seconds = 0.0
    for call in recorder.calls:
        if len(call["pieces"]) < 8:
            continue
        first, rest = call["pieces"][0], "".join(call["pieces"][1:])
        tokens += recorder.count_tokens(first + rest) - recorder.count_tokens(first)
        seconds += call["times"][-1] - call["times"][0]
    return tokens / seconds if seconds else None
