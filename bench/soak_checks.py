"""The soak test's closing checks (bench/soak.py): each a condition waited on with a deadline,
each a row of the table."""
from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime

from bot.types import BRIEFING
from bot.worker import WorkerLease

RSS_LIMIT_MB = 1024  # the bot with Kiwi and a remote model stays far below this


def final_checks(soak) -> None:
    SUBSCRIBERS, (TOKEN, LLM_PASSWORD) = soak.subscribers, soak.secrets  # noqa: N806
    table, db, bot = soak.table, soak.db, soak.bot
    # Briefings: one per subscriber once the slot has passed (ticks every 20 s).
    until_slot = (soak.slot - datetime.now(UTC)).total_seconds()
    print(f"soak: waiting for the briefing slot ({max(0, until_slot):.0f} s) and the outbox",
          flush=True)

    def briefings() -> dict[int, list]:
        rows = [r for r in db.outbox() if r["kind"] == BRIEFING
                and not r["key"].endswith((":soak", ":map"))]
        return {c: [r for r in rows if r["chat_id"] == c] for c in SUBSCRIBERS}

    briefed = soak.wait(lambda: all(len(rs) == 1 and rs[0]["status"] == "sent"
                                    for rs in briefings().values()), max(0, until_slot) + 150)
    table.add("briefings owed", len(SUBSCRIBERS), briefed,
              "one briefing row per subscriber, sent: " + ", ".join(
                  f"{c}: {[r['status'] for r in rs]}" for c, rs in briefings().items()))

    def settled() -> bool:
        rows = db.outbox()
        return bool(rows) and db.unannounced() == 0 and all(
            r["status"] == "sent" or (r["status"] == "dropped"
                                      and r["last_error"] == "document forgotten")
            for r in rows)

    delivered = soak.wait(settled, 180)
    rows = db.outbox()
    statuses = Counter(r["status"] for r in rows)
    pushes = [r for r in rows if r["kind"] != BRIEFING]
    table.add("pushes owed", len(pushes), delivered,
              f"outbox {dict(statuses)}; documents not yet announced {db.unannounced()}")

    # Exactly once: a subscriber's messages are the parts of its sent rows, each text once.
    problems = []
    for chat in SUBSCRIBERS:
        owed = sum(r["parts_sent"] for r in rows if r["chat_id"] == chat and r["status"] == "sent")
        got = soak.sent_texts(chat) + [f"photo {p['message_id']}"
                                       for p in soak.botapi.photos(chat)]
        twice = [t[:40] for t, n in Counter(got).items() if n > 1]
        if len(got) != owed or twice:
            problems.append(f"{chat}: {len(got)} messages for {owed} parts, twice: {twice}")
    parts = sum(r["parts_sent"] for r in rows if r["chat_id"] in SUBSCRIBERS)
    table.add("exactly once, no part resent", parts, not problems,
              "; ".join(problems) or f"{len(SUBSCRIBERS)} chats: messages == parts recorded, "
              "none twice")

    # No document lost or forgotten while its file exists; the worker did all the model work.
    names = [n for n in soak.docs.good if (soak.seeds / n).exists()]
    present = soak.wait(lambda: set(names) <= set(db.documents()), 60)
    lost = sorted(set(names) - set(db.documents()))
    table.add("documents kept while their files exist", len(names), present,
              f"lost: {lost or 'none'}; stored documents {len(db.documents())}")
    summarised = soak.wait(lambda: all(d["summary"] for d in db.documents().values()), 180)
    missing = [k for k, d in db.documents().items() if not d["summary"]]
    lease = WorkerLease.beside(soak.db_path).holder()
    table.add("worker alive", 1, summarised and lease == bot.pid and bot.pid is not None,
              f"lease held by the running bot: {lease == bot.pid} (pid {bot.pid}); documents "
              f"without a summary: {missing or 'none'}")
    table.add("bot never died by itself", len(bot.runs), not bot.deaths,
              f"{len(bot.runs)} runs, {bot.kills} killed by the soak; "
              + ("; ".join(bot.deaths) or "no other ending"))

    rss_check(soak)

    # doctor, with the bot still running; and no secret in any log or output.
    doctor = subprocess.run([sys.executable, "-m", "bot", "doctor", "--no-smoke"],
                            cwd=soak.work, env=soak.env, capture_output=True, text=True,
                            timeout=300)
    shown = doctor.stdout + doctor.stderr
    secret_shown = TOKEN in shown or LLM_PASSWORD in shown
    fails = [line for line in shown.splitlines() if line.startswith("FAIL")]
    table.add("`briefbot doctor`", 1, doctor.returncode == 0 and not secret_shown,
              f"exit {doctor.returncode}; secret shown: {secret_shown}; "
              + (shown.strip().splitlines() or [""])[-1] + (f"; {fails}" if fails else ""))
    started = time.monotonic()
    status = bot.stop()
    logs = bot.log_text()
    leaked = [s for s in (TOKEN, TOKEN.split(":")[1], LLM_PASSWORD) if s in logs]
    table.add("secrets in the bot's logs", len(bot.runs), not leaked,
              f"{len(logs.splitlines())} log lines; secrets found: {len(leaked)}")
    table.add("clean stop (SIGTERM)", 1, status == 0,
              f"exit {status} after {time.monotonic() - started:.1f} s")


def rss_check(soak) -> None:
    samples = soak.bot.rss
    if not samples:
        soak.table.add("RSS bounded", 0, False, "no samples")
        return
    runs = sorted({run for run, _, _ in samples})
    peaks = {r: max(mb for run, _, mb in samples if run == r) for r in runs}
    firsts = {r: next(mb for run, _, mb in samples if run == r) for r in runs}
    peak = max(peaks.values())
    soak.table.add("RSS bounded", len(samples), peak < RSS_LIMIT_MB,
                   f"peak {peak:.0f} MB (limit {RSS_LIMIT_MB}); per run first -> peak: "
                   + ", ".join(f"{firsts[r]:.0f}->{peaks[r]:.0f}" for r in runs))
