"""What an answer may rest on (`Evidence`) and the judgements the answer rules
(bot/answer/rules.py) and the fallback make over it: whether a figure comes from a sentence
about what was asked and from the year asked about, what a passage is said of, who said it,
and which sentence holds most of the question's topic."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bot.answer.checks import NUMBER
from bot.answer.question import MONEY_CUES, Question
from bot.korean import Korean

# Tags of the words that carry an answer's content: nouns, names, numbers, foreign words.
NOUN_TAGS = ("NNG", "NNP", "NR", "SN", "SL", "SH", "XR")
NAME_TAGS = ("NNP", "SL")
SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|\n+")
FIGURE_CONTEXT = 0.2  # share of the question's topic a figure's own sentence must hold
SAID_OF_WORDS = 3  # an answer's new words found together: enough to tell where they come from
SAID_OF_SHARE = 0.5  # of those, the share a passage about the subject asked must hold


@dataclass
class Evidence:
    """What an answer may rest on: the text it was given, its sentences with their
    morphemes, and the question's topic terms with their weights."""
    text: str
    sentences: list[tuple[str, frozenset[str]]]
    topic: dict[str, float]
    headings: tuple[str, ...] = ()  # the documents' titles and bylines
    years: dict[str, int] = field(default_factory=dict)  # a sentence's document's year

    def __post_init__(self) -> None:
        self.vocabulary = frozenset(t for _, terms in self.sentences for t in terms)


def names(text: str, korean: Korean, tags: tuple[str, ...] = NAME_TAGS) -> set[str]:
    """The proper names and foreign words of `text` (those with `tags`), lower-cased."""
    return {form.lower() for form, tag in korean.tokens(text)
            if tag.split("-")[0] in tags and len(form) > 1}


def nouns(text: str, korean: Korean) -> set[str]:
    """The nouns, names and foreign words of `text`, lower-cased: what a question asks about."""
    return {form.lower() for form, tag in korean.tokens(text)
            if tag.split("-")[0] in ("NNG", "NNP", "SL", "SH")}


def sentences_of(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s and s.strip()]


def joined(text: str, kept: list[str]) -> str:
    """The kept sentences of `text`, in order, with the breaks that stood between them
    (paragraphs stay paragraphs)."""
    out: list[str] = []
    at = 0
    for sentence in kept:
        found = text.find(sentence, at)
        if found < 0:
            continue
        if out:
            out.append("\n\n" if "\n\n" in text[at:found] else
                       "\n" if "\n" in text[at:found] else " ")
        out.append(sentence)
        at = found + len(sentence)
    return "".join(out)


def said_of(new: set[str], about: set[str] | frozenset[str], evidence: Evidence) -> bool:
    """What an answer's sentence adds comes from a passage (three sentences in a row) that
    names one of `about` — about as much of it as from anywhere: "마이크로소프트는 … 수익화에
    속도를 낸다", stitched from the sentence about 메타, does not stand, though each of its
    words is in the article."""
    sentences = evidence.sentences
    windows = [frozenset().union(*(t for _, t in sentences[max(0, i - 1):i + 2]))
               for i in range(len(sentences))]
    most = max((len(new & w) for w in windows), default=0)
    if most < SAID_OF_WORDS:
        return True  # too little of it in any one place to tell where it comes from
    about_them = max((len(new & w) for w in windows if any(holds(w, n) for n in about)),
                     default=0)
    return about_them >= SAID_OF_SHARE * most


def holds(terms: frozenset[str] | set[str], term: str) -> bool:
    """`term` is among `terms`; a phrase ("젠슨 황") when all its words are."""
    return term in terms or " " in term and all(w in terms for w in term.split())


def weight(terms: frozenset[str] | set[str], topic: dict[str, float]) -> float:
    return sum(w for t, w in topic.items() if holds(terms, t))


def on_topic(sentence: str, evidence: Evidence, korean: Korean) -> bool:
    """The sentence holds a word of the topic that the evidence uses (when there is one)."""
    used = {t: w for t, w in evidence.topic.items() if holds(evidence.vocabulary, t)}
    return not used or weight(set(korean.morphemes(sentence)), used) > 0


