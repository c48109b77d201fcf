"""The command table is the one list of Telegram commands: the handlers, the command menu, /help
and README's list agree with it. No network: handlers are read off the built Application."""
from __future__ import annotations

import re

from telegram.ext import Application, CommandHandler

from bot import texts
from bot.tg import table
from bot.tg.app import add_handlers
from tests.conftest import ROOT, TOKEN

NAMES = [c.name for c in table.COMMANDS]


def _readme_telegram_commands() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## In Telegram", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`/([a-z_]+)", section))


def test_names_are_unique_and_valid_telegram_commands():
    assert len(NAMES) == len(set(NAMES))
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", name) for name in NAMES), NAMES


def test_the_registered_handlers_are_the_table():
    application = Application.builder().token(TOKEN).build()
    add_handlers(application)
    registered = [name for handlers in application.handlers.values() for h in handlers
                  if isinstance(h, CommandHandler) for name in sorted(h.commands)]
    assert registered == NAMES


def test_menu_and_help_come_from_the_table_in_its_order():
    assert [c.command for c in table.menu()] == [c.name for c in table.COMMANDS if c.menu]
    help_lines = [line for line in table.help_text().splitlines() if line.startswith("• /")]
    assert help_lines == [f"• {c.help}" for c in table.COMMANDS if c.help]
    for command in table.COMMANDS:
        if command.help:  # a help line is about its own command
            assert command.help.startswith(f"/{command.name}"), command.name


def test_no_menu_or_help_text_for_a_command_that_does_not_exist():
    assert set(texts.TG_MENU) <= set(NAMES), set(texts.TG_MENU) - set(NAMES)
    assert set(texts.TG_HELP_LINES) <= set(NAMES), set(texts.TG_HELP_LINES) - set(NAMES)


def test_readme_lists_exactly_the_telegram_commands():
    documented = _readme_telegram_commands()
    assert set(NAMES) - documented == set(), "add these to README.md's 'In Telegram'"
    assert documented - set(NAMES) == set(), "README.md names commands the bot lacks"
