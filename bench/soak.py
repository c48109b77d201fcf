"""The soak test (`make soak`, not part of `make test`): the real `briefbot run` process against
the fake Bot API (tests/botapi.py) and a fake OpenAI-compatible model (tests/fake_openai.py), all
on 127.0.0.1, for a few minutes, while the script injects what issue 28 lists:

  a stream of documents with hostile files among them, a disk that fills and frees (a tmpfs for
  the database), the folder emptied as by an unmount and filled again, `kill -9` of the bot at
  random points and in the middle of a long message, a second `briefbot ingest` beside it, and
  chats that flood.

Then it checks, each as a condition waited on with a deadline: every owed push and briefing
delivered exactly once, no message part sent twice, no document lost or forgotten while its file
exists, the worker alive, RSS bounded, `briefbot doctor` clean and showing no secret. It prints
a table of what it injected and what held, and exits 1 if anything did not hold.

    python bench/soak.py [--seed N] [--keep]
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/ holds the fake Bot API, the fake model and the articles

from soak_rig import Bot, Database, Documents, SmallDisk, Table  # noqa: E402

from bot import texts  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.worker import WorkerLease  # noqa: E402
from tests.cli_process import cli_env  # noqa: E402
from tests.conftest import TOKEN  # noqa: E402
from tests.delivery_support import HoldingBotAPI, subscribe  # noqa: E402
from tests.fake_openai import fake_openai  # noqa: E402

SUBSCRIBERS = (501, 502, 503, 504, -100500)  # -100500: a group, 20 messages a minute
ADMIN = 501  # told about quarantined files
LONG_CHAT, LONG_PARTS, LONG_HELD_AFTER = 650, 9, 4  # a subscriber too: the outbox owes it
FLOOD_GROUP, FLOOD_CHATS, HELP_CHAT = -100777, (601, 602, 603, 604), 699
LLM_PASSWORD = "soak-pass-9f3b2c"  # credentials in LLM_BASE_URL: must never be shown
FORGET_AFTER_HOURS = 0.005  # 18 s
GOOD_DOCS, BASELINE_DOCS = 18, 4
PLACEHOLDERS = {texts.TG_PLACEHOLDER}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=None, help="Replay a run (printed at start).")
    parser.add_argument("--keep", action="store_true", help="Keep the work folder and logs.")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    print(f"soak: seed {seed} (replay with --seed {seed})", flush=True)
    work = Path(tempfile.mkdtemp(prefix="briefbot-soak-"))
    disk = SmallDisk(work / "data", size_mb=48)
    table = Table()
    try:
        with HoldingBotAPI() as botapi, fake_openai() as model:
            Soak(work, disk, botapi, model, random.Random(seed), table).run()
    except Exception as exc:  # noqa: BLE001 - the table still says what held until then
        table.add("soak itself", 1, False, f"stopped early: {type(exc).__name__}: {exc}")
    finally:
        disk.unmount()
    table.print()
    keep = args.keep or table.failed
    print(f"\nseed {seed}; work folder {work}" + (" (kept)" if keep else " (removed)"))
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    if table.failed:
        print("soak: did NOT hold: " + ", ".join(table.failed))
        return 1
    print("soak: everything held")
    return 0


class Soak:
    def __init__(self, work: Path, disk: SmallDisk, botapi: HoldingBotAPI, model, rng, table):
        self.work, self.disk, self.botapi, self.rng, self.table = work, disk, botapi, rng, table
        self.seeds = work / "seeds"
        self.seeds.mkdir()
        (work / "logs").mkdir()
        (work / "outside").mkdir()
        slot = datetime.now(UTC) + timedelta(seconds=170)  # the morning briefing, mid-soak
        slot = (slot + timedelta(minutes=1)).replace(second=0, microsecond=0)
        self.slot = slot
        port = model.server_address[1]
        allowed = [*SUBSCRIBERS, LONG_CHAT, FLOOD_GROUP, *FLOOD_CHATS, HELP_CHAT]
        self.env = cli_env(
            work, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=botapi.base_url,
            LLM_BACKEND="openai", LLM_BASE_URL=f"http://llmuser:{LLM_PASSWORD}@127.0.0.1:{port}/v1",
            FORGET_AFTER_HOURS=str(FORGET_AFTER_HOURS), BRIEFING_TZ="UTC",
            BRIEFING_TIME=slot.strftime("%H:%M"), ADMIN_IDS=str(ADMIN),
            ALLOWED_CHAT_IDS=",".join(map(str, allowed)))
        self.db_path = Path(self.env["BRIEFBOT_DB"])
        self.db = Database(self.db_path)
        self.docs = Documents(self.seeds, rng)
        self.bot = Bot(work, self.env, work / "logs")
        self.hostile: list[str] = []
        self.subscribers, self.secrets = (*SUBSCRIBERS, LONG_CHAT), (TOKEN, LLM_PASSWORD)

    # --- helpers ------------------------------------------------------------------------------
    def wait(self, condition, timeout: float) -> bool:
        """Poll `condition` until true or the deadline; a bot that died is restarted meanwhile."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.bot.watch()
            if condition():
                return True
            time.sleep(0.2)
        return bool(condition())

    def restart_after_kill(self) -> bool:
        self.bot.kill9()
        self.bot.start()
        return self.wait(self.bot.ready, 90)

    def sent_texts(self, chat: int) -> list[str]:
        return [m["text"] for m in self.botapi.sent(chat)]

    def parts_of_long(self) -> list[str]:
        return [t[:5] for t in self.sent_texts(LONG_CHAT) if t.startswith("부분 ")]

    # --- the run ------------------------------------------------------------------------------
    def run(self) -> None:
        print(f"soak: disk {'tmpfs' if self.disk.mounted else 'not mounted'}, briefing at "
              f"{self.slot:%H:%M} UTC, work folder {self.work}", flush=True)
        long_ago = time.time() - 600  # settled before the first start: the baseline
        for _ in range(BASELINE_DOCS):
            os.utime(self.seeds / self.docs.add_good("base"), (long_ago, long_ago))
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        store = Store(self.db_path)
        subscribe(store, *self.subscribers)
        store.close()
        self.botapi.limit_rate(-100500, 20, 60)
        self.bot.start()
        if not self.wait(self.bot.ready, 120):
            raise RuntimeError("the bot did not start:\n" + self.bot.log_text()[-3000:])
        self.stream()
        self.second_ingest()
        self.flood()
        self.disk_full()
        self.kill_mid_message()
        self.unmount()
        self.finish()

    def stream(self) -> None:
        """Good articles one every second or two, hostile files among them, two kill -9s."""
        hostile = self.docs.hostile_kinds(self.work / "outside", TOKEN)
        kill_at = set(self.rng.sample(range(2, GOOD_DOCS - 2), 2))
        print(f"soak: stream of {GOOD_DOCS} articles and {len(hostile)} hostile files, "
              f"kill -9 after articles {sorted(kill_at)}", flush=True)
        restarted = True
        for n in range(GOOD_DOCS):
            self.docs.add_good()
            if hostile and self.rng.random() < 0.6:
                self.hostile.append(hostile.pop()())
            if n in kill_at:
                time.sleep(self.rng.uniform(0, 3))  # a random point in the bot's work
                restarted &= self.restart_after_kill()
            time.sleep(self.rng.uniform(0.5, 2.0))
        while hostile:
            self.hostile.append(hostile.pop()())
        names = set(self.docs.good)
        ingested = self.wait(lambda: names <= set(self.db.documents()), 120)
        docs = self.db.documents()
        leaked = TOKEN in self.db.dump()
        hostile_docs = [d for d in docs if d.startswith(("leak", "pipe", "dir", "evil", "huge",
                                                           "noise", "empty"))]
        self.table.add("document stream (articles)", len(self.docs.good), ingested,
                       f"{len(names & set(docs))} of {len(names)} articles indexed")
        self.table.add("hostile files", len(self.hostile),
                       ingested and not leaked and not hostile_docs,
                       "; ".join(self.hostile) + f" -> token indexed: {leaked}, hostile files "
                       f"stored as documents: {hostile_docs or 'none'}")
        self.table.add("kill -9 at random points", len(kill_at), restarted,
                       "bot restarted and ready after each")

    def second_ingest(self) -> None:
        held = self.wait(lambda: WorkerLease.beside(self.db_path).holder() == self.bot.pid, 60)
        result = subprocess.run([sys.executable, "-m", "bot", "ingest"], cwd=self.work,
                                env=self.env, capture_output=True, text=True, timeout=300)
        ok = held and result.returncode == 0 and "serves this database" in result.stdout
        self.table.add("second `briefbot ingest` beside the bot", 1, ok,
                       f"exit {result.returncode}; "
                       + (result.stdout.strip().splitlines() or [""])[-1][:110])

    def flood(self) -> None:
        """A group floods commands (rate-limited like Telegram), private chats ask at once."""
        self.botapi.limit_rate(FLOOD_GROUP, 20, 60)
        commands = ("/help", "/sources", "/search 반도체", "/brief", "/summary")
        for n in range(40):
            self.botapi.add_update_message(FLOOD_GROUP, commands[n % len(commands)],
                                           chat_type="supergroup", user_id=7_000 + n)
        for chat in FLOOD_CHATS:
            for _ in range(4):
                self.botapi.add_update_message(chat, "반도체 정책은 어떻게 바뀌었나?")
        asked = time.monotonic()
        answered = self.wait(lambda: all(
            any(t not in PLACEHOLDERS and not t.endswith(" …") for t in self.sent_texts(c))
            for c in FLOOD_CHATS), 120)
        group = self.wait(lambda: len(self.sent_texts(FLOOD_GROUP)) >= 1, 60)
        self.botapi.add_update_message(HELP_CHAT, "/help")
        helped = self.wait(lambda: self.sent_texts(HELP_CHAT), 30)
        self.table.add("chats that flood", 40 + 4 * len(FLOOD_CHATS), answered and group and helped,
                       f"{len(FLOOD_CHATS)} private chats answered: {answered} "
                       f"({time.monotonic() - asked:.0f} s); group replies "
                       f"{len(self.sent_texts(FLOOD_GROUP))} for 40 commands; /help after: "
                       f"{bool(helped)}")

    def disk_full(self) -> None:
        if not self.disk.mounted:
            self.table.add("disk fills and frees", 0, True,
                           f"NOT RUN: no tmpfs here ({self.disk.why_not[:80]})")
            return
        filled = self.disk.fill()
        runs_before = len(self.bot.runs)
        names = [self.docs.add_good("full") for _ in range(3)]
        noticed = self.wait(lambda: any(s in self.bot.log_text() for s in (
            "database or disk is full", "No space left", "disk I/O error")), 60)
        self.disk.free()
        back = self.wait(lambda: set(names) <= set(self.db.documents()), 90)
        self.table.add("disk fills and frees", 1, noticed and back and not self.bot.deaths,
                       f"{filled >> 20} MB ballast on a 48 MB tmpfs; bot noticed: {noticed}; "
                       f"3 articles written while full indexed after: {back}; restarts "
                       f"{len(self.bot.runs) - runs_before}")

    def kill_mid_message(self) -> None:
        paragraphs = [f"부분 {i:02d} " + "인공지능 정책 자료 요약 " * 230
                      for i in range(1, LONG_PARTS + 1)]
        self.botapi.hold(LONG_CHAT, after=len(self.sent_texts(LONG_CHAT)) + LONG_HELD_AFTER)
        store = Store(self.db_path)
        store.enqueue(f"brief:{LONG_CHAT}:soak", LONG_CHAT, "briefing", "\n\n".join(paragraphs))
        store.close()
        held = self.wait(self.botapi.held_calls, 90)
        self.bot.kill9()
        before = len(self.parts_of_long())
        self.botapi.release()
        self.bot.start()
        done = self.wait(lambda: [r["status"] for r in self.db.outbox()
                                  if r["key"] == f"brief:{LONG_CHAT}:soak"] == ["sent"], 120)
        heads = self.parts_of_long()
        ok = held and done and heads == [f"부분 {i:02d}" for i in range(1, LONG_PARTS + 1)]
        self.table.add("kill -9 mid long message", 1, ok,
                       f"{before} of {LONG_PARTS} parts before the kill, {len(heads)} after; "
                       f"in order, none twice: {ok}")

    def unmount(self) -> None:
        """Every file moved away (an unmounted share) for longer than FORGET_AFTER_HOURS, then
        back; then one file deleted for good, which is forgotten."""
        stash = self.work / "stash"
        stash.mkdir()
        files = [p for p in self.seeds.iterdir()]
        before = set(self.db.documents())
        for path in files:
            path.rename(stash / path.name)
        gone_at = time.monotonic()
        warned = self.wait(lambda: "is it unmounted" in self.bot.log_text()
                           or "unmounted?" in self.bot.log_text(), 60)
        waited = self.wait(lambda: time.monotonic() - gone_at > FORGET_AFTER_HOURS * 3600 + 12,
                           60)
        kept_while_gone = before <= set(self.db.documents())
        for path in files:
            (stash / path.name).rename(path)
        kept = self.wait(lambda: before <= set(self.db.documents()), 5) and kept_while_gone
        victim = self.docs.good.pop(0)
        (self.seeds / victim).unlink()
        forgotten = self.wait(lambda: victim not in self.db.documents(), 90)
        self.table.add("folder unmounted and remounted", len(files),
                       warned and waited and kept and forgotten,
                       f"empty for {time.monotonic() - gone_at:.0f} s (forget after "
                       f"{FORGET_AFTER_HOURS * 3600:.0f} s): warned {warned}, all "
                       f"{len(before)} kept: {kept}; a file deleted for good forgotten: "
                       f"{forgotten}")

    def finish(self) -> None:
        from soak_checks import final_checks
        final_checks(self)


if __name__ == "__main__":
    sys.exit(main())
