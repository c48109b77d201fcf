"""Stage 6, fall back: the answer as it will be shown. A draft that stands is the answer;
otherwise the best evidence sentence, quoted, when it holds what was asked (with the sentence
beside it that says who said it, for "누가"), or else what the documents do not say, then
what they do say about it. Every answer leaves here with the sources it cites."""
from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import ClassVar

from bot import texts
from bot.answer import verify
from bot.answer.evidence import Grounds
from bot.answer.generate import Draft
from bot.answer.question import REASON_GIVEN
from bot.answer.retrieval import Retriever
from bot.answer.rules import Case, Checked, naming_words
from bot.answer.sources import cited
from bot.answer.synonyms import widen
from bot.answer.understand import Asked
from bot.answer.when import meanings, topic_particle
from bot.types import Answer, Document

# A sentence that says who said something ("…고 말했다", "…라고 밝혔다").
SAID = re.compile(r"(말했다|밝혔다|설명했다|강조했다|주장했다|덧붙였다|전했다|평가했다|언급했다|"
                  r"지적했다|말한다|주장한다|라며|고 했다)")
ABSENT_SHARE = 0.5  # of the question's topic the best evidence sentence must hold
MISSING_SHARE = 0.3  # of the topic's weight absent from the documents: the detail is not there
COUNTED_MISSING = 0.5  # the same, when the quote's figure counts the very thing asked about
ASKED_NAME = 0.8  # of the topic's heaviest term's weight: a name the question turns on
SPEAKER_LINE = 60  # characters: a participant's line in a transcript's list, not a turn
# Asks when, or by when: a deadline ("기한", "마감") is a date too.
WHEN_ASKED = re.compile(r"기한|마감|언제까지|언제부터")


def dated(asked: Asked, answer: Answer) -> Answer:
    """An answer to "when" that quotes a relative time word ("다음 달 4일까지") says which day
    it means, counted from the day its source was written: the reader reads it weeks later."""
    if asked.read.slot != "date" and not WHEN_ASKED.search(asked.text):
        return answer
    notes: dict[str, str] = {}
    for source in answer.sources:
        try:
            written = date.fromisoformat((source.date or "")[:10])
        except ValueError:
            continue
        for said, meaning in meanings(source.quote, written):
            if said in answer.text and said not in notes:
                notes[said] = texts.WHEN_MEANS.format(said=said, topic=topic_particle(said),
                                                      meaning=meaning,
                                                      written=written.isoformat())
    if not notes:
        return answer
    return dataclasses.replace(answer, text=f"{answer.text}\n" + " · ".join(notes.values()))