def attributed(kept: list[str], asked: set[str], evidence: Evidence, korean: Korean) -> bool:
    """Who said or did it: the one the answer names must stand in the evidence sentence
    about what was asked, or right beside it (not the idea named as its own author)."""
    best, _ = best_statement(evidence, set(evidence.headings))
    if not best:
        return True  # nothing in the evidence is about it: no sentence to check beside
    named = {t for t in korean.morphemes(" ".join(kept)) if t not in asked}
    # An answer that repeats an evidence sentence naming its own speaker ("민서후 … 교수는
    # "…"며 … 지적했다") is attributed by that sentence, whichever sentence scores best.
    if any(names_its_speaker(s) and any(s in k for k in kept) and named & terms
           for s, terms in evidence.sentences):
        return True
    if in_claim := names(best, korean, tags=("NNP",)) - asked:  # the claim names someone
        return bool(named & {w for n in in_claim for w in korean.morphemes(n)})
    # "국내 서버 업체 관계자 역시 … 이유가 없다며 …": a sentence that names its own speaker
    # answers "누가" by itself; the sentence beside it speaks of someone else.
    beside = [] if names_its_speaker(best) else neighbourhood(evidence, best)
    around = set().union(korean.morphemes(best), *(terms for _, terms in beside))
    return bool(named & around)


# A sentence that says who said it: "…이유가 없다며", "…라고 밝혔다", "…점을 지적했습니다".
SPEAKS = re.compile(r"(다며|라며|"
                    r"(다|라)고\s*(말|밝|설명|강조|주장|덧붙|전|평가|언급|지적|시사|전망)|"
                    r"(말|밝|설명|강조|주장|언급|지적|시사|전망|평가)(했|합니)|"
                    r"(말|밝|설명|강조|주장|언급|지적|시사)하며)")


def names_its_speaker(sentence: str) -> bool:
    """"국내 서버 업체 관계자 역시 … 이유가 없다며": the sentence says who said it (not "그는
    …라고 말했다", whose speaker the sentence before names)."""
    return bool(SPEAKS.search(sentence)) and not CONTINUES.search(sentence)


def neighbourhood(evidence: Evidence, sentence: str) -> list[tuple[str, frozenset[str]]]:
    """`sentence` with the sentences right before and after it."""
    at = next((i for i, (s, _) in enumerate(evidence.sentences) if s == sentence), None)
    return [] if at is None else evidence.sentences[max(0, at - 1): at + 2]


# The year a figure belongs to, as news counts it: "올해 예산" is not answered by "내년 예산",
# nor, in an article of 2026, by "2027년(안) 10조 1천억 원".
YEAR_WORD = re.compile(r"(20\d{2})\s*년|지난\s?해|올해|금년|내년|작년|전년|올(?=\s?한\s?해)")
# An amount as written: "10조 1천억 원", "5,000억 달러", "7조".
AMOUNT_SPAN = re.compile(r"\d[\d,.]*\s*[조억만천](?:\s*\d[\d,.]*\s*[조억만천백]+)*\s*(?:원|달러)?")
RELATIVE = {"올해": 0, "금년": 0, "올": 0, "내년": 1, "작년": -1, "지난해": -1, "전년": -1}


def _years(text: str, base: int | None) -> list[tuple[int, int | None]]:
    """(position, year counted from `base`: 0 this year, 1 next) of each year `text` names;
    None for a calendar year when the text's own year is not known."""
    return [(m.start(), int(m.group(1)) - base if base else None) if m.group(1) else
            (m.start(), RELATIVE[re.sub(r"\s", "", m.group(0))]) for m in YEAR_WORD.finditer(text)]


def other_year(question: str, sentence: str, at: int, base: int | None) -> bool:
    """The question asks about one year ("올해") and the figure at `at` in `sentence` (of a
    document dated in `base`) belongs to another: the year named last before it, or, when
    none is, every year the sentence names."""
    asked = {y for _, y in _years(question, None) if y is not None}
    named = _years(sentence, base)
    before = [y for position, y in named if position < at]
    said = {before[-1]} if before else {y for _, y in named}
    said.discard(None)
    return bool(asked and said) and not asked & said


