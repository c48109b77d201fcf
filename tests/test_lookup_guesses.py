"""Prompt lookup guesses only where a guess is likely to be kept: a pass that checks guesses
costs several single-token passes on some CPUs, so a rejected guess is paid in full."""
from __future__ import annotations

from bot.llm.lookup import BACKOFF, Guesser

COPIED = [11, 12, 13, 14, 15, 16, 17, 18, 5, 11, 12]  # "11 12" came before: a copy goes on
LONE = [11, 12, 13, 14, 15, 16, 17, 18, 5, 11]  # only "11" repeats


def test_a_lone_repeated_token_is_no_reason_to_guess():
    guesser = Guesser(4)
    assert guesser.guess(COPIED) == [13, 14, 15, 16]
    assert guesser.guess(LONE) == []


def test_after_a_guess_rejected_outright_no_guesses_for_a_while():
    guesser = Guesser(4)
    guesser.checked(4, 0)  # the model agreed with none of them
    assert [guesser.guess(COPIED) for _ in range(BACKOFF)] == [[]] * BACKOFF
    assert guesser.guess(COPIED) == [13, 14, 15, 16]  # then it tries again
    guesser.checked(4, 0)  # and fails again: the pause doubles
    assert [guesser.guess(COPIED) for _ in range(2 * BACKOFF)] == [[]] * (2 * BACKOFF)
    guesser.checked(0, 0)  # a pass without guesses says nothing about them
    assert guesser.guess(COPIED) == [13, 14, 15, 16]
    guesser.checked(4, 2)  # a kept guess: the next rejection pauses briefly again
    guesser.checked(4, 0)
    assert [guesser.guess(COPIED) for _ in range(BACKOFF)] == [[]] * BACKOFF
    assert guesser.guess(COPIED)


def test_no_guesses_when_lookup_is_off():
    assert Guesser(0).guess(COPIED) == []
