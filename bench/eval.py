"""`make eval`: the development question set through the same answer service `briefbot ask`
uses, with the configured (default) model. Prints one line per question, `N/M passed` and the
median answer time. Judges the answer text itself, not the quotes attached to it."""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from bot.cli import setup_logging
from bot.config import load_settings
from bot.ingest.pipeline import ingest_folder
from bot.services import build_services, build_worker


def judge(case: dict, answer) -> list[str]:
    problems = []
    text = answer.text
    for group in case.get("must_any", []):
        if not any(s in text for s in group):
            problems.append(f"missing one of {group}")
    shown = text + " ".join(s.quote for s in answer.sources)
    for bad in case.get("must_not", []):
        if bad in shown:
            problems.append(f"contains forbidden {bad!r}")
    cited = {s.doc_id for s in answer.sources}
    if case.get("source") and not any(d.startswith(case["source"]) for d in cited):
        problems.append(f"does not cite {case['source']} (cites {sorted(cited)})")
    if len(cited) < case.get("min_sources", 0):
        problems.append(f"cites {len(cited)} documents, needs {case['min_sources']}")
    return problems


def main(path: str, limit: int | None = None) -> int:
    setup_logging()
    settings = load_settings(BRIEFBOT_DB=Path("data/eval.db"))
    services = build_services(settings)
    ingest_folder(services.store, services.korean, Path(settings.SEEDS_DIR),
                  max_bytes=settings.INGEST_MAX_BYTES)
    # What the running bot's background worker does first: summaries and prompt prefixes.
    build_worker(services).drain()
    cases = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()
             if line.strip()][:limit]
    passed, times = 0, []
    for case in cases:
        answer = services.answers.ask(case["q"])
        problems = judge(case, answer)
        passed += not problems
        times.append(answer.timings["total_ms"])
        status = "PASS" if not problems else "FAIL " + "; ".join(problems)
        print(f"{case['id']} {status} ({answer.timings['total_ms']} ms, first token "
              f"{answer.timings['first_token_ms']} ms)\n    {answer.text[:160]!r}", flush=True)
    print(f"eval: {passed}/{len(cases)} passed, median answer time "
          f"{statistics.median(times) / 1000:.1f} s (model {Path(settings.MODEL_PATH).name}, "
          f"{settings.LLM_THREADS} threads)")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default="eval/qa_dev.jsonl",
                        help="the question set (JSON lines, see eval/README.md)")
    parser.add_argument("--limit", type=int, help="ask only the first N questions")
    args = parser.parse_args()
    sys.exit(main(args.path, args.limit))
