"""Positions of one document on the propositions: candidate sentences by the propositions'
terms (Kiwi morphemes) that argue; the side of each by `method` (DEBATE_SIDES): the wording
(`sides.read`, the default: which of the proposition's two described sides it argues for, or
none), or a constrained choice — the model's log-probabilities of four one-word labels,
calibrated against a content-free sentence (`Judge`) — or the wording with the model's veto;
and the actor from the attribution around the sentence (`actors`).

A model call costs one prompt evaluation of the candidate's own ~60 tokens: the instructions
are the same for every call and the proposition for all of its candidates, so llama.cpp keeps
both evaluated. No text is generated, so no quote can be altered: a position's quote is always
the stored sentence."""
from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

from bot import prompts
from bot.debate.actors import ASKED, Actors, Line
from bot.debate.sides import AGAINST_CUES, CONDITIONAL_CUES, Descriptions, Token, read
from bot.korean import CONTENT_TAGS, Korean
from bot.llm import LLM, Interrupt, Message
from bot.types import (
    AGAINST,
    CONDITIONAL,
    DEBATE_METHODS,
    FOR,
    SIDES,
    Document,
    Position,
    Proposition,
)

log = logging.getLogger(__name__)

NONE = "무관"
LABELS = (FOR, AGAINST, CONDITIONAL, NONE)
PROMPTS = ("debate_system", "debate_user")
CONTENT_FREE = "N/A"
RULES = 10  # bump when candidate selection, the decision or the actor rules change
PER_PROPOSITION = 3  # candidate sentences judged per proposition and document
MIN_TERMS = 2  # distinct proposition terms a candidate sentence must hold
MIN_WORDS = 3  # ...or one term and this many words of the proposition's own text
MARGIN = 1.0  # calibrated log-odds by which the chosen side must beat every other label
VETO = 1.0  # calibrated log-odds by which the model's 무관 must lead for it to overrule the cues
METHOD = "cues"  # how a side is decided (see decide; DEBATE_SIDES); by bench/debate_eval.py
MIN_CHARS, MAX_CHARS = 15, 400
# A sentence that argues: an ought, a need, a judgement, a call or a stated (dis)agreement.
# Facts, figures and plans ("…을 편성했다", "…이 소개됐다") take no side, whatever the model
# says.
ARGUES = re.compile(
    r"해야|야 한다|야 합니다|어야|여야|아야|돼야|게 맞|할 때다|"
    r"필요(?:하|가 있|합|없)|시급|절실|핵심|관건|중요(?:하|합|한)|회의적|"
    r"무리[\"”’']?(?:다|라|입니다)|어림도 없|앞뒤가 바뀐|할 만하|"
    r"바람직|(?:말|하|만들|가)자(?=[.!,”\"'’]|는 ?게)|않아야|안 된|말아야|옳|"
    r"불가능|부족|충분히|동의|반대|찬성|우려|"
    r"기회|주장|촉구|요구(?:했|한다|합니다|하고 있)|생각합니다|생각한다|"
    r"(?:다|라)고 (?:본다|봅니다)|봐야|나아가야|지적|비판|"
    r"반박|가로막|떨어지|잘못|"
    r"문제(?:다|입니다|가 있)|것은 [^.]{0,40}(?:이|가) 아(?:니다|닙니다)")
# A sentence that ends by reporting — an explanation, an assessment, a forecast, an
# announcement, a remark — states what is so, unless it also carries an ought, a stated
# (dis)agreement or a condition: "…불가능한 수준이란 평가다", "…반영됐다"고 말했다.
REPORTED = re.compile(r"(?:설명|평가|분석|전망|예상|관측|보도|집계|발표|소개|밝혔|전했|알려졌|"
                      r"덧붙였|말했|강조했)[가-힣 ]{0,6}[.。]?[\"”’']*$")
# A sentence about the disagreement itself ("찬성과 반대가 뒤섞였다", "입장이 엇갈렸다") reports it.
# So does a headline that sets two views side by side ("\"…열어야\" vs \"…금기\"").
DISPUTE = re.compile(r"(?:엇갈렸|엇갈린다|뒤섞였|맞섰|맞서고 있|정면충돌|팽팽하|"
                     r"(?<![A-Za-z])(?:vs|VS)\.?(?![A-Za-z]))")
