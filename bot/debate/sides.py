"""The side a sentence takes on a proposition, read from what it argues for.

Each proposition describes both of its sides (`Proposition.pro`, `Proposition.con`): what its
supporters argue for and what its opponents argue for, in general policy words. A sentence
takes a side only when it argues one of them; otherwise it takes none (an empty cell is better
than a wrong one). How Korean argues is read by general rules, not by any one proposition:

- **The last clause speaks.** After a concession ("…지만", "그러나", "하지만", "반면"), what
  comes last is the writer's point; a sentence that opens with "물론" concedes.
- **The word nearest the predicate** is what the clause argues for: Korean puts its verdict
  last ("연산 장비보다 사람에 먼저 투자해야 한다", "시행을 1년 늦춰야 한다").
- **Refusing the other side supports this one**: a refusal, a "stop", a "not enough" after
  that word turns it round ("유예 법안에 반대한다" supports enforcing at once).
- **A condition** ("…라면", "다만", "전제로") on support makes it conditional.
- **Describing is not arguing**: what a bill contains ("…하는 내용이다"), what "some say"
  ("일각에서는 …"), are nobody's stance here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.types import AGAINST, CONDITIONAL, FOR

AGAINST_CUES = re.compile(
    r"동의하지 않|동의할 수 없|반대(?:한다|합니다|하는 입장|해야)|필요(?:가)? 없|없어도|만으로는|"
    r"부족하|뿐이다|착각|허구|끌려다니지|말아야|해서는 안|안 된다|안 됩니다|안된다|편이 낫|"
    r"떨어지|지나치|과도하|무리[\"”’']?(?:다|한|입니다|라)|비현실|실효성이 없|의문이|"
    r"회의적|듣기 좋지만|"
    r"(?:이|가) 아니다|(?:이|가) 아닙니다|틀렸|앞뒤가 바뀐")
CONDITIONAL_CUES = re.compile(
    r"다만|조건(?:에서|으로|이|을|부)|한다면|된다면|진다면|전제로|면서도|선에서|경우에만|하되|"
    r"(?:될|잡을|갖출) 때까지|먼저 갖춰|부터 갖추|라면 몰라도|전제가 붙|전제 ?하에|"
    r"(?:찬성|동의)하지만|(?:반대|거부)하지(?:는)? 않지만|(?:기업|곳|경우|분야)에만")
# What turns the word before it round: a refusal, a stop, a "not needed", a "not enough", a
# doubt. Only after the word the clause argues about, so "규제 완화" is not its own refusal.
TURNS = re.compile(
    r"반대(?:한다|합니다|해야|하는|하며|하고|했|의 뜻| 입장)|안 ?된다|안 ?됩니다|안 ?돼|"
    r"(?:서|어|아|여)서?는 안 |말아야|말자|지 말고|않아야|필요(?:가|는|도|성이)? ?없|불필요|"
    r"동의하지 않|동의할 수 없|(?:이|가|은|는) 아니다|아닙니다|"
    r"막아야|막을|막는|억제|없애|폐지|폐기|철회|중단|재검토|해소|완화해야|"
    r"부족하|만으로는|없어도|무리[\"”’']?(?:다|라|한|이다|입니다)|비현실|실효성|회의적|착각|허구|"
    r"잘못|틀렸|틀린|앞뒤가 바뀐|순서가 바뀐|어림도 없|듣기 좋|뿐이다|"
    r"곤란|어렵다|어렵습니다|위험하|우려(?:된다|스럽|가 크|를 낳)")
# A claim the sentence reports in order to judge it: "…다는 주장은 …", "…하라는 주문은 …".
CLAIM = re.compile(r"(?:다|라|자|냐)[\"”’']?는 (?:주장|말|주문|얘기|이야기|논리|지적|생각|"
                   r"목소리|요구|구호)(?:은|는|도|에서는|에서|에는|에|이)?\s")
# Support stated before its condition: "…에는 찬성하지만", "반대하지는 않지만".
SUPPORTS = re.compile(r"(?:찬성|동의)(?:하지만|하면서도|하나|한다면서도)|"
                      r"(?:반대|거부)하지(?:는|도)? 않(?:지만|으나|는다)")
# The last clause after a concession is the writer's point.
CONCEDES = re.compile(r"(?:지만|그러나|하지만|그럼에도|그렇지만|반면|오히려)\s")
# A sentence that concedes, reports what some say, or describes a text: no stance of its own.
NO_STANCE = re.compile(
    r"^\s*(?:물론|일각에서는|일각에선|일부에서는|일부에선|한쪽에서는|찬성하는 쪽은|반대하는 쪽은)"
    r"|(?:내용|골자)(?:이다|입니다|다\.|를 담|로 한다|로 하고)|담고 있다|담겼다|담긴 |"
    r"(?:주장|목소리|지적|의견)(?:도|이) (?:나온다|나오|있다|제기)")


@dataclass(frozen=True)
class Descriptions:
    """A proposition's two sides as morpheme sets (a term is held when all of its morphemes
    are): what supporters argue for, what opponents argue for."""
    pro: tuple[frozenset[str], ...]
    con: tuple[frozenset[str], ...]


# A content token of a sentence: (morpheme, lower-cased; start; end) in the sentence's text.
Token = tuple[str, int, int]


def _held(terms: tuple[frozenset[str], ...],
          tokens: list[Token]) -> list[tuple[int, frozenset[str]]]:
    """(end offset of the term's last-placed morpheme, term) for each term the tokens hold."""
    last: dict[str, int] = {}
    for form, _, end in tokens:
        last[form] = end
    return [(max(last[m] for m in term), term) for term in terms
            if term and all(m in last for m in term)]


def read(sentence: str, tokens: list[Token], sides: Descriptions) -> str | None:
    """찬성, 반대 or 조건부 when the sentence argues one of the proposition's sides; None when it
    argues neither, describes, concedes, or holds both at once."""
    if NO_STANCE.search(sentence):
        return None
    start = max((m.end() for m in CONCEDES.finditer(sentence)), default=0)
    held = _sided([t for t in tokens if t[1] >= start], sides) or _sided(tokens, sides)
    if not held:
        return None
    end, _, side = held[-1]
    if any(h[0] == end and h[2] != side for h in held):
        return None  # one word both sides use: nothing to read
    if claim := next((m for m in CLAIM.finditer(sentence) if m.start() >= end), None):
        # the word stands in a claim the sentence reports: a side only when it is refuted
        if not TURNS.search(sentence, claim.end()):
            return None
        end = claim.end() - 1
    if TURNS.search(sentence, end):
        side = AGAINST if side == FOR else FOR
    if CONDITIONAL_CUES.search(sentence) and (side == FOR or _held(sides.pro, tokens)
                                              or SUPPORTS.search(sentence)):
        return CONDITIONAL  # "…에는 찬성하지만 …이어야 한다": support with a condition
    return side


def _sided(tokens: list[Token], sides: Descriptions) -> list[tuple[int, frozenset[str], str]]:
    """The side terms the tokens hold, by where each ends; a term inside a longer held one
    ("허락" in "허락 없이") does not count."""
    pro = [(end, term, FOR) for end, term in _held(sides.pro, tokens)]
    con = [(end, term, AGAINST) for end, term in _held(sides.con, tokens)]
    return sorted((h for h in pro + con if not any(h[1] < other[1] for other in pro + con)),
                  key=lambda h: h[0])
