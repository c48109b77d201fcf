"""Synthetic Korean material for the benchmark, all made from the seed documents.

- pages: scraped-looking documents (seed article sentences recombined, plus real chrome lines
  from the seed pages) to measure ingestion on more text than the five seeds hold;
- chunk sets of 10⁴…10⁶ rows for retrieval latency, whose morpheme strings follow a Zipf law
  over the seed vocabulary (its real frequency order) extended with rarer made-up terms, so the
  postings lists look like those of a large topical collection.
"""
from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

import numpy as np

from bot.ingest.pipeline import folder_entries, prepare
from bot.store import Store, sentences_json
from bot.types import Sentence

VERSION = "retrieval-v2"  # change it when the generator changes: cached databases are rebuilt
CACHE = Path.home() / ".cache" / "briefbot" / "bench"
SENTENCE = re.compile(r"(?<=[.!?다])\s+")
TERMS_PER_CHUNK = (45, 105)  # seed chunks of ~330 characters hold ~75 content morphemes
CHUNKS_PER_DOC = 8
HEAPS_K, HEAPS_BETA = 30.0, 0.5  # vocabulary size V = K · tokens^β
ZIPF_S, ZIPF_Q = 1.0, 2.7  # Zipf–Mandelbrot: p(rank) ∝ 1 / (rank + q)^s
HANGUL = [chr(c) for c in range(0xAC00, 0xD7A4, 7)]


@dataclass
class SeedText:
    sentences: list[str]  # article sentences (cleaned)
    chrome: list[str]  # lines of the raw pages that cleaning removes
    raw_chars: int


def document_files(folder: Path) -> list[Path]:
    """The files the ingest pipeline would read from `folder`."""
    return [folder / entry.os_name for entry in folder_entries(folder) or []]


def read_seeds(folder: Path, max_bytes: int = 5_000_000) -> SeedText:
    sentences, chrome, raw_chars = [], [], 0
    for path in document_files(folder):
        raw = path.read_bytes()
        text, _meta = prepare(raw, path.name, max_bytes=max_bytes)
        raw_text = raw.decode("utf-8", errors="replace")
        raw_chars += len(raw_text)
        kept = set(text.split("\n"))
        chrome += [ln.strip() for ln in raw_text.splitlines()
                   if ln.strip() and ln.strip() not in kept]
        for line in text.split("\n"):
            sentences += [s.strip() for s in SENTENCE.split(line) if len(s.strip()) >= 20]
    return SeedText(sentences, chrome, raw_chars)


