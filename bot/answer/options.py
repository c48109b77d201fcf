"""The answer path's knobs that measurements turn (bench/eval.py, bench/collection.py) and the
day "지난주" counts from: one object the stages share, set once where the service is built."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

# Best sentences in a question's turn across documents; each costs ~40 tokens of prompt
# processing (~0.6 s here). A single whole document gets none: it is all in the cached prefix,
# and repeating its best sentences in the turn made answers worse and slower when measured
# (bench/eval.py --hint-lines; the figures are in eval/README.md).
EVIDENCE_LINES = 4
HINT_LINES = 0
# The best sentences a cold document brings into the turn, in tokens (the best one always).
PASSAGE_TOKENS = 100
# The best sentences of a turn across documents (or from one too long to go whole), in tokens:
# what its EVIDENCE_LINES sentences of ~40 tokens cost, counted so that long sentences do not
# run it over (a document the shared prefix lacks has its best one quoted all the same).
TURN_TOKENS = EVIDENCE_LINES * 40
CONTEXT_TOKENS = 2600  # a document up to this long goes into a prompt whole


@dataclass
class Options:
    context_tokens: int = CONTEXT_TOKENS
    # When a single document is answered from passages: "cold" (its prefix is not at hand),
    # "always" or "never" (bench/eval.py --passages compares them).
    passages: str = "cold"
    passage_tokens: int = PASSAGE_TOKENS  # its best sentences' budget (at least one)
    turn_tokens: int = TURN_TOKENS  # the best sentences of a turn across documents
    # Sentences of a whole document repeated beside the question (bench/eval.py --hint-lines
    # measures the trade: answers against time to the first token).
    hint_lines: int = HINT_LINES
    today: Callable[[], date] = field(default=date.today)  # what "지난주" counts from
