"""Words that say the same thing. People ask in everyday words ("해마다 커진다", "칩을 샀다",
"CEO") what articles say in news register ("매년 증가", "GPU를 구매한", "대표"); matched word
for word, the article that answers is the one that seems not to cover the question.

The question's own words and their weights stay as asked. What widens is the documents' side:
a sentence (or a document's vocabulary) that holds one word of a group is read as holding
every word of it, so "커지" (4.26 of idf, as rare as the user's word) is found in a sentence
that says "증가". A group is a set of words a Korean news reader takes as interchangeable in
this domain, not a list made for particular questions; a word with two senses (줄: a queue,
줄다: to shrink) is in none.

Kiwi reads "샀다" as 사 and "쓸 이유" as 쓰 — lone syllables a search cannot use (they match
everywhere) — so a question's one-syllable verb with a plain noun for the same act is asked as
that noun (VERB_NOUNS)."""
from __future__ import annotations

from collections.abc import Iterable

GROUPS: tuple[frozenset[str], ...] = tuple(frozenset(g) for g in (
    # how often, which way a number moves
    {"매년", "해마다", "매해", "연마다"},
    {"증가", "커지", "늘어나", "늘", "증대", "급증"},
    {"감소", "줄어들", "축소", "급감"},
    # buying, using, releasing, foreseeing
    {"구매", "구입", "매입"},
    {"사용", "이용", "활용"},
    {"공개", "출시", "선보이"},
    {"전망", "예측", "예상", "내다보"},
    {"투자", "투입"},
    # things and people
    {"연산", "컴퓨팅"},
    {"능력", "역량"},
    {"기업", "회사", "업체"},
    {"대표", "ceo", "최고경영자"},
    {"ai", "인공지능"},
    {"칩", "반도체"},
    {"대기", "기다리"},
    {"저렴", "값싸"},
    # countries as headlines write them (中 인공지능, 美 앱스토어)
    {"중국", "中"},
    {"미국", "美"},
    {"일본", "日"},
    {"한국", "韓", "우리나라"},
))
# A question's one-syllable verb (Kiwi's lemma) asked as the noun for the same act.
VERB_NOUNS = {"사": "구매", "쓰": "사용", "팔": "판매"}
# 쓰 also writes ("칼럼 쓴 사람", "초안을 써 준") and spends ("쓴 돈"): after these it is not 사용.
NOT_USED = frozenset({"칼럼", "글", "기사", "책", "보고서", "편지", "답변", "답장", "초안", "문서",
                      "논문", "기고", "댓글", "소설", "돈", "비용", "예산", "시간"})

_GROUP_OF = {word: group for group in GROUPS for word in group}


def widen(terms: Iterable[str]) -> frozenset[str]:
    """`terms` with every word of each group one of them is in."""
    terms = frozenset(terms)
    extra = [_GROUP_OF[t] for t in terms if t in _GROUP_OF]
    return terms.union(*extra) if extra else terms


def alternatives(term: str) -> frozenset[str]:
    """The words that say what `term` says, itself included."""
    return _GROUP_OF.get(term, frozenset({term}))