# A question, asked with its mark or by its ending alone ("…어떻게 풀어야 하나.", "…옳은가.",
# "…없을까."): Korean asks by the verb's ending, and a column asks before it answers.
QUESTION_END = re.compile(r"(?:\?|(?:야\s?하나|는가|은가|인가|을까|일까|할까|나요|까요|느냐|냐)"
                          r"[.…]?)[\"”’']*\s*$")
NORMATIVE = re.compile(
    r"해야|야 한다|야 합니다|어야|여야|아야|돼야|말아야|않아야|안 된|게 맞|할 때다|할 만하|"
    r"(?:말|하|만들|가)자(?=[.!,”\"'’]|는 ?게)|"
    r"동의|반대|찬성|주장|촉구|봐야|나아가야|필요(?:하다|합니다|하다고|가 있)|바람직|잘못|옳")


def takes_side(text: str) -> bool:
    return bool(NORMATIVE.search(text) or AGAINST_CUES.search(text)
                or CONDITIONAL_CUES.search(text))


def positions_key(llm: LLM, propositions_key: str, method: str = METHOD) -> str:
    """Positions are found again when the propositions, the rules or the method change, and,
    where the model decides, when the model or its prompts change."""
    digest = hashlib.sha256(f"{prompts.prompts_key(*PROMPTS)}:{propositions_key}:rules{RULES}"
                            f":{method}".encode()).hexdigest()[:16]
    return f"{digest}:{llm.name}" if DEBATE_METHODS[method].model else digest


def bare(sentence: str) -> str:
    """The sentence without a quotation mark that opens or closes nothing inside it (a
    quotation spanning several sentences, a quoted headline), so a position's quote, shown in
    quotation marks, is not doubled. Still a substring of the stored text."""
    text = sentence.strip()
    if len(text) > 2 and text[0] in "“‘\"'" and text[-1] in "”’\"'" \
            and sum(text.count(c) for c in "“”‘’\"'") == 2:
        text = text[1:-1]
    if text.count('"') % 2:
        text = text[1:] if text.startswith('"') else text[:-1] if text.endswith('"') else text
    opens, closes = text.count("“") + text.count("‘"), text.count("”") + text.count("’")
    if opens > closes and text[:1] in "“‘":
        text = text[1:]
    elif closes > opens and text[-1:] in "”’":
        text = text[:-1]
    return text.strip()


@dataclass(frozen=True)
class Candidate:
    proposition: Proposition
    index: int  # into the document's lines
    text: str
    terms: int  # distinct proposition terms it holds


def lines_of(doc: Document, korean: Korean) -> tuple[list[Line], list[frozenset[str]]]:
    """The document's sentences (with their paragraph) and each one's morphemes."""
    paragraphs = doc.text.split("\n")
    lines, morphs = [], []
    for number, (paragraph, sentences) in enumerate(zip(paragraphs, korean.analyse(paragraphs))):
        for sent in sentences:
            text = paragraph[sent.start:sent.end].strip()
            if text:
                lines.append(Line(number, text))
                morphs.append(frozenset(sent.morphemes))
    return lines, morphs


class TermIndex:
    """Each proposition's terms as morpheme sets: a term is in a sentence when all of its
    morphemes are. Its two sides' descriptions count as its terms too."""

    def __init__(self, propositions: tuple[Proposition, ...], korean: Korean):
        def sets(words: tuple[str, ...]) -> tuple[frozenset[str], ...]:
            # "학습데이터" and "학습 데이터" are one term once analysed.
            return tuple(dict.fromkeys(frozenset(m) for t in words if (m := korean.morphemes(t))))

        self.sides = {p.id: Descriptions(sets(p.pro), sets(p.con)) for p in propositions}
        self.terms = {p.id: list(dict.fromkeys((*sets(p.terms), *self.sides[p.id].pro,
                                                *self.sides[p.id].con)))
                      for p in propositions}
        self.focus = {p.id: list(sets(p.focus)) for p in propositions}
        self.words = {p.id: frozenset(korean.morphemes(p.text, drop_stop=True))
                      for p in propositions}

    def count(self, pid: str, morphs: frozenset[str]) -> int:
        """Distinct terms the sentence holds; "AI 데이터센터" is one mention, not also a
        "데이터센터"."""
        if (focus := self.focus.get(pid)) and not any(term <= morphs for term in focus):
            return 0  # context words only: "공공기관" and "행정" without any AI being used
        held = [term for term in self.terms.get(pid, ()) if term <= morphs]
        return sum(1 for term in held if not any(term < other for other in held))

    def overlap(self, pid: str, morphs: frozenset[str]) -> int:
        """Words of the proposition's own text the sentence holds."""
        return len(self.words.get(pid, frozenset()) & morphs)