class FallBack:
    name: ClassVar[str] = "fallback"

    def __init__(self, retriever: Retriever):
        self.retriever = retriever

    def run(self, asked: Asked, grounds: Grounds, draft: Draft, checked: Checked) -> Answer:
        if draft.composed:
            return dated(asked, Answer(draft.text, list(draft.sources), covered=draft.covered))
        assert checked.case is not None  # a model's draft is always judged
        text = checked.text if checked.stands else self.quote(checked.case)
        return dated(asked, Answer(text, cited(self.retriever, grounds.docs, asked.weights,
                                               asked.plural, text)))

    def quote(self, case: Case) -> str:
        """The best evidence sentence, quoted, when it holds what was asked; otherwise what
        the documents do not say, then what they do say about it."""
        asked, evidence, read = case.asked, case.evidence, case.asked.read
        among = evidence
        if names := self._asked_names(case):  # quote a sentence about them
            about = [(s, t) for s, t in evidence.sentences if any(n in s.lower() for n in names)]
            among = dataclasses.replace(evidence, sentences=about or evidence.sentences)
        if new := case.follow_up:  # what the follow-up itself asks
            about = [(s, t) for s, t in among.sentences if t & new]
            among = dataclasses.replace(among, sentences=about or among.sentences)
        role, titles = read.role, {d.title for d in case.docs}
        # Asked why, a sentence that gives a reason ("…점을 지적하며") is the one to quote.
        quote, share = verify.best_statement(
            among, titles, lambda s: case.filled(s) and (not role or role in s) and
            (not read.reason or bool(REASON_GIVEN.search(s))))
        # A sentence holding only what the question before asked, none of this one's own
        # words, does not answer a follow-up that asks for a role; one that says it may.
        own = {t: 1.0 for t in asked.topic if t in asked.weights}
        if role and quote and role not in quote and own and \
                not verify.weight(dict(evidence.sentences).get(quote, frozenset()), own) \
                and (holding := [(s, t) for s, t in among.sentences if role in s]):
            quote, share = verify.best_statement(
                dataclasses.replace(among, sentences=holding), titles, case.filled)
        # The figure asked for may stand in the next sentence, which goes on about the same
        # thing ("… 2위를 차지했다. 이 모델은 학습 비용이 …").
        if quote and read.slot and not case.filled(quote) and \
                (after := verify.continued(evidence, quote)) and case.filled(after):
            quote = next((f"{quote} {after}" for d in case.docs
                          if f"{quote} {after}" in d.text), after)
        # The time or the subject asked for may stand in the sentence the quote leans on
        # ("따라서 …" after the sentence that gives the time; "이들이 …" after who they are).
        elif quote and (before := verify.preceded(evidence, quote)) and \
                any(f"{before} {quote}" in d.text for d in case.docs) and \
                (case.filled(quote) or case.filled(before)):
            quote = f"{before} {quote}"
        owner = next((d for d in case.docs if quote and quote in d.text), None)
        name = owner.display_name if owner else ""
        missing, absent = verify.missing(evidence, read, " ".join(
            x for d in case.docs for x in (d.title, d.outlet, d.author, d.credits) if x))
        # A noun no page holds says a detail is absent when the question asks for one (a
        # figure, a date, a name, the holder of a role); in an open question ("그 여파는
        # 어떻게 나타났어?", "제재는 있어?") it is how the asker puts it, and the sentence most
        # about the rest answers or shows what the pages say instead.
        if not (read.slot or read.role):
            absent = 0.0
        # A sentence that says the role and names someone not asked about yet answers "교수는
        # 누구", however little else of a follow-up's borrowed topic it holds.
        names_role = bool(role and quote and role in quote and case.names_new(quote))
        # So does one that holds a follow-up's own new words (the borrowed topic is context).
        korean = case.korean
        on_new = bool(new and quote and new & set(korean.morphemes(quote)))
        # A figure for a year other than the one asked about does not answer it.
        dated = owner.date if owner else None
        year = int(dated[:4]) if dated and dated[:4].isdigit() else None
        # Who said it may stand beside the quote: a round-table's speaker opening the turn,
        # a column's writer in its byline.
        speaker = _speaker(case, quote, owner) if quote and owner and (
            read.who or read.slot == "name") else None
        filled = bool(quote) and (case.filled(quote) or bool(speaker)) and not (
            read.slot == "figure" and verify.for_other_year(asked.text, quote, year))
        # A figure of the very thing counted answers it though a word the question describes
        # them by is not there.
        counted = bool(quote and read.counted and (
            read.counted in quote.lower() or read.counted in widen(korean.morphemes(quote))))
        # A figure of something the pages name but the quote does not ("사용률은 몇 %" with
        # "42%" from a sentence about something else) does not answer it.
        if read.slot == "figure" and read.counted and len(read.counted) >= 2 and \
                read.counted in evidence.text.lower() and not counted:
            filled = False
        if quote and (share >= ABSENT_SHARE or names_role or on_new) and filled and \
                (absent < MISSING_SHARE or counted and absent < COUNTED_MISSING) and \
                (not names or any(n in quote.lower() for n in names)):
            if speaker:  # the turn it stands in, the byline of the piece it argues in
                return texts.QUOTED_ANSWER_BY.format(name=name, speaker=speaker, quote=quote)
            if read.who and (said := self._attribution(case, quote)):
                return texts.QUOTED_ANSWER_SAID.format(name=name, quote=quote, said=said)
            return texts.QUOTED_ANSWER.format(name=name, quote=quote)
        if read.slot and not filled:
            what = texts.ABSENT_WHAT[read.slot]
        elif missing:
            what = texts.ABSENT_TERMS.format(terms="’, ‘".join(missing[:2]))
        else:
            what = texts.ABSENT_WHAT[None]
        text = texts.ABSENT.format(what=what)
        if quote:
            text += texts.ABSENT_RELATED.format(name=name, quote=quote)
        return text

    def _attribution(self, case: Case, quote: str) -> str | None:
        """For "누가 …?" when `quote` names nobody the question did not: the sentence beside
        it that does. After a quotation that is the next one ("…이경일 대표는 이렇게
        말했다"); for "그는 …라고 말했다" the one before, which names "그"."""
        korean, asked = case.korean, set(case.asked.names)
        if verify.names(quote, korean) - asked or verify.names_its_speaker(quote):
            return None
        # A quotation set as a paragraph of its own is said by the one the next paragraph
        # names ("\"…겠습니다.\" / 유정란 정책관은 이날 브리핑에서 이같이 말했다.").
        if (speaker := _after_quotation(case, quote)) and verify.names(speaker, korean) - asked:
            return speaker
        around = verify.neighbourhood(case.evidence, quote)
        at = next((i for i, (s, _) in enumerate(around) if s == quote), 0)
        before, after = around[:at], around[at + 1:]
        naming = [s for s, _ in (before if SAID.search(quote) else after + before)
                  if verify.names(s, korean) - asked]
        return naming[0] if naming else None

    def _asked_names(self, case: Case) -> set[str]:
        """The particular names the question asks about that the evidence holds ("문샷AI의
        기업가치": 문샷): a sentence without any of them is not about what was asked."""
        asked = case.particular(case.asked.names)
        naming = naming_words(case.docs)
        # Not the words that name the document ("THE AI 칼럼", "이해민 칼럼"), and only the
        # names the topic turns on: in "딥시크 이후 … 카드를 꺼낸 사람은" 딥시크 is context.
        topic = case.asked.topic
        top = max(topic.values(), default=0.0)
        return {n for n in asked if topic.get(n, 0.0) >= ASKED_NAME * top
                and n not in naming and verify.holds(case.evidence.vocabulary, n)}


