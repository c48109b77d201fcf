"""Stage 1, understand: a question is read once, here, and every later stage reads the result
(`Asked`) instead of analysing the question again — what kind of answer it wants, its terms and
their weights, what it is about, the documents it names, the days it places itself in, and what
it borrows from the chat's previous question."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from bot.answer.options import Options
from bot.answer.question import PERSON, Question, read, window
from bot.answer.retrieval import Retriever
from bot.answer.verify import NAME_TAGS
from bot.debate.actors import NAME_TITLE, NOT_NAMES, SURNAMES
from bot.news.facts import kind_match, kind_words, specific_kind
from bot.store import Store, Turn
from bot.types import Document

# Questions that ask across the collection ("자료들이 공통으로 …", "각 문서 …").
PLURAL_CUES = re.compile(r"(자료들|문서들|기사들|공통|여러|각\s?(자료|문서|기사)|모든|비교|"
                         r"전반|종합|논쟁|논란|찬반|쟁점)")
HANGUL_WORD = re.compile(r"[가-힣]{2,}")
# A document named in a question: the share of the naming words' weight it must hold.
NAMED_SHARE = 0.7
# Chunks searched for the documents a phrase names, and those the rest of the question is about.
NAMING_SEARCHED = 12
# A follow-up that asks who ("그 사람이 예로 든 교수는 누구예요?") borrows the question before's
# topic at this share of its weight (the one asked about before is the way in, not the answer);
# other follow-ups at BORROWED_SHARE.
BORROWED_SHARE, BORROWED_BY_WHO = 0.5, 0.25
# Words of a question that ask how, not about what: left out of its topic.
ASKING_WORDS = frozenset({
    "칼럼", "글", "강연", "연설", "기조연설", "게시판", "게시글", "뉴스", "보도", "필자", "얘기",
    "요지", "핵심", "비교", "각각", "평가", "시각", "같", "다르", "달르", "나오", "말", "생각",
    "결국", "짧", "좀", "해주", "하고", "싶", "둘", "두", "차이", "입장", "정확히", "구체적",
    "대략", "정도", "전하", "실리", "올라오", "다루", "꼽", "들", "뭘", "어느", "구체", "지금",
    "원래", "총", "대체", "혹시", "요즘", "그럼", "거기", "사람", "이름", "명칭", "명단", "발언",
    "그거", "그것", "그게", "이것", "그곳", "그분", "번째", "거",
    # The kind of detail asked for, as "이름" is ("날짜가 언제", "조항 번호"): the answer's
    # shape; the page gives the date or the number itself, not the word.
    "날짜", "일자", "시점", "번호",
    # A debate and who takes part in it, as the asker frames it ("… 논란 정리해줘", "신문들
    # 입장"): the shape of the answer, not its subject.
    "논란", "논쟁", "쟁점", "찬반", "신문", "언론", "매체", "요약", "정리", "종합",
    # The kinds of piece a question names a page by ("국민시보 변호사 시론"): how it is named.
    "사설", "시론", "기고", "성명", "성명서", "논평", "좌담", "좌담회", "대담", "인터뷰",
    "보도자료", "리포트", "커버스토리", "단독",
    # When, not what: "지난주 칼럼" (bot.answer.question.window places it), "지난주 수요일",
    # "지난달 하순에 나온".
    "지난주", "지난달", "어제", "오늘", "그저께", "그제", "이번", "달", "지나", "이달", "최근",
    "월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일", "주말", "초순",
    "상순", "중순", "하순",
})


def persons(text: str) -> list[str]:
    """The people a question names with a title ("오경준 부사장", "곽민철 택시노동연합 실장"),
    by the shape news writes them in: a name of two to four syllables starting with a common
    surname, up to two words of affiliation, a title."""
    return [m.group(0) for m in NAME_TITLE.finditer(text)
            if m["name"][0] in SURNAMES and m["name"] not in NOT_NAMES]


def described(question: Question) -> list[tuple[str, str]]:
    """How the question names pages: by their kind ("한빛일보 사설"), or by a person they
    quote, named with a title (as ("오경준 부사장", ""))."""
    return [*question.described, *((person, "") for person in persons(question.text)
                                   if not any(person in p for p, _ in question.described))]


def namings(question: Question) -> int:
    """How many pages the question names by a phrase of its own (a quoted title is named by
    its phrase before "기사" too)."""
    return len(described(question))


@dataclass(frozen=True)
class Asked:
    """A question as the answer path understands it; built once per question."""
    text: str  # stripped
    read: Question  # the kind of answer it wants, the documents it names by how people call them
    weights: dict[str, float] = field(default_factory=dict)  # its search terms, by idf
    topic: dict[str, float] = field(default_factory=dict)  # its terms about what, by weight
    named: tuple[Document, ...] = ()  # the documents it names (or the follow-up leans on)
    history: tuple[Turn, ...] = ()  # the chat's recent turns, oldest first
    asked_before: str | None = None  # the chat's previous question, when there is one
    before_terms: frozenset[str] = frozenset()  # that question's terms, when this leans on it
    days: tuple[date, date] | None = None  # "지난주", "어제": the days it places itself in
    nouns: frozenset[str] = frozenset()  # its nouns, names and foreign words, lower-cased
    names: frozenset[str] = frozenset()  # its proper names and foreign words, lower-cased
    proper_names: frozenset[str] = frozenset()  # its proper names only (Kiwi NNP)
    forms: frozenset[str] = frozenset()  # every word form it holds, lower-cased
    search_names: frozenset[str] = frozenset()  # its search terms that are names
    plural: bool = False  # asks across the collection

    @property
    def leaning(self) -> bool:
        """A follow-up that reads the previous question ("그 사람은 …?")."""
        return self.asked_before is not None and self.read.leans_back


class Understand:
    name: ClassVar[str] = "understand"

    def __init__(self, store: Store, retriever: Retriever, options: Options):
        self.store = store
        self.retriever = retriever
        self.options = options

    def run(self, question: str, history: Sequence[Turn] | None = None) -> Asked:
        text = question.strip()
        reading = read(text)
        if not text:
            return Asked(text=text, read=reading)
        turns = tuple(history or ())
        earlier = [t.text for t in turns if t.role == "user"][-1:]
        before = earlier[0] if earlier else None
        named = self.named(reading)
        before_read: Question | None = None
        before_named: list[Document] = []
        if before is not None and reading.leans_back:
            before_read = read(before)
            before_named = self.named(before_read)
            if not named:  # "거기서 …": the one named before, or the one answered from
                named = before_named or self._answered_from(turns)
        weights = self.retriever.weights(text)
        topic = self.topic(reading, weights, named)
        before_terms: frozenset[str] = frozenset()
        if before is not None and before_read is not None:  # "그걸 두고 …": what it asked
            share = BORROWED_BY_WHO if PERSON.search(text) else BORROWED_SHARE
            borrowed = self.topic(before_read, self.retriever.weights(before), before_named)
            for term, weight in borrowed.items():
                topic.setdefault(term, weight * share)
            before_terms = frozenset(self.retriever.query_terms(before))
        tokens = self.retriever.korean.tokens(text)
        return Asked(
            text=text, read=reading, weights=weights, topic=topic, named=tuple(named),
            history=turns, asked_before=before, before_terms=before_terms,
            days=window(text, self.options.today()),
            nouns=frozenset(f.lower() for f, tag in tokens
                            if tag.split("-")[0] in ("NNG", "NNP", "SL", "SH")),
            names=frozenset(f.lower() for f, tag in tokens
                            if tag.split("-")[0] in NAME_TAGS and len(f) > 1),
            proper_names=frozenset(f.lower() for f, tag in tokens
                                   if tag.split("-")[0] == "NNP" and len(f) > 1),
            forms=frozenset(f.lower() for f, _ in tokens),
            search_names=frozenset(self.retriever.names(text)),
            plural=bool(PLURAL_CUES.search(text)))

    def named(self, question: Question) -> list[Document]:
        """The documents a question names ("이해민 의원 칼럼", "'AGI서 한발 물러난 빅테크'
        기사") or describes ("한빛일보 사설이랑 새날경제 사설"), in the order named: each the
        one document that holds the naming words (in its title, outlet, author or text) and is
        the kind of piece named clearly better than any other."""
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
        about: dict[str, float] | None = None  # each document's share of the whole question
        # A page named by its kind ("한빛일보 사설"), or by a person it quotes, named with a
        # title ("오경준 부사장이랑 …", "반재우 교수는 …"): the one page that holds them.
        naming = described(question)
        for phrase, kind in naming:
            if not phrase and not specific_kind(kind):
                continue
            if about is None:  # what the question asks about, without the words describing
                rest = question.text
                for naming_words, noun in naming:
                    rest = rest.replace(naming_words, " ").replace(noun, " ")
                hits = self.retriever.search(rest, limit=NAMING_SEARCHED)
                about = {c.doc_id: c.rank for c in self.retriever.coverage(rest, hits)}
            if best := self._named_by(phrase, kind, about, set(found)):
                found.setdefault(best.id, best)
        return list(found.values())

    def _named_by(self, phrase: str, kind: str, about: dict[str, float],
                  taken: set[str]) -> Document | None:
        """The one document `phrase` and `kind` name clearly better than any other not yet
        `taken`, if any: of those holding the naming words and most the kind of piece named,
        the one alone in holding them, or else the one clearly most about the question
        (`about`)."""
        terms = [t for t in self.retriever.query_terms(phrase) if t not in ASKING_WORDS]
        _, df = self.store.term_frequencies(terms)
        naming = {t: self.store.documents_naming(t) for t in terms if len(t) >= 2}
        # A word no document holds ("의원" where they say "국회의원") tells them apart not.
        terms = [t for t in terms if df.get(t) or naming.get(t) or " " in t]
        specific = specific_kind(kind)
        if not terms and not specific:
            return None
        weights = self.retriever.idf(terms)
        total = sum(weights.values())
        found = self.retriever.search(phrase, limit=NAMING_SEARCHED) if terms else []
        candidates = {h.doc_id for h in found}
        candidates.update(d for ids in naming.values() for d in ids)
        candidates.update(about)
        rows = []
        for doc_id in candidates - taken:
            doc = self.store.document(doc_id)
            if not doc:
                continue
            fields = " ".join(x for x in (doc.title, doc.outlet, doc.author, doc.credits,
                                          kind_words(doc)) if x)
            vocabulary = set(self.store.doc_morphemes(doc_id)) | set(
                self.retriever.korean.morphemes(fields))
            # "이해민 의원" names the column of "국회의원 이해민": a Korean word held inside a
            # longer one counts (a number inside another does not).
            held = [t for t in terms if t in vocabulary or t in fields.lower() or
                    HANGUL_WORD.fullmatch(t) and t in doc.text]
            share = sum(weights[t] for t in held) / total if total else 1.0
            rows.append((share, kind_match(doc, kind) if specific else 0, doc))
        rows = [r for r in rows if r[0] >= NAMED_SHARE]
        if specific and rows:  # "사설": of the pages so named, those most the kind named
            most = max(r[1] for r in rows)
            rows = [r for r in rows if r[1] == most]
        rows.sort(key=lambda r: -r[0])
        if not rows:
            return None
        if len(rows) == 1 or rows[1][0] < rows[0][0] * 0.8:
            return rows[0][2]
        if not specific:
            return None
        # Several pages of the kind named hold the naming words alike ("한빛일보" names all
        # its pages): the one the rest of the question is clearly most about.
        tied = sorted((r for r in rows if r[0] >= rows[0][0] * 0.8),
                      key=lambda r: -about.get(r[2].id, 0.0))
        first, second = (about.get(r[2].id, 0.0) for r in (tied + tied)[:2])
        return tied[0][2] if first > 0 and second < first * 0.8 else None

    def topic(self, question: Question, weights: dict[str, float],
              named: Sequence[Document]) -> dict[str, float]:
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

    def _answered_from(self, history: Sequence[Turn]) -> list[Document]:
        """The one document the chat's last answer rested on, when it rested on one: what
        "거기서 …" points at when the question before named nothing."""
        last = next((t for t in reversed(history) if t.role == "assistant"), None)
        if last is None or len(last.sources) != 1:
            return []
        doc = self.store.document(last.sources[0])
        return [doc] if doc else []