def figures_in_context(sentence: str, question: Question, evidence: Evidence) -> bool:
    """A figure the question did not give must come from an evidence sentence about what
    was asked (not "160만 개의 기업" as the answer to "GPU 몇 장")."""
    total = sum(evidence.topic.values())
    if not total:
        return True
    # "연구개발 예산은 얼마": when the documents use the word for the money asked about, an
    # amount from a sentence without it is some other sum ("정부 1조+민간 5곳 5천억원").
    cues = {c for c in MONEY_CUES.findall(question.text) if c in evidence.text} \
        if question.counter == "money" else set()
    # So for whatever is counted ("사용률은 몇 %", "총액이 얼마"): a page gives a figure in
    # the sentence that names what it counts.
    if question.counted and len(question.counted) >= 2 and \
            question.counted in evidence.text.lower():
        cues.add(question.counted)
    for number in NUMBER.findall(sentence):
        number = number.rstrip(".,")
        if number in question.text:
            continue
        flat = number.replace(",", "")
        holding = [(s, terms) for s, terms in evidence.sentences if flat in s.replace(",", "")]
        context = max((weight(terms, evidence.topic) for _, terms in holding), default=0.0)
        if context < FIGURE_CONTEXT * total or \
                cues and not any(c in s.lower() for s, _ in holding for c in cues):
            return False
    return not any(_of_other_years(flat, question, evidence) for flat in
                   (re.sub(r"[\s,]", "", a) for a in AMOUNT_SPAN.findall(sentence))
                   if flat not in re.sub(r"[\s,]", "", question.text))


def for_other_year(question: str, sentence: str, base: int | None) -> bool:
    """Every amount `sentence` gives belongs to a year other than the one `question` asks
    about (`base`: the year of the sentence's document)."""
    flat = re.sub(r"[\s,]", "", sentence)
    amounts = [re.sub(r"[\s,]", "", a) for a in AMOUNT_SPAN.findall(sentence)]
    return bool(amounts) and all(other_year(question, flat, flat.find(a), base) for a in amounts)


def _of_other_years(amount: str, question: Question, evidence: Evidence) -> bool:
    """Every evidence sentence that gives `amount` (spaces and commas left out) gives it for
    a year other than the one asked."""
    places = [(flat, at, evidence.years.get(s)) for s, _ in evidence.sentences
              if (at := (flat := re.sub(r"[\s,]", "", s)).find(amount)) >= 0]
    return bool(places) and all(other_year(question.text, *place) for place in places)


def best_statement(evidence: Evidence, titles: set[str],
                   filled: Callable[[str], bool] | None = None) -> tuple[str, float]:
    """The evidence sentence that holds most of the question's topic, and the share it holds;
    never a title or a heading. With `filled`, one that holds the kind of thing asked for
    (a figure, a date) is preferred when it is nearly as much about the topic."""
    total = sum(evidence.topic.values()) or 1.0
    scored = [(weight(terms, evidence.topic) / total, sentence)
              for sentence, terms in evidence.sentences if is_statement(sentence, titles)]
    share, best = max(scored, default=(0.0, ""), key=lambda s: s[0])
    if filled and best and not filled(best):
        fit = [(s, sentence) for s, sentence in scored if s >= share * 0.7 and filled(sentence)]
        if fit:
            share, best = max(fit, key=lambda s: s[0])
    return (best, share) if share > 0 else ("", 0.0)


ARGUING_BONUS = 1.5  # an arguing sentence's topic weight, against a reporting one's


def top_statements(evidence: Evidence, titles: set[str], n: int,
                   arguing: Callable[[str], bool] | None = None) -> list[str]:
    """The `n` evidence sentences that hold most of the topic, in the order they stand; with
    `arguing`, a sentence that argues (it judges, demands, refuses) counts for more than one
    that reports — what a question about someone's view asks for."""
    def score(sentence: str, terms: frozenset[str]) -> float:
        held = weight(terms, evidence.topic)
        return held * ARGUING_BONUS if arguing and held and arguing(sentence) else held
    ranked = sorted(((score(unit, terms), first, last, unit)
                     for first, last, unit, terms in _thoughts(evidence, titles)),
                    key=lambda r: (-r[0], r[1]))
    chosen: list[tuple[float, int, int, str]] = []
    for r in ranked:
        if len(chosen) == n or r[0] <= 0:
            break
        if not any(r[1] <= c[2] and c[1] <= r[2] for c in chosen):  # no sentence twice
            chosen.append(r)
    return [unit for _, _, _, unit in sorted(chosen, key=lambda r: r[1])]


