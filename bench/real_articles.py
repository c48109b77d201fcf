"""`make bench` on real text (issue 29): a new user's first questions after a bulk import.

The project's own 69 real articles (every `.txt` of `seeds/`, `eval/docs/` and
`eval/collection/`, the set issue 29 was reported on) are copied into a fresh folder and
indexed with `briefbot ingest --no-summaries` into a fresh database: nothing precomputed.
Then each question of a fixed selection (QUESTIONS: 20 answerable, non-follow-up questions of
eval/qa_collection.jsonl, eval/qa_users.jsonl and eval/qa_dev.jsonl about 13 of the articles)
is asked by a fresh `briefbot ask --json` process, as a user at a shell would, and its
`timings` are read:

- cold: right after the import. First token p50/p95 with the model's load reported apart
  (`first_token_ms - load_ms`), and where the rest went (medians of the stages: retrieval,
  other planning, prefix loaded or evaluated, the turn's prompt tokens, the first decode).
- warm: after the background worker (`briefbot ingest` without --no-summaries, the worker's own
  order) has run until the documents asked about have their prefixes — or for at most
  `worker_budget` seconds (summaries of 69 documents take about an hour on two cores; the
  first hour's order is what is measured) — the same questions again, fresh processes again.

Answers are cut at `answer_tokens` tokens (64): only the time to the first token is measured
here, and generation speed is measured by the rest of `make bench`. Alone:

    .venv/bin/python bench/real_articles.py [--questions N] [--worker-budget S] [--model PATH]
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from report import Figure, info, lower_is_better  # noqa: E402

ARTICLE_DIRS = ("seeds", "eval/docs", "eval/collection")
QUESTION_SETS = ("eval/qa_collection.jsonl", "eval/qa_users.jsonl", "eval/qa_dev.jsonl")
# Fixed: the named, described, detail and paraphrase questions of the collection set (every
# third), the users' set without follow-ups and unanswerables (every sixth, then trimmed to the
# seeds' five documents) and two of the development set. 20 questions, 13 documents.
QUESTIONS = ("cn01", "cn04", "cd02", "cl02", "cp01", "cp04", "cp10", "cp13",
             "p01", "p07", "l01", "l07", "l13", "a05", "a11", "c04", "s05", "s11",
             "d02", "d07")
ASKED_KEY = "asked_cold"  # meta: documents `briefbot ask` met cold, for the worker (JSON list)
STAGES = ("load_ms", "retrieve_ms", "plan_other_ms", "prefix_load_ms", "prefix_eval_ms",
          "prompt_ms", "first_decode_ms")
# A child's settings come from here only (the caller's .env and environment are not read).
_OWN = ("TELEGRAM_", "BRIEFBOT_", "SEEDS_DIR", "MODEL_PATH", "LLM_", "BRIEFING_", "ALLOWED_",
        "ADMIN_IDS", "INGEST_", "RETENTION_", "DEBATE_", "FORGET_")
# `python -m bot`, with the answer cut short when asked (the first token is what is timed).
BOOT = ("import sys\n"
        "import bot.answer.generate as service\n"
        "tokens = int(sys.argv.pop(1))\n"
        "if tokens and hasattr(service, 'ANSWER_TOKENS'):\n"
        "    service.ANSWER_TOKENS = tokens\n"
        "from bot.cli import main\n"
        "main(prog_name='briefbot')\n")


def percentile(values: list[float], p: float) -> float:
    """Nearest rank (as bench/collection.py)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def articles() -> list[Path]:
    return sorted(p for d in ARTICLE_DIRS for p in (ROOT / d).glob("*.txt"))


