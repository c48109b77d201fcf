"""Planning an answer, with no model call: which documents a question needs, and the prompt
that gives them to the model (one whole document in a cached prefix, or the collection's
summaries with the question's best sentences)."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from bot import prompts, texts
from bot.answer import prompting
from bot.answer.retrieval import Coverage, Retriever
from bot.llm import LLM, Message
from bot.store import Store, Turn
from bot.types import Answer, Document, Hit

MIN_COVERAGE = 0.4  # idf-weighted share of the question's terms the best document must hold
MULTI_DOC_RATIO = 0.8
# Best sentences in a question's turn across documents; each costs ~40 tokens of prompt
# processing (~0.6 s here). A single whole document gets none: it is all in the cached prefix.
EVIDENCE_LINES = 4
# The shared prefix for questions across documents: the newest documents' summaries.
COLLECTION_DOCS = 20
COLLECTION_TOKENS = 1500
CONTEXT_TOKENS = 2600  # a document up to this long goes into a prompt whole
# Questions that ask across the collection ("자료들이 공통으로 …", "각 문서 …").
PLURAL_CUES = re.compile(r"(자료들|문서들|기사들|공통|여러|각\s?(자료|문서|기사)|모든|비교|"
                         r"전반|종합)")
DOC_LABEL = re.compile(r"\[?문서\s?(\d+)\]?")


@dataclass
class Plan:
    question: str
    docs: list[Document] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    context: str = ""
    messages: list[Message] = field(default_factory=list)
    refusal: Answer | None = None
    retrieve_ms: int = 0
    cache_prefix: int = 0  # leading messages worth keeping evaluated (a whole document)
    cache_label: str | None = None  # the document whose evaluated prefix that is
    numbers: dict[int, Document] = field(default_factory=dict)  # "[문서 N]" in the prompt
    weights: dict[str, float] = field(default_factory=dict)  # the question's terms, by idf


class Planner:
    def __init__(self, store: Store, retriever: Retriever, llm: LLM | None):
        self.store = store
        self.retriever = retriever
        self.llm = llm
        self.context_tokens = CONTEXT_TOKENS

    def plan(self, question: str, history: list[Turn] | None = None) -> Plan:
        started = time.perf_counter()
        question = question.strip()
        plan = Plan(question=question)
        if not question:
            plan.refusal = Answer(texts.EMPTY_QUESTION, covered=False)
            return plan
        if not self.store.documents(limit=1):
            plan.refusal = Answer(texts.NO_DOCUMENTS, covered=False)
            return plan
        hits = self.retriever.search(question, limit=12)
        coverage = self.retriever.coverage(question, hits)
        previous = [t.text for t in (history or []) if t.role == "user"][-1:]
        if previous:
            # A follow-up ("그럼 대안으로 무엇을 제안했나요?") leans on the previous question;
            # read it together with that one unless it stands better on its own (a new topic).
            joined = previous[0] + " " + question
            joined_hits = self.retriever.search(joined, limit=12)
            joined_coverage = self.retriever.coverage(joined, joined_hits)
            if joined_coverage and (not coverage or
                                    joined_coverage[0].share > coverage[0].share):
                hits, coverage = joined_hits, joined_coverage
        plan.hits = hits
        plan.retrieve_ms = int((time.perf_counter() - started) * 1000)
        if not coverage or max(c.share for c in coverage) < MIN_COVERAGE:
            plan.refusal = self.not_covered()
            return plan
        plan.docs = self._choose_docs(question, coverage)
        plan.weights = self.retriever.idf(self.retriever.query_terms(question))
        if len(plan.docs) == 1 and self.fits_whole(plan.docs[0]):
            self._plan_document(plan, history or [])
        else:
            self._plan_collection(plan, history or [])
        return plan

    def _plan_document(self, plan: Plan, history: list[Turn]) -> None:
        """One document, whole, in the cached prefix: the turn holds only the question."""
        plan.context = prompting.doc_block(1, plan.docs[0], plan.docs[0].text)
        plan.numbers = {1: plan.docs[0]}
        turn = prompts.render("answer_user", question=plan.question)
        plan.messages = prompting.messages(plan.context, history, turn)
        plan.cache_prefix, plan.cache_label = 1, plan.docs[0].id

    def _plan_collection(self, plan: Plan, history: list[Turn]) -> None:
        """Several documents (or one too long to go whole): the cached prefix holds the
        summaries of the newest documents; the turn names the documents this question needs,
        with their best sentences and the summaries the prefix lacks."""
        shared = self.collection()
        numbers = {doc.id: n for n, doc in enumerate(shared, 1)}
        extra = []
        for doc in plan.docs:
            if doc.id not in numbers:
                numbers[doc.id] = len(numbers) + 1
                extra.append(prompting.summary_block(numbers[doc.id], doc))
        evidence = self.evidence(plan, limit=EVIDENCE_LINES)
        lines = "\n".join(f"- [문서 {numbers[doc.id]}] {sentence}" for doc, sentence in evidence)
        named = ", ".join(f"[문서 {numbers[doc.id]}]" for doc in plan.docs)
        turn = prompts.render("answer_user_several", documents=named, context="\n\n".join(extra),
                              evidence=lines, question=plan.question).replace("\n\n\n", "\n\n")
        shared_context = prompting.collection_context(shared)
        plan.messages = prompting.messages(shared_context, history, turn)
        plan.context = "\n\n".join([shared_context, *extra, lines])  # what grounding checks
        plan.numbers = {n: doc for doc in [*shared, *plan.docs] for n in [numbers[doc.id]]}
        plan.cache_prefix = 1

    def collection(self) -> list[Document]:
        """The newest summarised documents whose summaries fit the shared prefix."""
        chosen, used = [], 0
        for doc in self.store.documents(limit=COLLECTION_DOCS):
            if not doc.summary:
                continue
            cost = self._tokens(prompting.summary_block(len(chosen) + 1, doc))
            if used + cost > COLLECTION_TOKENS:
                break
            chosen.append(doc)
            used += cost
        return chosen

    def _choose_docs(self, question: str, coverage: list[Coverage]) -> list[Document]:
        best = coverage[0].rank
        chosen = [coverage[0]]
        plural = bool(PLURAL_CUES.search(question))
        for cov in coverage[1:3]:
            if cov.rank >= best * MULTI_DOC_RATIO or (plural and cov.rank >= best * 0.5):
                chosen.append(cov)
        return [d for c in chosen if (d := self.store.document(c.doc_id))]

    def fits_whole(self, doc: Document) -> bool:
        """Short enough to go into a prompt whole (and have its own cached prefix)."""
        return self._tokens(doc.text) <= self.context_tokens

    def _tokens(self, text: str) -> int:
        return self.llm.count_tokens(text) if self.llm else len(text) // 2

    def evidence(self, plan: Plan, limit: int) -> list[tuple[Document, str]]:
        """The sentences of the chosen documents' hits that carry the most question terms."""
        weights = plan.weights
        per_doc = max(2, limit // max(1, len(plan.docs)))
        picked: list[tuple[float, Document, str]] = []
        for doc in plan.docs:  # best sentences of each chosen document, so none is crowded out
            scored: dict[str, float] = {}
            for hit in plan.hits:
                if hit.doc_id != doc.id:
                    continue
                for sentence, morphemes in self.retriever.sentence_terms(hit.text):
                    scored[sentence] = sum(weights[t] for t in morphemes & set(weights))
            ranked = sorted(scored, key=lambda s: -scored[s])[:per_doc]
            picked.extend((scored[s], doc, s) for s in ranked if scored[s] > 0)
        picked.sort(key=lambda p: -p[0])
        top = picked[0][0] if picked else 0.0
        # Weak matches only distract a small model; keep those close to the best.
        return [(doc, s) for score, doc, s in picked[: max(limit, len(plan.docs))]
                if score >= top * 0.5]

    def not_covered(self) -> Answer:
        docs = self.store.documents(limit=8)
        topics = "\n".join(f"• {d.title} ({d.meta})" for d in docs)
        return Answer(texts.NOT_COVERED.format(topics=topics), covered=False)


def readable(plan: Plan, text: str) -> str:
    """The prompt's "[문서 3]" means nothing to a reader: name the outlet (or the title)."""
    def name(match: re.Match) -> str:
        doc = plan.numbers.get(int(match.group(1)))
        return doc.display_name if doc else match.group(0)
    return DOC_LABEL.sub(name, text)
