from __future__ import annotations

from functools import cache

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_data import Menu, MenuItem
from bot.texts import common as common_texts


@cache
def without_consent() -> InlineKeyboardMarkup:
    """What needs no personal data, and the callback request (which asks for consent)."""
    builder = InlineKeyboardBuilder()
    for label, item in (
        (common_texts.BUTTON_HELP, MenuItem.HELP),
        (common_texts.BUTTON_CALLBACK, MenuItem.CALLBACK),
        (common_texts.BUTTON_MAIN_MENU, MenuItem.MAIN),
    ):
        builder.button(text=label, callback_data=Menu(item=item))
    builder.adjust(1)
    return builder.as_markup()
