"""The debate map over the store: positions found by the background worker (`find`), and
read without the model for /debate, the briefing and `briefbot debate`."""
from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from bot.debate import view
from bot.debate.extract import METHOD, Judge, TermIndex, find_positions, positions_key
from bot.debate.propositions import Propositions, shared
from bot.debate.view import Topic
from bot.korean import Korean
from bot.llm import LLM, Interrupt
from bot.store import Store
from bot.types import DEBATE_METHODS, Document, Position, Proposition

CHANGES_TITLE = "새 입장이 나온 쟁점"  # a briefing's picture: what changed since the last one

log = logging.getLogger(__name__)


class DebateMap:
    def __init__(self, store: Store, llm: LLM, korean: Korean,
                 propositions: Propositions | None = None, method: str = METHOD):
        self.store, self.llm, self.korean, self.method = store, llm, korean, method
        self.propositions = propositions or shared()
        self._lock = threading.Lock()
        self._judge: tuple[str, Judge, TermIndex] | None = None  # for one key

    @property
    def key(self) -> str:
        """Positions are found again when this changes (model, prompts, propositions, rules)."""
        return positions_key(self.llm, self.propositions.key, self.method)

    @property
    def uses_model(self) -> bool:
        """Whether finding positions takes model time (DEBATE_SIDES other than the wording)."""
        return DEBATE_METHODS[self.method].model

    # --- finding (the background worker) -----------------------------------------------------
    def pending(self) -> list[str]:
        """Documents whose positions are not current, newest first (none without propositions)."""
        if not self.propositions.current():
            return []
        return self.store.docs_needing_positions(self.key)

    def find(self, doc: Document, interrupt: Interrupt = None) -> list[Position]:
        """Find and store the document's positions; a document changed meanwhile is left for
        the next round."""
        with self._lock:
            key, props = self.key, self.propositions.current()
            if self._judge is None or self._judge[0] != key:
                self._judge = (key, Judge(self.llm), TermIndex(props, self.korean))
            _, judge, index = self._judge
        found = find_positions(doc, props, judge, self.korean, interrupt=interrupt, index=index,
                               method=self.method)
        if not self.store.save_positions(doc.id, found, key, doc.content_hash,
                                         in_force={p.id for p in props}):
            log.info("positions of %s not kept: the document changed meanwhile", doc.id)
        return found

    # --- reading (no model) ------------------------------------------------------------------
    def topics(self, proposition: str | None = None) -> list[Topic]:
        return view.topics(self.propositions.current(), self.store.positions(proposition))

    def match(self, arg: str) -> list[Proposition]:
        return view.match(self.propositions.current(), arg)

    def new_since(self, since: str | None) -> list[Position]:
        """Positions found after `since` on propositions in force (others are kept unshown)."""
        current = {p.id for p in self.propositions.current()}
        return [p for p in self.store.positions(since=since)
                if p.proposition in current] if since else []

    def as_json(self) -> dict[str, Any]:
        return view.as_json(self.propositions.current(), self.store.positions())

    def picture(self) -> bytes:
        """The PNG map of every proposition with positions."""
        from bot.debate.picture import debate_png
        shown = self.topics()
        return debate_png([t.proposition for t in shown],
                          [p for t in shown for p in t.positions])

    def changes_picture(self, proposition_ids: Sequence[str]) -> bytes:
        """A briefing's picture: only the propositions named (those with new positions), in
        their map order, for a phone (PHONE_HEIGHT; the rows that do not fit are counted)."""
        from bot.debate.picture import PHONE_HEIGHT, debate_png
        wanted = set(proposition_ids)
        shown = [t for t in self.topics() if t.proposition.id in wanted]
        return debate_png([t.proposition for t in shown],
                          [p for t in shown for p in t.positions],
                          title=CHANGES_TITLE, max_height=PHONE_HEIGHT)
