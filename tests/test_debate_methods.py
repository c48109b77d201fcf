"""DEBATE_SIDES values are one table (bot/types.py DEBATE_METHODS): the setting accepts exactly
its names, each method reads what its entry says, and the docs name every method."""
from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from bot.config import Settings
from bot.debate.extract import NONE, Candidate, Judged, decide
from bot.types import DEBATE_METHODS, FOR, SIDES, Proposition
from tests.conftest import ROOT

PROP = Proposition("p", "정부는 GPU를 더 사야 한다.", ("GPU",), ("GPU",))


def _judged(cued: str, leader: str) -> Judged:
    """A candidate whose wording argues `cued` while the model is sure of `leader`."""
    scores = {label: (5.0 if label == leader else 0.0) for label in (*SIDES, NONE)}
    return Judged(Candidate(PROP, 0, "문장", 2), "필자", cued, scores)


@pytest.mark.parametrize("name", list(DEBATE_METHODS))
def test_each_method_reads_what_its_entry_says(name):
    uses = DEBATE_METHODS[name]
    worded_only = decide(_judged(FOR, NONE), name)[0]  # the wording argues, the model says 무관
    model_only = decide(_judged(NONE, FOR), name)[0]  # the wording is silent, the model argues
    assert (worded_only == FOR) == (uses.wording and not uses.model)
    assert (model_only == FOR) == (uses.model and not uses.wording)
    assert decide(_judged(FOR, FOR), name)[0] == FOR  # both agree: every method finds it


def test_the_setting_takes_exactly_the_tables_names():
    for name in DEBATE_METHODS:
        assert name == Settings(DEBATE_SIDES=name, _env_file=None).DEBATE_SIDES
    with pytest.raises(ValidationError) as caught:
        Settings(DEBATE_SIDES="votes", _env_file=None)
    assert all(name in str(caught.value) for name in DEBATE_METHODS)


def test_the_docs_name_every_method():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [row] = [line for line in readme.splitlines() if line.startswith("| `DEBATE_SIDES`")]
    assert set(re.findall(r"`([a-z+]+)`", row)) == set(DEBATE_METHODS)
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    lines = example.split("\nDEBATE_SIDES=", 1)[0].splitlines()
    comment = ""
    while lines and lines[-1].startswith("#"):  # the comment right above the setting
        comment = lines.pop() + comment
    assert all(re.search(rf"(?<![a-z+]){re.escape(name)}(?![a-z+])", comment)
               for name in DEBATE_METHODS)
