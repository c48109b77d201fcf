"""Korean text handling: one normalisation for documents and queries, Kiwi morphemes, sentences."""
from __future__ import annotations

import functools
import re
import threading
import unicodedata

from kiwipiepy import Kiwi

from bot.types import Sentence

# Invisible characters that scraped pages and macOS copies carry; they split words silently.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_INNER_END = re.compile(r"(?<=[가-힣])[.!?](?=\s+\S)")
_ENDED = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u3000\t\u000b\u000c"), " ")

# Morpheme tags that carry meaning for search: nouns, numerals, foreign words, roots, stems.
CONTENT_TAGS = frozenset({"NNG", "NNP", "NR", "SN", "SL", "SH", "XR", "VV", "VA", "MAG", "NP"})
# Morphemes too common to discriminate between passages (light verbs, question words).
STOP_MORPHEMES = frozenset({
    "하", "있", "되", "않", "없", "이", "그", "저", "것", "수", "등", "때", "중", "더", "또",
    "무엇", "누구", "어디", "언제", "어떻", "어떤", "얼마", "몇", "왜", "어떻게", "뭐", "무슨",
    "말하", "대하", "관하", "위하", "통하", "따르", "알리", "보", "주", "오", "가", "쓰",
    "요약", "설명", "알려주", "정리", "자료", "문서", "기사", "내용", "주장", "의견",
})


def normalize_text(text: str) -> str:
    """NFC, no invisible characters, plain spaces, \\n line ends. Used at ingest and query time."""
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_INVISIBLE).translate(_SPACES)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[ ]{2,}", " ", text)


_LOADING = threading.Lock()


@functools.cache
def _load_kiwi() -> tuple[Kiwi, threading.Lock]:
    return Kiwi(num_workers=-1), threading.Lock()


def _shared_kiwi() -> tuple[Kiwi, threading.Lock]:
    """The process's one Kiwi and the lock its calls take: loading it takes seconds, and every
    Korean in the process (each CLI command, each test) can use the same one."""
    with _LOADING:
        return _load_kiwi()


class Korean:
    """One Kiwi per process (it takes seconds to load); thread-safe."""

    def __init__(self) -> None:
        self._kiwi, self._lock = _shared_kiwi()

    def warm(self) -> None:
        """Pay now what Kiwi's first analysis in a process costs (it builds its tables then:
        ~2 s on two cores, ~0 ms after), e.g. while the model loads, not in a question."""
        self.tokens("모델을 불러오는 동안 형태소 분석기를 준비한다.")

    def tokens(self, text: str) -> list[tuple[str, str]]:
        with self._lock:
            return [(t.form, t.tag) for t in self._kiwi.tokenize(text)]

    def token_spans(self, text: str) -> list[tuple[str, str, int, int]]:
        """(form, tag, start, end) of each of Kiwi's tokens of `text`."""
        with self._lock:
            return [(t.form, t.tag, t.start, t.end) for t in self._kiwi.tokenize(text)]

    def morphemes(self, text: str, *, drop_stop: bool = False) -> list[str]:
        """Content morphemes, lower-cased, in order (repeats kept)."""
        return _content(self.tokens(normalize_text(text)), drop_stop=drop_stop)

    def sentences(self, text: str) -> list[tuple[int, int]]:
        """(start, end) character spans of the sentences of one paragraph."""
        if not text.strip():
            return []
        with self._lock:
            sents = self._kiwi.split_into_sents(text)
        return _spans(text, [(s.start, s.end) for s in sents])

    def analyse(self, paragraphs: list[str]) -> list[list[Sentence]]:
        """Each paragraph's sentences (the spans `sentences` gives) with their content
        morphemes. One Kiwi pass gives both (splitting, then analysing each chunk, ran Kiwi
        twice over every character), and Kiwi spreads the paragraphs over its threads.
        Offsets refer to the paragraphs as given: pass normalised text."""
        busy = [p for p in paragraphs if p.strip()]
        with self._lock:
            found = iter(list(self._kiwi.split_into_sents(
                busy, return_tokens=True, return_sub_sents=False)))
        out: list[list[Sentence]] = []
        for paragraph in paragraphs:
            if not paragraph.strip():
                out.append([])
                continue
            sents = next(found)
            spans = _spans(paragraph, [(s.start, s.end) for s in sents])
            forms: list[list[tuple[str, str]]] = [[] for _ in spans]
            at = 0
            for token in (t for s in sents for t in s.tokens):
                while at + 1 < len(spans) and token.start >= spans[at + 1][0]:
                    at += 1
                forms[at].append((token.form, token.tag))
            out.append([Sentence(start, end, tuple(_content(f)))
                        for (start, end), f in zip(spans, forms)])
        return out


def _content(tokens: list[tuple[str, str]], *, drop_stop: bool = False) -> list[str]:
    out = []
    for form, tag in tokens:
        if tag.split("-")[0] not in CONTENT_TAGS:
            continue
        form = form.lower()
        if drop_stop and form in STOP_MORPHEMES:
            continue
        out.append(form)
    return out


def _inside_quote(text: str, start: int, at: int, end: int) -> bool:
    """Whether `at` falls inside double quotation marks that open after `start` and close
    before `end`."""
    before, after = text[start:at], text[at:end]
    if before.count("\"") % 2 == 1 and "\"" in after:
        return True
    return before.count("“") > before.count("”") and "”" in after


def _spans(text: str, kiwi_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Kiwi's sentence spans, corrected: split after an inner period, join fragments."""
    spans = []
    for sent_start, sent_end in kiwi_spans:
        # Kiwi sometimes keeps "…다. ‘인용’" together: split after the period.
        start = sent_start
        for match in _INNER_END.finditer(text, sent_start, sent_end):
            if _inside_quote(text, start, match.start(), sent_end):
                continue  # "…늘려야 한다. 효과는 그다음"이라고 말했다: one reported sentence
            spans.append((start, match.start() + 1))
            start = match.end()
        spans.append((start, sent_end))
    merged: list[tuple[int, int]] = []
    for start, end in spans:  # a fragment without an ending belongs to what follows
        if merged and not _ENDED.search(text[merged[-1][0]:merged[-1][1]]):
            merged[-1] = (merged[-1][0], end)
        elif text[start:end].strip():
            merged.append((start, end))
    return merged or [(0, len(text))]
