"""Generation at the hardware's pace: tokens/s of `llama-bench` tg (the same llama.cpp sources,
built with the wheel's flags: bench/llama_bench.py; skipped when it is not built) and of
llama.cpp's own single-token decode loop in this process (one token per pass, no sampling)
against our streaming path, with the same model, threads and context, in one run. Medians of
`--runs` runs of `--tokens` tokens each, interleaved so a noisy neighbour hits every side alike;
each row's ratio is the median of its per-run ratios to the first row measured in that run.

    .venv/bin/python bench/decode_speed.py [--runs 3] [--tokens 128] [--lookup 0,4,4a]

`--lookup`: guessed tokens per pass, as the bot guesses (`N`), or whenever any last token
repeats (`Na`, as before guesses were gated)."""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import llama_bench

from bot.config import load_settings
from bot.llm.build import build_llm

PROMPT = "인공지능이 사회에 미치는 영향을 열 가지로 나누어 각각 자세히 설명해 주세요."
# An answer that copies its document, as answers do (where guessed tokens are kept).
DOCUMENT = ("정부는 2026년 AI 컴퓨팅 인프라에 1조 4천억 원을 투입한다. 국가 AI 컴퓨팅 센터는 전남 "
            "해남에 들어서며 GPU 1만 5천 장을 갖춘다. 과학기술정보통신부는 이 센터를 2028년까지 "
            "완공하겠다고 밝혔다. 업계는 전력과 냉각 설비가 부족하다고 지적하며 민간 "
            "데이터센터와의 연계를 요구했다.")
COPY = [{"role": "system", "content": "문서의 문장을 그대로 인용해 답하세요."},
        {"role": "user", "content": f"[문서]\n{DOCUMENT}\n\n질문: 문서의 문장을 모두 그대로 "
                                    "옮겨 적으세요."}]


def raw_tps(llm, tokens: int, context: int) -> float:
    """llama.cpp alone: `tokens` single-token decodes after `context` tokens, greedy argmax
    of the last row only (llama-bench tg decodes with no sampling at all)."""
    import numpy as np
    llama = llm._llama
    prompt = llm.prompt_tokens([{"role": "user", "content": PROMPT}])
    llama.reset()
    llama.eval(prompt[:context] if context else prompt[:1])
    n_past, token = llama.n_tokens, prompt[-1]
    started = time.perf_counter()
    for _ in range(tokens):
        llama._batch.set_batch(batch=[token], n_past=n_past, logits_all=False)
        llama._ctx.decode(llama._batch)
        n_past += 1
        token = int(np.ctypeslib.as_array(llama._ctx.get_logits_ith(-1),
                                          shape=(llama.n_vocab(),)).argmax())
    seconds = time.perf_counter() - started
    llama.reset()
    return tokens / seconds


def stream_tps(llm, tokens: int, lookup: str, messages=None) -> tuple[float, int]:
    """Our streaming path from the first piece to the last: (tokens/s after the first token,
    tokens generated). `lookup` as --lookup says."""
    from bot.llm import lookup as guesses
    count = int(lookup.rstrip("a"))
    saved = guesses.MIN_NGRAM, guesses.BACKOFF
    if lookup.endswith("a"):
        guesses.MIN_NGRAM, guesses.BACKOFF = 1, 0
    llm.lookup = count
    llm._llama.reset()
    times = []
    messages = messages or [{"role": "user", "content": PROMPT}]
    try:
        for _ in llm.stream(messages, max_tokens=tokens):
            times.append(time.perf_counter())
    finally:
        guesses.MIN_NGRAM, guesses.BACKOFF = saved
    generated, _ = llm.last_decode
    seconds = times[-1] - times[0]
    return (generated - 1) / seconds if seconds > 0 else 0.0, generated


def bench_tps(model: str, threads: int, tokens: int) -> float | None:
    """`llama-bench` tg over `tokens` tokens, once; None when it is not built or fails."""
    binary = llama_bench.binary_path(llama_bench.llama_cpp_version())
    if not binary.is_file():
        return None
    try:
        return llama_bench.run(binary, Path(model), threads, prompt=0, gen=tokens,
                               repetitions=1)["tg_tps"]
    except llama_bench.BenchUnavailable:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--lookup", default="0,4,4a",
                        help="guessed tokens per pass to try (see above)")
    args = parser.parse_args()
    settings = load_settings()
    llm = build_llm(settings)
    default = llm.lookup
    tries = [x.strip() for x in args.lookup.split(",") if x.strip()]
    rows: dict[str, list[float]] = {"llama-bench tg": [], "llama.cpp decode loop": []}
    rows |= {f"ours, lookup {n}": [] for n in tries}
    rows |= {f"copying, lookup {n}": [] for n in tries}
    made: dict[str, int] = {}
    for _ in range(args.runs):
        if (theirs := bench_tps(str(settings.MODEL_PATH), settings.LLM_THREADS,
                                args.tokens)) is not None:
            rows["llama-bench tg"].append(theirs)
        rows["llama.cpp decode loop"].append(raw_tps(llm, args.tokens, 0))
        for n in tries:
            tps, made[f"ours, lookup {n}"] = stream_tps(llm, args.tokens, n)
            rows[f"ours, lookup {n}"].append(tps)
            tps, made[f"copying, lookup {n}"] = stream_tps(llm, args.tokens, n, COPY)
            rows[f"copying, lookup {n}"].append(tps)
        print("  run:", ", ".join(f"{k} {v[-1]:.1f}" for k, v in rows.items() if v), flush=True)
    llm.lookup = default
    rows = {k: v for k, v in rows.items() if v}
    base_name = next(iter(rows))
    print(f"{settings.MODEL_PATH}, {settings.LLM_THREADS} threads, n_ctx {settings.LLM_CTX}, "
          f"median of {args.runs} × {args.tokens} tokens; ratios to {base_name} in the same run")
    for name, samples in rows.items():
        tps = statistics.median(samples)
        ratio = statistics.median(s / b for s, b in zip(samples, rows[base_name]))
        extra = f" ({made[name]} tokens before the end)" if name in made else ""
        print(f"{name:<24} {tps:5.1f} tok/s  {ratio:4.2f} ×  "
              f"[{', '.join(f'{s:.1f}' for s in samples)}]{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
