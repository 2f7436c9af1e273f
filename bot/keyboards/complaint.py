from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_data import Complaint, ComplaintAction, Nav, NavAction
from bot.keyboards.common import add_navigation
from bot.texts import common as common_texts
from bot.texts import complaint as t
from bot.texts import render


@cache
def no_answer() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BUTTON_NO_ANSWER, callback_data=Complaint(action=ComplaintAction.NO_ANSWER))
    add_navigation(builder, back=True)
    return builder.as_markup()


def attachments(count: int) -> InlineKeyboardMarkup:
    return _attachments(bool(count))


@cache
def _attachments(count: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if count:
        builder.button(text=t.BUTTON_DONE, callback_data=Complaint(action=ComplaintAction.DONE))
    else:
        builder.button(text=common_texts.BUTTON_SKIP, callback_data=Nav(action=NavAction.SKIP))
    add_navigation(builder, back=True)
    return builder.as_markup()


def review(fields: Sequence[str]) -> InlineKeyboardMarkup:
    return _review(tuple(fields))


@cache
def _review(fields: tuple[str, ...]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=common_texts.BUTTON_CONFIRM, callback_data=Nav(action=NavAction.CONFIRM))
    for field in fields:
        builder.button(
            text=render(t.BUTTON_EDIT, name=common_texts.FIELD_NAMES[field]),
            callback_data=Complaint(action=ComplaintAction.EDIT, field=field),
        )
    builder.adjust(1, 2)
    add_navigation(builder)
    return builder.as_markup()