def questions(count: int | None = None) -> list[dict]:
    cases = {}
    for name in QUESTION_SETS:
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                cases[case["id"]] = case
    chosen = [cases[i] for i in QUESTIONS]
    if count and count < len(chosen):  # evenly spread over the selection
        chosen = chosen[::len(chosen) // count][:count]
    return chosen


class Runner:
    """`briefbot` commands as fresh processes over one database and folder."""

    def __init__(self, tmp: Path, model: Path, threads: int, answer_tokens: int):
        self.db = tmp / "data" / "briefbot.db"
        self.folder = tmp / "docs"
        self.cwd = tmp
        self.answer_tokens = answer_tokens
        env = {k: v for k, v in os.environ.items() if not k.startswith(_OWN)}
        env.update(PYTHONPATH=str(ROOT), BRIEFBOT_DB=str(self.db), SEEDS_DIR=str(self.folder),
                   MODEL_PATH=str(model), LLM_THREADS=str(threads), LLM_BACKEND="llamacpp")
        self.env = env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-c", BOOT, str(self.answer_tokens), *args]

    def run(self, *args: str, timeout: float = 600) -> tuple[subprocess.CompletedProcess, float]:
        started = time.perf_counter()
        done = subprocess.run(self.command(*args), cwd=self.cwd, env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        return done, time.perf_counter() - started

    def ask(self, question: str) -> dict:
        done, wall = self.run("ask", question, "--json")
        if done.returncode != 0:
            return {"error": (done.stderr or done.stdout)[-300:], "wall_s": wall}
        out = json.loads(done.stdout[done.stdout.index("{"):])
        timings = out.get("timings") or {}
        row = {"wall_s": round(wall, 2), "model": "first_decode_ms" in timings,
               "sources": [s["doc"] for s in out.get("sources", [])], **timings}
        if row["model"]:
            known = sum(timings.get(k, 0) for k in STAGES if k != "plan_other_ms")
            row["plan_other_ms"] = max(0, timings["first_token_ms"] - known)
            row["first_token_no_load_ms"] = timings["first_token_ms"] - timings.get("load_ms", 0)
            # From the process's start (imports, Kiwi, the model's load) to the first token,
            # as the person at the shell waits for it (the exit after the answer left out).
            row["wall_first_s"] = round(wall - (timings["total_ms"] - timings["first_token_ms"])
                                        / 1000, 2)
        return row

    def asked_pending(self) -> list[str] | None:
        """Documents the asks met cold that the worker has not evaluated yet (None: this
        version of briefbot does not record them)."""
        try:
            with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5) as conn:
                row = conn.execute("select value from meta where key = ?", [ASKED_KEY]
                                   ).fetchone()
        except sqlite3.Error:
            return None
        return json.loads(row[0]) if row else None

    def worker(self, budget: float, log) -> dict:
        """`briefbot ingest` (its model work, in the worker's order) until the documents asked
        about are done or `budget` seconds have passed; stopped then (a step cut short is
        done again by a later run)."""
        started = time.perf_counter()
        proc = subprocess.Popen(self.command("ingest"), cwd=self.cwd, env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        steps: list[str] = []
        reason = "budget"
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x) for x in proc.stderr], daemon=True).start()
        while True:
            while not lines.empty():
                line = lines.get().rstrip("\n")
                if line.startswith("model work:"):
                    steps.append(line.split("(", 1)[-1].rstrip(")"))
                    log(f"    [{time.perf_counter() - started:5.0f} s] {line}")
            if proc.poll() is not None:
                reason = "finished"
                break
            if self.asked_pending() == [] and any(s.startswith("prefix") for s in steps):
                reason = "asked documents ready"
                break
            if time.perf_counter() - started > budget:
                break
            time.sleep(0.5)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        kinds = [s.split(" ", 1)[0] for s in steps]
        return {"seconds": round(time.perf_counter() - started), "stopped": reason,
                "steps": {k: kinds.count(k) for k in dict.fromkeys(kinds)}}


def summarise(rows: list[dict]) -> dict:
    model = [r for r in rows if r.get("model")]
    out: dict = {"asked": len(rows), "model_answers": len(model),
                 "errors": sum(1 for r in rows if "error" in r)}
    if not model:
        return out
    no_load = [r["first_token_no_load_ms"] / 1000 for r in model]
    first = [r["first_token_ms"] / 1000 for r in model]
    out.update(p50_s=statistics.median(no_load), p95_s=percentile(no_load, 95),
               max_s=max(no_load), with_load_p50_s=statistics.median(first),
               with_load_p95_s=percentile(first, 95),
               wall_p50_s=statistics.median(r["wall_s"] for r in model),
               wall_first_p50_s=statistics.median(r["wall_first_s"] for r in model),
               wall_first_p95_s=percentile([r["wall_first_s"] for r in model], 95))
    out["stages_ms"] = {k: int(statistics.median(r.get(k, 0) for r in model)) for k in STAGES}
    out["stages_p95_ms"] = {k: int(percentile([r.get(k, 0) for r in model], 95))
                            for k in STAGES}
    out["tokens"] = {k: int(statistics.median(r.get(k, 0) for r in model))
                     for k in ("prefix_tokens", "prompt_tokens")}
    out["prefix"] = {"loaded": sum(1 for r in model if r.get("prefix_load_ms")),
                     "evaluated": sum(1 for r in model if r.get("prefix_eval_ms")),
                     "none or in memory": sum(1 for r in model if not r.get("prefix_load_ms")
                                              and not r.get("prefix_eval_ms"))}
    return out


def split_line(s: dict) -> str:
    st = s["stages_ms"]
    return (f"load {st['load_ms']} ms (apart) | retrieval {st['retrieve_ms']} + other planning "
            f"{st['plan_other_ms']} + prefix loaded {st['prefix_load_ms']} / evaluated "
            f"{st['prefix_eval_ms']} + turn {st['prompt_ms']} ({s['tokens']['prompt_tokens']} "
            f"tokens) + first decode {st['first_decode_ms']} ms (medians; prefix "
            f"{s['tokens']['prefix_tokens']} tokens; {s['prefix']})")


