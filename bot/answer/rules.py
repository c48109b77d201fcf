"""Stage 5, check: the model's draft against the evidence, by the rules in `RULES` — one list,
applied in its order. A rule's scope says what it judges: the whole reply before it is split
("reply"), each sentence ("sentence": a sentence stays only if every sentence rule passes it),
the first sentence kept ("opening": dropped until one passes), what is kept as a whole ("kept":
all of it or nothing), and the answer as it would be shown ("answer": when one fails, the
fallback answers instead). A composed draft (no model) is quoted verbatim and passes."""
from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar, Literal

from bot.answer import verify
from bot.answer.checks import REFUSAL, figures_stand, grounded, tidy
from bot.answer.evidence import Grounds, gather
from bot.answer.generate import Draft
from bot.answer.prompting import readable, unlabelled
from bot.answer.retrieval import Retriever
from bot.answer.sources import uncited
from bot.answer.understand import Asked
from bot.korean import Korean
from bot.store import Store
from bot.types import Document

# A name held by this share of all chunks ("AI", "GPU", "중국") is no particular name: it does
# not answer "… 이름이 뭐예요?", nor does a sentence holding it speak of what was asked.
COMMON_NAME = 0.1
# A name asked about that at most this share of the evidence sentences hold is what the
# answer must come from a passage about (rule `said_of_the_subject`).
SUBJECT_SPREAD = 0.25

# A sentence with at least this many nouns beyond the question's is judged by what share of
# them the evidence holds (rule `mostly_from_evidence`).
OWN_WORDS_JUDGED = 3

Scope = Literal["reply", "sentence", "opening", "kept", "answer"]


@dataclass(frozen=True)
class Case:
    """What a draft is judged against: the question, the evidence, and the words it asks."""
    asked: Asked
    evidence: verify.Evidence
    docs: tuple[Document, ...]
    subjects: frozenset[str]  # names the question makes its subject, few passages speak of
    follow_up: frozenset[str]  # a follow-up's own new words the documents hold
    korean: Korean
    particular: Callable[[Iterable[str]], set[str]]  # the names not everywhere

    def filled(self, text: str) -> bool:
        """`text` holds the kind of thing asked for (a figure, a date, a name)."""
        return self.asked.read.filled(text, self.particular(verify.names(text, self.korean)))

    def names_new(self, text: str) -> bool:
        """`text` names someone particular that neither the question nor the one before did."""
        found = self.particular(verify.names(text, self.korean))
        return bool(found) and self.asked.read.names_someone(found, self.asked.asked_before or "")


@dataclass(frozen=True)
class Part:
    """What a rule judges: a sentence (or the reply, or the answer), the sentences kept so
    far, the names it gives and its nouns the question did not have."""
    text: str
    kept: tuple[str, ...] = ()
    names: frozenset[str] = frozenset()
    new: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rule:
    name: str
    scope: Scope
    passes: Callable[[Case, Part], bool]

    @property
    def guards(self) -> str:
        """What the rule guards against, from its docstring."""
        return inspect.getdoc(self.passes) or ""


RULES: list[Rule] = []


def rule(scope: Scope) -> Callable[[Callable[[Case, Part], bool]], Callable[[Case, Part], bool]]:
    def register(passes: Callable[[Case, Part], bool]) -> Callable[[Case, Part], bool]:
        RULES.append(Rule(passes.__name__, scope, passes))
        return passes
    return register


@rule("reply")
def not_a_refusal(case: Case, part: Part) -> bool:
    """A model that says the documents do not hold the answer has not answered; the fallback
    decides whether they do."""
    return not REFUSAL.search(part.text)


@rule("sentence")
def not_repeated(case: Case, part: Part) -> bool:
    """A small model repeats itself: a sentence said already is said once."""
    return part.text not in part.kept


@rule("sentence")
def not_a_heading(case: Case, part: Part) -> bool:
    """A copied document title or byline is a label, not an answer."""
    return not any(part.text in h for h in case.evidence.headings)


@rule("sentence")
def names_stand(case: Case, part: Part) -> bool:
    """Every name a sentence gives stands in the evidence or the question: a name made up
    or taken from the model's own knowledge is not shown."""
    lowered = case.evidence.text.lower()
    return all(n in case.evidence.vocabulary or n in case.asked.forms or n in lowered
               for n in part.names)


@rule("sentence")
def adds_something(case: Case, part: Part) -> bool:
    """A sentence that only repeats the question adds nothing from the evidence."""
    return bool(part.new & case.evidence.vocabulary)


