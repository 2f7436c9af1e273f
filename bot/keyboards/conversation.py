"""Citizen's buttons for the conversation with operators: reply, rate."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup

from bot.callback_data import (
    Addendum,
    MenuItem,
    Rating,
    RatingAction,
    Reopen,
    ReplyToAppeal,
)
from bot.domain.content import Article
from bot.domain.models import Appeal
from bot.keyboards.common import button, column, menu_button
from bot.keyboards.targets import target_button
from bot.texts import common as common_texts
from bot.texts import conversation as t
from bot.texts import render


def reply_button(number: str) -> InlineKeyboardMarkup:
    return column(button(t.BUTTON_REPLY, ReplyToAppeal(number=number)))


def reopen(number: str, *, new_appeal: bool = False) -> InlineKeyboardMarkup:
    """«Возобновить обращение», and «Новое обращение» when a message found it closed."""
    others = [menu_button(t.BUTTON_NEW_APPEAL, MenuItem.NEW_APPEAL)] if new_appeal else []
    return column(button(t.BUTTON_REOPEN, Reopen(number=number)), *others)


def rating(number: str) -> InlineKeyboardMarkup:
    scores = [
        button(f"{score} ⭐", Rating(action=RatingAction.SCORE, number=number, score=score))
        for score in range(1, 6)
    ]
    return InlineKeyboardMarkup(inline_keyboard=[scores])


def addenda(
    appeals: list[Appeal], message_id: int, targets: Sequence[str], articles: dict[str, Article]
) -> InlineKeyboardMarkup:
    """The routing's suggestions (if any), «Это дополнение к обращению № …» for each open
    appeal, and the main menu: the citizen's message ``message_id`` waits for their choice."""
    return column(
        *(target_button(target, articles) for target in targets),
        *(
            button(
                render(t.BUTTON_ADDENDUM, number=appeal.number),
                Addendum(number=appeal.number, message=message_id),
            )
            for appeal in appeals
        ),
        menu_button(common_texts.BUTTON_MAIN_MENU, MenuItem.MAIN),
    )
