"""The composition root: every external thing is built once here and passed down."""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.answer import AnswerService
from bot.config import Settings
from bot.debate.service import DebateMap
from bot.korean import Korean
from bot.llm import LLM, LazyLLM
from bot.answer.retrieval import Retriever
from bot.store import Store
from bot.worker import ModelWorker, WorkerLease, warm_documents


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

    def close(self) -> None:
        self.store.close()


def build_worker(services: Services) -> ModelWorker:
    """The one background model worker over these services (summaries, debate-map positions,
    prompt prefixes)."""
    keeps = services.llm.supports_prefix_cache
    warm = warm_documents(services.settings.cache_mb() if keeps else 0)
    lease = WorkerLease.beside(services.settings.BRIEFBOT_DB)  # held while it runs in a thread
    return ModelWorker(services.store, services.answers, services.llm, debate=services.debate,
                       warm_limit=warm, lease=lease)


def build_services(settings: Settings, llm: LLM | None = None) -> Services:
    return Services(settings=settings, store=Store(settings.BRIEFBOT_DB), korean=Korean(),
                    llm=llm or LazyLLM(settings))
