"""The load test: 40 chats asking at once, a group flooding commands and a private /help
during it, through the real bot, real services and the real small GGUF model (short answers)."""
from __future__ import annotations

import logging

import pytest

from bot.services import Services
from bot.store import Store
from bot.tg.lanes import MAX_PENDING

# The session's one token: the redactor it installs stays on pytest's session-long handlers.
from tests.conftest import TOKEN, copy_db, make_settings
from tests.load_scenario import QUESTION_CHATS, ShortAnswers, percentile, run_load, summary

log = logging.getLogger(__name__)


@pytest.fixture
def load_services(tmp_path, botapi, korean, small_llm, seeded_db_template):
    settings = make_settings(tmp_path, TELEGRAM_API_BASE_URL=botapi.base_url,
                             TELEGRAM_BOT_TOKEN=TOKEN)
    copy_db(seeded_db_template, settings.BRIEFBOT_DB)
    services = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=korean,
                        llm=ShortAnswers(small_llm))
    yield services
    services.close()


async def test_forty_chats_and_a_flooding_group_all_get_one_reply_and_help_stays_fast(
        load_services, botapi):
    load = await run_load(botapi, load_services, waves=2)
    figures = summary(load)
    log.warning("load figures: %s", figures)  # shown when the test fails, and with -rA
    for wave in load.waves:
        assert wave.lost == [] and wave.doubled == []  # exactly one reply each, none unfinished
        assert len(wave.answered) + len(wave.busy) == QUESTION_CHATS
        assert wave.answered  # the model did answer while the line was full
        assert wave.group_notes == 1  # one note for the flood, not one per command
        assert 2 <= wave.group_replies <= 1 + MAX_PENDING + 1
    assert percentile(load.help_seconds, 0.95) < 1.0, figures
    assert load.rss_growth_mb < 100, figures
