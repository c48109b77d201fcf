"""Question → retrieved evidence → grounded Korean answer with verbatim, checked quotes.
The one entry point for every face (Telegram, console, eval): it plans, runs the model,
checks what the model wrote, and keeps each chat's conversation turns."""
from __future__ import annotations

import asyncio
import dataclasses
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator

from bot import texts
from bot.answer import prompting, verify
from bot.answer.checks import grounded, tidy
from bot.answer.compose import Composer
from bot.answer.plan import Plan, Planner, readable, unlabelled
from bot.answer.question import REASON_GIVEN
from bot.answer.retrieval import Retriever
from bot.answer.sources import cited, uncited
from bot.answer.stances import Stances
from bot.answer.synonyms import widen
from bot.answer.timing import RecentTimings
from bot.llm import LLM, Message, astream
from bot.llm.priority import UserFirst
from bot.store import Store, Turn
from bot.types import Answer, Document, Source

ANSWER_TOKENS = 220
# A sentence that says who said something ("…고 말했다", "…라고 밝혔다").
SAID = re.compile(r"(말했다|밝혔다|설명했다|강조했다|주장했다|덧붙였다|전했다|평가했다|언급했다|"
                  r"지적했다|말한다|주장한다|라며|고 했다)")
ABSENT_SHARE = 0.5  # of the question's topic the best evidence sentence must hold
MISSING_SHARE = 0.3  # of the topic's weight absent from the documents: the detail is not there
COUNTED_MISSING = 0.5  # the same, when the quote's figure counts the very thing asked about
# A name held by this share of all chunks ("AI", "GPU", "중국") is no particular name: it does
# not answer "… 이름이 뭐예요?", nor does a sentence holding it speak of what was asked.
COMMON_NAME = 0.1
ASKED_NAME = 0.8  # of the topic's heaviest term's weight: a name the question turns on
# A name asked about that at most this share of the evidence sentences hold is what the
# answer must come from a passage about (see verify.claims).
SUBJECT_SPREAD = 0.25


