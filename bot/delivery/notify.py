"""What to tell whom, written to the outbox: new-document pushes for subscribers, quarantine
notes for admins, and briefings. Everything due is computed from the database, so the same
call after a crash or restart queues exactly what is still owed. Blocking (Kiwi, the model,
SQLite): call from a worker thread."""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot import texts
from bot.briefing import summarize, summary_key
from bot.delivery.digest import Digest, compose_briefing, compose_push
from bot.delivery.schedule import due_briefings
from bot.delivery.screen import screen_id
from bot.delivery.topics import Topics, on_topics, topics_of
from bot.korean import Korean
from bot.llm import LLM, LLMError
from bot.store import Quarantine, Store, Subscription
from bot.types import (
    BRIEFING,
    MANUAL_BRIEFING,
    PUSH,
    QUARANTINE,
    Document,
    changes_payload,
    screen_payload,
)

log = logging.getLogger(__name__)

BASELINE_META = "announce_baseline"


def allowed(chat_id: int, allowlist: Collection[int]) -> bool:
    """ALLOWED_CHAT_IDS: an empty list allows every chat. Applied to every recipient when a
    message is queued and again when it is sent, so a chat that subscribed while the list was
    empty hears nothing once it is left off the list."""
    return not allowlist or chat_id in allowlist


def ensure_baseline(store: Store) -> int | None:
    """The first time deliveries start on a database, what it already holds is the starting
    point, not news: mark it announced without sending. Returns how many, or None if done before."""
    if store.get_meta(BASELINE_META):
        return None
    count = store.mark_all_announced()
    store.set_meta(BASELINE_META, datetime.now(UTC).isoformat(timespec="seconds"))
    log.info("delivery baseline: %d existing document(s)/quarantined file(s) will not be pushed",
             count)
    return count


def summarize_new(store: Store, llm: LLM, docs: list[Document]) -> list[str]:
    """Summaries for the documents about to be announced (only those, so a model change does not
    hold a push behind re-summarising the whole corpus). A model failure leaves the push to use
    the article's lead."""
    key = summary_key(llm)
    needed = set(store.docs_needing_summary(key))
    done = []
    for doc in docs:
        if doc.id not in needed:
            continue
        try:
            store.set_summary(doc.id, summarize(doc, llm), key)
        except LLMError as exc:
            log.warning("could not summarise %s for its push (%s); sending the article's lead",
                        doc.id, exc)
            continue
        done.append(doc.id)
    return done


def batch_id(subjects: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(subjects)).encode()).hexdigest()[:16]


def quarantine_text(files: list[Quarantine]) -> str:
    return "\n".join(texts.QUARANTINE_LINE.format(name=f.name, reason=f.reason)
                     for f in files)


@dataclass(frozen=True)
class Announcement:
    documents: tuple[str, ...] = ()
    quarantined: tuple[str, ...] = ()
    queued: int = 0


def announce(store: Store, *, admin_ids: list[int], allowlist: Collection[int] = (),
             korean: Korean | None = None) -> Announcement:
    """Queue one push per subscribed chat for every document not yet announced on its topics
    (all of them in one message, laid out for one screen), and one note per admin for newly
    quarantined files; record them as announced in the same transaction. Keys:
    push:<chat>:<batch>, quarantine:<admin>:<batch>, where the batch names the exact document
    contents / file versions. `korean` lets a followed keyword use the search."""
    docs = store.unannounced_documents()
    files = store.unannounced_quarantines()
    if not docs and not files:
        return Announcement()
    messages: list[tuple[str, int, str, str]] = []
    subjects: list[str] = []
    screens = []
    if docs:
        doc_subjects = [store.document_subject(d) for d in docs]
        batch = batch_id(doc_subjects)
        for sub in store.active_subscriptions():
            if not allowed(sub.chat_id, allowlist):
                continue
            chat_docs = on_topics(store, korean, topics_of(store, sub.chat_id), docs)
            if not chat_docs:
                continue  # nothing on its topics: the next briefing counts what it left out
            key = f"push:{sub.chat_id}:{batch}"
            push = compose_push(chat_docs, len(docs) - len(chat_docs))
            messages.append((key, sub.chat_id, PUSH, screen_payload(screen_id(key), push.text)))
            screens.append((screen_id(key), sub.chat_id, push.pages))
        subjects += doc_subjects
    if files:
        file_subjects = [f.subject for f in files]
        batch, text = batch_id(file_subjects), quarantine_text(files)
        messages += [(f"quarantine:{admin}:{batch}", admin, QUARANTINE, text)
                     for admin in dict.fromkeys(admin_ids) if allowed(admin, allowlist)]
        subjects += file_subjects
    queued = store.enqueue_announcement(messages, subjects, screens)
    log.info("announced %d document(s) and %d quarantined file(s): %d message(s) queued",
             len(docs), len(files), queued)
    return Announcement(tuple(d.id for d in docs), tuple(f.name for f in files), queued)


