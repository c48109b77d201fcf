"""The chats load test as benchmark figures: tests/load_scenario.py run against the fake Bot
API with the bench's services (its database, Kiwi and model, writing short answers)."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from pydantic import SecretStr
from report import Figure, info, lower_is_better

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/ holds the fake Bot API and the scenario

from bot.services import Services  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.botapi import BotAPIServer  # noqa: E402
from tests.load_scenario import ShortAnswers, run_load, summary  # noqa: E402

TOKEN = "123456:LOAD-token_abcdefghijklmnopqrstuvwxyz"  # any well-formed token will do


def measure_load(services: Services, waves: int = 2) -> tuple[list[Figure], dict]:
    with BotAPIServer() as botapi:
        settings = services.settings.model_copy(update={
            "TELEGRAM_BOT_TOKEN": SecretStr(TOKEN), "TELEGRAM_API_BASE_URL": botapi.base_url,
            "ALLOWED_CHAT_IDS": [], "ADMIN_IDS": []})
        loaded = Services(settings=settings, store=Store(settings.BRIEFBOT_DB),
                          korean=services.korean, llm=ShortAnswers(services.llm))
        try:
            load = asyncio.run(run_load(botapi, loaded, waves))
        finally:
            loaded.close()
    detail = summary(load)
    replies = (f"answered {detail['answered']}, busy {detail['busy']}, lost {detail['lost']}, "
               f"doubled {detail['doubled']} of {detail['chats_per_wave']} chats per wave")
    figures = [
        lower_is_better("load: /help p95 during 40 questions + a 60-command group flood",
                        detail["help_p95_s"], 1.0, ".2f", "s",
                        note=f"p50 {detail['help_p50_s']:.2f} s over {detail['help_samples']} "
                             f"/help; {replies}; group replies {detail['group_replies']} "
                             f"(notes {detail['group_notes']})"),
        lower_is_better("load: RSS growth after the first wave", detail["rss_growth_mb"], 100,
                        ".0f", "MB",
                        note=f"RSS before {detail['rss_mb_before']} MB, after each wave "
                             f"{detail['rss_mb_after_each_wave']} MB"),
        info("load: chats with exactly one final reply",
             f"{sum(detail['answered']) + sum(detail['busy'])} of "
             f"{detail['waves'] * detail['chats_per_wave']}", replies),
    ]
    return figures, detail