@rule("sentence")
def mostly_from_evidence(case: Case, part: Part) -> bool:
    """Most of what a sentence says, beyond the question's own words, stands in the evidence:
    one whose nouns are mostly nowhere in what the model was given is its own explanation
    ("이는 … 경쟁을 이어나가는 것을 의미합니다"), not what the documents say. (A sentence of
    one or two such nouns is judged by the other rules.)"""
    if len(part.new) < OWN_WORDS_JUDGED:
        return True
    lowered = case.evidence.text.lower()
    held = sum(1 for n in part.new if verify.holds(case.evidence.vocabulary, n) or n in lowered)
    return 2 * held >= len(part.new)


@rule("sentence")
def figures_stand_in_evidence(case: Case, part: Part) -> bool:
    """Every figure a sentence gives is in the evidence, digit for digit."""
    return figures_stand(part.text, case.evidence.text)


@rule("sentence")
def figures_in_context(case: Case, part: Part) -> bool:
    """A figure must come from a sentence about what was asked, of the kind of money asked
    about and for the year asked about — not another count the documents give."""
    return verify.figures_in_context(part.text, case.asked.read, case.evidence)


@rule("sentence")
def said_of_the_subject(case: Case, part: Part) -> bool:
    """When the question asks about a name only some passages speak of, what a sentence says
    must come from a passage about it — not what another company did, said of this one."""
    return not case.subjects or verify.said_of(set(part.new), case.subjects, case.evidence)


@rule("opening")
def opens_on_the_topic(case: Case, part: Part) -> bool:
    """An answer starts with what was asked about; leading sentences about something else
    answer another question."""
    return verify.on_topic(part.text, case.evidence, case.korean)


@rule("kept")
def who_is_attributed(case: Case, part: Part) -> bool:
    """Asked who said or did something, the one the answer names must stand in the evidence
    sentence about it or right beside it (not an idea named as its own author)."""
    return not case.asked.read.who or verify.attributed(
        list(part.kept), set(case.asked.forms), case.evidence, case.korean)


@rule("answer")
def something_stands(case: Case, part: Part) -> bool:
    """When no sentence of the draft stands, there is nothing to show."""
    return bool(part.kept)


@rule("answer")
def grounded_in_evidence(case: Case, part: Part) -> bool:
    """The answer is Korean, not a lead-in with nothing after it, not a refusal, and its
    figures stand in what the model was given."""
    return grounded(part.text, case.evidence.text)


@rule("answer")
def fills_what_was_asked(case: Case, part: Part) -> bool:
    """Asked for a figure, a date or a name, the answer gives one of that kind (a name not
    found everywhere in the collection, and not a source's own name)."""
    return case.asked.read.filled(part.text, case.particular(part.names))


@rule("answer")
def names_someone_new(case: Case, part: Part) -> bool:
    """Asked who, the answer names someone the question and the one before did not."""
    return case.asked.read.names_someone(set(part.names), case.asked.asked_before or "")


# A question about who wrote or reported the page, not who said something in it.
WRITER_ASKED = re.compile(r"(쓴|작성|기자|필자|글쓴이|저자|취재|보도한)")
REPORTERS = ("기자", "특파원")


@rule("answer")
def not_the_reporter(case: Case, part: Part) -> bool:
    """Asked who said or argued something, the answer is not the reporter whose byline the
    page carries ("법사위에서 말한 의원은 정유진 기자입니다"), unless the question asks who
    wrote it."""
    read = case.asked.read
    if not read.who or WRITER_ASKED.search(read.text):
        return True
    reporters = {doc.author.split()[0].lower() for doc in case.docs
                 if doc.author and doc.author.endswith(REPORTERS)}
    named = {n.lower() for n in part.names}
    return not named or not named <= reporters


@rule("answer")
def holds_the_role(case: Case, part: Part) -> bool:
    """Asked who holds a role, the documents and the answer both say the role: whatever the
    model made of the nearest sentence does not answer it."""
    role = case.asked.read.role
    return not role or role in case.evidence.text and role in part.text


@rule("answer")
def answers_the_follow_up(case: Case, part: Part) -> bool:
    """A follow-up with words of its own is answered with one of them; otherwise the answer
    answered the question before again."""
    return not case.follow_up or bool(case.follow_up & set(case.korean.morphemes(part.text)))


@dataclass(frozen=True)
class Checked:
    text: str  # the kept sentences, as they stood
    stands: bool  # False: the fallback answers instead
    failed: str | None = None  # the answer rule that failed
    dropped: tuple[tuple[str, str], ...] = ()  # (rule, sentence) for each sentence dropped
    case: Case | None = None  # what it was judged against (None for a composed draft)


def scoped(scope: Scope) -> list[Rule]:
    return [r for r in RULES if r.scope == scope]


