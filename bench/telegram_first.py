"""`make bench` through Telegram (issue 29): the first words of an answer as a person in a chat
sees them, right after a bulk import.

The real `briefbot run` in a child process, speaking HTTP to the tests' fake Bot API on
127.0.0.1, the default model loaded as the bot keeps it. Once it polls, 60 of the project's
real articles (those `bench/real_articles.py` asks about first, then the rest in name order)
are dropped into its empty folder at once: nothing summarised, no prefix evaluated, the
background worker starting on them. As soon as they are indexed, the 20 questions of
`bench/real_articles.py` are sent one after another, each from a chat of its own, and each
waits for its finished answer before the next is sent. Timed per question: from the update
being queued to the first edit of the placeholder that shows answer text (the preview, or the
finished answer when no preview came first) — what the person waits for.

    .venv/bin/python bench/telegram_first.py [--documents N] [--model PATH]
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for path in (str(BENCH), str(ROOT)):
    if path not in sys.path:
        sys.path.insert(0, path)

from real_articles import _OWN, articles, percentile, questions  # noqa: E402
from report import Figure, info, lower_is_better  # noqa: E402
from startup import stop, wait_for  # noqa: E402

from bot import texts  # noqa: E402
from tests.botapi import BotAPIServer  # noqa: E402

TOKEN = "123456:BENCH-token_abcdefghijklmnopqrstuvwxyz"
FIRST_CHAT = 7000
ANSWER_TIMEOUT_S = 300.0
DOCUMENTS = 60


def _indexed(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("select count(*) from documents").fetchone()[0]
    except sqlite3.Error:
        return 0


def chosen_articles(count: int) -> list[Path]:
    """The documents the questions are about first (by file-name prefix), then the rest."""
    every = articles()
    asked = set()
    for case in questions():
        wanted = case.get("source")
        for prefix in (wanted if isinstance(wanted, list) else [wanted] if wanted else []):
            asked.update(p for p in every if p.name.startswith(prefix))
    rest = [p for p in every if p not in asked]
    return (sorted(asked) + rest)[:count]


def _first_text_at(api: BotAPIServer, chat: int) -> float | None:
    """When the chat's placeholder was first edited to show answer text."""
    for call in api.calls("editMessageText"):
        params = call["params"]
        if params.get("chat_id") == chat and call.get("status") == 200 \
                and params.get("text") not in (texts.TG_PLACEHOLDER, None):
            return call["time"]
    return None


def _finished(api: BotAPIServer, chat: int) -> bool:
    return any(not m["text"].endswith("…") and m["text"] != texts.TG_PLACEHOLDER
               and not m["text"].startswith(texts.TG_QUEUED.split("{")[0])
               for m in api.sent(chat))


def measure(tmp: Path, model: Path, threads: int, *, documents: int = DOCUMENTS,
            count: int | None = None, log=print) -> dict:
    folder = tmp / "telegram-docs"
    folder.mkdir()
    db = tmp / "telegram" / "bot.db"
    chosen = chosen_articles(documents)
    cases = questions(count)
    result: dict = {"documents": len(chosen), "questions": [c["id"] for c in cases]}
    with BotAPIServer() as api:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_OWN)}
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url,
                   BRIEFBOT_DB=str(db), SEEDS_DIR=str(folder), MODEL_PATH=str(model),
                   LLM_THREADS=str(threads), LLM_BACKEND="llamacpp", ALLOWED_CHAT_IDS="",
                   ADMIN_IDS="", PYTHONPATH=str(ROOT))
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        rows: list[dict] = []
        try:
            if not wait_for(lambda: api.calls("getUpdates"), timeout=180):
                raise RuntimeError("briefbot run never polled the fake Bot API")
            result["polling_s"] = round(time.monotonic() - started, 1)
            for path in chosen:  # the bulk import: every file at once
                shutil.copy2(path, folder / path.name)
            dropped = time.monotonic()
            if not wait_for(lambda: _indexed(db) >= len(chosen), timeout=300, interval=0.2):
                raise RuntimeError(f"only {_indexed(db)} of {len(chosen)} documents indexed")
            result["indexed_s"] = round(time.monotonic() - dropped, 1)
            log(f"  polling after {result['polling_s']} s; {len(chosen)} articles dropped in "
                f"and indexed in {result['indexed_s']} s; asking now")
            for n, case in enumerate(cases):
                chat = FIRST_CHAT + n
                asked = time.time()
                api.add_update_message(chat, case["q"])
                done = wait_for(lambda c=chat: _finished(api, c), ANSWER_TIMEOUT_S, interval=0.1)
                shown = _first_text_at(api, chat)
                row = {"id": case["id"], "finished": bool(done),
                       "first_text_s": round(shown - asked, 2) if shown else None,
                       "answer_s": round(time.time() - asked, 2) if done else None}
                rows.append(row)
                log(f"  {n + 1}/{len(cases)} {case['id']}: first words after "
                    f"{row['first_text_s']} s, finished after {row['answer_s']} s")
        finally:
            err = stop(proc)
        result["exit_code"] = proc.returncode
        result["errors"] = [line for line in err.splitlines()
                            if " ERROR " in line or "Traceback" in line][:5]
    result["rows"] = rows
    shown = [r["first_text_s"] for r in rows if r["first_text_s"] is not None]
    if shown:
        result.update(p50_s=statistics.median(shown), p95_s=percentile(shown, 95),
                      max_s=max(shown), answered=len(shown))
    return result


def figures(r: dict) -> list[Figure]:
    name = (f"Telegram: first words of an answer right after {r['documents']} documents "
            "arrive")
    if "p95_s" not in r:
        return [Figure(f"{name}, p95", "≤ 2.0 s", "not measured",
                       note="; ".join(r.get("errors", [])) or "no answer shown")]
    slow = sorted(r["rows"], key=lambda x: -(x["first_text_s"] or 0))[:2]
    return [lower_is_better(
                f"{name}, p95", r["p95_s"], 2.0, ".1f", "s",
                note=f"p50 {r['p50_s']:.1f} s, max {r['max_s']:.1f} s over {r['answered']} of "
                     f"{len(r['rows'])} questions, each from its own chat, one at a time; "
                     "from the update to the first edit showing answer text; slowest "
                     + ", ".join(f"{x['id']} {x['first_text_s']} s" for x in slow)),
            info("Telegram: documents indexed after the bulk import",
                 f"{r['indexed_s']:.1f} s", f"{r['documents']} files dropped at once into the "
                 f"folder of a running bot (polling {r['polling_s']} s after its start)")]


def main(argv: list[str] | None = None) -> int:
    import argparse
    import tempfile

    from report import table

    from bot.config import DEFAULT_MODEL_FILE, MODELS_DIR

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=MODELS_DIR / DEFAULT_MODEL_FILE)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    parser.add_argument("--questions", type=int, help="only N of the selection, evenly spread")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="briefbot-telegram-") as name:
        r = measure(Path(name), args.model, args.threads, documents=args.documents,
                    count=args.questions, log=lambda m: print(m, flush=True))
    print()
    print(table(figures(r)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
