"""Which evidence sentence answers the question: the one holding most of its words (what the
fallback quotes today) against the model's constrained choice among the best few (`LLM.choose`
over their numbers, one prompt evaluation, no sampling). Over a question set's single-document
questions whose answer key names what the sentence must hold; prints hit rates for each way and
for the candidates as a whole (an upper bound). No answer is generated."""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from bot import prompts
from bot.answer import verify
from bot.answer.evidence import gather
from bot.cli import setup_logging
from bot.config import load_settings
from bot.ingest.pipeline import ingest_folder
from bot.services import build_services

CONTENT_FREE = "N/A"
ASKED = {"detail", "paraphrase", "attribution", "described", "time", "named", "answerable"}


def holds(case: dict, sentence: str) -> bool:
    return all(any(s in sentence for s in group) for group in case["must_any"])


def ranked(evidence: verify.Evidence, titles: set[str], n: int) -> list[str]:
    """The `n` statements that hold most of the topic, best first."""
    units = verify.top_statements(evidence, titles, n)
    score = {u: verify.weight(frozenset().union(*(t for s, t in evidence.sentences if s in u)),
                              evidence.topic) for u in units}
    return sorted(units, key=lambda u: -score[u])


def main(path: str, docs: list[str] | None, n: int) -> int:
    setup_logging()
    db = f"data/choose_{Path(path).parent.name}_{Path(path).stem}.db"
    settings = load_settings(BRIEFBOT_DB=Path(db))
    services = build_services(settings)
    for folder in docs or [settings.SEEDS_DIR]:
        ingest_folder(services.store, services.korean, Path(folder),
                      max_bytes=settings.INGEST_MAX_BYTES)
    cases = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()
             if line.strip()]
    cases = [c for c in cases if (c.get("class") or "answerable") in ASKED and c.get("must_any")
             and isinstance(c.get("source"), str) and not c.get("follow")]
    answers = services.answers
    system = prompts.template("evidence_system")
    counts = {"overlap": 0, "model": 0, "any": 0, "asked": 0}
    seconds = []
    for case in cases:
        if case.get("asked_on"):
            day = date.fromisoformat(case["asked_on"])
            answers.options.today = lambda day=day: day
        plan = answers.plan(case["q"], [])
        if not plan.docs:
            continue
        evidence = gather(services.retriever, plan.asked, plan.docs, plan.grounds.context)
        cands = ranked(evidence, {d.title for d in plan.docs}, n)
        if not cands:
            continue
        counts["asked"] += 1
        listing = "\n".join(f"{i}. {' '.join(c.split())}" for i, c in enumerate(cands, 1))
        options = tuple(str(i) for i in range(len(cands) + 1))
        started = time.monotonic()

        def choice(question: str, listing: str = listing,
                   options: tuple[str, ...] = options) -> dict[str, float]:
            user = prompts.render("evidence_user", question=question, sentences=listing)
            return services.llm.choose([{"role": "system", "content": system},
                                        {"role": "user", "content": user}], options)
        # The model leans to the first number whatever the sentences say: what it gives a
        # content-free question over the same sentences is taken out (as the debate map's
        # Judge does).
        raw, base = choice(case["q"]), choice(CONTENT_FREE)
        scores = {o: raw[o] - base[o] for o in options}
        seconds.append(time.monotonic() - started)
        pick = max(scores, key=scores.get)
        chosen = cands[int(pick) - 1] if pick != "0" else ""
        hit = {"overlap": holds(case, cands[0]), "model": bool(chosen) and holds(case, chosen),
               "any": any(holds(case, c) for c in cands)}
        for k, v in hit.items():
            counts[k] += v
        print(f"{case['id']:<10} overlap {'Y' if hit['overlap'] else '-'} model "
              f"{'Y' if hit['model'] else '-'} (picked {pick}) any {'Y' if hit['any'] else '-'}",
              flush=True)
    print(f"{path}: of {counts['asked']} questions, the answering sentence is the best-overlap "
          f"one in {counts['overlap']}, the model's choice in {counts['model']}, among the "
          f"{n} candidates in {counts['any']}; model seconds per choice: median "
          f"{statistics.median(seconds or [0]):.1f}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path")
    parser.add_argument("--docs", action="append", metavar="DIR")
    parser.add_argument("-n", type=int, default=6, help="candidates the model chooses among")
    args = parser.parse_args()
    sys.exit(main(args.path, args.docs, args.n))
