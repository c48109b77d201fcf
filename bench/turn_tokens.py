"""The prompt tokens of each question's own turn on real articles, with no timing: what the
first token waits for beyond the cached prefix, counted with the model's tokenizer (issue 29).

The articles and questions of `bench/real_articles.py` (69 articles, 20 questions), indexed
into a fresh database with no summaries (lead sentences stand in for them, as right after a
bulk import), then each question planned (`AnswerService.plan`: no generation) twice:

- cold: no document's own prefix is at hand, so a single document is answered from its best
  passages behind the shared prefix;
- warm: every document's own prefix is at hand, so a single document that fits is given whole.

Per question: the route, how it was prompted (`how`), the documents, the
turn's tokens and the prefix's. The turn's tokens are the prompt's minus its cached prefix's,
which is what `stages["prompt_tokens"]` reports for a fresh process once the prefix is loaded.

    .venv/bin/python bench/turn_tokens.py [--model PATH] [--turn-tokens N] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from real_articles import articles, percentile, questions  # noqa: E402

from bot.config import DEFAULT_MODEL_FILE, MODELS_DIR, load_settings  # noqa: E402
from bot.ingest.pipeline import ingest_folder  # noqa: E402
from bot.llm.lazy import LazyLLM  # noqa: E402
from bot.services import build_services  # noqa: E402


class Prefixes(LazyLLM):
    """The real model's tokenizer and template; whether a document's own prefix is at hand
    is set, not looked up."""

    warm_documents = False

    def has_prefix(self, messages: list[dict]) -> bool:
        return self.warm_documents


def turn(llm: LazyLLM, plan) -> tuple[int, int]:
    """(the turn's tokens, the cached prefix's tokens) of a planned model prompt."""
    inner = llm.get()
    tokens = inner.prompt_tokens(plan.messages)
    prefix = (inner.prompt_tokens(plan.messages[:plan.cache_prefix], generation=False)
              if plan.cache_prefix else [])
    assert tokens[:len(prefix)] == prefix, "the cached prefix is not a prefix of the prompt"
    return len(tokens) - len(prefix), len(prefix)


def how(plan) -> str:
    """passages: one document's best sentences behind the shared prefix; whole: one document
    in its own prefix; lead+: the best of several whole, the others' sentences in the turn;
    several: the shared prefix, every document's sentences in the turn."""
    if len(plan.docs) > 1:
        return "lead+" if plan.cache_label else "several"
    if plan.cold or not plan.cache_label:
        return "passages"
    return "whole"


def measure(tmp: Path, model: Path, turn_tokens: int | None = None) -> list[dict]:
    folder = tmp / "docs"
    folder.mkdir()
    for path in articles():
        shutil.copy2(path, folder / path.name)
    settings = load_settings(BRIEFBOT_DB=tmp / "briefbot.db", SEEDS_DIR=folder,
                             MODEL_PATH=model, LLM_CACHE_MB=0)
    llm = Prefixes(settings)
    services = build_services(settings, llm)
    if turn_tokens:
        services.answers.options.turn_tokens = turn_tokens
    ingest_folder(services.store, services.korean, folder, max_bytes=settings.INGEST_MAX_BYTES)
    rows = []
    for case in questions():
        row: dict = {"id": case["id"]}
        for state in ("cold", "warm"):
            llm.warm_documents = state == "warm"
            plan = services.answers.plan(case["q"])
            if plan.kind != "model":
                row[state] = {"route": plan.kind}
                continue
            tokens, prefix = turn(llm, plan)
            row[state] = {"route": "model", "how": how(plan),
                          "docs": [d.id.split("_")[0][:4] for d in plan.docs],
                          "turn_tokens": tokens, "prefix_tokens": prefix}
        rows.append(row)
    services.close()
    return rows


def report(rows: list[dict]) -> None:
    for row in rows:
        parts = []
        for state in ("cold", "warm"):
            r = row[state]
            if r["route"] != "model":
                parts.append(f"{state}: {r['route']:<28}")
            else:
                parts.append(f"{state}: {r['how']:<8} {','.join(r['docs']):<10} "
                             f"turn {r['turn_tokens']:>4}")
        print(f"{row['id']:<5} " + "   ".join(parts))
    for state in ("cold", "warm"):
        model = [r[state] for r in rows if r[state]["route"] == "model"]
        turns = [r["turn_tokens"] for r in model]
        several = [r["turn_tokens"] for r in model if r["how"] in ("several", "lead+")]
        line = (f"{state}: {len(model)} model prompts, turn tokens median "
                f"{statistics.median(turns):.0f}, p95 {percentile(turns, 95)}, max {max(turns)}, "
                f"total {sum(turns)}")
        if several:
            line += (f"; several documents ({len(several)}): median "
                     f"{statistics.median(several):.0f}, max {max(several)}")
        print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=MODELS_DIR / DEFAULT_MODEL_FILE)
    parser.add_argument("--turn-tokens", type=int,
                        help="the best sentences' budget of a turn across documents (default: "
                             "bot.answer.options.TURN_TOKENS)")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="briefbot-turns-") as name:
        rows = measure(Path(name), args.model, args.turn_tokens)
    report(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