# A line that opens a quotation, and the caption a broadcast script gives the one speaking:
# "[인터뷰] 마서윤 / 공인노무사", "김 모 씨 / 취업준비생".
QUOTE_OPENS = re.compile(r"^\s*[\"“]")
CAPTION_SPEAKER = re.compile(r"^\s*(?:\[[^\]]{1,8}\]\s*)?([가-힣]{2,4}(?:\s[가-힣]{1,2})?)\s*/\s*"
                             r"([^/\n]{2,30})$")


def _after_quotation(case: Case, quote: str) -> str | None:
    """When `quote` stands in a paragraph that is a quotation, the first sentence of the next
    paragraph (where Korean news names who said it)."""
    for doc in case.docs:
        paragraphs = [p.strip() for p in doc.text.split("\n") if p.strip()]
        at = next((i for i, p in enumerate(paragraphs) if quote in p), None)
        if at is None:
            continue
        if not QUOTE_OPENS.match(paragraphs[at]) or at + 1 >= len(paragraphs):
            return None
        following = verify.sentences_of(paragraphs[at + 1])
        return following[0] if following and SAID.search(following[0]) else None
    return None


# A round-table's or an interview's turn opens with its speaker's name ("고은비 여기가 가장
# …"); the participants are listed once with who they are ("고은비 ○○대 법학전문대학원 교수").
TURN = re.compile(r"^\s*([가-힣]{2,4})\s+\S")
QUOTE_MARKS = re.compile(r"[\"“”]")


def _speaker(case: Case, quote: str, owner: Document) -> str | None:
    """Who says `quote` when the quote does not name them itself: the speaker whose turn of a
    transcript it stands in, or the writer of a piece that argues in its own voice (its
    byline), not a reporter's."""
    if verify.names(quote, case.korean) - set(case.asked.names):
        return None
    lines = owner.text.splitlines()
    line = next((ln for ln in lines if quote[:30] in ln), "")
    # A broadcast report's interview is captioned "[인터뷰] 이름 / 직함" on the line before.
    at = lines.index(line) if line else -1
    label = next((ln for ln in reversed(lines[:at]) if ln.strip()), "") if at > 0 else ""
    if QUOTE_OPENS.match(line) and (caption := CAPTION_SPEAKER.match(label)):
        return f"{caption.group(1)} {caption.group(2).strip()}"
    if (turn := TURN.match(line)) and sum(
            1 for ln in lines if ln.lstrip().startswith(turn.group(1) + " ")) >= 2:
        who = turn.group(1)
        listed = next((ln.strip(" ·-") for ln in lines if ln.strip(" ·-").startswith(who + " ")
                       and len(ln) <= SPEAKER_LINE and ln != line), who)
        return listed
    if owner.writer and \
            not QUOTE_MARKS.search(quote) and not SAID.search(quote):
        return owner.author
    return None
