"""Buttons of the operators' chat: the card, closing, canned answers."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_data import (
    CallDesk,
    CallDeskAction,
    Desk,
    DeskAction,
    TemplateAction,
    TemplatePick,
)
from bot.domain.models import Appeal, AppealStatus, CallStatus, ReplyTemplate
from bot.keyboards.common import button
from bot.texts import call_booking as call_texts
from bot.texts import operators as t


def card(appeal: Appeal, *, has_hidden_data: bool) -> InlineKeyboardMarkup | None:
    """Rows in the order they last: a button that goes away (taking, marking the call) is
    below those that stay, so nothing an operator is about to press moves under the finger."""
    number = appeal.number
    rows: list[list[InlineKeyboardButton]] = []
    if appeal.is_open:
        rows.append(
            [
                button(t.BUTTON_CLOSE, Desk(action=DeskAction.CLOSE, number=number)),
                button(t.BUTTON_TEMPLATES, Desk(action=DeskAction.TEMPLATES, number=number)),
            ]
        )
    if has_hidden_data:
        rows.append([button(t.BUTTON_REVEAL, Desk(action=DeskAction.REVEAL, number=number))])
    if appeal.is_open and appeal.call is not None and appeal.call.status == CallStatus.SCHEDULED:
        rows.append(
            [
                button(
                    call_texts.BUTTON_CALLED, CallDesk(action=CallDeskAction.CALLED, number=number)
                ),
                button(
                    call_texts.BUTTON_NOT_REACHED,
                    CallDesk(action=CallDeskAction.NOT_REACHED, number=number),
                ),
            ]
        )
    if appeal.status == AppealStatus.NEW:
        rows.append([button(t.BUTTON_TAKE, Desk(action=DeskAction.TAKE, number=number))])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def close_prompt(number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=t.BUTTON_CLOSE_PLAIN, callback_data=Desk(action=DeskAction.CLOSE_PLAIN, number=number)
    )
    builder.button(
        text=t.BUTTON_CLOSE_CANCEL,
        callback_data=Desk(action=DeskAction.CLOSE_CANCEL, number=number),
    )
    builder.adjust(2)
    return builder.as_markup()


def template_picker(templates: list[ReplyTemplate], number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for template in templates:
        builder.button(
            text=template.title,
            callback_data=TemplatePick(
                action=TemplateAction.PREVIEW, template_id=template.id, number=number
            ),
        )
    builder.adjust(1)
    return builder.as_markup()


def template_send(template_id: int, number: str, *, again: bool = False) -> InlineKeyboardMarkup:
    """«Отправить» (or «Да, отправить ещё раз») and «Отмена», back to the list."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=t.BUTTON_TEMPLATE_AGAIN if again else t.BUTTON_TEMPLATE_SEND,
        callback_data=TemplatePick(
            action=TemplateAction.SEND_AGAIN if again else TemplateAction.SEND,
            template_id=template_id,
            number=number,
        ),
    )
    builder.button(
        text=t.BUTTON_TEMPLATE_BACK,
        callback_data=TemplatePick(
            action=TemplateAction.BACK, template_id=template_id, number=number
        ),
    )
    builder.adjust(2)
    return builder.as_markup()


def early_mark_prompt(number: str, action: CallDeskAction) -> InlineKeyboardMarkup:
    """«Да, …» (``action`` is CALLED_EARLY or NOT_REACHED_EARLY) or leave the call unmarked."""
    builder = InlineKeyboardBuilder()
    label = (
        call_texts.BUTTON_CALLED_EARLY
        if action == CallDeskAction.CALLED_EARLY
        else call_texts.BUTTON_NOT_REACHED_EARLY
    )
    builder.button(text=label, callback_data=CallDesk(action=action, number=number))
    builder.button(
        text=call_texts.BUTTON_CALL_KEEP,
        callback_data=CallDesk(action=CallDeskAction.KEEP, number=number),
    )
    builder.adjust(2)
    return builder.as_markup()


def call_result_prompt(number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=call_texts.BUTTON_CALL_KEEP,
        callback_data=CallDesk(action=CallDeskAction.KEEP, number=number),
    )
    return builder.as_markup()