def _thoughts(evidence: Evidence, titles: set[str]
              ) -> Iterator[tuple[int, int, str, frozenset[str]]]:
    """The evidence's statements as a reader quotes them: a lead-in too short to quote alone
    with the sentence it leads into ("문제는 인력이다. 현장 인력이 …"), a sentence with
    the one that goes on about it ("… 풀어가야 할 '그 어떤 것'입니다. 이에 … 국가AI위원회를
    설치한 바 있지요"). (first, last) index the sentences; the text is verbatim."""
    sentences = evidence.sentences
    for i, (sentence, _) in enumerate(sentences):
        last = i
        if i + 1 < len(sentences) and (
                not is_statement(sentence, titles) and re.search(r"[가-힣]{2}", sentence) or
                CONTINUES.search(sentences[i + 1][0])) and \
                f"{sentence} {sentences[i + 1][0]}" in evidence.text:
            last = i + 1
        unit = " ".join(s for s, _ in sentences[i:last + 1])
        if is_statement(unit, titles):
            yield i, last, unit, frozenset().union(*(t for _, t in sentences[i:last + 1]))


def is_statement(sentence: str, titles: set[str]) -> bool:
    """A sentence of running text: not a title, a heading or a line of page chrome."""
    bare = sentence.strip(" \"'“”‘’")
    if len(bare) < 20 or any(bare in t or t in bare and len(t) > len(bare) * 0.8 for t in titles):
        return False
    return bool(re.search(r"[가-힣]", bare)) and not re.fullmatch(r"[\[(【].*[\])】]", bare)


def missing(evidence: Evidence, question: Question | None,
            naming: str = "") -> tuple[list[str], float]:
    """The question's topic words the documents lack, weightiest first, and their share
    of the topic's weight; all of it when they never name the role asked for. A word that
    names a page — its outlet, its writer, its title (`naming`) — says which page is meant,
    not what it must say: "한빛일보 마은정 칼럼" is not content the text lacks."""
    topic = evidence.topic
    naming = naming.lower()
    lacking = sorted((t for t in topic if not holds(evidence.vocabulary, t)
                      and t not in evidence.text.lower()  # "행사" in "연례행사"
                      and not (naming and t in naming)),
                     key=lambda t: -topic[t])
    if question and question.role and question.role not in evidence.text:
        return [question.role, *(t for t in lacking if t != question.role)], 1.0
    total = sum(topic.values())
    return lacking, (sum(topic[t] for t in lacking) / total if total else 0.0)


# A sentence that goes on about what the one before it named ("이 모델은 …", "그는 …").
CONTINUES = re.compile(r"^(이|그|해당|이런|그런|이들|그들)\s|"
                       r"^(이는|그는|이들[은이의]|그들[은이의]|이곳은|그곳은|이에|이처럼|이때문에)")


# A sentence that cannot be read without the one before it: "이들이 1년간 구매한 GPU만 20만개",
# "따라서 지금부터 준비해야 할 점은 AI 발전이 한계에 이를 시점 이후다".
LEANS_BACK = re.compile(r"^(이들|그들|이는|그는|이에|따라서|그래서|결국|그러므로|즉)")


def preceded(evidence: Evidence, sentence: str) -> str | None:
    """The evidence sentence right before `sentence`, when `sentence` leans on it."""
    around = neighbourhood(evidence, sentence)
    at = next((i for i, (s, _) in enumerate(around) if s == sentence), None)
    if not at or not LEANS_BACK.search(sentence):
        return None
    return around[at - 1][0]


def continued(evidence: Evidence, sentence: str) -> str | None:
    """The evidence sentence right after `sentence`, when it goes on about the same thing."""
    around = neighbourhood(evidence, sentence)
    at = next((i for i, (s, _) in enumerate(around) if s == sentence), None)
    if at is None or at + 1 >= len(around):
        return None
    after = around[at + 1][0]
    return after if CONTINUES.search(after) else None
