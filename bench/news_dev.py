"""Stories and differing figures against their development sets (no model).

Ingests eval/collection/ and eval/docs/ into a fresh database, groups every document into
stories (bot/news/stories.py) and finds the figures documents give differently
(bot/news/figures.py), then scores them against eval/stories_dev.jsonl and
eval/figures_dev.jsonl: a labelled pair is predicted "same" when both documents end in one
story, "differ" when one conflict holds both documents with the labelled values. Every
predicted pair or conflict that no label covers is printed too, for reading: unlabelled
predictions are where the next labels come from.

    PYTHONPATH=. .venv/bin/python bench/news_dev.py [--db data/news_dev.db] [--scale 1000]

`--scale N` then times the same over N documents: the collection's articles again and again,
each copy moved by a few days and marked so that it is a document of its own — reading every
document's facts cold (one Kiwi pass each), then stories and conflicts over all N with the facts
in memory.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bot.ingest.pipeline import ingest_folder
from bot.korean import Korean
from bot.news.facts import FactReader
from bot.news.figures import FigureFinder
from bot.news.stories import StoryFinder
from bot.store import Store

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = (ROOT / "eval" / "collection", ROOT / "eval" / "docs")


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def scores(tp: int, fp: int, fn: int) -> str:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return f"precision {precision:.2f} ({tp}/{tp + fp}), recall {recall:.2f} ({tp}/{tp + fn})"


def build(db: Path) -> Store:
    with tempfile.TemporaryDirectory() as folder:
        for source in FOLDERS:
            for path in source.iterdir():
                shutil.copy(path, folder)
        store = Store(db)
        ingest_folder(store, Korean(), Path(folder), max_bytes=5_000_000)
    return store


def judge_stories(store: Store, finder: StoryFinder) -> None:
    started = time.perf_counter()
    stories = finder.stories(store.documents())
    seconds = time.perf_counter() - started
    story_of = {d.id: i for i, s in enumerate(stories) for d in s.docs}
    tp = fp = fn = 0
    labelled = set()
    for case in load(ROOT / "eval" / "stories_dev.jsonl"):
        labelled.add(frozenset((case["a"], case["b"])))
        same = story_of[case["a"]] == story_of[case["b"]]
        verdict = {(True, True): "right", (False, False): "right", (True, False): "MISSED",
                   (False, True): "WRONG"}[(case["same"], same)]
        tp += same and case["same"]
        fp += same and not case["same"]
        fn += case["same"] and not same
        print(f"  {verdict:6} {'same' if case['same'] else 'apart':5} {case['a'][:4]} "
              f"{case['b'][:4]}  {case['why']}")
    print("stories:")
    for story in stories:
        if len(story.docs) > 1:
            print(f"  {story.label}  [{story.outlets_line}]  "
                  + " ".join(d.id[:4] for d in story.docs))
            for i, a in enumerate(story.docs):
                for b in story.docs[i + 1:]:
                    if frozenset((a.id, b.id)) not in labelled:
                        print(f"    unlabelled pair {a.id[:4]} {b.id[:4]}")
    print(f"stories: {scores(tp, fp, fn)}; {len(stories)} stories of "
          f"{len(story_of)} documents in {seconds:.2f} s")


def judge_figures(store: Store, finder: FigureFinder) -> None:
    started = time.perf_counter()
    conflicts = finder.conflicts(store.documents())
    seconds = time.perf_counter() - started
    found = [{(v.doc.id, v.written) for v in c.values} for c in conflicts]
    tp = fp = fn = 0
    covered = set()
    for case in load(ROOT / "eval" / "figures_dev.jsonl"):
        pair = {(case["a"], case["a_value"]), (case["b"], case["b_value"])}
        hit = [i for i, f in enumerate(found) if pair <= f]
        covered.update(hit)
        said = bool(hit)
        verdict = "right" if said == case["differ"] else ("MISSED" if case["differ"] else "WRONG")
        tp += said and case["differ"]
        fp += said and not case["differ"]
        fn += case["differ"] and not said
        print(f"  {verdict:6} {'differ' if case['differ'] else 'apart':6} "
              f"{case['a'][:4]} {case['a_value']} / {case['b'][:4]} {case['b_value']}"
              f"  {case['quantity']}")
    for i, conflict in enumerate(conflicts):
        if i not in covered:
            values = "; ".join(f"{v.doc.id[:4]} {v.written}" for v in conflict.values)
            print(f"  unlabelled conflict: {conflict.label}: {values}")
    print(f"figures: {scores(tp, fp, fn)}; {len(conflicts)} conflicts found in {seconds:.2f} s")


def scale(count: int, tmp: Path) -> None:
    folder = tmp / "scaled"
    folder.mkdir()
    sources = sorted(p for source in FOLDERS for p in source.iterdir())
    for i in range(count):
        path = sources[i % len(sources)]
        text = path.read_text(encoding="utf-8")
        shift = i // len(sources)
        text = re.sub(r"2026([-.])(\d\d)([-.])(\d\d)",
                      lambda m, s=shift: f"2026{m[1]}{m[2]}{m[3]}{min(int(m[4]) + s, 28):02d}",
                      text)
        (folder / f"{i:04d}_{path.name}").write_text(f"{text}\n\n(자료 번호 {i})\n",
                                                     encoding="utf-8")
    started = time.perf_counter()
    store = Store(tmp / "scaled.db")
    ingest_folder(store, Korean(), folder, max_bytes=5_000_000)
    print(f"scale: ingested {count} documents in {time.perf_counter() - started:.0f} s")
    docs = store.documents()
    facts = FactReader(store, Korean())
    started = time.perf_counter()
    for doc in docs:
        facts.facts(doc)
    read = time.perf_counter() - started
    started = time.perf_counter()
    stories = StoryFinder(store, facts).stories(docs)
    grouped = time.perf_counter() - started
    started = time.perf_counter()
    conflicts = FigureFinder(store, facts).conflicts(docs)
    compared = time.perf_counter() - started
    print(f"scale: {len(docs)} documents: facts read cold {read:.1f} s "
          f"({1000 * read / len(docs):.1f} ms each), stories {grouped:.1f} s "
          f"({len(stories)} stories), conflicts {compared:.1f} s ({len(conflicts)})")
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="database to build (default: a "
                        "temporary file)")
    parser.add_argument("--scale", type=int, default=0, help="also time N documents")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "news_dev.db"
        db.unlink(missing_ok=True)
        store = build(db)
        facts = FactReader(store, Korean())
        judge_stories(store, StoryFinder(store, facts))
        judge_figures(store, FigureFinder(store, facts))
        store.close()
        if args.scale:
            scale(args.scale, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
