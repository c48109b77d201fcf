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
from datetime import date
from pathlib import Path

from bot.answer.checks import LEAD_IN_ONLY, REFUSAL
from bot.cli import setup_logging
from bot.config import load_settings
from bot.ingest.pipeline import ingest_folder
from bot.services import build_services, build_worker
from bot.store import Turn


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
    if case.get("source") and not any(right(case, d) for d in cited):
        problems.append(f"does not cite {case['source']} (cites {sorted(cited)})")
    if len(cited) < case.get("min_sources", 0):
        problems.append(f"cites {len(cited)} documents, needs {case['min_sources']}")
    return problems


OUTCOMES = ("correct", "false refusal", "false answer", "wrong", "broken")
# A web address's host standing where a source's name belongs ("firenzedt.com는 …").
URL_HOST = re.compile(r"(?<![\w./@])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|kr|io|co)"
                      r"(?![a-z0-9-])", re.IGNORECASE)


def right(case: dict, doc_id: str) -> bool:
    """Whether `doc_id` is the document (or one of the documents) that answers the case."""
    wanted = case["source"]
    return any(doc_id.startswith(p) for p in ([wanted] if isinstance(wanted, str) else wanted))


def keyed(case: dict, folders: list[str] | None) -> dict:
    """The case as graded over the seeds and `folders`: a question the seeds cannot answer
    may be answered by a document of a larger collection, and its "collection" key (read
    when any folder is added) says with what."""
    if folders and case.get("collection"):
        return {**case, **case["collection"]}
    return case


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




def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def ask(services, case: dict, chat_id: int):
    """As a user would: a follow-up ("follow": the question before it) is asked in the same
    chat right after that question, with the turns the bot keeps. Returns the answer and the
    rank (1-based) of the right document among those the plan chose, None when absent.
    "asked_on" (a date) is the day the question is asked: what "지난주" counts from."""
    answers = services.answers
    if case.get("asked_on"):
        day = date.fromisoformat(case["asked_on"])
        answers.options.today = lambda: day
    if case.get("follow"):
        first = answers.ask(case["follow"], answers.history(chat_id))
        answers.remember(chat_id, case["follow"], first)
    history = answers.history(chat_id)
    rank = None
    if case.get("source"):  # no model call: what retrieval and planning put first
        chosen = [d.id for d in answers.plan(case["q"], history).docs]
        rank = next((n for n, d in enumerate(chosen, 1) if right(case, d)), None)
    return answers.ask(case["q"], history), rank


def rank_only(services, cases: list[dict]) -> int:
    """Where the plan puts the right document, with no model call: hit@1 and hit@3 per class."""
    by_class: dict[str, list] = defaultdict(list)
    for case in cases:
        if not case.get("source"):
            continue
        history = []
        if case.get("follow"):  # the previous question's plan, as a turn the bot would keep
            history = [Turn("user", case["follow"]), Turn("assistant", "")]
        chosen = [d.id for d in services.answers.plan(case["q"], history).docs]
        rank = next((i for i, d in enumerate(chosen, 1) if right(case, d)), None)
        by_class[question_class(case)].append(rank)
        print(f"{case['id']} rank {rank} (chose {', '.join(chosen[:3])})", flush=True)
    every = [r for ranks in by_class.values() for r in ranks]
    for cls, ranks in sorted(by_class.items()) + [("all", every)]:
        hit = lambda k, ranks=ranks: sum(1 for r in ranks if r is not None and r <= k)  # noqa: E731
        print(f"{cls:<16} hit@1 {hit(1)}/{len(ranks)}  hit@3 {hit(3)}/{len(ranks)}")
    return 0


