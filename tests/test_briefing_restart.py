"""A one-screen briefing across a real `kill -9`: the briefing is one outbox row sent once, a
tap edits that message, and after the restart a tap on the same message still opens its pages
(they are stored, not remembered) while nothing is sent again."""
from __future__ import annotations

import signal
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from bot.delivery import notify
from tests.botapi_fixture import botapi  # noqa: F401 - the fixture
from tests.delivery_support import make_services, subscribe
from tests.test_briefing_screen import ALICE, buttons, day_of_documents, new_positions
from tests.test_delivery_restart import start_runner


@pytest.mark.processes
def test_a_briefing_and_its_buttons_survive_kill_9_without_sending_twice(
        tmp_path, korean, botapi):  # noqa: F811
    services = make_services(tmp_path, korean, botapi)
    store = services.store
    new_positions(store, day_of_documents(store))
    subscribe(store, ALICE)
    notify.ensure_baseline(store)  # the day's documents are the briefing's, not a push's
    today = datetime.now(ZoneInfo("Asia/Seoul")).date().isoformat()
    store.db.execute("update subscriptions set last_briefed_on = ?", [today])
    notify.enqueue_briefings_now(store, korean, now=datetime.now(UTC),
                                 tz=ZoneInfo("Asia/Seoul"))
    logs = [tmp_path / "run-1.log", tmp_path / "run-2.log"]
    process = start_runner(services, botapi, logs[0])

    def briefing():
        return [m for m in botapi.sent(ALICE) if m["message_id"] == 1]

    def edits(count: int):
        return lambda: [m for m in briefing() if m["edits"] >= count]

    try:
        [brief] = botapi.wait_for(briefing, timeout=90)
        assert brief["text"].startswith("🗞")
        # Killed only once the send is recorded: a kill between Telegram's answer and the
        # record is the outbox's one known gap (docs/DESIGN.md), not what this test is about.
        botapi.wait_for(lambda: store.outbox_rows()[0].status == "sent", timeout=90)
        more = next(label for label in buttons(brief)
                    if label.startswith(texts.SCREEN_MORE_BUTTON))
        botapi.add_update_callback_query(ALICE, brief["message_id"], buttons(brief)[more])
        [paged] = botapi.wait_for(edits(1), timeout=90)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL

        process = start_runner(services, botapi, logs[1])
        botapi.add_update_callback_query(ALICE, brief["message_id"],
                                         buttons(paged)[texts.SCREEN_TOP_BUTTON])
        [back] = botapi.wait_for(lambda: [m for m in briefing() if m["text"] == brief["text"]
                                          and m["edits"] >= 2], timeout=90)
        botapi.wait_for(lambda: all(r.status == "sent" for r in store.outbox_rows()),
                        timeout=90)
        rows = {r.key: r.status for r in store.outbox_rows()}
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    except BaseException:
        process.kill()
        for log in logs:
            if log.exists():
                sys.stderr.write(f"--- {log.name}\n{log.read_text(errors='replace')[-6000:]}\n")
        raise
    finally:
        services.close()
    assert len(botapi.sent(ALICE)) == 1, botapi.sent(ALICE)[1:]  # every tap edited the one
    assert back["message_id"] == brief["message_id"]
    assert rows == {f"brief:{ALICE}:{today}:manual": "sent",
                    f"brief:{ALICE}:{today}:manual:map": "sent"}  # and the map's picture
    assert len(botapi.photos(ALICE)) == 1
    assert "Traceback" not in logs[1].read_text()
