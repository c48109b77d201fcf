"""`Retriever.search` latency over synthetic chunk sets, and its split between SQL (term counts,
the FTS5 bm25 query) and Kiwi (analysing the query; the hits' sentences come stored)."""
from __future__ import annotations

import statistics
import time
from pathlib import Path

from probes import time_spent

from bot.answer.retrieval import Retriever
from bot.korean import Korean
from bot.store import Store


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


def measure(db: Path, korean: Korean, queries: list[str], limit: int = 8) -> dict:
    store = Store(db)
    try:
        retriever = Retriever(store, korean)
        rows = store.counts()["chunks"]
        # One untimed pass first: a running bot's database is in the page cache, a freshly
        # generated 4 GB one is not. That pass's p95 is reported too.
        cold = []
        for query in queries:
            started = time.perf_counter()
            retriever.search(query, limit=limit)
            cold.append((time.perf_counter() - started) * 1000)
        retriever = Retriever(store, korean)  # its in-memory sentence cache starts empty again
        total, sql, kiwi, hits = [], [], [], []
        for query in queries:
            with time_spent(store, "search_chunks", "candidate_chunks", "hit_chunks",
                            "term_frequencies", "index_size") as in_sql, \
                    time_spent(korean, "tokens", "sentences") as in_kiwi:
                started = time.perf_counter()
                found = retriever.search(query, limit=limit)
                total.append((time.perf_counter() - started) * 1000)
            sql.append(sum(in_sql.values()) * 1000)
            kiwi.append(sum(in_kiwi.values()) * 1000)
            hits.append(len(found))
        return {"rows": rows, "queries": len(queries), "mean_hits": statistics.mean(hits),
                "p50_ms": percentile(total, 50), "p95_ms": percentile(total, 95),
                "first_pass_p95_ms": percentile(cold, 95),
                "sql_p50_ms": percentile(sql, 50), "sql_p95_ms": percentile(sql, 95),
                "sql_share": sum(sql) / sum(total), "kiwi_share": sum(kiwi) / sum(total),
                "db_mb": round(db.stat().st_size / 1e6)}
    finally:
        store.close()
