"""The citizen's buttons for callback requests: phone, day, time, and a booked call."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_data import (
    CallAction,
    CallDay,
    CallFlow,
    CallManage,
    CallStep,
    CallTime,
    Menu,
    MenuItem,
    ReplyToAppeal,
)
from bot.keyboards.common import add_navigation, button
from bot.domain.validators import format_phone
from bot.texts import call_booking as t
from bot.texts import common as common_texts
from bot.texts import conversation as conversation_texts
from bot.texts import plain, render
from bot.domain.models import CallStatus, ScheduledCall

TIMES_PER_PAGE = 40
TIMES_PER_ROW = 4


def phone_choice(profile_phone: str | None) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if profile_phone:
        builder.button(text=render(t.BUTTON_PROFILE_PHONE, phone=format_phone(profile_phone)),
                       callback_data=CallFlow(action=CallStep.PROFILE_PHONE))
    add_navigation(builder)
    return builder.as_markup()


def day_label(day: date, today: date) -> str:
    """``Сегодня, 23.11``, ``Завтра, 24.11``, ``ср, 25.11`` (plain text)."""
    shown = f"{day:%d.%m}"
    if day == today:
        return plain(t.BUTTON_TODAY, date=shown)
    if day == today + timedelta(days=1):
        return plain(t.BUTTON_TOMORROW, date=shown)
    return plain(t.BUTTON_DAY, weekday=conversation_texts.WEEKDAYS_SHORT[day.weekday()],
                 date=shown)


def days(choices: list[date], today: date, *, back: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for day in choices:
        builder.button(text=day_label(day, today), callback_data=CallDay(day=day.isoformat()))
    builder.adjust(2)
    add_navigation(builder, back=back)
    return builder.as_markup()


def times(day: date, slots: list[datetime], page: int) -> InlineKeyboardMarkup:
    """The free slots of ``day`` (local times), a page at a time."""
    builder = InlineKeyboardBuilder()
    pages = max(1, -(-len(slots) // TIMES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    for slot in slots[page * TIMES_PER_PAGE:(page + 1) * TIMES_PER_PAGE]:
        builder.button(text=f"{slot:%H:%M}",
                       callback_data=CallTime(day=day.isoformat(),
                                              minute=slot.hour * 60 + slot.minute))
    builder.adjust(TIMES_PER_ROW)
    paging = []
    if page > 0:
        paging.append(button(t.BUTTON_EARLIER, CallDay(day=day.isoformat(), page=page - 1)))
    if page + 1 < pages:
        paging.append(button(t.BUTTON_LATER, CallDay(day=day.isoformat(), page=page + 1)))
    if paging:
        builder.row(*paging)
    builder.row(button(t.BUTTON_OTHER_DAY, CallFlow(action=CallStep.OTHER_DAY)))
    add_navigation(builder)
    return builder.as_markup()


def call_buttons(number: str, call: ScheduledCall, *,
                 appeal_open: bool) -> list[InlineKeyboardButton]:
    """What the citizen can do with a booked call now (shown under the appeal's details)."""
    if call.status == CallStatus.DONE and call.confirmed_at is None:
        return [button(t.BUTTON_CONFIRM_CALL, CallManage(action=CallAction.CONFIRM, number=number))]
    if not appeal_open:
        return []
    if call.status == CallStatus.SCHEDULED:
        return [button(t.BUTTON_MOVE, CallManage(action=CallAction.MOVE, number=number)),
                button(t.BUTTON_CANCEL_CALL, CallManage(action=CallAction.CANCEL, number=number))]
    if call.status == CallStatus.NOT_REACHED:
        return [button(t.BUTTON_NEW_TIME, CallManage(action=CallAction.MOVE, number=number)),
                button(t.BUTTON_CANCEL_CALL, CallManage(action=CallAction.CANCEL, number=number))]
    return []


def booked_call(number: str, call: ScheduledCall) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for item in call_buttons(number, call, appeal_open=True):
        builder.row(item)
    builder.row(button(common_texts.BUTTON_MAIN_MENU, Menu(item=MenuItem.MAIN)))
    return builder.as_markup()


def no_free_days() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=common_texts.BUTTON_NEW_APPEAL,
                   callback_data=Menu(item=MenuItem.NEW_APPEAL))
    builder.button(text=common_texts.BUTTON_MAIN_MENU, callback_data=Menu(item=MenuItem.MAIN))
    builder.adjust(1)
    return builder.as_markup()


def ask_cancel(number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BUTTON_CANCEL_SURE,
                   callback_data=CallManage(action=CallAction.CANCEL_SURE, number=number))
    builder.button(text=t.BUTTON_KEEP, callback_data=CallManage(action=CallAction.KEEP,
                                                                number=number))
    builder.adjust(1)
    return builder.as_markup()


def not_reached_notice(number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BUTTON_NEW_TIME, callback_data=CallManage(action=CallAction.MOVE,
                                                                    number=number))
    builder.button(text=t.BUTTON_CANCEL_CALL,
                   callback_data=CallManage(action=CallAction.CANCEL, number=number))
    builder.adjust(1)
    return builder.as_markup()


def done_notice(number: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BUTTON_CONFIRM_CALL,
                   callback_data=CallManage(action=CallAction.CONFIRM, number=number))
    builder.button(text=conversation_texts.BUTTON_REPLY, callback_data=ReplyToAppeal(number=number))
    builder.adjust(1)
    return builder.as_markup()
