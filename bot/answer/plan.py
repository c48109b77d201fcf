"""Planning an answer, with no model call: which documents a question needs, and the prompt
that gives them to the model (one whole document in a cached prefix, or the collection's
summaries with the question's best sentences)."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date

from bot import prompts, texts
from bot.answer import figures, prompting, verify
from bot.answer.question import PERSON, Question, read, window
from bot.answer.retrieval import Coverage, Retriever
from bot.llm import LLM, Message
from bot.store import Store, Turn
from bot.types import Answer, Document, Hit

MIN_COVERAGE = 0.4  # idf-weighted share of the question's terms the best document must hold
MULTI_DOC_RATIO = 0.8
# Best sentences in a question's turn across documents; each costs ~40 tokens of prompt
# processing (~0.6 s here). A single whole document gets none: it is all in the cached prefix,
# and measured on eval/qa_users.jsonl its two best sentences in the turn as well scored worse
# (50/87 against 56/87, follow-ups 3/12 against 7/12) and slower (median 2.2 s against 1.7 s).
EVIDENCE_LINES = 4
HINT_LINES = 0
# The best sentences a cold document brings into the turn, in tokens (the best one always).
PASSAGE_TOKENS = 100
# The shared prefix for questions across documents: the newest documents' summaries.
COLLECTION_DOCS = 20
COLLECTION_TOKENS = 1500
CONTEXT_TOKENS = 2600  # a document up to this long goes into a prompt whole
# Questions that ask across the collection ("자료들이 공통으로 …", "각 문서 …").
PLURAL_CUES = re.compile(r"(자료들|문서들|기사들|공통|여러|각\s?(자료|문서|기사)|모든|비교|"
                         r"전반|종합)")
DOC_LABEL = re.compile(r"\[?문서\s?(\d+)\]?")
HANGUL_WORD = re.compile(r"[가-힣]{2,}")
# A document named in a question: the share of the naming words' weight it must hold.
NAMED_SHARE = 0.7
# Words of a question that ask how, not about what: left out of its topic.
ASKING_WORDS = frozenset({
    "칼럼", "글", "강연", "연설", "기조연설", "게시판", "게시글", "뉴스", "보도", "필자", "얘기",
    "요지", "핵심", "비교", "각각", "평가", "시각", "같", "다르", "달르", "나오", "말", "생각",
    "결국", "짧", "좀", "해주", "하고", "싶", "둘", "두", "차이", "입장", "정확히", "구체적",
    "대략", "정도", "전하", "실리", "올라오", "다루", "꼽", "들", "뭘", "어느", "구체", "지금",
    "원래", "총", "대체", "혹시", "요즘", "그럼", "거기", "사람", "이름", "명칭", "명단", "발언",
    "그거", "그것", "그게", "이것", "그곳", "그분", "번째", "거",
    # When, not what: "지난주 칼럼" (bot.answer.question.window places it).
    "지난주", "지난달", "어제", "오늘", "그저께", "이번", "달", "지나",
})


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
    read: Question | None = None  # what kind of answer it asks for, which documents it names
    topic: dict[str, float] = field(default_factory=dict)  # its terms about what, by idf
    kind: str = "model"  # "model"; "gist" (a stored summary) or "compare" (a quote each)
    asked_before: str = ""  # the chat's previous question: who it named is not an answer
    cold: str | None = None  # a document answered from passages, its prefix not at hand
    figures: list[tuple[Document, str]] = field(default_factory=list)  # kind "figures"


class Planner:
    def __init__(self, store: Store, retriever: Retriever, llm: LLM | None):
        self.store = store
        self.retriever = retriever
        self.llm = llm
        self.context_tokens = CONTEXT_TOKENS
        # When a single document is answered from passages: "cold" (its prefix is not at
        # hand), "always" or "never" (bench/eval.py --passages compares them).
        self.passages = "cold"
        self.passage_tokens = PASSAGE_TOKENS  # its best sentences' budget (at least one)
        # Sentences of a whole document repeated beside the question (bench/eval.py
        # --hint-lines measures the trade: answers against time to the first token).
        self.hint_lines = HINT_LINES
        self.today = date.today  # what "지난주" counts from

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
        read_as = plan.read = read(question)
        named = self.named(read_as)
        earlier = [t.text for t in (history or []) if t.role == "user"][-1:]
        plan.asked_before = earlier[0] if earlier else ""
        if not named and earlier and read_as.leans_back:  # "거기서 …": the one named before
            named = self.named(read(earlier[0])) or self._answered_from(history or [])
        hits = self.retriever.search(question, limit=12)
        coverage = self.retriever.coverage(question, hits)
        previous = [t.text for t in (history or []) if t.role == "user"][-1:]
        if previous:
            # A follow-up ("그럼 대안으로 무엇을 제안했나요?") leans on the previous question;
            # read it together with that one unless it stands better on its own (a new topic).
            joined = previous[0] + " " + question
            joined_hits = self.retriever.search(joined, limit=12)
            joined_coverage = self.retriever.coverage(joined, joined_hits)
            if joined_coverage and (read_as.leans_back and not named or not coverage or
                                    joined_coverage[0].share > coverage[0].share):
                hits, coverage = joined_hits, joined_coverage
        if not named and (days := window(question, self.today())):
            # "지난주 칼럼에서 …": of the documents that cover it, those dated then.
            first, last = (d.isoformat() for d in days)
            dated = [c for c in coverage if c.share >= MIN_COVERAGE and
                     (doc := self.store.document(c.doc_id)) and doc.date and
                     first <= doc.date[:10] <= last]
            coverage = dated or coverage
            hits = [h for h in hits if h.doc_id in {c.doc_id for c in dated}] or hits
        plan.hits = hits
        plan.weights = self.retriever.weights(question)
        plan.topic = self.topic(read_as, plan.weights, named)
        if earlier and read_as.leans_back:  # "그걸 두고 …": what the previous question asked
            before = read(earlier[0])
            weights = self.retriever.weights(earlier[0])
            # "그 사람이 예로 든 교수는 누구예요?": the one asked about before is the way in,
            # not the answer, so its words count for less.
            share = 0.25 if PERSON.search(question) else 0.5
            for term, weight in self.topic(before, weights, self.named(before)).items():
                plan.topic.setdefault(term, weight * share)
        plan.retrieve_ms = int((time.perf_counter() - started) * 1000)
        if read_as.compare and len(named) >= 2:
            plan.kind, plan.docs = "compare", named[:3]
            return plan
        if named:
            plan.docs = named[:1] if not read_as.compare else named
            plan.hits = [h for h in hits if h.doc_id in {d.id for d in plan.docs}] or hits
            if read_as.gist and len(plan.docs) == 1 and plan.docs[0].summary \
                    and len(plan.topic) <= 1:
                plan.kind = "gist"
                return plan
        else:
            leaning = bool(previous) and read_as.leans_back
            if not coverage or max(c.share for c in coverage) < MIN_COVERAGE and not leaning:
                plan.refusal = self.not_covered()
                return plan
            plan.docs = self._choose_docs(question, coverage)
            if quoted := figures.across(self, plan, coverage):  # each source's own figure
                plan.kind, plan.figures, plan.docs = "figures", quoted, [d for d, _ in quoted]
                return plan
            if other := figures.elsewhere(self, plan, coverage):  # the one that gives it
                plan.docs = [other]
                plan.hits = [h for h in hits if h.doc_id == other.id] or hits
        single = len(plan.docs) == 1 and self.fits_whole(plan.docs[0])
        if single and self._whole(plan.docs[0]):
            self._plan_document(plan, history or [])
        elif single:
            plan.cold = plan.docs[0].id  # its whole prefix is worth computing: soon
            self._plan_cold(plan, history or [])
        else:
            self._plan_collection(plan, history or [])
        return plan

    def _whole(self, doc: Document) -> bool:
        """Whether to give the document whole: its evaluated prefix is at hand (in memory or
        on disk). A cold document is answered from its best passages behind the shared
        prefix (seconds), not after evaluating all of it (~30 s); see `passages`."""
        if self.passages != "cold":
            return self.passages == "never"
        return self.llm is None or self.llm.has_prefix(
            prompting.system(prompting.doc_block(1, doc, doc.text)))

    def named(self, question: Question) -> list[Document]:
        """The documents a question names ("이해민 의원 칼럼", "'AGI서 한발 물러난 빅테크'
        기사"), in the order named: each the one document that holds the naming words (in
        its title, outlet, author or text) clearly better than any other."""
        found: dict[str, Document] = {}
        for quoted in question.quoted:  # a title in quotes
            flat = re.sub(r"\W", "", quoted)
            words = re.findall(r"\w+", quoted)
            if len(flat) < 6 or max(map(len, words), default=0) < 2:
                continue
            for doc_id in self.store.documents_titled(words):
                doc = self.store.document(doc_id)
                if doc and flat in re.sub(r"\W", "", doc.title):
                    found.setdefault(doc.id, doc)
        for phrase in question.mentions:
            terms = [t for t in self.retriever.query_terms(phrase) if t not in ASKING_WORDS]
            _, df = self.store.term_frequencies(terms)
            naming = {t: self.store.documents_naming(t) for t in terms if len(t) >= 2}
            # A word no document holds ("의원" where they say "국회의원") tells them apart not.
            terms = [t for t in terms if df.get(t) or naming.get(t) or " " in t]
            if not terms:
                continue
            weights = self.retriever.idf(terms)
            total = sum(weights.values())
            shares = []
            candidates = {h.doc_id for h in self.retriever.search(phrase, limit=12)}
            candidates.update(d for ids in naming.values() for d in ids)
            for doc_id in candidates:
                doc = self.store.document(doc_id)
                if not doc:
                    continue
                fields = " ".join(x for x in (doc.title, doc.outlet, doc.author, doc.credits)
                                  if x)
                vocabulary = set(self.store.doc_morphemes(doc_id)) | set(
                    self.retriever.korean.morphemes(fields))
                # "이해민 의원" names the column of "국회의원 이해민": a Korean word held
                # inside a longer one counts (a number inside another does not).
                named = [t for t in terms if t in vocabulary or t in fields.lower() or
                         HANGUL_WORD.fullmatch(t) and t in doc.text]
                shares.append((sum(weights[t] for t in named) / total, doc))
            shares.sort(key=lambda s: -s[0])
            if shares and shares[0][0] >= NAMED_SHARE and (
                    len(shares) == 1 or shares[1][0] < shares[0][0] * 0.8):
                found.setdefault(shares[0][1].id, shares[0][1])
        return list(found.values())

    def topic(self, question: Question, weights: dict[str, float],
              named: list[Document]) -> dict[str, float]:
        """The question's terms about what it asks (not the words naming a document or
        asking how), with their weights."""
        naming = {t for phrase in question.mentions for t in self.retriever.query_terms(phrase)}
        # "어느 도시에서", "어느 당": the kind of thing asked for, not what it is about.
        for kind in re.findall(r"어느\s+(\S+)", question.text):
            naming |= set(self.retriever.query_terms(kind))
        titles = "".join(re.sub(r"\W", "", d.title) for d in named)
        for quoted in question.quoted:  # a quoted title names; other quotes are the topic
            if re.sub(r"\W", "", quoted) in titles:
                naming |= set(self.retriever.query_terms(quoted))
        return {t: w for t, w in weights.items() if t not in naming and t not in ASKING_WORDS}

    def _plan_document(self, plan: Plan, history: list[Turn]) -> None:
        """One document, whole, in the cached prefix: the turn holds only the question."""
        plan.context = prompting.doc_block(1, plan.docs[0], plan.docs[0].text)
        plan.numbers = {1: plan.docs[0]}
        turn = prompts.render("answer_user", question=plan.question)
        if self.hint_lines and (hints := self.evidence(plan, limit=self.hint_lines)):
            turn = prompts.render("answer_user_hint", question=plan.question,
                                  evidence="\n".join(f"- {s}" for _, s in hints))
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

    def _plan_cold(self, plan: Plan, history: list[Turn]) -> None:
        """One document whose evaluated prefix is not at hand: the shared prefix (evaluated
        already), then a turn with the document's name and its best sentences only. Every
        token of the turn is prompt processing before the first token (~10 ms each on two
        cores), so it carries no summary and no list markup."""
        shared = self.collection()
        doc = plan.docs[0]
        number = next((n for n, d in enumerate(shared, 1) if d.id == doc.id), len(shared) + 1)
        kept, used = [], 0
        for _, sentence in self.evidence(plan, limit=EVIDENCE_LINES):  # best first
            used += self._tokens(sentence)
            if kept and used > self.passage_tokens:
                break
            kept.append(sentence)
        lines = "\n".join(kept)
        # A question that quotes the title has said it already: 40-odd tokens not to repeat.
        quoted = re.sub(r"\W", "", doc.title) in re.sub(r"\W", "", plan.question)
        name = f"({doc.meta})" if quoted else f"{doc.title} ({doc.meta})"
        turn = prompts.render("answer_user_cold", number=number, heading=name, evidence=lines,
                              question=plan.question)
        shared_context = prompting.collection_context(shared)
        plan.messages = prompting.messages(shared_context, history, turn)
        plan.context = "\n\n".join([shared_context, lines])  # what grounding checks
        plan.numbers = dict(enumerate(shared, 1)) | {number: doc}
        plan.cache_prefix = 1

    def _answered_from(self, history: list[Turn]) -> list[Document]:
        """The one document the chat's last answer rested on, when it rested on one: what
        "거기서 …" points at when the question before named nothing."""
        last = next((t for t in reversed(history) if t.role == "assistant"), None)
        if last is None or len(last.sources) != 1:
            return []
        doc = self.store.document(last.sources[0])
        return [doc] if doc else []

    def collection(self) -> list[Document]:
        """The newest documents whose summaries fit the shared prefix; a document not
        summarised yet is there with its lead sentences, so right after a bulk import the
        prefix every cold question starts from exists before any summary does."""
        chosen, used = [], 0
        for doc in self.store.documents(limit=COLLECTION_DOCS):
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
        # The proper names asked about that the best document holds ("엔비디아"), and the
        # weightiest word it holds as asked when no runner-up holds it ("마누스", which Kiwi
        # does not know for a name): a document without them speaks of something else,
        # however much of the rest it shares.
        names = self.retriever.names(question) & coverage[0].matched
        weights = self.retriever.weights(question)
        held = [t for t in coverage[0].exact if not verify.YEAR_WORD.fullmatch(t)]  # not 올해
        top = max(held, key=lambda t: (weights.get(t, 0.0), t)) if held else None  # ties: same
        if top and not any(top in c.matched for c in coverage[1:3]):
            names.add(top)
        for cov in coverage[1:3]:
            if not plural and not names <= cov.matched:
                continue
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
                    if sentence.strip() != doc.title.strip():  # a title is not evidence
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


def unlabelled(plan: Plan, text: str) -> str:
    """A small model often starts by copying the document's heading ("[문서 1] 제목
    (매체)"): that is not part of the answer."""
    text = re.sub(r"^\s*\[?문서\s?\d+\]?\s+", "", text)  # not "[문서 1]에 따르면"
    for doc in plan.numbers.values():
        for heading in (f"{doc.title} ({doc.meta})", doc.title):
            if text.startswith(heading):
                return text[len(heading):].lstrip(" :\n")
    return text
