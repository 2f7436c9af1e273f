"""Buttons of the operators' chat: the card, closing, canned answers."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import (
    CallDesk,
    CallDeskAction,
    Desk,
    DeskAction,
    TemplateAction,
    TemplatePick,
)
from bot.domain.models import Appeal, AppealStatus, CallStatus, ReplyTemplate
from bot.keyboards.common import button, column
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
                _desk(t.BUTTON_CLOSE, DeskAction.CLOSE, number),
                _desk(t.BUTTON_TEMPLATES, DeskAction.TEMPLATES, number),
            ]
        )
    if has_hidden_data:
        rows.append([_desk(t.BUTTON_REVEAL, DeskAction.REVEAL, number)])
    if appeal.is_open and appeal.call is not None and appeal.call.status == CallStatus.SCHEDULED:
        rows.append(
            [
                _call(call_texts.BUTTON_CALLED, CallDeskAction.CALLED, number),
                _call(call_texts.BUTTON_NOT_REACHED, CallDeskAction.NOT_REACHED, number),
            ]
        )
    if appeal.status == AppealStatus.NEW:
        rows.append([_desk(t.BUTTON_TAKE, DeskAction.TAKE, number)])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def close_prompt(number: str) -> InlineKeyboardMarkup:
    return _row(
        _desk(t.BUTTON_CLOSE_PLAIN, DeskAction.CLOSE_PLAIN, number),
        _desk(t.BUTTON_CLOSE_CANCEL, DeskAction.CLOSE_CANCEL, number),
    )


def template_picker(templates: list[ReplyTemplate], number: str) -> InlineKeyboardMarkup:
    return column(
        *(
            _pick(template.title, TemplateAction.PREVIEW, template.id, number)
            for template in templates
        )
    )


def template_send(template_id: int, number: str, *, again: bool = False) -> InlineKeyboardMarkup:
    """«Отправить» (or «Да, отправить ещё раз») and «Отмена», back to the list."""
    return _row(
        _pick(
            t.BUTTON_TEMPLATE_AGAIN if again else t.BUTTON_TEMPLATE_SEND,
            TemplateAction.SEND_AGAIN if again else TemplateAction.SEND,
            template_id,
            number,
        ),
        _pick(t.BUTTON_TEMPLATE_BACK, TemplateAction.BACK, template_id, number),
    )


def early_mark_prompt(number: str, action: CallDeskAction) -> InlineKeyboardMarkup:
    """«Да, …» (``action`` is CALLED_EARLY or NOT_REACHED_EARLY) or leave the call unmarked."""
    label = (
        call_texts.BUTTON_CALLED_EARLY
        if action == CallDeskAction.CALLED_EARLY
        else call_texts.BUTTON_NOT_REACHED_EARLY
    )
    return _row(
        _call(label, action, number),
        _call(call_texts.BUTTON_CALL_KEEP, CallDeskAction.KEEP, number),
    )


def call_result_prompt(number: str) -> InlineKeyboardMarkup:
    return column(_call(call_texts.BUTTON_CALL_KEEP, CallDeskAction.KEEP, number))


def _desk(text: str, action: DeskAction, number: str) -> InlineKeyboardButton:
    return button(text, Desk(action=action, number=number))


def _call(text: str, action: CallDeskAction, number: str) -> InlineKeyboardButton:
    return button(text, CallDesk(action=action, number=number))


def _pick(text: str, action: TemplateAction, template_id: int, number: str) -> InlineKeyboardButton:
    return button(text, TemplatePick(action=action, template_id=template_id, number=number))


def _row(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(buttons)])
