"""Buttons of the operators' chat: the card, closing, canned answers."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_data import CallDesk, CallDeskAction, Desk, DeskAction, TemplatePick
from bot.texts import call_booking as call_texts
from bot.texts import operators as t
from bot.domain.models import Appeal, AppealStatus, CallStatus, ReplyTemplate


def card(appeal: Appeal, *, has_hidden_data: bool) -> InlineKeyboardMarkup | None:
    builder = InlineKeyboardBuilder()
    number = appeal.number
    if appeal.status == AppealStatus.NEW:
        builder.button(text=t.BUTTON_TAKE, callback_data=Desk(action=DeskAction.TAKE,
                                                              number=number))
    if appeal.is_open:
        builder.button(text=t.BUTTON_CLOSE, callback_data=Desk(action=DeskAction.CLOSE,
                                                               number=number))
    if appeal.is_open and appeal.call is not None and appeal.call.status == CallStatus.SCHEDULED:
        builder.button(text=call_texts.BUTTON_CALLED,
                       callback_data=CallDesk(action=CallDeskAction.CALLED, number=number))
        builder.button(text=call_texts.BUTTON_NOT_REACHED,
                       callback_data=CallDesk(action=CallDeskAction.NOT_REACHED, number=number))
    if has_hidden_data:
        builder.button(text=t.BUTTON_REVEAL, callback_data=Desk(action=DeskAction.REVEAL,
                                                                number=number))
    if appeal.is_open:
        builder.button(text=t.BUTTON_TEMPLATES, callback_data=Desk(action=DeskAction.TEMPLATES,
                                                                   number=number))
    builder.adjust(2)
    markup = builder.as_markup()
    return markup if markup.inline_keyboard else None


def close_prompt(number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BUTTON_CLOSE_PLAIN,
                   callback_data=Desk(action=DeskAction.CLOSE_PLAIN, number=number))
    builder.button(text=t.BUTTON_CLOSE_CANCEL,
                   callback_data=Desk(action=DeskAction.CLOSE_CANCEL, number=number))
    builder.adjust(2)
    return builder.as_markup()


def template_picker(templates: list[ReplyTemplate], number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for template in templates:
        builder.button(text=template.title,
                       callback_data=TemplatePick(template_id=template.id, number=number))
    builder.adjust(1)
    return builder.as_markup()


def call_result_prompt(number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=call_texts.BUTTON_CALL_KEEP,
                   callback_data=CallDesk(action=CallDeskAction.KEEP, number=number))
    return builder.as_markup()
