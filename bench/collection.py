"""`make bench` at scale: a collection of 1,000 documents (the seeds and synthetic pages made of
their sentences), and questions about random documents in it, each asked three ways:

- cold: the document's prefix is neither in memory nor on disk (answered from passages),
- on disk: after the background worker evaluated its prefix (another question in between,
  so the model's memory holds something else),
- warm: asked again right away (a follow-up's case).

Reports first-token p50/p95 for each, the disk the cache would take per 1,000 documents, and
the background worker's precompute throughput."""
from __future__ import annotations

import random
import shutil
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run alone too
import synthetic  # noqa: E402
import workload  # noqa: E402

from bot.ingest.pipeline import ingest_folder
from bot.llm import LazyLLM
from bot.llm.kvcache import cache_folder, disk_usage
from bot.services import Services, build_worker
from bot.store import Store
from bot.worker import COLLECTION, PREFIX, Step

MB = 1_000_000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def questions(store: Store, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(document id, question) about random synthetic documents, each named by its title (a
    page's own, "… (제42호)"), as a reader names the article they mean. A page whose stored
    title is not its own (ingestion took a line of chrome that many pages share) cannot be
    named that way, so it is not asked about."""
    docs = [d for d in store.documents() if d.id.startswith("syn_")]
    titles = Counter(d.title for d in docs)
    docs = sorted((d for d in docs if titles[d.title] == 1), key=lambda d: d.id)
    return [(doc.id, f"‘{doc.title}’ 기사는 무엇을 말하나요?")
            for doc in rng.sample(docs, k=min(count, len(docs)))]


def measure(tmp: Path, seed: synthetic.SeedText, seeds: Path, settings, korean, *,
            documents: int = 1000, asked: int = 8, log=print,
            passage_tokens: int | None = None) -> dict:
    folder = tmp / "collection-docs"
    folder.mkdir()
    for path in synthetic.document_files(seeds):
        shutil.copy2(path, folder / path.name)
    synthetic.write_pages(seed, folder, documents - len(synthetic.document_files(seeds)),
                          rng_seed=13)
    db = tmp / "collection" / "bot.db"
    db.parent.mkdir()
    own = settings.model_copy(update={"BRIEFBOT_DB": db})
    recorder = workload.RecordingLLM(LazyLLM(own))
    services = Services(settings=own, store=Store(db), korean=korean, llm=recorder)
    if passage_tokens:
        services.answers.options.passage_tokens = passage_tokens
    started = time.perf_counter()
    ingest_folder(services.store, korean, folder, max_bytes=own.INGEST_MAX_BYTES)
    log(f"  {documents} documents ingested in {time.perf_counter() - started:.0f} s")
    recorder.get()  # loaded now: no question's time includes loading the model
    worker = build_worker(services)
    worker.run_step(Step(COLLECTION))  # the shared prefix, as the running bot has it
    rng = random.Random(3)
    picked = questions(services.store, 2 * asked, rng)
    # Between the worker's step and the question "on disk", another reader asks about another
    # document, so the model's memory holds something else and the prefix comes from disk.
    asked_about, others = picked[:asked], [q for _, q in picked[asked:]]
    times: dict[str, list[int]] = {"cold": [], "on disk": [], "warm": []}
    paths: dict[str, list[str]] = {"cold": [], "on disk": [], "warm": []}
    warm_seconds: list[float] = []
    for (doc_id, question), other in zip(asked_about, others):
        cold = workload.ask(services, recorder, "cold", question)
        times["cold"].append(cold.first_token_ms)
        paths["cold"].append(cold.prefix)
        for chosen in services.answers.cold_documents():  # what the worker does next
            step_started = time.perf_counter()
            worker.run_step(Step(PREFIX, chosen))
            warm_seconds.append(time.perf_counter() - step_started)
        workload.ask(services, recorder, "other", other)  # the model's memory moves on
        on_disk = workload.ask(services, recorder, "on disk", question)
        warm = workload.ask(services, recorder, "warm", question)
        for kind, sample in (("on disk", on_disk), ("warm", warm)):
            times[kind].append(sample.first_token_ms)
            paths[kind].append(sample.prefix)
        log(f"  {doc_id}: first token cold {cold.first_token_ms} ms ({cold.prefix}), on disk "
            f"{on_disk.first_token_ms} ms ({on_disk.prefix}), warm {warm.first_token_ms} ms "
            f"({warm.prefix})")
    entries, size = disk_usage(cache_folder(db))
    per_doc = size / entries if entries else 0.0
    services.close()
    result = {"documents": documents, "asked": len(asked_about),
              "disk_per_1000_gb": round(per_doc * 1000 / 1e9, 1),
              "precompute_docs_per_hour": round(3600 / statistics.median(warm_seconds))
              if warm_seconds else None}
    for kind, values in times.items():
        if values:
            result[kind] = {"p50_s": statistics.median(values) / 1000,
                            "p95_s": percentile(values, 95) / 1000, "paths": paths[kind]}
    return result


def main() -> int:
    """Alone: .venv/bin/python bench/collection.py [--documents N] [--asked N]"""
    import argparse
    import json
    import tempfile

    from bot.config import load_settings
    from bot.korean import Korean

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--asked", type=int, default=8)
    parser.add_argument("--passage-tokens", type=int, help="tokens of best sentences a cold "
                        "document brings")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="briefbot-collection-") as name:
        tmp = Path(name)
        settings = load_settings(BRIEFBOT_DB=tmp / "bot.db", SEEDS_DIR=root / "seeds",
                                 LLM_BACKEND="llamacpp")
        seed = synthetic.read_seeds(root / "seeds", settings.INGEST_MAX_BYTES)
        result = measure(tmp, seed, root / "seeds", settings, Korean(),
                         documents=args.documents, asked=args.asked,
                         passage_tokens=args.passage_tokens)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
