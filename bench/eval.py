"""`make eval`: the development question set through the same answer service `briefbot ask`
uses, with the configured (default) model. Prints one line per question, a table of outcomes
per question class (correct, false refusal, false answer, wrong, broken), `N/M passed` and the
median answer time. Judges the answer text itself; quotes are checked to be verbatim."""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from bot.answer.checks import LEAD_IN_ONLY, REFUSAL
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


OUTCOMES = ("correct", "false refusal", "false answer", "wrong", "broken")
# A web address's host standing where a source's name belongs ("firenzedt.com는 …").
URL_HOST = re.compile(r"(?<![\w./@])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|kr|io|co)"
                      r"(?![a-z0-9-])", re.IGNORECASE)


def answerable(case: dict) -> bool:
    return bool(case.get("source") or case.get("min_sources"))


def question_class(case: dict) -> str:
    return case.get("class") or ("answerable" if answerable(case) else "unanswerable")


def outcome(case: dict, answer, problems: list[str]) -> str:
    """What kind of reply it was. A refusal of a question the documents answer is a false
    refusal; an answer to one they do not is a false answer; a lead-in with nothing after it,
    an empty reply or a URL host named as a source is broken whatever else it says."""
    text = answer.text.strip()
    if not text or LEAD_IN_ONLY.search(text) or URL_HOST.search(text):
        return "broken"
    refused = not answer.covered or bool(REFUSAL.search(text))
    if answerable(case):
        if refused:
            return "false refusal"
        return "wrong" if problems else "correct"
    return "false answer" if problems or not refused and answer.sources else "correct"


def table(rows: list[tuple[str, str]]) -> str:
    """Outcomes per question class, then the total."""
    by_class: dict[str, Counter] = defaultdict(Counter)
    for cls, result in rows:
        by_class[cls][result] += 1
        by_class["all"][result] += 1
    lines = [f"{'class':<16}{'n':>4}" + "".join(f"{o:>15}" for o in OUTCOMES)]
    for cls in [*sorted(c for c in by_class if c != "all"), "all"]:
        counts = by_class[cls]
        lines.append(f"{cls:<16}{sum(counts.values()):>4}"
                     + "".join(f"{counts[o]:>15}" for o in OUTCOMES))
    return "\n".join(lines)




def ask(services, case: dict, chat_id: int):
    """As a user would: a follow-up ("follow": the question before it) is asked in the same
    chat right after that question, with the turns the bot keeps."""
    answers = services.answers
    if case.get("follow"):
        first = answers.ask(case["follow"], answers.history(chat_id))
        answers.remember(chat_id, case["follow"], first)
    return answers.ask(case["q"], answers.history(chat_id))


def main(path: str, limit: int | None = None, only: str | None = None) -> int:
    setup_logging()
    settings = load_settings(BRIEFBOT_DB=Path("data/eval.db"))
    services = build_services(settings)
    ingest_folder(services.store, services.korean, Path(settings.SEEDS_DIR),
                  max_bytes=settings.INGEST_MAX_BYTES)
    # What the running bot's background worker does first: summaries and prompt prefixes.
    build_worker(services).drain()
    cases = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()
             if line.strip()][:limit]
    if only:  # a few questions by id, while working on them
        cases = [c for c in cases if c["id"] in only.split(",")]
    passed, times, rows, not_verbatim = 0, [], [], 0
    # Each case asks in a chat of its own, new in every run (data/eval.db keeps its turns), so
    # no case leans on another's turns.
    first_chat = int(time.time()) * 1000
    for n, case in enumerate(cases):
        answer = ask(services, case, chat_id=first_chat + n)
        problems = judge(case, answer)
        result = outcome(case, answer, problems)
        rows.append((question_class(case), result))
        not_verbatim += sum(1 for src in answer.sources
                            if src.quote not in services.store.document(src.doc_id).text)
        passed += result == "correct"
        times.append(answer.timings["total_ms"])
        status = ("PASS" if result == "correct"
                  else f"FAIL ({result}) " + "; ".join(problems))
        print(f"{case['id']} {status} ({answer.timings['total_ms']} ms, first token "
              f"{answer.timings['first_token_ms']} ms)\n    {answer.text[:160]!r}", flush=True)
    print(table(rows))
    print(f"quotes not verbatim: {not_verbatim}")
    print(f"eval: {passed}/{len(cases)} passed, median answer time "
          f"{statistics.median(times) / 1000:.1f} s (model {Path(settings.MODEL_PATH).name}, "
          f"{settings.LLM_THREADS} threads)")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default="eval/qa_dev.jsonl",
                        help="the question set (JSON lines, see eval/README.md)")
    parser.add_argument("--limit", type=int, help="ask only the first N questions")
    parser.add_argument("--only", help="ask only these questions (ids, comma-separated)")
    args = parser.parse_args()
    sys.exit(main(args.path, args.limit, args.only))
