"""What comes out of the model is cleaned and checked before anyone reads it: one grounding
check for answers and summaries alike."""
from __future__ import annotations

import re

NUMBER = re.compile(r"\d[\d,.]*")
REFUSAL = re.compile(r"(찾을 수 없|알 수 없|나와 있지 않|포함되어 있지 않|언급되어 있지 않)")
HANGUL = re.compile(r"[가-힣]")
MIN_HANGUL_SHARE = 0.3  # of the non-space characters: a reply in another language is not used
# A reply that only announces what follows ("…은 다음과 같습니다.") and stops.
LEAD_IN_ONLY = re.compile(r"^[^\n]{0,160}(다음과 같습니다|다음과 같다|아래와 같습니다|다음과 같이 "
                          r"정리할 수 있습니다)[.:：]?\s*$")


def figures_stand(text: str, evidence: str) -> bool:
    """Every figure in `text` stands in `evidence` as a whole number (thousands separators
    ignored): "10개" is not borne out by "2010년" or "110명" — nor "11개" by "11.5%"."""
    flat = evidence.replace(",", "")
    return all(re.search(rf"(?<![\d.]){re.escape(n.replace(',', '').rstrip('.'))}(?!\d|\.\d)",
                         flat) for n in NUMBER.findall(text))


def grounded(text: str, evidence: str, *, min_chars: int = 5) -> bool:
    """The model's text can be shown: long enough, Korean, not a refusal, not a lead-in with
    nothing after it, and every figure in it stands in the evidence it was given."""
    if len(text) < min_chars or REFUSAL.search(text) or LEAD_IN_ONLY.search(text.strip()):
        return False
    if len(HANGUL.findall(text)) < len(re.sub(r"\s", "", text)) * MIN_HANGUL_SHARE:
        return False
    return figures_stand(text, evidence)


def tidy(text: str) -> str:
    text = re.sub(r"<\|[^|]*\|>", "", text)  # stray special tokens
    return re.sub(r"\n{3,}", "\n\n", text).strip()