def write_pages(seed: SeedText, folder: Path, count: int, *, chars: int = 2400,
                rng_seed: int = 7) -> int:
    """`count` scraped-looking pages in `folder`; returns the characters written."""
    rng = random.Random(rng_seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for n in range(count):
        # A title of its own ("… (제42호)"), so a question can name one page among many; a
        # headline, not a sentence (no closing period), as ingestion recognises one.
        headline = rng.choice(seed.sentences)[:50].rstrip(" .")
        lines = [f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}", f"{headline} (제{n}호)"]
        lines += rng.sample(seed.chrome, k=min(6, len(seed.chrome)))[:3]
        body = 0
        while body < chars:
            paragraph = " ".join(rng.sample(seed.sentences, k=min(3, len(seed.sentences))))
            lines.append(paragraph)
            body += len(paragraph)
        lines += rng.sample(seed.chrome, k=min(6, len(seed.chrome)))[3:]
        text = "\n".join(lines) + "\n"
        (folder / f"syn_{n:04d}.txt").write_text(text, encoding="utf-8")
        written += len(text)
    return written


# --- retrieval chunk sets -------------------------------------------------------------------
def seed_vocabulary(store: Store) -> list[str]:
    """The seed collection's chunk morphemes, most frequent first."""
    counts = Counter(w for row in store.db.query("select morphs from chunks")
                     for w in row["morphs"].split())
    return [w for w, _ in counts.most_common()]


def _vocabulary(head: list[str], size: int, rng: np.random.Generator) -> list[str]:
    """The seed terms first (their real order), then made-up two/three-syllable terms."""
    known = set(head)
    tail: dict[str, None] = {}
    syllables = np.array(HANGUL, dtype=object)
    while len(tail) < size - len(head):
        n = 2 * (size - len(head) - len(tail)) + 16
        picks = syllables[rng.integers(0, len(HANGUL), size=(n, 3))]
        three = rng.random(n) < 0.5
        for row, long in zip(picks, three):
            term = row[0] + row[1] + (row[2] if long else "")
            if term not in known:
                tail[term] = None
    return head + list(tail)[: max(0, size - len(head))]


def _rows(count: int, vocab: list[str], texts: list[list[str]], rng: np.random.Generator,
          first_id: int) -> Iterator[tuple]:
    ranks = np.arange(1, len(vocab) + 1, dtype=np.float64)
    p = 1.0 / (ranks + ZIPF_Q) ** ZIPF_S
    cdf = np.cumsum(p / p.sum())
    spans = [_spans(sentences) for sentences in texts]
    batch = 20_000
    for start in range(0, count, batch):
        n = min(batch, count - start)
        lengths = rng.integers(*TERMS_PER_CHUNK, size=n)
        ids = np.searchsorted(cdf, rng.random(int(lengths.sum())), side="right")
        words = itemgetter(*np.minimum(ids, len(vocab) - 1).tolist())(vocab)
        bounds = np.concatenate([[0], np.cumsum(lengths)]).tolist()
        for i in range(n):
            doc, seq = divmod(start + i, CHUNKS_PER_DOC)
            k = (start + i) % len(texts)
            morphs = words[bounds[i]:bounds[i + 1]]
            yield (first_id + start + i, f"syn{doc:07d}", seq, " ".join(texts[k]), 0,
                   " ".join(morphs), _sentences(spans[k], morphs))


def _spans(sentences: list[str]) -> list[tuple[int, int]]:
    """Character spans of sentences joined by single spaces."""
    out, at = [], 0
    for sentence in sentences:
        out.append((at, at + len(sentence)))
        at += len(sentence) + 1
    return out


def _sentences(spans: list[tuple[int, int]], morphs: tuple[str, ...]) -> str:
    """The chunk's morphemes dealt out to its sentences by length, stored as ingest would."""
    end = spans[-1][1]
    cuts = [round(len(morphs) * b / end) for _, b in spans]
    return sentences_json(Sentence(a, b, tuple(morphs[lo:hi]))
                          for (a, b), lo, hi in zip(spans, [0] + cuts, cuts))


def chunk_texts(seed: SeedText, count: int = 4000, rng_seed: int = 11) -> list[list[str]]:
    """Chunk-sized texts (~330 characters) of recombined seed sentences, as sentence lists."""
    rng = random.Random(rng_seed)
    out = []
    for _ in range(count):
        parts: list[str] = []
        while sum(map(len, parts)) < 300:
            parts.append(rng.choice(seed.sentences))
        out.append(parts)
    return out


def chunk_db(rows: int, head: list[str], seed: SeedText, *, log=print) -> Path:
    """A Store database holding `rows` synthetic chunks, built once and cached."""
    path = CACHE / f"{VERSION}-{rows}.db"
    if path.is_file():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    for stale in CACHE.glob(tmp.name + "*"):
        stale.unlink()
    started = time.perf_counter()
    rng = np.random.default_rng(rows)
    vocab_size = int(HEAPS_K * (rows * sum(TERMS_PER_CHUNK) / 2) ** HEAPS_BETA)
    vocab = _vocabulary(head, max(vocab_size, len(head)), rng)
    texts = chunk_texts(seed)
    store = Store(tmp)
    db = store.db
    conn = db.conn
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")  # consistent by construction
    conn.execute("PRAGMA cache_size=-262144")  # 256 MB while indexing
    # Index once at the end ('rebuild') instead of row by row through the FTS triggers; the
    # triggers are put back afterwards so the file has exactly the schema the bot creates.
    triggers = [sql for (sql,) in conn.execute(
        "select sql from sqlite_master where type='trigger' and tbl_name='chunks'")]
    names = [n for (n,) in conn.execute(
        "select name from sqlite_master where type='trigger' and tbl_name='chunks'")]
    with conn:
        for name in names:
            conn.execute(f'drop trigger "{name}"')
        docs = (rows + CHUNKS_PER_DOC - 1) // CHUNKS_PER_DOC
        conn.executemany(
            "insert into documents (id, title, text, content_hash, ingested_at) "
            "values (?, ?, ?, ?, '2025-01-01T00:00:00+00:00')",
            ((f"syn{d:07d}", " ".join(texts[d % len(texts)])[:40],
              " ".join(texts[d % len(texts)]), f"h{d}") for d in range(docs)))
        conn.executemany("insert into chunks (id, doc_id, seq, text, start, morphs, sentences) "
                         "values (?, ?, ?, ?, ?, ?, ?)", _rows(rows, vocab, texts, rng, 1))
        # A bigger in-memory term buffer while indexing (FTS5 default 1 MB), then back to it.
        conn.execute("insert into chunks_fts(chunks_fts, rank) values('hashsize', ?)", [64 << 20])
        conn.execute("insert into chunks_fts(chunks_fts) values('rebuild')")
        conn.execute("insert into chunks_fts(chunks_fts, rank) values('hashsize', ?)", [1 << 20])
        # Store keeps `terms` as it writes chunks; bulk rows take their counts from the index.
        conn.execute("insert into terms (term, chunks) select term, doc from chunks_vocab")
        for sql in triggers:
            conn.execute(sql)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    tmp.replace(path)
    log(f"  built {rows:,} synthetic chunks (vocabulary {len(vocab):,}) in "
        f"{time.perf_counter() - started:.0f} s: {path}")
    return path


def queries(seed: SeedText, fixed: list[str], count: int = 50, rng_seed: int = 5) -> list[str]:
    """The fixed questions, topped up with question-length fragments of seed sentences."""
    rng = random.Random(rng_seed)
    out = list(fixed)[:count]
    while len(out) < count:
        words = rng.choice(seed.sentences).split()
        start = rng.randrange(max(1, len(words) - 6))
        out.append(" ".join(words[start:start + rng.randint(4, 8)]))
    return out
