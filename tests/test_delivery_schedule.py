"""Which briefings are due: bot.delivery.schedule is pure, so these need no bot, clock or database."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.delivery.schedule import due_briefings, latest_slot
from bot.store import Subscription

SEOUL = ZoneInfo("Asia/Seoul")
GRACE = timedelta(hours=3)
EIGHT = time(8, 0)
LONG_AGO = "2020-01-01T00:00:00+00:00"


def sub(chat_id: int, **fields) -> Subscription:
    return Subscription(**{"chat_id": chat_id, "active": 1, "chat_type": "private", "title": "",
                           "briefing_time": None, "last_briefed_on": None,
                           "subscribed_at": LONG_AGO, "deactivated_reason": None,
                           "last_briefed_at": None} | fields)


def due(subs, now):
    found, stale = due_briefings(subs, now, default=EIGHT, tz=SEOUL, grace=GRACE)
    return [s.chat_id for s in found], [s.chat_id for s in stale]


def seoul(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 6, day, hour, minute, tzinfo=SEOUL)


def test_latest_slot_is_in_the_configured_zone():
    now = datetime(2025, 6, 1, 23, 30, tzinfo=UTC)  # 08:30 on 2 June in Seoul
    assert latest_slot(now, EIGHT, SEOUL) == seoul(2, 8)
    assert latest_slot(now, time(9, 0), SEOUL) == seoul(1, 9)  # today's 09:00 is ahead


def test_due_once_per_local_day_and_only_after_the_time():
    assert due([sub(1)], seoul(2, 7, 59)) == ([], [1])  # yesterday's slot, 23:59 late
    assert due([sub(1, last_briefed_on="2025-06-01")], seoul(2, 7, 59)) == ([], [])
    assert due([sub(1, last_briefed_on="2025-06-01")], seoul(2, 8, 0)) == ([1], [])
    assert due([sub(1, last_briefed_on="2025-06-02")], seoul(2, 9, 0)) == ([], [])
    assert due([sub(1, active=0)], seoul(2, 9, 0)) == ([], [])


def test_each_chat_has_its_own_time():
    subs = [sub(1, briefing_time="07:30"), sub(2), sub(3, briefing_time="09:15"),
            sub(4, briefing_time="bogus")]
    found, _ = due(subs, seoul(2, 8, 5))
    assert found == [1, 2, 4]  # an unusable stored time falls back to the default


def test_grace_window_splits_due_from_stale():
    subs = [sub(1, last_briefed_on="2025-06-01")]
    assert due(subs, seoul(2, 10, 59)) == ([1], [])
    assert due(subs, seoul(2, 11, 1)) == ([], [1])
    slot = due_briefings(subs, seoul(2, 11, 1), default=EIGHT, tz=SEOUL, grace=GRACE)[1][0]
    assert (slot.day.isoformat(), slot.late) == ("2025-06-02", timedelta(hours=3, minutes=1))


def test_subscribing_after_the_slot_waits_for_the_next_one():
    joined = seoul(2, 8, 30).astimezone(UTC).isoformat()
    assert due([sub(1, subscribed_at=joined)], seoul(2, 9, 0)) == ([], [])
    assert due([sub(1, subscribed_at=joined)], seoul(3, 8, 0)) == ([1], [])


def test_a_daylight_saving_zone_keeps_wall_clock_time():
    new_york = ZoneInfo("America/New_York")
    after_change = datetime(2025, 3, 10, 8, 5, tzinfo=new_york)  # the day after clocks sprang on
    slot = latest_slot(after_change, EIGHT, new_york)
    assert (slot.hour, slot.utcoffset()) == (8, timedelta(hours=-4))