def candidates(doc: Document, lines: list[Line], morphs: list[frozenset[str]],
               propositions: tuple[Proposition, ...], index: TermIndex) -> list[Candidate]:
    """Per proposition, the sentences holding most of its terms (at least MIN_TERMS, or one
    and MIN_WORDS words of the proposition itself), that argue rather than report, best
    first, earlier first on ties. A sentence argues one thing: one that several propositions
    claim goes to the one whose terms and words it holds most, and to none on a tie."""
    fits: dict[int, list[tuple[float, Proposition, int]]] = {}
    for i, (line, terms) in enumerate(zip(lines, morphs)):
        if (not MIN_CHARS <= len(line.text) <= MAX_CHARS or line.text == doc.title
                or not ARGUES.search(line.text) or ASKED.match(line.text)
                or (REPORTED.search(line.text) and not takes_side(line.text))
                or DISPUTE.search(line.text)
                or QUESTION_END.search(line.text)):
            continue  # a question, the interviewer's or a rhetorical one, takes no side
        for prop in propositions:
            n = index.count(prop.id, terms)
            words = index.overlap(prop.id, terms)
            if n >= MIN_TERMS or (n and words >= MIN_WORDS):
                fits.setdefault(i, []).append((n + 0.1 * words, prop, n))
    per_prop: dict[str, list[tuple[int, int]]] = {}
    for i, found in fits.items():
        found.sort(key=lambda x: x[0], reverse=True)
        if len(found) > 1 and found[0][0] == found[1][0]:
            continue
        _, prop, n = found[0]
        per_prop.setdefault(prop.id, []).append((-n, i))
    out = []
    for prop in propositions:
        for n, i in sorted(per_prop.get(prop.id, []))[:PER_PROPOSITION]:
            out.append(Candidate(prop, i, bare(lines[i].text), -n))
    return out


class Judge:
    """The side a sentence takes on a proposition, by constrained choice."""

    def __init__(self, llm: LLM):
        self.llm = llm
        self._system = prompts.template("debate_system")
        self._baseline: dict[str, dict[str, float]] = {}  # proposition text -> label scores
        self.calls = 0

    def _messages(self, prop: Proposition, sentence: str) -> list[Message]:
        user = prompts.render("debate_user", proposition=prop.text,
                              sentence=" ".join(sentence.split()))
        return [{"role": "system", "content": self._system}, {"role": "user", "content": user}]

    def _scores(self, prop: Proposition, sentence: str, interrupt: Interrupt) -> dict[str, float]:
        self.calls += 1
        return self.llm.choose(self._messages(prop, sentence), LABELS, interrupt=interrupt)

    def calibrated(self, prop: Proposition, sentence: str,
                   interrupt: Interrupt = None) -> dict[str, float]:
        """Each label's log-probability less what it gets for a content-free sentence: the
        model's leaning towards a label whatever the sentence says is taken out."""
        if prop.text not in self._baseline:
            self._baseline[prop.text] = self._scores(prop, CONTENT_FREE, interrupt)
        base = self._baseline[prop.text]
        raw = self._scores(prop, sentence, interrupt)
        return {label: raw[label] - base[label] for label in LABELS}

    @staticmethod
    def decide(scores: dict[str, float], margin: float = MARGIN) -> tuple[str, float]:
        """(label, how far it beats the next best); NONE unless a side wins by `margin`."""
        ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
        (label, best), (_, second) = ranked[0], ranked[1]
        if label == NONE or best - second < margin:
            return NONE, best - second
        return label, best - second


@dataclass(frozen=True)
class Judged:
    """A candidate with what each method makes of it."""
    candidate: Candidate
    actor: str
    cued: str  # the side its wording argues (sides.read), NONE when it argues neither
    scores: dict[str, float] | None  # the model's calibrated label scores (None: not asked)


