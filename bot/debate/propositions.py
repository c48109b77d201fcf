"""The propositions of the debate map: prompts/debate.toml, which the operator edits. It is read
again whenever it changes; a file that does not parse, or a proposition that is malformed, is
reported in the log and the last good reading stays in force."""
from __future__ import annotations

import hashlib
import logging
import re
import threading
import tomllib
from pathlib import Path

from bot.paths import PROMPTS_DIR
from bot.types import Proposition

log = logging.getLogger(__name__)

PROPOSITIONS_FILE = PROMPTS_DIR / "debate.toml"
_ID = re.compile(r"[a-z][a-z0-9_]{1,39}")
MAX_PROPOSITIONS = 40  # each costs model time per document


class PropositionError(ValueError):
    """The file cannot be used; the message says where (English, for the operator)."""


def parse(text: str) -> tuple[Proposition, ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PropositionError(f"not valid TOML: {exc}") from exc
    items = data.get("proposition")
    if not isinstance(items, list) or not items:
        raise PropositionError("no [[proposition]] tables")
    if len(items) > MAX_PROPOSITIONS:
        raise PropositionError(f"{len(items)} propositions; at most {MAX_PROPOSITIONS}")
    found: list[Proposition] = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise PropositionError(f"proposition {number} is not a table")
        pid, wording, terms = item.get("id"), item.get("text"), item.get("terms", [])
        focus, pro, con = item.get("focus", []), item.get("pro", []), item.get("con", [])
        against = item.get("against", [])  # the older name of `con`
        if not isinstance(pid, str) or not _ID.fullmatch(pid):
            raise PropositionError(f"proposition {number}: id {pid!r} is not snake_case ASCII")
        if any(p.id == pid for p in found):
            raise PropositionError(f"proposition {number}: id {pid!r} is used twice")
        if not isinstance(wording, str) or not 5 <= len(wording.strip()) <= 300:
            raise PropositionError(f"proposition {pid}: text must be 5 to 300 characters")
        for name, words in (("terms", terms), ("focus", focus), ("pro", pro), ("con", con),
                             ("against", against)):
            if (not isinstance(words, list) or len(words) > 40
                    or not all(isinstance(t, str) and t.strip() for t in words)):
                raise PropositionError(f"proposition {pid}: {name} must be a list of at most "
                                       "40 non-empty strings")
        found.append(Proposition(pid, " ".join(wording.split()),
                                 tuple(dict.fromkeys(t.strip() for t in terms)),
                                 tuple(dict.fromkeys(t.strip() for t in focus)),
                                 tuple(dict.fromkeys(t.strip() for t in pro)),
                                 tuple(dict.fromkeys(t.strip() for t in con + against))))
    return tuple(found)


class Propositions:
    """The current propositions, read again when the file's bytes change."""

    def __init__(self, path: Path = PROPOSITIONS_FILE):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._digest: str | None = None
        self._items: tuple[Proposition, ...] = ()
        self._key = "none"

    def current(self) -> tuple[Proposition, ...]:
        self._refresh()
        return self._items

    @property
    def key(self) -> str:
        """Changes with the propositions in force (positions are found again)."""
        self._refresh()
        return self._key

    def get(self, pid: str) -> Proposition | None:
        return next((p for p in self.current() if p.id == pid), None)

    def _refresh(self) -> None:
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            with self._lock:
                if self._digest != "missing":
                    self._digest = "missing"
                    log.warning("debate propositions %s cannot be read (%s); keeping %d",
                                self.path, exc.__class__.__name__, len(self._items))
            return
        digest = hashlib.sha256(raw).hexdigest()[:16]
        with self._lock:
            if digest == self._digest:
                return
            self._digest = digest
            try:
                items = parse(raw.decode("utf-8"))
            except (PropositionError, UnicodeDecodeError) as exc:
                log.warning("debate propositions %s not used: %s; keeping the %d in force",
                            self.path, exc, len(self._items))
                return
            if self._items:
                log.info("debate propositions %s changed: %d in force", self.path.name,
                         len(items))
            self._items, self._key = items, digest


_SHARED: dict[Path, Propositions] = {}
_SHARED_LOCK = threading.Lock()


def shared(path: Path = PROPOSITIONS_FILE) -> Propositions:
    """The process's one reader of the file (it keeps the last good reading)."""
    with _SHARED_LOCK:
        return _SHARED.setdefault(Path(path), Propositions(path))
