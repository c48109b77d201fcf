"""Stories and differing figures on a blind batch (no model): the batch's own articles alone.

The labels come from the batch's writer, who knows which reports tell one event and which
figures were planted to differ, and are complete: every pair of documents not in one labelled
story is apart, and every reported conflict that holds no labelled differing pair is wrong.

    eval/blind/<batch>/stories.jsonl   {"docs": [file, ...], "event": "..."}
    eval/blind/<batch>/figures.jsonl   {"a": file, "b": file, "differ": true|false,
                                        "quantity": "..."}

A reported conflict is right when it gives the two documents of a differing label different
values. Precision counts reported groups and conflicts; recall counts labelled pairs.

    PYTHONPATH=. .venv/bin/python bench/news_blind.py eval/blind/b3
"""
from __future__ import annotations

import argparse
import itertools
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

from bot.ingest.pipeline import ingest_folder
from bot.korean import Korean
from bot.news.facts import FactReader
from bot.news.figures import FigureConflict, FigureFinder
from bot.news.stories import Story, StoryFinder
from bot.store import Store


def load(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def ratio(right: int, total: int) -> str:
    return f"{right / total:.2f} ({right}/{total})" if total else "n/a (0/0)"


def judge_stories(stories: list[Story], labels: list[dict]) -> tuple[int, int]:
    """Prints each reported group of two or more with its verdict; returns (right, reported)."""
    same = {frozenset(p) for case in labels for p in itertools.combinations(case["docs"], 2)}
    right = reported = 0
    found: set[frozenset[str]] = set()
    for story in stories:
        if len(story.docs) < 2:
            continue
        reported += 1
        pairs = {frozenset((a.id, b.id)) for a, b in itertools.combinations(story.docs, 2)}
        found |= pairs & same
        ok = pairs <= same
        right += ok
        print(f"  {'right' if ok else 'WRONG':5}  {story.label}  [{story.outlets_line}]  "
              + " ".join(d.id[:4] for d in story.docs))
    for case in labels:
        pairs = {frozenset(p) for p in itertools.combinations(case["docs"], 2)}
        missed = pairs - found
        if missed:
            print(f"  MISSED {' '.join(d[:4] for d in case['docs'])}  {case['event']}  "
                  f"({len(pairs) - len(missed)}/{len(pairs)} pairs found)")
    print(f"stories: precision {ratio(right, reported)} of groups reported; "
          f"recall {ratio(len(found), len(same))} of labelled pairs")
    return right, reported


def _digits(text: str) -> set[str]:
    """The numbers a text writes, without separators: "1만 2,340원" → {"1", "2340"}."""
    return set(re.findall(r"\d+(?:\.\d+)?", text.replace(",", "")))


def judge_figures(conflicts: list[FigureConflict], labels: list[dict]) -> tuple[int, int]:
    differ = {frozenset((c["a"], c["b"])): c for c in labels if c["differ"]}
    apart = {frozenset((c["a"], c["b"])): c for c in labels if not c["differ"]}
    right = 0
    covered: set[frozenset[str]] = set()
    for conflict in conflicts:
        pairs = {frozenset((x.doc.id, y.doc.id))
                 for x, y in itertools.combinations(conflict.values, 2) if x.written != y.written}
        # A pair of pages labelled both ways (two quantities, one differing, one a trap) is
        # right only when the values reported are the differing quantity's.
        shown = set().union(*(_digits(v.written) for v in conflict.values))
        hits = {p for p in pairs & differ.keys()
                if p not in apart or shown & _digits(differ[p]["quantity"])
                and not shown <= _digits(apart[p]["quantity"])}
        covered |= hits
        right += bool(hits)
        trap = " (a labelled trap)" if pairs & apart.keys() else ""
        values = "; ".join(f"{v.doc.id[:4]} {v.written}" for v in conflict.values)
        print(f"  {'right' if hits else 'WRONG':5}  {conflict.label}: {values}{trap}")
    for pair, case in differ.items():
        if pair not in covered:
            print(f"  MISSED {case['a'][:4]} / {case['b'][:4]}  {case['quantity']}")
    print(f"figures: precision {ratio(right, len(conflicts))} of conflicts reported; "
          f"recall {ratio(len(covered), len(differ))} of labelled differing pairs")
    return right, len(conflicts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("batch", type=Path, help="eval/blind/<batch>")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        shutil.copytree(args.batch / "docs", folder)
        store = Store(Path(tmp) / "news.db")
        ingest_folder(store, Korean(), folder, max_bytes=5_000_000)
        facts = FactReader(store, Korean())
        docs = store.documents()
        print(f"=== {args.batch}: {len(docs)} documents ===")
        judge_stories(StoryFinder(store, facts).stories(docs),
                      load(args.batch / "stories.jsonl"))
        judge_figures(FigureFinder(store, facts).conflicts(docs),
                      load(args.batch / "figures.jsonl"))
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
