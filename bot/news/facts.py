"""What a stored document states that another can be compared with: its figures (a value with
its unit and the words of the quantity it counts), its names, dates and title words. Read from
the document's stored sentences — Kiwi reads the title, the lead and the sentences with a digit,
the rest keep their stored morphemes — and kept in memory per content hash."""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from bot.korean import Korean
from bot.store import Store, stored_sentences
from bot.types import Document

# A figure as Korean prose writes it: "1만 5천 장", "10조 1천억 원", "2,048장", "36.5%".
_PART = r"\d[\d,]*(?:\.\d+)?\s?(?:천|백)?\s?(?:조|억|만)?"
_UNITS = (r"%p|%|퍼센트|원|달러|위안|장|명|건|곳|개사|개국|개|대|MW|GW|kW|㎡|평|배|"
          r"어절|점|시간|분|년|월|일")
FIGURE = re.compile(rf"(?<![\d.,])({_PART}(?:\s?{_PART})*?)\s?({_UNITS})")
# A figure as a question names one, its unit left out at times ("3.6조라는 기사도 있던데").
NAMED_FIGURE = re.compile(rf"(?<![\d.,])({_PART}(?:\s?{_PART})*)\s?({_UNITS})?")
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s?(천|백)?\s?(조|억|만)?")
_SMALL = {"천": 1e3, "백": 1e2}
_BIG = {"조": 1e12, "억": 1e8, "만": 1e4}
# A date the text states to the month: "2028년 1월", "2026년 3월 27일".
DATE = re.compile(r"(?<!\d)(\d{4})년\s?(\d{1,2})월(?:\s?(\d{1,2})일)?")
# Units that place a thing in time, not count it: never compared as quantities (a date to the
# month is read by DATE instead).
DATE_UNITS = frozenset({"년", "월", "일"})
# "A에서 B로": the document's own value is B; A is the one it replaces.
REPLACED = re.compile(r"^\s?에서\s")
NOUN_TAGS = frozenset({"NNG", "NNP", "SL", "XR", "SH"})
# Tags after which the words before a figure no longer describe it: a verb or an ending
# closes the clause, and so does a comma.
CLAUSE_END = frozenset({"VV", "VA", "VX", "EF", "EC", "ETM", "SP", "SF", "SS"})
QUANTITY_WORDS = 5  # nouns right before a figure that say what it counts
AFTER = 2  # nouns right after it that do ("GPU 8천 장 추가 구매")
# Nouns that describe a figure's setting in every article, never which quantity it is.
GENERIC = frozenset({"정부", "규모", "관련", "당초", "이번", "올해", "내년", "지난해", "전체",
                     "가운데", "이", "그", "약", "총", "모두", "기준", "수준", "만점", "현재",
                     "최대", "최소", "이상", "이하", "각각", "평균", "기존", "대비"})
LEAD = 3  # sentences after the title where an article introduces who and what it is about
_DIGIT = re.compile(r"\d")
# A byline, masthead or credit line ("[누리경제 모지환 기자]", "누리경제 | 입력 …",
# "글: 남궁솔 변호사"): it names who wrote the page, which two reports of one event do not share.
BYLINE = re.compile(r"기자\s*\]|\||@|ⓒ|©|^\s*(?:글|사진|그림|정리)\s*[:：]")
FACTS_KEPT = 4096  # documents whose facts stay in memory
# A page's genre label, bracketed before its title or on its first lines ("[사설]", "[기고]",
# "〈시론〉", "[홍길동의 경제 읽기]"): Korean outlets mark every piece that is not a report so.
# The genres that argue or converse rather than report an event: editorials, columns, op-eds,
# statements, commentary, interviews and round-tables; and a column series named for its
# writer ("…의 …").
GENRE_LABEL = re.compile(r"[\[［【〈<《]\s*([^\]］】〉>》]{1,24}?)\s*[\]］】〉>》]")
NOT_A_REPORT = re.compile(r"사설|칼럼|컬럼|시론|기고|논평|성명|입장문|오피니언|기자수첩|데스크|"
                          r"시평|논단|독자|투고|에세이|인터뷰|대담|좌담|^[가-힣]{2,4}의\s")
GENRE_LINES = 6  # the page's first lines, where the label stands (after a menu, a breadcrumb)
# A sentence that argues in the writer's own voice: it ends saying what should be done, outside
# quotation marks and not as reported speech ("…둬야 한다고 요구했다" reports).
ARGUES = re.compile(r"(?:야 한다|야 할 것이다|필요가 있다|필요하다|바란다|안 된다|옳다|마땅하다|"
                    r"야 한다고 본다|야 한다고 생각한다)[.!]?\s*$")
QUOTED = re.compile(r"[\"“”‘’']")
OWN_VOICE = 3  # sentences of its own argument that make a piece argue: a report may explain
# in a sentence or two what a law requires ("…표시해야 한다") or what a plan needs


