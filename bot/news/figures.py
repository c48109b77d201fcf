"""Different figures, side by side: where documents give different values for one quantity
(a budget, a count of GPUs, a survey share), each value with its sentence, outlet and date.

Two figures count the same quantity when they have the same unit, the words right before
each ("GPU", "AI 예산", "총사업비") share what is counted, and the two documents are about the
same things (their titles and leads share rare words: the same centre, the same budget). A
document's own value is the one it states as current: in "8천 장에서 7천 장으로" that is 7천
장. They differ when each document has a value for the quantity the other does not: an
article that also gives the earlier figure is the same report, not a disagreement. Round
thresholds ("10조 원을 넘었다") and estimates ("약", "가량") are no one's figure for it."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from bot.news.facts import DATE_UNITS, FactReader, Facts, Figure
from bot.news.stories import SHARED_WEIGHT, idf, specific_facts
from bot.store import Store
from bot.types import Document

# Words after a figure that make it a bound or an estimate, not a value.
_APPROXIMATE_AFTER = re.compile(r"^\s?(?:을|를|이|가)?\s?(?:넘|웃돌|밑돌|돌파|이상|이하|미만|초과|"
                                r"가량|안팎|남짓|정도|여|내외|시대|대로|선|수준|규모로\s?늘)")
# Words after a figure that make it the size of a change ("1천억 원 줄어든", "3천 장 늘리기로"):
# a difference between two values, not a value of the quantity.
_CHANGE_AFTER = re.compile(r"^\s?(?:이|가|을|를|씩)?\s?(?:줄|늘|깎|증가|감소|불어|삭감|증액|감액|"
                           r"많|적|오르|올랐|내리|내렸|떨어|높|낮)")
_APPROXIMATE_BEFORE = re.compile(r"(?:약|최대|최소|수|무려|대략|평균)\s?$")
SAME_HEAD = 0.5  # the share two figures with the same head noun count as holding
SAME_VALUE = 0.005  # relative difference under which two values are one (rounding)
THREAD_DAYS = 31  # documents that follow one matter: a month apart at most
SHARED_WORDS = 2  # words of what is counted that two figures share: "GPU" alone is anyone's
LABEL_MAX = 40  # characters of a sentence spanned by a quantity's label
ENTITY = math.log(10)  # a word of what is counted, rarer than one chunk in ten: not "AI"
MAGNITUDE = 2.0  # values of one thing that differ: a revision or another count, not 3 times
YEAR = re.compile(r"(?<!\d)(20\d\d)년")
# The stage a figure belongs to: proposed, passed, final, provisional, original, revised.
STAGE = re.compile(r"정부안|확정|최종|잠정|당초|예비|추경|본예산|수정안|의결|통과")
RELATIVE_YEARS = {"올해": 0, "내년": 1, "지난해": -1, "작년": -1, "이듬해": 1}


@dataclass(frozen=True)
class FigureValue:
    written: str  # the value as its document writes it: "1만 8천 장"
    doc: Document
    sentence: str  # verbatim
    outlet: str  # the document's outlet, or its title in quotes
    date: str | None


@dataclass(frozen=True)
class FigureConflict:
    label: str  # what is counted, in the documents' words: "GPU 추가 구매 물량"
    unit: str
    values: tuple[FigureValue, ...]  # one per document, oldest first


class FigureFinder:
    def __init__(self, store: Store, facts: FactReader) -> None:
        self.store, self.facts = store, facts

    def conflicts(self, docs: list[Document]) -> list[FigureConflict]:
        """Each pair of documents that give one quantity different values, newest first."""
        facts = [self.facts.facts(d) for d in docs]
        words = set().union(*(f.lead_words for f in facts)) if facts else set()
        for f in facts:
            for g in f.figures:
                words |= g.words
        weight = idf(self.store, words)
        own = [[g for g in f.figures if _counts(g)] for f in facts]
        out: list[FigureConflict] = []
        for i, a in enumerate(facts):
            for j in range(i + 1, len(facts)):
                b = facts[j]
                if a.doc.id == b.doc.id or not own[i] or not own[j] or not _near(a, b) or \
                        a.argues or b.argues or \
                        sum(weight[w] for w in a.lead_words & b.lead_words) < SHARED_WEIGHT:
                    continue
                # A document that follows another up cites a figure of it ("당초 발표한 1만
                # 5천 장에서"): then what is counted needs only one word of its own.
                close = bool(specific_facts(a, cited=True) & specific_facts(b, cited=True))
                out.extend(_differ(a, own[i], b, own[j], weight, 1 if close else SHARED_WORDS))
        out = _joined(out)
        out.sort(key=lambda c: max(v.date or "" for v in c.values), reverse=True)
        return out


def _near(a: Facts, b: Facts) -> bool:
    """Whether two dated documents appeared within THREAD_DAYS of each other: a figure
    changes while one matter is followed (a plan, then its revision); a year on, another
    count of the same words is about another thing."""
    if not a.day or not b.day:
        return False
    return abs((date.fromisoformat(a.day) - date.fromisoformat(b.day)).days) <= THREAD_DAYS


def _counts(g: Figure) -> bool:
    """Whether the figure is a document's value for something it names."""
    if g.unit in DATE_UNITS or not g.words:
        return False
    at = g.sentence.find(g.written)
    after = g.sentence[at + len(g.written):]
    return not (_APPROXIMATE_AFTER.match(after) or _CHANGE_AFTER.match(after)
                or _APPROXIMATE_BEFORE.search(g.sentence[:at]))


