"""The citizen's buttons for a booked call (the booking dialogue's own are aiogram_dialog's)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import CallAction, CallManage, MenuItem, ReplyToAppeal
from bot.domain.models import CallStatus, ScheduledCall
from bot.keyboards.common import button, column, menu_button
from bot.texts import call_booking as t
from bot.texts import common as common_texts
from bot.texts import conversation as conversation_texts


def _manage(text: str, action: CallAction, number: str) -> InlineKeyboardButton:
    return button(text, CallManage(action=action, number=number))


def call_buttons(
    number: str, call: ScheduledCall | None, *, appeal_open: bool, changeable: bool
) -> list[InlineKeyboardButton]:
    """What the citizen can do with a booked call now (shown under the appeal's details);
    nothing for an appeal without a call.

    ``changeable``: moving and cancelling would still work (not within the hour before).
    """
    if call is None:
        return []
    if call.status == CallStatus.DONE and call.confirmed_at is None:
        return [_manage(t.BUTTON_CONFIRM_CALL, CallAction.CONFIRM, number)]
    if not appeal_open or not changeable:
        return []
    if call.status == CallStatus.SCHEDULED:
        move = t.BUTTON_MOVE
    elif call.status == CallStatus.NOT_REACHED:
        move = t.BUTTON_NEW_TIME
    else:
        return []
    return [
        _manage(move, CallAction.MOVE, number),
        _manage(t.BUTTON_CANCEL_CALL, CallAction.CANCEL, number),
    ]


def booked_call(number: str, call: ScheduledCall, *, changeable: bool) -> InlineKeyboardMarkup:
    return column(
        *call_buttons(number, call, appeal_open=True, changeable=changeable),
        menu_button(common_texts.BUTTON_MAIN_MENU, MenuItem.MAIN),
    )


def no_free_days() -> InlineKeyboardMarkup:
    return column(
        menu_button(common_texts.BUTTON_NEW_APPEAL, MenuItem.NEW_APPEAL),
        menu_button(common_texts.BUTTON_MAIN_MENU, MenuItem.MAIN),
    )


def ask_cancel(number: str) -> InlineKeyboardMarkup:
    return column(
        _manage(t.BUTTON_CANCEL_SURE, CallAction.CANCEL_SURE, number),
        _manage(t.BUTTON_KEEP, CallAction.KEEP, number),
    )


def not_reached_notice(number: str) -> InlineKeyboardMarkup:
    return column(
        _manage(t.BUTTON_NEW_TIME, CallAction.MOVE, number),
        _manage(t.BUTTON_CANCEL_CALL, CallAction.CANCEL, number),
    )


def done_notice(number: str) -> InlineKeyboardMarkup:
    return column(
        _manage(t.BUTTON_CONFIRM_CALL, CallAction.CONFIRM, number),
        button(conversation_texts.BUTTON_REPLY, ReplyToAppeal(number=number)),
    )