@dataclass(frozen=True)
class Figure:
    value: float  # 1만 5천 → 15000.0
    unit: str  # "장", "원", "%", … ("년" for a year)
    written: str  # as the text writes it, with its unit: "1만 5천 장"
    words: frozenset[str]  # the quantity's own words: nouns right before it ("GPU", "예산")
    sentence: str  # the sentence it stands in, verbatim
    replaced: bool = False  # the value a change starts from ("8천 장에서 7천 장으로")
    head: str = ""  # the noun right before it: "비중" in "AI 예산이 차지하는 비중도 1.4%"


@dataclass(frozen=True)
class Facts:
    doc: Document
    sentences: tuple[tuple[str, frozenset[str]], ...]  # verbatim, with its nouns
    names: frozenset[str]  # proper nouns (Kiwi NNP) of title and text, not the page's own
    nouns: frozenset[str]  # every noun of title and text
    title_words: frozenset[str]  # nouns of the title
    lead_words: frozenset[str]  # nouns of the title and the lead, where the event is told
    figures: tuple[Figure, ...]
    dates: frozenset[str]  # dates stated to the month: "2028-01", "2026-03-27"
    argues: bool = False  # an editorial, column, op-ed, statement or interview: not a report

    @property
    def day(self) -> str | None:
        return self.doc.date[:10] if self.doc.date else None


def value_of(number: str) -> float | None:
    """The value of a Korean-written number: "10조 1천억" → 1.01e13, "2,048" → 2048."""
    total = section = 0.0
    found = False
    for digits, small, big in _NUMBER.findall(number):
        try:
            part = float(digits.replace(",", "")) * _SMALL.get(small, 1.0)
        except ValueError:
            return None
        found = True
        if big:
            total += (section + part) * _BIG[big]
            section = 0.0
        else:
            section += part
    return total + section if found else None


def document_sentences(store: Store, doc_id: str) -> list[tuple[str, tuple[str, ...]]]:
    """A stored document's sentences, verbatim, in order, with their stored morphemes."""
    out = []
    for chunk in store.chunks_of(doc_id):
        text = chunk["text"]
        for x in stored_sentences(chunk["sentences"]) or []:
            if sentence := text[x.start:x.end].strip():
                out.append((sentence, x.morphemes))
    return out


class FactReader:
    """Facts of stored documents, read once per content hash (thread-safe)."""

    def __init__(self, store: Store, korean: Korean) -> None:
        self.store, self.korean = store, korean
        self._kept: OrderedDict[tuple[str, str], Facts] = OrderedDict()
        self._lock = threading.Lock()

    def facts(self, doc: Document) -> Facts:
        key = (doc.id, doc.content_hash)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        facts = self._read(doc)
        with self._lock:
            self._kept[key] = facts
            while len(self._kept) > FACTS_KEPT:
                self._kept.popitem(last=False)
        return facts

    def _read(self, doc: Document) -> Facts:
        title = doc.title.strip()
        body = [(s, m) for s, m in document_sentences(self.store, doc.id) if s != title]
        names: set[str] = set()
        sentences, figures = [], []
        title_words: frozenset[str] = frozenset()
        for at, (sentence, stored) in enumerate([(title, None), *body]):
            # Kiwi reads what needs its tags: the title, the lead (where the names are
            # introduced) and sentences with a figure; the rest keep their stored morphemes.
            if stored is not None and at > LEAD and not _DIGIT.search(sentence):
                sentences.append((sentence, frozenset(stored)))
                continue
            tokens = self.korean.token_spans(sentence)
            nouns = frozenset(f.lower() for f, t, _, _ in tokens if t.split("-")[0] in NOUN_TAGS)
            if not BYLINE.search(sentence):
                names.update(f.lower() for f, t, _, _ in tokens if t == "NNP")
            if at == 0:
                title_words = nouns
            else:
                sentences.append((sentence, nouns))
            figures.extend(_figures(sentence, tokens))
        nouns_all = frozenset(title_words.union(*(n for _, n in sentences)))
        lead = title_words.union(*(n for s, n in sentences[:LEAD + 1] if not BYLINE.search(s)))
        dates = {"-".join(f"{int(p):02d}" for p in m if p)
                 for m in DATE.findall("\n".join([title, *(s for s, _ in sentences)]))}
        dates.discard((doc.date or "")[:10])  # the page's own date, not a fact it reports
        return Facts(doc, tuple(sentences), frozenset(names - _credited(doc)), nouns_all,
                     title_words, frozenset(lead), tuple(figures), frozenset(dates),
                     argues(doc, [s for s, _ in sentences]))


def own_voice(sentences: list[str]) -> list[str]:
    """The sentences that argue in the writer's own voice."""
    return [s for s in sentences if ARGUES.search(s) and not QUOTED.search(s)
            and not BYLINE.search(s)]