def _same_quantity(a: Figure, b: Figure, weight: dict[str, float], words: int = SHARED_WORDS
                   ) -> float:
    """How much of what the two figures count they share (0 when not the same unit, or
    when they share fewer than `words` words)."""
    if a.unit != b.unit or len(a.words & b.words) < words:
        return 0.0
    if len(a.words & b.words) < SHARED_WORDS and not (a.head and a.head == b.head):
        return 0.0  # one word in common: it must be what each figure counts
    shared = sum(weight.get(w, 0.0) for w in a.words & b.words)
    whole = min(sum(weight.get(w, 0.0) for w in a.words), sum(weight.get(w, 0.0) for w in b.words))
    share = shared / whole if whole else 0.0
    # The same noun right before both ("GPU 1만 5천 장", "1단계로 GPU 1만 5천 장") counts the
    # same thing, whatever else the clauses say.
    return max(share, SAME_HEAD) if a.head and a.head == b.head else share


def _one_thing(a: Facts, x: Figure, b: Facts, y: Figure, weight: dict[str, float]) -> bool:
    """Whether two figures of one kind are values of one thing: of one magnitude (a revision,
    another source's count or a slip; values further apart are a part and its whole, or two
    things), their sentences naming the same rare thing (the centre, the model, the survey's
    body), and no year or stage said of one that is not said of the other (a proposal and the
    figure passed, a preliminary and a final count are two values of two things)."""
    if max(x.value, y.value) > MAGNITUDE * min(x.value, y.value):
        return False
    if not {w for w in _nouns(a, x) & _nouns(b, y) if weight.get(w, 0.0) >= ENTITY}:
        return False
    years_x, years_y = _years(a, x.sentence), _years(b, y.sentence)
    if years_x and years_y and years_x != years_y:
        return False
    stage_x, stage_y = set(STAGE.findall(x.sentence)), set(STAGE.findall(y.sentence))
    return not (stage_x and stage_y and not stage_x & stage_y)


def _nouns(f: Facts, g: Figure) -> frozenset[str]:
    return next((nouns for sentence, nouns in f.sentences if sentence == g.sentence), g.words)


def _years(f: Facts, sentence: str) -> set[int]:
    """The years a sentence places its figure in: "2027년", or "올해", "내년", "지난해" from
    the document's own date."""
    years = {int(y) for y in YEAR.findall(sentence)}
    if f.day:
        this = int(f.day[:4])
        years |= {this + shift for word, shift in RELATIVE_YEARS.items() if word in sentence}
    return years