def main(path: str, limit: int | None = None, only: str | None = None,
         folders: list[str] | None = None, retrieval_only: bool = False,
         passages: str = "cold", passage_tokens: int | None = None,
         hint_lines: int | None = None, warm: int | None = None, drain: bool = True,
         docs: list[str] | None = None, turn_tokens: int | None = None,
         show: int = 160) -> int:
    setup_logging()
    # The seeds alone in data/eval.db; with more folders, a database of that collection's own;
    # with --docs, those folders alone (a blind batch's own articles), without the seeds.
    db = ("data/eval.db" if not folders and not docs
          else f"data/eval_{Path(path).parent.name}_{Path(path).stem}.db")
    settings = load_settings(BRIEFBOT_DB=Path(db))
    services = build_services(settings)
    services.answers.options.passages = passages
    if passage_tokens:
        services.answers.options.passage_tokens = passage_tokens
    if hint_lines is not None:
        services.answers.options.hint_lines = hint_lines
    if turn_tokens:
        services.answers.options.turn_tokens = turn_tokens
    for folder in docs or [settings.SEEDS_DIR, *(folders or [])]:
        ingest_folder(services.store, services.korean, Path(folder),
                      max_bytes=settings.INGEST_MAX_BYTES)
    cases = [keyed(json.loads(line), folders)
             for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    cases = cases[:limit]
    if only:  # a few questions by id, while working on them
        cases = [c for c in cases if c["id"] in only.split(",")]
    if retrieval_only:
        return rank_only(services, cases)
    # What the running bot's background worker does first: summaries and prompt prefixes.
    worker = build_worker(services)
    if warm is not None:  # fewer whole-document prefixes than the bot would keep: a cold start
        worker.warm_limit = max(1, warm)  # (0 would mean no limit)
    if drain:
        worker.drain()
    passed, times, firsts, rows, not_verbatim, ranks = 0, [], [], [], 0, []
    # Each case asks in a chat of its own, new in every run (data/eval.db keeps its turns), so
    # no case leans on another's turns.
    first_chat = int(time.time()) * 1000
    for n, case in enumerate(cases):
        answer, rank = ask(services, case, chat_id=first_chat + n)
        if case.get("source"):
            ranks.append(rank)
        problems = judge(case, answer)
        result = outcome(case, answer, problems)
        rows.append((question_class(case), result))
        not_verbatim += sum(1 for src in answer.sources
                            if src.quote not in services.store.document(src.doc_id).text)
        passed += result == "correct"
        times.append(answer.timings["total_ms"])
        firsts.append(answer.timings["first_token_ms"])
        status = ("PASS" if result == "correct"
                  else f"FAIL ({result}) " + "; ".join(problems))
        print(f"{case['id']} {status} ({answer.timings['total_ms']} ms, first token "
              f"{answer.timings['first_token_ms']} ms)\n    {answer.text[:show]!r}", flush=True)
    print(table(rows))
    print(f"quotes not verbatim: {not_verbatim}")
    if ranks:
        hit = lambda k: sum(1 for r in ranks if r is not None and r <= k)  # noqa: E731
        print(f"right document: hit@1 {hit(1)}/{len(ranks)}, hit@3 {hit(3)}/{len(ranks)} "
              "(questions with one right document)")
    print(f"first token: median {statistics.median(firsts) / 1000:.1f} s, p95 "
          f"{percentile(firsts, 95) / 1000:.1f} s")
    kind = "blind batch" if "blind" in Path(path).parts else "development set"
    print(f"eval ({kind} {path}): {passed}/{len(cases)} passed, median answer time "
          f"{statistics.median(times) / 1000:.1f} s (model {Path(settings.MODEL_PATH).name}, "
          f"{settings.LLM_THREADS} threads)")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default="eval/qa_dev.jsonl",
                        help="the question set (JSON lines, see eval/README.md)")
    parser.add_argument("--limit", type=int, help="ask only the first N questions")
    parser.add_argument("--only", help="ask only these questions (ids, comma-separated)")
    parser.add_argument("--with", dest="folders", action="append", metavar="DIR",
                        help="ingest this folder too (repeatable), e.g. eval/collection")
    parser.add_argument("--docs", action="append", metavar="DIR",
                        help="the collection is this folder alone (repeatable), not the seeds: "
                             "a blind batch's articles, e.g. eval/blind/b1/docs")
    parser.add_argument("--retrieval-only", action="store_true",
                        help="no model: where the plan ranks the right document (hit@1, hit@3)")
    parser.add_argument("--passages", choices=("cold", "always", "never"), default="cold",
                        help="answer a single document from its best passages when its prefix "
                             "is not at hand (cold, as the bot does), always, or never")
    parser.add_argument("--warm", type=int, metavar="N",
                        help="the worker evaluates whole-document prefixes of the N newest "
                             "documents only (default: as many as the cache budget holds); "
                             "prefixes already on disk are used either way")
    parser.add_argument("--passage-tokens", type=int,
                        help="tokens of best sentences a document answered from passages brings "
                             "(default: bot.answer.options.PASSAGE_TOKENS)")
    parser.add_argument("--turn-tokens", type=int,
                        help="tokens of best sentences and headings a turn across documents "
                             "brings (default: bot.answer.options.TURN_TOKENS)")
    parser.add_argument("--hint-lines", type=int,
                        help="a whole document's best sentences repeated beside the question "
                             "(default 0: the question alone)")
    parser.add_argument("--no-worker", action="store_true",
                        help="ask with what the database holds already (summaries, prefixes on "
                             "disk): a quick look at a few questions, not a score")
    parser.add_argument("--show", type=int, default=160,
                        help="characters of each answer printed (default 160)")
    args = parser.parse_args()
    sys.exit(main(args.path, args.limit, args.only, args.folders, args.retrieval_only,
                  args.passages, args.passage_tokens, args.hint_lines, args.warm,
                  not args.no_worker, args.docs, args.turn_tokens, args.show))
