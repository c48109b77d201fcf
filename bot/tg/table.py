"""Every Telegram command, one entry each: its handler, its line in the command menu and in
/help, who may use it in a group, and whether it is answered from the chat's lane.

bot/tg/app.py registers the handlers from this table, the command menu (set_my_commands) is
made from it, and so is /help; README's list is checked against it (tests/test_tg_table.py).
A new command is one entry here, with its Korean menu and help lines in bot/texts.py.
"""
from __future__ import annotations

from dataclasses import dataclass

from telegram import BotCommand, Update

from bot import texts
from bot.tg import commands, follow, guard, questions
from bot.tg.chat import reply
from bot.tg.context import BotContext
from bot.tg.guard import Callback


@dataclass(frozen=True)
class Command:
    name: str
    handler: Callback
    menu: str | None = None  # its line in Telegram's command menu; None: not in the menu
    help: str | None = None  # its line in /help; None: not listed there
    group_admins: bool = False  # in a group, only its administrators (or ADMIN_IDS) use it
    lane: bool = True  # needs no model: answered from the chat's lane (bot/tg/lanes.py)

    def callback(self) -> Callback:
        """The handler behind the rules this entry states."""
        handler = guard.group_admins_only(self.handler) if self.group_admins else self.handler
        return guard.in_lane(handler) if self.lane else handler


async def help_command(update: Update, context: BotContext) -> None:
    """/help: commands, and how to use the bot in a group."""
    await reply(update, context, help_text())


def _entry(name: str, handler: Callback, **rules: bool) -> Command:
    return Command(name, handler, menu=texts.TG_MENU.get(name),
                   help=texts.TG_HELP_LINES.get(name), **rules)


COMMANDS: tuple[Command, ...] = (
    _entry("ask", questions.ask, lane=False),  # the model's queue, not the lane
    _entry("summary", commands.summary),
    _entry("brief", commands.brief),
    _entry("search", commands.search),
    _entry("debate", commands.debate),
    _entry("sources", commands.sources),
    _entry("subscribe", commands.subscribe, group_admins=True),
    _entry("unsubscribe", commands.unsubscribe, group_admins=True),
    _entry("time", commands.time_command, group_admins=True),
    _entry("follow", follow.follow, group_admins=True),
    _entry("unfollow", follow.unfollow, group_admins=True),
    _entry("following", follow.following),
    _entry("help", help_command),
    _entry("start", commands.start),
    _entry("stats", commands.stats),  # the bot's admins, in a private chat: its own checks
)


def help_text() -> str:
    lines = [texts.TG_HELP_HEAD, *(f"• {c.help}" for c in COMMANDS if c.help)]
    return "\n".join(lines) + "\n\n" + texts.TG_HELP_GROUPS


def menu() -> list[BotCommand]:
    return [BotCommand(c.name, c.menu) for c in COMMANDS if c.menu]
