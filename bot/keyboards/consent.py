from __future__ import annotations

from functools import cache

from aiogram.types import InlineKeyboardMarkup

from bot.callback_data import MenuItem
from bot.keyboards.common import column, menu_button
from bot.texts import common as common_texts


@cache
def without_consent() -> InlineKeyboardMarkup:
    """What needs no personal data, and the callback request (which asks for consent)."""
    return column(
        menu_button(common_texts.BUTTON_HELP, MenuItem.HELP),
        menu_button(common_texts.BUTTON_CALLBACK, MenuItem.CALLBACK),
        menu_button(common_texts.BUTTON_MAIN_MENU, MenuItem.MAIN),
    )
