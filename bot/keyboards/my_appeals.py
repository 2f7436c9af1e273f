from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import AppealAction, Menu, MenuItem, MyAppeal
from bot.keyboards.callback_request import call_buttons
from bot.keyboards.common import button
from bot.services.appeals import AppealPage
from bot.texts import common as common_texts
from bot.texts import my_appeals as t
from bot.texts import render
from storage.models import ScheduledCall


def appeal_list(page: AppealPage) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for appeal in page.items:
        builder.button(
            text=render(
                t.BUTTON_ITEM,
                number=appeal.number,
                status=common_texts.STATUS_NAMES[appeal.status],
            ),
            callback_data=MyAppeal(action=AppealAction.OPEN, number=appeal.number),
        )
    builder.adjust(1)
    paging = []
    if page.page + 1 < page.pages:
        paging.append((t.BUTTON_PREVIOUS, page.page + 1))
    if page.page > 0:
        paging.append((t.BUTTON_NEXT, page.page - 1))
    if paging:
        builder.row(
            *(
                button(label, MyAppeal(action=AppealAction.PAGE, page=target))
                for label, target in paging
            )
        )
    builder.row(button(common_texts.BUTTON_MAIN_MENU, Menu(item=MenuItem.MAIN)))
    return builder.as_markup()


def appeal_details(number: str, *, can_comment: bool,
                   call: ScheduledCall | None = None) -> InlineKeyboardMarkup:
    """``call``: a callback appeal's call, whose buttons (move, cancel, confirm) come first."""
    builder = InlineKeyboardBuilder()
    if call is not None:
        for item in call_buttons(number, call, appeal_open=can_comment):
            builder.add(item)
    if can_comment:
        builder.button(
            text=t.BUTTON_COMMENT,
            callback_data=MyAppeal(action=AppealAction.COMMENT, number=number),
        )
    builder.button(text=t.BUTTON_TO_LIST, callback_data=Menu(item=MenuItem.MY_APPEALS))
    builder.button(text=common_texts.BUTTON_MAIN_MENU, callback_data=Menu(item=MenuItem.MAIN))
    builder.adjust(1)
    return builder.as_markup()
