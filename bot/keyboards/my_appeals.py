from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from bot.callback_data import AppealAction, Menu, MenuItem, MyAppeal
from bot.keyboards.call_booking import call_buttons
from bot.keyboards.common import button
from bot.services.appeals import AppealPage
from bot.texts import common as common_texts
from bot.texts import my_appeals as t
from bot.texts import render
from bot.domain.models import ScheduledCall


def appeal_list(page: AppealPage) -> InlineKeyboardMarkup:
    # Rows laid out here, not with InlineKeyboardBuilder: the builder
    # deep-copies every button on each add, and this list is built for every
    # "my appeals" (a fifth of a whole update's CPU time in the profile).
    rows = [
        [button(
            render(t.BUTTON_ITEM, number=appeal.number,
                   status=common_texts.STATUS_NAMES[appeal.status]),
            MyAppeal(action=AppealAction.OPEN, number=appeal.number),
        )]
        for appeal in page.items
    ]
    paging = []
    if page.page + 1 < page.pages:
        paging.append((t.BUTTON_PREVIOUS, page.page + 1))
    if page.page > 0:
        paging.append((t.BUTTON_NEXT, page.page - 1))
    if paging:
        rows.append([button(label, MyAppeal(action=AppealAction.PAGE, page=target))
                     for label, target in paging])
    rows.append([button(common_texts.BUTTON_MAIN_MENU, Menu(item=MenuItem.MAIN))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def appeal_details(number: str, *, can_comment: bool,
                   call: ScheduledCall | None = None) -> InlineKeyboardMarkup:
    """``call``: a callback appeal's call, whose buttons (move, cancel, confirm) come first.

    One button a row, laid out here for the reason given in :func:`appeal_list`.
    """
    column = [] if call is None else call_buttons(number, call, appeal_open=can_comment)
    if can_comment:
        comment = MyAppeal(action=AppealAction.COMMENT, number=number)
        column.append(button(t.BUTTON_COMMENT, comment))
    column.append(button(t.BUTTON_TO_LIST, Menu(item=MenuItem.MY_APPEALS)))
    column.append(button(common_texts.BUTTON_MAIN_MENU, Menu(item=MenuItem.MAIN)))
    return InlineKeyboardMarkup(inline_keyboard=[[item] for item in column])
