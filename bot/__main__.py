"""`python -m bot …` is the `briefbot` command (tests run it from a source tree)."""
from bot.cli import main

main(prog_name="briefbot")
