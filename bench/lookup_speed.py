"""Whole answers sooner: tokens/s inside answers with prompt lookup (several guessed tokens
checked per forward pass) against one token per pass, on the same prompts, and whether the text
is the same. `make bench` runs it; alone:

    .venv/bin/python bench/lookup_speed.py [--questions N] [--lookup 4,8,12]

The prompts are the answer service's own for questions of eval/qa_users.jsonl over the seeds
(data/eval.db, as `make eval` leaves it), each generated once per setting after one untimed
run that leaves the document's prefix evaluated, so only generation is timed."""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from bot.answer.generate import ANSWER_TOKENS
from bot.config import load_settings
from bot.ingest.pipeline import ingest_folder
from bot.services import build_services

SET = Path("eval/qa_users.jsonl")


def prompts(services, count: int) -> list:
    """Plans of the first `count` answerable, non-follow-up questions that go to the model."""
    plans = []
    for line in SET.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if not case.get("source") or case.get("follow"):
            continue
        plan = services.answers.plan(case["q"], [])
        if plan.refusal is None and plan.kind == "model":
            plans.append(plan)
        if len(plans) >= count:
            break
    return plans


def timed(llm, plan) -> tuple[str, float, int, int]:
    """(text, seconds from the first piece to the last, tokens after the first, passes)."""
    times, pieces = [], []
    for piece in llm.stream(plan.messages, max_tokens=ANSWER_TOKENS,
                            cache_prefix=plan.cache_prefix, cache_label=plan.cache_label):
        times.append(time.perf_counter())
        pieces.append(piece)
    tokens, passes = llm.last_decode
    return "".join(pieces), (times[-1] - times[0]) if times else 0.0, tokens, passes


def measure(services, count: int = 12, settings_to_try: tuple[int, ...] = (8,)) -> dict:
    llm = services.llm.get()
    default = llm.lookup
    plans = prompts(services, count)
    rows: dict[int, list] = {0: [], **{n: [] for n in settings_to_try}}
    same = 0
    try:
        for plan in plans:
            llm.lookup = 0
            timed(llm, plan)  # untimed: the prefix is evaluated (or loaded) and kept warm
            texts = {}
            for lookup in rows:
                llm.lookup = lookup
                text, seconds, tokens, passes = timed(llm, plan)
                texts[lookup] = text
                rows[lookup].append((seconds, tokens, passes))
            same += len(set(texts.values())) == 1
    finally:
        llm.lookup = default
    out = {"answers": len(plans), "identical": same}
    for lookup, samples in rows.items():
        seconds = sum(s for s, _, _ in samples)
        tokens = sum(t - 1 for _, t, _ in samples)  # after the first token
        passes = sum(p for _, _, p in samples)
        out[lookup] = {"tps": tokens / seconds if seconds else 0.0,
                       "tokens_per_pass": sum(t for _, t, _ in samples) / passes if passes else 0,
                       "median_answer_s": statistics.median(s for s, _, _ in samples)
                       if samples else 0.0}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=12)
    parser.add_argument("--lookup", default="4,8,12", help="guessed tokens per pass to try")
    args = parser.parse_args()
    settings = load_settings(BRIEFBOT_DB=Path("data/eval.db"))
    services = build_services(settings)
    ingest_folder(services.store, services.korean, Path(settings.SEEDS_DIR),
                  max_bytes=settings.INGEST_MAX_BYTES)
    tries = tuple(int(x) for x in args.lookup.split(",") if x.strip())
    result = measure(services, args.questions, tries)
    base = result[0]["tps"]
    print(f"{result['answers']} answers, identical text in all settings: {result['identical']}")
    for lookup in (0, *tries):
        row = result[lookup]
        print(f"lookup {lookup:>2}: {row['tps']:5.1f} tok/s ({row['tps'] / base:4.2f} ×), "
              f"{row['tokens_per_pass']:.2f} tokens per pass, median answer "
              f"{row['median_answer_s']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
