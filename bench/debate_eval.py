"""`make eval`, second part: the debate map's positions against the hand labels of
eval/debate_dev.jsonl, over seeds/ and eval/docs/ (documents written for the purpose).

A predicted position is (document, proposition, side). It is right when a label gives that
document and proposition that side; it is wrong when the labels give the pair another side or
무관 (every pair of a labelled document is labelled). Prints, for the method in use
(DEBATE_SIDES), each position with its verdict and each labelled position it missed, then per
side: precision, recall and counts; the share of quotes that are verbatim sentences of their
document; how often the actor agrees with the label's. With a model method, or `--compare`:
the model seconds per document, then the same scores for the other methods and margins, from
the same model scores (no second model pass)."""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from bot.cli import setup_logging
from bot.config import load_settings
from bot.debate.actors import AUTHOR
from bot.debate.extract import NONE, Judge, choose, decide, judge_candidates
from bot.debate.propositions import Propositions
from bot.ingest.pipeline import ingest_folder
from bot.services import build_services
from bot.types import SIDES

FOLDERS = (Path("seeds"), Path("eval/docs"))
OTHERS = [("model", {"margin": m}) for m in (0.0, 1.0, 2.0)] + [("cues", {})] + \
         [("cues+veto", {"veto": v}) for v in (0.0, 0.5, 1.0, 2.0)]


def load_labels(path: Path) -> tuple[dict[tuple[str, str], set[str]], dict]:
    """(doc, proposition) -> the sides labelled ({"무관"} for none); and
    (doc, proposition, side) -> the actors labelled."""
    labels: dict[tuple[str, str], set[str]] = defaultdict(set)
    actors: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            labels[(row["doc"], row["proposition"])].add(row["side"])
            if row["side"] != NONE:
                actors[(row["doc"], row["proposition"], row["side"])].append(row["actor"])
    return labels, actors


def actor_agrees(predicted: str, labelled: list[str], doc) -> bool:
    """Same person (first word), or the author named either way."""
    for actor in labelled:
        if predicted == actor or (predicted and predicted.split()[0] in actor):
            return True
        if predicted == AUTHOR and (actor == AUTHOR or doc.author and doc.author in actor):
            return True
    return False


def score(predicted: set[tuple[str, str, str]], labels: dict) -> dict[str, tuple[int, int, int]]:
    """side -> (right, predicted on labelled pairs, labelled)."""
    out = {}
    for side in SIDES:
        mine = {(d, p) for d, p, s in predicted if s == side and (d, p) in labels}
        right = sum(1 for pair in mine if side in labels[pair])
        wanted = sum(1 for sides in labels.values() if side in sides)
        out[side] = (right, len(mine), wanted)
    return out


def report(name: str, counts: dict[str, tuple[int, int, int]], sides: bool = True) -> None:
    total = tuple(sum(c[i] for c in counts.values()) for i in range(3))
    rows = [*counts.items(), ("all", total)] if sides else [("all", total)]
    for side, (right, made, wanted) in rows:
        precision = right / made if made else float("nan")
        recall = right / wanted if wanted else float("nan")
        print(f"{name:<16}{side:<6} precision {precision:5.2f} ({right}/{made})  "
              f"recall {recall:5.2f} ({right}/{wanted})")


