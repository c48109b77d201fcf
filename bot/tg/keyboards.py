"""The buttons under a one-screen message: one per page it can open from the page shown
(bot/delivery/screen.py decides which), each carrying its screen's id and the page's index."""
from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery.screen import page_buttons
from bot.store import Screen

CALLBACK_PATTERN = r"^s:"  # for the CallbackQueryHandler


def callback_data(screen_id: str, page: int) -> str:
    return f"s:{screen_id}:{page}"


def keyboard(screen: Screen | None, page: int = 0) -> InlineKeyboardMarkup | None:
    """The buttons under `page` of `screen`, one per row; None when it has one page only."""
    if screen is None or len(screen.pages) < 2:
        return None
    labels = [label for label, _ in screen.pages]
    rows = [[InlineKeyboardButton(label, callback_data=callback_data(screen.id, index))]
            for label, index in page_buttons(labels, page)]
    return InlineKeyboardMarkup(rows) if rows else None
