"""Can the default model tell two reports of one event from two reports of different events?

Every candidate pair a story could be made of (both reports, within STORY_DAYS, sharing rare
lead words: what bot/news/stories.py weighs before deciding) is put to the model as a
constrained choice (예 / 아니오, `LLM.choose`), and the margin log P(예) − log P(아니오) is
printed against the batch's labels (`stories.jsonl`), with the AUC over all pairs: 0.5 is a coin.

    PYTHONPATH=. .venv/bin/python bench/story_model.py eval/blind/b1 eval/blind/b2 eval/blind/b3
"""
from __future__ import annotations

import itertools
import json
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bot.config import Settings
from bot.ingest.pipeline import ingest_folder
from bot.korean import Korean
from bot.llm.base import LLM
from bot.llm.build import build_llm
from bot.news.facts import FactReader, Facts
from bot.news.stories import SHARED_WEIGHT, STORY_DAYS, idf
from bot.store import Store

SYSTEM = ("You compare two Korean news reports. Answer 예 if both report the same single "
          "event (the same announcement, decision, vote, launch, agreement or incident on the "
          "same day), or 아니오 if they report different events, even on the same topic.")
LEAD_CHARS = 300


def lead(f: Facts) -> str:
    return " ".join(s for s, _ in f.sentences[:2])[:LEAD_CHARS]


def candidates(facts: list[Facts], weight: dict[str, float]):
    for a, b in itertools.combinations(facts, 2):
        if a.argues or b.argues or not a.day or not b.day:
            continue
        if abs((date.fromisoformat(a.day) - date.fromisoformat(b.day)).days) > STORY_DAYS:
            continue
        if sum(weight.get(w, 0.0) for w in a.lead_words & b.lead_words) >= SHARED_WEIGHT:
            yield a, b


def judge(llm: LLM, batch: Path) -> list[tuple[bool, float]]:
    with (batch / "stories.jsonl").open(encoding="utf-8") as lines:
        same = {frozenset(p) for line in lines if line.strip()
                for p in itertools.combinations(json.loads(line)["docs"], 2)}
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(batch / "docs", Path(tmp) / "docs")
        store = Store(Path(tmp) / "n.db")
        ingest_folder(store, Korean(), Path(tmp) / "docs", max_bytes=5_000_000)
        reader = FactReader(store, Korean())
        facts = [reader.facts(d) for d in store.documents()]
        weight = idf(store, set().union(*(f.lead_words for f in facts)))
        for a, b in candidates(facts, weight):
            question = (f"보도 1\n제목: {a.doc.title}\n첫 문장: {lead(a)}\n\n보도 2\n제목: "
                        f"{b.doc.title}\n첫 문장: {lead(b)}\n\n같은 사건인가? 예/아니오로 답하라.")
            started = time.perf_counter()
            logp = llm.choose([{"role": "system", "content": SYSTEM},
                               {"role": "user", "content": question}], ("예", "아니오"))
            label = frozenset((a.doc.id, b.doc.id)) in same
            margin = logp["예"] - logp["아니오"]
            out.append((label, margin))
            print(json.dumps({"a": a.doc.id[:4], "b": b.doc.id[:4], "same": label,
                              "margin": round(margin, 2),
                              "s": round(time.perf_counter() - started, 1)}), flush=True)
        store.close()
    return out


def main() -> int:
    llm = build_llm(Settings())
    results = [r for arg in sys.argv[1:] for r in judge(llm, Path(arg))]
    pos = [m for same, m in results if same]
    neg = [m for same, m in results if not same]
    pairs = len(pos) * len(neg)
    auc = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / pairs if pairs else 0.0
    print(f"{len(pos)} same-event pairs, {len(neg)} different: AUC {auc:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
