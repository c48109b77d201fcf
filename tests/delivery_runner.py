"""Run the real bot process (bot.tg.app.run_bot) for tests/test_delivery_restart.py to kill.

    python -m tests.delivery_runner --db DB --seeds DIR --base-url URL

Builds Services over real SQLite and real Kiwi with the fake model, and runs the Application
exactly as `briefbot run` does, against the given (fake) Bot API, until SIGTERM.
"""
from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli import setup_logging
from bot.config import load_settings
from bot.korean import Korean
from bot.services import Services
from bot.store import Store
from bot.tg.app import run_bot
from tests.conftest import TOKEN
from tests.delivery_support import SUMMARY
from tests.fakes import FakeLLM

BRIEFING_TZ = "Asia/Seoul"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--seeds", type=Path, required=True)
    parser.add_argument("--base-url", required=True)
    args = parser.parse_args()
    setup_logging()
    # The morning briefing twelve hours away: within BRIEFING_GRACE_HOURS of its time (by
    # default 08:00-11:00 in Seoul, 23:00-02:00 UTC) the bot would brief every subscriber as it
    # starts, and the restart tests would count the briefing as a second message.
    away = (datetime.now(ZoneInfo(BRIEFING_TZ)) + timedelta(hours=12)).strftime("%H:%M")
    settings = load_settings(BRIEFBOT_DB=args.db, SEEDS_DIR=args.seeds, TELEGRAM_BOT_TOKEN=TOKEN,
                             TELEGRAM_API_BASE_URL=args.base_url, BRIEFING_TIME=away,
                             BRIEFING_TZ=BRIEFING_TZ)
    services = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=Korean(),
                        llm=FakeLLM(default=SUMMARY))
    try:
        run_bot(services)
    finally:
        services.close()


if __name__ == "__main__":
    main()
