"""The full-text index: ranked and candidate chunks, their text, and index statistics."""
from __future__ import annotations

from bot.store.db import Row, StoreBase
from bot.store.fts import averages


class SearchMixin(StoreBase):
    """Reads for retrieval. Rows stay plain dicts: a question reads thousands of them, and
    retrieval passes them on merged with its own scores."""

    def search_chunks(self, match: str, limit: int) -> list[Row]:
        """FTS5 bm25 over chunk morphemes; score is positive, higher is better. The ranking
        runs on the FTS table alone and only the `limit` winners are joined to their text."""
        return self._rows(
            f"select {self._HIT_COLUMNS}, ranked.score from ({self._RANKED}) as ranked "
            "join chunks on chunks.id = ranked.rowid "
            "join documents on documents.id = chunks.doc_id "
            "order by ranked.score desc, chunks.id desc", [match, limit])

    def candidate_chunks(self, match: str, limit: int, *, newest: bool = False) -> list[Row]:
        """Like search_chunks, with only each chunk's id, morphemes and score, to be scored
        again. `newest`: the most recent matches, unscored (0) — cheap even for very common
        terms, whose bm25 would have to visit every chunk that holds them."""
        ranked = ("select rowid, 0.0 as score from chunks_fts where chunks_fts match ? "
                  "order by rowid desc limit ?") if newest else self._RANKED
        return self._rows(
            "select chunks.id as chunk_id, chunks.morphs, ranked.score "
            f"from ({ranked}) as ranked join chunks on chunks.id = ranked.rowid", [match, limit])

    def hit_chunks(self, chunk_ids: list[int]) -> list[Row]:
        """search_chunks' columns for the given chunks, in no particular order."""
        marks = ",".join("?" * len(chunk_ids))
        return self._rows(f"select {self._HIT_COLUMNS} from chunks join documents on "
                          f"documents.id = chunks.doc_id where chunks.id in ({marks})", chunk_ids)

    _RANKED = ("select rowid, -bm25(chunks_fts) as score from chunks_fts "
               "where chunks_fts match ? order by score desc limit ?")
    _HIT_COLUMNS = ("chunks.id as chunk_id, chunks.doc_id, chunks.text, chunks.morphs, "
                    "chunks.sentences, documents.title")

    def index_size(self) -> tuple[int, float]:
        """(chunks in the search index, their mean length in index terms)."""
        rows = self._rows("select block from chunks_fts_data where id = 1")
        count, tokens = averages(rows[0]["block"] if rows else None)
        return count, tokens / count if count else 0.0

    def term_frequencies(self, terms: list[str]) -> tuple[int, dict[str, int]]:
        """(number of chunks, {index term: chunks containing it})."""
        total, _ = self.index_size()
        if not terms:
            return total, {}
        marks = ",".join("?" * len(terms))
        rows = self._rows(f"select term, chunks from terms where term in ({marks})", terms)
        return total, {r["term"]: r["chunks"] for r in rows}

    def doc_morphemes(self, doc_id: str) -> list[str]:
        rows = self._rows("select morphs from chunks where doc_id = ?", [doc_id])
        return " ".join(r["morphs"] for r in rows).split()

    def chunks_of(self, doc_id: str) -> list[Row]:
        return self._rows("select id, seq, text, start, morphs, sentences from chunks "
                          "where doc_id = ? order by seq", [doc_id])
