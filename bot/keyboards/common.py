"""Keyboards shared by every dialogue.

Keyboards that never change are built once (``functools.cache``): building
one costs more than the rest of a typical update (aiogram's builder deep-copies
every button), and aiogram's objects are frozen, so sharing one is safe.
"""

from __future__ import annotations

from functools import cache

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_data import Menu, MenuItem
from bot.texts import common as t

_MENU_ITEMS = (
    (t.BUTTON_CHANGE_PHONE, MenuItem.CHANGE_PHONE),
    (t.BUTTON_RECOVERY, MenuItem.RECOVERY),
    (t.BUTTON_NEW_APPEAL, MenuItem.NEW_APPEAL),
    (t.BUTTON_CALLBACK, MenuItem.CALLBACK),
    (t.BUTTON_MY_APPEALS, MenuItem.MY_APPEALS),
    (t.BUTTON_STATUS, MenuItem.STATUS),
    (t.BUTTON_CHECKLIST, MenuItem.CHECKLIST),
    (t.BUTTON_HELP, MenuItem.HELP),
)


@cache
def main_menu() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for label, item in _MENU_ITEMS:
        builder.button(text=label, callback_data=Menu(item=item))
    builder.adjust(1, 1, 1, 1, 2, 2)
    return builder.as_markup()


@cache
def to_main_menu() -> InlineKeyboardMarkup:
    return column(menu_button(t.BUTTON_MAIN_MENU, MenuItem.MAIN))


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    """One inline button, for rows that builders cannot lay out with adjust()."""
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def menu_button(text: str, item: MenuItem) -> InlineKeyboardButton:
    """A button to a screen of the main menu (``MenuItem.MAIN``: the menu itself)."""
    return button(text, Menu(item=item))


def column(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    """Buttons one a row."""
    return InlineKeyboardMarkup(inline_keyboard=[[item] for item in buttons])
