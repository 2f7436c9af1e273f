"""Citizen's buttons for the conversation with operators: reply, rate."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_data import (
    Addendum,
    Menu,
    MenuItem,
    Rating,
    RatingAction,
    Reopen,
    ReplyToAppeal,
)
from bot.domain.content import Article
from bot.domain.models import Appeal
from bot.keyboards.common import button
from bot.keyboards.targets import target_button
from bot.texts import common as common_texts
from bot.texts import conversation as t
from bot.texts import render


def reply_button(number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BUTTON_REPLY, callback_data=ReplyToAppeal(number=number))
    return builder.as_markup()


def reopen(number: str, *, new_appeal: bool = False) -> InlineKeyboardMarkup:
    """«Возобновить обращение», and «Новое обращение» when a message found it closed."""
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BUTTON_REOPEN, callback_data=Reopen(number=number))
    if new_appeal:
        builder.button(text=t.BUTTON_NEW_APPEAL, callback_data=Menu(item=MenuItem.NEW_APPEAL))
    builder.adjust(1)
    return builder.as_markup()


def rating(number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for score in range(1, 6):
        builder.button(
            text=f"{score} ⭐",
            callback_data=Rating(action=RatingAction.SCORE, number=number, score=score),
        )
    builder.adjust(5)
    return builder.as_markup()


def addenda(
    appeals: list[Appeal], message_id: int, targets: Sequence[str], articles: dict[str, Article]
) -> InlineKeyboardMarkup:
    """The routing's suggestions (if any), «Это дополнение к обращению № …» for each open
    appeal, and the main menu: the citizen's message ``message_id`` waits for their choice."""
    builder = InlineKeyboardBuilder()
    for target in targets:
        builder.row(target_button(target, articles))
    for appeal in appeals:
        builder.row(
            button(
                render(t.BUTTON_ADDENDUM, number=appeal.number),
                Addendum(number=appeal.number, message=message_id),
            )
        )
    builder.row(button(common_texts.BUTTON_MAIN_MENU, Menu(item=MenuItem.MAIN)))
    return builder.as_markup()
