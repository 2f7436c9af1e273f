"""Citizen's buttons for the conversation with operators: reply, rate."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_data import Rating, RatingAction, ReplyToAppeal
from bot.keyboards.common import add_navigation
from bot.texts import common as common_texts
from bot.texts import conversation as t
from bot.texts import render
from bot.domain.models import Appeal


def reply_button(number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BUTTON_REPLY, callback_data=ReplyToAppeal(number=number))
    return builder.as_markup()


def rating(number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for score in range(1, 6):
        builder.button(text=f"{score} ⭐",
                       callback_data=Rating(action=RatingAction.SCORE, number=number,
                                            score=score))
    builder.adjust(5)
    return builder.as_markup()


def no_comment(number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BUTTON_NO_COMMENT,
                   callback_data=Rating(action=RatingAction.NO_COMMENT, number=number))
    return builder.as_markup()


def choose_appeal(appeals: list[Appeal]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for appeal in appeals:
        builder.button(
            text=render(t.BUTTON_APPEAL, number=appeal.number,
                        type=common_texts.APPEAL_TYPE_NAMES[appeal.type]),
            callback_data=ReplyToAppeal(number=appeal.number),
        )
    builder.adjust(1)
    add_navigation(builder)
    return builder.as_markup()


def conversation_step() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    add_navigation(builder)
    return builder.as_markup()