def main(labels_path: str, compare: bool = False, folders: list[str] | None = None) -> int:
    setup_logging()
    db = "data/debate_eval.db" if not folders else \
        f"data/debate_eval_{Path(labels_path).parent.name}.db"
    settings = load_settings(BRIEFBOT_DB=Path(db))
    services = build_services(settings)
    for folder in [Path(f) for f in folders] if folders else FOLDERS:
        if folder.is_dir():
            ingest_folder(services.store, services.korean, folder,
                          max_bytes=settings.INGEST_MAX_BYTES)
    method = settings.DEBATE_SIDES
    use_model = compare or method != "cues"  # the wording alone needs no model pass
    labels, actor_labels = load_labels(Path(labels_path))
    docs = [d for d in services.store.documents() if d.id in {d for d, _ in labels}]
    propositions = Propositions().current()
    judge = Judge(services.llm) if use_model else None
    if judge:
        services.llm.count_tokens("모델")  # loaded now: no document's time includes loading it
    judged, seconds = {}, []
    for doc in docs:
        started = time.monotonic()
        judged[doc.id] = judge_candidates(doc, propositions, judge, services.korean)
        seconds.append(time.monotonic() - started)
    by_id = {d.id: d for d in docs}

    def predict(method: str, **options) -> set[tuple[str, str, str]]:
        if not options:  # as shown: the document-level rules of `choose` included
            return {(doc_id, p.proposition, p.side) for doc_id, items in judged.items()
                    for p in choose(by_id[doc_id], propositions, items, method)}
        return {(doc_id, item.candidate.proposition.id, side)
                for doc_id, items in judged.items() for item in items
                if (side := decide(item, method, **options)[0]) != NONE}

    not_verbatim, agree, checked = 0, 0, 0
    for doc_id, items in judged.items():
        for pos in choose(by_id[doc_id], propositions, items, method):
            truth = labels.get((doc_id, pos.proposition), set())
            mark = "ok" if pos.side in truth else "WRONG " + "/".join(sorted(truth))
            not_verbatim += pos.quote not in by_id[doc_id].text
            if (key := (doc_id, pos.proposition, pos.side)) in actor_labels:
                checked += 1
                if actor_agrees(pos.actor, actor_labels[key], by_id[doc_id]):
                    agree += 1
                else:
                    mark += f" (actor: labelled {actor_labels[key]})"
            print(f"{doc_id[:24]:<25}{pos.proposition:<17}{pos.side:<4}{pos.score:5.2f} "
                  f"{pos.actor[:20]:<21}{mark}\n    {pos.quote[:110]}")
    found = predict(method)
    missed = sorted((d, p, side) for (d, p), sides in labels.items() for side in sides
                    if side != NONE and d in by_id and (d, p, side) not in found)
    for doc_id, prop, side in missed:
        actors = ", ".join(actor_labels[(doc_id, prop, side)])
        print(f"{doc_id[:24]:<25}{prop:<17}{side:<4}  MISSED ({actors})")
    print(f"\ndebate map, DEBATE_SIDES={method}:")
    report(method, score(predict(method), labels))
    made = sum(len(choose(by_id[d], propositions, items, method)) for d, items in judged.items())
    print(f"quotes verbatim: {made - not_verbatim}/{made}; actor agrees with the label: "
          f"{agree}/{checked}")
    kind = "blind batch" if "blind" in Path(labels_path).parts else "development labels"
    print(f"({kind}: {labels_path})")
    pairs_file = Path(labels_path).with_name("debate_pairs.jsonl")
    if pairs_file.exists():
        pairs = [json.loads(line) for line in pairs_file.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
        both = 0
        for pair in pairs:
            got = [{s for d, p, s in found if d == doc and p == pair["proposition"]}
                   for doc in pair["docs"]]
            ok = all(side in sides and len(sides) == 1 for side, sides in zip(pair["sides"], got))
            both += ok
            print(f"pair {pair['proposition']:<17}{' / '.join(pair['docs'])}: labelled "
                  f"{pair['sides']}, shown {[sorted(g) for g in got]} {'ok' if ok else 'MISS'}")
        print(f"disagreeing pairs shown with both sides right: {both}/{len(pairs)}")
    if not judge:
        return 0
    print("seconds per document with the model's scores (for model and cues+veto): median "
          f"{statistics.median(seconds):.1f} s, max "
          f"{max(seconds):.1f} s over {len(docs)} documents ({judge.calls} model calls, "
          f"{Path(settings.MODEL_PATH).name}, {settings.LLM_THREADS} threads)")
    print("\nother methods, from the same model scores:")
    for method, options in OTHERS:
        name = method + "".join(f" {k}={v}" for k, v in options.items())
        report(name, score(predict(method, **options), labels), sides=False)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("labels", nargs="?", default="eval/debate_dev.jsonl")
    parser.add_argument("--docs", action="append", metavar="DIR",
                        help="the documents are this folder alone (repeatable), not seeds/ and "
                             "eval/docs/: a blind batch's articles")
    parser.add_argument("--compare", action="store_true",
                        help="also score every method with the model's constrained choice "
                             "(a model pass over every candidate: minutes, not seconds)")
    args = parser.parse_args()
    sys.exit(main(args.labels, compare=args.compare, folders=args.docs))
