from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_data import Nav, NavAction
from bot.keyboards.common import add_navigation
from bot.texts import privacy as t


def confirm_erasure() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BUTTON_CONFIRM, callback_data=Nav(action=NavAction.CONFIRM))
    add_navigation(builder)
    return builder.as_markup()
