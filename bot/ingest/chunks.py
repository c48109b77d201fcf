"""Stored text cut into sentences and chunks: whole sentences packed into chunks of about
CHUNK_CHARS, each kept with its sentences and their morphemes (one Kiwi pass per document), and
the stored documents chunked again when the sentence rules change."""
from __future__ import annotations

import logging

from bot.korean import Korean
from bot.store import Store
from bot.types import Chunk, Sentence

log = logging.getLogger(__name__)

CHUNK_CHARS = 400


def chunk_text(korean: Korean, doc_id: str, text: str) -> list[Chunk]:
    """Whole sentences packed into chunks of about CHUNK_CHARS; offsets point into `text`.
    Each chunk keeps its sentences and their morphemes, so queries need no Kiwi for them."""
    lines = text.split("\n")
    sentences: list[Sentence] = []
    offset = 0
    for line, found in zip(lines, korean.analyse(lines)):
        sentences += [Sentence(offset + s.start, offset + s.end, s.morphemes) for s in found]
        offset += len(line) + 1
    groups: list[list[Sentence]] = []
    for sentence in sentences:
        if groups and sentence.end - groups[-1][0].start <= CHUNK_CHARS:
            groups[-1].append(sentence)
        else:
            groups.append([sentence])
    return [_chunk(doc_id, seq, text, group) for seq, group in enumerate(groups)]


def _chunk(doc_id: str, seq: int, text: str, group: list[Sentence]) -> Chunk:
    start, end = group[0].start, group[-1].end
    return Chunk(doc_id=doc_id, seq=seq, text=text[start:end], start=start,
                 morphs=" ".join(m for s in group for m in s.morphemes),
                 sentences=tuple(Sentence(s.start - start, s.end - start, s.morphemes)
                                 for s in group))


# How text is cut into sentences: a new number when it changes, so the stored documents are
# chunked again and every quote, position and fact is read from the new sentences.
SENTENCE_RULES = 2  # 2: a period inside quotation marks ends no sentence ("…한다. …"고 말했다)


def add_sentences(store: Store, korean: Korean) -> int:
    """Chunk again the documents stored before chunks kept their sentences (migration m005),
    or before the sentence rules changed, so their queries need no Kiwi either. Returns how
    many documents were chunked again."""
    stale = store.get_meta("sentence_rules") != str(SENTENCE_RULES)
    docs = store.documents() if stale else [
        doc for doc_id in store.docs_without_sentences() if (doc := store.document(doc_id))]
    done = 0
    for doc in docs:
        store.replace_chunks(doc.id, chunk_text(korean, doc.id, doc.text))
        log.info("chunked %s again, with its sentences", doc.id)
        done += 1
        if done % 50 == 0:
            log.info("chunked %d of %d documents again", done, len(docs))
    if stale:
        store.set_meta("sentence_rules", str(SENTENCE_RULES))
    return done
