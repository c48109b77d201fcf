"""The side a sentence takes, read from how Korean argues: an ought or a need is for what the
sentence names; an explicit refusal, a "not enough", a "better instead" or a "only sounds good"
is against it; a "provided that", "but first", "only where" makes it conditional. Generic cues,
not words of any one proposition: the candidate sentence was chosen for its terms already.

Measured against the model's constrained choice on eval/debate_dev.jsonl (bench/debate_eval.py):
the 1.5B default model cannot tell the sides apart (it answers 찬성 or 반대 whatever the
sentence says), these cues can, for the sentences that state a side plainly."""
from __future__ import annotations

import re

from bot.types import AGAINST, CONDITIONAL, FOR

AGAINST_CUES = re.compile(
    r"동의하지 않|동의할 수 없|반대(?:한다|합니다|하는 입장|해야)|필요(?:가)? 없|없어도|만으로는|"
    r"부족하|뿐이다|착각|허구|끌려다니지|말아야|해서는 안|안 된다|안 됩니다|안된다|편이 낫|"
    r"떨어지|지나치|과도하|무리[\"”’']?(?:다|한|입니다|라)|비현실|실효성이 없|의문이|"
    r"회의적|듣기 좋지만|"
    r"(?:이|가) 아니다|(?:이|가) 아닙니다|틀렸|앞뒤가 바뀐")
CONDITIONAL_CUES = re.compile(
    r"다만|조건(?:에서|으로|이|을|부)|한다면|된다면|진다면|전제로|면서도|선에서|경우에만|하되|"
    r"(?:될|잡을|갖출) 때까지|미뤄도|먼저 갖춰|부터 갖추|라면 몰라도|전제가 붙|전제 ?하에|"
    r"(?:찬성|동의)하지만|(?:반대|거부)하지(?:는)? 않지만|(?:기업|곳|경우|분야)에만")


# A plain refusal: with the opposite's words, it is a refusal of the opposite ("계도기간 연장은
#안 된다"). An appraisal ("앞뒤가 바뀐", "부족하다") is not: it is about something else in the
# sentence as often as about the opposite.
REFUSAL = re.compile(r"동의하지 않|동의할 수 없|반대(?:한다|합니다|하는 입장)|말아야|해서는 안|"
                     r"(?:면|은|는) 안 된|안 됩니다|안된다")


def side_of(sentence: str, opposite: bool = False) -> str:
    """찬성, 반대 or 조건부 for a sentence that argues (the caller has checked that it does);
    `opposite`: it argues in the words of the proposition's opposite (Proposition.against)."""
    if CONDITIONAL_CUES.search(sentence):
        return CONDITIONAL
    if opposite:
        return FOR if REFUSAL.search(sentence) else AGAINST
    if AGAINST_CUES.search(sentence):
        return AGAINST
    return FOR
