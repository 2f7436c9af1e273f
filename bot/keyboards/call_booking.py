"""The citizen's buttons for a booked call (the booking dialogue's own are aiogram_dialog's)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_data import CallAction, CallManage, Menu, MenuItem, ReplyToAppeal
from bot.domain.models import CallStatus, ScheduledCall
from bot.keyboards.common import button
from bot.texts import call_booking as t
from bot.texts import common as common_texts
from bot.texts import conversation as conversation_texts


def call_buttons(
    number: str, call: ScheduledCall, *, appeal_open: bool, changeable: bool
) -> list[InlineKeyboardButton]:
    """What the citizen can do with a booked call now (shown under the appeal's details).

    ``changeable``: moving and cancelling would still work (not within the hour before).
    """
    if call.status == CallStatus.DONE and call.confirmed_at is None:
        return [button(t.BUTTON_CONFIRM_CALL, CallManage(action=CallAction.CONFIRM, number=number))]
    if not appeal_open or not changeable:
        return []
    if call.status == CallStatus.SCHEDULED:
        return [
            button(t.BUTTON_MOVE, CallManage(action=CallAction.MOVE, number=number)),
            button(t.BUTTON_CANCEL_CALL, CallManage(action=CallAction.CANCEL, number=number)),
        ]
    if call.status == CallStatus.NOT_REACHED:
        return [
            button(t.BUTTON_NEW_TIME, CallManage(action=CallAction.MOVE, number=number)),
            button(t.BUTTON_CANCEL_CALL, CallManage(action=CallAction.CANCEL, number=number)),
        ]
    return []


def booked_call(number: str, call: ScheduledCall, *, changeable: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for item in call_buttons(number, call, appeal_open=True, changeable=changeable):
        builder.row(item)
    builder.row(button(common_texts.BUTTON_MAIN_MENU, Menu(item=MenuItem.MAIN)))
    return builder.as_markup()


def no_free_days() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=common_texts.BUTTON_NEW_APPEAL, callback_data=Menu(item=MenuItem.NEW_APPEAL)
    )
    builder.button(text=common_texts.BUTTON_MAIN_MENU, callback_data=Menu(item=MenuItem.MAIN))
    builder.adjust(1)
    return builder.as_markup()


def ask_cancel(number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=t.BUTTON_CANCEL_SURE,
        callback_data=CallManage(action=CallAction.CANCEL_SURE, number=number),
    )
    builder.button(
        text=t.BUTTON_KEEP, callback_data=CallManage(action=CallAction.KEEP, number=number)
    )
    builder.adjust(1)
    return builder.as_markup()


def not_reached_notice(number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=t.BUTTON_NEW_TIME, callback_data=CallManage(action=CallAction.MOVE, number=number)
    )
    builder.button(
        text=t.BUTTON_CANCEL_CALL, callback_data=CallManage(action=CallAction.CANCEL, number=number)
    )
    builder.adjust(1)
    return builder.as_markup()


def done_notice(number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=t.BUTTON_CONFIRM_CALL,
        callback_data=CallManage(action=CallAction.CONFIRM, number=number),
    )
    builder.button(text=conversation_texts.BUTTON_REPLY, callback_data=ReplyToAppeal(number=number))
    builder.adjust(1)
    return builder.as_markup()