class AnswerService(Composer):
    def __init__(self, store: Store, retriever: Retriever, llm: LLM | None):
        self.store = store
        self.retriever = retriever
        self.llm = llm
        self.planner = Planner(store, retriever, llm)
        self.stances = Stances(store, retriever.korean)
        # Documents asked about whose prefix was not at hand, oldest first: the background
        # worker evaluates them next, so the follow-up and the next reader get the fast path.
        self._cold: dict[str, None] = {}
        self._cold_lock = threading.Lock()
        self.on_cold: Callable[[], None] | None = None  # the worker's wake-up
        self.priority = UserFirst()  # the background worker waits while a question runs
        self.timings = RecentTimings()  # the recent model answers' first-token split

    # --- what the worker and the prompts share with planning --------------------------------
    def plan(self, question: str, history: list[Turn] | None = None) -> Plan:
        return self.planner.plan(question, history)

    def collection(self) -> list[Document]:
        return self.planner.collection()

    def fits_whole(self, doc: Document) -> bool:
        return self.planner.fits_whole(doc)

    def document_prefix(self, doc: Document) -> list[Message]:
        """The cacheable start of every single-document prompt about `doc`."""
        return prompting.system(prompting.doc_block(1, doc, doc.text))

    def collection_prefix(self, shared: list[Document] | None = None) -> list[Message]:
        """The cacheable start of every prompt across documents."""
        return prompting.system(prompting.collection_context(
            self.collection() if shared is None else shared))

    # --- conversation turns ------------------------------------------------------------------
    def history(self, chat_id: int) -> list[Turn]:
        """The chat's recent turns, oldest first, for a follow-up question."""
        return self.store.recent_turns(chat_id)

    def remember(self, chat_id: int, question: str, answer: Answer) -> None:
        """Keep an answered question and its answer as the chat's latest turns (a refusal is
        not a turn a follow-up could lean on)."""
        if answer.covered:
            self.store.add_turn(chat_id, "user", question)
            self.store.add_turn(chat_id, "assistant", answer.text,
                                sources=dict.fromkeys(s.doc_id for s in answer.sources))

    # --- answering ----------------------------------------------------------------------------
    def ask(self, question: str, history: list[Turn] | None = None) -> Answer:
        """Synchronous: plan, run the model, check the result."""
        started = time.perf_counter()
        if sides := self._sides(question, started):
            return sides
        with self.priority.user():  # from now on background model work gives the model up
            plan = self._noted(self.plan(question, history))
            if plan.refusal:
                plan.refusal.timings = {"retrieve_ms": plan.retrieve_ms, "first_token_ms": 0,
                                        "total_ms": int((time.perf_counter() - started) * 1000)}
                return plan.refusal
            if plan.kind != "model":
                return self.compose(plan, started)
            pieces, first = [], None
            for piece in self._generate(plan):
                first = first or time.perf_counter()
                pieces.append(piece)
            stages = dict(self.llm.stages)  # before a background step can use the model
        return self._staged(self.finish(plan, "".join(pieces), started, first), stages)

    async def ask_stream(self, question: str, history: list[Turn] | None = None
                         ) -> AsyncIterator[str | Answer]:
        """Yields the growing answer text while the model writes, then the final Answer."""
        started = time.perf_counter()
        if sides := await asyncio.to_thread(self._sides, question, started):
            yield sides
            return
        with self.priority.user():  # from now on background model work gives the model up
            # Kiwi and SQLite work happens off the event loop too.
            plan = self._noted(await asyncio.to_thread(self.plan, question, history))
            if plan.refusal:
                yield plan.refusal
                return
            if plan.kind != "model":
                yield await asyncio.to_thread(self.compose, plan, started)
                return
            pieces, first = [], None
            async for piece in astream(self.llm, plan.messages, max_tokens=ANSWER_TOKENS,
                                       cache_prefix=plan.cache_prefix,
                                       cache_label=plan.cache_label):
                first = first or time.perf_counter()
                pieces.append(piece)
                yield readable(plan, "".join(pieces))
            stages = dict(self.llm.stages)
            answer = await asyncio.to_thread(self.finish, plan, "".join(pieces), started, first)
        yield self._staged(answer, stages)

    def _staged(self, answer: Answer, stages: dict[str, int]) -> Answer:
        """A model answer's timings with where its first-token time went, kept for /stats."""
        answer.timings.update(stages)
        self.timings.add(answer.timings)
        return answer

    def _noted(self, plan: Plan) -> Plan:
        if plan.cold:
            with self._cold_lock:
                self._cold.setdefault(plan.cold)
            if self.on_cold:
                self.on_cold()
        return plan

    def cold_documents(self) -> list[str]:
        with self._cold_lock:
            return list(self._cold)

    def warmed(self, doc_id: str) -> None:
        with self._cold_lock:
            self._cold.pop(doc_id, None)

    def _sides(self, question: str, started: float) -> Answer | None:
        """Who is for and who against, from the debate map's stored positions (no model)."""
        answer = self.stances.answer(question)
        if answer is not None:
            total = int((time.perf_counter() - started) * 1000)
            answer.timings = {"retrieve_ms": total, "first_token_ms": total, "total_ms": total}
        return answer

    def _generate(self, plan: Plan) -> Iterator[str]:
        return self.llm.stream(plan.messages, max_tokens=ANSWER_TOKENS,
                               cache_prefix=plan.cache_prefix, cache_label=plan.cache_label)

    def finish(self, plan: Plan, text: str, started: float, first: float | None) -> Answer:
        """The model's text, checked sentence by sentence against the evidence; when nothing
        stands, the evidence itself, or what the documents do not say."""
        evidence = self.evidence(plan, plan.docs)
        text = readable(plan, unlabelled(plan, tidy(text)))
        kept = verify.claims(text, plan.read, evidence, self.retriever.korean,
                             self._subjects(plan, evidence))
        text = verify.joined(text, kept)
        # One analysis for both checks. The sources' names the answer cites ("더에이아이에
        # 따르면") are not names it gives: "…회사 이름이 뭐예요?" is not answered by them.
        names = verify.names(uncited(plan, text), self.retriever.korean)
        # Asked who holds a role the documents never name ("위원장은 누구예요?"): whatever the
        # model made of the nearest sentence does not answer it; nor does an answer that names
        # someone without the role ("그 사람이 예로 든 교수는 누구예요?" → "…모네를 예로 들었다").
        role = plan.read.role
        if not kept or not grounded(text, evidence.text) or \
                not plan.read.filled(text, self._particular(names)) or \
                not plan.read.names_someone(names, plan.asked_before) or \
                role and (role not in evidence.text or role not in text) or \
                (new := self._follow_up_words(plan, evidence)) and \
                not new & set(self.retriever.korean.morphemes(text)):
            text = self._fallback(plan, evidence)
        return self._answer(plan, text, started, first)

    def _answer(self, plan: Plan, text: str, started: float, first: float | None,
                sources: list[Source] | None = None) -> Answer:
        now = time.perf_counter()
        return Answer(text=text, sources=sources or cited(self.retriever, plan, text),
                      covered=True, timings={
                          "retrieve_ms": plan.retrieve_ms,
                          "first_token_ms": int(((first or now) - started) * 1000),
                          "total_ms": int((now - started) * 1000)})

    def evidence(self, plan: Plan, docs: list[Document]) -> verify.Evidence:
        """What an answer about `docs` may rest on, with the question's topic."""
        # A stored name of several words ("젠슨 황") also counts as its words.
        sentences = [(s, terms | {w for t in terms if " " in t for w in t.split()})
                     for doc in docs for s, terms in self.retriever.document_sentence_terms(doc.id)]
        text = "\n".join([plan.context, *(doc.text for doc in docs)])
        headings = tuple(f"{doc.title} ({doc.meta})" for doc in docs)
        evidence = verify.Evidence(text=text, sentences=sentences, topic={}, headings=headings,
                                   years={s: int(doc.date[:4]) for doc in docs
                                          if doc.date and doc.date[:4].isdigit()
                                          for s, _ in sentences if s in doc.text})
        # What the question is about, as far as it can be judged: the words the documents
        # use, and the nouns they lack ("매출", "위원장": a detail that is not there). Other
        # words they lack ("급하다", "제일") are only how it was put.
        nouns = verify.nouns(plan.question, self.retriever.korean)
        evidence.topic = {t: w for t, w in plan.topic.items()
                          if verify.holds(evidence.vocabulary, t) or t in nouns}
        return evidence

    def _fallback(self, plan: Plan, evidence: verify.Evidence) -> str:
        """The best evidence sentence, quoted, when it holds what was asked; otherwise what
        the documents do not say, then what they do say about it."""
        among = evidence
        if asked := self._asked_names(plan, evidence):  # quote a sentence about them
            about = [(s, t) for s, t in evidence.sentences if any(n in s.lower() for n in asked)]
            among = dataclasses.replace(evidence, sentences=about or evidence.sentences)
        if new := self._follow_up_words(plan, evidence):  # what the follow-up itself asks
            about = [(s, t) for s, t in among.sentences if t & new]
            among = dataclasses.replace(among, sentences=about or among.sentences)
        role, titles = plan.read.role, {d.title for d in plan.docs}
        # Asked why, a sentence that gives a reason ("…점을 지적하며") is the one to quote.
        quote, share = verify.best_statement(
            among, titles, lambda s: self._filled(plan, s) and (not role or role in s) and
            (not plan.read.reason or bool(REASON_GIVEN.search(s))))
        # "그 사람이 예로 든 교수는 누구": a sentence holding only what the question before
        # asked ("…기조연설에서 이렇게 말했다"), none of this one's own words, does not answer
        # it; one that says 교수 may.
        own = {t: 1.0 for t in plan.topic if t in plan.weights}
        if role and quote and role not in quote and own and \
                not verify.weight(dict(evidence.sentences).get(quote, frozenset()), own) \
                and (holding := [(s, t) for s, t in among.sentences if role in s]):
            quote, share = verify.best_statement(
                dataclasses.replace(among, sentences=holding), titles,
                lambda s: self._filled(plan, s))
        # "…'씽킹' 모델이 2위를 차지했다. 이 모델은 학습 비용이 460만 달러에 불과하지만": the
        # figure asked for is in the next sentence, which goes on about the same thing.
        if quote and plan.read.slot and not self._filled(plan, quote) and \
                (after := verify.continued(evidence, quote)) and self._filled(plan, after):
            quote = next((f"{quote} {after}" for d in plan.docs
                          if f"{quote} {after}" in d.text), after)
        # "따라서 … 한계에 이를 시점 이후다" after "약 10년 후에는 …": the time asked for is in
        # the sentence it leans on; "이들이 … 20만개" needs the one that says who they are.
        elif quote and (before := verify.preceded(evidence, quote)) and \
                any(f"{before} {quote}" in d.text for d in plan.docs) and \
                (self._filled(plan, quote) or self._filled(plan, before)):
            quote = f"{before} {quote}"
        owner = next((d for d in plan.docs if quote and quote in d.text), None)
        name = owner.display_name if owner else ""
        missing, absent = verify.missing(evidence, plan.read)
        # A sentence that says the role and names someone not asked about yet answers "교수는
        # 누구", however little else of a follow-up's borrowed topic it holds.
        names_role = bool(role and quote and role in quote and self._names_new(plan, quote))
        # So does one that holds a follow-up's own new words (the borrowed topic is context).
        on_new = bool(new and quote and new & set(self.retriever.korean.morphemes(quote)))
        # "올해 … 예산은 얼마" is not answered by a quote that gives the amount for 내년.
        year = int(owner.date[:4]) if owner and (owner.date or "")[:4].isdigit() else None
        filled = bool(quote) and self._filled(plan, quote) and not (
            plan.read.slot == "figure" and verify.for_other_year(plan.question, quote, year))
        # "빅테크 두 곳이 GPU를 몇 개나 샀다고": a figure of the very thing counted ("…구매한 GPU만
        # 20만개") answers it though a word the question describes them by is not there.
        counted = bool(quote and plan.read.counted and (
            plan.read.counted in quote.lower() or
            plan.read.counted in widen(self.retriever.korean.morphemes(quote))))
        if quote and (share >= ABSENT_SHARE or names_role or on_new) and filled and \
                (absent < MISSING_SHARE or counted and absent < COUNTED_MISSING) and \
                (not asked or any(n in quote.lower() for n in asked)):
            if plan.read.who and (said := self._attribution(evidence, quote, plan.question)):
                return texts.QUOTED_ANSWER_SAID.format(name=name, quote=quote, said=said)
            return texts.QUOTED_ANSWER.format(name=name, quote=quote)
        if plan.read.slot and not filled:
            what = texts.ABSENT_WHAT[plan.read.slot]
        elif missing:
            what = texts.ABSENT_TERMS.format(terms="’, ‘".join(missing[:2]))
        else:
            what = texts.ABSENT_WHAT[None]
        text = texts.ABSENT.format(what=what)
        if quote:
            text += texts.ABSENT_RELATED.format(name=name, quote=quote)
        return text

    def _follow_up_words(self, plan: Plan, evidence: verify.Evidence) -> set[str]:
        """A follow-up's own nouns that the question before did not have and the documents
        hold ("그걸로 팀즈에선 뭘 해준대요?": 팀즈). An answer without any of them answered the
        question before again."""
        if not (plan.read.leans_back and plan.asked_before):
            return set()
        before = set(self.retriever.query_terms(plan.asked_before))
        nouns = verify.nouns(plan.question, self.retriever.korean)
        return {t for t in plan.weights if t in plan.topic and t in nouns and t not in before
                and verify.holds(evidence.vocabulary, t)}

    def _names_new(self, plan: Plan, text: str) -> bool:
        """`text` names someone particular that neither the question nor the one before did."""
        names = self._particular(verify.names(text, self.retriever.korean))
        return bool(names) and plan.read.names_someone(names, plan.asked_before)

    def _attribution(self, evidence: verify.Evidence, quote: str, question: str) -> str | None:
        """For "누가 …?" when `quote` names nobody the question did not: the sentence beside
        it that does. After a quotation that is the next one ("…이경일 대표는 이렇게
        말했다"); for "그는 …라고 말했다" the one before, which names "그"."""
        korean = self.retriever.korean
        asked = verify.names(question, korean)
        if verify.names(quote, korean) - asked or verify.names_its_speaker(quote):
            return None
        around = verify.neighbourhood(evidence, quote)
        at = next((i for i, (s, _) in enumerate(around) if s == quote), 0)
        before, after = around[:at], around[at + 1:]
        naming = [s for s, _ in (before if SAID.search(quote) else after + before)
                  if verify.names(s, korean) - asked]
        return naming[0] if naming else None

    def _filled(self, plan: Plan, text: str) -> bool:
        return plan.read.filled(text, self._particular(verify.names(text, self.retriever.korean)))

    def _particular(self, names: set[str]) -> set[str]:
        """The names that are not everywhere in the collection (see COMMON_NAME)."""
        if not names:
            return names
        total, df = self.store.term_frequencies(sorted(names))
        return {n for n in names if df.get(n, 0) < max(3, COMMON_NAME * total)}

    def _subjects(self, plan: Plan, evidence: verify.Evidence) -> set[str]:
        """The proper names a question makes its subject ("마이크로소프트는 … 이유로 뭘
        들었어요?") that only a part of the evidence speaks of: not the documents' own names,
        not one that most of it mentions."""
        naming, lowered = self._naming(plan), plan.question.lower()
        asked = {n for n in verify.names(plan.question, self.retriever.korean, tags=("NNP",))
                 if n not in naming and re.search(rf"{re.escape(n)}\s?(은|는|이|가|도)(\s|$)",
                                                  lowered)}
        spread = {n: sum(1 for _, terms in evidence.sentences if verify.holds(terms, n))
                  for n in asked}
        return {n for n, count in spread.items()
                if 0 < count <= SUBJECT_SPREAD * len(evidence.sentences)}

    def _naming(self, plan: Plan) -> str:
        """The chosen documents' titles, outlets, authors and credits, lower-cased: a name
        inside them names a document, not what is asked about."""
        return " ".join(x for doc in plan.docs
                        for x in (doc.title, doc.outlet, doc.author, doc.credits) if x).lower()

    def _asked_names(self, plan: Plan, evidence: verify.Evidence) -> set[str]:
        """The particular names the question asks about that the evidence holds ("문샷AI의
        기업가치": 문샷): a sentence without any of them is not about what was asked."""
        asked = self._particular(verify.names(plan.question, self.retriever.korean))
        naming = self._naming(plan)
        # Not the words that name the document ("THE AI 칼럼", "이해민 칼럼"), and only the
        # names the topic turns on: in "딥시크 이후 … 카드를 꺼낸 사람은" 딥시크 is context.
        top = max(plan.topic.values(), default=0.0)
        return {n for n in asked if plan.topic.get(n, 0.0) >= ASKED_NAME * top
                and n not in naming and verify.holds(evidence.vocabulary, n)}