def _equal(x: float, y: float) -> bool:
    return abs(x - y) <= SAME_VALUE * max(abs(x), abs(y))


def _differ(a: Facts, a_own: list[Figure], b: Facts, b_own: list[Figure],
            weight: dict[str, float], words: int) -> list[FigureConflict]:
    """The quantities two documents give different values for, each once."""
    found: list[tuple[float, float, Figure, Figure]] = []
    for x in a_own:
        for y in b_own:
            share = _same_quantity(x, y, weight, words)
            if share < 0.5 or _equal(x.value, y.value) or x.replaced or y.replaced or \
                    not _one_thing(a, x, b, y, weight):
                continue
            # Each document's values for the quantity (not the earlier ones it cites): one
            # that also gives the other's value reports the same thing.
            a_values = [g.value for g in a.figures
                        if not g.replaced and _same_quantity(g, y, weight, words) >= 0.5]
            b_values = [g.value for g in b.figures
                        if not g.replaced and _same_quantity(g, x, weight, words) >= 0.5]
            if any(_equal(x.value, v) for v in b_values) or \
                    any(_equal(y.value, v) for v in a_values):
                continue
            found.append((sum(weight.get(w, 0.0) for w in x.words & y.words), share, x, y))
    out, used = [], set()
    # The pairs that share most of what they count first: "AI 분야 예산" 1조 2천억 is set
    # beside "AI 분야 예산" 1조 1천억, not beside "관련 예산" 5,700억.
    for _, _, x, y in sorted(found, key=lambda f: (-f[0], -f[1])):
        if (x.unit, x.value) in used or (y.unit, y.value) in used:
            continue  # a value already set beside its counterpart
        used |= {(x.unit, x.value), (y.unit, y.value)}
        values = sorted([_value(a, x), _value(b, y)], key=lambda v: (v.date or "", v.doc.id))
        out.append(FigureConflict(_label(x, y), x.unit, tuple(values)))
    return out


def _joined(conflicts: list[FigureConflict]) -> list[FigureConflict]:
    """Conflicts that share a document's value are one quantity told by more sources (two
    outlets' 1만 5천 장 against a third's 1만 8천): one conflict with every value, once each."""
    out: list[FigureConflict] = []
    for conflict in conflicts:
        keys = {(v.doc.id, v.written) for v in conflict.values}
        joined = next((c for c in out if c.unit == conflict.unit
                       and keys & {(v.doc.id, v.written) for v in c.values}), None)
        if joined is None:
            out.append(conflict)
            continue
        values = {(v.doc.id, v.written): v for v in (*joined.values, *conflict.values)}
        merged = FigureConflict(joined.label, joined.unit, tuple(sorted(
            values.values(), key=lambda v: (v.date or "", v.doc.id))))
        out[out.index(joined)] = merged
    return out


def _value(f: Facts, g: Figure) -> FigureValue:
    return FigureValue(g.written, f.doc, g.sentence, f.doc.display_name, f.doc.date)


def _label(x: Figure, y: Figure) -> str:
    """The shortest stretch of either sentence, before its figure, that holds the words the
    two share ("GPU 추가 구매 물량"); the shared words themselves when no stretch is short."""
    shared = x.words & y.words
    spans = []
    for g in (x, y):
        before = g.sentence[:g.sentence.find(g.written)]
        low = before.lower()
        found = [(low.rfind(w), len(w)) for w in shared if w in low]
        if found:
            stretch = before[min(at for at, _ in found):max(at + n for at, n in found)]
            spans.append(stretch.strip())
    spans = [s for s in spans if len(s) <= LABEL_MAX]
    if not spans:
        return " ".join(sorted(shared))
    return max(spans, key=lambda s: (sum(w in s.lower() for w in shared), -len(s)))