def _watermark() -> str:
    # Compared with documents.ingested_at (wall clock, whole seconds). One second early, so a
    # document stored in the same second as the briefing is repeated rather than never briefed.
    moment = datetime.now(UTC) - timedelta(seconds=1)
    return moment.isoformat(timespec="seconds")


@dataclass(frozen=True)
class BriefingRound:
    queued: tuple[int, ...] = ()   # chat ids whose briefing was queued now
    skipped: tuple[int, ...] = ()  # chat ids whose missed briefing was too late to send


def _compose_for_chats(store: Store, korean: Korean, subs: list[Subscription], today: date,
                       key_suffix: str, kind: str, record_day: bool) -> list[int]:
    digests: dict[tuple[str | None, Topics], Digest] = {}
    queued = []
    watermark = _watermark()  # before composing: a document stored meanwhile is briefed next time
    for sub in subs:
        since = sub.last_briefed_at or sub.subscribed_at
        topics = topics_of(store, sub.chat_id)
        if (since, topics) not in digests:
            digests[since, topics] = compose_briefing(store, korean, since=since, today=today,
                                                      topics=topics)
        digest = digests[since, topics]
        key = f"brief:{sub.chat_id}:{today.isoformat()}{key_suffix}"
        day = today.isoformat() if record_day else None
        sid = screen_id(key)
        if store.enqueue_briefing(key, sub.chat_id, kind, screen_payload(sid, digest.text),
                                  briefed_at=watermark, day=day,
                                  screen=[(sid, sub.chat_id, digest.pages)]):
            queued.append(sub.chat_id)
            # The picture of what changed follows when positions changed since the chat's
            # last briefing: only those propositions, sized for a phone.
            if since and digest.changed:
                store.enqueue_briefing(f"{key}:map", sub.chat_id, kind,
                                       changes_payload(digest.changed),
                                       briefed_at=watermark, day=day)
    return queued


def enqueue_due_briefings(store: Store, korean: Korean, *, now: datetime, default_time: time,
                          tz: tzinfo, grace: timedelta,
                          allowlist: Collection[int] = ()) -> BriefingRound:
    """Queue every briefing whose slot has passed (key brief:<chat>:<local date>); a slot more
    than `grace` late is recorded as skipped instead, with a log line, never sent."""
    subs = {s.chat_id: s for s in store.active_subscriptions() if allowed(s.chat_id, allowlist)}
    due, stale = due_briefings(list(subs.values()), now, default=default_time, tz=tz, grace=grace)
    missed: dict[datetime, list[int]] = {}
    for slot in stale:
        store.set_last_briefed(slot.chat_id, slot.day.isoformat())
        missed.setdefault(slot.at, []).append(slot.chat_id)
    for at, chats in missed.items():  # one line per missed moment, however many chats
        log.warning("skipped the briefing due at %s for chat(s) %s: %s late, more than "
                    "BRIEFING_GRACE_HOURS=%g", at.isoformat(timespec="minutes"),
                    ", ".join(map(str, chats)), str(now - at).split(".")[0],
                    grace.total_seconds() / 3600)
    queued: list[int] = []
    by_day: dict[date, list[Subscription]] = {}
    for slot in due:
        by_day.setdefault(slot.day, []).append(subs[slot.chat_id])
    for day, day_subs in by_day.items():
        queued += _compose_for_chats(store, korean, day_subs, day, "", BRIEFING, True)
    if queued:
        log.info("queued the morning briefing for %d chat(s)", len(queued))
    return BriefingRound(tuple(queued), tuple(s.chat_id for s in stale))


def enqueue_briefings_now(store: Store, korean: Korean, *, now: datetime, tz: tzinfo,
                          allowlist: Collection[int] = ()) -> BriefingRound:
    """The operator's manual briefing for every subscribed chat (key
    brief:<chat>:<local date>:manual): at most one per chat and day, and it does not stand in
    for the scheduled one."""
    today = now.astimezone(tz).date()
    subs = [s for s in store.active_subscriptions() if allowed(s.chat_id, allowlist)]
    queued = _compose_for_chats(store, korean, subs, today, ":manual", MANUAL_BRIEFING, False)
    return BriefingRound(tuple(queued))
