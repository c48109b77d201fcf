"""The console chat: the same services the Telegram bot uses, over standard input."""
from __future__ import annotations

from datetime import datetime
from typing import TextIO

import click

from bot import render, texts
from bot.briefing import select_documents
from bot.debate import view
from bot.delivery.digest import all_pages, compose_briefing
from bot.llm import LLMError
from bot.services import Services

CONSOLE_CHAT_ID = 0
HELP = ("/summary [N|키워드]  /brief  /debate [쟁점ID|키워드]  /search 키워드  /sources  /help  "
        "(그 밖의 줄은 질문)")


def reply(services: Services, line: str) -> str:
    line = line.strip()
    command, _, arg = line.partition(" ")
    store = services.store
    if command == "/help":
        return HELP
    if command == "/sources":
        return render.sources_plain(store.documents())
    if command == "/summary":
        docs = select_documents(store, services.retriever.search, arg)
        if not docs:
            return texts.NO_MATCHING_DOCS.format(keyword=arg) if arg else texts.NO_DOCUMENTS
        return "\n\n".join(render.summary_plain(d) for d in docs)
    if command == "/brief":
        return all_pages(compose_briefing(store, services.korean, since=None,
                                          today=datetime.now(services.settings.tz).date()))
    if command == "/debate":
        lines, _ = render.debate_reply(services.debate, arg, picture=False)
        return view.plain(lines)
    if command == "/search":
        hits = services.retriever.search(arg, limit=5)
        if not hits:
            return texts.NO_MATCHING_DOCS.format(keyword=arg)
        return "\n".join(f"• {h.title}: {h.sentence}" for h in hits)
    answers = services.answers
    try:
        answer = answers.ask(line, answers.history(CONSOLE_CHAT_ID))
    except LLMError as exc:
        return f"error: {exc}"
    answers.remember(CONSOLE_CHAT_ID, line, answer)
    return render.answer_plain(answer)


def run_console(services: Services, stream: TextIO) -> None:
    interactive = stream.isatty()
    if interactive:
        click.echo(HELP)
    while True:
        if interactive:
            click.echo("> ", nl=False)
        line = stream.readline()
        if not line:
            break
        if line.strip():
            click.echo(reply(services, line))