class Check:
    name: ClassVar[str] = "check"

    def __init__(self, store: Store, retriever: Retriever):
        self.store = store
        self.retriever = retriever

    def run(self, asked: Asked, grounds: Grounds, draft: Draft) -> Checked:
        if draft.composed:
            return Checked(draft.text, stands=True)
        case = self.case(asked, grounds)
        text = readable(grounds.numbers, unlabelled(grounds.numbers, tidy(draft.text)))
        dropped: list[tuple[str, str]] = []
        kept = self._kept(case, text, dropped)
        text = verify.joined(text, kept)
        # The sources' names the answer cites ("더에이아이에 따르면") are not names it gives.
        shown = uncited([*grounds.numbers.values(), *grounds.docs], text)
        whole = Part(text, tuple(kept), frozenset(verify.names(shown, case.korean)))
        failed = next((r.name for r in scoped("answer") if not r.passes(case, whole)), None)
        return Checked(text, failed is None, failed, tuple(dropped), case)

    def _kept(self, case: Case, text: str, dropped: list[tuple[str, str]]) -> list[str]:
        """The sentences of `text` that every rule passes, in order."""
        if refused := [r for r in scoped("reply") if not r.passes(case, Part(text))]:
            dropped.append((refused[0].name, text))
            return []
        kept: list[str] = []
        for sentence in verify.sentences_of(text):
            part = self._part(case, sentence, kept)
            if failing := next((r for r in scoped("sentence") if not r.passes(case, part)),
                               None):
                dropped.append((failing.name, sentence))
                continue
            kept.append(sentence)
        for opening in scoped("opening"):
            while kept and not opening.passes(case, Part(kept[0], tuple(kept))):
                dropped.append((opening.name, kept.pop(0)))
        for whole in scoped("kept"):
            if kept and not whole.passes(case, Part(" ".join(kept), tuple(kept))):
                dropped.extend((whole.name, s) for s in kept)
                return []
        return kept

    def _part(self, case: Case, sentence: str, kept: list[str]) -> Part:
        tokens = [(form.lower(), tag.split("-")[0]) for form, tag in case.korean.tokens(sentence)]
        return Part(sentence, tuple(kept),
                    frozenset(f for f, tag in tokens if tag in verify.NAME_TAGS and len(f) > 1),
                    frozenset(f for f, tag in tokens
                              if tag in verify.NOUN_TAGS and f not in case.asked.forms))

    def case(self, asked: Asked, grounds: Grounds) -> Case:
        """The evidence a model's draft about `grounds` is judged against."""
        evidence = gather(self.retriever, asked, grounds.docs, grounds.context)
        return Case(asked, evidence, grounds.docs, self._subjects(asked, grounds, evidence),
                    self._follow_up(asked, evidence), self.retriever.korean, self.particular)

    def particular(self, names: Iterable[str]) -> set[str]:
        """The names that are not everywhere in the collection (see COMMON_NAME)."""
        names = set(names)
        if not names:
            return names
        total, df = self.store.term_frequencies(sorted(names))
        return {n for n in names if df.get(n, 0) < max(3, COMMON_NAME * total)}

    def _follow_up(self, asked: Asked, evidence: verify.Evidence) -> frozenset[str]:
        """A follow-up's own nouns that the question before did not have and the documents
        hold ("그걸로 팀즈에선 뭘 해준대요?": 팀즈)."""
        if not (asked.read.leans_back and asked.asked_before):
            return frozenset()
        return frozenset(t for t in asked.weights if t in asked.topic and t in asked.nouns
                         and t not in asked.before_terms
                         and verify.holds(evidence.vocabulary, t))

    def _subjects(self, asked: Asked, grounds: Grounds,
                  evidence: verify.Evidence) -> frozenset[str]:
        """The proper names a question makes its subject ("마이크로소프트는 … 이유로 뭘
        들었어요?") that only a part of the evidence speaks of: not the documents' own names,
        not one that most of it mentions."""
        naming, lowered = naming_words(grounds.docs), asked.text.lower()
        subject = {n for n in asked.proper_names
                   if n not in naming and re.search(rf"{re.escape(n)}\s?(은|는|이|가|도)(\s|$)",
                                                    lowered)}
        spread = {n: sum(1 for _, terms in evidence.sentences if verify.holds(terms, n))
                  for n in subject}
        return frozenset(n for n, count in spread.items()
                         if 0 < count <= SUBJECT_SPREAD * len(evidence.sentences))


def naming_words(docs: Iterable[Document]) -> str:
    """The documents' titles, outlets, authors and credits, lower-cased: a name inside them
    names a document, not what is asked about."""
    return " ".join(x for doc in docs
                    for x in (doc.title, doc.outlet, doc.author, doc.credits) if x).lower()
