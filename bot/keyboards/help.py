from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from bot.callback_data import MenuItem
from bot.domain.content import Article
from bot.keyboards.common import column, menu_button
from bot.keyboards.targets import target_button
from bot.texts import common as common_texts


def suggestions(targets: list[str], articles: dict[str, Article]) -> InlineKeyboardMarkup:
    return column(
        *(target_button(target, articles) for target in targets),
        menu_button(common_texts.BUTTON_MAIN_MENU, MenuItem.MAIN),
    )