def ask_all(runner: Runner, cases: list[dict], label: str, log) -> list[dict]:
    rows = []
    for n, case in enumerate(cases, 1):
        row = runner.ask(case["q"])
        row["id"] = case["id"]
        rows.append(row)
        if "error" in row:
            log(f"  {label} {n}/{len(cases)} {case['id']}: failed: {row['error']}")
        elif not row["model"]:
            log(f"  {label} {n}/{len(cases)} {case['id']}: no model call, "
                f"{row.get('total_ms')} ms (wall {row['wall_s']:.1f} s)")
        else:
            log(f"  {label} {n}/{len(cases)} {case['id']}: first token "
                f"{row['first_token_no_load_ms']} ms + load {row.get('load_ms', 0)} ms "
                f"[retrieve {row.get('retrieve_ms')} other {row['plan_other_ms']} prefix "
                f"{row.get('prefix_load_ms', 0)}/{row.get('prefix_eval_ms', 0)} ms "
                f"({row.get('prefix_tokens', 0)} tok) turn {row.get('prompt_ms')} ms "
                f"({row.get('prompt_tokens')} tok) decode {row.get('first_decode_ms')} ms] "
                f"wall {row['wall_s']:.1f} s")
    return rows


def measure(tmp: Path, model: Path, threads: int, *, count: int | None = None,
            worker_budget: float = 240.0, answer_tokens: int = 64, log=print) -> dict:
    runner = Runner(tmp, model, threads, answer_tokens)
    runner.folder.mkdir(parents=True)
    docs = articles()
    for path in docs:
        shutil.copy2(path, runner.folder / path.name)
    done, ingest_s = runner.run("ingest", "--no-summaries")
    log(f"  {len(docs)} articles: {done.stdout.strip().splitlines()[0] if done.stdout else ''} "
        f"in {ingest_s:.1f} s (briefbot ingest --no-summaries)")
    if done.returncode != 0:
        raise RuntimeError(f"ingest failed: {done.stderr[-500:]}")
    cases = questions(count)
    result: dict = {"articles": len(docs), "ingest_s": round(ingest_s, 1),
                    "questions": [c["id"] for c in cases], "answer_tokens": answer_tokens}
    log(f"  cold: {len(cases)} questions, a fresh `briefbot ask --json` each")
    cold = ask_all(runner, cases, "cold", log)
    result["cold"] = summarise(cold)
    log(f"  background work: `briefbot ingest` for at most {worker_budget:.0f} s")
    result["worker"] = runner.worker(worker_budget, log)
    log(f"  worker: {result['worker']}")
    log(f"  warm: the same {len(cases)} questions")
    warm = ask_all(runner, cases, "warm", log)
    result["warm"] = summarise(warm)
    result["rows"] = {"cold": cold, "warm": warm}
    return result


def figures(r: dict) -> list[Figure]:
    cold, warm = r["cold"], r["warm"]
    name = f"real articles ({r['articles']}), fresh `ask` process, first token"
    out = []
    if "p50_s" in cold:
        note = (f"{cold['model_answers']} of {cold['asked']} questions went to the model; "
                f"nothing precomputed after `ingest --no-summaries` ({r['ingest_s']} s); "
                f"with the load: p50 {cold['with_load_p50_s']:.1f} s, p95 "
                f"{cold['with_load_p95_s']:.1f} s; " + split_line(cold))
        out += [lower_is_better(f"{name}: cold p50 (load apart)", cold["p50_s"], 1.5, ".1f",
                                "s", note=note),
                lower_is_better(f"{name}: cold p95 (load apart)", cold["p95_s"], 3.0, ".1f",
                                "s", note=f"max {cold['max_s']:.1f} s")]
    if "p50_s" in warm:
        w = r["worker"]
        note = (f"after `briefbot ingest` ran {w['seconds']} s ({w['stopped']}; steps "
                f"{w['steps']}); p50 {warm['p50_s']:.1f} s; " + split_line(warm))
        out.append(lower_is_better(f"{name}: warm p95 (load apart)", warm["p95_s"], 1.5, ".1f",
                                   "s", note=note))
    if "p50_s" in cold:
        out.append(info("real articles: model load in a fresh process",
                        f"{cold['stages_ms']['load_ms'] / 1000:.1f} s",
                        f"median of what the cold asks waited for it (the rest of the load "
                        f"overlaps Kiwi's start); from the process's start to the first token "
                        f"p50 {cold['wall_first_p50_s']:.1f} s, p95 {cold['wall_first_p95_s']:.1f}"
                        f" s; a whole `ask` process p50 {cold['wall_p50_s']:.1f} s"))
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    from report import table

    from bot.config import DEFAULT_MODEL_FILE, MODELS_DIR

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=MODELS_DIR / DEFAULT_MODEL_FILE)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--questions", type=int, help="only N of the selection, evenly spread")
    parser.add_argument("--worker-budget", type=float, default=240.0)
    parser.add_argument("--answer-tokens", type=int, default=64,
                        help="cut answers at N tokens (0: the answer service's own limit)")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="briefbot-real-") as name:
        r = measure(Path(name), args.model, args.threads, count=args.questions,
                    worker_budget=args.worker_budget, answer_tokens=args.answer_tokens,
                    log=lambda m: print(m, flush=True))
    print(f"\n{len(r['questions'])} questions in {time.perf_counter() - started:.0f} s; "
          f"{args.model.name}, LLM_THREADS={args.threads}\n")
    print(table(figures(r)))
    if args.json:
        args.json.write_text(json.dumps(r, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
