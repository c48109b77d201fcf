"""`make eval`, second part: the debate map's positions against the hand labels of
eval/debate_dev.jsonl, over seeds/ and eval/docs/ (documents written for the purpose).

A predicted position is (document, proposition, side). It is right when a label gives that
document and proposition that side; it is wrong when the labels give the pair another side or
무관 (every pair of a labelled document is labelled). Prints per side: precision, recall and
counts; the share of quotes that are verbatim sentences of their document; how often the actor
agrees with the label's; and the model seconds per document. `--sweep` also prints precision
and recall for other decision margins (from the same model scores: no second model pass)."""
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
from bot.debate.extract import LABELS, NONE, Judge, find_positions
from bot.debate.propositions import Propositions
from bot.ingest.pipeline import ingest_folder
from bot.services import build_services
from bot.types import SIDES

FOLDERS = (Path("seeds"), Path("eval/docs"))


class RecordingJudge(Judge):
    """Keeps every calibrated score, so other margins can be judged without the model."""

    def __init__(self, llm):
        super().__init__(llm)
        self.seen: list[tuple[str, str, dict[str, float]]] = []  # (proposition, sentence, scores)

    def calibrated(self, prop, sentence, interrupt=None):
        scores = super().calibrated(prop, sentence, interrupt)
        self.seen.append((prop.id, sentence, scores))
        return scores


def load_labels(path: Path) -> dict[tuple[str, str], set[str]]:
    """(doc, proposition) -> the sides labelled ({"무관"} for none)."""
    labels: dict[tuple[str, str], set[str]] = defaultdict(set)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            labels[(row["doc"], row["proposition"])].add(row["side"])
    return labels


def actor_agrees(predicted: str, labelled: list[str], doc) -> bool:
    """Same person (first word), or the author named either way."""
    for actor in labelled:
        if predicted == actor or (predicted.split()[0] in actor if predicted else False):
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


def report(name: str, counts: dict[str, tuple[int, int, int]]) -> None:
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    for side, (right, made, wanted) in [*counts.items(), ("all", tuple(total))]:
        precision = right / made if made else float("nan")
        recall = right / wanted if wanted else float("nan")
        print(f"{name:<8}{side:<6} precision {precision:5.2f} ({right}/{made})  "
              f"recall {recall:5.2f} ({right}/{wanted})")


def main(labels_path: str, sweep: bool) -> int:
    setup_logging()
    settings = load_settings(BRIEFBOT_DB=Path("data/debate_eval.db"))
    services = build_services(settings)
    for folder in FOLDERS:
        if folder.is_dir():
            ingest_folder(services.store, services.korean, folder,
                          max_bytes=settings.INGEST_MAX_BYTES)
    labels = load_labels(Path(labels_path))
    labelled_docs = {d for d, _ in labels}
    docs = [d for d in services.store.documents() if d.id in labelled_docs]
    propositions = Propositions().current()
    judge = RecordingJudge(services.llm)
    services.llm.count_tokens("모델")  # loaded now: no document's time includes loading it
    predicted, seconds, not_verbatim, actors = set(), [], 0, [0, 0]
    actor_labels = defaultdict(list)
    for line in Path(labels_path).read_text(encoding="utf-8").splitlines():
        if line.strip() and (row := json.loads(line))["side"] != NONE:
            actor_labels[(row["doc"], row["proposition"], row["side"])].append(row["actor"])
    for doc in docs:
        started = time.monotonic()
        found = find_positions(doc, propositions, judge, services.korean)
        seconds.append(time.monotonic() - started)
        for pos in found:
            key = (doc.id, pos.proposition, pos.side)
            predicted.add(key)
            not_verbatim += pos.quote not in doc.text
            mark = "ok" if pos.side in labels.get((doc.id, pos.proposition), {pos.side}) \
                else "WRONG " + "/".join(sorted(labels[(doc.id, pos.proposition)]))
            if key in actor_labels:
                agrees = actor_agrees(pos.actor, actor_labels[key], doc)
                actors[0] += agrees
                actors[1] += 1
                mark += "" if agrees else f" (actor: labelled {actor_labels[key]})"
            print(f"{doc.id[:24]:<25}{pos.proposition:<17}{pos.side:<4}{pos.score:5.2f} "
                  f"{pos.actor[:20]:<21}{mark}\n    {pos.quote[:110]}")
    report("debate", score(predicted, labels))
    total = len(predicted)
    print(f"quotes verbatim: {total - not_verbatim}/{total}; actor agrees with the label: "
          f"{actors[0]}/{actors[1]}")
    print(f"model seconds per document: median {statistics.median(seconds):.1f} s, max "
          f"{max(seconds):.1f} s over {len(docs)} documents ({judge.calls} model calls, "
          f"{Path(settings.MODEL_PATH).name}, {settings.LLM_THREADS} threads)")
    if sweep:
        _sweep(judge, docs, labels)
    return 0


def _sweep(judge: RecordingJudge, docs, labels) -> None:
    """Precision and recall for other margins: which label each recorded candidate gets."""
    for margin in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0):
        predicted = set()
        for doc in docs:
            for pid, sentence, scores in judge.seen:
                if sentence in doc.text:
                    side, _ = Judge.decide(scores, margin)
                    if side in LABELS and side != NONE:
                        predicted.add((doc.id, pid, side))
        report(f"m={margin}", score(predicted, labels))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("labels", nargs="?", default="eval/debate_dev.jsonl")
    parser.add_argument("--sweep", action="store_true", help="also judge other margins")
    args = parser.parse_args()
    sys.exit(main(args.labels, args.sweep))