def argues(doc: Document, sentences: list[str]) -> bool:
    """Whether a page argues or converses rather than reports: its genre label says so, or
    it argues in its own voice more than once."""
    head = [doc.title, *doc.text.splitlines()[:GENRE_LINES]]
    if any(NOT_A_REPORT.search(m.group(1)) for line in head for m in GENRE_LABEL.finditer(line)):
        return True
    return len(own_voice(sentences)) >= OWN_VOICE


# The kinds of piece a reader names a page by ("한빛일보 사설", "창작자 쪽 기고"), in families
# of one way of writing: the kind a page's label gives, or its family, tells pages apart.
KIND_FAMILIES = (
    frozenset({"사설", "칼럼", "컬럼", "시론", "기고", "오피니언", "논단", "시평", "기자수첩",
               "에세이", "데스크", "논평"}),
    frozenset({"인터뷰", "대담", "좌담", "토론"}),
    frozenset({"성명", "논평", "입장문"}),
)
HEAD_LINE = 40  # characters: a head line this short is a label or a section name, not prose


def kind_words(doc: Document) -> str:
    """What a page says it is: its bracketed labels and its short head lines ("[사설]",
    "〔코드데일리 시론〕", "주간 논점 | 커버스토리")."""
    head = [doc.title, *doc.text.splitlines()[:GENRE_LINES]]
    labels = [m.group(1) for line in head for m in GENRE_LABEL.finditer(line)]
    return " ".join(labels + [line for line in head if len(line.strip()) <= HEAD_LINE])


def kind_match(doc: Document, kind: str) -> int:
    """How well a page is the kind of piece named: 2 when it says so ("[사설]" for "사설",
    "좌담" for "좌담회"), 1 when it says it is a piece of the same family ("[시론]" for
    "칼럼"), else 0."""
    stem = kind[:-1] if kind.endswith(("서", "회")) and len(kind) > 2 else kind
    said = kind_words(doc)
    if stem in said:
        return 2
    family = next((f for f in KIND_FAMILIES if stem in f), frozenset())
    return 1 if any(word in said for word in family) else 0


def specific_kind(kind: str) -> bool:
    """Whether a noun for a piece names a kind pages mark ("사설", "좌담회"), not any page
    ("기사", "글", "뉴스")."""
    stem = kind[:-1] if kind.endswith(("서", "회")) and len(kind) > 2 else kind
    return any(stem in f for f in KIND_FAMILIES) or stem in ("커버스토리", "보고서", "단독")


def _credited(doc: Document) -> set[str]:
    """The page's own names (outlet, author): shared by an outlet's reports on any event."""
    return {w.lower() for field in (doc.outlet, doc.author, doc.credits) if field
            for w in re.split(r"\W+", field) if w}


def _word(form: str, tag: str) -> bool:
    """Whether a token says what a figure counts: a noun, not a setting word, not a letter
    split off an abbreviation ("R", "D" of "R&D" are each anyone's)."""
    return tag in NOUN_TAGS and form.lower() not in GENERIC and len(form) > 1


def _figures(sentence: str, tokens: list[tuple[str, str, int, int]]) -> list[Figure]:
    """The figures of one sentence, each with the words of what it counts."""
    out: list[Figure] = []
    for match in FIGURE.finditer(sentence):
        value = value_of(match.group(1))
        unit_at = match.start(2)
        # The unit is a word of its own ("장", not the start of "장관"): Kiwi's reading.
        if value is None or not any(start == unit_at and form == match.group(2)
                                    for form, _, start, _ in tokens):
            continue
        if out and out[-1].replaced and \
                REPLACED.match(sentence[sentence.rfind(out[-1].written, 0, match.start())
                                        + len(out[-1].written):match.start()] + " "):
            # "8천 장에서 7천 장으로": the second counts what the first does
            out.append(Figure(value, match.group(2), match.group(0).strip(), out[-1].words,
                              sentence, bool(REPLACED.match(sentence[match.end():])),
                              out[-1].head))
            continue
        words: list[str] = []
        for form, tag, start, _end in reversed(tokens):
            if start >= match.start():
                continue
            base = tag.split("-")[0]
            if form == ":":  # "GPU 추가 구매: 6,500억 원": a list item names what it counts
                continue
            if base in CLAUSE_END or base in ("SN", "NR") or len(words) >= QUANTITY_WORDS:
                break
            if _word(form, base):
                words.append(form.lower())
        if not words and out and out[-1].unit == match.group(2):
            # "총사업비도 3천억 원가량 불어나 2조 4천억 원이 될": the clause before it says
            # what both count
            words = list(out[-1].words)
        head = words[0] if words else ""
        for form, tag, start, _end in tokens:  # "8천 장 추가 구매": what it buys, after it
            if start < match.end():
                continue
            if tag.split("-")[0] not in NOUN_TAGS or len(words) >= QUANTITY_WORDS + AFTER:
                break
            if _word(form, tag.split("-")[0]):
                words.append(form.lower())
        out.append(Figure(value, match.group(2), match.group(0).strip(), frozenset(words),
                          sentence, bool(REPLACED.match(sentence[match.end():])), head))
    return out
