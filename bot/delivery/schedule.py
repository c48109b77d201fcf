"""Which morning briefings are due: pure functions of the subscriptions and a clock.

The scheduler only ticks; at every tick (and at start-up) this decides, from the database
rows alone, which chat's briefing slot has passed without a briefing. Nothing here reads the
clock or the database itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from bot.config import parse_hhmm
from bot.store.rows import Subscription


@dataclass(frozen=True)
class Slot:
    """One chat's briefing moment: its local day and the instant it fell due."""

    chat_id: int
    day: date
    at: datetime
    late: timedelta


def chat_time(subscription: Subscription, default: time) -> time:
    """The chat's own `/time`, or the default when it has none (or an unusable one)."""
    value = subscription.briefing_time
    if not value:
        return default
    try:
        return parse_hhmm(value)
    except ValueError:
        return default


def latest_slot(now: datetime, at: time, tz: tzinfo) -> datetime:
    """The most recent moment at or before `now` when the local clock in `tz` showed `at`."""
    today = now.astimezone(tz).date()
    slot = datetime.combine(today, at, tzinfo=tz)
    if slot > now:
        slot = datetime.combine(today - timedelta(days=1), at, tzinfo=tz)
    return slot


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def due_briefings(subscriptions: list[Subscription], now: datetime, *, default: time, tz: tzinfo,
                  grace: timedelta) -> tuple[list[Slot], list[Slot]]:
    """(due, stale): slots that passed with no briefing for that local day, split by whether
    they are at most `grace` late. A chat that subscribed after its latest slot waits for the
    next one, so subscribing never triggers an immediate back-dated briefing."""
    due: list[Slot] = []
    stale: list[Slot] = []
    for sub in subscriptions:
        if not sub.active:
            continue
        slot = latest_slot(now, chat_time(sub, default), tz)
        day = slot.astimezone(tz).date()
        if (sub.last_briefed_on or "") >= day.isoformat():
            continue
        subscribed = _instant(sub.subscribed_at)
        if subscribed is not None and subscribed > slot:
            continue
        item = Slot(chat_id=sub.chat_id, day=day, at=slot, late=now - slot)
        (due if item.late <= grace else stale).append(item)
    return due, stale
