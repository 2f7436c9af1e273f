from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_data import Menu, MenuItem
from bot.domain.content import Article
from bot.keyboards.common import button
from bot.keyboards.targets import target_button
from bot.texts import common as common_texts


def suggestions(targets: list[str], articles: dict[str, Article]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for target in targets:
        builder.row(target_button(target, articles))
    builder.row(button(common_texts.BUTTON_MAIN_MENU, Menu(item=MenuItem.MAIN)))
    return builder.as_markup()