def decide(judged: Judged, method: str = METHOD, margin: float = MARGIN,
           veto: float = VETO) -> tuple[str, float]:
    """(side or NONE, how clearly). "model": the constrained choice alone; "cues": the
    wording alone; "cues+veto": the wording, unless the model is sure the sentence takes no
    side on the proposition (무관 ahead of every side by `veto`)."""
    uses = DEBATE_METHODS[method]
    if not uses.model:
        return judged.cued, float(judged.candidate.terms)
    if judged.cued == NONE and uses.wording:
        return NONE, 0.0
    if judged.scores is None:
        return NONE, 0.0
    if not uses.wording:
        return Judge.decide(judged.scores, margin)
    best_side = max(judged.scores[s] for s in SIDES)
    if judged.scores[NONE] - best_side >= veto:
        return NONE, 0.0
    return judged.cued, round(best_side - judged.scores[NONE], 3)


def judge_candidates(doc: Document, propositions: tuple[Proposition, ...], judge: Judge | None,
                     korean: Korean, *, interrupt: Interrupt = None,
                     index: TermIndex | None = None) -> list[Judged]:
    """Every candidate sentence with its actor, its worded side and (with a judge) the model's
    scores."""
    lines, morphs = lines_of(doc, korean)
    index = index or TermIndex(propositions, korean)
    actors = Actors(lines, korean)
    out = []
    for cand in candidates(doc, lines, morphs, propositions, index):
        scores = judge.calibrated(cand.proposition, cand.text, interrupt) if judge else None
        side = read(cand.text, tokens(cand.text, korean), index.sides[cand.proposition.id])
        out.append(Judged(cand, actors.of(cand.index), side or NONE, scores))
    return out


def tokens(text: str, korean: Korean) -> list[Token]:
    """The sentence's content morphemes (lower-cased) with where each stands in it."""
    return [(form.lower(), start, end) for form, tag, start, end in korean.token_spans(text)
            if tag.split("-")[0] in CONTENT_TAGS]


def choose(doc: Document, propositions: tuple[Proposition, ...], judged: list[Judged],
           method: str = METHOD) -> list[Position]:
    """Per proposition, side and actor, the candidate that shows it most clearly."""
    best: dict[tuple[str, str, str], Position] = {}
    for item in judged:
        side, clarity = decide(item, method)
        if side == NONE:
            continue
        cand = item.candidate
        key = (cand.proposition.id, side, item.actor)
        if key not in best or clarity > best[key].score:
            best[key] = Position(doc.id, cand.proposition.id, side, item.actor, cand.text,
                                 round(clarity, 3), doc.title, doc.outlet, doc.date)
    order = {p.id: n for n, p in enumerate(propositions)}
    return sorted(one_side_each(best.values()), key=lambda p: (order[p.proposition], -p.score))


def one_side_each(positions: Iterable[Position]) -> list[Position]:
    """One side per actor and proposition in a document: a writer does not argue for and
    against one thing in one piece, so two sides found for one actor mean one reading is
    wrong (a concession, a quoted opponent). A stated condition beside one side is that side
    with its condition (조건부); of 찬성 and 반대, the sentence that holds the proposition
    more clearly stands, and neither when they hold it alike: a wrong side is worse than
    none."""
    by_actor: dict[tuple[str, str], list[Position]] = {}
    for position in positions:
        by_actor.setdefault((position.proposition, position.actor), []).append(position)
    kept = []
    for found in by_actor.values():
        if len(found) == 1:
            kept.extend(found)
            continue
        conditional = [p for p in found if p.side == CONDITIONAL]
        if conditional and len(found) == 2:
            kept.extend(conditional)
            continue
        found = sorted(found, key=lambda p: -p.score)
        if found[0].score > found[1].score:
            kept.append(found[0])
    return kept


def find_positions(doc: Document, propositions: tuple[Proposition, ...], judge: Judge | None,
                   korean: Korean, *, interrupt: Interrupt = None,
                   index: TermIndex | None = None, method: str = METHOD) -> list[Position]:
    """The document's positions. A candidate that takes no side (by `method`) gives none: a
    wrong side is worse than a missing one."""
    started = time.monotonic()
    uses_model = DEBATE_METHODS[method].model
    judged = judge_candidates(doc, propositions, judge if uses_model else None, korean,
                              interrupt=interrupt, index=index)
    found = choose(doc, propositions, judged, method)
    log.debug("positions of %s: %d in %.1f s", doc.id, len(found), time.monotonic() - started)
    return found
