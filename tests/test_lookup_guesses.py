"""Prompt lookup guesses only where a guess is likely to be kept: a pass that checks guesses
costs several single-token passes on some CPUs, so a rejected guess is paid in full."""
from __future__ import annotations

from bot.llm.lookup import BACKOFF, FIRST_GUESS, Guesser

COPIED = [11, 12, 13, 14, 15, 16, 17, 18, 5, 11, 12]  # "11 12" came before: a copy goes on
LONE = [11, 12, 13, 14, 15, 16, 17, 18, 5, 11]  # only "11" repeats


def test_a_lone_repeated_token_is_no_reason_to_guess():
    guesser = Guesser(4)
    assert guesser.guess(COPIED) == [13, 14, 15, 16][:FIRST_GUESS]
    assert guesser.guess(LONE) == []


def test_a_guess_grows_while_the_model_keeps_it_and_shrinks_when_it_does_not():
    """A longer pass costs more (a rejected guess is paid in full): guess few tokens first,
    twice what the model kept last while it keeps them, never more than asked for."""
    guesser = Guesser(4)
    assert FIRST_GUESS == 2 and guesser.guess(COPIED) == [13, 14]
    guesser.checked(2, 2)  # both kept
    assert guesser.guess(COPIED) == [13, 14, 15, 16]
    guesser.checked(4, 4)
    assert guesser.guess(COPIED) == [13, 14, 15, 16]  # at most 4
    guesser.checked(4, 1)  # one of four kept
    assert guesser.guess(COPIED) == [13, 14]
    guesser.checked(2, 0)  # none kept: a pause, then short guesses again
    assert [guesser.guess(COPIED) for _ in range(BACKOFF)] == [[]] * BACKOFF
    assert guesser.guess(COPIED) == [13, 14]
    assert Guesser(1).guess(COPIED) == [13]  # never more than asked for


def test_after_a_guess_rejected_outright_no_guesses_for_a_while():
    guesser = Guesser(4)
    guesser.checked(2, 0)  # the model agreed with none of them
    assert [guesser.guess(COPIED) for _ in range(BACKOFF)] == [[]] * BACKOFF
    assert guesser.guess(COPIED) == [13, 14]  # then it tries again
    guesser.checked(2, 0)  # and fails again: the pause doubles
    assert [guesser.guess(COPIED) for _ in range(2 * BACKOFF)] == [[]] * (2 * BACKOFF)
    guesser.checked(0, 0)  # a pass without guesses says nothing about them
    assert guesser.guess(COPIED) == [13, 14]
    guesser.checked(2, 1)  # a kept guess: the next rejection pauses briefly again
    guesser.checked(2, 0)
    assert [guesser.guess(COPIED) for _ in range(BACKOFF)] == [[]] * BACKOFF
    assert guesser.guess(COPIED)


def test_no_guesses_when_lookup_is_off():
    assert Guesser(0).guess(COPIED) == []
