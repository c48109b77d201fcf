"""The composition root: every external thing is built once here and passed down."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.answer import AnswerService
from bot.answer.retrieval import Retriever
from bot.config import Settings
from bot.debate.service import DebateMap
from bot.ingest.pipeline import ingest_folder
from bot.ingest.watch import FolderWatch
from bot.korean import Korean
from bot.llm import LLM, LazyLLM
from bot.llm.kvcache import cache_folder, forget_label
from bot.store import Store
from bot.types import IngestResult
from bot.worker import COLLECTION, ModelWorker, Step, WorkerLease, warm_documents


@dataclass
class Services:
    settings: Settings
    store: Store
    korean: Korean
    llm: LLM
    retriever: Retriever = field(init=False)
    answers: AnswerService = field(init=False)
    debate: DebateMap = field(init=False)

    def __post_init__(self) -> None:
        self.retriever = Retriever(self.store, self.korean)
        self.answers = AnswerService(self.store, self.retriever, self.llm)
        self.debate = DebateMap(self.store, self.llm, self.korean,
                                method=self.settings.DEBATE_SIDES)

    loading: threading.Thread | None = field(default=None, init=False, repr=False)

    def close(self) -> None:
        if self.loading is not None:  # not left inside Kiwi while the interpreter exits
            self.loading.join()
        self.store.close()

    def evaluate_shared_prefix(self) -> float | None:
        """The one piece of model work the first questions after an import need, now: the
        shared prefix every cold question starts from (the newest documents' summaries, or
        their lead sentences while none exists), kept on disk, so a fresh `briefbot ask` loads
        it in a fraction of a second instead of evaluating ~1,600 tokens (~20 s on two cores).
        Seconds it took; None when there is nothing to keep it in, no document, a running
        bot's worker to do it, or it failed (logged)."""
        if not self.llm.supports_prefix_cache or self.settings.cache_mb() <= 0 \
                or not self.store.documents(limit=1):
            return None
        worker = build_worker(self)
        if worker.lease.holder() is not None:
            return None
        started = time.perf_counter()
        return time.perf_counter() - started if worker.run_step(Step(COLLECTION)) else None

    # --- documents: a document forgotten takes its evaluated prompt prefixes with it --------
    def index_folder(self, *, settle_seconds: float = 0.0) -> IngestResult:
        """Decode, clean and index SEEDS_DIR once (no model call); a file gone from it for
        FORGET_AFTER_HOURS has its document forgotten."""
        settings = self.settings
        result = ingest_folder(self.store, self.korean, Path(settings.SEEDS_DIR),
                               max_bytes=settings.INGEST_MAX_BYTES, settle_seconds=settle_seconds,
                               forget_after=settings.FORGET_AFTER_HOURS * 3600)
        self._forget_prefixes(result.forgotten_docs)
        return result

    def folder_watch(self, *, settle_seconds: float) -> FolderWatch:
        """A watch over SEEDS_DIR for a long-running face; its scans forget as index_folder does."""
        settings = self.settings
        return FolderWatch(self.store, self.korean, Path(settings.SEEDS_DIR),
                           max_bytes=settings.INGEST_MAX_BYTES, settle_seconds=settle_seconds,
                           forget_after=settings.FORGET_AFTER_HOURS * 3600,
                           on_forgotten=self._forget_prefixes)

    def forget_document(self, doc: str) -> str | None:
        """Forget a document now, by document id or file name; the id forgotten, or None when
        nothing is stored under that name."""
        forgotten = self.store.forget(doc)
        if forgotten is not None:
            self._forget_prefixes([forgotten])
        return forgotten

    def _forget_prefixes(self, doc_ids: Iterable[str]) -> None:
        # A stale prefix would never be loaded again (its key holds the old tokens), but it
        # would hold its 20-65 MB of the cache budget until evicted.
        folder = cache_folder(self.settings.BRIEFBOT_DB)
        for doc_id in doc_ids:
            forget_label(folder, doc_id)


def build_worker(services: Services) -> ModelWorker:
    """The one background model worker over these services (summaries, debate-map positions,
    prompt prefixes)."""
    keeps = services.llm.supports_prefix_cache
    warm = warm_documents(services.settings.cache_mb() if keeps else 0)
    lease = WorkerLease.beside(services.settings.BRIEFBOT_DB)  # held while it runs in a thread
    return ModelWorker(services.store, services.answers, services.llm, debate=services.debate,
                       warm_limit=warm, lease=lease)


def build_services(settings: Settings, llm: LLM | None = None, *,
                   preload: bool = False) -> Services:
    """`preload` (a command that will ask the model, `briefbot ask`): Kiwi loads and makes its
    first analysis (seconds each) in a thread while the model loads in this one, so the two
    overlap. Not the other way round: llama-cpp-python points stdout and stderr at /dev/null
    while it loads, and would swallow whatever another thread printed meanwhile."""
    warming = None
    if preload and llm is None:
        warming = threading.Thread(target=lambda: Korean().warm(), name="kiwi-warm",
                                   daemon=True)
        warming.start()
        llm = LazyLLM(settings)
        llm.preload()
    services = Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=Korean(),
                        llm=llm or LazyLLM(settings))
    services.loading = warming
    return services
