"""The background model worker: all model work on documents happens here, one step at a time.

A step is one document's summary, its positions on the debate map's propositions, its evaluated
prompt prefix, or the shared prefix of questions across documents. A document a push is waiting
for goes first, then the shared prefix, then documents asked about, then the rest newest
document first; and the worker starts a step only when no user's question is running, so a
question waits at most behind the one step in progress, never behind a backlog. A step that
fails is logged with the document's file name, recorded, and retried a few times with a growing
pause; it never stops the other documents.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.answer import AnswerService
from bot.briefing import summarize, summary_key
from bot.debate.service import DebateMap
from bot.llm import LLM, Interrupted
from bot.store import Store
from bot.types import Document
from bot.worker.lease import WorkerLease
from bot.worker.progress import Backlog, ProgressLog

log = logging.getLogger("bot.worker")  # one name for the operator, whatever the module

SUMMARY, POSITIONS, PREFIX, COLLECTION = "summary", "positions", "prefix", "collection"
WARM_DOCUMENTS = 30  # newest documents whose prefix is precomputed when the cache is off
PREFIX_MB = 52  # a document prefix on disk, measured by `make bench` (~1,700 tokens)


def warm_documents(cache_mb: int) -> int:
    """How many of the newest documents get a precomputed prefix: as many as the cache's
    budget holds (20 GB: ~390), so none is evicted by a newer one being warmed."""
    return max(1, cache_mb // PREFIX_MB) if cache_mb > 0 else WARM_DOCUMENTS
MAX_ATTEMPTS = 3
# Documents another process's question met cold (`briefbot ask` exits before any worker runs):
# a JSON list in the store's meta, evaluated with the ones this process's questions met.
ASKED_KEY = "asked_cold"
RETRY_BASE = timedelta(minutes=5)  # then 10, 20 minutes
IDLE_WAIT = 30.0  # seconds between looks at the database when nothing is to do
TROUBLE_WAIT = 60.0  # seconds before trying again after the database refused a write


@dataclass(frozen=True)
class Step:
    kind: str
    doc_id: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def asked_elsewhere(store: Store) -> list[str]:
    """Documents questions in other processes met cold, oldest first."""
    try:
        value = json.loads(store.get_meta(ASKED_KEY) or "[]")
    except ValueError:
        return []
    return [d for d in value if isinstance(d, str)] if isinstance(value, list) else []


def remember_asked(store: Store, doc_ids: list[str]) -> None:
    """Record documents a question met cold in this process, which runs no worker, so the
    next worker on this database (the running bot's, `briefbot ingest`'s) evaluates their
    prefixes first, right after the shared prefix."""
    known = asked_elsewhere(store)
    if new := [d for d in doc_ids if d not in known]:
        store.set_meta(ASKED_KEY, json.dumps(known + new, ensure_ascii=False))


def _drop_asked(store: Store, doc_id: str) -> None:
    known = asked_elsewhere(store)
    if doc_id in known:
        store.set_meta(ASKED_KEY, json.dumps([d for d in known if d != doc_id],
                                             ensure_ascii=False))


class ModelWorker:
    """Runs in one thread of its own (`start`), or synchronously (`drain`, for `ingest`)."""

    def __init__(self, store: Store, answers: AnswerService, llm: LLM, *,
                 warm_limit: int = WARM_DOCUMENTS, clock: Callable[[], datetime] = _now,
                 debate: DebateMap | None = None, trouble_wait: float = TROUBLE_WAIT,
                 lease: WorkerLease | None = None):
        self.store, self.answers, self.llm, self.debate = store, answers, llm, debate
        self.lease = lease or WorkerLease(None)  # held while the thread runs (`start`)
        self.warm_limit, self.clock, self.trouble_wait = warm_limit, clock, trouble_wait
        self.steps_done = 0
        self.steps_failed = 0
        self.steps_interrupted = 0
        # idle / waiting (a question runs) / working / paused (a write failed) / stopped
        self.state = "stopped"
        self._warmed: set[tuple[str, str]] = set()  # (doc id, content hash) ready this process
        self._collection_warmed: str | None = None  # the shared prefix's text, once evaluated
        self._urgent: list[str] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._key: str | None = None
        self._step_lock = threading.Lock()  # one step at a time, whoever runs it
        self._urgent_lock = threading.Lock()
        answers.on_cold = self.wake  # a question met a cold document: warm it next

    # --- what is left -------------------------------------------------------------------------
    @property
    def summary_key(self) -> str:
        if self._key is None:
            self._key = summary_key(self.llm)
        return self._key

    @property
    def caches_prefixes(self) -> bool:
        return self.llm.supports_prefix_cache

    def _retry_blocked(self) -> dict[tuple[str, str], bool]:
        """(doc, step) -> True when it may not run now (pausing, or given up)."""
        now = self.clock().isoformat(timespec="seconds")
        return {(r.doc_id, r.step): r.attempts >= MAX_ATTEMPTS or r.retry_at > now
                for r in self.store.work_failures()}

    def next_step(self) -> Step | None:
        blocked = {k for k, v in self._retry_blocked().items() if v}
        needing = [d for d in self.store.docs_needing_summary(self.summary_key)
                   if (d, SUMMARY) not in blocked]
        needs_summary = set(needing)
        with self._urgent_lock:
            urgent = [d for d in self._urgent if d in needs_summary]
            self._urgent = urgent
        if urgent:
            return Step(SUMMARY, urgent[0])
        # Every cold question starts from the shared prefix: it comes first, and again each
        # time a summary replaces a lead in it (at most its ~10-20 documents, newest first).
        if self.caches_prefixes and self._collection_text() != self._collection_warmed:
            return Step(COLLECTION)
        asked = dict.fromkeys(self.answers.cold_documents() + asked_elsewhere(self.store)
                              if self.caches_prefixes else [])
        for doc_id in asked:
            doc = self.store.document(doc_id)
            if doc is None or (doc.id, doc.content_hash) in self._warmed \
                    or (doc.id, PREFIX) in blocked:
                self._warmed_asked(doc_id)
                continue
            return Step(PREFIX, doc.id)
        positions = [d for d in (self.debate.pending() if self.debate else [])
                     if (d, POSITIONS) not in blocked]
        if positions and self.debate and not self.debate.uses_model:
            # Kiwi's work only, a second or less a document: every document is on the map
            # right after indexing, not after the backlog of summaries.
            return Step(POSITIONS, positions[0])
        needs_positions = set(positions)
        prefixes = self.caches_prefixes
        for doc in self.store.documents(limit=self.warm_limit):
            if doc.id in needs_summary:
                return Step(SUMMARY, doc.id)
            if doc.id in needs_positions:
                return Step(POSITIONS, doc.id)
            if (prefixes and (doc.id, doc.content_hash) not in self._warmed
                    and (doc.id, PREFIX) not in blocked):
                return Step(PREFIX, doc.id)
        if needing:
            return Step(SUMMARY, needing[0])
        return Step(POSITIONS, positions[0]) if positions else None

    def backlog(self) -> Backlog:
        """Cheap enough for /stats: no model call. Prefixes count as done once this process
        has evaluated them or found them in the cache."""
        failures = self._retry_blocked()
        summaries = sum(1 for d in self.store.docs_needing_summary(self.summary_key)
                        if (d, SUMMARY) not in failures)
        prefixes = 0
        if self.caches_prefixes:
            prefixes = sum(1 for d in self.store.documents(limit=self.warm_limit)
                           if (d.id, d.content_hash) not in self._warmed
                           and (d.id, PREFIX) not in failures)
        positions = sum(1 for d in (self.debate.pending() if self.debate else [])
                        if (d, POSITIONS) not in failures)
        return Backlog(summaries, prefixes, sum(1 for v in failures.values() if v), positions)

    def _collection_text(self) -> str:
        text: str = self.answers.collection_prefix()[0]["content"]
        return text

    # --- doing it -------------------------------------------------------------------------------
    def run_step(self, step: Step) -> bool:
        """Run one step now; False when it failed (recorded, retried later)."""
        doc = self.store.document(step.doc_id) if step.doc_id else None
        if step.doc_id and doc is None:
            return True  # removed meanwhile
        started = time.monotonic()
        with self._step_lock:
            try:
                self._run(step, doc)
            except Interrupted:
                self.steps_interrupted += 1
                return True  # a question came in, or shutting down: the step is redone later
            except Exception as exc:  # noqa: BLE001 - one document never stops the others
                self._failed(step, doc, exc)
                return False
        if doc is not None:
            self.store.clear_work_failure(doc.id, step.kind)
        self.steps_done += 1
        log.debug("background %s %s: %.1f s", step.kind, step.doc_id or "",
                  time.monotonic() - started)
        return True

    def _run(self, step: Step, doc: Document | None) -> None:
        if doc is None:  # COLLECTION, the one step without a document
            # Even with no summaries yet, the instructions are what every cold question needs;
            # alone, they are what questions start from while this prefix is being evaluated
            # (~300 tokens, kept on disk: evaluated once per model and prompt).
            shared = self.answers.collection()
            text = self._collection_text()
            if shared:
                self.llm.warm(self.answers.collection_prefix([]), self._interrupt)
            self.llm.warm(self.answers.collection_prefix(shared), self._interrupt)
            self._collection_warmed = text
        elif step.kind == SUMMARY:
            summary = summarize(doc, self.llm, interrupt=self._interrupt)
            self.store.set_summary(doc.id, summary, self.summary_key)
            log.info("summarised %s", doc.id)
        elif step.kind == POSITIONS:
            if self.debate is None:  # next_step plans no such step without a debate map
                raise RuntimeError(f"positions of {doc.id} asked without a debate map")
            found = self.debate.find(doc, interrupt=self._interrupt)
            log.info("found %d debate position(s) in %s", len(found), doc.id)
        elif step.kind == PREFIX:
            for prefix in self.answers.document_prefixes(doc):  # a long one's parts, each
                self.llm.warm(prefix, self._interrupt, doc.id)
            self._warmed.add((doc.id, doc.content_hash))
            self._warmed_asked(doc.id)

    def _warmed_asked(self, doc_id: str) -> None:
        self.answers.warmed(doc_id)
        _drop_asked(self.store, doc_id)

    def _interrupt(self) -> bool:
        """Give the model up mid-step: a user's question is waiting, or the bot is stopping."""
        return self._stop.is_set() or self.answers.priority.active > 0

    def _failed(self, step: Step, doc: Document | None, exc: Exception) -> None:
        self.steps_failed += 1
        if doc is None:  # the shared prefix: try again after the next document changes
            self._collection_warmed = self._collection_text()
            log.warning("background step %s failed: %s: %s", step.kind,
                        exc.__class__.__name__, exc)
            return
        attempts = self.store.record_work_failure(doc.id, step.kind, doc.content_hash,
                                                  f"{exc.__class__.__name__}: {exc}",
                                                  self._retry_at(doc, step))
        if step.kind == PREFIX and attempts >= MAX_ATTEMPTS:
            self._warmed.add((doc.id, doc.content_hash))
        more = ("giving up until the file changes" if attempts >= MAX_ATTEMPTS
                else f"attempt {attempts} of {MAX_ATTEMPTS}, retrying later")
        log.warning("background %s of %s failed (%s): %s: %s", step.kind, doc.id, more,
                    exc.__class__.__name__, exc, exc_info=log.isEnabledFor(logging.DEBUG))

    def _retry_at(self, doc: Document, step: Step) -> str:
        rows = [r for r in self.store.work_failures()
                if r.doc_id == doc.id and r.step == step.kind]
        attempts = rows[0].attempts if rows else 0
        return (self.clock() + RETRY_BASE * int(2 ** attempts)).isoformat(timespec="seconds")

    def drain(self, on_step: Callable[[Step, bool], None] | None = None) -> int:
        """Run every step now, in this thread (`briefbot ingest`); returns the steps that failed."""
        failed = 0
        while (step := self.next_step()) is not None and not self._stop.is_set():
            ok = self.run_step(step)
            failed += not ok
            if on_step:
                on_step(step, ok)
        return failed

    # --- in the background ----------------------------------------------------------------------
    def urgent(self, doc_ids: list[str]) -> None:
        """Summarise these before anything else (a push is waiting for them)."""
        with self._urgent_lock:
            self._urgent += [d for d in doc_ids if d not in self._urgent]
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        """Work in a thread of its own, holding the database's lease: `briefbot ingest` run
        beside it leaves the model work to this process."""
        if self._thread is None:
            deadline = time.monotonic() + 2.0  # another process may be probing the lease
            while not self.lease.acquire() and time.monotonic() < deadline:
                self._stop.wait(0.05)
            if not self.lease.held and self.lease.path is not None:
                log.warning("another process (pid %s) does the model work on this database "
                            "too: two copies of the model share the cores",
                            self.lease.holder())
            self._thread = threading.Thread(target=self._loop, name="model-worker", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 15.0) -> bool:
        """End the loop: the step in progress gives the model up at its next token or prompt
        batch (~7 s at most); False when the thread is still inside the model after `timeout`
        (the caller must not tear the model down under it)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                return False
        self.lease.release()
        return True

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        progress = ProgressLog(self)
        while not self._stop.is_set():
            try:
                self._turn(progress)
            except Exception:  # noqa: BLE001 - e.g. a full disk refused even the failure record
                # Nothing may end this thread: the database recovers (space freed, lock
                # released) and the work left must resume without a restart.
                log.exception("background worker could not finish a step; trying again in "
                              "%.0f s", self.trouble_wait)
                self.state = "paused"
                self._stop.wait(self.trouble_wait)
        self.state = "stopped"

    def _turn(self, progress: ProgressLog) -> None:
        """One look for work: a step, a wait for a question to finish, or an idle wait."""
        try:
            step = self.next_step()
        except Exception:  # noqa: BLE001 - e.g. the model failed to load; look again later
            log.exception("background worker could not plan its next step")
            step = None
            self._wake.wait(IDLE_WAIT * 10)
        if step is None:
            progress.finished()
            self.state = "idle"
            self._wake.wait(IDLE_WAIT)
            self._wake.clear()
            return
        # Users first: wait while a question runs, and look again (it may have added work).
        if not self.answers.priority.wait_idle(timeout=0):
            self.state = "waiting"
            self.answers.priority.wait_idle(timeout=5.0)
            return
        self.state = "working"
        self.run_step(step)
        progress.step()
