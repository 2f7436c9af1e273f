from __future__ import annotations

from functools import cache

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_data import AppealKind, AppealTypeChoice
from bot.keyboards.common import add_navigation
from bot.texts import appeals as t


@cache
def appeal_types() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind in AppealKind:
        builder.button(text=t.TYPE_BUTTONS[kind], callback_data=AppealTypeChoice(kind=kind))
    builder.adjust(1)
    add_navigation(builder)
    return builder.as_markup()
